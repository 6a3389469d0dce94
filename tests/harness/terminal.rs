//! Nothing from input reaches the terminal raw: names, paths and IDs with ESC, BEL, CR or NUL
//! are shown escaped by every command, and a scenario error's `FILE:LINE:COL: message` line is
//! never wrapped, whatever the path length (one greppable line per problem).

use std::path::Path;
use std::process::Command;

/// stdout and stderr of rpsim run with `args` in `dir`.
fn rpsim_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rpsim"))
        .args(args)
        .current_dir(dir)
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn assert_no_raw_controls(text: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert!(raw.is_empty(), "raw control characters {raw:?} in:\n{text}");
}

fn suite_scenario(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn a_hostile_host_name_is_escaped_in_validation_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = suite_scenario("kill-mid-copy.yaml").replacen(
        "- name: host-a",
        "- name: \"evil\\e[2J\\e]0;pwned\\a\\r\\0\"",
        1,
    );
    std::fs::write(dir.path().join("evil.yaml"), text).unwrap();
    let (code, out) = rpsim_in(dir.path(), &["validate", "evil.yaml"]);
    assert_eq!(code, 2, "{out}");
    assert_no_raw_controls(&out);
    assert!(
        out.contains("evil\\x1b[2J\\x1b]0;pwned\\x07\\r\\0"),
        "{out}"
    );
}

#[test]
fn a_long_scenario_path_keeps_its_location_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("a".repeat(120)).join("b".repeat(120));
    std::fs::create_dir_all(&deep).unwrap();
    let file = deep.join("unknown_field_with_a_long_name.yaml");
    let invalid =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/invalid/unknown_field.yaml");
    std::fs::copy(invalid, &file).unwrap();
    let shown = file.display().to_string();
    let (code, out) = rpsim_in(dir.path(), &["validate", &shown]);
    assert_eq!(code, 2, "{out}");
    let wanted = format!("{shown}:19:13: unknown field `sizee`, expected one of");
    assert!(
        out.lines().any(|line| line.contains(&wanted)),
        "no single line holds {wanted:?}:\n{out}"
    );
}

#[test]
fn verify_and_restore_escape_hostile_paths() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "exp\u{1b}]0;pwned\u{7}\r";
    std::fs::create_dir(dir.path().join(hostile)).unwrap();
    let (code, out) = rpsim_in(dir.path(), &["verify", hostile]);
    assert_ne!(code, 0, "{out}");
    assert_no_raw_controls(&out);
    let (code, out) = rpsim_in(dir.path(), &["restore", "--out", "o\u{1b}[2J", hostile]);
    assert_ne!(code, 0, "{out}");
    assert_no_raw_controls(&out);
}

#[test]
fn verify_and_restore_exit_2_for_unusable_input_and_1_for_a_broken_export() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = rpsim_in(dir.path(), &["verify", "no-such-export"]);
    assert_eq!(code, 2, "a missing path is bad input: {out}");
    let (code, out) = rpsim_in(dir.path(), &["restore", "--out", "o", "no-such-export"]);
    assert_eq!(code, 2, "a missing path is bad input: {out}");
    std::fs::create_dir(dir.path().join("tampered")).unwrap();
    std::fs::write(
        dir.path().join("tampered/export.manifest"),
        "not a manifest\n",
    )
    .unwrap();
    let (code, out) = rpsim_in(dir.path(), &["verify", "tampered"]);
    assert_eq!(code, 1, "a tampered export is a failed check: {out}");
}
