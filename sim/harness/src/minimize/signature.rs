//! The identity of a failure that minimization must keep: which check failed and about which
//! export, or that the run stopped on a live invariant, hit a limit, or an assertion fired.
//! Owns the classification of a run's result; it must never run anything, and messages (which
//! hold offsets and IDs that change as a scenario shrinks) never take part in the identity.

use crate::runner::RunFailure;
use rpsim_checks::report::CheckFailure;
use std::fmt;

/// The check name of a run stopped by a live invariant.
pub const LIVE_INVARIANT: &str = crate::runner::guard::LIVE_INVARIANT_CHECK;
/// The check name of a run that could not finish (a simulation limit, the scratch space).
pub const RUN_ERROR: &str = "run_error";
/// The check name of an assertion (panic) in the export job or the harness.
pub const PANIC: &str = crate::runner::guard::PANIC_CHECK;

/// One failing check, as kept across shrinking.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FailureSignature {
    pub check: String,
    pub export: Option<String>,
}

impl FailureSignature {
    /// Parses `CHECK` or `CHECK@EXPORT` (the `--check` option).
    pub fn parse(text: &str) -> Result<FailureSignature, String> {
        let (check, export) = match text.split_once('@') {
            Some((check, export)) => (check, Some(export.to_string())),
            None => (text, None),
        };
        if check.is_empty() || export.as_deref() == Some("") {
            return Err(format!(
                "--check {text:?}: give a check name, optionally with @EXPORT (e.g. restore@inc1)"
            ));
        }
        Ok(FailureSignature {
            check: check.to_string(),
            export,
        })
    }

    /// Whether `self`, used as a selector, matches `actual` (no export matches any export).
    pub fn selects(&self, actual: &FailureSignature) -> bool {
        self.check == actual.check && (self.export.is_none() || self.export == actual.export)
    }
}

impl fmt::Display for FailureSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`", self.check)?;
        if let Some(export) = &self.export {
            write!(f, " on export `{export}`")?;
        }
        Ok(())
    }
}

/// How one run of a candidate ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The scenario is not valid (a shrink step broke a reference); never reproduces.
    Invalid(String),
    Passed,
    /// The failing checks in report order, each with its first message line.
    Failed(Vec<(FailureSignature, String)>),
}

impl Verdict {
    pub fn fails_with(&self, wanted: &FailureSignature) -> bool {
        match self {
            Verdict::Failed(failures) => failures.iter().any(|(s, _)| wanted.selects(s)),
            _ => false,
        }
    }
}

/// The signatures of a checked run's failures.
pub fn of_checks(failures: &[CheckFailure]) -> Verdict {
    if failures.is_empty() {
        return Verdict::Passed;
    }
    Verdict::Failed(
        failures
            .iter()
            .map(|f| {
                let signature = FailureSignature {
                    check: f.check.clone(),
                    export: f.export.clone(),
                };
                (signature, first_line(&f.message))
            })
            .collect(),
    )
}

/// The verdict of a run that could not be checked.
pub fn of_run_failure(failure: &RunFailure) -> Verdict {
    match failure {
        RunFailure::Scenario(error) => Verdict::Invalid(error.to_string()),
        RunFailure::Invariant { message, .. } => single(LIVE_INVARIANT, message),
        RunFailure::Simulation { message, .. } => single(RUN_ERROR, message),
    }
}

/// The verdict of a run that panicked with `message`.
pub fn of_panic(message: &str) -> Verdict {
    single(PANIC, message)
}

fn single(check: &str, message: &str) -> Verdict {
    let signature = FailureSignature {
        check: check.to_string(),
        export: None,
    };
    Verdict::Failed(vec![(signature, first_line(message))])
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(check: &str, export: Option<&str>) -> CheckFailure {
        CheckFailure {
            check: check.into(),
            export: export.map(Into::into),
            message: "first line\nsecond".into(),
        }
    }

    #[test]
    fn a_selector_without_export_matches_any_export() {
        let any = FailureSignature::parse("restore").unwrap();
        let one = FailureSignature::parse("restore@inc1").unwrap();
        let verdict = of_checks(&[failure("expect", None), failure("restore", Some("inc1"))]);
        assert!(verdict.fails_with(&any));
        assert!(verdict.fails_with(&one));
        assert!(!verdict.fails_with(&FailureSignature::parse("restore@full").unwrap()));
        assert!(!verdict.fails_with(&FailureSignature::parse("invariant").unwrap()));
        assert_eq!(of_checks(&[]), Verdict::Passed);
        assert!(!Verdict::Passed.fails_with(&any));
    }

    #[test]
    fn bad_selectors_are_refused() {
        assert!(FailureSignature::parse("").is_err());
        assert!(FailureSignature::parse("restore@").is_err());
        assert!(FailureSignature::parse("@x").is_err());
    }

    #[test]
    fn invariants_limits_and_panics_get_their_own_checks() {
        let stopped = RunFailure::Invariant {
            file: "f".into(),
            message: "invariant violated at event 3, sim time 1 ns, seed 1: x".into(),
        };
        let limit = RunFailure::Simulation {
            file: "f".into(),
            message: "the run processed 20000000 events".into(),
        };
        assert!(
            of_run_failure(&stopped).fails_with(&FailureSignature::parse(LIVE_INVARIANT).unwrap())
        );
        assert!(of_run_failure(&limit).fails_with(&FailureSignature::parse(RUN_ERROR).unwrap()));
        assert!(of_panic("boom").fails_with(&FailureSignature::parse(PANIC).unwrap()));
    }
}
