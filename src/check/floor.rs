//! The safety floor. The proof is only as strong as the safety statements, and they sit in
//! the same files as the rules they guard: deleting `min_urgency = "emergency"` under a red
//! flag makes the proof pass while the rule below it sends the person to a massage table.
//! So the built-in rule set's statements are a floor: a rule set from a folder is compared
//! with them by question and option id, and a statement removed or weakened is a safety
//! finding unless the folder declares the exception, with its reason.

use super::findings::{Category, Finding, Place};
use crate::code::Code;
use crate::questionnaire::{Questionnaire, StatementSubject};
use crate::recommendation::{Pressure, StyleSet, Urgency};
use crate::rules::{Origin, RuleSet};

/// What one safety statement demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Demand {
    min_urgency: Option<Urgency>,
    forbids: StyleSet,
    max_pressure: Option<Pressure>,
}

/// A built-in statement that a rule set lacks or weakens.
#[derive(Debug, Clone)]
struct Lowering {
    /// The statement's name: `question.option`, `question.escalating` or an invariant's id.
    statement: String,
    /// What the built-in statement says, and where.
    floor: String,
    /// What this rule set says instead.
    here: String,
    /// Where in this rule set's questionnaire (0: nowhere, it is gone).
    line: usize,
}

/// The floor's findings for a rule set read from a folder: each lowering not declared, and
/// each declared exception that excuses nothing. The built-in set is the floor itself.
pub(super) fn floor_findings(rule_set: &RuleSet) -> Vec<Finding> {
    if !matches!(rule_set.origin, Origin::Folder(_)) {
        return Vec::new();
    }
    let Ok(floor) = RuleSet::built_in() else { return Vec::new() };
    let lowerings = lowerings(&floor, &rule_set.questionnaire);
    let exceptions = &rule_set.questionnaire.floor_exceptions;
    let excused = |statement: &str| exceptions.iter().any(|e| e.statement == "*" || e.statement == statement);
    let file = &rule_set.questionnaire_file;
    let mut findings: Vec<Finding> = lowerings
        .iter()
        .filter(|lowering| !excused(&lowering.statement))
        .map(|lowering| Finding {
            code: Code::FloorWeakened,
            category: Category::Safety,
            at: Place { file: file.to_string(), line: lowering.line },
            subject: lowering.statement.clone(),
            affected: None,
            message: format!(
                "the built-in safety statement \"{}\" ({}) is weakened here: {}; to mean it, declare [[floor_exception]] statement = \"{}\" with a because",
                lowering.statement, lowering.floor, lowering.here, lowering.statement
            ),
            rules: Vec::new(),
            example: None,
        })
        .collect();
    let unused =
        exceptions.iter().filter(|e| e.statement != "*" && !lowerings.iter().any(|l| l.statement == e.statement));
    findings.extend(unused.map(|exception| Finding {
        code: Code::UnusedFloorException,
        category: Category::Warning,
        at: Place { file: file.to_string(), line: exception.line },
        subject: exception.statement.to_string(),
        affected: None,
        message: format!(
            "the exception to the safety floor for \"{}\" excuses nothing: no built-in statement of that name is weakened here",
            exception.statement
        ),
        rules: Vec::new(),
        example: None,
    }));
    findings
}

/// Every built-in statement that `here` removes or weakens.
fn lowerings(floor: &RuleSet, here: &Questionnaire) -> Vec<Lowering> {
    let built_in = &floor.questionnaire;
    let at = |line: usize| format!("{}:{line}", floor.questionnaire_file);
    let mut lowerings = Vec::new();
    for statement in built_in.statements() {
        let name = built_in.statement_name(statement.subject);
        let demand = Demand {
            min_urgency: statement.min_urgency,
            forbids: statement.forbids,
            max_pressure: statement.max_pressure,
        };
        let floor_words = format!("{}: {}", at(statement.line), demand_words(&demand));
        let (found, line) = match statement.subject {
            StatementSubject::Mark { question, option } => mark_here(built_in, here, question, option),
            StatementSubject::Invariant(index) => invariant_here(built_in, here, index),
        };
        let here_words = match found {
            Err(gone) => Some(gone),
            Ok(found) => weakening(&demand, &found.demand).or(found.changed),
        };
        if let Some(here_words) = here_words {
            lowerings.push(Lowering { statement: name, floor: floor_words, here: here_words, line });
        }
    }
    for question in built_in.questions.iter().filter(|q| q.escalating) {
        let statement = format!("{}.escalating", question.id);
        let floor_words = format!("{}: adding an answer never lowers the urgency", at(question.line));
        let here_words = match here.questions.iter().find(|q| q.id == question.id) {
            None => Some(("the question is not asked".to_owned(), 0)),
            Some(q) if !q.escalating => Some(("it is not marked escalating".to_owned(), q.line)),
            Some(_) => None,
        };
        if let Some((here_words, line)) = here_words {
            lowerings.push(Lowering { statement, floor: floor_words, here: here_words, line });
        }
    }
    lowerings
}

/// A statement as this rule set has it, with what else about it changed.
struct Found {
    demand: Demand,
    /// A change the demand does not show (an invariant's condition).
    changed: Option<String>,
}

