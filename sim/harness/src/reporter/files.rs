//! The report files a run or a sweep writes when asked: `--report-json` (per scenario and per
//! export: the job object, return codes, errors), `--junit` (one test case per run) and
//! `--summary` (Markdown, or HTML for `.html`). Owns turning the final events into those files;
//! it must never decide pass or fail, and writes nothing that was not asked for.

use super::events::{HarnessEvent, Reporter};
use crate::runner::RunSummary;
use std::path::PathBuf;

/// The report files asked for; `None` writes nothing.
#[derive(Clone, Debug, Default)]
pub struct ReportFiles {
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub summary: Option<PathBuf>,
    /// `run --timeline FILE`: an HTML summary links each run's timeline page.
    pub timeline: Option<PathBuf>,
    error: Option<String>,
}

impl ReportFiles {
    /// The files to write.
    pub fn new(
        json: Option<PathBuf>,
        junit: Option<PathBuf>,
        summary: Option<PathBuf>,
    ) -> ReportFiles {
        ReportFiles {
            json,
            junit,
            summary,
            timeline: None,
            error: None,
        }
    }

    /// The same, with the timeline pages `run --timeline` writes (for the summary's links).
    pub fn with_timeline(self, timeline: Option<PathBuf>) -> ReportFiles {
        ReportFiles { timeline, ..self }
    }

    /// True when some report keeps every run (a sweep must then keep passing runs too).
    pub fn keeps_runs(&self) -> bool {
        self.junit.is_some() || self.summary.is_some()
    }

    fn write_summaries(&self, runs: &[RunSummary], note: Option<&str>) -> Result<(), String> {
        if let Some(path) = &self.junit {
            super::junit::write(path, runs, note)?;
        }
        if let Some(path) = &self.summary {
            super::summary::write(path, runs, note)?;
        }
        Ok(())
    }

    fn remember(&mut self, result: Result<(), String>) {
        if let Err(message) = result {
            self.error.get_or_insert(message);
        }
    }
}

impl Reporter for ReportFiles {
    fn event(&mut self, event: &HarnessEvent<'_>) {
        match event {
            HarnessEvent::RunsFinished { runs, .. } => {
                if let Some(path) = &self.json {
                    let report = super::json::build(runs);
                    let text = serde_json::to_string_pretty(&report).expect("report serialises");
                    let written = std::fs::write(path, text + "\n")
                        .map_err(|e| format!("cannot write {}: {e}", path.display()));
                    self.remember(written);
                }
                let summaries: Vec<RunSummary> = runs.iter().map(RunSummary::from_run).collect();
                let written = match (&self.summary, &self.timeline) {
                    (Some(summary), Some(timeline)) => {
                        let links: Vec<(String, PathBuf)> = runs
                            .iter()
                            .map(|run| {
                                let page =
                                    crate::timeline::path_for(timeline, &run.name, runs.len() > 1);
                                (run.name.clone(), page)
                            })
                            .collect();
                        self.write_summaries(&summaries, None)
                            .and_then(|()| super::summary::link_timelines(summary, &links))
                    }
                    _ => self.write_summaries(&summaries, None),
                };
                self.remember(written);
            }
            HarnessEvent::SweepFinished { result, plan, .. } => {
                let note = result.interrupted.then(|| {
                    format!(
                        "interrupted after {} of {} runs; only the runs listed ran",
                        result.runs_done,
                        plan.runs_total()
                    )
                });
                let written = self.write_summaries(&result.kept, note.as_deref());
                self.remember(written);
            }
            HarnessEvent::Merged { merged, runs, .. } => {
                let note = (!merged.missing.is_empty())
                    .then(|| format!("incomplete: {}", merged.missing.join("; ")));
                let written = self.write_summaries(runs, note.as_deref());
                self.remember(written);
            }
            _ => {}
        }
    }

    fn finish(&mut self) -> Result<(), String> {
        self.error.take().map_or(Ok(()), Err)
    }
}
