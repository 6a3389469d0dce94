//! Diagnoses indentation mistakes in a scenario's YAML text once the parser has refused it: a
//! key indented deeper than the key above it that already holds a value, a line that lines up
//! with no enclosing block, a tab used to indent. YAML's own messages for these (`invalid type:
//! string "1 state", expected u8`, `mapping values are not allowed in this context`, `missing
//! field`) name a symptom; this names the line to fix. Owns that line-by-line reading of block
//! structure; it must never accept or refuse a file (it runs only after the parser refused one)
//! and gives up, saying nothing, on YAML it does not follow (flow collections spanning lines,
//! block scalars' contents are skipped; directives, explicit keys and documents stop it).

/// An indentation mistake: 1-based line and column of the first character of the line at
/// fault, its byte offset and length, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mistake {
    pub line: usize,
    pub column: usize,
    pub offset_bytes: usize,
    pub len_bytes: usize,
    pub message: String,
}

/// One open block: a mapping whose keys start at `column` (0-based), or a sequence whose `-`
/// entries do; `line` is where it opened and `key` its first key, for messages.
#[derive(Clone, Copy, Debug)]
struct Block<'t> {
    column: usize,
    sequence: bool,
    line: usize,
    key: &'t str,
}

/// What a significant line holds after its indentation.
struct Shape<'t> {
    /// Columns of the `- ` entries that open the line, in order.
    dashes: Vec<usize>,
    /// The key after them, with its column, when the line holds `key:`.
    key: Option<(usize, &'t str)>,
    /// The line opens a nested block on the next lines (`key:` or `-` with nothing after).
    opens: bool,
    /// The value is a block scalar (`|`, `>`): the lines below that are deeper are its text.
    block_scalar: bool,
    /// Unclosed `[`/`{` at the end of the line: the next lines continue a flow collection.
    open_brackets: isize,
}

/// The first indentation mistake in `text` at or before line `limit` (1-based), if any.
pub fn diagnose(text: &str, limit: usize) -> Option<Mistake> {
    let mut blocks: Vec<Block> = Vec::new();
    // The previous significant line: its number, its deepest block column, and whether it
    // opened a nested block.
    let mut previous: Option<(usize, bool)> = None;
    let mut skip_deeper_than: Option<usize> = None;
    let mut brackets: isize = 0;
    let mut offset = 0usize;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let number = index + 1;
        let line_offset = offset;
        offset += raw.len();
        if number > limit.saturating_add(1) {
            return None;
        }
        let line = raw.trim_end_matches(['\n', '\r']);
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(column) = skip_deeper_than {
            if indent > column {
                continue;
            }
            skip_deeper_than = None;
        }
        if brackets > 0 {
            brackets += bracket_balance(content);
            continue;
        }
        if content.starts_with('\t') {
            return Some(Mistake {
                line: number,
                column: indent + 1,
                offset_bytes: line_offset + indent,
                len_bytes: 1,
                message: "indentation: this line is indented with a tab; YAML indents with \
                          spaces only"
                    .to_string(),
            });
        }
        if ["---", "...", "%", "? ", "&", "*", "!"]
            .iter()
            .any(|p| content.starts_with(p))
        {
            return None;
        }
        let shape = shape_of(content, indent);
        let token = shape
            .key
            .map(|(_, k)| k)
            .unwrap_or_else(|| first_word(content));
        let mistake = |message: String| Mistake {
            line: number,
            column: indent + 1,
            offset_bytes: line_offset + indent,
            len_bytes: token.len().max(1),
            message,
        };
        let structural = !shape.dashes.is_empty() || shape.key.is_some();
        match blocks.last().copied() {
            None => {}
            Some(top) if indent > top.column => {
                let opened = previous.is_some_and(|(_, opens)| opens);
                if !opened {
                    if !structural {
                        // A plain scalar continued on a deeper line: legal YAML.
                        continue;
                    }
                    let above = previous.map_or(top.line, |(line, _)| line);
                    return Some(mistake(over_indented(token, indent, above, top)));
                }
            }
            Some(_) => {
                let mut inner = None;
                while blocks.last().is_some_and(|b| b.column > indent) {
                    inner = blocks.pop();
                }
                // A sequence whose entries sit at its parent key's column ends at a key there.
                if shape.dashes.is_empty()
                    && blocks
                        .last()
                        .is_some_and(|b| b.sequence && b.column == indent)
                {
                    blocks.pop();
                }
                match blocks.last() {
                    Some(b) if b.column == indent => {}
                    _ => {
                        let near: Vec<Block> = inner
                            .into_iter()
                            .chain(blocks.iter().rev().copied())
                            .collect();
                        return Some(mistake(under_indented(token, indent, &near)));
                    }
                }
            }
        }
        for &column in &shape.dashes {
            if !blocks
                .last()
                .is_some_and(|b| b.sequence && b.column == column)
            {
                blocks.push(Block {
                    column,
                    sequence: true,
                    line: number,
                    key: "-",
                });
            }
        }
        if let Some((column, key)) = shape.key {
            if !blocks
                .last()
                .is_some_and(|b| !b.sequence && b.column == column)
            {
                blocks.push(Block {
                    column,
                    sequence: false,
                    line: number,
                    key,
                });
            }
        }
        if shape.block_scalar {
            skip_deeper_than = Some(indent);
        }
        brackets = shape.open_brackets.max(0);
        previous = Some((number, shape.opens));
    }
    None
}

