//! Coverage for people: after `run` and `sweep` one line (probes hit of the catalogue, how many
//! never), and for `rpsim coverage` the table (probe, hits, runs hitting it, first seed and
//! scenario; never-hit probes marked) then the required probes never hit. Owns that text; it
//! must never decide the outcome, and every name from input goes through `text::one_line`.

use super::reporter::HumanReporter;
use crate::coverage::{Coverage, CoverageRow};
use crate::reporter::events::HarnessEvent;
use rpsim_probe::Probe;
use rpsim_scenario::text::one_line;

/// Renders the coverage event; false for any other.
pub(super) fn render(reporter: &mut HumanReporter, event: &HarnessEvent<'_>) -> bool {
    let HarnessEvent::Coverage {
        coverage,
        missing,
        table,
    } = event
    else {
        return false;
    };
    if *table {
        for line in table_lines(coverage) {
            reporter.say(&line);
        }
    }
    reporter.say(&summary_line(coverage, *table));
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|p| p.name()).collect();
        reporter.warn(&format!(
            "FAIL coverage: required probes never hit: {}",
            names.join(", ")
        ));
    }
    true
}

fn summary_line(coverage: &Coverage, table: bool) -> String {
    let never = coverage.never_hit().len();
    let total = Probe::ALL.len();
    let hint = if table {
        ""
    } else {
        " (`rpsim coverage` prints the table)"
    };
    format!(
        "coverage: {} of {total} probes hit over {} run(s), {never} never hit{hint}",
        total - never,
        coverage.runs()
    )
}

/// The header and one line per probe, in catalogue order.
pub fn table_lines(coverage: &Coverage) -> Vec<String> {
    let rows = coverage.rows();
    let width = rows.iter().map(|r| r.probe.len()).max().unwrap_or(5).max(5);
    let mut lines = vec![format!(
        "{:<width$}  {:>8}  {:>6}  first hit",
        "probe", "hits", "runs"
    )];
    lines.extend(rows.iter().map(|row| row_line(row, width)));
    lines
}

fn row_line(row: &CoverageRow, width: usize) -> String {
    let probe = one_line(&row.probe);
    let unknown = if row.known { "" } else { " (unknown probe)" };
    match &row.total.first {
        Some(first) => format!(
            "{probe:<width$}  {:>8}  {:>6}  seed {} {}{unknown}",
            row.total.hits,
            row.total.runs,
            first.seed,
            one_line(&first.scenario)
        ),
        None => format!("{probe:<width$}  {:>8}  {:>6}  NEVER HIT", 0, 0),
    }
}
