//! The `--report-json` document: per scenario and per export, the final job object under its
//! WMI property names, the call's return code, `GetError`, the `GetErrorEx` chain (as objects
//! and as the CIM-XML text WMI hands a client), the job's history and what `poll` entries
//! read, and the coverage probes the run reached. Owns the report's shape; it must never
//! decide pass or fail.

use crate::runner::ScenarioRun;
use rpsim_checks::exported_paths;
use rpsim_checks::report::CheckFailure;
use rpsim_export::cimxml;
use rpsim_export::wmi::{CimError, JobProperties};
use rpsim_world::poll::{Reading, StateChange};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct RunReport<'a> {
    pub rpsim_version: &'static str,
    pub scenarios: Vec<ScenarioReport<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ScenarioReport<'a> {
    pub name: &'a str,
    pub file: String,
    pub seed: u64,
    pub passed: bool,
    pub trace_hash: &'a str,
    pub event_count: u64,
    pub sim_time_ns: u64,
    pub checks_passed: u64,
    pub restored_disks: u64,
    /// Wall-clock time of the run (load + simulate + check); human-facing, varies per machine.
    pub wall_time_ms: u64,
    /// Sum of the sizes of the files of completed exports.
    pub bytes_exported: u64,
    pub failures: &'a [CheckFailure],
    pub repro: String,
    /// Coverage probes the run reached: name to hits (probes never hit are left out).
    pub probes: std::collections::BTreeMap<String, u32>,
    /// What the seed drew for `swarm` and `random_actions` (absent without them).
    #[serde(skip_serializing_if = "rpsim_world::explore::Drawn::is_empty")]
    pub drawn: &'a rpsim_world::explore::Drawn,
    pub exports: Vec<ExportReport<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ExportReport<'a> {
    pub name: &'a str,
    #[serde(rename = "ReturnValue")]
    pub return_code: u32,
    /// The refused call's reason (not a WMI out parameter).
    pub call_error: Option<&'a CimError>,
    #[serde(rename = "Job")]
    pub job: Option<&'a JobProperties>,
    /// `GetError`'s one error (null when the job reports none).
    #[serde(rename = "GetError")]
    pub get_error: Option<&'a CimError>,
    #[serde(rename = "GetErrorEx")]
    pub get_error_ex: &'a [CimError],
    /// `GetErrorEx`'s `Errors[]` as WMI returns them: one CIM-XML `Msvm_Error` instance each.
    #[serde(rename = "GetErrorExCimXml")]
    pub get_error_ex_cim_xml: Vec<String>,
    #[serde(rename = "RequestStateChangeReturnValues")]
    pub state_change_codes: &'a [u32],
    /// Every JobState change of the job: its sim time and the whole job object then.
    pub history: &'a [StateChange],
    /// What the scenario's `poll` entries read: sim time, entry, the job object (or null).
    pub readings: &'a [Reading],
    /// A cap on readings stopped a repeated poll of this export.
    pub readings_capped: bool,
    /// With `--keep-exports`: each `Exported*FilePaths[]` entry beside the real file it names,
    /// so a client can open it (not a WMI property).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub real_paths: Vec<RealPath<'a>>,
}

/// One exported path as the job listed it and the real file behind it.
#[derive(Debug, Serialize)]
pub struct RealPath<'a> {
    pub path: &'a str,
    pub real_path: String,
}

/// The real file of every reported path of a kept export (none when exports were not kept).
fn real_paths<'a>(run: &ScenarioRun, record: &'a rpsim_world::ExportRecord) -> Vec<RealPath<'a>> {
    let (Some(job), Some(real_dir), true) = (
        record.final_properties.as_ref(),
        record.real_directory.as_deref(),
        run.exports_kept,
    ) else {
        return Vec::new();
    };
    let arrays = [
        &job.exported_log_file_paths,
        &job.exported_config_file_paths,
        &job.exported_runtime_file_paths,
        &job.exported_guest_state_file_paths,
    ];
    arrays
        .into_iter()
        .flatten()
        .filter_map(|path| {
            let real = exported_paths::real_file(&job.export_directory, real_dir, path)?;
            Some(RealPath {
                path,
                real_path: real.display().to_string(),
            })
        })
        .collect()
}

/// Builds the report for a set of runs.
pub fn build(runs: &[ScenarioRun]) -> RunReport<'_> {
    RunReport {
        rpsim_version: env!("CARGO_PKG_VERSION"),
        scenarios: runs.iter().map(scenario_report).collect(),
    }
}

fn scenario_report(run: &ScenarioRun) -> ScenarioReport<'_> {
    ScenarioReport {
        name: &run.name,
        file: run.file.display().to_string(),
        seed: run.seed,
        passed: run.passed(),
        trace_hash: &run.outcome.trace_hash,
        event_count: run.outcome.event_count,
        sim_time_ns: run.outcome.end_time_ns,
        checks_passed: run.checks.passed,
        restored_disks: run.checks.restored_disks,
        wall_time_ms: run.wall_time_ms,
        bytes_exported: run.bytes_exported,
        failures: &run.checks.failures,
        repro: run.repro_command(),
        probes: crate::coverage::counts_of(&run.outcome.probes),
        drawn: &run.drawn,
        exports: run
            .outcome
            .exports
            .iter()
            .map(|e| ExportReport {
                name: &e.name,
                return_code: e.result.return_code,
                call_error: e.result.error.as_ref(),
                job: e.final_properties.as_ref(),
                get_error: e.get_error.as_ref(),
                get_error_ex: &e.get_error_ex,
                get_error_ex_cim_xml: cimxml::msvm_errors(&e.get_error_ex),
                state_change_codes: &e.state_change_codes,
                history: &e.history,
                readings: &e.readings,
                readings_capped: e.readings_capped,
                real_paths: real_paths(run, e),
            })
            .collect(),
    }
}
