//! Finds where a node of a scenario document sits in the text: maps a [`NodePath`] (or the key
//! that introduces it) to line, column and byte span, by walking the YAML events of
//! saphyr-parser, which carry spans. Owns positions only; it must never judge the document
//! (serde_norway decides what parses; `validate` decides what is valid).

use crate::path::{NodePath, Segment};
use saphyr_parser::{Event, Parser, Span};
use std::collections::{BTreeMap, BTreeSet};

/// Deepest nesting the locator follows; deeper documents were already refused by serde_norway
/// (whose recursion limit is 128).
pub const LOCATE_DEPTH_MAX: usize = 512;

/// Which part of a mapping entry a problem is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Anchor {
    /// The value at the path.
    Value,
    /// The key that introduces the value at the path (for "this field must not be here").
    Key,
}

/// A place in the text: 1-based line and column (columns count characters) and a byte span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset_bytes: usize,
    pub len_bytes: usize,
}

/// Byte offset of a 1-based (line, column-in-characters) position; clamps to the text.
pub fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let rest = &text[line_start..];
    let within = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    line_start + within
}

/// Positions of the given targets. A target whose node cannot be found (it sits behind an
/// alias, or the text does not parse) gets the position of its deepest ancestor that can, and
/// at worst line 1, column 1.
pub fn locate(text: &str, targets: &[(NodePath, Anchor)]) -> Vec<Position> {
    let mut wanted = BTreeSet::new();
    for (path, anchor) in targets {
        wanted.insert((path.to_string(), *anchor));
        for n in 1..=path.segments().len() {
            wanted.insert((path.ancestor(n).to_string(), Anchor::Value));
        }
    }
    let found = walk(text, &wanted);
    let positions: Vec<Position> = targets
        .iter()
        .map(|(path, anchor)| resolve(text, &found, path, *anchor))
        .collect();
    assert_eq!(positions.len(), targets.len());
    for p in &positions {
        assert!(p.line >= 1 && p.column >= 1, "positions are 1-based");
        assert!(
            p.offset_bytes + p.len_bytes <= text.len(),
            "spans lie in the text"
        );
    }
    positions
}

fn resolve(
    text: &str,
    found: &BTreeMap<(String, Anchor), Span>,
    path: &NodePath,
    anchor: Anchor,
) -> Position {
    if let Some(span) = found.get(&(path.to_string(), anchor)) {
        return position(text, span);
    }
    for n in 0..=path.segments().len() {
        if let Some(span) = found.get(&(path.ancestor(n).to_string(), Anchor::Value)) {
            return position(text, span);
        }
    }
    Position {
        line: 1,
        column: 1,
        offset_bytes: 0,
        len_bytes: 0,
    }
}

fn position(text: &str, span: &Span) -> Position {
    let line = span.start.line().max(1);
    let column = span.start.col() + 1;
    let offset_bytes = byte_offset(text, line, column);
    let end_bytes = byte_offset(text, span.end.line().max(1), span.end.col() + 1);
    let line_end = text[offset_bytes..]
        .find('\n')
        .map_or(text.len(), |i| offset_bytes + i);
    let len_bytes = end_bytes.clamp(offset_bytes, line_end) - offset_bytes;
    Position {
        line,
        column,
        offset_bytes,
        len_bytes: len_bytes.max(1).min(text.len() - offset_bytes),
    }
}

/// One open collection while walking events.
enum Frame {
    Mapping {
        key: Option<String>,
        next_is_key: bool,
    },
    Sequence {
        next_index: usize,
    },
    /// Inside a complex (non-scalar) mapping key: no path reaches it.
    Skipped,
}

/// What a node that starts a collection contributes to the path, and whether its path is
/// wanted.
enum Opening {
    Skipped,
    Child(Option<Segment>, bool),
}

struct Walker<'w> {
    wanted: &'w BTreeSet<(String, Anchor)>,
    found: BTreeMap<(String, Anchor), Span>,
    /// Open collections, each with whether it pushed a segment onto `path`.
    frames: Vec<(Frame, bool)>,
    /// Per open collection, whether its own path is wanted: every ancestor of a target is, so
    /// nothing below an unwanted collection can be and its nodes are skipped unnamed.
    wanted_frames: Vec<bool>,
    path: Vec<Segment>,
}

fn walk(text: &str, wanted: &BTreeSet<(String, Anchor)>) -> BTreeMap<(String, Anchor), Span> {
    let mut walker = Walker {
        wanted,
        found: BTreeMap::new(),
        frames: Vec::new(),
        wanted_frames: Vec::new(),
        path: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0usize;
    while let Some(Ok((event, span))) = parser.next_event() {
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    break;
                }
            }
            Event::Scalar(value, ..) => {
                walker.node(&span, Some(&value));
            }
            Event::Alias(_) => {
                walker.node(&span, None);
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if walker.frames.len() >= LOCATE_DEPTH_MAX {
                    break;
                }
                let opening = walker.node(&span, None);
                walker.open(opening, matches!(event, Event::MappingStart(..)));
            }
            Event::SequenceEnd | Event::MappingEnd => walker.close(),
            _ => {}
        }
    }
    walker.found
}

