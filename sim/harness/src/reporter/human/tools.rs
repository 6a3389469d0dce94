//! Human lines for `rpsim crashpoints`, `minimize` and `bench`: a scenario's crash-point plan,
//! its progress bar (on a terminal only), each violation as it is found and a verdict line per
//! scenario, the minimizer's before/after sizes and budget, the bench figures
//! and comparison tables. Owns those formats; it must never measure, judge or decide.

use super::reporter::HumanReporter;
use crate::bench::record::{BenchRecord, FigureChange, Verdict};
use crate::crashpoints::{CrashPointProgress, CrashPointsSummary};
use crate::minimize::probe::BudgetSpent;
use crate::minimize::Minimized;
use crate::reporter::events::HarnessEvent;
use indicatif::{ProgressBar, ProgressStyle};
use rpsim_scenario::text::{block, one_line};

/// Violations printed per scenario; the rest are counted.
pub const VIOLATIONS_PRINTED_MAX: usize = 20;

/// Renders `event` when it is one of this module's; true when it was.
pub(super) fn render(r: &mut HumanReporter, event: &HarnessEvent<'_>) -> bool {
    match event {
        HarnessEvent::CrashPoints {
            summary,
            points_max,
        } => crash_points(r, summary, *points_max),
        HarnessEvent::CrashPointProgress { step } => crash_point_progress(r, step),
        HarnessEvent::CrashPointsFinished {
            tried,
            violations,
            not_runnable,
        } => r.say(&format!(
            "{tried} crash points tried, {violations} violations, {not_runnable} not runnable"
        )),
        HarnessEvent::MinimizeStarted { file, seed, bug } => {
            let note = bug
                .map(|b| format!(", planted bug `{}`", b.name()))
                .unwrap_or_default();
            let line = format!("minimize {} at seed {seed}{note}", file.display());
            r.say(&one_line(&line));
        }
        HarnessEvent::Minimized {
            minimized,
            elapsed_s,
            spent,
            with_bug,
        } => minimized_lines(r, minimized, *elapsed_s, *spent, *with_bug),
        HarnessEvent::BenchProgress { line } => r.warn(&format!("  {}", one_line(line))),
        HarnessEvent::BenchFigures { record } => bench_figures(r, record),
        HarnessEvent::BenchCompared {
            a,
            b,
            threshold_percent,
            changes,
            regressed,
        } => bench_compared(r, a, b, *threshold_percent, changes, *regressed),
        _ => return false,
    }
    true
}

fn crash_points(r: &mut HumanReporter, summary: &CrashPointsSummary, points_max: u64) {
    if let Some(bar) = r.bar.take() {
        bar.finish_and_clear();
    }
    let ops: Vec<String> = summary
        .ops_per_export
        .iter()
        .map(|(name, ops)| format!("{name}={ops}"))
        .collect();
    let verdict = if summary.violations.is_empty() {
        "PASS"
    } else {
        "FAIL"
    };
    let line = format!(
        "{verdict} {:<40} seed={:<6} ops=[{}] points={} violations={}",
        summary.scenario,
        summary.seed,
        ops.join(","),
        summary.points_tried,
        summary.violations.len()
    );
    r.say(&one_line(&line));
    if summary.interrupted {
        r.say(&format!(
            "     INTERRUPTED: {} points not tried; the violations found so far are listed",
            summary.points_skipped
        ));
    } else if summary.points_skipped > 0 {
        r.say(&format!(
            "     {} more points not tried: the limit is {points_max} per scenario (--max-points)",
            summary.points_skipped
        ));
    }
    // The first violations were printed as they were found.
    if summary.violations.len() > VIOLATIONS_PRINTED_MAX {
        r.say(&format!(
            "     {} more violations not listed",
            summary.violations.len() - VIOLATIONS_PRINTED_MAX
        ));
    }
}

/// The plan line and a progress bar (on a terminal) when a scenario's points start; each
/// violation as it is found (the first [`VIOLATIONS_PRINTED_MAX`] of a scenario).
fn crash_point_progress(r: &mut HumanReporter, step: &CrashPointProgress<'_>) {
    match *step {
        CrashPointProgress::Planned {
            scenario,
            seed,
            ops_per_export,
            points,
        } => {
            let ops: Vec<String> = ops_per_export
                .iter()
                .map(|(name, ops)| format!("{name}={ops}"))
                .collect();
            let line = format!(
                "crashpoints {scenario} seed={seed} ops=[{}]: trying {points} points",
                ops.join(",")
            );
            r.say(&one_line(&line));
            if r.progress {
                let bar = ProgressBar::new(points);
                if let Ok(style) = ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} points, {msg} [{elapsed} < {eta}]",
                ) {
                    bar.set_style(style);
                }
                bar.set_message("0 violations");
                r.bar = Some(bar);
            }
        }
        CrashPointProgress::Tried {
            violation,
            violations,
            ..
        } => {
            if let Some(bar) = &r.bar {
                bar.set_message(format!("{violations} violations"));
                bar.inc(1);
            }
            let Some(v) = violation.filter(|_| violations <= VIOLATIONS_PRINTED_MAX) else {
                return;
            };
            let line = format!(
                "     VIOLATION export={} after_ops={} mode={:?}: {}",
                v.export,
                v.after_ops,
                v.mode,
                v.messages.join("; ")
            );
            let line = one_line(&line).into_owned();
            match r.bar.take() {
                Some(bar) => {
                    bar.suspend(|| r.say(&line));
                    r.bar = Some(bar);
                }
                None => r.say(&line),
            }
        }
    }
}

