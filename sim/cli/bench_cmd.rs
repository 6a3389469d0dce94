//! `rpsim bench` as the binary shows it: the figures table, saving a record, `bench compare`
//! with its exit codes (0 no regression, 1 a ratio regressed, 2 bad input) and redrawing the
//! history chart. Owns printing; it must never measure (rpsim::bench does) nor judge
//! (rpsim::bench_record does).

use rpsim::bench::{self, BenchPlan};
use rpsim::bench_args::{BenchAction, BenchArgs};
use rpsim::bench_record::{self as record, BenchRecord, Verdict, RECORDS_DIR};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXIT_REGRESSED: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;
/// Name of the chart redrawn after each save or compare, inside RECORDS_DIR.
const HISTORY_SVG: &str = "history.svg";

pub fn run(args: &BenchArgs) -> ExitCode {
    match &args.action {
        Some(BenchAction::Compare { a, b, threshold }) => compare(a, b, threshold),
        Some(BenchAction::RssChild {
            disk_size,
            allocated,
            work_dir,
        }) => rss_child(*disk_size, *allocated, work_dir.as_deref()),
        None => measure(args),
    }
}

fn measure(args: &BenchArgs) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return bad_input(&format!("cannot find this executable: {e}")),
    };
    let plan = BenchPlan {
        size_bytes: args.size,
        diff_disk_size_bytes: args.diff_disk_size,
        changed_per_mille: args.changed_per_mille,
        rss_disk_size_bytes: args.rss_disk_size,
        repeats: args.repeats,
        work_dir: args.work_dir.clone().unwrap_or_else(std::env::temp_dir),
        exe,
    };
    let name = args.save.clone().unwrap_or_else(|| "unsaved".into());
    if args.save.as_ref().is_some_and(|n| !valid_name(n)) {
        return bad_input("--save NAME may hold only letters, digits, `.`, `-` and `_`");
    }
    eprintln!(
        "rpsim bench: {} MiB full, 1/{} of a {} GiB disk differential, best of {}",
        bench::mib(plan.size_bytes),
        1000 / plan.changed_per_mille.max(1),
        plan.diff_disk_size_bytes >> 30,
        plan.repeats
    );
    let record = match bench::run_bench(&plan, &name, &mut |line| eprintln!("  {line}")) {
        Ok(record) => record,
        Err(message) => return bad_input(&message),
    };
    print_figures(&record);
    if args.save.is_some() {
        let dir = Path::new(RECORDS_DIR);
        match record::save_record(&record, dir) {
            Ok(path) => println!("saved {}", path.display()),
            Err(message) => return bad_input(&message),
        }
        redraw_history(dir);
    }
    ExitCode::SUCCESS
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn print_figures(record: &BenchRecord) {
    println!(
        "{:<24} {:>16} {:<8} {:>16} {:<26} {:>8}",
        "figure", "value", "unit", "baseline", "baseline name", "ratio"
    );
    for f in &record.figures {
        println!(
            "{:<24} {:>16} {:<8} {:>16} {:<26} {:>8}",
            f.name,
            human(f.value, &f.unit),
            f.unit,
            f.baseline_value.map_or("-".into(), |v| human(v, &f.unit)),
            f.baseline.as_deref().unwrap_or("-"),
            f.ratio.map_or("-".into(), |r| format!("{r:.4}")),
        );
        if !f.note.is_empty() {
            println!("    {}", f.note);
        }
    }
}

fn human(value: f64, unit: &str) -> String {
    match unit {
        "bytes/s" => format!("{:.1} MiB/s", value / f64::from(1u32 << 20)),
        "bytes" => format!("{:.1} MiB", value / f64::from(1u32 << 20)),
        "s" => format!("{value:.3} s"),
        _ => format!("{value:.4}"),
    }
}

fn compare(a: &str, b: &str, threshold: &str) -> ExitCode {
    let dir = Path::new(RECORDS_DIR);
    let threshold_percent = match record::parse_threshold(threshold) {
        Ok(t) => t,
        Err(message) => return bad_input(&message),
    };
    let load = |spec: &str| record::load_record(&record::record_path(spec, dir));
    let (ra, rb) = match (load(a), load(b)) {
        (Ok(ra), Ok(rb)) => (ra, rb),
        (Err(message), _) | (_, Err(message)) => return bad_input(&message),
    };
    let changes = record::compare(&ra, &rb, threshold_percent);
    println!(
        "{:<24} {:>10} {:>10} {:>9}  verdict (ratios; threshold {threshold_percent}%)",
        "figure", ra.name, rb.name, "change"
    );
    let fmt = |r: Option<f64>| r.map_or("-".into(), |r| format!("{r:.4}"));
    for c in &changes {
        println!(
            "{:<24} {:>10} {:>10} {:>9}  {}",
            c.name,
            fmt(c.ratio_a),
            fmt(c.ratio_b),
            c.change_percent.map_or("-".into(), |p| format!("{p:+.1}%")),
            verdict_text(c.verdict)
        );
    }
    if dir.is_dir() {
        redraw_history(dir);
    }
    let regressed = changes
        .iter()
        .filter(|c| c.verdict == Verdict::Regressed)
        .count();
    println!("{regressed} regression(s)");
    if regressed > 0 {
        ExitCode::from(EXIT_REGRESSED)
    } else {
        ExitCode::SUCCESS
    }
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Regressed => "REGRESSED",
        Verdict::Improved => "improved",
        Verdict::Unchanged => "ok",
        Verdict::NotCompared => "not compared",
    }
}

fn redraw_history(dir: &Path) {
    let (records, skipped) = match record::load_history(dir) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("warning: history chart not redrawn: {message}");
            return;
        }
    };
    for message in &skipped {
        eprintln!("warning: not in the chart: {message}");
    }
    let path: PathBuf = dir.join(HISTORY_SVG);
    match std::fs::write(&path, record::history_svg(&records)) {
        Ok(()) => println!("wrote {} ({} records)", path.display(), records.len()),
        Err(e) => eprintln!("warning: cannot write {}: {e}", path.display()),
    }
}

fn rss_child(disk_size_bytes: u64, allocated_bytes: u64, work_dir: Option<&Path>) -> ExitCode {
    let work_dir = work_dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    match bench::rss_child(disk_size_bytes, allocated_bytes, &work_dir) {
        Ok(bytes) => {
            println!("{}{bytes}", bench::RSS_CHILD_PREFIX);
            ExitCode::SUCCESS
        }
        Err(message) => bad_input(&message),
    }
}

fn bad_input(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_BAD_INPUT)
}
