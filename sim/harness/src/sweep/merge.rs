//! Merging shard result files into the result of one sweep: checks that the files are shards
//! of one sweep (same scenarios, seed range, planted bug and shard count), made by one binary
//! (same version, commit and build), that no seed is run twice, and finds the shards and runs
//! that are missing. Owns those checks and the merged order (scenario order of the header,
//! then seed); it must never print, never read anything but the files it is handed, and never
//! change a run's verdict.

use crate::sweep::results::{ReadResults, ResultLine, ResultsHeader};
use crate::sweep::{SeedRange, Shard};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Most result files one merge takes.
pub const MERGE_FILES_MAX: usize = 10_000;

/// One shard file as merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergedShard {
    pub path: PathBuf,
    pub shard: Shard,
    /// Run lines in the file.
    pub runs: u64,
    /// Runs the shard's plan holds (fewer lines: the shard was interrupted or stopped early).
    pub planned: u64,
}

/// Many shards as one sweep.
#[derive(Clone, Debug)]
pub struct Merged {
    /// The whole sweep's header (shard `1/1`).
    pub header: ResultsHeader,
    /// The files, in shard order.
    pub shards: Vec<MergedShard>,
    /// Every run, by (scenario in header order, seed).
    pub runs: Vec<ResultLine>,
    /// What is missing for the merge to be the whole sweep: absent shards, short shards.
    pub missing: Vec<String>,
}

impl Merged {
    /// Runs the whole sweep holds.
    pub fn planned(&self) -> u64 {
        let (shard, range) = (Shard::WHOLE, self.seed_range());
        shard.seed_count(range) * self.header.scenarios.len() as u64
    }

    fn seed_range(&self) -> SeedRange {
        SeedRange::parse(&self.header.seeds).expect("checked when merged")
    }
}

/// Merges result files read back (path, contents); an error refuses the merge: files that are
/// not shards of one sweep, made by different binaries, or running a seed twice.
pub fn merge(files: &[(PathBuf, ReadResults)]) -> Result<Merged, String> {
    let Some((first_path, first)) = files.first() else {
        return Err("no result files to merge".to_string());
    };
    if files.len() > MERGE_FILES_MAX {
        return Err(format!(
            "{} result files; at most {MERGE_FILES_MAX}",
            files.len()
        ));
    }
    let range = SeedRange::parse(&first.header.seeds)
        .map_err(|e| format!("{}: header: {e}", first_path.display()))?;
    let mut by_index: BTreeMap<u64, &Path> = BTreeMap::new();
    let mut shards = Vec::new();
    let mut count = None;
    for (path, read) in files {
        same_build(first_path, &first.header, path, &read.header)?;
        same_sweep(first_path, &first.header, path, &read.header)?;
        let shard = Shard::parse(&read.header.shard)
            .map_err(|e| format!("{}: header: {e}", path.display()))?;
        let count = *count.get_or_insert(shard.count);
        if shard.count != count {
            return Err(format!(
                "{} is shard {}/{} but {} is shard {}/{count}: the sweep was split in two \
                 different ways; merge the shards of one split",
                path.display(),
                shard.index,
                shard.count,
                first_path.display(),
                first.header.shard
            ));
        }
        if let Some(other) = by_index.insert(shard.index, path) {
            return Err(format!(
                "overlapping seeds: {} and {} are both shard {}/{count}; merge each shard once",
                other.display(),
                path.display(),
                shard.index
            ));
        }
        let planned = shard.seed_count(range) * read.header.scenarios.len() as u64;
        shards.push(MergedShard {
            path: path.clone(),
            shard,
            runs: read.runs.len() as u64,
            planned,
        });
    }
    shards.sort_by_key(|s| s.shard.index);
    let runs = ordered_runs(files, range)?;
    let count = count.expect("one file at least");
    let mut missing: Vec<String> = (1..=count)
        .filter(|k| !by_index.contains_key(k))
        .map(|k| format!("shard {k}/{count}: no result file"))
        .collect();
    missing.extend(shards.iter().filter(|s| s.runs < s.planned).map(|s| {
        format!(
            "shard {}/{}: {} of {} runs ({} was interrupted or stopped early; finish it with \
             `rpsim sweep ... --resume {}`)",
            s.shard.index,
            s.shard.count,
            s.runs,
            s.planned,
            s.path.display(),
            s.path.display()
        )
    }));
    let mut header = first.header.clone();
    header.shard = "1/1".to_string();
    Ok(Merged {
        header,
        shards,
        runs,
        missing,
    })
}

