//! Deserialises a scenario in pieces so serde_norway never holds the events of the whole
//! document at once (about 120 bytes per value: 130 MB for the largest timeline): first the
//! document with its timeline blanked out, then the timeline's entries [`BATCH_ENTRIES`] at a
//! time. Owns only that split and when it is safe (see [`shape::Outline::self_contained`]);
//! it must never produce an error of its own: when any piece fails, `load` deserialises the
//! whole text instead, so errors and their places stay exactly serde_norway's.

use crate::model::{Scenario, TimelineEntry};
use crate::shape::Outline;
use std::collections::BTreeSet;

/// Timeline entries deserialised together.
pub const BATCH_ENTRIES: usize = 1024;

/// The scenario from its pieces, or `None` when the text cannot be split safely or a piece
/// does not deserialise (the caller then deserialises the whole text).
pub(crate) fn deserialize(text: &str, outline: &Outline<'_>) -> Option<Scenario> {
    let (start, end, entries) = timeline_section(text, outline)?;
    let mut rest = String::with_capacity(text.len());
    rest.push_str(&text[..start]);
    rest.extend(
        text[start..end]
            .bytes()
            .map(|b| if b == b'\n' { '\n' } else { ' ' }),
    );
    rest.push_str(&text[end..]);
    let mut scenario: Scenario = serde_norway::from_str(&rest).ok()?;
    drop(rest);
    assert!(scenario.timeline.is_empty(), "the timeline was blanked out");
    scenario.timeline.reserve_exact(entries.len());
    for batch in entries.chunks(BATCH_ENTRIES) {
        let first = batch[0];
        let after = entries
            .get(scenario.timeline.len() + batch.len())
            .copied()
            .unwrap_or(end);
        let piece: Vec<TimelineEntry> = serde_norway::from_str(&text[first..after]).ok()?;
        if piece.len() != batch.len() {
            return None;
        }
        scenario.timeline.extend(piece);
    }
    assert_eq!(scenario.timeline.len(), entries.len());
    Some(scenario)
}

/// The byte range of the `timeline` section (key to next root key) and its entries' line
/// starts, when the document is a block mapping with distinct plain keys whose sections stand
/// alone and `timeline` is a block sequence.
fn timeline_section<'o>(
    text: &str,
    outline: &'o Outline<'_>,
) -> Option<(usize, usize, &'o [usize])> {
    if !outline.self_contained {
        return None;
    }
    let keys = &outline.root_keys;
    let names: BTreeSet<&str> = keys.iter().filter_map(|k| k.name).collect();
    if names.len() != keys.len() {
        return None;
    }
    let index = keys.iter().position(|k| k.name == Some("timeline"))?;
    let key = &keys[index];
    let end = keys.get(index + 1).map_or(text.len(), |k| k.offset_bytes);
    if key.entries.is_empty() {
        return None;
    }
    assert!(
        key.entries.windows(2).all(|w| w[0] < w[1]),
        "entries in text order"
    );
    assert!(key.offset_bytes < key.entries[0] && key.entries[key.entries.len() - 1] < end);
    Some((key.offset_bytes, end, &key.entries))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::measure;

    const FULL: &str = include_str!("../tests/data/full.yaml");

    fn whole(text: &str) -> Option<Scenario> {
        serde_norway::from_str(text).ok()
    }

    fn split(text: &str) -> Option<Scenario> {
        deserialize(text, &measure(text).ok()?)
    }

    #[test]
    fn the_full_example_splits_into_what_the_whole_text_says() {
        let split = split(FULL).expect("full.yaml splits");
        assert_eq!(Some(split), whole(FULL));
    }

    #[test]
    fn every_suite_scenario_splits_into_what_the_whole_text_says() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let mut split_count = 0;
        for entry in std::fs::read_dir(dir).expect("scenarios/ exists") {
            let path = entry.expect("readable entry").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).expect("readable scenario");
                // Nothing to split without a written timeline (exploration scenarios draw
                // theirs): loading takes the whole document.
                if whole(&text).is_some_and(|s| s.timeline.is_empty()) {
                    continue;
                }
                let split = split(&text);
                assert!(split.is_some(), "{} does not split", path.display());
                assert_eq!(split, whole(&text), "{}", path.display());
                split_count += 1;
            }
        }
        assert!(split_count >= 30, "{split_count} scenarios");
    }

    #[test]
    fn a_long_timeline_is_read_in_batches() {
        // full.yaml has 25 entries; one more is put first and 2 * BATCH_ENTRIES + 5 at the end.
        let mut text = FULL.replace(
            "timeline:\n",
            "timeline:\n  - {at: 0, write: {disk: quorum, block: 1}}\n",
        );
        let line = "  - at: 3s\n    write: {disk: quorum, block: 2}  # a comment\n\n";
        let at = text
            .find("random_faults:")
            .expect("random_faults follows the timeline");
        text.insert_str(at, &line.repeat(BATCH_ENTRIES * 2 + 5));
        let split = split(&text).expect("splits");
        assert_eq!(split.timeline.len(), 26 + BATCH_ENTRIES * 2 + 5);
        assert_eq!(Some(split), whole(&text));
    }

    #[test]
    fn documents_whose_sections_depend_on_each_other_are_not_split() {
        for text in [
            FULL.replace("timeline:\n", "timeline: &t\n"),
            format!("%YAML 1.1\n---\n{FULL}"),
            FULL.replace("  - at: 1s\n", "  - at: !!str 1s\n"),
            FULL.replace(
                "timeline:\n",
                "timeline:\n  - {at: 0, write: {disk: quorum, block: 1}}\ntimeline:\n",
            ),
        ] {
            let outline = measure(&text).expect("measures");
            assert_eq!(timeline_section(&text, &outline), None, "{text}");
        }
    }

    #[test]
    fn a_broken_piece_gives_up_instead_of_erring() {
        let text = FULL.replace("block: 7, blocks: 3", "block: seven");
        assert_eq!(split(&text), None);
        assert!(whole(&text).is_none());
    }
}
