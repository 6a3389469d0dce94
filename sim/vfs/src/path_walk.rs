//! Opening a `/`-separated relative path inside an open folder, one component at a time and
//! never through a link, on any [`VDir`]. Owns that walk and the naming of the component that
//! failed; it must never open a path from the top.

use crate::kind::OpenError;
use crate::{VDir, VFile};

/// Opens the regular file `relative` (`/`-separated components, each opened without following
/// links) inside `dir`. The error names the component that failed.
pub fn open_path(dir: &dyn VDir, relative: &str) -> Result<Box<dyn VFile>, (String, OpenError)> {
    let components: Vec<&str> = relative.split('/').collect();
    let (last, folders) = components
        .split_last()
        .expect("split yields one part at least");
    let mut opened: Option<Box<dyn VDir>> = None;
    for (i, folder) in folders.iter().enumerate() {
        let parent: &dyn VDir = opened.as_deref().unwrap_or(dir);
        let next = parent
            .open_dir(folder)
            .map_err(|e| (components[..=i].join("/"), e))?;
        opened = Some(next);
    }
    opened
        .as_deref()
        .unwrap_or(dir)
        .open_file(last)
        .map_err(|e| (relative.to_string(), e))
}
