//! The spread of a bench figure over its repeats: minimum, median and maximum, and how a spread
//! carries through the divisions and scalings that turn timings into rates and ratios. Owns
//! that arithmetic; it must never measure or judge (a comparison only asks whether two
//! spreads overlap).

use serde::{Deserialize, Serialize};

/// Minimum, median and maximum of a figure's samples (all positive and finite).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Spread {
    /// The spread of `samples` (at least one); the median of an even count is the mean of the
    /// two middle samples.
    pub fn of(samples: &[f64]) -> Spread {
        assert!(!samples.is_empty(), "a spread needs a sample");
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 {
            sorted[middle]
        } else {
            (sorted[middle - 1] + sorted[middle]) / 2.0
        };
        Spread {
            min: sorted[0],
            median,
            max: sorted[sorted.len() - 1],
        }
    }

    /// One measurement: no spread.
    pub fn point(value: f64) -> Spread {
        Spread {
            min: value,
            median: value,
            max: value,
        }
    }

    /// `self / other` for positive quantities: the widest quotient range (smallest over
    /// largest, largest over smallest) around the quotient of the medians.
    pub fn over(self, other: Spread) -> Spread {
        Spread {
            min: self.min / other.max,
            median: self.median / other.median,
            max: self.max / other.min,
        }
    }

    /// `self * other` for positive quantities.
    pub fn times(self, other: Spread) -> Spread {
        Spread {
            min: self.min * other.min,
            median: self.median * other.median,
            max: self.max * other.max,
        }
    }

    /// `k / self` for a positive `k` (a rate from a duration): the order flips.
    pub fn inverse_times(self, k: f64) -> Spread {
        Spread::point(k).over(self)
    }

    /// `self * k` for a positive `k`.
    pub fn scaled(self, k: f64) -> Spread {
        self.times(Spread::point(k))
    }

    /// True when the two ranges share a value: a change from one to the other is within the
    /// noise the repeats showed.
    pub fn overlaps(self, other: Spread) -> bool {
        self.min <= other.max && other.min <= self.max
    }

    /// True when every bound is finite and min ≤ median ≤ max.
    pub fn is_sound(self) -> bool {
        [self.min, self.median, self.max]
            .iter()
            .all(|v| v.is_finite())
            && self.min <= self.median
            && self.median <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::Spread;

    #[test]
    fn spreads_of_odd_and_even_sample_counts() {
        assert_eq!(
            Spread::of(&[3.0, 1.0, 2.0]),
            Spread {
                min: 1.0,
                median: 2.0,
                max: 3.0
            }
        );
        assert_eq!(Spread::of(&[4.0, 1.0]).median, 2.5);
        assert_eq!(Spread::of(&[7.0]), Spread::point(7.0));
    }

    #[test]
    fn quotients_widen_and_inverses_flip() {
        let a = Spread::of(&[8.0, 10.0, 12.0]);
        let b = Spread::of(&[2.0, 4.0]);
        assert_eq!(
            a.over(b),
            Spread {
                min: 2.0,
                median: 10.0 / 3.0,
                max: 6.0
            }
        );
        let rate = Spread::of(&[1.0, 2.0, 4.0]).inverse_times(8.0);
        assert_eq!(
            rate,
            Spread {
                min: 2.0,
                median: 4.0,
                max: 8.0
            }
        );
        assert!(a.over(b).is_sound() && rate.is_sound());
    }

    #[test]
    fn overlap_is_symmetric_and_touching_counts() {
        let a = Spread::of(&[1.0, 2.0]);
        let b = Spread::of(&[2.0, 3.0]);
        let c = Spread::of(&[2.5, 3.0]);
        assert!(a.overlaps(b) && b.overlaps(a));
        assert!(!a.overlaps(c) && !c.overlaps(a));
    }
}
