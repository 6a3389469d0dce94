//! [`HumanReporter`]: where the human-readable lines go (stdout, stderr, a progress bar) and
//! which renderer each event goes to. Owns the output streams; it must never decide an
//! outcome, and never writes text from input without escaping it.

use super::{coverage, merged, review, runs, sweeps, tools};
use crate::reporter::events::{HarnessEvent, Reporter};
use indicatif::ProgressBar;
use std::io::Write;

/// Prints events for people.
pub struct HumanReporter {
    pub(super) out: Box<dyn Write + Send>,
    pub(super) err: Box<dyn Write + Send>,
    /// ANSI colours in diffs.
    pub(super) colour: bool,
    /// Show a progress bar for sweeps.
    pub(super) progress: bool,
    pub(super) bar: Option<ProgressBar>,
}

impl HumanReporter {
    /// Lines to `out`, errors to `err`; `colour` adds ANSI colours to diffs and `progress`
    /// shows a sweep progress bar on stderr.
    pub fn new(
        out: Box<dyn Write + Send>,
        err: Box<dyn Write + Send>,
        colour: bool,
        progress: bool,
    ) -> HumanReporter {
        HumanReporter {
            out,
            err,
            colour,
            progress,
            bar: None,
        }
    }

    /// Stdout and stderr; colour as [`crate::suite::goldens::colour_for_stdout`] decides, a
    /// progress bar when stderr is a terminal.
    pub fn stdio() -> HumanReporter {
        use std::io::IsTerminal;
        let colour = crate::suite::goldens::colour_for_stdout();
        let progress = std::io::stderr().is_terminal();
        HumanReporter::new(
            Box::new(std::io::stdout()),
            Box::new(std::io::stderr()),
            colour,
            progress,
        )
    }

    /// Writes one line (or block) to stdout; a closed pipe is not an error worth a panic.
    pub(super) fn say(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }

    /// Writes one line (or block) to stderr.
    pub(super) fn warn(&mut self, text: &str) {
        let _ = writeln!(self.err, "{text}");
    }
}

impl Reporter for HumanReporter {
    fn event(&mut self, event: &HarnessEvent<'_>) {
        if runs::render(self, event)
            || sweeps::render(self, event)
            || merged::render(self, event)
            || review::render(self, event)
            || tools::render(self, event)
            || coverage::render(self, event)
        {
            return;
        }
        match event {
            HarnessEvent::Data { line } => self.say(line),
            HarnessEvent::Wrote { path, what } => {
                let line = format!("wrote {} ({what})", path.display());
                self.say(&rpsim_scenario::text::one_line(&line));
            }
            HarnessEvent::Warning { message } => {
                let line = format!("warning: {message}");
                self.warn(&rpsim_scenario::text::block(&line));
            }
            HarnessEvent::Error { message } => {
                let line = format!("error: {message}");
                self.warn(&rpsim_scenario::text::block(&line));
            }
            _ => {}
        }
    }

    fn finish(&mut self) -> Result<(), String> {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        let _ = self.out.flush();
        let _ = self.err.flush();
        Ok(())
    }
}
