//! [`MemFs`]: a whole file system in memory, as an [`Fs`]. Paths are walked from its root
//! one component at a time (`.` skipped, `..` back to the parent, a relative path taken from
//! the root); a planted link on the way is refused with `ELOOP`, never followed. Owns that walk
//! and the limits (capacity, largest file); it must never fail differently from the kernel in
//! a case the real file system handles without following a link.

use crate::kind::{errno, Kind, OpenError};
use crate::mem_file::{lock, FileData, MemFile, Shared};
use crate::mem_tree::{insert, remove, DirRef, MemDir, Node};
use crate::{Fs, VDir, VFile};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

pub use crate::mem_file::MEM_PAGE_BYTES;

/// Largest file by default: 16 TiB, ext4's limit, so a 64 TiB disk takes the path that
/// compares its extent map instead of an image, as on a disk-backed scratch.
pub const MEM_FILE_SIZE_MAX_BYTES: u64 = 16 << 40;
/// Bytes the file system reports it can hold by default (memory is the real bound).
pub const MEM_CAPACITY_BYTES_DEFAULT: u64 = 1 << 40;
/// Deepest path walked.
pub const MEM_PATH_DEPTH_MAX: usize = 4096;

/// An in-memory file system; clones share the same tree.
#[derive(Clone, Debug)]
pub struct MemFs {
    root: DirRef,
    shared: Arc<Shared>,
}

impl Default for MemFs {
    fn default() -> MemFs {
        MemFs::new()
    }
}

impl MemFs {
    /// An empty file system with the default limits.
    pub fn new() -> MemFs {
        MemFs::with_limits(MEM_CAPACITY_BYTES_DEFAULT, MEM_FILE_SIZE_MAX_BYTES)
    }

    /// An empty file system that holds `capacity_bytes` and files of at most
    /// `file_size_max_bytes`.
    pub fn with_limits(capacity_bytes: u64, file_size_max_bytes: u64) -> MemFs {
        let Node::Dir(root) = Node::new_dir() else {
            unreachable!("new_dir makes a folder")
        };
        MemFs {
            root,
            shared: Arc::new(Shared {
                capacity_bytes,
                file_size_max_bytes,
                used_bytes: AtomicU64::new(0),
            }),
        }
    }

    /// Bytes the files hold (written extents, not holes).
    pub fn used_bytes(&self) -> u64 {
        self.shared
            .used_bytes
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Plants a node of `kind` other than a file or a folder (a symbolic link, a FIFO...) at
    /// `path`, as a hostile test would; it is reported, refused and never followed.
    pub fn plant(&self, path: &Path, kind: Kind) -> io::Result<()> {
        assert!(!matches!(kind, Kind::File | Kind::Dir));
        let (parent, name) = self.parent_of(path)?;
        insert(&parent, &name, Node::Special(kind))
    }

    /// The folders from the root to `path`'s parent, walked; and the last name (`None` for
    /// the root itself).
    fn walk(&self, path: &Path) -> io::Result<(Vec<DirRef>, Option<String>)> {
        let mut stack = vec![Arc::clone(&self.root)];
        let mut names: Vec<String> = Vec::new();
        for component in path.components() {
            match component {
                Component::Prefix(_) | Component::RootDir | Component::CurDir => {}
                Component::ParentDir => {
                    names.pop();
                }
                Component::Normal(name) => {
                    let name = name.to_str().ok_or_else(|| errno(libc::EINVAL))?;
                    names.push(name.to_string());
                }
            }
            if names.len() > MEM_PATH_DEPTH_MAX {
                return Err(errno(libc::ENAMETOOLONG));
            }
        }
        let last = names.pop();
        for name in &names {
            let next = match lock(stack.last().expect("root")).entries.get(name) {
                Some(Node::Dir(dir)) => Arc::clone(dir),
                Some(Node::Special(Kind::Symlink)) => return Err(errno(libc::ELOOP)),
                Some(_) => return Err(errno(libc::ENOTDIR)),
                None => return Err(errno(libc::ENOENT)),
            };
            stack.push(next);
        }
        Ok((stack, last))
    }

    /// The open parent folder of `path` and its last name; `EEXIST` for the root.
    fn parent_of(&self, path: &Path) -> io::Result<(DirRef, String)> {
        let (mut stack, last) = self.walk(path)?;
        let name = last.ok_or_else(|| errno(libc::EEXIST))?;
        Ok((stack.pop().expect("root"), name))
    }

    /// The node at `path` (the root for `/`), `None` when its last name is missing.
    fn node_at(&self, path: &Path) -> io::Result<Option<Node>> {
        let (mut stack, last) = self.walk(path)?;
        let parent = stack.pop().expect("root");
        match last {
            None => Ok(Some(Node::Dir(parent))),
            Some(name) => Ok(lock(&parent).entries.get(&name).cloned()),
        }
    }

    fn memdir(&self, dir: DirRef) -> Box<dyn VDir> {
        Box::new(MemDir {
            dir,
            shared: Arc::clone(&self.shared),
        })
    }
}

impl Fs for MemFs {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn read_dir_names(&self, path: &Path, entries_max: usize) -> io::Result<Option<Vec<String>>> {
        match self.node_at(path)? {
            Some(Node::Dir(dir)) => {
                let dir = lock(&dir);
                Ok(
                    (dir.entries.len() < entries_max)
                        .then(|| dir.entries.keys().cloned().collect()),
                )
            }
            Some(Node::Special(Kind::Symlink)) => Err(errno(libc::ELOOP)),
            Some(_) => Err(errno(libc::ENOTDIR)),
            None => Err(errno(libc::ENOENT)),
        }
    }

