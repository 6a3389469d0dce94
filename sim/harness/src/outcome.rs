//! How a harness command ended, as the three outcomes every `rpsim` command shares: everything
//! passed, a check failed, or the input could not be used. Owns their order (bad input is worse
//! than a failed check); it must never pick exit-code numbers (the binary does).

/// The outcome of one command, worst first when combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Every run passed (for `repro`: the recorded failure reproduced).
    Passed,
    /// A check failed (for `repro`: the failure did not reproduce).
    ChecksFailed,
    /// Usage, an invalid scenario, a record or report that cannot be read or written, a run
    /// that could not be carried out.
    BadInput,
    /// Stopped by SIGINT or SIGTERM before it finished (what it found is kept).
    Interrupted,
}

impl Outcome {
    /// The worse of two outcomes.
    pub fn worst(self, other: Outcome) -> Outcome {
        self.max(other)
    }

    /// `ChecksFailed` when `failed`, else `Passed`.
    pub fn checks(failed: bool) -> Outcome {
        if failed {
            Outcome::ChecksFailed
        } else {
            Outcome::Passed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_outranks_a_failed_check_which_outranks_a_pass() {
        assert_eq!(
            Outcome::Passed.worst(Outcome::ChecksFailed),
            Outcome::ChecksFailed
        );
        assert_eq!(
            Outcome::BadInput.worst(Outcome::ChecksFailed),
            Outcome::BadInput
        );
        assert_eq!(Outcome::checks(false), Outcome::Passed);
        assert_eq!(
            Outcome::Interrupted.worst(Outcome::BadInput),
            Outcome::Interrupted
        );
    }
}
