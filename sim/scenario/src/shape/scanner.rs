//! A YAML tokenizer that follows libyaml's (the one serde_norway runs) token by token, but keeps
//! no token text: it reports where collections open and close, where scalars, aliases, anchors
//! and block keys sit, and skips what libyaml skips (scalars, comments, tags) by libyaml's own
//! rules, so a bracket inside a string or a comment never counts. Owns that walk; it must never
//! judge the document (a libyaml error is not detected here; past one, libyaml stops and what
//! this scanner says no longer matters).
//!
//! Each step costs O(1) plus the open flow levels (as in libyaml), so the walk is linear while
//! `shape` keeps nesting bounded; every loop advances through the text.

mod scalars;

/// A place in the text: 1-based line and column (columns count characters), byte offset and
/// the byte offset of its line's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    pub line: usize,
    pub column: usize,
    pub offset_bytes: usize,
    pub line_start_bytes: usize,
}

/// What the scanner saw, in text order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step<'t> {
    /// A collection opens: block mapping or sequence (also one without indentation), flow
    /// mapping or sequence, or a single-pair mapping inside a flow sequence. `token` numbers
    /// the token it starts at (a block mapping starts at its first key, found later).
    Open {
        at: Place,
        token: u64,
        /// Opened around a key found earlier: everything since that key's `KeyStart` was
        /// inside it.
        around_key: bool,
    },
    /// The innermost open collection closes.
    Close,
    /// A scalar (plain, quoted or block) starts.
    Scalar { at: Place, token: u64 },
    Alias {
        at: Place,
        token: u64,
        name: &'t str,
    },
    /// An anchor (`&name`) for the node that follows.
    Anchor { token: u64, name: &'t str },
    /// A token that may start an implicit key at a flow level (0 is the block level): if a
    /// `:` makes it one, a mapping opens at this token, around everything met since.
    KeyStart { token: u64, level: usize },
    /// A key of a block mapping, with its text when it is a plain scalar.
    Key { at: Place, plain: Option<&'t str> },
    /// A block sequence entry (`- `).
    Entry { at: Place },
    /// Something that ties a part of the document to the rest or to its place: a directive
    /// (`%YAML`), a document marker (`---`, `...`), a tag (`!x`) or an explicit block key (`? `).
    Marker,
}

/// A possible implicit key (libyaml's "simple key") at one flow level.
#[derive(Clone, Copy, Debug)]
struct SimpleKey {
    possible: bool,
    token: u64,
    at: Place,
    index: usize,
    /// End of the key's text when it is a plain scalar.
    plain_end_bytes: Option<usize>,
}

const NO_KEY: SimpleKey = SimpleKey {
    possible: false,
    token: 0,
    at: Place {
        line: 0,
        column: 0,
        offset_bytes: 0,
        line_start_bytes: 0,
    },
    index: 0,
    plain_end_bytes: None,
};

/// One open block collection: its column and whether it is a mapping, with an open
/// indentless sequence (`key:` then `- ` at the key's column) inside it.
#[derive(Clone, Copy, Debug)]
struct Level {
    column: isize,
    mapping: bool,
    indentless: bool,
}

/// Where a collection opens (see [`Step::Open`]).
#[derive(Clone, Copy, Debug)]
struct Start {
    at: Place,
    token: u64,
    around_key: bool,
}

impl Start {
    fn open<'t>(self) -> Step<'t> {
        Step::Open {
            at: self.at,
            token: self.token,
            around_key: self.around_key,
        }
    }
}

/// One open flow collection, and whether a single-pair mapping (`[a: b]`) is open inside it.
#[derive(Clone, Copy, Debug)]
struct Flow {
    mapping: bool,
    pair_open: bool,
}

/// libyaml refuses these characters (its reader stops there): C0 controls but tab, LF and CR;
/// DEL; C1 controls but NEL; U+FFFE and U+FFFF.
pub(crate) fn is_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}')
        || matches!(c, '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

pub(crate) struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// Where libyaml's reader stops: the first character it refuses, or the end.
    end: usize,
    pos: usize,
    line: usize,
    column: usize,
    index: usize,
    line_start: usize,
    indents: Vec<Level>,
    flows: Vec<Flow>,
    /// One per flow level plus the block level.
    simple_keys: Vec<SimpleKey>,
    simple_key_allowed: bool,
    tokens: u64,
}

