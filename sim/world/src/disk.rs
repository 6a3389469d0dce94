//! One virtual disk as a sparse copy-on-write block map: per written block a short history of
//! (epoch, version). Writes are tagged with the disk's current epoch; taking a reference point
//! freezes it (`rp epoch = disk.epoch; disk.epoch += 1`). Reading as of a reference point takes
//! the last entry with `epoch <= rp epoch`; a block changed between base and target when it has
//! an entry with epoch in `(base, target]`. Version 0 means never written (zeros). Memory is
//! proportional to writes, never to the virtual size. Owns that history; it must never know
//! about VMs, hosts or faults.

use crate::content;
use rpsim_export::source::Extent;
use std::collections::BTreeMap;

/// Longest extent returned by the extent listings (the log format's record limit).
pub const EXTENT_BYTES_MAX: u64 = 64 << 20;
/// Most history entries one disk may hold before writes are refused.
pub const DISK_HISTORY_ENTRIES_MAX: u64 = 4 << 20;
/// Version of blocks written by a sequential initial fill (explicit writes start above it).
const FILL_VERSION: u64 = 1;

/// One history entry of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    epoch: u64,
    version: u64,
}

/// The disk's history limit was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryFull;

#[derive(Clone, Debug)]
pub struct SimDisk {
    /// Seeds the content generator.
    key: u64,
    virtual_size_bytes: u64,
    block_size_bytes: u64,
    block_count: u64,
    /// Epoch that new writes are tagged with.
    epoch: u64,
    /// Incremented by each RCT reset.
    reset_generation: u64,
    /// Blocks `0..fill_blocks` hold `FILL_VERSION` from epoch 0 unless overwritten.
    fill_blocks: u64,
    blocks: BTreeMap<u64, Vec<Entry>>,
    version_next: u64,
    entry_count: u64,
}

impl SimDisk {
    pub fn new(key: u64, virtual_size_bytes: u64, block_size_bytes: u64) -> SimDisk {
        assert!(virtual_size_bytes > 0, "a disk has a size");
        assert!(block_size_bytes > 0, "a disk has a block size");
        SimDisk {
            key,
            virtual_size_bytes,
            block_size_bytes,
            block_count: virtual_size_bytes.div_ceil(block_size_bytes),
            epoch: 0,
            reset_generation: 0,
            fill_blocks: 0,
            blocks: BTreeMap::new(),
            version_next: FILL_VERSION + 1,
            entry_count: 0,
        }
    }

    pub fn key(&self) -> u64 {
        self.key
    }
    pub fn virtual_size_bytes(&self) -> u64 {
        self.virtual_size_bytes
    }
    pub fn block_size_bytes(&self) -> u64 {
        self.block_size_bytes
    }
    pub fn block_count(&self) -> u64 {
        self.block_count
    }
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
    pub fn reset_generation(&self) -> u64 {
        self.reset_generation
    }

    /// Marks blocks `0..blocks` as written at epoch 0 without storing them (sequential fill).
    pub fn fill_sequential(&mut self, blocks: u64) {
        assert!(
            self.blocks.is_empty() && self.epoch == 0,
            "fill happens before anything else"
        );
        self.fill_blocks = blocks.min(self.block_count);
    }

    /// Writes `block` with a new version tagged with the current epoch; returns the version.
    pub fn write_block(&mut self, block: u64) -> Result<u64, HistoryFull> {
        assert!(
            block < self.block_count,
            "block {block} beyond {}",
            self.block_count
        );
        let version = self.version_next;
        let epoch = self.epoch;
        let history = self.blocks.entry(block).or_default();
        match history.last_mut() {
            Some(last) if last.epoch == epoch => last.version = version,
            _ => {
                if self.entry_count >= DISK_HISTORY_ENTRIES_MAX {
                    if history.is_empty() {
                        self.blocks.remove(&block);
                    }
                    return Err(HistoryFull);
                }
                history.push(Entry { epoch, version });
                self.entry_count += 1;
            }
        }
        self.version_next += 1;
        Ok(version)
    }

