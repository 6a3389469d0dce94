//! Paths through the export job's `JobState` transition table (`rpsim_export::states`), for the
//! invariants that judge a state change seen after an event or between two readings. Owns that
//! search; it must never decide which moves are allowed (the table does).

use rpsim_export::states::TRANSITIONS;
use rpsim_export::wmi::JobState;

/// True when the transition table has a path of one or more moves `from → … → to`.
pub fn reachable(from: JobState, to: JobState) -> bool {
    let mut seen: Vec<JobState> = vec![from];
    let mut frontier: Vec<JobState> = vec![from];
    while let Some(state) = frontier.pop() {
        assert!(
            seen.len() <= TRANSITIONS.len() + 1,
            "more states than moves"
        );
        for &(f, t) in TRANSITIONS {
            if f != state {
                continue;
            }
            if t == to {
                return true;
            }
            if !seen.contains(&t) {
                seen.push(t);
                frontier.push(t);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reachable_follows_paths_of_the_table_only() {
        use JobState::*;
        assert!(
            !reachable(New, Running),
            "a job is born Running: New has no moves"
        );
        assert!(reachable(Running, Completed));
        assert!(
            !reachable(ShuttingDown, Killed),
            "Kill is refused in Shutting Down"
        );
        assert!(reachable(Suspended, Terminated));
        assert!(
            !reachable(Completed, Running),
            "final states have no way out"
        );
        assert!(!reachable(ShuttingDown, Completed));
        assert!(!reachable(Killed, Killed));
    }
}