fn same_build(
    first_path: &Path,
    first: &ResultsHeader,
    path: &Path,
    header: &ResultsHeader,
) -> Result<(), String> {
    let build = |h: &ResultsHeader| {
        format!(
            "rpsim {} ({} build) at commit {}",
            h.rpsim_version,
            if h.build.is_empty() {
                "unknown"
            } else {
                &h.build
            },
            h.commit
        )
    };
    if build(first) != build(header) {
        return Err(format!(
            "shards from different binaries: {} was made by {}, {} by {}; run every shard with \
             one build of one commit",
            first_path.display(),
            build(first),
            path.display(),
            build(header)
        ));
    }
    Ok(())
}

fn same_sweep(
    first_path: &Path,
    first: &ResultsHeader,
    path: &Path,
    header: &ResultsHeader,
) -> Result<(), String> {
    let differs = |what: &str, a: String, b: String| {
        Err(format!(
            "not shards of one sweep: {} has {what} {a}, {} has {b}",
            first_path.display(),
            path.display()
        ))
    };
    if first.scenarios != header.scenarios {
        return differs(
            "scenarios",
            format!("{:?}", first.scenarios),
            format!("{:?}", header.scenarios),
        );
    }
    if first.seeds != header.seeds {
        return differs("seeds", first.seeds.clone(), header.seeds.clone());
    }
    if first.planted_bug != header.planted_bug {
        let bug = |b: &Option<String>| b.clone().unwrap_or_else(|| "no planted bug".into());
        return differs(
            "planted bug",
            bug(&first.planted_bug),
            bug(&header.planted_bug),
        );
    }
    if first.determinism_sample != header.determinism_sample {
        let sample = |s: Option<u64>| {
            s.map_or("runs made once".into(), |n| {
                format!("--determinism-sample {n}")
            })
        };
        return differs(
            "determinism check",
            sample(first.determinism_sample),
            sample(header.determinism_sample),
        );
    }
    Ok(())
}