    /// Freezes the current epoch for a reference point and returns it.
    pub fn freeze(&mut self) -> u64 {
        let frozen = self.epoch;
        self.epoch += 1;
        assert!(self.epoch > frozen);
        frozen
    }

    /// Grows the virtual size to `virtual_size_bytes` (the new blocks read as zeros); both sizes
    /// must be whole blocks so no partial block changes meaning.
    pub fn grow(&mut self, virtual_size_bytes: u64) {
        assert!(
            virtual_size_bytes > self.virtual_size_bytes,
            "a resize grows the disk"
        );
        assert_eq!(self.virtual_size_bytes % self.block_size_bytes, 0);
        assert_eq!(virtual_size_bytes % self.block_size_bytes, 0);
        self.virtual_size_bytes = virtual_size_bytes;
        self.block_count = virtual_size_bytes / self.block_size_bytes;
    }

    /// Change tracking can no longer be trusted (host or VM crash).
    pub fn reset_rct(&mut self) {
        self.reset_generation += 1;
    }

    /// The version of `block` as of a reference point frozen at `epoch` (0: never written).
    pub fn version_as_of(&self, block: u64, epoch: u64) -> u64 {
        let explicit = self.blocks.get(&block).and_then(|history| {
            history
                .iter()
                .rev()
                .find(|e| e.epoch <= epoch)
                .map(|e| e.version)
        });
        match explicit {
            Some(version) => version,
            None if block < self.fill_blocks => FILL_VERSION,
            None => 0,
        }
    }

    /// Every allocated extent as of `epoch`.
    pub fn allocated_extents(&self, epoch: u64) -> Vec<Extent> {
        let explicit = self
            .blocks
            .iter()
            .filter(|(_, h)| h.first().is_some_and(|e| e.epoch <= epoch))
            .map(|(b, _)| *b);
        self.extents(self.fill_blocks, explicit)
    }

    /// Extents with a write whose epoch is in `(base_epoch, target_epoch]`.
    pub fn changed_extents(&self, base_epoch: u64, target_epoch: u64) -> Vec<Extent> {
        let changed = self
            .blocks
            .iter()
            .filter(|(_, h)| {
                h.iter()
                    .any(|e| e.epoch > base_epoch && e.epoch <= target_epoch)
            })
            .map(|(b, _)| *b);
        self.extents(0, changed)
    }

    /// Merges `0..prefix_blocks` and the ascending `blocks` into extents of at most
    /// [`EXTENT_BYTES_MAX`].
    fn extents(&self, prefix_blocks: u64, blocks: impl Iterator<Item = u64>) -> Vec<Extent> {
        let mut runs: Vec<(u64, u64)> = Vec::new();
        if prefix_blocks > 0 {
            runs.push((0, prefix_blocks));
        }
        for block in blocks {
            match runs.last_mut() {
                Some((_, end)) if block < *end => {}
                Some((_, end)) if block == *end => *end += 1,
                _ => runs.push((block, block + 1)),
            }
        }
        let piece_bytes = if self.block_size_bytes >= EXTENT_BYTES_MAX {
            EXTENT_BYTES_MAX
        } else {
            EXTENT_BYTES_MAX / self.block_size_bytes * self.block_size_bytes
        };
        let mut extents = Vec::new();
        for (start, end) in runs {
            let mut offset_bytes = start * self.block_size_bytes;
            let end_bytes = (end * self.block_size_bytes).min(self.virtual_size_bytes);
            while offset_bytes < end_bytes {
                let length_bytes = piece_bytes.min(end_bytes - offset_bytes);
                extents.push(Extent {
                    offset_bytes,
                    length_bytes,
                });
                offset_bytes += length_bytes;
            }
        }
        extents
    }

