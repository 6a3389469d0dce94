//! The code stays in the shape the design asks for: no import circle between the modules of
//! any crate under `sim/`, no source file over the size a person reads in one sitting, and
//! every source file opens with a `//!` comment saying what it owns. A module `a` imports `m`
//! when its file names `crate::m…` (or `super::m…` inside a folder); the strongly connected
//! components of that graph must all be single modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest source file, in lines.
const SOURCE_LINES_MAX: usize = 800;
/// Bound on the files scanned (the walk refuses to grow without limit).
const SOURCE_FILES_MAX: usize = 2_000;

fn sim_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sim")
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("sim/ is readable")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() && !matches!(name, "target" | "fuzz" | "tests" | "benches") {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
        assert!(
            out.len() <= SOURCE_FILES_MAX,
            "more than {SOURCE_FILES_MAX} files"
        );
    }
}

/// The crates under `sim/`: (crate name, source root).
fn crates() -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(sim_dir()).expect("sim/ is readable") {
        let dir = entry.expect("entry").path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let src = if dir.join("src").is_dir() {
            dir.join("src")
        } else {
            dir.clone()
        };
        if src.join("lib.rs").is_file() || src.join("main.rs").is_file() {
            found.push((name, src));
        }
    }
    found.sort();
    found
}

/// The module path of `file` under `src` (`a::b`; `lib.rs`, `main.rs` and `mod.rs` name their
/// folder).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("lib" | "main" | "mod")
    ) {
        parts.pop();
    }
    parts.join("::")
}

/// The code of `text` without `#[cfg(test)]` modules at its end and without comments.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Paths such as `a::b::c` that follow `prefix` in `code`.
fn paths_after<'a>(code: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        found.push(rest[..end].split("::").filter(|p| !p.is_empty()).collect());
    }
    found
}

/// The longest known module that `parts` starts with.
fn resolve(modules: &BTreeSet<String>, base: &[&str], parts: &[&str]) -> Option<String> {
    (0..=parts.len()).rev().find_map(|k| {
        let mut full: Vec<&str> = base.to_vec();
        full.extend_from_slice(&parts[..k]);
        let name = full.join("::");
        modules.contains(&name).then_some(name)
    })
}

/// The import graph of one crate: module → modules it names.
fn import_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let module = module_of(src, file);
        let code = code_of(&std::fs::read_to_string(file).expect("readable"));
        let parent: Vec<&str> = module.split("::").filter(|p| !p.is_empty()).collect();
        let parent = &parent[..parent.len().saturating_sub(1)];
        let mut edges = BTreeSet::new();
        for parts in paths_after(&code, "crate::") {
            edges.extend(resolve(&modules, &[], &parts));
        }
        for parts in paths_after(&code, "super::") {
            edges.extend(resolve(&modules, parent, &parts));
        }
        edges.retain(|m| m != &module && !module.starts_with(&format!("{m}::")) && !m.is_empty());
        graph.insert(module, edges);
    }
    graph
}

/// Strongly connected components with more than one module (Tarjan's algorithm).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(w: &mut Walk<'g>, v: &'g str) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        for next in w.graph.get(v).into_iter().flatten() {
            let next = next.as_str();
            if !w.graph.contains_key(next) {
                continue;
            }
            if !w.index.contains_key(next) {
                visit(w, next);
                let low = w.low[v].min(w.low[next]);
                w.low.insert(v, low);
            } else if w.stack.contains(&next) {
                let low = w.low[v].min(w.index[next]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let at = w.stack.iter().rposition(|m| *m == v).expect("on the stack");
            let component: Vec<String> = w.stack.drain(at..).map(str::to_string).collect();
            if component.len() > 1 {
                w.found.push(component);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for module in graph.keys() {
        if !walk.index.contains_key(module.as_str()) {
            visit(&mut walk, module);
        }
    }
    walk.found
}

#[test]
fn no_crate_has_an_import_circle() {
    let mut report = Vec::new();
    for (name, src) in crates() {
        for mut component in circles(&import_graph(&src)) {
            component.sort();
            report.push(format!("{name}: {}", component.join(" <-> ")));
        }
    }
    assert!(report.is_empty(), "import circles:\n{}", report.join("\n"));
}

#[test]
fn the_circle_finder_finds_a_planted_circle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(m, to)| (m.to_string(), to.into_iter().map(String::from).collect()))
    .collect();
    let mut found = circles(&graph);
    found[0].sort();
    assert_eq!(found, vec![vec!["a".to_string(), "b".into(), "c".into()]]);
}

#[test]
fn source_files_are_short_and_say_what_they_own() {
    let mut files = Vec::new();
    rust_files(&sim_dir(), &mut files);
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let lines = text.lines().count();
        if lines > SOURCE_LINES_MAX {
            problems.push(format!(
                "{}: {lines} lines (at most {SOURCE_LINES_MAX})",
                file.display()
            ));
        }
        if !text.trim_start().starts_with("//!") {
            problems.push(format!(
                "{}: does not open with a //! comment",
                file.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
