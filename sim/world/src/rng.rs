//! Named random streams: one `ChaCha8Rng` per (seed, stream name), so a new draw in one subsystem
//! never shifts another. Owns seeding and range reduction; it must never use `rand`'s
//! distributions (their output is not promised stable) nor any entropy source.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Bound on rejection rounds in [`below`]; each round fails with probability < 1/2.
pub const REJECTION_ROUNDS_MAX: u32 = 64;

/// The stream factory of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Streams {
    seed: u64,
}

impl Streams {
    pub fn new(seed: u64) -> Streams {
        Streams { seed }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The stream called `name`, always starting at the same point for the same (seed, name).
    pub fn stream(&self, name: &str) -> ChaCha8Rng {
        assert!(!name.is_empty(), "stream names are never empty");
        ChaCha8Rng::seed_from_u64(xxh3_64_with_seed(name.as_bytes(), self.seed))
    }
}

/// A uniform draw in `0..n` (`n > 0`), by rejection on the smallest covering power of two.
/// After [`REJECTION_ROUNDS_MAX`] unlucky rounds it falls back to a modulo (bias < 2^-64).
pub fn below(rng: &mut impl RngCore, n: u64) -> u64 {
    assert!(n > 0, "below(0) has no value to draw");
    if n.is_power_of_two() {
        return rng.next_u64() & (n - 1);
    }
    let mask = u64::MAX >> (n - 1).leading_zeros();
    for _ in 0..REJECTION_ROUNDS_MAX {
        let value = rng.next_u64() & mask;
        if value < n {
            return value;
        }
    }
    rng.next_u64() % n
}

/// True with probability `basis_points / 10_000`.
pub fn chance(rng: &mut impl RngCore, basis_points: u32) -> bool {
    assert!(basis_points <= 10_000);
    below(rng, 10_000) < u64::from(basis_points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_name_give_the_same_sequence() {
        let a: Vec<u64> = (0..8)
            .map({
                let mut s = Streams::new(7).stream("workload/g/vm/d");
                move |_| s.next_u64()
            })
            .collect();
        let mut s = Streams::new(7).stream("workload/g/vm/d");
        let b: Vec<u64> = (0..8).map(|_| s.next_u64()).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn different_names_or_seeds_give_different_sequences() {
        let first = |seed: u64, name: &str| Streams::new(seed).stream(name).next_u64();
        assert_ne!(first(7, "faults"), first(7, "fill/g/vm/d"));
        assert_ne!(first(7, "faults"), first(8, "faults"));
    }

    #[test]
    fn a_draw_in_one_stream_does_not_shift_another() {
        let streams = Streams::new(42);
        let mut faults = streams.stream("faults");
        let undisturbed = faults.next_u64();
        let mut faults_again = streams.stream("faults");
        let mut workload = streams.stream("workload/g/a/d");
        for _ in 0..100 {
            workload.next_u64();
        }
        assert_eq!(faults_again.next_u64(), undisturbed);
    }

    #[test]
    fn below_stays_in_range_and_reaches_both_ends() {
        let mut rng = Streams::new(1).stream("t");
        let mut seen = [false; 3];
        for _ in 0..1000 {
            let v = below(&mut rng, 3);
            assert!(v < 3);
            seen[v as usize] = true;
        }
        assert_eq!(seen, [true; 3]);
        assert_eq!(below(&mut rng, 1), 0);
    }
}