    /// Fills `buf` with the disk's bytes from `offset_bytes` as of `epoch`.
    pub fn read(&self, epoch: u64, offset_bytes: u64, buf: &mut [u8]) -> Result<(), String> {
        let end_bytes = offset_bytes.checked_add(buf.len() as u64);
        if !matches!(end_bytes, Some(end) if end <= self.virtual_size_bytes) {
            return Err(format!(
                "read of {} bytes at {offset_bytes} is beyond the virtual size {}",
                buf.len(),
                self.virtual_size_bytes
            ));
        }
        let mut position_bytes = offset_bytes;
        let mut rest: &mut [u8] = buf;
        while !rest.is_empty() {
            let block = position_bytes / self.block_size_bytes;
            let in_block_bytes = position_bytes % self.block_size_bytes;
            let take = ((self.block_size_bytes - in_block_bytes) as usize).min(rest.len());
            let (now, later) = rest.split_at_mut(take);
            let version = self.version_as_of(block, epoch);
            content::fill(self.key, block, version, in_block_bytes, now);
            rest = later;
            position_bytes += take as u64;
        }
        Ok(())
    }

    /// History entries stored (the disk's metadata cost).
    pub fn history_entry_count(&self) -> u64 {
        self.entry_count
    }

    /// Approximate heap bytes of the block map: per written block its key, vector header and
    /// B-tree slot overhead, plus 16 bytes per history entry (allocated capacity).
    pub fn approx_metadata_bytes(&self) -> u64 {
        const PER_BLOCK_BYTES: u64 = 8 + 24 + 16;
        let entries: u64 = self.blocks.values().map(|h| h.capacity() as u64).sum();
        self.blocks.len() as u64 * PER_BLOCK_BYTES + entries * 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: u64 = 4096;

    fn disk(blocks: u64) -> SimDisk {
        SimDisk::new(11, blocks * BLOCK, BLOCK)
    }

    fn ext(offset_blocks: u64, length_blocks: u64) -> Extent {
        Extent {
            offset_bytes: offset_blocks * BLOCK,
            length_bytes: length_blocks * BLOCK,
        }
    }

    #[test]
    fn read_as_of_sees_the_last_write_before_each_reference_point() {
        let mut d = disk(8);
        let v1 = d.write_block(3).unwrap();
        let rp1 = d.freeze();
        let v2 = d.write_block(3).unwrap();
        let v3 = d.write_block(3).unwrap();
        let rp2 = d.freeze();
        d.write_block(3).unwrap();
        assert_eq!(d.version_as_of(3, rp1), v1);
        assert_eq!(
            d.version_as_of(3, rp2),
            v3,
            "the later write of one epoch wins"
        );
        assert_ne!(v2, v3);
        assert_eq!(d.version_as_of(4, rp2), 0, "unwritten blocks are version 0");
        assert_eq!(d.history_entry_count(), 3, "one entry per (block, epoch)");
    }

    #[test]
    fn reads_return_content_as_of_the_reference_point_while_writes_continue() {
        let mut d = disk(4);
        d.write_block(1).unwrap();
        let rp = d.freeze();
        let mut before = vec![0u8; BLOCK as usize];
        d.read(rp, BLOCK, &mut before).unwrap();
        d.write_block(1).unwrap();
        let mut after = vec![0u8; BLOCK as usize];
        d.read(rp, BLOCK, &mut after).unwrap();
        assert_eq!(before, after);
        let mut live = vec![0u8; BLOCK as usize];
        d.read(d.epoch(), BLOCK, &mut live).unwrap();
        assert_ne!(live, before, "the live view sees the new write");
        let mut zeros = vec![1u8; 10];
        d.read(rp, 0, &mut zeros).unwrap();
        assert!(zeros.iter().all(|b| *b == 0));
        assert!(d.read(rp, 4 * BLOCK - 1, &mut [0u8; 2]).is_err());
    }

    #[test]
    fn changed_between_lists_only_writes_in_the_interval() {
        let mut d = disk(16);
        d.write_block(0).unwrap();
        d.write_block(1).unwrap();
        let base = d.freeze();
        d.write_block(5).unwrap();
        d.write_block(6).unwrap();
        d.write_block(9).unwrap();
        let target = d.freeze();
        d.write_block(12).unwrap();
        d.write_block(0).unwrap();
        let later = d.freeze();
        assert_eq!(d.changed_extents(base, target), vec![ext(5, 2), ext(9, 1)]);
        assert_eq!(
            d.changed_extents(target, later),
            vec![ext(0, 1), ext(12, 1)]
        );
        assert_eq!(
            d.changed_extents(base, later),
            vec![ext(0, 1), ext(5, 2), ext(9, 1), ext(12, 1)]
        );
        assert_eq!(d.allocated_extents(base), vec![ext(0, 2)]);
        assert_eq!(
            d.allocated_extents(target),
            vec![ext(0, 2), ext(5, 2), ext(9, 1)]
        );
    }

    #[test]
    fn sequential_fill_costs_nothing_and_reads_as_allocated() {
        let mut d = SimDisk::new(3, 1 << 40, 2 << 20);
        d.fill_sequential(100);
        assert_eq!(d.history_entry_count(), 0);
        let rp = d.freeze();
        let extents = d.allocated_extents(rp);
        assert_eq!(
            extents.iter().map(|e| e.length_bytes).sum::<u64>(),
            200 << 20
        );
        assert!(extents.iter().all(|e| e.length_bytes <= EXTENT_BYTES_MAX));
        assert_eq!(d.changed_extents(rp, rp), vec![]);
        assert_eq!(d.version_as_of(99, rp), FILL_VERSION);
        assert_eq!(d.version_as_of(100, rp), 0);
    }

    #[test]
    fn last_partial_block_is_clipped_to_the_virtual_size() {
        let mut d = SimDisk::new(1, 3 * BLOCK + 100, BLOCK);
        d.write_block(3).unwrap();
        let rp = d.freeze();
        assert_eq!(
            d.allocated_extents(rp),
            vec![Extent {
                offset_bytes: 3 * BLOCK,
                length_bytes: 100
            }]
        );
        let mut tail = vec![0u8; 100];
        d.read(rp, 3 * BLOCK, &mut tail).unwrap();
        assert!(tail.iter().any(|b| *b != 0));
    }

    #[test]
    fn extents_are_split_at_64_mib() {
        let mut d = SimDisk::new(1, 1 << 30, 1 << 20);
        for b in 0..100 {
            d.write_block(b).unwrap();
        }
        let rp = d.freeze();
        let extents = d.allocated_extents(rp);
        assert_eq!(
            extents,
            vec![
                Extent {
                    offset_bytes: 0,
                    length_bytes: 64 << 20
                },
                Extent {
                    offset_bytes: 64 << 20,
                    length_bytes: 36 << 20
                },
            ]
        );
    }

    #[test]
    fn reset_rct_bumps_the_generation_only() {
        let mut d = disk(2);
        d.write_block(0).unwrap();
        let rp = d.freeze();
        d.reset_rct();
        assert_eq!(d.reset_generation(), 1);
        assert_eq!(d.allocated_extents(rp), vec![ext(0, 1)]);
    }

    #[test]
    fn two_tib_disk_with_100k_random_writes_is_cheap() {
        let mut d = SimDisk::new(5, 2 << 40, 2 << 20);
        let mut rng = crate::rng::Streams::new(1).stream("test");
        for i in 0..100_000u64 {
            let block = crate::rng::below(&mut rng, d.block_count());
            d.write_block(block).unwrap();
            if i % 25_000 == 0 {
                d.freeze();
            }
        }
        let metadata_bytes = d.approx_metadata_bytes();
        assert!(metadata_bytes < 64 << 20, "metadata {metadata_bytes} bytes");
        assert!(d.history_entry_count() <= 100_000);
        let rp = d.freeze();
        let allocated: u64 = d.allocated_extents(rp).iter().map(|e| e.length_bytes).sum();
        assert!(allocated <= 100_000 * (2 << 20));
    }
}
