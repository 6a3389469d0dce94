//! The timeline actions that talk to the world's reference points and to the export service:
//! `create_reference_point`, `destroy_reference_point`, `remove_associated_data`, `export` (the
//! call, its trace record and its [`ExportRecord`]) and `request_state_change`. Owns carrying
//! these out and tracing them; it must never step a job (it only schedules steps) or decide
//! when an action happens.

use super::state::Run;
use crate::call;
use crate::export_record::ExportRecord;
use crate::run_error::RunError;
use rpsim_export::guid::Guid;
use rpsim_export::service::CallResult;
use rpsim_export::wmi::{return_code, RequestedState, WmiError};
use rpsim_scenario::model;

impl Run<'_> {
    pub(super) fn create_reference_point(&mut self, create: &model::CreateReferencePoint) {
        let result = self.world.create_reference_point(
            &create.name,
            &create.group,
            create.reference_point_type,
            create.consistency,
            self.now_ns,
        );
        self.last_call_code = Some(result.map_or_else(|code| code, |_| return_code::COMPLETED));
        let outcome = match result {
            Ok(id) => format!("collection_id={id}"),
            Err(code) => format!("return_code={code}"),
        };
        let detail = format!("name={} group={} {outcome}", create.name, create.group);
        self.trace
            .record(self.now_ns, "create_reference_point", detail);
    }

    /// Destroys reference point `name` (and what goes with it), traced as `kind`.
    pub(super) fn destroy(&mut self, name: &str, kind: &str) {
        let (code, gone) = self.world.destroy_reference_point(name);
        self.last_call_code = Some(code);
        let gone: Vec<String> = gone.iter().map(Guid::to_string).collect();
        let detail = format!(
            "name={name} return_code={code} destroyed=[{}]",
            gone.join(",")
        );
        self.trace.record(self.now_ns, kind, detail);
    }

    /// Removes the log of reference point `name`, traced as `kind`.
    pub(super) fn remove_log(&mut self, name: &str, kind: &str) {
        let code = self.world.remove_associated_data(name);
        self.last_call_code = Some(code);
        self.trace
            .record(self.now_ns, kind, format!("name={name} return_code={code}"));
    }

    pub(super) fn export(&mut self, export: &model::Export) -> Result<(), RunError> {
        let built = call::build(&self.world, export);
        let at_call = self.call_context(&built);
        let result = if self
            .world
            .hosts
            .get(self.service_host)
            .is_some_and(|h| h.down)
        {
            // Ours: the service's host is down, nothing answers the call.
            self.probes.hit(rpsim_probe::Probe::CallHostDown);
            CallResult {
                return_code: return_code::SYSTEM_NOT_AVAILABLE,
                job: None,
                error: None,
            }
        } else {
            let source = self.world.source();
            self.service
                .export_reference_point(&source, &built.call, self.now_ns)
        };
        let detail = format!(
            "name={} reference_point={} base={} directory={} return_code={}",
            export.name,
            built.call.reference_point_collection,
            built.call.base_reference_point_collection,
            built.call.export_directory,
            result.return_code
        );
        self.trace.record(self.now_ns, "export", detail);
        let index = self.exports.len();
        self.exports.push(ExportRecord {
            name: export.name.clone(),
            real_directory: self.target.real_path(&built.call.export_directory),
            export_directory: built.call.export_directory.clone(),
            call: built.call,
            job_id: result.job,
            result,
            final_properties: None,
            get_error: None,
            get_error_ex: Vec::new(),
            state_change_codes: Vec::new(),
            reference_point: built.reference_point,
            base: built.base,
            disks: export.disks.clone(),
            finished_at_ns: None,
            history: Vec::new(),
            readings: Vec::new(),
            readings_capped: false,
            at_call,
            state_change_calls: Vec::new(),
        });
        self.step_pending.push(false);
        if self.exports[index].job_id.is_some() {
            self.schedule_step(index, self.now_ns)?;
        }
        Ok(())
    }

    pub(super) fn request_state_change(
        &mut self,
        change: &model::RequestStateChange,
    ) -> Result<(), RunError> {
        let Some(index) = self.exports.iter().rposition(|e| e.name == change.export) else {
            let detail = format!("export={} no such export yet; skipped", change.export);
            self.trace
                .record(self.now_ns, "request_state_change", detail);
            return Ok(());
        };
        let Some(job) = self.exports[index].job_id else {
            self.probes.hit(rpsim_probe::Probe::RscNoJob);
            let detail = format!("export={} has no job; skipped", change.export);
            self.trace
                .record(self.now_ns, "request_state_change", detail);
            return Ok(());
        };
        let timeout_ns = change.timeout.map_or(0, |t| t.ns());
        let before = self
            .service
            .job_properties(job, self.now_ns)
            .map(|p| (p.job_state, p.cancellable));
        let code = answer(self.service.request_state_change(
            job,
            change.state.code(),
            timeout_ns,
            self.now_ns,
        ));
        self.exports[index].state_change_codes.push(code);
        self.exports[index]
            .state_change_calls
            .push(crate::export_record::StateChangeCall {
                at_ns: self.now_ns,
                requested: change.state.code(),
                timeout_ns,
                before,
                code,
            });
        let detail = format!(
            "export={} state={} timeout_ns={timeout_ns} return_code={code}",
            change.export,
            state_name(change.state)
        );
        self.trace
            .record(self.now_ns, "request_state_change", detail);
        self.schedule_step(index, self.now_ns)
    }
}

