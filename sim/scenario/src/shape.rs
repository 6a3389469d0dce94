//! The shape of a scenario's YAML text, measured in one linear pass before any parser sees it:
//! how deeply it nests (block indentation, brackets, single-pair mappings and what aliases
//! expand to; never what sits inside strings, comments or block scalars) and how many values it
//! holds once aliases are expanded. A text past [`NESTING_DEPTH_MAX`] or [`NODES_MAX`] is
//! refused at the token that crosses the limit, because the parsers' cost grows with the square
//! of the nesting and aliases multiply the work of deserialising. Also outlines the root
//! mapping (its keys and the entries of their block sequences) so `load` can deserialise a long
//! timeline in pieces. Owns that measurement; it must never build a tree or decide what a
//! scenario means.

mod scanner;

use scanner::{Place, Scanner, Step};
use std::collections::BTreeMap;

/// Deepest nesting accepted: 64 levels, counting block and flow collections and the contents
/// of aliases. A scenario needs about 10; serde_norway stops at 128.
pub const NESTING_DEPTH_MAX: usize = 64;
/// Most values (scalars and collections) a document may hold once its aliases are expanded:
/// 2^21. The largest timeline allowed holds about 1.1 million.
pub const NODES_MAX: u64 = 1 << 21;

/// Why a text was refused before parsing, at a 1-based line and column and a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub line: usize,
    pub column: usize,
    pub offset_bytes: usize,
    pub message: String,
}

/// A key of the root block mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootKey<'t> {
    /// The key's text when it is a plain scalar.
    pub name: Option<&'t str>,
    /// Where the key starts: its section runs to the next root key.
    pub offset_bytes: usize,
    /// Line starts of the entries of the block sequence under the key (each line holds only
    /// spaces before the entry's `-`).
    pub entries: Vec<usize>,
}

/// What the scan found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outline<'t> {
    /// True when each root section parses the same on its own: no anchors, aliases, tags,
    /// directives, document markers or explicit (`? `) block keys.
    pub self_contained: bool,
    pub root_keys: Vec<RootKey<'t>>,
    /// Deepest nesting seen and values counted (aliases expanded).
    pub depth_max: usize,
    pub nodes: u64,
}

/// Measures `text`; refuses it at the first place that crosses a limit.
pub fn measure(text: &str) -> Result<Outline<'_>, Refusal> {
    if let Some(refusal) = unprintable(text) {
        return Err(refusal);
    }
    let mut walk = Walk::default();
    let mut refusal = None;
    Scanner::new(text).run(&mut |step| match walk.step(text, step) {
        Ok(()) => true,
        Err(r) => {
            refusal = Some(r);
            false
        }
    });
    if let Some(refusal) = refusal {
        return Err(refusal);
    }
    assert!(walk.outline.depth_max <= NESTING_DEPTH_MAX);
    assert!(walk.outline.nodes <= NODES_MAX);
    Ok(walk.outline)
}

/// The first character YAML does not allow in a stream (libyaml's reader stops there, and
/// reports only a byte position): refused here with its line and column, named by code point
/// so that the message itself stays printable.
fn unprintable(text: &str) -> Option<Refusal> {
    let (offset_bytes, c) = text
        .char_indices()
        .find(|(_, c)| !scanner::is_printable(*c))?;
    let before = &text[..offset_bytes];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some(Refusal {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
        offset_bytes,
        message: format!(
            "character U+{:04X} is not allowed in a scenario file (YAML allows no control \
             characters but tab, line feed and carriage return); remove it or write it as an \
             escape inside a double-quoted string, such as \"\\x{:02X}\"",
            c as u32,
            (c as u32).min(0xFF)
        ),
    })
}

/// One open collection: the anchor definition it carries, the node count when it opened,
/// and the deepest nesting reached inside it.
#[derive(Debug)]
struct Frame {
    anchor: Option<usize>,
    nodes_at_open: u64,
    depth_max: usize,
}

/// What an anchor's node expands to when aliased: its values and its height in levels.
#[derive(Clone, Copy, Debug)]
struct Expansion {
    nodes: u64,
    height: usize,
}

const LEAF: Expansion = Expansion {
    nodes: 1,
    height: 0,
};

