//! Coverage of the probe catalogue over many runs: per probe the hits, the runs that hit it
//! and the first run that did (lowest seed, then scenario name, so the answer is the same
//! whatever order the runs finished in), the never-hit probes, the `--coverage FILE` JSON and
//! the list of required probes (`scenarios/required-probes.txt`). Owns totalling and that
//! file format; it must never run a scenario (the `coverage` command does) nor print.

mod required;

pub use required::{read_required, REQUIRED_PROBES_DEFAULT};

use rpsim_probe::{Probe, ProbeHits};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A run's hits by probe name, only the probes it reached.
pub fn counts_of(hits: &ProbeHits) -> BTreeMap<String, u32> {
    hits.hit_probes()
        .map(|(probe, n)| (probe.name().to_string(), n))
        .collect()
}

/// The first run that hit a probe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FirstHit {
    pub scenario: String,
    pub file: PathBuf,
    pub seed: u64,
}

/// One probe's totals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProbeTotal {
    pub hits: u64,
    pub runs: u64,
    pub first: Option<FirstHit>,
}

/// Totals over runs, order-independent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    runs: u64,
    /// By name: catalogue probes and names a result file held that this build does not know.
    totals: BTreeMap<String, ProbeTotal>,
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverageRow {
    pub probe: String,
    pub meaning: String,
    /// False for a name from a result file that is not in this build's catalogue.
    pub known: bool,
    #[serde(flatten)]
    pub total: ProbeTotal,
}

/// The `--coverage FILE` document.
#[derive(Debug, Serialize)]
pub struct CoverageReport {
    pub rpsim_version: &'static str,
    pub runs: u64,
    pub probes_total: usize,
    pub probes_hit: usize,
    pub never_hit: Vec<String>,
    pub probes: Vec<CoverageRow>,
}

impl Coverage {
    /// Counts one run of `scenario` (`file`) at `seed` that reached `probes`.
    pub fn add_run(
        &mut self,
        scenario: &str,
        file: &Path,
        seed: u64,
        probes: &BTreeMap<String, u32>,
    ) {
        self.runs += 1;
        for (name, hits) in probes.iter().filter(|(_, n)| **n > 0) {
            let total = self.totals.entry(name.clone()).or_default();
            total.hits = total.hits.saturating_add(u64::from(*hits));
            total.runs += 1;
            let earlier = total
                .first
                .as_ref()
                .is_some_and(|f| (f.seed, f.scenario.as_str()) <= (seed, scenario));
            if !earlier {
                total.first = Some(FirstHit {
                    scenario: scenario.to_string(),
                    file: file.to_path_buf(),
                    seed,
                });
            }
        }
    }

    /// Runs counted.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Every catalogue probe in catalogue order, then unknown names in name order.
    pub fn rows(&self) -> Vec<CoverageRow> {
        let known = Probe::ALL.iter().map(|probe| CoverageRow {
            probe: probe.name().to_string(),
            meaning: probe.meaning().to_string(),
            known: true,
            total: self.totals.get(probe.name()).cloned().unwrap_or_default(),
        });
        let unknown = self
            .totals
            .iter()
            .filter(|(name, _)| Probe::from_name(name).is_none())
            .map(|(name, total)| CoverageRow {
                probe: name.clone(),
                meaning: "(not in this build's catalogue)".to_string(),
                known: false,
                total: total.clone(),
            });
        known.chain(unknown).collect()
    }

    /// Hits of `probe` so far.
    pub fn hits(&self, probe: Probe) -> u64 {
        self.totals.get(probe.name()).map_or(0, |t| t.hits)
    }

    /// Catalogue probes no run reached, in catalogue order.
    pub fn never_hit(&self) -> Vec<Probe> {
        Probe::ALL
            .iter()
            .copied()
            .filter(|p| self.hits(*p) == 0)
            .collect()
    }

    /// Of `required`, the probes no run reached.
    pub fn missing(&self, required: &[Probe]) -> Vec<Probe> {
        required
            .iter()
            .copied()
            .filter(|p| self.hits(*p) == 0)
            .collect()
    }

    /// The `--coverage FILE` document.
    pub fn report(&self) -> CoverageReport {
        let never_hit: Vec<String> = self
            .never_hit()
            .iter()
            .map(|p| p.name().to_string())
            .collect();
        CoverageReport {
            rpsim_version: env!("CARGO_PKG_VERSION"),
            runs: self.runs,
            probes_total: Probe::ALL.len(),
            probes_hit: Probe::ALL.len() - never_hit.len(),
            never_hit,
            probes: self.rows(),
        }
    }

    /// Writes the `--coverage FILE` JSON (creating its directory).
    pub fn write(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(&self.report()).expect("serialises");
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(pairs: &[(&str, u32)]) -> BTreeMap<String, u32> {
        pairs.iter().map(|(n, c)| (n.to_string(), *c)).collect()
    }

    #[test]
    fn totals_do_not_depend_on_the_order_runs_finish_in() {
        let runs = [
            ("b", 3, hits(&[("job.completed_full", 2)])),
            (
                "a",
                3,
                hits(&[("job.completed_full", 1), ("rsc.suspend", 1)]),
            ),
            ("a", 1, hits(&[("rsc.suspend", 4)])),
        ];
        let mut forward = Coverage::default();
        let mut backward = Coverage::default();
        for (name, seed, probes) in &runs {
            forward.add_run(name, Path::new(name), *seed, probes);
        }
        for (name, seed, probes) in runs.iter().rev() {
            backward.add_run(name, Path::new(name), *seed, probes);
        }
        assert_eq!(forward, backward);
        assert_eq!(forward.hits(Probe::JobCompletedFull), 3);
        let full = &forward.totals["job.completed_full"];
        assert_eq!((full.runs, full.first.as_ref().unwrap().seed), (2, 3));
        assert_eq!(full.first.as_ref().unwrap().scenario, "a");
        assert_eq!(
            forward.totals["rsc.suspend"].first.as_ref().unwrap().seed,
            1
        );
        assert!(!forward.never_hit().contains(&Probe::RscSuspend));
        assert!(forward.never_hit().contains(&Probe::RscService));
        assert_eq!(
            forward.missing(&[Probe::RscSuspend, Probe::RscService]),
            [Probe::RscService]
        );
    }

    #[test]
    fn names_from_another_build_are_kept_as_unknown_rows() {
        let mut coverage = Coverage::default();
        coverage.add_run("a", Path::new("a"), 1, &hits(&[("job.gone_in_v9", 1)]));
        let rows = coverage.rows();
        let last = rows.last().unwrap();
        assert_eq!((last.probe.as_str(), last.known), ("job.gone_in_v9", false));
        assert_eq!(rows.len(), Probe::ALL.len() + 1);
        assert_eq!(coverage.report().probes_hit, 0);
    }
}
