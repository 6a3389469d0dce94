//! Goldens in a run: compares a run's listing ([`rpsim_checks::golden`]) with
//! `fixtures/goldens/<scenario>.golden`, blesses (writes) it when asked, refuses to bless in CI,
//! and finds stale goldens. Owns the golden files' location and the bless decision; it must
//! never print (the binary shows [`GoldenStatus`]) and never bless when `CI=true`.

use rpsim_checks::golden::{compare_golden, render_golden};
use rpsim_checks::report::CheckReport;
use rpsim_world::RunOutcome;
use std::path::{Path, PathBuf};

/// Where goldens live, relative to the working directory (the repository root).
pub const GOLDEN_DIR_DEFAULT: &str = "fixtures/goldens";
/// Extension of golden files.
pub const GOLDEN_EXTENSION: &str = "golden";
/// Suffix of a pending golden (`<scenario>.golden.new`), written beside the golden when a run
/// differs from it, and accepted or rejected with `rpsim review`.
pub const PENDING_SUFFIX: &str = ".new";
/// `RPSIM_BLESS=1` blesses goldens from `cargo test`; `RPSIM_BLESS=new` writes pending
/// `.golden.new` files for review instead.
pub const BLESS_ENV: &str = "RPSIM_BLESS";
/// Bound on files looked at in the goldens directory.
pub const GOLDEN_DIR_ENTRIES_MAX: usize = 10_000;
/// The check name of golden failures.
pub const GOLDEN_CHECK: &str = "golden";

/// How a run treats goldens.
#[derive(Clone, Debug)]
pub struct GoldenOptions {
    /// The goldens directory (`fixtures/goldens`).
    pub dir: PathBuf,
    /// The suite directory whose scenarios must have a golden (`scenarios`); a scenario file
    /// elsewhere is compared only when its golden exists, and never blessed.
    pub suite_dir: PathBuf,
    /// Write the golden instead of comparing (never in CI: see [`bless_refusal`]).
    pub bless: bool,
    /// When a compared listing differs (or the golden is missing), write it as a pending
    /// `<scenario>.golden.new` beside the golden (the check still fails); a match removes a
    /// pending file left from before.
    pub pending: bool,
}

impl GoldenOptions {
    /// The repository's goldens and suite under `root`.
    pub fn at_root(root: &Path, bless: bool) -> GoldenOptions {
        GoldenOptions {
            dir: root.join(GOLDEN_DIR_DEFAULT),
            suite_dir: root.join(crate::suite::discover::DEFAULT_SUITE_DIR),
            bless,
            pending: false,
        }
    }
}

/// What happened to one scenario's golden.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum GoldenStatus {
    /// Goldens were not asked for.
    #[default]
    NotChecked,
    /// The listing equals the golden.
    Matched,
    /// Not compared, with the reason (a `--seed` other than the scenario's own, no golden for a
    /// scenario outside the suite).
    Skipped { note: String },
    /// The listing differs from the golden, or the golden is missing (a `golden` check failure).
    Failed,
    /// The golden was written; `diff` is what changed (`None` when it was already equal).
    Blessed { path: PathBuf, diff: Option<String> },
}

/// The message refusing to bless, when blessing is asked for while `CI=true`.
pub fn bless_refusal(bless_requested: bool) -> Option<String> {
    (bless_requested && in_ci()).then(|| {
        format!(
            "refusing to bless goldens in CI (CI=true): goldens are accepted by a person; run \
             `rpsim run --bless` or `{BLESS_ENV}=1 cargo test --test scenarios` locally, review \
             the diff and commit {GOLDEN_DIR_DEFAULT}/"
        )
    })
}

