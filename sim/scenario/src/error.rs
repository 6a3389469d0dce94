//! The error a scenario file produces when it cannot be read, parsed or validated: every
//! problem located at file:line:column, printable one per line and renderable by miette with a
//! source snippet. Owns the shape and rendering of those errors; it must never decide what is
//! wrong with a scenario (that is `load` and `validate`).

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use std::fmt;

/// One problem, at a 1-based line and column (columns count characters). Line and column are
/// 0 when the problem has no place in the text (the file could not be read, or is too large).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// Path of the offending node, such as `vm_groups[0].vms[1].host`, when known.
    pub path: Option<String>,
}

/// What stage refused the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScenarioErrorKind {
    /// The file could not be read.
    Read,
    /// The file is larger than `SCENARIO_BYTES_MAX`.
    TooLarge,
    /// YAML syntax, unknown field, wrong type or bad unit: the file is not scenario v1 YAML.
    Syntax,
    /// The file is well-formed but breaks a rule of the format (names resolve, limits, ...).
    Invalid,
}

/// A located problem plus its byte span in the source, for miette.
#[derive(Clone, Debug)]
pub(crate) struct Spanned {
    pub located: Located,
    pub offset_bytes: usize,
    pub len_bytes: usize,
}

/// Why a scenario file was refused; holds every problem found (bounded by the validator).
#[derive(Debug)]
pub struct ScenarioError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ScenarioErrorKind,
    file_name: String,
    diagnostics: Vec<Located>,
    spans: Vec<(usize, usize)>,
    source: Option<NamedSource<String>>,
}

impl ScenarioError {
    /// An error with no place in the text (read failure, file too large).
    pub(crate) fn whole_file(kind: ScenarioErrorKind, file_name: &str, message: String) -> Self {
        assert!(matches!(
            kind,
            ScenarioErrorKind::Read | ScenarioErrorKind::TooLarge
        ));
        ScenarioError(Box::new(Inner {
            kind,
            file_name: crate::text::one_line(file_name).into_owned(),
            diagnostics: vec![printable(Located {
                line: 0,
                column: 0,
                message,
                path: None,
            })],
            spans: Vec::new(),
            source: None,
        }))
    }

    /// An error with located problems in `text`.
    pub(crate) fn in_text(
        kind: ScenarioErrorKind,
        file_name: &str,
        text: &str,
        problems: Vec<Spanned>,
    ) -> Self {
        assert!(!problems.is_empty(), "an error holds at least one problem");
        let spans = problems
            .iter()
            .map(|p| (p.offset_bytes.min(text.len()), p.len_bytes))
            .collect();
        ScenarioError(Box::new(Inner {
            kind,
            file_name: crate::text::one_line(file_name).into_owned(),
            diagnostics: problems.into_iter().map(|p| printable(p.located)).collect(),
            spans,
            source: Some(NamedSource::new(
                crate::text::one_line(file_name),
                crate::text::snippet(text).into_owned(),
            )),
        }))
    }

    pub fn kind(&self) -> ScenarioErrorKind {
        self.0.kind
    }

    pub fn file_name(&self) -> &str {
        &self.0.file_name
    }

    /// Every problem, in the order found (see [`crate::validate::validate`]).
    pub fn diagnostics(&self) -> &[Located] {
        &self.0.diagnostics
    }
}

/// `located` with its message and path escaped: messages quote input (a key, a name, a
/// parser's excerpt), and every renderer shows them as they are stored.
fn printable(located: Located) -> Located {
    Located {
        message: crate::text::one_line(&located.message).into_owned(),
        path: located
            .path
            .map(|path| crate::text::one_line(&path).into_owned()),
        ..located
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if d.line == 0 {
                write!(f, "{}: {}", self.0.file_name, d.message)?;
            } else {
                write!(
                    f,
                    "{}:{}:{}: {}",
                    self.0.file_name, d.line, d.column, d.message
                )?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

impl Diagnostic for ScenarioError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let code = match self.0.kind {
            ScenarioErrorKind::Read => "rpsim::scenario::read",
            ScenarioErrorKind::TooLarge => "rpsim::scenario::too_large",
            ScenarioErrorKind::Syntax => "rpsim::scenario::syntax",
            ScenarioErrorKind::Invalid => "rpsim::scenario::invalid",
        };
        Some(Box::new(code))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.0.spans.is_empty() {
            return None;
        }
        let labels = self
            .0
            .diagnostics
            .iter()
            .zip(&self.0.spans)
            .map(|(d, (offset, len))| LabeledSpan::new(Some(d.message.clone()), *offset, *len));
        Some(Box::new(labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spanned(line: usize, column: usize, message: &str, offset_bytes: usize) -> Spanned {
        Spanned {
            located: Located {
                line,
                column,
                message: message.to_string(),
                path: None,
            },
            offset_bytes,
            len_bytes: 1,
        }
    }

    #[test]
    fn display_prints_one_located_line_per_problem() {
        let text = "a: 1\nb: 2\n";
        let error = ScenarioError::in_text(
            ScenarioErrorKind::Invalid,
            "x.yaml",
            text,
            vec![spanned(1, 4, "first", 3), spanned(2, 4, "second", 8)],
        );
        assert_eq!(error.to_string(), "x.yaml:1:4: first\nx.yaml:2:4: second");
        assert_eq!(error.diagnostics().len(), 2);
        assert_eq!(error.labels().map(|l| l.count()), Some(2));
    }

    #[test]
    fn the_error_can_become_a_miette_report() {
        fn report<E: Diagnostic + Send + Sync + 'static>(error: E) -> miette::Report {
            miette::Report::new(error)
        }
        let error = ScenarioError::whole_file(ScenarioErrorKind::TooLarge, "big.yaml", "x".into());
        assert_eq!(report(error).to_string(), "big.yaml: x");
    }

    #[test]
    fn whole_file_errors_have_no_position_and_no_snippet() {
        let error =
            ScenarioError::whole_file(ScenarioErrorKind::Read, "gone.yaml", "cannot read".into());
        assert_eq!(error.to_string(), "gone.yaml: cannot read");
        assert!(error.source_code().is_none());
        assert!(error.labels().is_none());
    }

    #[test]
    fn miette_renders_the_snippet_with_the_message() {
        let text = "version: 2\n";
        let error = ScenarioError::in_text(
            ScenarioErrorKind::Invalid,
            "v.yaml",
            text,
            vec![spanned(1, 10, "version must be 1", 9)],
        );
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, &error)
            .expect("rendering into a String cannot fail");
        assert!(out.contains("version: 2"), "snippet missing:\n{out}");
        assert!(out.contains("version must be 1"), "label missing:\n{out}");
        assert!(out.contains("v.yaml"), "file name missing:\n{out}");
    }
}