impl Walker<'_> {
    /// Records the node at the current path plus `extra` if it is wanted; returns whether it
    /// is.
    fn record(&mut self, extra: Option<&Segment>, anchor: Anchor, span: &Span) -> bool {
        if !self.wanted_frames.last().copied().unwrap_or(true) {
            return false;
        }
        let mut path = NodePath::root();
        for segment in self.path.iter().chain(extra) {
            path = match segment {
                Segment::Key(key) => path.key(key),
                Segment::Index(index) => path.index(*index),
            };
        }
        let key = (path.to_string(), anchor);
        let wanted = self.wanted.contains(&key);
        if wanted {
            self.found.entry(key).or_insert(*span);
        }
        wanted
    }

    /// A node starts: a scalar (`scalar` holds its text), an alias or a collection.
    fn node(&mut self, span: &Span, scalar: Option<&str>) -> Opening {
        let segment = match self.frames.last_mut() {
            None => None,
            Some((Frame::Skipped, _)) => return Opening::Skipped,
            Some((Frame::Sequence { next_index }, _)) => {
                *next_index += 1;
                Some(Segment::Index(*next_index - 1))
            }
            Some((Frame::Mapping { key, next_is_key }, _)) if *next_is_key => {
                // A key adds no path of its own; a complex (collection) key is skipped whole.
                *next_is_key = false;
                *key = scalar.map(str::to_string);
                if let Some(name) = scalar {
                    let segment = Segment::Key(name.to_string());
                    self.record(Some(&segment), Anchor::Key, span);
                }
                return Opening::Skipped;
            }
            Some((Frame::Mapping { key, next_is_key }, _)) => {
                *next_is_key = true;
                // A value under a complex key has no path a validator could name.
                Some(Segment::Key(key.take().unwrap_or_else(|| "\0".to_string())))
            }
        };
        let wanted = self.record(segment.as_ref(), Anchor::Value, span);
        Opening::Child(segment, wanted)
    }

    fn open(&mut self, opening: Opening, is_mapping: bool) {
        let (frame, wanted) = match opening {
            Opening::Skipped => ((Frame::Skipped, false), false),
            Opening::Child(segment, wanted) => {
                let pushed = segment.is_some();
                self.path.extend(segment);
                let frame = if is_mapping {
                    Frame::Mapping {
                        key: None,
                        next_is_key: true,
                    }
                } else {
                    Frame::Sequence { next_index: 0 }
                };
                ((frame, pushed), wanted)
            }
        };
        self.frames.push(frame);
        self.wanted_frames.push(wanted);
    }

    fn close(&mut self) {
        self.wanted_frames.pop();
        if let Some((_, true)) = self.frames.pop() {
            let popped = self.path.pop();
            assert!(popped.is_some(), "a frame that pushed a segment pops one");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, path: NodePath, anchor: Anchor) -> (usize, usize, &str) {
        let position = locate(text, &[(path, anchor)])[0];
        let end = position.offset_bytes + position.len_bytes;
        (
            position.line,
            position.column,
            &text[position.offset_bytes..end],
        )
    }

    const TEXT: &str = "\
a:
  b:
    - x: 1
    - {x: 2, y: \"é\", z: 3}
c: [p, q]
";

    #[test]
    fn values_are_found_by_path_in_block_and_flow_style() {
        let root = NodePath::root();
        let b = root.key("a").key("b");
        assert_eq!(at(TEXT, b.index(0).key("x"), Anchor::Value), (3, 10, "1"));
        assert_eq!(at(TEXT, b.index(1).key("x"), Anchor::Value), (4, 11, "2"));
        assert_eq!(at(TEXT, b.index(1).key("z"), Anchor::Value), (4, 25, "3"));
        assert_eq!(at(TEXT, root.key("c").index(1), Anchor::Value), (5, 8, "q"));
    }

    #[test]
    fn keys_are_found_when_asked_for() {
        let path = NodePath::root().key("a").key("b").index(1).key("z");
        assert_eq!(at(TEXT, path, Anchor::Key), (4, 22, "z"));
    }

    #[test]
    fn missing_nodes_fall_back_to_their_deepest_ancestor() {
        let path = NodePath::root()
            .key("a")
            .key("b")
            .index(0)
            .key("nope")
            .index(3);
        let (line, column, _) = at(TEXT, path, Anchor::Value);
        assert_eq!((line, column), (3, 7), "the mapping of b[0] starts at 3:7");
        let (line, column, _) = at(TEXT, NodePath::root().key("zz"), Anchor::Key);
        assert_eq!((line, column), (1, 1), "the root starts at 1:1");
    }

    #[test]
    fn nodes_behind_aliases_point_at_the_alias() {
        let text = "a: &w {x: 1}\nb: *w\n";
        let path = NodePath::root().key("b").key("x");
        assert_eq!(at(text, path, Anchor::Value), (2, 4, "*w"));
    }

    #[test]
    fn complex_keys_are_skipped_without_confusing_later_paths() {
        let text = "? [k1, k2]\n: v\nafter: 5\n";
        assert_eq!(
            at(text, NodePath::root().key("after"), Anchor::Value),
            (3, 8, "5")
        );
    }

    #[test]
    fn byte_offsets_count_characters_within_a_line() {
        let text = "é: 1\nxé: 2\n";
        assert_eq!(byte_offset(text, 1, 4), 4);
        assert_eq!(byte_offset(text, 2, 5), 11);
        assert_eq!(byte_offset(text, 9, 1), text.len());
    }
}
