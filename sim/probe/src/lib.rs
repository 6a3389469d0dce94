//! rpsim-probe: coverage probes (FoundationDB's `CODE_PROBE`, Antithesis's `reachable`). Owns
//! the one catalogue of named rare paths of the export job and of the simulated world
//! ([`Probe`], each with a one-line meaning) and [`ProbeHits`], the hit counts of one run. It
//! must never decide anything: a hit is write-only for the code that makes it, so counting
//! cannot change a run; and it holds no global or thread-local state: each run owns its
//! counts, so the runs of a sweep on different threads never see each other's.
//!
//! A probe is an enum variant, so a typo is a compile error, not a new probe; its name
//! (`&'static str`, `area.what`) is what reports, result files and `required-probes.txt` use.
//! Counting costs one branch when a run is not observed ([`ProbeHits::off`]) and one add when
//! it is; nothing allocates.

mod catalogue;

pub use catalogue::{Probe, FAULT_KINDS, JOB_PHASES};

/// How many probes the catalogue holds.
pub const PROBES: usize = Probe::ALL.len();

/// The hits of one run, per probe. Off (counting nothing) unless made with
/// [`ProbeHits::observing`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeHits {
    observing: bool,
    counts: [u32; PROBES],
}

impl Default for ProbeHits {
    fn default() -> ProbeHits {
        ProbeHits::off()
    }
}

impl ProbeHits {
    /// Counts nothing: [`ProbeHits::hit`] is one branch.
    pub const fn off() -> ProbeHits {
        ProbeHits {
            observing: false,
            counts: [0; PROBES],
        }
    }

    /// Counts every hit.
    pub const fn observing() -> ProbeHits {
        ProbeHits {
            observing: true,
            counts: [0; PROBES],
        }
    }

    pub fn is_observing(&self) -> bool {
        self.observing
    }

    /// `probe` was reached once more (saturating; nothing when off).
    #[inline]
    pub fn hit(&mut self, probe: Probe) {
        if self.observing {
            let count = &mut self.counts[probe as usize];
            *count = count.saturating_add(1);
        }
    }

    /// Hits of `probe` so far.
    pub fn count(&self, probe: Probe) -> u32 {
        self.counts[probe as usize]
    }

    /// Adds `other`'s hits to these (for the parts of one run that count separately).
    pub fn absorb(&mut self, other: &ProbeHits) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts.iter()) {
            *mine = mine.saturating_add(*theirs);
        }
    }

    /// Every probe hit at least once, with its count, in catalogue order.
    pub fn hit_probes(&self) -> impl Iterator<Item = (Probe, u32)> + '_ {
        Probe::ALL
            .iter()
            .map(|p| (*p, self.count(*p)))
            .filter(|(_, n)| *n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_counts_nothing_and_observing_counts_every_hit() {
        let mut off = ProbeHits::off();
        off.hit(Probe::CancelKillRefusedFinalising);
        assert_eq!(off.count(Probe::CancelKillRefusedFinalising), 0);
        let mut on = ProbeHits::observing();
        on.hit(Probe::CancelKillRefusedFinalising);
        on.hit(Probe::CancelKillRefusedFinalising);
        on.hit(Probe::TargetRenameConflict);
        assert_eq!(on.count(Probe::CancelKillRefusedFinalising), 2);
        let hit: Vec<_> = on.hit_probes().collect();
        assert_eq!(hit.len(), 2);
        let mut total = ProbeHits::observing();
        total.absorb(&on);
        total.absorb(&on);
        assert_eq!(total.count(Probe::TargetRenameConflict), 2);
    }

    #[test]
    fn names_are_unique_well_formed_and_round_trip() {
        let mut names: Vec<&str> = Probe::ALL.iter().map(|p| p.name()).collect();
        for name in &names {
            assert!(
                name.split('.').count() >= 2
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c)),
                "probe name `{name}` is not `area.what` in lower case"
            );
            assert_eq!(Probe::from_name(name).map(Probe::name), Some(*name));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PROBES);
        assert!(Probe::from_name("job.no_such_probe").is_none());
        assert!(Probe::ALL.iter().all(|p| !p.meaning().is_empty()));
    }

    #[test]
    fn fault_in_phase_names_its_kind_and_phase() {
        for (k, kind) in FAULT_KINDS.iter().enumerate() {
            for (p, phase) in JOB_PHASES.iter().enumerate() {
                let probe = Probe::fault_in_phase(k, p).expect("in range");
                assert_eq!(probe.name(), format!("fault.{kind}.{phase}"));
            }
        }
        assert!(Probe::fault_in_phase(FAULT_KINDS.len(), 0).is_none());
        assert!(Probe::fault_in_phase(0, JOB_PHASES.len()).is_none());
    }
}
