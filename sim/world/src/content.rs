//! Block content generated on demand: the bytes of (disk key, block, version) come from a
//! counter-based wyrand sequence, so any byte range can be produced without storing it.
//! Owns the generator; it must never allocate per call or depend on anything but its inputs.
//! Version 0 means "never written" and reads as zeros.

use xxhash_rust::xxh3::xxh3_64_with_seed;

const WY_P0: u64 = 0xa076_1d64_78bd_642f;
const WY_P1: u64 = 0xe703_7ed1_a0b4_28db;

/// wyrand's output function of a counter state: one widening multiply per 8 bytes.
#[inline(always)]
fn mix(state: u64) -> u64 {
    let product = u128::from(state) * u128::from(state ^ WY_P1);
    ((product >> 64) as u64) ^ (product as u64)
}

/// The per-(block, version) starting state of the word sequence.
fn block_state(disk_key: u64, block: u64, version: u64) -> u64 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&block.to_le_bytes());
    bytes[8..].copy_from_slice(&version.to_le_bytes());
    xxh3_64_with_seed(&bytes, disk_key)
}

/// Word `index` (8 bytes, little-endian) of the block.
#[inline(always)]
fn word(state: u64, index: u64) -> u64 {
    mix(state.wrapping_add(index.wrapping_add(1).wrapping_mul(WY_P0)))
}

/// Fills `out` with the bytes of block `block` at `version`, starting `offset_in_block_bytes`
/// into the block.
pub fn fill(disk_key: u64, block: u64, version: u64, offset_in_block_bytes: u64, out: &mut [u8]) {
    if version == 0 {
        out.fill(0);
        return;
    }
    let state = block_state(disk_key, block, version);
    let mut index = offset_in_block_bytes / 8;
    let skip = (offset_in_block_bytes % 8) as usize;
    let mut rest: &mut [u8] = out;
    if skip != 0 {
        let bytes = word(state, index).to_le_bytes();
        let take = (8 - skip).min(rest.len());
        rest[..take].copy_from_slice(&bytes[skip..skip + take]);
        rest = &mut rest[take..];
        index += 1;
    }
    let mut chunks = rest.chunks_exact_mut(8);
    // The counter of word `index` is `state + (index + 1) * WY_P0`: step it by addition.
    let mut counter = state.wrapping_add(index.wrapping_add(1).wrapping_mul(WY_P0));
    for chunk in &mut chunks {
        chunk.copy_from_slice(&mix(counter).to_le_bytes());
        counter = counter.wrapping_add(WY_P0);
        index += 1;
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        let bytes = word(state, index).to_le_bytes();
        let len = tail.len();
        tail.copy_from_slice(&bytes[..len]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(key: u64, b: u64, v: u64, len: usize) -> Vec<u8> {
        let mut out = vec![0xAA; len];
        fill(key, b, v, 0, &mut out);
        out
    }

    #[test]
    fn version_zero_reads_as_zeros() {
        assert!(block(1, 2, 0, 100).iter().all(|b| *b == 0));
    }

    #[test]
    fn content_depends_on_key_block_and_version() {
        let base = block(1, 2, 3, 64);
        assert_eq!(base, block(1, 2, 3, 64));
        assert_ne!(base, block(9, 2, 3, 64));
        assert_ne!(base, block(1, 9, 3, 64));
        assert_ne!(base, block(1, 2, 9, 64));
    }

    #[test]
    fn any_sub_range_matches_the_whole_block() {
        let whole = block(5, 6, 7, 1000);
        for (start, len) in [
            (0usize, 1usize),
            (3, 5),
            (7, 9),
            (8, 16),
            (13, 987),
            (999, 1),
        ] {
            let mut part = vec![0u8; len];
            fill(5, 6, 7, start as u64, &mut part);
            assert_eq!(part, whole[start..start + len], "range {start}+{len}");
        }
    }

    #[test]
    fn generates_a_mebibyte_quickly() {
        // Not a benchmark: a guard against an accidentally quadratic or allocating generator.
        let mut out = vec![0u8; 1 << 20];
        for b in 0..64 {
            fill(1, b, 1, 0, &mut out);
        }
        assert!(out.iter().any(|b| *b != 0));
    }
}