impl<'t> Scanner<'t> {
    pub fn new(text: &'t str) -> Scanner<'t> {
        let end = text
            .char_indices()
            .find(|(_, c)| !is_printable(*c))
            .map_or(text.len(), |(i, _)| i);
        Scanner {
            text,
            bytes: text.as_bytes(),
            end,
            pos: 0,
            line: 0,
            column: 0,
            index: 0,
            line_start: 0,
            indents: Vec::new(),
            flows: Vec::new(),
            simple_keys: vec![NO_KEY],
            simple_key_allowed: true,
            tokens: 0,
        }
    }

    /// Walks the whole text, handing each step to `sink`; stops early when `sink` says so.
    pub fn run(&mut self, sink: &mut dyn FnMut(Step<'t>) -> bool) {
        let mut go = true;
        while go {
            let before = self.pos;
            let (more, went) = self.fetch(sink);
            go = more && went;
            assert!(!go || self.pos > before, "every token advances the scanner");
        }
    }

    // ----- characters -----

    fn byte_at(&self, k: usize) -> u8 {
        let i = self.pos + k;
        if i < self.end {
            self.bytes[i]
        } else {
            0
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.end
    }

    /// Length in bytes of the line break at `pos + k`, or 0.
    fn break_len_at(&self, k: usize) -> usize {
        match self.byte_at(k) {
            b'\r' if self.byte_at(k + 1) == b'\n' => 2,
            b'\n' | b'\r' => 1,
            0xC2 if self.byte_at(k + 1) == 0x85 => 2,
            0xE2 if self.byte_at(k + 1) == 0x80 && matches!(self.byte_at(k + 2), 0xA8 | 0xA9) => 3,
            _ => 0,
        }
    }

    fn is_blank_at(&self, k: usize) -> bool {
        matches!(self.byte_at(k), b' ' | b'\t')
    }

    /// Blank, line break or end of input (libyaml's `IS_BLANKZ`).
    fn is_blankz_at(&self, k: usize) -> bool {
        self.is_blank_at(k) || self.break_len_at(k) > 0 || self.pos + k >= self.end
    }

    fn is_breakz(&self) -> bool {
        self.break_len_at(0) > 0 || self.at_end()
    }

    /// libyaml's `IS_ALPHA`: the characters of anchor names and tag handles.
    fn is_alpha(&self) -> bool {
        matches!(self.byte_at(0), b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'-')
    }

    /// Moves past one character (not a line break).
    fn skip(&mut self) {
        if self.at_end() {
            return;
        }
        let width = match self.bytes[self.pos] {
            b if b < 0x80 => 1,
            b if b < 0xE0 => 2,
            b if b < 0xF0 => 3,
            _ => 4,
        };
        self.pos = (self.pos + width).min(self.end);
        self.column += 1;
        self.index += 1;
    }

    /// Moves past one line break (or one character if there is none).
    fn skip_line(&mut self) {
        let len = self.break_len_at(0);
        if len == 0 {
            self.skip();
            return;
        }
        self.pos += len;
        self.line += 1;
        self.column = 0;
        self.index += if len == 2 && self.bytes[self.pos - 2] == b'\r' {
            2
        } else {
            1
        };
        self.line_start = self.pos;
    }

    fn place(&self) -> Place {
        Place {
            line: self.line + 1,
            column: self.column + 1,
            offset_bytes: self.pos,
            line_start_bytes: self.line_start,
        }
    }

    fn is_document_marker(&self) -> bool {
        let b = |k| self.byte_at(k);
        self.column == 0
            && ((b(0) == b'-' && b(1) == b'-' && b(2) == b'-')
                || (b(0) == b'.' && b(1) == b'.' && b(2) == b'.'))
            && self.is_blankz_at(3)
    }

    fn indent(&self) -> isize {
        self.indents.last().map_or(-1, |level| level.column)
    }

    // ----- tokens -----

    /// Fetches one token. Returns (more tokens may follow, the sink wants more).
    fn fetch(&mut self, sink: &mut dyn FnMut(Step<'t>) -> bool) -> (bool, bool) {
        self.scan_to_next_token();
        self.stale_simple_keys();
        let mut go = self.unroll_indent(self.column as isize, sink);
        if self.at_end() {
            go = go && self.unroll_indent(-1, sink);
            while go && !self.flows.is_empty() {
                go = self.decrease_flow_level(sink);
            }
            return (false, go);
        }
        go = go && self.close_indentless_unless_entry(sink);
        self.tokens += 1;
        if self.simple_key_allowed {
            let level = self.flows.len();
            go = go
                && sink(Step::KeyStart {
                    token: self.tokens,
                    level,
                });
        }
        let more = self.dispatch(sink, &mut go).unwrap_or_default();
        (more, go)
    }

    /// Scans one token by its first character, like libyaml's `fetch_next_token`. Returns
    /// `None` when libyaml would stop with "found character that cannot start any token".
    fn dispatch(&mut self, sink: &mut dyn FnMut(Step<'t>) -> bool, go: &mut bool) -> Option<bool> {
        let c = self.byte_at(0);
        let flow = !self.flows.is_empty();
        if self.column == 0 && c == b'%' {
            *go = self.unroll_indent(-1, sink) && sink(Step::Marker);
            self.remove_simple_key();
            self.simple_key_allowed = false;
            while !self.is_breakz() {
                self.skip();
            }
            return Some(true);
        }
        if self.is_document_marker() {
            *go = self.unroll_indent(-1, sink) && sink(Step::Marker);
            self.remove_simple_key();
            self.simple_key_allowed = false;
            (0..3).for_each(|_| self.skip());
            return Some(true);
        }
        match c {
            b'[' | b'{' => *go = self.flow_start(c == b'{', sink),
            b']' | b'}' => {
                self.remove_simple_key();
                *go = self.decrease_flow_level(sink);
                self.simple_key_allowed = false;
                self.skip();
            }
            b',' => *go = self.flow_entry(sink),
            b'-' if self.is_blankz_at(1) => *go = self.block_entry(sink),
            b'?' if flow || self.is_blankz_at(1) => *go = self.key_indicator(sink),
            b':' if flow || self.is_blankz_at(1) => *go = self.value_indicator(sink),
            b'*' | b'&' => *go = self.anchor(c == b'*', sink),
            b'!' => {
                self.save_simple_key();
                self.simple_key_allowed = false;
                *go = sink(Step::Marker);
                self.scan_tag();
            }
            b'|' | b'>' if !flow => {
                self.remove_simple_key();
                self.simple_key_allowed = true;
                *go = sink(Step::Scalar {
                    at: self.place(),
                    token: self.tokens,
                });
                self.scan_block_scalar();
            }
            b'\'' | b'"' => {
                self.save_simple_key();
                self.simple_key_allowed = false;
                *go = sink(Step::Scalar {
                    at: self.place(),
                    token: self.tokens,
                });
                self.scan_quoted(c == b'\'');
            }
            _ if self.can_start_plain() => *go = self.plain(sink),
            _ => return None,
        }
        Some(true)
    }

    fn can_start_plain(&self) -> bool {
        let c = self.byte_at(0);
        let indicator = b"-?:,[]{}#&*!|>'\"%@`".contains(&c);
        if !(self.is_blankz_at(0) || indicator) {
            return true;
        }
        let next_blank = self.is_blankz_at(1);
        (c == b'-' && !self.is_blank_at(1))
            || (self.flows.is_empty() && (c == b'?' || c == b':') && !next_blank)
    }

    /// Skips spaces, comments and line breaks (tabs too where libyaml allows them).
    fn scan_to_next_token(&mut self) {
        loop {
            if self.column == 0 && self.text[self.pos..self.end].starts_with('\u{FEFF}') {
                self.skip();
            }
            while self.byte_at(0) == b' '
                || ((!self.flows.is_empty() || !self.simple_key_allowed)
                    && self.byte_at(0) == b'\t')
            {
                self.skip();
            }
            if self.byte_at(0) == b'#' {
                while !self.is_breakz() {
                    self.skip();
                }
            }
            if self.break_len_at(0) == 0 {
                break;
            }
            self.skip_line();
            if self.flows.is_empty() {
                self.simple_key_allowed = true;
            }
        }
    }

    /// A possible key that is no longer on this line, or more than 1024 characters back,
    /// cannot be a key.
    fn stale_simple_keys(&mut self) {
        let (line, index) = (self.line + 1, self.index);
        for key in &mut self.simple_keys {
            if key.possible && (key.at.line < line || key.index + 1024 < index) {
                key.possible = false;
            }
        }
    }

    fn save_simple_key(&mut self) {
        if self.simple_key_allowed {
            let key = SimpleKey {
                possible: true,
                token: self.tokens,
                at: self.place(),
                index: self.index,
                plain_end_bytes: None,
            };
            *self
                .simple_keys
                .last_mut()
                .expect("the block level has a key slot") = key;
        }
    }

    fn remove_simple_key(&mut self) {
        if let Some(key) = self.simple_keys.last_mut() {
            key.possible = false;
        }
    }

    /// Where a collection starts: at this token, or around a key found earlier.
    fn start_here(&self) -> Start {
        Start {
            at: self.place(),
            token: self.tokens,
            around_key: false,
        }
    }

    fn start_around(key: &SimpleKey) -> Start {
        Start {
            at: key.at,
            token: key.token,
            around_key: true,
        }
    }

    /// Opens a block collection at `column` if it is deeper than the current one.
    fn roll_indent(
        &mut self,
        column: isize,
        mapping: bool,
        start: Start,
        sink: &mut dyn FnMut(Step<'t>) -> bool,
    ) -> bool {
        if !self.flows.is_empty() || self.indent() >= column {
            return true;
        }
        self.indents.push(Level {
            column,
            mapping,
            indentless: false,
        });
        sink(start.open())
    }

    /// Closes the block collections deeper than `column`.
    fn unroll_indent(&mut self, column: isize, sink: &mut dyn FnMut(Step<'t>) -> bool) -> bool {
        if !self.flows.is_empty() {
            return true;
        }
        let mut go = true;
        while go && self.indent() > column {
            let level = self
                .indents
                .pop()
                .expect("indent() > -1 means a level is open");
            if level.indentless {
                go = sink(Step::Close);
            }
            go = go && sink(Step::Close);
        }
        go
    }

    /// An indentless sequence ends at the first token at its column that is not an entry.
    fn close_indentless_unless_entry(&mut self, sink: &mut dyn FnMut(Step<'t>) -> bool) -> bool {
        let entry = self.byte_at(0) == b'-' && self.is_blankz_at(1);
        let column = self.column as isize;
        match self.indents.last_mut() {
            Some(level)
                if self.flows.is_empty()
                    && level.indentless
                    && level.column == column
                    && !entry =>
            {
                level.indentless = false;
                sink(Step::Close)
            }
            _ => true,
        }
    }

    fn flow_start(&mut self, mapping: bool, sink: &mut dyn FnMut(Step<'t>) -> bool) -> bool {
        self.save_simple_key();
        self.simple_keys.push(NO_KEY);
        self.flows.push(Flow {
            mapping,
            pair_open: false,
        });
        self.simple_key_allowed = true;
        let go = sink(self.start_here().open());
        self.skip();
        go
    }

    fn decrease_flow_level(&mut self, sink: &mut dyn FnMut(Step<'t>) -> bool) -> bool {
        let Some(flow) = self.flows.pop() else {
            return true;
        };
        self.simple_keys.pop();
        assert_eq!(self.simple_keys.len(), self.flows.len() + 1);
        let go = !flow.pair_open || sink(Step::Close);
        go && sink(Step::Close)
    }

    fn flow_entry(&mut self, sink: &mut dyn FnMut(Step<'t>) -> bool) -> bool {
        self.remove_simple_key();
        self.simple_key_allowed = true;
        let mut go = true;
        if let Some(flow) = self.flows.last_mut() {
            if flow.pair_open {
                flow.pair_open = false;
                go = sink(Step::Close);
            }
        }
        self.skip();
        go
    }

    fn block_entry(&mut self, sink: &mut dyn FnMut(Step<'t>) -> bool) -> bool {
        let at = self.place();
        let start = self.start_here();
        let mut go = true;
        if self.flows.is_empty() {
            let column = self.column as isize;
            match self.indents.last_mut() {
                Some(level) if level.column == column && level.mapping => {
                    if !level.indentless {
                        level.indentless = true;
                        go = sink(start.open());
                    }
                }
                _ => go = self.roll_indent(column, false, start, sink),
            }
            go = go && sink(Step::Entry { at });
        }
        self.remove_simple_key();
        self.simple_key_allowed = true;
        self.skip();
        go
    }

    fn key_indicator(&mut self, sink: &mut dyn FnMut(Step<'t>) -> bool) -> bool {
        let go = if self.flows.is_empty() {
            self.roll_indent(self.column as isize, true, self.start_here(), sink)
                && sink(Step::Marker)
        } else {
            self.open_pair(self.start_here(), sink)
        };
        self.remove_simple_key();
        self.simple_key_allowed = self.flows.is_empty();
        self.skip();
        go
    }

    fn value_indicator(&mut self, sink: &mut dyn FnMut(Step<'t>) -> bool) -> bool {
        let key = *self.simple_keys.last().expect("a key slot per level");
        let block = self.flows.is_empty();
        let go = if key.possible {
            self.remove_simple_key();
            self.simple_key_allowed = false;
            if block {
                let column = key.at.column as isize - 1;
                let plain = key
                    .plain_end_bytes
                    .map(|end| &self.text[key.at.offset_bytes..end]);
                self.roll_indent(column, true, Self::start_around(&key), sink)
                    && sink(Step::Key { at: key.at, plain })
            } else {
                self.open_pair(Self::start_around(&key), sink)
            }
        } else {
            self.simple_key_allowed = block;
            if block {
                self.roll_indent(self.column as isize, true, self.start_here(), sink)
            } else {
                self.open_pair(self.start_here(), sink)
            }
        };
        self.skip();
        go
    }

    /// `key: value` directly inside a flow sequence is a single-pair mapping.
    fn open_pair(&mut self, start: Start, sink: &mut dyn FnMut(Step<'t>) -> bool) -> bool {
        match self.flows.last_mut() {
            Some(flow) if !flow.mapping && !flow.pair_open => {
                flow.pair_open = true;
                sink(start.open())
            }
            _ => true,
        }
    }

    fn anchor(&mut self, alias: bool, sink: &mut dyn FnMut(Step<'t>) -> bool) -> bool {
        self.save_simple_key();
        self.simple_key_allowed = false;
        let at = self.place();
        self.skip();
        let start = self.pos;
        while self.is_alpha() {
            self.skip();
        }
        let name = &self.text[start..self.pos];
        if alias {
            sink(Step::Alias {
                at,
                token: self.tokens,
                name,
            })
        } else {
            sink(Step::Anchor {
                token: self.tokens,
                name,
            })
        }
    }

    fn plain(&mut self, sink: &mut dyn FnMut(Step<'t>) -> bool) -> bool {
        self.save_simple_key();
        self.simple_key_allowed = false;
        let token = self.tokens;
        let go = sink(Step::Scalar {
            at: self.place(),
            token,
        });
        let (end, leading_blanks) = self.scan_plain();
        if leading_blanks {
            self.simple_key_allowed = true;
        }
        if let Some(key) = self.simple_keys.last_mut() {
            if key.possible && key.token == token {
                key.plain_end_bytes = Some(end);
            }
        }
        go
    }

    // ----- scalars and tags -----
}
