//! massage-triage: back-pain triage for massage clinics.
//!
//! The data's path is the module layout: the questionnaire and rules (TOML) are loaded and
//! validated into a [`rules::RuleSet`]; answers from a file, a batch record or the prompts
//! become [`answers::Answers`]; the [`engine`] evaluates them into an
//! [`engine::Evaluation`] with an optional trace; [`report`] renders it; [`check`] proves
//! a rule set safe; [`batch`] runs many records from a reader to a writer; [`print`] lays
//! the rule set out as a phone script to print; [`fhir`] exports its questionnaire as an
//! HL7 FHIR R4 Questionnaire.
//!
//! Under the rule set, the modules form layers without a cycle: [`answer`] (the value of
//! one answer) depends on nothing of ours; [`condition`] (compiled conditions and their
//! logics) only on it; [`questionnaire`] holds conditions and compiles and describes them
//! against its questions; [`answers`] checks answer sets against the questionnaire; and
//! [`rules`] builds on all of them. The README's development section lists every layer.
//!
//! The library never prints, exits or touches global state: the binary
//! (`src/bin/massage-triage/`) owns the command line, the terminal, signals and files.

#![warn(clippy::print_stdout, clippy::print_stderr)]
#![deny(unreachable_pub)]

pub mod answer;
pub mod answers;
pub mod batch;
pub mod cases;
pub mod check;
pub mod choice;
pub mod code;
pub mod condition;
pub mod counterfactual;
pub mod diagnostic;
pub mod engine;
pub mod fhir;
pub mod fuzz;
pub mod intake;
pub mod print;
pub mod questionnaire;
pub mod recommendation;
pub mod replay;
pub mod report;
pub mod rules;
pub mod schema;
pub mod suggestion;
pub mod text;
pub mod wording;
