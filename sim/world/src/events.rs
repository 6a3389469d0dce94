//! The event queue: pending events ordered by (time_ns, sequence number), so equal times pop in
//! the order they were scheduled. Owns ordering and the queue bound; it must never interpret
//! events.

use std::collections::BTreeMap;

/// Most events pending at once.
pub const QUEUE_LEN_MAX: usize = 1 << 20;

/// A bounded priority queue of `T` keyed by sim time.
#[derive(Debug)]
pub struct EventQueue<T> {
    pending: BTreeMap<(u64, u64), T>,
    sequence_next: u64,
}

/// The queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull;

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        EventQueue {
            pending: BTreeMap::new(),
            sequence_next: 0,
        }
    }
}

impl<T> EventQueue<T> {
    pub fn new() -> EventQueue<T> {
        EventQueue::default()
    }

    /// Schedules `event` at `time_ns`, after every event already scheduled at that time.
    pub fn push(&mut self, time_ns: u64, event: T) -> Result<(), QueueFull> {
        if self.pending.len() >= QUEUE_LEN_MAX {
            return Err(QueueFull);
        }
        let key = (time_ns, self.sequence_next);
        self.sequence_next += 1;
        let previous = self.pending.insert(key, event);
        assert!(previous.is_none(), "sequence numbers are unique");
        Ok(())
    }

    /// The earliest event with its time.
    pub fn pop(&mut self) -> Option<(u64, T)> {
        let ((time_ns, _), event) = self.pending.pop_first()?;
        Some((time_ns, event))
    }

    pub fn peek_time_ns(&self) -> Option<u64> {
        self.pending.keys().next().map(|(t, _)| *t)
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Pending events in pop order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &T)> {
        self.pending.iter().map(|((t, _), e)| (*t, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_by_scheduling_order() {
        let mut q = EventQueue::new();
        q.push(20, "late").unwrap();
        q.push(10, "first at 10").unwrap();
        q.push(10, "second at 10").unwrap();
        q.push(5, "earliest").unwrap();
        let order: Vec<&str> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["earliest", "first at 10", "second at 10", "late"]);
        assert!(q.is_empty());
    }

    #[test]
    fn peek_reports_the_earliest_time() {
        let mut q = EventQueue::new();
        assert_eq!(q.peek_time_ns(), None);
        q.push(9, ()).unwrap();
        q.push(3, ()).unwrap();
        assert_eq!(q.peek_time_ns(), Some(3));
        assert_eq!(q.len(), 2);
    }
}