/// Every run line of every file, checked to belong to its file's shard and to appear once,
/// in (scenario, seed) order.
fn ordered_runs(
    files: &[(PathBuf, ReadResults)],
    range: SeedRange,
) -> Result<Vec<ResultLine>, String> {
    let mut seen: BTreeSet<(usize, u64)> = BTreeSet::new();
    let mut runs: Vec<(usize, ResultLine)> = Vec::new();
    for (path, read) in files {
        let shard = Shard::parse(&read.header.shard).expect("checked by merge");
        for run in &read.runs {
            let Some(index) = read
                .header
                .scenarios
                .iter()
                .position(|s| s == &run.scenario)
            else {
                return Err(format!(
                    "{}: a run of {} seed {}, a scenario its header does not name",
                    path.display(),
                    run.scenario.display(),
                    run.seed
                ));
            };
            let in_shard = run.seed >= range.start
                && run.seed < range.end
                && (run.seed - range.start) % shard.count == shard.index - 1;
            if !in_shard {
                return Err(format!(
                    "{}: {} seed {} is not a seed of shard {}/{} of {}",
                    path.display(),
                    run.scenario.display(),
                    run.seed,
                    shard.index,
                    shard.count,
                    read.header.seeds
                ));
            }
            if !seen.insert((index, run.seed)) {
                return Err(format!(
                    "overlapping seeds: {} seed {} appears twice ({} holds it again)",
                    run.scenario.display(),
                    run.seed,
                    path.display()
                ));
            }
            runs.push((index, run.clone()));
        }
    }
    runs.sort_by_key(|(index, run)| (*index, run.seed));
    Ok(runs.into_iter().map(|(_, run)| run).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(shard: &str) -> ResultsHeader {
        ResultsHeader {
            rpsim_sweep_results: 1,
            rpsim_version: "0.1.0".into(),
            commit: "abc".into(),
            build: "release".into(),
            scenarios: vec!["a.yaml".into(), "b.yaml".into()],
            seeds: "1..5".into(),
            shard: shard.into(),
            planted_bug: None,
            determinism_sample: None,
        }
    }

    fn run(scenario: &str, seed: u64) -> ResultLine {
        ResultLine {
            scenario: scenario.into(),
            name: scenario.trim_end_matches(".yaml").into(),
            seed,
            verdict: "pass".into(),
            trace_hash: format!("h{seed}"),
            event_count: 1,
            sim_time_ns: 1,
            checks_passed: 1,
            failures: vec![],
            wall_time_ms: 0,
            bytes_exported: 0,
            error: None,
            probes: Default::default(),
        }
    }

    fn shard(k: u64, seeds: &[u64]) -> (PathBuf, ReadResults) {
        let runs = ["a.yaml", "b.yaml"]
            .iter()
            .flat_map(|s| seeds.iter().map(|seed| run(s, *seed)))
            .collect();
        (
            PathBuf::from(format!("s{k}.jsonl")),
            ReadResults {
                header: header(&format!("{k}/2")),
                runs,
            },
        )
    }

    #[test]
    fn two_shards_merge_in_scenario_then_seed_order() {
        let merged = merge(&[shard(2, &[2, 4]), shard(1, &[1, 3])]).unwrap();
        let order: Vec<_> = merged
            .runs
            .iter()
            .map(|r| (r.name.as_str(), r.seed))
            .collect();
        assert_eq!(
            order,
            [
                ("a", 1),
                ("a", 2),
                ("a", 3),
                ("a", 4),
                ("b", 1),
                ("b", 2),
                ("b", 3),
                ("b", 4)
            ]
        );
        assert!(merged.missing.is_empty(), "{:?}", merged.missing);
        assert_eq!((merged.planned(), merged.header.shard.as_str()), (8, "1/1"));
    }

    #[test]
    fn missing_and_short_shards_are_flagged() {
        let merged = merge(&[shard(1, &[1])]).unwrap();
        assert_eq!(merged.missing.len(), 2, "{:?}", merged.missing);
        assert!(merged.missing[0].contains("shard 2/2: no result file"));
        assert!(
            merged.missing[1].contains("2 of 4 runs"),
            "{:?}",
            merged.missing
        );
    }

    #[test]
    fn overlaps_other_builds_and_other_sweeps_are_refused() {
        let twice = merge(&[shard(1, &[1, 3]), shard(1, &[1, 3])]).unwrap_err();
        assert!(twice.contains("overlapping seeds"), "{twice}");
        let mut foreign = shard(1, &[1, 3]);
        foreign.1.runs.push(run("a.yaml", 2));
        let foreign = merge(&[foreign]).unwrap_err();
        assert!(foreign.contains("not a seed of shard 1/2"), "{foreign}");
        let mut other = shard(2, &[2, 4]);
        other.1.header.commit = "def".into();
        let other = merge(&[shard(1, &[1, 3]), other]).unwrap_err();
        assert!(other.contains("different binaries"), "{other}");
        let mut debug = shard(2, &[2, 4]);
        debug.1.header.build = "debug".into();
        assert!(merge(&[shard(1, &[1, 3]), debug]).is_err());
        let mut seeds = shard(2, &[2, 4]);
        seeds.1.header.seeds = "1..6".into();
        let seeds = merge(&[shard(1, &[1, 3]), seeds]).unwrap_err();
        assert!(seeds.contains("not shards of one sweep"), "{seeds}");
        let mut split = shard(2, &[2, 4]);
        split.1.header.shard = "2/3".into();
        let split = merge(&[shard(1, &[1, 3]), split]).unwrap_err();
        assert!(split.contains("split"), "{split}");
        assert!(merge(&[]).is_err());
    }
}