/// A key that YAML read fine but in the wrong mapping, for the parser's `missing field `X``
/// (reported at the mapping's first key, `line`/`column`: a later key `X` less indented than
/// that) and `unknown field `X`` (at `X` itself: the line above is a key with no value at the
/// same column, which `X` was meant to be inside).
pub fn misplaced_field(text: &str, message: &str, line: usize, column: usize) -> Option<Mistake> {
    let field = |prefix: &str| {
        let rest = message.strip_prefix(prefix)?;
        rest.split('`').next().filter(|f| !f.is_empty())
    };
    let lines = significant_lines(text);
    if let Some(name) = field("missing field `") {
        let (number, offset, indent, key_column) = lines.iter().filter(|l| l.0 > line).find_map(
            |&(number, offset, content, indent)| {
                let (key_column, key) = shape_of(content, indent).key?;
                (key == name && key_column + 1 < column)
                    .then_some((number, offset, indent, key_column))
            },
        )?;
        return Some(Mistake {
            line: number,
            column: key_column + 1,
            offset_bytes: offset + (key_column - indent),
            len_bytes: name.len(),
            message: format!(
                "indentation: `{}` is at column {}, outside the mapping on line {line} that \
                 needs it (its keys start at column {column}); indent it to column {column}",
                crate::text::one_line(name),
                key_column + 1,
            ),
        });
    }
    let name = field("unknown field `")?;
    let at = lines.iter().position(|l| l.0 == line)?;
    let &(above, _, content, indent) = lines.get(at.checked_sub(1)?)?;
    let shape = shape_of(content, indent);
    let (parent_column, parent) = shape.key?;
    if !shape.opens || parent_column + 1 != column {
        return None;
    }
    let &(_, offset, _, _) = &lines[at];
    Some(Mistake {
        line,
        column,
        offset_bytes: offset + (column - 1),
        len_bytes: name.len(),
        message: format!(
            "indentation: `{}` lines up with `{}` on line {above}, which has no value; if it \
             belongs inside `{}`, indent it deeper than column {column}",
            crate::text::one_line(name),
            crate::text::one_line(parent),
            crate::text::one_line(parent),
        ),
    })
}

/// Lines that hold something (not blank, not only a comment): number, byte offset of the line,
/// content after the spaces, indentation.
fn significant_lines(text: &str) -> Vec<(usize, usize, &str, usize)> {
    let mut offset = 0;
    let mut lines = Vec::new();
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        let content = line.trim_start_matches(' ');
        if !content.is_empty() && !content.starts_with('#') {
            lines.push((index + 1, offset, content, line.len() - content.len()));
        }
        offset += raw.len();
    }
    lines
}

fn over_indented(token: &str, indent: usize, above: usize, top: Block) -> String {
    let sibling = if top.sequence {
        format!(
            "an entry of the same list goes at column {} (as on line {})",
            top.column + 1,
            top.line
        )
    } else {
        format!(
            "a key of the same mapping goes at column {} (as `{}` on line {})",
            top.column + 1,
            crate::text::one_line(top.key),
            top.line
        )
    };
    format!(
        "indentation: `{}` is at column {}, deeper than line {above} above it, which already \
         has a value; {sibling}, and nesting it needs the line above to end with `:`",
        crate::text::one_line(token),
        indent + 1,
    )
}

/// `near`: the blocks around the line, innermost first.
fn under_indented(token: &str, indent: usize, near: &[Block]) -> String {
    let mut columns: Vec<String> = Vec::new();
    for block in near.iter().take(3) {
        let what = if block.sequence {
            format!("the list on line {}", block.line)
        } else {
            format!(
                "`{}` on line {}",
                crate::text::one_line(block.key),
                block.line
            )
        };
        columns.push(format!("{} ({what})", block.column + 1));
    }
    let near = if columns.is_empty() {
        String::new()
    } else {
        format!(
            "; the blocks it can belong to start at column {}",
            columns.join(", ")
        )
    };
    format!(
        "indentation: `{}` at column {} lines up with no enclosing block{near}",
        crate::text::one_line(token),
        indent + 1,
    )
}

