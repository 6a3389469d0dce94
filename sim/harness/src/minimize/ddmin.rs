//! Delta debugging (Zeller's ddmin) over a list: the smallest sub-list, by removing chunks of
//! halving size, that still passes a test. Owns the search order; it must never look at what
//! the items are, and for the same items and the same test answers it always asks the same
//! questions in the same order (minimization is deterministic).

/// A sub-list of `items` for which `still_fails` holds, 1-minimal with respect to removing any
/// single item, provided `still_fails(items)` holds and the test answers consistently (a test
/// that starts answering `false`, e.g. because a budget ran out, just ends the search early).
pub fn ddmin<T: Clone>(items: &[T], still_fails: &mut dyn FnMut(&[T]) -> bool) -> Vec<T> {
    let mut current = items.to_vec();
    if current.is_empty() || still_fails(&[]) {
        return Vec::new();
    }
    let mut granularity = 2usize;
    while current.len() >= 2 {
        let chunks = chunk_bounds(current.len(), granularity);
        let mut reduced = false;
        // Removing one chunk (its complement) first: it shrinks the most often.
        for &(start, end) in &chunks {
            let complement: Vec<T> = current[..start]
                .iter()
                .chain(&current[end..])
                .cloned()
                .collect();
            if still_fails(&complement) {
                current = complement;
                granularity = granularity.saturating_sub(1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced && granularity > 2 {
            for &(start, end) in &chunks {
                let subset = current[start..end].to_vec();
                if still_fails(&subset) {
                    current = subset;
                    granularity = 2;
                    reduced = true;
                    break;
                }
            }
        }
        if !reduced {
            if granularity >= current.len() {
                break;
            }
            granularity = (granularity * 2).min(current.len());
        }
    }
    current
}

/// `count` contiguous, non-empty ranges covering `0..len` (`1 <= count <= len`).
fn chunk_bounds(len: usize, count: usize) -> Vec<(usize, usize)> {
    assert!(count >= 1 && count <= len, "{count} chunks of {len} items");
    (0..count)
        .map(|i| (i * len / count, (i + 1) * len / count))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chunks_cover_the_list_without_gaps() {
        assert_eq!(chunk_bounds(5, 2), vec![(0, 2), (2, 5)]);
        assert_eq!(chunk_bounds(3, 3), vec![(0, 1), (1, 2), (2, 3)]);
    }

    #[test]
    fn an_empty_list_or_a_test_that_needs_nothing_gives_nothing() {
        assert!(ddmin::<u32>(&[], &mut |_| true).is_empty());
        assert!(ddmin(&[1, 2, 3], &mut |_| true).is_empty());
    }

    #[test]
    fn an_interaction_of_two_far_apart_items_is_kept_whole() {
        let items: Vec<u32> = (0..40).collect();
        let mut asked = 0;
        let kept = ddmin(&items, &mut |list| {
            asked += 1;
            list.contains(&3) && list.contains(&37)
        });
        assert_eq!(kept, vec![3, 37]);
        assert!(asked < 200, "{asked} tests for 40 items");
    }

    proptest! {
        /// With a monotone test ("these items are all present"), ddmin finds exactly them, and
        /// asking twice gives the same answer.
        #[test]
        fn finds_exactly_the_needed_items(len in 1usize..60, picks in proptest::collection::vec(0usize..60, 0..5)) {
            let items: Vec<usize> = (0..len).collect();
            let mut needed: Vec<usize> = picks.into_iter().filter(|p| *p < len).collect();
            needed.sort_unstable();
            needed.dedup();
            let test = |list: &[usize]| needed.iter().all(|n| list.contains(n));
            let kept = ddmin(&items, &mut |l| test(l));
            prop_assert_eq!(&kept, &needed);
            prop_assert_eq!(ddmin(&items, &mut |l| test(l)), kept);
        }

        /// Whatever the test, the result is a sub-list in the original order that passes it.
        #[test]
        fn the_result_passes_and_keeps_the_order(len in 1usize..40, modulus in 1usize..7) {
            let items: Vec<usize> = (0..len).collect();
            // Fails while enough multiples of `modulus` remain: not monotone in general.
            let test = |list: &[usize]| list.iter().filter(|i| *i % modulus == 0).count() * 2 >= len.div_ceil(modulus);
            prop_assume!(test(&items));
            let kept = ddmin(&items, &mut |l| test(l));
            prop_assert!(test(&kept));
            prop_assert!(kept.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
