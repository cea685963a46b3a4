//! The integration tests, in one binary: after a change in the library only this one test
//! binary is linked again, not one per file (as in just and ripgrep). Each module is one
//! area; `common` holds what several of them share. Run one area with its module path as
//! the filter, e.g. `cargo test --test integration fuzz::`.
#![allow(clippy::unwrap_used)]

mod common;

mod assess_cli;
mod batch;
mod check_brute_force;
mod conventions;
mod engine_properties;
mod fhir;
mod files_written;
mod floor;
mod fuzz;
mod identity;
#[cfg(unix)]
mod intake_list;
#[cfg(unix)]
mod intake_plain;
#[cfg(unix)]
mod intake_pty;
mod messages;
mod print;
mod reliability;
mod replay;
mod rule_loading;
mod rules_check;
mod rules_diff;
mod rules_test;
mod schemas;
mod verdicts;
mod what_would_change;
mod worked_cases;
