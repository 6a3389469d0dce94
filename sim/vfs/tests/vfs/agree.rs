//! The proptest: random sequences of path and handle operations over a few names, run on
//! both file systems, every answer compared (errors by kind and errno, paths below the root).

use proptest::prelude::*;
use rpsim_vfs::{Fs, MemFs, RealFs, VFile};
use std::path::{Path, PathBuf};

const NAMES: [&str; 3] = ["a", "b", "c"];

#[derive(Clone, Debug)]
enum Op {
    CreateDirAll(String),
    CreateNew(String),
    Write {
        file: usize,
        offset: u64,
        len: usize,
        byte: u8,
    },
    SetLen {
        file: usize,
        size: u64,
    },
    Seek {
        file: usize,
        from: u64,
    },
    Read(String),
    HardLink(String, String),
    RemoveFile(String),
    RemoveDir(String),
    RemoveDirAll(String),
    KindAt(String),
    LenAt(String),
    List(String),
    Names(String),
    Canonicalize(String),
}

fn rel_path() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(NAMES.to_vec()), 1..4).prop_map(|p| p.join("/"))
}

/// Offsets near the start of a file or near 1 MiB, where MemFs starts a new extent slot.
fn near(span: u64) -> impl Strategy<Value = u64> {
    (
        prop::sample::select(vec![0u64, (1 << 20) - 20_000]),
        0..span,
    )
        .prop_map(|(base, at)| base + at)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => rel_path().prop_map(Op::CreateDirAll),
        3 => rel_path().prop_map(Op::CreateNew),
        4 => (0..4usize, near(40_000), 0..30_000usize, any::<u8>())
            .prop_map(|(file, offset, len, byte)| Op::Write { file, offset, len, byte }),
        1 => (0..4usize, near(50_000)).prop_map(|(file, size)| Op::SetLen { file, size }),
        2 => (0..4usize, near(50_000)).prop_map(|(file, from)| Op::Seek { file, from }),
        2 => rel_path().prop_map(Op::Read),
        1 => (rel_path(), rel_path()).prop_map(|(a, b)| Op::HardLink(a, b)),
        1 => rel_path().prop_map(Op::RemoveFile),
        1 => rel_path().prop_map(Op::RemoveDir),
        1 => rel_path().prop_map(Op::RemoveDirAll),
        1 => rel_path().prop_map(Op::KindAt),
        1 => rel_path().prop_map(Op::LenAt),
        1 => prop_oneof![Just(String::new()), rel_path()].prop_map(Op::List),
        1 => rel_path().prop_map(Op::Canonicalize),
        1 => prop_oneof![Just(String::new()), rel_path()].prop_map(Op::Names),
    ]
}

/// One file system under test with its root and the files it opened.
struct Side<'f> {
    fs: &'f dyn Fs,
    root: PathBuf,
    files: Vec<Box<dyn VFile>>,
}

