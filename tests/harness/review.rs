//! Golden review as users rely on it: a run that differs from its golden leaves the golden
//! alone and writes `<scenario>.golden.new` beside it; `rpsim review` shows the diff naming the
//! export (plain when piped or with NO_COLOR, coloured when colour is forced) and exits 1 while
//! changes are pending; `--accept`/`--reject` (named, or `--all`) settle them, `--accept` alone
//! and accepting in CI are refused (exit 2).

use super::support::rpsim_in as rpsim;
use std::path::Path;

/// A scratch checkout with kill-mid-copy and its golden, the golden's JobState changed.
fn checkout_with_a_changed_golden() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.path().join("scenarios")).unwrap();
    std::fs::create_dir_all(dir.path().join("fixtures/goldens")).unwrap();
    std::fs::copy(
        root.join("scenarios/kill-mid-copy.yaml"),
        dir.path().join("scenarios/kill-mid-copy.yaml"),
    )
    .unwrap();
    let golden =
        std::fs::read_to_string(root.join("fixtures/goldens/kill-mid-copy.golden")).unwrap();
    let changed = golden.replacen("JobState: 9", "JobState: 7", 1);
    assert_ne!(
        golden, changed,
        "the kill-mid-copy golden has no JobState: 9"
    );
    std::fs::write(
        dir.path().join("fixtures/goldens/kill-mid-copy.golden"),
        &changed,
    )
    .unwrap();
    (dir, changed)
}

const GOLDEN: &str = "fixtures/goldens/kill-mid-copy.golden";
const PENDING: &str = "fixtures/goldens/kill-mid-copy.golden.new";

#[test]
fn a_differing_run_leaves_a_pending_golden_that_review_shows_and_accepts() {
    let (dir, changed) = checkout_with_a_changed_golden();
    let d = dir.path();
    let (code, text) = rpsim(d, &["run", "scenarios/kill-mid-copy.yaml"], &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("pending: wrote fixtures/goldens/kill-mid-copy.golden.new"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(d.join(GOLDEN)).unwrap(),
        changed,
        "golden touched"
    );
    assert!(d.join(PENDING).is_file());

    let (code, shown) = rpsim(d, &["review"], &[]);
    assert_eq!(code, 1, "pending changes are left: {shown}");
    assert!(shown.contains("pending kill-mid-copy (changed)"), "{shown}");
    assert!(shown.contains("@@ export full"), "{shown}");
    assert!(shown.contains("-JobState: 7\n+JobState: 9"), "{shown}");
    assert!(!shown.contains('\x1b'), "colour when piped: {shown}");
    let (_, forced) = rpsim(d, &["review"], &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains("\x1b[31m-JobState: 7"), "{forced}");
    let (_, no_colour) = rpsim(
        d,
        &["review"],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert!(!no_colour.contains('\x1b'), "NO_COLOR ignored: {no_colour}");

    let (code, text) = rpsim(d, &["review", "--accept"], &[]);
    assert_eq!(code, 2, "{text}");
    let (code, text) = rpsim(d, &["review", "--accept", "--all"], &[("CI", "true")]);
    assert_eq!(code, 2, "{text}");
    let (code, text) = rpsim(d, &["review", "--accept", "no-such"], &[]);
    assert_eq!(code, 2, "{text}");
    assert!(
        d.join(PENDING).is_file(),
        "a refused review changed something"
    );

    let (code, text) = rpsim(d, &["review", "--accept", "kill-mid-copy"], &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("review: 1 accepted, 0 rejected, 0 pending"),
        "{text}"
    );
    assert!(!d.join(PENDING).exists());
    let (code, text) = rpsim(d, &["run", "scenarios/kill-mid-copy.yaml"], &[]);
    assert_eq!(code, 0, "the accepted golden does not match: {text}");
    let (code, text) = rpsim(d, &["review"], &[]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_rejected_pending_golden_is_removed_and_the_golden_kept() {
    let (dir, changed) = checkout_with_a_changed_golden();
    let d = dir.path();
    let (code, text) = rpsim(d, &["run", "scenarios/kill-mid-copy.yaml"], &[]);
    assert_eq!(code, 1, "{text}");
    let (code, text) = rpsim(d, &["review", "--reject", "--all"], &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("rejected kill-mid-copy"), "{text}");
    assert!(!d.join(PENDING).exists());
    assert_eq!(std::fs::read_to_string(d.join(GOLDEN)).unwrap(), changed);
    // In CI a differing run writes no pending file (CI only compares).
    let (code, text) = rpsim(
        d,
        &["run", "scenarios/kill-mid-copy.yaml"],
        &[("CI", "true")],
    );
    assert_eq!(code, 1, "{text}");
    assert!(!d.join(PENDING).exists(), "{text}");
}
