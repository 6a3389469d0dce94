//! Guest workloads: each writer issues `write_size` bytes every `write_size / write_rate`
//! seconds between `start` and `stop`, choosing blocks by pattern (sequential, random, hot spot)
//! from its own stream `workload/<group>/<vm>/<disk>` (`workload/<group>/shared/<disk>` for a
//! shared disk). Owns block choice and pacing; it must never schedule events or look at the
//! export (writes go on while exports run; `run` decides when a write happens).

use crate::rng::{below, chance};
use rand_chacha::ChaCha8Rng;
use rpsim_scenario::model::{Workload, WritePattern};

/// Shortest interval between two writes of one writer (1 µs): bounds events per sim second.
pub const WRITE_INTERVAL_NS_MIN: u64 = 1_000;
const DEFAULT_HOT_SPOT_SIZE_BASIS_POINTS: u32 = 1_000;
const DEFAULT_HOT_SPOT_SHARE_BASIS_POINTS: u32 = 9_000;

/// One guest writing to one disk.
#[derive(Clone, Debug)]
pub struct Writer {
    /// Index of the disk in the world.
    pub disk: usize,
    /// Index of the VM that issues the writes (its state gates them).
    pub vm: usize,
    pub interval_ns: u64,
    pub start_ns: u64,
    pub stop_ns: Option<u64>,
    blocks_per_write: u64,
    block_count: u64,
    pattern: WritePattern,
    hot_blocks: u64,
    hot_share_basis_points: u32,
    cursor: u64,
    rng: ChaCha8Rng,
}

impl Writer {
    /// A writer for `disk` (with `block_count` blocks of `block_size_bytes`), or `None` when
    /// the workload never writes (zero rate or size).
    pub fn new(
        spec: &Workload,
        disk: usize,
        vm: usize,
        (block_count, block_size_bytes): (u64, u64),
        rng: ChaCha8Rng,
    ) -> Option<Writer> {
        assert!(block_count > 0 && block_size_bytes > 0);
        let size_bytes = spec.write_size.bytes();
        let rate = spec.write_rate.bytes_per_s();
        if size_bytes == 0 || rate == 0 {
            return None;
        }
        let interval_ns = (u128::from(size_bytes) * 1_000_000_000 / u128::from(rate))
            .clamp(u128::from(WRITE_INTERVAL_NS_MIN), u128::from(u64::MAX))
            as u64;
        let size_pct = spec
            .hot_spot_size
            .map_or(DEFAULT_HOT_SPOT_SIZE_BASIS_POINTS, |p| p.basis_points());
        Some(Writer {
            disk,
            vm,
            interval_ns,
            start_ns: spec.start.map_or(0, |d| d.ns()),
            stop_ns: spec.stop.map(|d| d.ns()),
            blocks_per_write: size_bytes.div_ceil(block_size_bytes).clamp(1, block_count),
            block_count,
            pattern: spec.pattern,
            hot_blocks: ((u128::from(block_count) * u128::from(size_pct) / 10_000) as u64).max(1),
            hot_share_basis_points: spec
                .hot_spot_share
                .map_or(DEFAULT_HOT_SPOT_SHARE_BASIS_POINTS, |p| {
                    p.basis_points().min(10_000)
                }),
            cursor: 0,
            rng,
        })
    }

    /// Time of the first write.
    pub fn first_write_ns(&self) -> u64 {
        self.start_ns
    }

    /// Time of the write after one at `now_ns`, or `None` when the workload has stopped.
    pub fn next_write_ns(&self, now_ns: u64) -> Option<u64> {
        let next = now_ns.checked_add(self.interval_ns)?;
        match self.stop_ns {
            Some(stop) if next >= stop => None,
            _ => Some(next),
        }
    }

    /// The blocks of the next write: `(first block, block count)`, inside the disk.
    pub fn next_blocks(&mut self) -> (u64, u64) {
        let n = self.blocks_per_write;
        let starts = self.block_count - n + 1;
        let first = match self.pattern {
            WritePattern::Sequential => {
                let first = if self.cursor >= starts {
                    0
                } else {
                    self.cursor
                };
                self.cursor = first + n;
                first
            }
            WritePattern::Random => below(&mut self.rng, starts),
            WritePattern::HotSpot => {
                let hot_starts = self.hot_blocks.saturating_sub(n - 1).clamp(1, starts);
                if chance(&mut self.rng, self.hot_share_basis_points) {
                    below(&mut self.rng, hot_starts)
                } else {
                    below(&mut self.rng, starts)
                }
            }
        };
        assert!(first + n <= self.block_count);
        (first, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Streams;

    fn spec(pattern: &str) -> Workload {
        serde_norway::from_str(&format!(
            "{{write_rate: 1MiB/s, write_size: 64KiB, pattern: {pattern}, stop: 1s}}"
        ))
        .unwrap()
    }

    fn writer(pattern: &str, blocks: u64) -> Writer {
        let rng = Streams::new(9).stream("workload/g/vm/d");
        Writer::new(&spec(pattern), 0, 0, (blocks, 4096), rng).unwrap()
    }

    #[test]
    fn pacing_follows_size_over_rate_and_stops() {
        let w = writer("random", 1000);
        assert_eq!(w.interval_ns, 62_500_000, "64 KiB at 1 MiB/s");
        assert_eq!(w.next_write_ns(0), Some(62_500_000));
        assert_eq!(w.next_write_ns(950_000_000), None);
    }

    #[test]
    fn sequential_writes_wrap_and_stay_inside_the_disk() {
        let mut w = writer("sequential", 40);
        let firsts: Vec<u64> = (0..4).map(|_| w.next_blocks().0).collect();
        assert_eq!(
            firsts,
            vec![0, 16, 0, 16],
            "16 blocks per write, 40 blocks: wraps after 2"
        );
    }

    #[test]
    fn hot_spot_writes_mostly_land_in_the_hot_region() {
        let mut w = writer("hot_spot", 10_000);
        let hot = (0..1000).filter(|_| w.next_blocks().0 < 1000).count();
        assert!(hot > 850, "{hot} of 1000 writes in the hot 10%");
        let mut r = writer("random", 10_000);
        let random_hot = (0..1000).filter(|_| r.next_blocks().0 < 1000).count();
        assert!(
            random_hot < 200,
            "{random_hot} of 1000 uniform writes in the first 10%"
        );
    }
}