/// Anchor definitions in text order, as libyaml sees them: a later `&a` replaces an earlier
/// one for the aliases that follow, and a definition stays open until its node closes.
#[derive(Debug, Default)]
struct Anchors<'t> {
    /// Name → its latest definition.
    current: BTreeMap<&'t str, usize>,
    /// Per definition, what it expands to once its node is complete.
    expansions: Vec<Option<Expansion>>,
    /// An anchor waiting for its node: its name and the token it stands at.
    pending: Option<(&'t str, u64)>,
    /// A definition given to a scalar or alias, with its anchor's token: it moves to a
    /// mapping that opens around that node as its first key, when the anchor stands before
    /// the key (`key: &a` then `x: 1` on the next line), not on it (`&a x: 1`).
    tentative: Option<(usize, u64, &'t str)>,
}

/// What an alias refers to.
enum Target {
    Unknown,
    /// The alias sits inside the node it names (or is that node): it expands without end.
    Open,
    Complete(Expansion),
}

impl<'t> Anchors<'t> {
    fn define(&mut self, name: &'t str, expansion: Option<Expansion>) -> usize {
        let id = self.expansions.len();
        self.expansions.push(expansion);
        self.current.insert(name, id);
        id
    }

    /// A scalar or alias takes the pending anchor, for now.
    fn leaf(&mut self) {
        if let Some((name, token)) = self.pending.take() {
            let id = self.define(name, Some(LEAF));
            self.tentative = Some((id, token, name));
        }
    }

    /// A collection opening at `token` takes the pending anchor, or (when it opens around a
    /// key) the one its first key took; `tentative` is what was tentative before this step.
    fn open(
        &mut self,
        token: u64,
        around_key: bool,
        tentative: Option<(usize, u64, &'t str)>,
    ) -> Option<usize> {
        if let Some((name, _)) = self.pending.take() {
            return Some(self.define(name, None));
        }
        let (id, _, _) = tentative.filter(|(_, anchor, _)| around_key && *anchor < token)?;
        self.expansions[id] = None;
        Some(id)
    }

    fn target(&self, name: &str, tentative: Option<(usize, u64, &'t str)>) -> Target {
        let waiting = self.pending.is_some_and(|(n, _)| n == name)
            || tentative.is_some_and(|(_, _, n)| n == name);
        match self.current.get(name) {
            _ if waiting => Target::Open,
            None => Target::Unknown,
            Some(&id) => match self.expansions[id] {
                None => Target::Open,
                Some(expansion) => Target::Complete(expansion),
            },
        }
    }
}

#[derive(Debug)]
struct Walk<'t> {
    outline: Outline<'t>,
    open: Vec<Frame>,
    anchors: Anchors<'t>,
    /// Per flow level (0 is the block level), the token where an implicit key may start and
    /// the deepest nesting reached since: when a mapping opens around that key, all of it was
    /// one level deeper (`[[a]]: b`, `[[a]: b]`).
    key_starts: Vec<(u64, usize)>,
}

impl Default for Walk<'_> {
    fn default() -> Self {
        Walk {
            outline: Outline {
                self_contained: true,
                root_keys: Vec::new(),
                depth_max: 0,
                nodes: 0,
            },
            open: Vec::new(),
            anchors: Anchors::default(),
            key_starts: Vec::new(),
        }
    }
}

impl<'t> Walk<'t> {
    fn step(&mut self, text: &'t str, step: Step<'t>) -> Result<(), Refusal> {
        let tentative = self.anchors.tentative.take();
        match step {
            Step::Open {
                at,
                token,
                around_key,
            } => {
                let anchor = self.anchors.open(token, around_key, tentative);
                let key_deepest = self
                    .key_starts
                    .iter()
                    .find(|(t, _)| around_key && *t == token)
                    .map(|(_, deepest)| *deepest);
                self.open(at, anchor)?;
                if let Some(deepest) = key_deepest {
                    self.reach(at, deepest + 1)?;
                }
            }
            Step::KeyStart { token, level } => {
                self.key_starts.truncate(level);
                self.key_starts.push((token, self.open.len()));
            }
            Step::Close => self.close(),
            Step::Scalar { at, .. } => {
                self.count(at, 1)?;
                self.anchors.leaf();
            }
            Step::Alias { at, name, .. } => {
                self.alias(at, name, tentative)?;
                self.anchors.leaf();
            }
            Step::Anchor { token, name } => {
                self.outline.self_contained = false;
                self.anchors.pending = Some((name, token));
            }
            Step::Key { at, plain } => self.key(at, plain),
            Step::Entry { at } => self.entry(text, at),
            Step::Marker => self.outline.self_contained = false,
        }
        Ok(())
    }

    fn count(&mut self, at: Place, nodes: u64) -> Result<(), Refusal> {
        self.outline.nodes = self.outline.nodes.saturating_add(nodes);
        if self.outline.nodes > NODES_MAX {
            return Err(refusal(
                at,
                format!(
                    "the document holds more than {NODES_MAX} values once its aliases are \
                     expanded (the limit NODES_MAX); repeat less through aliases (`*name`) or \
                     split the scenario"
                ),
            ));
        }
        Ok(())
    }

    fn reach(&mut self, at: Place, depth: usize) -> Result<(), Refusal> {
        if depth > NESTING_DEPTH_MAX {
            return Err(refusal(
                at,
                format!(
                    "the document nests more than {NESTING_DEPTH_MAX} levels deep here (the limit \
                     NESTING_DEPTH_MAX; indentation, brackets and what aliases expand to all \
                     count); a scenario needs about 10, so flatten this part"
                ),
            ));
        }
        self.outline.depth_max = self.outline.depth_max.max(depth);
        for (_, deepest) in &mut self.key_starts {
            *deepest = (*deepest).max(depth);
        }
        if let Some(frame) = self.open.last_mut() {
            frame.depth_max = frame.depth_max.max(depth);
        }
        Ok(())
    }

    fn open(&mut self, at: Place, anchor: Option<usize>) -> Result<(), Refusal> {
        self.count(at, 1)?;
        let depth = self.open.len() + 1;
        self.reach(at, depth)?;
        self.open.push(Frame {
            anchor,
            nodes_at_open: self.outline.nodes - 1,
            depth_max: depth,
        });
        Ok(())
    }

    fn close(&mut self) {
        let frame = self
            .open
            .pop()
            .expect("the scanner closes only what it opened");
        let depth = self.open.len();
        if let Some(parent) = self.open.last_mut() {
            parent.depth_max = parent.depth_max.max(frame.depth_max);
        }
        if let Some(id) = frame.anchor {
            self.anchors.expansions[id] = Some(Expansion {
                nodes: self.outline.nodes - frame.nodes_at_open,
                height: frame.depth_max - depth,
            });
        }
    }

    /// An alias counts as a copy of what its anchor holds, at the alias's depth.
    fn alias(
        &mut self,
        at: Place,
        name: &'t str,
        tentative: Option<(usize, u64, &'t str)>,
    ) -> Result<(), Refusal> {
        self.outline.self_contained = false;
        let expansion = match self.anchors.target(name, tentative) {
            Target::Unknown => LEAF,
            Target::Complete(expansion) => expansion,
            Target::Open => {
                return Err(refusal(
                    at,
                    format!(
                        "alias `*{name}` sits inside the node it names, so it nests without end \
                         (the limit NESTING_DEPTH_MAX); alias only a node that is complete \
                         before the alias"
                    ),
                ))
            }
        };
        self.count(at, expansion.nodes.max(1))?;
        self.reach(at, self.open.len() + expansion.height)
    }

    /// A key of the root mapping starts a section.
    fn key(&mut self, at: Place, plain: Option<&'t str>) {
        if self.open.len() == 1 {
            self.outline.root_keys.push(RootKey {
                name: plain,
                offset_bytes: at.offset_bytes,
                entries: Vec::new(),
            });
        }
    }

    /// An entry of a block sequence directly under a root key.
    fn entry(&mut self, text: &str, at: Place) {
        if self.open.len() != 2 {
            return;
        }
        let Some(key) = self.outline.root_keys.last_mut() else {
            return;
        };
        let indentation = &text[at.line_start_bytes..at.offset_bytes];
        if indentation.bytes().all(|b| b == b' ') {
            key.entries.push(at.line_start_bytes);
        } else {
            self.outline.self_contained = false;
        }
    }
}

fn refusal(at: Place, message: String) -> Refusal {
    Refusal {
        line: at.line,
        column: at.column,
        offset_bytes: at.offset_bytes,
        message,
    }
}