fn minimized_lines(
    r: &mut HumanReporter,
    minimized: &Minimized,
    elapsed_s: f64,
    spent: Option<&BudgetSpent>,
    with_bug: bool,
) {
    let m = minimized;
    let rec = m.recorded;
    r.say(&one_line(&format!(
        "  failing check: {}: {}",
        m.wanted, m.message
    )));
    r.say(&format!(
        "  derandomized: {} timeline entries ({} from the scenario, {} drawn faults, {} workload \
         writes; {} random fills made explicit), still failing the same way",
        m.before.events, rec.original_entries, rec.faults, rec.writes, rec.fills
    ));
    r.say(&format!("  before: {}", m.before));
    r.say(&format!("  after:  {}", m.after));
    r.say(&format!("  {} candidate runs in {elapsed_s:.1} s", m.runs));
    match spent {
        None => {}
        Some(BudgetSpent::Runs(n)) => r.say(&format!(
            "  budget reached: {n} runs (--max-runs); the result is smaller but may not be \
             minimal"
        )),
        Some(BudgetSpent::Interrupted) => r.say(
            "  INTERRUPTED: the smallest scenario found so far is written; it is not verified \
             at other seeds and may not be minimal",
        ),
        Some(BudgetSpent::Time(limit)) => r.say(&format!(
            "  budget reached: {} s (--max-seconds); the result is smaller but may not be \
             minimal, and depends on this machine's speed",
            limit.as_secs()
        )),
    }
    let seeds: Vec<String> = std::iter::once("its own (none given)".to_string())
        .chain(m.also_at_seeds.iter().map(u64::to_string))
        .collect();
    let bug_note = if with_bug {
        " (fails with the bug, passes without it)"
    } else {
        ""
    };
    r.say(&format!(
        "  reproduces at seeds: {}{bug_note}",
        seeds.join(", ")
    ));
}

/// A value with its unit, once: `349.8 MiB/s`, `7.1 MiB`, `1.882 s`, `0.5 widgets`.
fn human_value(value: f64, unit: &str) -> String {
    match unit {
        "bytes/s" => format!("{:.1} MiB/s", value / f64::from(1u32 << 20)),
        "bytes" => format!("{:.1} MiB", value / f64::from(1u32 << 20)),
        "s" => format!("{value:.3} s"),
        _ => format!("{value:.4} {unit}"),
    }
}

/// `0.8708 [0.8512..0.8890]`, or the ratio alone without a spread.
fn ratio_text(ratio: Option<f64>, spread: Option<crate::bench::spread::Spread>) -> String {
    match (ratio, spread) {
        (None, _) => "-".into(),
        (Some(r), Some(s)) if s.min < s.max => format!("{r:.4} [{:.4}..{:.4}]", s.min, s.max),
        (Some(r), _) => format!("{r:.4}"),
    }
}

fn bench_figures(r: &mut HumanReporter, record: &BenchRecord) {
    r.say(&format!(
        "{:<24} {:>14} {:>14} {:<26} {}",
        "figure",
        "value",
        "baseline",
        "baseline name",
        "ratio (median [min..max] over the repeats)"
    ));
    for f in &record.figures {
        let line = format!(
            "{:<24} {:>14} {:>14} {:<26} {}",
            f.name,
            human_value(f.value, &f.unit),
            f.baseline_value
                .map_or("-".into(), |v| human_value(v, &f.unit)),
            f.baseline.as_deref().unwrap_or("-"),
            ratio_text(f.ratio, f.ratio_spread),
        );
        r.say(&one_line(&line));
        if !f.note.is_empty() {
            r.say(&format!("    {}", block(&f.note)));
        }
    }
}

fn bench_compared(
    r: &mut HumanReporter,
    a: &BenchRecord,
    b: &BenchRecord,
    threshold_percent: f64,
    changes: &[FigureChange],
    regressed: usize,
) {
    let header = format!(
        "{:<24} {:>26} {:>26} {:>9}  verdict (ratios, median [min..max]; threshold {threshold_percent}%)",
        "figure", a.name, b.name, "change"
    );
    r.say(&one_line(&header));
    for c in changes {
        let verdict = if c.within_spread && c.verdict == Verdict::Unchanged {
            "ok (within the spread)"
        } else {
            verdict_text(c.verdict)
        };
        let line = format!(
            "{:<24} {:>26} {:>26} {:>9}  {verdict}",
            c.name,
            ratio_text(c.ratio_a, c.spread_a),
            ratio_text(c.ratio_b, c.spread_b),
            c.change_percent.map_or("-".into(), |p| format!("{p:+.1}%")),
        );
        r.say(&one_line(&line));
    }
    r.say(&format!("{regressed} regression(s)"));
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Regressed => "REGRESSED",
        Verdict::Improved => "improved",
        Verdict::Unchanged => "ok",
        Verdict::NotCompared => "not compared",
    }
}
