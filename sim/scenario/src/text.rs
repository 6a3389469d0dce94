//! Text that came from input (scenario names, paths, disk instance IDs, manifest entries,
//! error messages quoting them) made safe to show: control characters and the Unicode
//! direction overrides are written as visible escapes, so that nothing from input can move the
//! cursor, retitle a terminal, hide text or forge a line. Owns that one rule, used by every
//! renderer; it must never change text that has no such characters.

use std::borrow::Cow;

/// Is `c` unsafe to write raw to a terminal or a report viewer?
fn needs_escape(c: char, keep_newlines: bool) -> bool {
    if c == '\n' && keep_newlines {
        return false;
    }
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| needs_escape(c, keep_newlines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !needs_escape(c, keep_newlines) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    assert!(!out.chars().any(|c| needs_escape(c, keep_newlines)));
    Cow::Owned(out)
}

/// `text` for one line of output: every control character escaped, line breaks included.
pub fn one_line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// `text` for a block of output: like [`one_line`] but line breaks stay line breaks.
pub fn block(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// `text` for a source snippet that points into it by byte offset (miette's labels): every
/// character [`block`] would escape, but tab and the CR of a CRLF, becomes as many `?` as it
/// has bytes, so offsets and line breaks stay where they were.
pub fn snippet(text: &str) -> Cow<'_, str> {
    let keep = |c: char, next: Option<char>| {
        c == '\t' || (c == '\r' && next == Some('\n')) || !needs_escape(c, true)
    };
    let mut chars = text.chars().peekable();
    let mut clean = true;
    while let Some(c) = chars.next() {
        if !keep(c, chars.peek().copied()) {
            clean = false;
            break;
        }
    }
    if clean {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if keep(c, chars.peek().copied()) {
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        }
    }
    assert_eq!(out.len(), text.len(), "a snippet keeps every byte offset");
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_keeps_offsets_and_line_breaks() {
        assert!(matches!(snippet("a: 1\r\n\tb"), Cow::Borrowed(_)));
        let hostile = "name: \u{1b}[2J\u{202e}x\r\ny\0";
        let safe = snippet(hostile);
        assert_eq!(safe, "name: ?[2J???x\r\ny?");
        assert_eq!(safe.len(), hostile.len());
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(
            one_line("host-a/disk 1"),
            Cow::Borrowed("host-a/disk 1")
        ));
        assert!(matches!(block("a\nb"), Cow::Borrowed("a\nb")));
    }

    #[test]
    fn terminal_escapes_and_line_breaks_become_visible() {
        let hostile = "evil\u{1b}[2J\u{1b}]0;pwned\u{7}\r\n\0";
        assert_eq!(one_line(hostile), "evil\\x1b[2J\\x1b]0;pwned\\x07\\r\\n\\0");
        assert_eq!(block("a\u{1b}\nb"), "a\\x1b\nb");
    }

    #[test]
    fn c1_controls_and_direction_overrides_are_escaped() {
        assert_eq!(one_line("a\u{9b}b\u{202e}c"), "a\\x9bb\\u{202e}c");
        assert_eq!(one_line("é✓"), "é✓");
    }
}