/// True when `RPSIM_BLESS=1` (or `true`).
pub fn bless_from_env() -> bool {
    std::env::var(BLESS_ENV).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// True when `RPSIM_BLESS=new`: differing listings become pending `.golden.new` files.
pub fn pending_from_env() -> bool {
    std::env::var(BLESS_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("new"))
}

/// True when `CI` says this is a CI run (`true` or `1`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The golden options of `rpsim run` (goldens and suite relative to the working directory),
/// or the refusal to bless in CI. Differences are written as pending goldens except in CI.
pub fn options_for_cli(bless_flag: bool) -> Result<GoldenOptions, String> {
    let bless = bless_flag || bless_from_env();
    if let Some(refusal) = bless_refusal(bless) {
        return Err(refusal);
    }
    Ok(GoldenOptions {
        dir: PathBuf::from(GOLDEN_DIR_DEFAULT),
        suite_dir: PathBuf::from(crate::suite::discover::DEFAULT_SUITE_DIR),
        bless,
        pending: !in_ci() || pending_from_env(),
    })
}

/// Stale goldens as a failure message when `rpsim run` ran the whole suite (no paths, or the
/// suite directory itself).
pub fn stale_failure_for_cli(paths: &[PathBuf], options: &GoldenOptions) -> Option<String> {
    let whole_suite = match paths {
        [] => true,
        [only] => matches!(
            (only.canonicalize(), options.suite_dir.canonicalize()),
            (Ok(a), Ok(b)) if a == b
        ),
        _ => false,
    };
    if !whole_suite {
        return None;
    }
    match stale_goldens(options) {
        Ok(stale) => stale_message(&stale),
        Err(message) => Some(format!("cannot look for stale goldens: {message}")),
    }
}

/// Colours for people: stdout is a terminal that supports them and `NO_COLOR` is not set
/// (`CLICOLOR=0` turns them off, `CLICOLOR_FORCE=1` on), as anstream decides for clap.
pub fn colour_for_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// The golden file of a scenario.
pub fn golden_path(dir: &Path, scenario_name: &str) -> PathBuf {
    dir.join(format!("{scenario_name}.{GOLDEN_EXTENSION}"))
}

/// The pending golden beside `golden` (`<scenario>.golden.new`).
pub fn pending_path(golden: &Path) -> PathBuf {
    let mut name = golden.as_os_str().to_owned();
    name.push(PENDING_SUFFIX);
    PathBuf::from(name)
}

/// One run's golden: compared (a failure goes into `checks`), blessed or skipped.
pub fn apply_golden(
    options: &GoldenOptions,
    scenario_file: &Path,
    scenario_name: &str,
    seed: u64,
    seed_default: u64,
    outcome: &RunOutcome,
    checks: &mut CheckReport,
) -> GoldenStatus {
    let path = golden_path(&options.dir, scenario_name);
    if seed != seed_default {
        return GoldenStatus::Skipped {
            note: format!(
                "golden not compared: --seed {seed} is not the scenario's seed {seed_default}"
            ),
        };
    }
    let in_suite = is_in_dir(scenario_file, &options.suite_dir);
    let expected = std::fs::read_to_string(&path).ok();
    if expected.is_none() && !in_suite {
        return GoldenStatus::Skipped {
            note: format!("no golden {} (scenario outside the suite)", path.display()),
        };
    }
    let actual = render_golden(scenario_name, seed, outcome);
    if options.bless && in_suite {
        return bless(&path, expected.as_deref(), &actual, checks);
    }
    let failure = match &expected {
        None => Some(format!(
            "no golden at {}; review this run and create it with `rpsim run {} --bless` \
             (or `{BLESS_ENV}=1 cargo test --test scenarios`)",
            path.display(),
            scenario_file.display()
        )),
        Some(expected) => compare_golden(expected, &actual).map(|diff| {
            format!(
                "listing differs from {} (- golden, + this run); if the change is intended, \
                 accept it with `rpsim run {} --bless`\n{diff}",
                path.display(),
                scenario_file.display()
            )
        }),
    };
    let failure = if options.pending {
        failure.map(|message| note_pending(&path, &actual, message))
    } else {
        failure
    };
    if failure.is_none() {
        // A match settles any earlier pending change.
        let _ = std::fs::remove_file(pending_path(&path));
    }
    let status = if failure.is_some() {
        GoldenStatus::Failed
    } else {
        GoldenStatus::Matched
    };
    checks.record(GOLDEN_CHECK, None, failure);
    status
}

/// Writes the pending golden and says so at the top of the failure `message`.
fn note_pending(golden: &Path, actual: &str, message: String) -> String {
    let pending = pending_path(golden);
    match std::fs::write(&pending, actual) {
        Ok(()) => format!(
            "{message}\npending: wrote {}; `rpsim review` shows it and accepts or rejects it",
            pending.display()
        ),
        Err(e) => format!("{message}\ncannot write {}: {e}", pending.display()),
    }
}

fn bless(
    path: &Path,
    expected: Option<&str>,
    actual: &str,
    checks: &mut CheckReport,
) -> GoldenStatus {
    let diff = compare_golden(expected.unwrap_or(""), actual);
    if diff.is_some() {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, actual));
        if let Err(e) = written {
            checks.record(
                GOLDEN_CHECK,
                None,
                Some(format!("cannot write golden {}: {e}", path.display())),
            );
            return GoldenStatus::Failed;
        }
    }
    let _ = std::fs::remove_file(pending_path(path));
    checks.record(GOLDEN_CHECK, None, None);
    GoldenStatus::Blessed {
        path: path.to_path_buf(),
        diff,
    }
}

