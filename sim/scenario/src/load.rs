//! Turns a scenario file (a path or text) into a validated [`Scenario`], or a
//! [`ScenarioError`] whose every problem points at file:line:column. Owns the order of the
//! stages (size, then shape, then deserialising with serde_norway, then validation) and turning
//! their refusals into located errors; it must never decide semantic rules itself (that is
//! `validate`) nor measure the text (that is `shape`).

use crate::error::{Located, ScenarioError, ScenarioErrorKind, Spanned};
use crate::locate::{byte_offset, locate};
use crate::model::Scenario;
use crate::validate::{validate, Problem};
use crate::{shape, split};
use std::io::Read;
use std::path::Path;

/// Largest scenario file accepted: 4 MiB. Real scenarios are a few KiB.
pub const SCENARIO_BYTES_MAX: usize = 4 << 20;

/// Reads, parses and validates the scenario file at `path`. Errors name the path.
pub fn load_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    let file_name = path.display().to_string();
    let read_error = |error: std::io::Error| {
        ScenarioError::whole_file(
            ScenarioErrorKind::Read,
            &file_name,
            format!("cannot read the scenario file: {error}"),
        )
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(SCENARIO_BYTES_MAX as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() > SCENARIO_BYTES_MAX {
        return Err(too_large(&file_name));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => return Err(not_utf8(&file_name, error)),
    };
    parse_scenario(&file_name, &text)
}

/// Parses and validates scenario `text`; `file_name` only labels the errors.
pub fn parse_scenario(file_name: &str, text: &str) -> Result<Scenario, ScenarioError> {
    if text.len() > SCENARIO_BYTES_MAX {
        return Err(too_large(file_name));
    }
    if is_blank(text) {
        let problem = Spanned {
            offset_bytes: 0,
            len_bytes: 0,
            located: Located {
                line: 1,
                column: 1,
                message: "the scenario is empty; it needs at least `version`, `name`, `hosts`, \
                          `storage` and `vm_groups`"
                    .to_string(),
                path: None,
            },
        };
        return Err(ScenarioError::in_text(
            ScenarioErrorKind::Syntax,
            file_name,
            text,
            vec![problem],
        ));
    }
    let outline = shape::measure(text).map_err(|refusal| {
        let problem = Spanned {
            offset_bytes: refusal.offset_bytes,
            len_bytes: 1,
            located: Located {
                line: refusal.line,
                column: refusal.column,
                message: refusal.message,
                path: None,
            },
        };
        ScenarioError::in_text(ScenarioErrorKind::Syntax, file_name, text, vec![problem])
    })?;
    let scenario = match split::deserialize(text, &outline) {
        Some(scenario) => scenario,
        None => serde_norway::from_str(text).map_err(|error| {
            let problem = syntax_problem(text, &error);
            let problem = indentation_problem(text, &problem).unwrap_or(problem);
            ScenarioError::in_text(ScenarioErrorKind::Syntax, file_name, text, vec![problem])
        })?,
    };
    let problems = validate(&scenario);
    if problems.is_empty() {
        assert_eq!(scenario.version, 1, "a valid scenario is version 1");
        return Ok(scenario);
    }
    Err(ScenarioError::in_text(
        ScenarioErrorKind::Invalid,
        file_name,
        text,
        locate_problems(text, problems),
    ))
}

/// True when `text` holds nothing but whitespace and comments.
fn is_blank(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#')
    })
}

fn too_large(file_name: &str) -> ScenarioError {
    ScenarioError::whole_file(
        ScenarioErrorKind::TooLarge,
        file_name,
        format!(
            "the scenario file is larger than the limit of {} MiB; split it or generate the \
             timeline with random_faults",
            SCENARIO_BYTES_MAX >> 20
        ),
    )
}

fn not_utf8(file_name: &str, error: std::string::FromUtf8Error) -> ScenarioError {
    let valid_up_to = error.utf8_error().valid_up_to();
    let bytes = error.into_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let valid = String::from_utf8_lossy(&bytes[..valid_up_to]);
    let line = valid.matches('\n').count() + 1;
    let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let problem = Spanned {
        offset_bytes: byte_offset(&text, line, column),
        len_bytes: 1,
        located: Located {
            line,
            column,
            message: format!("the file is not UTF-8 text: invalid byte at offset {valid_up_to}"),
            path: None,
        },
    };
    ScenarioError::in_text(ScenarioErrorKind::Syntax, file_name, &text, vec![problem])
}

/// A serde_norway error as a located problem: its text without the trailing
/// "at line L column C", and its leading `path: ` split off.
fn syntax_problem(text: &str, error: &serde_norway::Error) -> Spanned {
    let (line, column) = error
        .location()
        .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
    // libyaml says "PROBLEM at line L column C[, CONTEXT at line L2 column C2]": the first
    // place is the reported position; the second is where the context (a quote) started.
    let message = error
        .to_string()
        .replacen(&format!(" at line {line} column {column}"), "", 1)
        .replace(" at line ", " that starts at line ");
    let (path, message) = split_path(&message);
    Spanned {
        offset_bytes: byte_offset(text, line, column),
        len_bytes: 1,
        located: Located {
            line,
            column,
            message,
            path,
        },
    }
}

/// The indentation mistake behind a parser's refusal, when one sits at or just after the place
/// the parser stopped (or anywhere, when a mapping is said to lack a field: its key may have
/// gone astray below). The parser's own words follow, in case the guess is wrong.
fn indentation_problem(text: &str, parsed: &Spanned) -> Option<Spanned> {
    let at = &parsed.located;
    let limit = if at.message.starts_with("missing field") {
        usize::MAX
    } else {
        at.line
    };
    let mistake = crate::indentation::diagnose(text, limit)
        .or_else(|| crate::indentation::misplaced_field(text, &at.message, at.line, at.column))?;
    Some(Spanned {
        offset_bytes: mistake.offset_bytes,
        len_bytes: mistake.len_bytes,
        located: Located {
            line: mistake.line,
            column: mistake.column,
            message: format!(
                "{} (the YAML parser stopped at line {} column {}: {})",
                mistake.message, at.line, at.column, at.message
            ),
            path: None,
        },
    })
}

/// Splits serde's `vm_groups[0].vms[0]: unknown field ...` into its path and message.
fn split_path(message: &str) -> (Option<String>, String) {
    if let Some((head, rest)) = message.split_once(": ") {
        let is_path = !head.is_empty()
            && head
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c));
        if is_path && head != "." {
            return (Some(head.to_string()), rest.to_string());
        }
    }
    (None, message.to_string())
}

fn locate_problems(text: &str, problems: Vec<Problem>) -> Vec<Spanned> {
    let targets: Vec<_> = problems
        .iter()
        .map(|p| (p.path.clone(), p.anchor))
        .collect();
    let positions = locate(text, &targets);
    assert_eq!(positions.len(), problems.len());
    problems
        .into_iter()
        .zip(positions)
        .map(|(problem, position)| Spanned {
            offset_bytes: position.offset_bytes,
            len_bytes: position.len_bytes,
            located: Located {
                line: position.line,
                column: position.column,
                message: problem.message,
                path: Some(problem.path.to_string()),
            },
        })
        .collect()
}
