//! The system under test: `Msvm_CollectionReferencePointService.ExportReferencePoint` and the
//! `Msvm_CollectionReferencePointExportJob` it starts. Owns the WMI contract (validation,
//! return codes, job states, CIM errors), the export layout and the disk log-file format.
//! It must never know it is simulated: all input comes through [`source::ExportSource`], all
//! output goes through [`target::ExportTarget`], and time arrives as an argument.

pub mod call;
pub mod cimtime;
pub mod cimxml;
pub mod errors;
pub mod guid;
pub mod job;
pub mod layout;
pub mod logfile;
pub mod manifest;
pub mod plan;
pub mod planted;
pub mod probes;
pub mod properties;
pub mod recheck;
pub mod selection;
pub mod service;
pub mod source;
pub mod states;
pub mod stream;
pub mod target;
pub mod validate;
pub mod winpath;
pub mod wmi;
