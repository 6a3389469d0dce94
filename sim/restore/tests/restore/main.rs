//! The reader's integration tests, one binary: log files, manifests, chains, images, and
//! hostile input (symbolic links, FIFOs, sparse files, impossible sizes, output directories
//! that would land inside an export). Each module says what it protects.

mod chain;
mod common;
mod exit_class;
mod extent_map;
mod hostile_files;
mod image;
mod links;
mod logfile;
mod manifest;
mod out_dir;
mod sizes;
mod sparse;