/// The line's `- ` entries, key and what its value opens. `indent` is where `content` starts.
fn shape_of(content: &str, indent: usize) -> Shape<'_> {
    let mut dashes = Vec::new();
    let mut rest = content;
    let mut column = indent;
    loop {
        if rest == "-" {
            dashes.push(column);
            return Shape {
                dashes,
                key: None,
                opens: true,
                block_scalar: false,
                open_brackets: 0,
            };
        }
        let Some(after) = rest.strip_prefix("- ") else {
            break;
        };
        dashes.push(column);
        let trimmed = after.trim_start_matches(' ');
        column += 2 + (after.len() - trimmed.len());
        rest = trimmed;
    }
    let (key, value) = match split_key(rest) {
        Some((key, value)) => (Some((column, key)), value),
        None => (None, rest),
    };
    let value = strip_comment(value).trim();
    let block_scalar = value.starts_with('|') || value.starts_with('>');
    Shape {
        opens: key.is_some() && value.is_empty(),
        dashes,
        key,
        block_scalar,
        open_brackets: if value.starts_with('[') || value.starts_with('{') {
            bracket_balance(value)
        } else {
            0
        },
    }
}

/// Splits `key: value` (or `key:` at the end) at the first `:` followed by a space or the
/// end, when the key is a plain or quoted scalar on its own.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let end = if let Some(quote @ ('"' | '\'')) = text.chars().next() {
        text[1..].find(quote)? + 2
    } else {
        0
    };
    let bytes = text.as_bytes();
    let mut i = end;
    while i < bytes.len() {
        match bytes[i] {
            b'#' if i > 0 && bytes[i - 1] == b' ' => return None,
            b'[' | b'{' | b'"' | b'\'' if i == 0 => return None,
            b':' if i + 1 == bytes.len() || bytes[i + 1] == b' ' => {
                return Some((&text[..i], &text[i + 1..]));
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `value` without a trailing ` # comment` (outside quotes, roughly: scenario values that
/// hold `#` are quoted).
fn strip_comment(value: &str) -> &str {
    if value.starts_with('"') || value.starts_with('\'') {
        return value;
    }
    match value.find(" #") {
        Some(i) => &value[..i],
        None => value,
    }
}

/// Opening minus closing brackets, ignoring quoted text.
fn bracket_balance(text: &str) -> isize {
    let mut balance = 0;
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '[' | '{') => balance += 1,
            (None, ']' | '}') => balance -= 1,
            (None, '#') => break,
            _ => {}
        }
    }
    balance
}

fn first_word(content: &str) -> &str {
    content.split([' ', ':']).next().unwrap_or(content)
}

#[cfg(test)]
mod tests {
    use super::diagnose;

    const BASE: &str = "\
version: 1
vm_groups:
  - name: g
    vms:
      - name: vm-1
        host: host-a
        generation: 1
        disks:
          - name: os
            size: 64GiB
timeline:
- at: 0
  export: { name: e,
    reference_point: rp }
description: |
      free text
   at any depth
seed: 3
";

    #[test]
    fn well_indented_text_has_no_mistake() {
        assert_eq!(diagnose(BASE, usize::MAX), None);
    }

    #[test]
    fn a_key_deeper_than_a_key_with_a_value_is_named() {
        let text = BASE.replace("        host: host-a", "          host: host-a");
        let found = diagnose(&text, usize::MAX).expect("a mistake");
        assert_eq!((found.line, found.column), (6, 11));
        assert!(
            found.message.contains("`host` is at column 11"),
            "{}",
            found.message
        );
        assert!(
            found
                .message
                .contains("goes at column 9 (as `name` on line 5)"),
            "{}",
            found.message
        );
    }

    #[test]
    fn a_key_between_two_blocks_is_named() {
        let text = BASE.replace("        host: host-a", "       host: host-a");
        let found = diagnose(&text, usize::MAX).expect("a mistake");
        assert_eq!((found.line, found.column), (6, 8));
        assert!(
            found.message.contains("lines up with no enclosing block"),
            "{}",
            found.message
        );
        assert!(
            found.message.contains("column 9 (`name` on line 5)"),
            "{}",
            found.message
        );
    }

    #[test]
    fn a_deeper_plain_line_is_a_continued_value_not_a_mistake() {
        let text = BASE.replace("seed: 3", "name: a long\n  name continued");
        assert_eq!(diagnose(&text, usize::MAX), None);
    }

    #[test]
    fn tabs_and_the_line_limit() {
        let text = BASE.replace("        host: host-a", "\thost: host-a");
        assert!(diagnose(&text, usize::MAX).unwrap().message.contains("tab"));
        let late = BASE.replace("            size: 64GiB", "              size: 64GiB");
        assert!(diagnose(&late, 3).is_none(), "past the limit");
        assert!(diagnose(&late, usize::MAX).is_some());
    }
}