    fn kind_at(&self, path: &Path) -> io::Result<Option<Kind>> {
        match self.node_at(path) {
            Ok(node) => Ok(node.map(|n| n.kind())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn len_at(&self, path: &Path) -> io::Result<u64> {
        match self.node_at(path)? {
            Some(Node::File(data)) => Ok(lock(&data).len_bytes()),
            Some(_) => Ok(0),
            None => Err(errno(libc::ENOENT)),
        }
    }

    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        let mut dir = Arc::clone(&self.root);
        let mut names: Vec<String> = Vec::new();
        for component in path.components() {
            match component {
                Component::Normal(name) => names.push(
                    name.to_str()
                        .ok_or_else(|| errno(libc::EINVAL))?
                        .to_string(),
                ),
                Component::ParentDir => {
                    names.pop();
                }
                _ => {}
            }
        }
        let count = names.len();
        for (index, name) in names.into_iter().enumerate() {
            let existing = lock(&dir).entries.get(&name).cloned();
            dir = match existing {
                Some(Node::Dir(child)) => child,
                Some(Node::Special(Kind::Symlink)) => return Err(errno(libc::ELOOP)),
                Some(_) if index + 1 == count => return Err(errno(libc::EEXIST)),
                Some(_) => return Err(errno(libc::ENOTDIR)),
                None => {
                    let node = Node::new_dir();
                    insert(&dir, &name, node.clone())?;
                    let Node::Dir(child) = node else {
                        unreachable!("new_dir makes a folder")
                    };
                    child
                }
            };
        }
        Ok(())
    }

    fn create_new(&self, path: &Path) -> io::Result<Box<dyn VFile>> {
        let (parent, name) = self.parent_of(path)?;
        let data = FileData::new_ref(&self.shared);
        insert(&parent, &name, Node::File(Arc::clone(&data)))?;
        Ok(Box::new(MemFile {
            data,
            writable: true,
        }))
    }

    fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()> {
        // The kernel's order: the source, the target's folder, a taken name, then a folder.
        let node = self.node_at(from)?.ok_or_else(|| errno(libc::ENOENT))?;
        let (parent, name) = self.parent_of(to)?;
        if matches!(node, Node::Dir(_)) && !lock(&parent).entries.contains_key(&name) {
            return Err(errno(libc::EPERM));
        }
        insert(&parent, &name, node)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        let (parent, name) = self.parent_of(path).map_err(root_is_busy)?;
        remove(&parent, &name, false)
    }

    fn remove_dir(&self, path: &Path) -> io::Result<()> {
        let (parent, name) = self.parent_of(path).map_err(root_is_busy)?;
        remove(&parent, &name, true)
    }

    fn remove_dir_all(&self, path: &Path) -> io::Result<()> {
        let (parent, name) = self.parent_of(path).map_err(root_is_busy)?;
        let mut parent = lock(&parent);
        match parent.entries.get(&name) {
            None => return Err(errno(libc::ENOENT)),
            Some(Node::Dir(dir)) => lock(dir).removed = true,
            Some(Node::Special(Kind::Symlink)) => {}
            Some(_) => return Err(errno(libc::ENOTDIR)),
        }
        // Dropping the subtree frees every file no handle holds.
        parent.entries.remove(&name);
        Ok(())
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        if self.node_at(path)?.is_none() {
            return Err(errno(libc::ENOENT));
        }
        let mut real = PathBuf::from("/");
        for component in path.components() {
            match component {
                Component::Normal(name) => real.push(name),
                Component::ParentDir => {
                    real.pop();
                }
                _ => {}
            }
        }
        assert!(real.is_absolute());
        Ok(real)
    }

    fn open_dir(&self, path: &Path) -> Result<Box<dyn VDir>, OpenError> {
        match self.node_at(path)? {
            Some(Node::Dir(dir)) => Ok(self.memdir(dir)),
            Some(Node::File(_)) => Err(OpenError::Kind(Kind::File)),
            Some(Node::Special(Kind::Symlink)) => Err(OpenError::Kind(Kind::Symlink)),
            Some(Node::Special(_)) => Err(OpenError::Io(errno(libc::ENOTDIR))),
            None => Err(OpenError::Io(errno(libc::ENOENT))),
        }
    }

    fn open_regular_file(&self, path: &Path) -> Result<Box<dyn VFile>, OpenError> {
        match self.node_at(path)? {
            Some(Node::File(data)) => Ok(Box::new(MemFile {
                data,
                writable: false,
            })),
            Some(other) => Err(OpenError::Kind(other.kind())),
            None => Err(OpenError::Io(errno(libc::ENOENT))),
        }
    }
}

/// Removing the root is refused as the kernel refuses it.
fn root_is_busy(e: io::Error) -> io::Error {
    if e.raw_os_error() == Some(libc::EEXIST) {
        errno(libc::EBUSY)
    } else {
        e
    }
}