fn is_in_dir(file: &Path, dir: &Path) -> bool {
    let parent = file.parent().unwrap_or(Path::new("."));
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    match (parent.canonicalize(), dir.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Golden files in `options.dir` whose scenario is not in the suite (scenario names are read
/// from the suite's files; a file that does not load counts under its file stem).
pub fn stale_goldens(options: &GoldenOptions) -> Result<Vec<PathBuf>, String> {
    let Ok(entries) = std::fs::read_dir(&options.dir) else {
        return Ok(Vec::new());
    };
    let suite = crate::suite::discover::discover(std::slice::from_ref(&options.suite_dir))?;
    let names: Vec<String> = suite
        .iter()
        .map(|file| match rpsim_scenario::load_scenario(file) {
            Ok(scenario) => scenario.name,
            Err(_) => crate::suite::discover::scenario_stem(file),
        })
        .collect();
    let mut stale = Vec::new();
    for entry in entries.flatten().take(GOLDEN_DIR_ENTRIES_MAX) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != GOLDEN_EXTENSION) {
            continue;
        }
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !names.contains(&stem) {
            stale.push(path);
        }
    }
    stale.sort();
    Ok(stale)
}

/// The failure text for stale goldens, `None` when there are none.
pub fn stale_message(stale: &[PathBuf]) -> Option<String> {
    if stale.is_empty() {
        return None;
    }
    let list: Vec<String> = stale.iter().map(|p| p.display().to_string()).collect();
    Some(format!(
        "{} stale golden file(s) with no scenario in the suite: {}; delete them or restore \
         their scenarios",
        stale.len(),
        list.join(", ")
    ))
}

/// What a person should see about a golden beyond the check failures (blessing, skipping);
/// `colour` adds ANSI colours to diffs.
pub fn describe(status: &GoldenStatus, colour: bool) -> Option<String> {
    match status {
        GoldenStatus::NotChecked | GoldenStatus::Matched | GoldenStatus::Failed => None,
        GoldenStatus::Skipped { note } => Some(format!("    note: {note}")),
        GoldenStatus::Blessed { path, diff: None } => {
            Some(format!("    golden unchanged: {}", path.display()))
        }
        GoldenStatus::Blessed {
            path,
            diff: Some(diff),
        } => {
            let diff = if colour {
                rpsim_checks::golden::colour_diff(diff)
            } else {
                diff.clone()
            };
            Some(format!("    blessed {}:\n{diff}", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_goldens_are_those_without_a_scenario_in_the_suite() {
        let root = tempfile::tempdir().expect("tempdir");
        let options = GoldenOptions::at_root(root.path(), false);
        std::fs::create_dir_all(&options.dir).expect("mkdir");
        std::fs::create_dir_all(&options.suite_dir).expect("mkdir");
        std::fs::write(options.suite_dir.join("kept.yaml"), "not: a scenario\n").expect("w");
        std::fs::write(options.dir.join("kept.golden"), "x\n").expect("w");
        std::fs::write(options.dir.join("gone.golden"), "x\n").expect("w");
        std::fs::write(options.dir.join("README.md"), "x\n").expect("w");
        let stale = stale_goldens(&options).expect("lists");
        assert_eq!(stale, vec![options.dir.join("gone.golden")]);
        let message = stale_message(&stale).expect("a failure");
        assert!(message.contains("gone.golden"), "{message}");
        assert_eq!(stale_message(&[]), None);
    }
}