impl Run<'_> {
    /// `export` with its base chosen now: the point of the group's latest export that
    /// completed (same type, not this point), with that export's disk selection; without one,
    /// a full export of the drawn selection. The choice goes to `observer` as a decision.
    pub(super) fn chain_on_latest_completed(
        &self,
        export: &model::Export,
        entry: usize,
        observer: &mut dyn crate::observe::EventObserver,
    ) -> model::Export {
        let refpoints = &self.world.refpoints;
        let target = refpoints.by_name(&export.reference_point);
        let base = target.and_then(|target| {
            self.exports.iter().rev().find_map(|record| {
                let completed = record
                    .final_properties
                    .as_ref()
                    .is_some_and(|p| p.job_state == 7);
                let point = refpoints.get(&record.reference_point?)?;
                let fits = point.group == target.group
                    && point.collection_id != target.collection_id
                    && point.reference_point_type == target.reference_point_type
                    && point.taken_at_ns <= target.taken_at_ns;
                (completed && fits).then(|| (point.name.clone(), record.disks.clone()))
            })
        });
        let (base, disks) = match base {
            Some((name, disks)) => (Some(name), disks),
            None => (None, export.disks.clone()),
        };
        if observer.records_decisions() {
            observer.random_decision(&crate::observe::RandomDecision::Base {
                entry,
                base: base.clone(),
                disks: disks.clone(),
            });
        }
        model::Export {
            base,
            disks,
            base_latest_completed: false,
            ..export.clone()
        }
    }

    /// What the world knows as `built` is called: the point's group, the unfinished exports,
    /// whether the base is usable.
    fn call_context(&self, built: &call::BuiltCall) -> crate::export_record::CallContext {
        let refpoints = &self.world.refpoints;
        let point = built.reference_point.and_then(|id| refpoints.get(&id));
        let group = point.map(|p| self.world.groups[p.group].name.clone());
        let member_unavailable = point.is_some_and(|p| {
            (0..self.world.vms.len()).any(|vm| {
                self.world.vms[vm].group == p.group && self.world.vm_unavailable(vm).is_some()
            })
        });
        let unfinished = (0..self.exports.len())
            .filter(|i| {
                let record = &self.exports[*i];
                let running = record.job_id.is_some_and(|job| {
                    self.service
                        .job_properties(job, self.now_ns)
                        .is_some_and(|p| !(7..=10).contains(&p.job_state))
                });
                running && record.finished_at_ns.is_none()
            })
            .collect();
        let base_usable = built.base.map(|id| {
            refpoints.get(&id).is_some_and(|p| {
                !p.destroyed && !p.log_removed && p.disks.iter().all(|d| self.world.rct_usable(d))
            })
        });
        crate::export_record::CallContext {
            at_ns: self.now_ns,
            group,
            unfinished,
            member_unavailable,
            base_usable,
        }
    }
}

/// The requested state as the trace names it: the WMI name (`Kill`) or the number.
fn state_name(state: model::RequestedState) -> String {
    match RequestedState::from_code(state.code()) {
        Some(named) => format!("{named:?}"),
        None => state.code().to_string(),
    }
}

/// What a client records for a call: the method's return value, or the HRESULT of a call WMI
/// refused (`WBEM_E_NOT_FOUND` = 2147749890 for a job removed after `TimeBeforeRemoval`).
pub(super) fn answer(result: Result<u32, WmiError>) -> u32 {
    result.unwrap_or_else(WmiError::hresult)
}
