//! The reader's integration tests, one binary: log files, manifests, chains, images, and
//! hostile input (symbolic links, FIFOs, sparse files, impossible sizes, output directories
//! that would land inside an export). Each module says what it protects.

mod chain;
mod common;
mod image;
mod logfile;
mod manifest;
mod exit_class;
mod hostile_files;
mod links;
mod out_dir;
mod sizes;
mod sparse;
mod extent_map;
