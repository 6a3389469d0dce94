//! `--filter GLOB` of `rpsim run` and `rpsim sweep`, and the scenario tests' seeds from the
//! environment (`RPSIM_SEED=N`, `RPSIM_SEEDS=A..B`). Owns matching scenario names (file stems)
//! against globs and reading those two variables, with their error messages; it must never
//! run a scenario or read a variable it is not handed.

use crate::sweep::SeedRange;
use globset::{Glob, GlobSetBuilder};
use std::path::PathBuf;

/// `RPSIM_SEED=N`: every scenario test runs with seed N.
pub const SEED_ENV: &str = "RPSIM_SEED";
/// `RPSIM_SEEDS=A..B`: every scenario test runs once per seed A..B-1.
pub const SEEDS_ENV: &str = "RPSIM_SEEDS";
/// Most (scenario, seed) tests `RPSIM_SEEDS` may make (each is a test of its own).
pub const SEEDED_TESTS_MAX: u64 = 100_000;

/// The files whose name (file stem) matches one of `patterns` (all files when there are none),
/// in their order; an error for a bad glob or when nothing matches.
pub fn filter_by_name(files: Vec<PathBuf>, patterns: &[String]) -> Result<Vec<PathBuf>, String> {
    if patterns.is_empty() {
        return Ok(files);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| format!("--filter {pattern:?}: {e}"))?;
        builder.add(glob);
    }
    let set = builder
        .build()
        .map_err(|e| format!("--filter: cannot build the patterns: {e}"))?;
    let looked_at = files.len();
    let kept: Vec<PathBuf> = files
        .into_iter()
        .filter(|file| set.is_match(crate::suite::discover::scenario_stem(file)))
        .collect();
    if kept.is_empty() {
        return Err(format!(
            "no scenario name matches --filter {} ({looked_at} scenario file(s) looked at; names \
             are file stems, e.g. 'target-io-*')",
            patterns.join(" --filter ")
        ));
    }
    Ok(kept)
}

/// The seeds the scenario tests run with, from `RPSIM_SEED` or `RPSIM_SEEDS` (`None`: each
/// scenario's own); `var` looks a variable up. `scenarios` bounds the number of tests made.
pub fn test_seeds_from_env(
    var: &dyn Fn(&str) -> Option<String>,
    scenarios: usize,
) -> Result<Option<Vec<u64>>, String> {
    match (var(SEED_ENV), var(SEEDS_ENV)) {
        (Some(_), Some(_)) => Err(format!(
            "both {SEED_ENV} and {SEEDS_ENV} are set; set one (a seed N, or a range A..B)"
        )),
        (Some(text), None) => {
            let seed = text.trim().parse::<u64>().map_err(|e| {
                format!("{SEED_ENV}={text:?} is not a seed (a whole number, 0 to 2^64-1): {e}")
            })?;
            Ok(Some(vec![seed]))
        }
        (None, Some(text)) => {
            let range = SeedRange::parse(&text).map_err(|e| {
                format!(
                    "{SEEDS_ENV}={text:?}: {}",
                    e.trim_start_matches(&format!("--seeds {text:?}: "))
                )
            })?;
            let tests = (range.end - range.start).saturating_mul(scenarios.max(1) as u64);
            if tests > SEEDED_TESTS_MAX {
                return Err(format!(
                    "{SEEDS_ENV}={text:?} makes {tests} tests ({scenarios} scenarios x {} seeds); \
                     at most {SEEDED_TESTS_MAX}: narrow it, or use `rpsim sweep --seeds {text}`",
                    range.end - range.start
                ));
            }
            Ok(Some((range.start..range.end).collect()))
        }
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(names: &[&str]) -> Vec<PathBuf> {
        names
            .iter()
            .map(|n| PathBuf::from(format!("scenarios/{n}.yaml")))
            .collect()
    }

    #[test]
    fn globs_match_file_stems_and_nothing_matching_is_an_error() {
        let all = files(&["target-io-error-sync", "target-slow", "kill-mid-copy"]);
        let kept = filter_by_name(all.clone(), &["target-io-*".into()]).unwrap();
        assert_eq!(kept, files(&["target-io-error-sync"]));
        let kept = filter_by_name(all.clone(), &["target-*".into(), "kill*".into()]).unwrap();
        assert_eq!(kept, all);
        assert_eq!(filter_by_name(all.clone(), &[]).unwrap(), all);
        let none = filter_by_name(all.clone(), &["nothing-*".into()]).unwrap_err();
        assert!(
            none.contains("no scenario name matches --filter nothing-*"),
            "{none}"
        );
        let bad = filter_by_name(all, &["target-[".into()]).unwrap_err();
        assert!(bad.contains("--filter \"target-[\""), "{bad}");
    }

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            let found = pairs.iter().find(|(k, _)| *k == name);
            found.map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn seeds_come_from_one_variable_and_bad_values_say_why() {
        assert_eq!(test_seeds_from_env(&env(&[]), 3), Ok(None));
        assert_eq!(
            test_seeds_from_env(&env(&[("RPSIM_SEED", "7")]), 3),
            Ok(Some(vec![7]))
        );
        assert_eq!(
            test_seeds_from_env(&env(&[("RPSIM_SEEDS", "4..7")]), 3),
            Ok(Some(vec![4, 5, 6]))
        );
        let bad = test_seeds_from_env(&env(&[("RPSIM_SEED", "x7")]), 3).unwrap_err();
        assert!(bad.starts_with("RPSIM_SEED=\"x7\" is not a seed"), "{bad}");
        let empty = test_seeds_from_env(&env(&[("RPSIM_SEEDS", "5..5")]), 3).unwrap_err();
        assert!(
            empty.starts_with("RPSIM_SEEDS=\"5..5\": empty range"),
            "{empty}"
        );
        let both = [("RPSIM_SEED", "1"), ("RPSIM_SEEDS", "1..3")];
        assert!(test_seeds_from_env(&env(&both), 3)
            .unwrap_err()
            .contains("both"));
        let many = test_seeds_from_env(&env(&[("RPSIM_SEEDS", "0..50000")]), 3).unwrap_err();
        assert!(many.contains("150000 tests"), "{many}");
    }
}
