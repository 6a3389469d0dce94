//! The `JobState` transition table of the export job, as data. Owns which moves are legal; it
//! must never decide when to move (the job does) — it only checks.

use crate::wmi::JobState;

/// Every legal (from, to) move. See README.md for the table with its triggers.
pub const TRANSITIONS: &[(JobState, JobState)] = {
    use JobState::*;
    &[
        (New, Starting),
        (New, Suspended),
        (New, ShuttingDown),
        (New, Killed),
        (New, Exception),
        (Starting, Running),
        (Starting, Suspended),
        (Starting, ShuttingDown),
        (Starting, Killed),
        (Starting, Exception),
        (Running, Suspended),
        (Running, Service),
        (Running, ShuttingDown),
        (Running, Completed),
        (Running, Killed),
        (Running, Exception),
        (Suspended, Running),
        (Suspended, Service),
        (Suspended, ShuttingDown),
        (Suspended, Killed),
        (Suspended, Exception),
        (Service, Running),
        (Service, ShuttingDown),
        (Service, Killed),
        (Service, Exception),
        (ShuttingDown, Terminated),
        (ShuttingDown, Exception),
        (ShuttingDown, Killed),
    ]
};

/// True when the table allows `from → to`.
pub fn allowed(from: JobState, to: JobState) -> bool {
    TRANSITIONS.iter().any(|&(f, t)| f == from && t == to)
}

/// Panics unless the table allows `from → to`; called at every transition.
pub fn assert_transition(from: JobState, to: JobState) {
    assert!(
        allowed(from, to),
        "illegal JobState transition {from:?} -> {to:?}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_states_have_no_way_out() {
        for &(from, to) in TRANSITIONS {
            assert!(!from.is_final(), "{from:?} -> {to:?} leaves a final state");
            assert_ne!(from, to);
        }
    }

    #[test]
    fn every_non_final_state_can_be_killed() {
        use JobState::*;
        for s in [New, Starting, Running, Suspended, ShuttingDown, Service] {
            assert!(allowed(s, Killed), "{s:?} cannot be killed");
        }
        assert!(!allowed(Completed, Killed));
        assert!(!allowed(New, Completed));
    }
}
