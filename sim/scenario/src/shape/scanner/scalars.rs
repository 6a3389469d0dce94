//! The scalar and tag skippers of the [`Scanner`](super::Scanner): plain, quoted and block
//! scalars and tags, passed over by libyaml's own rules so that nothing inside them counts as
//! structure. Owns those rules; it must never report a step itself (the scanner does).

use super::*;

impl Scanner<'_> {
    /// Skips a plain scalar and the blanks after it; returns the end of its text and whether
    /// it ended after a line break.
    pub(super) fn scan_plain(&mut self) -> (usize, bool) {
        let indent = self.indent() + 1;
        let flow = !self.flows.is_empty();
        let mut end = self.pos;
        let mut leading_blanks = false;
        loop {
            if self.is_document_marker() || self.byte_at(0) == b'#' {
                break;
            }
            while !self.is_blankz_at(0) {
                let c = self.byte_at(0);
                if (c == b':'
                    && (self.is_blankz_at(1) || (flow && b",?[]{}".contains(&self.byte_at(1)))))
                    || (flow && b",[]{}".contains(&c))
                {
                    break;
                }
                self.skip();
            }
            end = self.pos;
            if !(self.is_blank_at(0) || self.break_len_at(0) > 0) {
                break;
            }
            while self.is_blank_at(0) || self.break_len_at(0) > 0 {
                if self.is_blank_at(0) {
                    self.skip();
                } else {
                    self.skip_line();
                    leading_blanks = true;
                }
            }
            if !flow && (self.column as isize) < indent {
                break;
            }
        }
        (end, leading_blanks)
    }

    /// Skips a single- or double-quoted scalar, quotes included.
    pub(super) fn scan_quoted(&mut self, single: bool) {
        let quote = if single { b'\'' } else { b'"' };
        self.skip();
        loop {
            if self.is_document_marker() || self.at_end() {
                return;
            }
            while !self.is_blankz_at(0) {
                let c = self.byte_at(0);
                if single && c == b'\'' && self.byte_at(1) == b'\'' {
                    self.skip();
                    self.skip();
                } else if c == quote {
                    break;
                } else if !single && c == b'\\' && self.break_len_at(1) > 0 {
                    self.skip();
                    self.skip_line();
                    break;
                } else if !single && c == b'\\' {
                    self.skip();
                    self.skip();
                } else {
                    self.skip();
                }
            }
            if self.byte_at(0) == quote {
                self.skip();
                return;
            }
            while self.is_blank_at(0) || self.break_len_at(0) > 0 {
                if self.is_blank_at(0) {
                    self.skip();
                } else {
                    self.skip_line();
                }
            }
        }
    }

    /// Skips a literal (`|`) or folded (`>`) scalar: its header and every line indented at
    /// least as much as its content.
    pub(super) fn scan_block_scalar(&mut self) {
        self.skip();
        let mut increment = 0isize;
        for _ in 0..2 {
            match self.byte_at(0) {
                b'+' | b'-' => self.skip(),
                b'1'..=b'9' if increment == 0 => {
                    increment = isize::from(self.byte_at(0) - b'0');
                    self.skip();
                }
                _ => break,
            }
        }
        while self.is_blank_at(0) {
            self.skip();
        }
        if self.byte_at(0) == b'#' {
            while !self.is_breakz() {
                self.skip();
            }
        }
        if !self.is_breakz() {
            return; // libyaml stops: "did not find expected comment or line break"
        }
        self.skip_line();
        let mut indent = 0isize;
        if increment != 0 {
            indent = if self.indent() >= 0 {
                self.indent() + increment
            } else {
                increment
            };
        }
        self.block_scalar_breaks(&mut indent);
        while self.column as isize == indent && !self.at_end() {
            while !self.is_breakz() {
                self.skip();
            }
            self.block_scalar_breaks(&mut indent);
        }
    }

    /// Skips the indentation and empty lines of a block scalar; settles its indentation on
    /// the first content line when the header gave none.
    pub(super) fn block_scalar_breaks(&mut self, indent: &mut isize) {
        let mut max_indent = 0isize;
        loop {
            while (*indent == 0 || (self.column as isize) < *indent) && self.byte_at(0) == b' ' {
                self.skip();
            }
            max_indent = max_indent.max(self.column as isize);
            if self.break_len_at(0) == 0 {
                break;
            }
            self.skip_line();
        }
        if *indent == 0 {
            *indent = max_indent.max(self.indent() + 1).max(1);
        }
    }

    /// Skips a tag: `!<uri>`, `!handle!suffix` or `!suffix`.
    pub(super) fn scan_tag(&mut self) {
        if self.byte_at(1) == b'<' {
            self.skip();
            self.skip();
            self.scan_tag_uri(true);
            if self.byte_at(0) == b'>' {
                self.skip();
            }
            return;
        }
        self.skip();
        while self.is_alpha() {
            self.skip();
        }
        if self.byte_at(0) == b'!' {
            self.skip();
        }
        self.scan_tag_uri(false);
    }

    pub(super) fn scan_tag_uri(&mut self, verbatim: bool) {
        loop {
            let c = self.byte_at(0);
            let uri = self.is_alpha()
                || b";/?:@&=+$.%!~*'()".contains(&c)
                || (verbatim && b",[]".contains(&c));
            if !uri || self.at_end() {
                return;
            }
            self.skip();
        }
    }
}