impl Side<'_> {
    fn at(&self, rel: &str) -> PathBuf {
        if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }

    /// The answer to `op`, as text both sides must agree on.
    fn apply(&mut self, op: &Op) -> String {
        let shown = |r: std::io::Result<String>| match r {
            Ok(text) => format!("ok {text}"),
            Err(e) => format!("err {:?} {:?}", e.kind(), e.raw_os_error()),
        };
        let fs = self.fs;
        match op {
            Op::CreateDirAll(p) => shown(fs.create_dir_all(&self.at(p)).map(|()| String::new())),
            Op::CreateNew(p) => shown(fs.create_new(&self.at(p)).map(|f| {
                self.files.push(f);
                String::new()
            })),
            Op::Write {
                file,
                offset,
                len,
                byte,
            } => match self.files.get(*file) {
                Some(f) => shown(
                    f.write_all_at(&vec![*byte; *len], *offset)
                        .map(|()| String::new()),
                ),
                None => "no file".into(),
            },
            Op::SetLen { file, size } => match self.files.get(*file) {
                Some(f) => shown(f.set_len(*size).map(|()| String::new())),
                None => "no file".into(),
            },
            Op::Seek { file, from } => match self.files.get(*file) {
                Some(f) => shown(f.seek_data(*from).and_then(|d| {
                    Ok(format!(
                        "{d:?} {:?} {}",
                        f.seek_hole(*from)?,
                        f.len_bytes()?
                    ))
                })),
                None => "no file".into(),
            },
            Op::Read(p) => match fs.open_regular_file(&self.at(p)) {
                Ok(f) => shown(contents(f.as_ref())),
                Err(e) => format!("open err {}", describe(e)),
            },
            Op::HardLink(a, b) => shown(
                fs.hard_link(&self.at(a), &self.at(b))
                    .map(|()| String::new()),
            ),
            Op::RemoveFile(p) => shown(fs.remove_file(&self.at(p)).map(|()| String::new())),
            Op::RemoveDir(p) => shown(fs.remove_dir(&self.at(p)).map(|()| String::new())),
            Op::RemoveDirAll(p) => shown(fs.remove_dir_all(&self.at(p)).map(|()| String::new())),
            Op::KindAt(p) => shown(fs.kind_at(&self.at(p)).map(|k| format!("{k:?}"))),
            Op::LenAt(p) => match fs.kind_at(&self.at(p)) {
                Ok(Some(rpsim_vfs::Kind::File)) => {
                    shown(fs.len_at(&self.at(p)).map(|n| n.to_string()))
                }
                other => format!("not a file: {:?}", other.map_err(|e| e.kind())),
            },
            Op::List(p) => match fs.open_dir(&self.at(p)) {
                Ok(dir) => shown(dir.entries(100).map(|e| {
                    let mut e = e.expect("few entries");
                    e.sort();
                    format!("{e:?}")
                })),
                Err(e) => format!("open err {}", describe(e)),
            },
            Op::Names(p) => shown(fs.read_dir_names(&self.at(p), 100).map(|names| {
                let mut names = names.expect("few entries");
                names.sort();
                names.join(",")
            })),
            Op::Canonicalize(p) => shown(fs.canonicalize(&self.at(p)).map(|c| {
                c.strip_prefix(&self.root)
                    .expect("below the root")
                    .display()
                    .to_string()
            })),
        }
    }
}

fn describe(e: rpsim_vfs::OpenError) -> String {
    match e {
        rpsim_vfs::OpenError::Kind(k) => format!("kind {k:?}"),
        rpsim_vfs::OpenError::Io(e) => format!("io {:?} {:?}", e.kind(), e.raw_os_error()),
    }
}

/// Every byte of `file` and its data regions.
fn contents(file: &dyn VFile) -> std::io::Result<String> {
    let len = file.len_bytes()?;
    let mut bytes = vec![0u8; len as usize];
    file.read_exact_at(&mut bytes, 0)?;
    let hash = bytes
        .iter()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(*b as u64));
    let mut regions = Vec::new();
    let mut at = 0;
    while let Some(data) = file.seek_data(at)? {
        let hole = file.seek_hole(data)?.expect("data before the end");
        regions.push((data, hole));
        at = hole;
    }
    Ok(format!("{len} {hash:x} {regions:?}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn memfs_answers_every_operation_as_the_real_file_system_does(ops in prop::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().expect("temp dir");
        let memfs = MemFs::new();
        let mut real = Side { fs: &RealFs, root: dir.path().to_path_buf(), files: Vec::new() };
        let mut mem = Side { fs: &memfs, root: PathBuf::from("/"), files: Vec::new() };
        for (index, op) in ops.iter().enumerate() {
            let expected = real.apply(op);
            let actual = mem.apply(op);
            prop_assert_eq!(&actual, &expected, "operation {} ({:?}) of {:?}", index, op, ops);
        }
    }
}

#[test]
fn holes_read_as_zeros_and_are_reported_at_page_granularity_on_both() {
    let dir = tempfile::tempdir().expect("temp dir");
    let memfs = MemFs::new();
    for (fs, root) in [(&RealFs as &dyn Fs, dir.path()), (&memfs, Path::new("/"))] {
        let file = fs.create_new(&root.join("sparse")).expect("create");
        file.write_all_at(b"xyz", 10_000).expect("write");
        file.set_len(100_000).expect("extend");
        assert_eq!(
            contents(file.as_ref()).unwrap().split(' ').nth(2),
            Some("[(8192,"),
            "{}",
            fs.name()
        );
        let mut buf = [1u8; 8];
        file.read_exact_at(&mut buf, 9_998).expect("read");
        assert_eq!(&buf, b"\0\0xyz\0\0\0", "{}", fs.name());
        assert_eq!(file.seek_data(0).unwrap(), Some(8192), "{}", fs.name());
        assert_eq!(file.seek_hole(8192).unwrap(), Some(12288), "{}", fs.name());
        assert_eq!(file.seek_data(12288).unwrap(), None, "{}", fs.name());
    }
}
