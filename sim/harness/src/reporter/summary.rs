//! The `--summary FILE` report: one table row per (scenario, seed) run (scenario, seed,
//! outcome, checks, events, sim time, wall time, bytes exported), as Markdown, or as a small
//! self-contained HTML page when FILE ends in `.html`. Owns the table; it must never decide pass
//! or fail.

use crate::runner::summary::RunSummary;
use std::fmt::Write;
use std::path::Path;

const COLUMNS: [&str; 8] = [
    "scenario",
    "seed",
    "outcome",
    "checks",
    "events",
    "sim time (s)",
    "wall time (ms)",
    "bytes exported",
];

fn cells(run: &RunSummary) -> [String; 8] {
    let outcome = if run.passed() {
        "pass".to_string()
    } else {
        format!("FAIL ({} failed)", run.failures.len())
    };
    [
        run.name.clone(),
        run.seed.to_string(),
        outcome,
        format!("{}/{}", run.checks_passed, run.checks_total()),
        run.event_count.to_string(),
        format!("{:.3}", run.sim_time_ns as f64 / 1e9),
        run.wall_time_ms.to_string(),
        run.bytes_exported.to_string(),
    ]
}

fn totals_line(runs: &[RunSummary]) -> String {
    let failed = runs.iter().filter(|r| !r.passed()).count();
    format!(
        "{} runs, {} passed, {failed} failed",
        runs.len(),
        runs.len() - failed
    )
}

/// A Markdown table (pipes in names are escaped).
pub fn markdown(runs: &[RunSummary]) -> String {
    let mut out = format!("# rpsim summary\n\n{}\n\n", totals_line(runs));
    let _ = writeln!(out, "| {} |", COLUMNS.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(COLUMNS.len()));
    for run in runs {
        let row: Vec<String> = cells(run)
            .iter()
            .map(|c| rpsim_scenario::text::one_line(c).replace('|', "\\|"))
            .collect();
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained HTML page (no scripts, no external resources).
pub fn html(runs: &[RunSummary]) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>rpsim summary</title>\n\
         <style>body{font-family:sans-serif}table{border-collapse:collapse}\
         td,th{border:1px solid #999;padding:2px 6px}.fail{background:#fdd}</style>\n\
         </head><body>\n<h1>rpsim summary</h1>\n",
    );
    let _ = writeln!(out, "<p>{}</p>\n<table>", escape_html(&totals_line(runs)));
    let header: String = COLUMNS.iter().map(|c| format!("<th>{c}</th>")).collect();
    let _ = writeln!(out, "<tr>{header}</tr>");
    for run in runs {
        let class = if run.passed() { "" } else { " class=\"fail\"" };
        let row: String = cells(run)
            .iter()
            .map(|c| {
                format!(
                    "<td>{}</td>",
                    escape_html(&rpsim_scenario::text::one_line(c))
                )
            })
            .collect();
        let _ = writeln!(out, "<tr{class}>{row}</tr>");
    }
    out.push_str("</table>\n</body></html>\n");
    out
}

/// Writes HTML when `path` ends in `.html`, Markdown otherwise; `note` (such as "interrupted
/// after 40 of 100 runs") goes right under the title.
pub fn write(path: &Path, runs: &[RunSummary], note: Option<&str>) -> Result<(), String> {
    let is_html = path.extension().is_some_and(|ext| ext == "html");
    let mut text = if is_html { html(runs) } else { markdown(runs) };
    if let Some(note) = note {
        let (title_end, inserted) = if is_html {
            (
                "</h1>\n",
                format!("<p><strong>{}</strong></p>\n", escape_html(note)),
            )
        } else {
            ("# rpsim summary\n\n", format!("**{note}**\n\n"))
        };
        if let Some(at) = text.find(title_end) {
            text.insert_str(at + title_end.len(), &inserted);
        }
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Adds to the HTML summary at `path` (after its title) a link to each run's timeline page:
/// by file name when the page sits beside the summary, else by absolute path. A Markdown
/// summary is left as it is.
pub fn link_timelines(path: &Path, links: &[(String, std::path::PathBuf)]) -> Result<(), String> {
    if path.extension().is_none_or(|ext| ext != "html") || links.is_empty() {
        return Ok(());
    }
    let mut text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let here = std::path::absolute(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    let items: Vec<String> = links
        .iter()
        .map(|(name, page)| {
            let absolute = std::path::absolute(page).unwrap_or_else(|_| page.clone());
            let href = match (absolute.parent(), &here, absolute.file_name()) {
                (Some(dir), Some(here), Some(file)) if dir == here => {
                    file.to_string_lossy().into_owned()
                }
                _ => absolute.display().to_string(),
            };
            format!(
                "<a class=\"timeline\" href=\"{}\">{}</a>",
                escape_html(&href),
                escape_html(&rpsim_scenario::text::one_line(name))
            )
        })
        .collect();
    let inserted = format!("<p>Timelines: {}</p>\n", items.join(", "));
    if let Some(at) = text.find("</h1>\n") {
        text.insert_str(at + "</h1>\n".len(), &inserted);
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_per_run_with_names_escaped() {
        let run = RunSummary {
            file: "x.yaml".into(),
            name: "a|<b>".into(),
            seed: 4,
            trace_hash: "h".into(),
            event_count: 9,
            sim_time_ns: 1_500_000_000,
            checks_passed: 3,
            failures: vec![],
            wall_time_ms: 2,
            bytes_exported: 77,
            probes: Default::default(),
            drawn: String::new(),
        };
        let md = markdown(std::slice::from_ref(&run));
        assert!(
            md.contains("| a\\|<b> | 4 | pass | 3/3 | 9 | 1.500 | 2 | 77 |"),
            "{md}"
        );
        let page = html(&[run]);
        assert!(page.contains("<td>a|&lt;b&gt;</td>"), "{page}");
    }
}
