//! Several reporters as one: each event goes to every reporter in order, and `finish` reports
//! the first write failure after finishing them all. Owns that forwarding; it must never drop
//! or reorder an event.

use super::events::{HarnessEvent, Reporter};

/// Forwards every event to each of its reporters.
#[derive(Default)]
pub struct Fanout {
    reporters: Vec<Box<dyn Reporter>>,
}

impl Fanout {
    /// An empty fan-out.
    pub fn new() -> Fanout {
        Fanout::default()
    }

    /// Adds a reporter (events reach reporters in the order they were added).
    pub fn with(mut self, reporter: Box<dyn Reporter>) -> Fanout {
        self.push(reporter);
        self
    }

    /// Adds a reporter after the others.
    pub fn push(&mut self, reporter: Box<dyn Reporter>) {
        self.reporters.push(reporter);
    }
}

impl Reporter for Fanout {
    fn event(&mut self, event: &HarnessEvent<'_>) {
        for reporter in &mut self.reporters {
            reporter.event(event);
        }
    }

    fn finish(&mut self) -> Result<(), String> {
        let results: Vec<Result<(), String>> =
            self.reporters.iter_mut().map(|r| r.finish()).collect();
        results.into_iter().collect()
    }
}
