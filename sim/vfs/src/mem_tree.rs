//! The in-memory tree: [`Node`]s (folders, files shared by their hard links, and planted
//! special nodes such as a symbolic link, which are never followed) and [`MemDir`], an open
//! folder as a [`VDir`]. Owns the rules of one folder's entries, failing with the `errno` the
//! kernel gives in the same case; it must never follow a link nor walk a path from the top.

use crate::kind::{errno, Kind, OpenError};
use crate::mem_file::{lock, FileData, FileRef, MemFile, Shared};
use crate::{VDir, VFile};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::sync::{Arc, Mutex};

/// One folder's entries; `removed` once `rmdir` took it out of its parent (a handle on it may
/// still be open, and then nothing can be created in it).
#[derive(Debug, Default)]
pub(crate) struct DirNode {
    pub(crate) entries: BTreeMap<String, Node>,
    pub(crate) removed: bool,
}

pub(crate) type DirRef = Arc<Mutex<DirNode>>;

/// What a name in a folder holds.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Dir(DirRef),
    File(FileRef),
    /// A symbolic link, FIFO, socket or device, planted by a test; never followed or opened.
    Special(Kind),
}

impl Node {
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Node::Dir(_) => Kind::Dir,
            Node::File(_) => Kind::File,
            Node::Special(kind) => *kind,
        }
    }

    pub(crate) fn new_dir() -> Node {
        Node::Dir(Arc::new(Mutex::new(DirNode::default())))
    }
}

/// One path component, refused as the real file system's `c_name` refuses it.
pub(crate) fn check_name(name: &str) -> Result<(), OpenError> {
    let ok = !name.is_empty() && name != "." && name != ".." && !name.contains('/');
    assert!(ok, "`{name}` is not one path component");
    if name.contains('\0') {
        return Err(OpenError::Io(io::Error::from(io::ErrorKind::InvalidInput)));
    }
    Ok(())
}

/// Adds `node` as `name` in `dir`: `EEXIST` when taken, `ENOENT` when `dir` was removed.
pub(crate) fn insert(dir: &DirRef, name: &str, node: Node) -> io::Result<()> {
    let mut dir = lock(dir);
    if dir.removed {
        return Err(errno(libc::ENOENT));
    }
    if dir.entries.contains_key(name) {
        return Err(errno(libc::EEXIST));
    }
    dir.entries.insert(name.to_string(), node);
    Ok(())
}

/// `unlink` (`folder` false) or `rmdir` of `name` in `dir`.
pub(crate) fn remove(dir: &DirRef, name: &str, folder: bool) -> io::Result<()> {
    let mut dir = lock(dir);
    let node = dir.entries.get(name).ok_or_else(|| errno(libc::ENOENT))?;
    match (node, folder) {
        (Node::Dir(_), false) => return Err(errno(libc::EISDIR)),
        (Node::Dir(child), true) => {
            let mut child = lock(child);
            if !child.entries.is_empty() {
                return Err(errno(libc::ENOTEMPTY));
            }
            child.removed = true;
        }
        (_, true) => return Err(errno(libc::ENOTDIR)),
        (_, false) => {}
    }
    dir.entries.remove(name);
    Ok(())
}

/// An open in-memory folder.
#[derive(Debug)]
pub(crate) struct MemDir {
    pub(crate) dir: DirRef,
    pub(crate) shared: Arc<Shared>,
}

impl MemDir {
    fn get(&self, name: &str) -> Result<Option<Node>, OpenError> {
        check_name(name)?;
        Ok(lock(&self.dir).entries.get(name).cloned())
    }

    fn new_file(&self, name: &str) -> Result<FileRef, OpenError> {
        check_name(name)?;
        let data = FileData::new_ref(&self.shared);
        insert(&self.dir, name, Node::File(Arc::clone(&data)))?;
        Ok(data)
    }
}

impl VDir for MemDir {
    fn kind_of(&self, name: &str) -> Result<Option<Kind>, OpenError> {
        Ok(self.get(name)?.map(|node| node.kind()))
    }

    fn open_dir(&self, name: &str) -> Result<Box<dyn VDir>, OpenError> {
        match self.get(name)? {
            Some(Node::Dir(dir)) => Ok(Box::new(MemDir {
                dir,
                shared: Arc::clone(&self.shared),
            })),
            Some(other) => Err(OpenError::Kind(other.kind())),
            None => Err(OpenError::Io(errno(libc::ENOENT))),
        }
    }

    fn open_file(&self, name: &str) -> Result<Box<dyn VFile>, OpenError> {
        match self.get(name)? {
            Some(Node::File(data)) => Ok(Box::new(MemFile {
                data,
                writable: false,
            })),
            Some(other) => Err(OpenError::Kind(other.kind())),
            None => Err(OpenError::Io(io::Error::from(io::ErrorKind::NotFound))),
        }
    }

    fn entries(&self, entries_max: usize) -> io::Result<Option<Vec<(OsString, Kind)>>> {
        let dir = lock(&self.dir);
        if dir.entries.len() >= entries_max {
            return Ok(None);
        }
        Ok(Some(
            dir.entries
                .iter()
                .map(|(name, node)| (OsString::from(name), node.kind()))
                .collect(),
        ))
    }

    fn create_dir(&self, name: &str) -> Result<(), OpenError> {
        check_name(name)?;
        Ok(insert(&self.dir, name, Node::new_dir())?)
    }

    fn create_file(&self, name: &str) -> Result<Box<dyn VFile>, OpenError> {
        let data = self.new_file(name)?;
        Ok(Box::new(MemFile {
            data,
            writable: true,
        }))
    }

    fn remove(&self, name: &str, folder: bool) -> io::Result<()> {
        check_name(name).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        remove(&self.dir, name, folder)
    }

    fn available_bytes(&self) -> io::Result<u64> {
        Ok(self.shared.available_bytes())
    }
}
