//! `rpsim bench`: its arguments and the calls into `rpsim_harness::commands::bench`.

use clap::Subcommand;
use rpsim_harness::bench::BenchPlan;
use rpsim_harness::commands::bench::{chart, compare, measure, rss_child, CompareRequest};
use rpsim_harness::reporter::{Fanout, HarnessEvent, Reporter};
use rpsim_harness::Outcome;
use std::path::PathBuf;

/// Parses a size such as `1GiB`, `256MiB` or `4096` into bytes.
fn parse_size_bytes(text: &str) -> Result<u64, String> {
    rpsim_scenario::units::parse_byte_size(text).map(|size| size.0)
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub action: Option<BenchAction>,
    /// Allocated data of the full export, and the size of the write/cp baselines.
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = parse_size_bytes)]
    pub size: u64,
    /// Virtual size of the disk whose changed blocks the differential exports.
    #[arg(long, value_name = "SIZE", default_value = "64GiB", value_parser = parse_size_bytes)]
    pub diff_disk_size: u64,
    /// Share of that disk's blocks changed between the two reference points, in per mille.
    #[arg(long, value_name = "PER_MILLE", default_value_t = 10)]
    pub changed_per_mille: u64,
    /// Virtual size of the disk of the peak-RSS run (its allocated data is `--size`).
    #[arg(long, value_name = "SIZE", default_value = "2TiB", value_parser = parse_size_bytes)]
    pub rss_disk_size: u64,
    /// Data held by each image of the rsync pair (`--diff-disk-size` each, sparse past it).
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = parse_size_bytes)]
    pub rsync_allocated: u64,
    /// Also measure the cost curve: full and differential exports at 256MiB, 1GiB and 4GiB.
    #[arg(long)]
    pub curve: bool,
    /// Runs of each timing; each figure keeps their median, minimum and maximum.
    #[arg(long, default_value_t = 3)]
    pub repeats: u32,
    /// Runs of each rsync timing, cold and warm (a 64GiB image pair takes minutes per run).
    #[arg(long, default_value_t = 1)]
    pub rsync_repeats: u32,
    /// Directory for the scratch files (default: the system temporary directory).
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Save the figures as reports/bench/NAME.json (draw the chart with `bench chart`).
    #[arg(long, value_name = "NAME")]
    pub save: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum BenchAction {
    /// Compare two saved records (names in reports/bench/ or paths); exit 1 if a ratio
    /// regressed beyond the threshold (a change within the repeats' spread is none), 2 if
    /// the records were made with different sizes or repeat counts. Writes no file.
    Compare {
        /// The older record.
        a: String,
        /// The newer record.
        b: String,
        /// Largest tolerated change of a ratio in the bad direction.
        #[arg(long, default_value = "10%")]
        threshold: String,
        /// Compare records made with different sizes or repeat counts anyway (with a warning).
        #[arg(long)]
        allow_different_parameters: bool,
    },
    /// Draw the history chart of saved records (names in reports/bench/ or paths; none: every
    /// record there) as SVG: one panel per figure, in the order the records were saved.
    Chart {
        /// Records to draw.
        records: Vec<String>,
        /// The SVG file to write.
        #[arg(short = 'o', long = "output", value_name = "FILE.svg")]
        output: PathBuf,
    },
    /// Internal: one full export (or, with `--restore`, one restore) in a fresh process,
    /// printing its peak RSS.
    #[command(hide = true)]
    RssChild {
        #[arg(long, value_parser = parse_size_bytes)]
        disk_size: u64,
        #[arg(long, value_parser = parse_size_bytes)]
        allocated: u64,
        /// The export directories of a chain to restore instead, in order.
        #[arg(long)]
        restore: Vec<PathBuf>,
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
}

pub fn call(args: BenchArgs, reporter: &mut Fanout) -> Outcome {
    match args.action {
        Some(BenchAction::Compare {
            a,
            b,
            threshold,
            allow_different_parameters,
        }) => {
            let request = CompareRequest {
                a,
                b,
                threshold,
                allow_different_parameters,
            };
            compare(&request, reporter)
        }
        Some(BenchAction::Chart { records, output }) => chart(&records, &output, reporter),
        Some(BenchAction::RssChild {
            disk_size,
            allocated,
            restore,
            work_dir,
        }) => rss_child(
            disk_size,
            allocated,
            &restore,
            work_dir.as_deref(),
            reporter,
        ),
        None => {
            let exe = match std::env::current_exe() {
                Ok(exe) => exe,
                Err(e) => {
                    let message = format!("cannot find this executable: {e}");
                    reporter.event(&HarnessEvent::Error { message: &message });
                    return Outcome::BadInput;
                }
            };
            let plan = BenchPlan {
                size_bytes: args.size,
                diff_disk_size_bytes: args.diff_disk_size,
                changed_per_mille: args.changed_per_mille,
                rss_disk_size_bytes: args.rss_disk_size,
                rsync_allocated_bytes: args.rsync_allocated,
                curve: args.curve,
                repeats: args.repeats,
                rsync_repeats: args.rsync_repeats,
                work_dir: args.work_dir.unwrap_or_else(std::env::temp_dir),
                exe,
            };
            measure(&plan, args.save.as_deref(), reporter)
        }
    }
}