/// The mark of the built-in option `option` of question `question` in `here`, by ids.
fn mark_here(
    built_in: &Questionnaire,
    here: &Questionnaire,
    question: usize,
    option: usize,
) -> (Result<Found, String>, usize) {
    let question = &built_in.questions[question];
    let option_id = &question.options[option].id;
    let Some(here_question) = here.questions.iter().find(|q| q.id == question.id) else {
        return (Err("the question is not asked".to_owned()), 0);
    };
    let Some(here_option) = here_question.options.iter().find(|o| o.id == *option_id) else {
        return (Err("the option is not offered".to_owned()), here_question.line);
    };
    let demand = Demand {
        min_urgency: here_option.min_urgency,
        forbids: here_option.forbids,
        max_pressure: here_option.max_pressure,
    };
    (Ok(Found { demand, changed: None }), here_option.line)
}

/// The built-in invariant at `index` in `here`, by id. Its condition is compared in words
/// (the two questionnaires number their questions apart): any change counts, since a
/// narrower condition is a weaker statement.
fn invariant_here(built_in: &Questionnaire, here: &Questionnaire, index: usize) -> (Result<Found, String>, usize) {
    let invariant = &built_in.invariants[index];
    let Some(found) = here.invariants.iter().find(|i| i.id == invariant.id) else {
        return (Err("the invariant is gone".to_owned()), 0);
    };
    let (floor_when, here_when) = (invariant.when.describe(built_in), found.when.describe(here));
    let changed = (floor_when != here_when).then(|| format!("its condition is \"{here_when}\", not \"{floor_when}\""));
    let demand = Demand { min_urgency: found.min_urgency, forbids: found.forbids, max_pressure: found.max_pressure };
    (Ok(Found { demand, changed }), found.line)
}

/// How `here` demands less than `floor`, in words; `None` when it demands as much or more.
fn weakening(floor: &Demand, here: &Demand) -> Option<String> {
    let mut less = Vec::new();
    if let Some(urgency) = floor.min_urgency {
        if here.min_urgency.is_none_or(|u| u < urgency) {
            less.push(format!("min_urgency is {}", here.min_urgency.map_or("none", |u| u.id())));
        }
    }
    let dropped: Vec<&str> = floor.forbids.iter().filter(|s| !here.forbids.contains(*s)).map(|s| s.id()).collect();
    if !dropped.is_empty() {
        less.push(format!("{} no longer forbidden", dropped.join(", ")));
    }
    if let Some(pressure) = floor.max_pressure {
        if here.max_pressure.is_none_or(|p| p > pressure) {
            less.push(format!("max_pressure is {}", here.max_pressure.map_or("none", |p| p.id())));
        }
    }
    (!less.is_empty()).then(|| less.join(", "))
}

/// What a statement demands, in its keys' words.
fn demand_words(demand: &Demand) -> String {
    let mut words = Vec::new();
    if let Some(urgency) = demand.min_urgency {
        words.push(format!("min_urgency = \"{}\"", urgency.id()));
    }
    if !demand.forbids.is_empty() {
        let styles: Vec<&str> = demand.forbids.iter().map(|s| s.id()).collect();
        words.push(format!("forbids = [{}]", styles.join(", ")));
    }
    if let Some(pressure) = demand.max_pressure {
        words.push(format!("max_pressure = \"{}\"", pressure.id()));
    }
    words.join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceText;
    use crate::rules::BUILT_IN_QUESTIONNAIRE;

    /// The built-in floor's lowerings in the built-in questionnaire edited by `edit`.
    fn lowered(edit: impl FnOnce(&str) -> String) -> Vec<(String, String)> {
        let floor = RuleSet::built_in().unwrap();
        let text = edit(BUILT_IN_QUESTIONNAIRE);
        let here = Questionnaire::parse(SourceText::new("q.toml", &text)).unwrap();
        lowerings(&floor, &here).into_iter().map(|l| (l.statement, l.here)).collect()
    }

    #[test]
    fn the_floor_is_met_by_itself_and_by_stronger_statements() {
        assert!(lowered(str::to_owned).is_empty());
        let stronger = |q: &str| {
            q.replacen("min_urgency = \"routine\"", "min_urgency = \"urgent\"", 1)
                .replacen("forbids = [\"deep_tissue\"]", "forbids = [\"deep_tissue\", \"sports\"]", 1)
                .replacen("max_pressure = \"medium\"", "max_pressure = \"light\"", 1)
        };
        assert!(lowered(stronger).is_empty(), "{:?}", lowered(stronger));
    }

    #[test]
    fn a_removed_option_or_question_takes_its_statements_with_it() {
        let without_option = |q: &str| {
            let start = q.find("[[question.option]]\nid = \"saddle_numbness\"").unwrap();
            let end = start + 1 + q[start + 1..].find("[[question.option]]").unwrap();
            format!("{}{}", &q[..start], &q[end..])
        };
        let found = lowered(without_option);
        assert!(
            found.contains(&("red_flags.saddle_numbness".to_owned(), "the option is not offered".to_owned())),
            "{found:?}"
        );
    }
}
