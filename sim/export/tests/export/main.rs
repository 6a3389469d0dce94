//! The integration tests of `rpsim-export`, one binary: the export job driven through
//! `ExportService` against an in-memory source and a fault-injecting plain-directory target
//! (`common`). `export_happy` covers full and differential exports, `refusals` the synchronous
//! return codes, `faults` failures and their cleanup, `control` `RequestStateChange`, `cimxml` GetErrorEx's CIM-XML text parsed back.

mod cimxml;
mod common;
mod control;
mod export_happy;
mod faults;
mod refusals;
