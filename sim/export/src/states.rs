//! The `JobState` transition table of the export job, as data: the state a job is created in
//! and every legal move. Owns which moves are legal; it must never decide when to move (the job
//! does) — it only checks.
//!
//! A job is created Running (4): the call that returns 4096 has started it, and both client
//! loop styles in real use (while `JobState == 4`; while not final) must see 4 or a final state
//! on their first read. New (2) and Starting (3) are never shown; the job's start phase is
//! internal. Shutting Down (6) leads only to Terminated here (CIM: to 7, 8 or 9), except when
//! the service itself stops ([`SERVICE_STOP_ONLY`]). A failure goes straight to Exception (10).

use crate::wmi::JobState;

/// The state `ExportReferencePoint` creates a job in.
pub const INITIAL: JobState = JobState::Running;

/// Every legal (from, to) move. See README.md for the table with its triggers.
pub const TRANSITIONS: &[(JobState, JobState)] = {
    use JobState::*;
    &[
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
    ]
};

/// Moves of [`TRANSITIONS`] taken only when the service stops (`abandon_all`: the host
/// crashed), never by the job's own work or a request.
pub const SERVICE_STOP_ONLY: &[(JobState, JobState)] =
    &[(JobState::ShuttingDown, JobState::Exception)];

/// True when the table allows `from → to` (service stops included).
pub fn allowed(from: JobState, to: JobState) -> bool {
    TRANSITIONS.iter().any(|&(f, t)| f == from && t == to)
}

/// Panics unless the table allows `from → to` for a job's work or a request; called at every
/// transition except a service stop.
pub fn assert_transition(from: JobState, to: JobState) {
    assert!(
        allowed(from, to) && !SERVICE_STOP_ONLY.contains(&(from, to)),
        "illegal JobState transition {from:?} -> {to:?}"
    );
}

/// Panics unless the table allows `from → to`; called when the service stops.
pub fn assert_service_stop_transition(from: JobState, to: JobState) {
    assert!(
        allowed(from, to),
        "illegal JobState transition {from:?} -> {to:?} on service stop"
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
    fn new_and_starting_are_never_entered_and_the_job_is_born_running() {
        use JobState::*;
        assert_eq!(INITIAL, Running);
        for &(from, to) in TRANSITIONS {
            for hidden in [New, Starting, QueryPending] {
                assert!(from != hidden && to != hidden, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn shutting_down_leads_to_terminated_unless_the_service_stops() {
        use JobState::*;
        let work: Vec<JobState> = TRANSITIONS
            .iter()
            .filter(|m| m.0 == ShuttingDown && !SERVICE_STOP_ONLY.contains(m))
            .map(|m| m.1)
            .collect();
        assert_eq!(
            work,
            vec![Terminated],
            "CIM: Shutting Down leads to 7, 8 or 9"
        );
        assert!(SERVICE_STOP_ONLY.iter().all(|m| allowed(m.0, m.1)));
        let result = std::panic::catch_unwind(|| assert_transition(ShuttingDown, Exception));
        assert!(
            result.is_err(),
            "a failure never passes through Shutting Down"
        );
    }

    #[test]
    fn every_cancellable_state_can_be_killed() {
        use JobState::*;
        for s in [Running, Suspended, Service] {
            assert!(allowed(s, Killed), "{s:?} cannot be killed");
        }
        assert!(
            !allowed(ShuttingDown, Killed),
            "Kill in Shutting Down is refused"
        );
        assert!(!allowed(Completed, Killed));
    }
}
