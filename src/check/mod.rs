//! `rules check`: proves a rule set's safety properties over its whole answer space (not a
//! sample), and reports gaps, dead and shadowed rules, and unused questions and options.
//!
//! The pipeline: [`space`] splits each question's answers into the classes the rules can
//! tell apart; [`prove`] joins questions read together into components, enumerates each
//! component's reachable outcomes once and searches their combinations with pruning;
//! `properties` states each property as such a search; [`findings`] is what comes out.

mod budget;
pub mod diff;
pub mod findings;
mod floor;
mod properties;
pub mod prove;
pub mod space;
mod sweep;
mod witness;

pub use budget::{Budget, Limit};
pub use findings::{outcome_words, Category, CheckReport, Counterexample, Finding, Place};

use crate::code::Code;
use crate::condition::Condition;
use crate::diagnostic::Diagnostics;
use crate::engine::FiredRules;
use crate::questionnaire::QuestionKind;
use crate::rules::RuleSet;
use properties::Checker;
use prove::{Parts, Spec, Watch};

/// Which parts of the check to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The safety properties only.
    Safety,
    /// Everything.
    Everything,
}

/// Runs every check on a rule set, within the default budget.
pub fn check(rule_set: &RuleSet) -> CheckReport {
    check_within(rule_set, Budget::DEFAULT)
}

/// Runs every check on a rule set; past the budget, the report is a `not-proven` finding
/// that names what entangles the space.
pub fn check_within(rule_set: &RuleSet, budget: Budget) -> CheckReport {
    run(rule_set, Scope::Everything, budget)
}

/// Proves the safety properties (within the default budget); the problems as diagnostics
/// when they fail. Commands call this before evaluating with a rule set given by `--rules`.
pub fn ensure_safe(rule_set: &RuleSet) -> Result<(), Diagnostics> {
    let report = run(rule_set, Scope::Safety, Budget::DEFAULT);
    let command = match &rule_set.origin {
        crate::rules::Origin::BuiltIn => "massage-triage rules check".to_owned(),
        crate::rules::Origin::Folder(dir) => format!("massage-triage rules check --rules {}", dir.display()),
    };
    report.safety_diagnostics(&command).into_result(())
}

/// The watches a check follows: each conditional question's constraint, then each safety
/// statement's condition.
fn watches(rule_set: &RuleSet) -> Vec<Watch> {
    let questionnaire = &rule_set.questionnaire;
    let statements =
        questionnaire.statements().into_iter().map(|s| Watch { when: s.when.into_owned(), constraint: false });
    constraint_watches(rule_set).into_iter().chain(statements).collect()
}

/// Each conditional question's constraint: answered exactly when its `ask_when` holds, so
/// that only answer sets a person can give are swept.
fn constraint_watches(rule_set: &RuleSet) -> Vec<Watch> {
    let questionnaire = &rule_set.questionnaire;
    let constraints = questionnaire.questions.iter().enumerate().filter_map(|(q, question)| {
        let when = question.ask_when.clone()?;
        let asked = Condition::Asked { question: q };
        let agrees = Condition::Any(vec![
            Condition::All(vec![when.clone(), asked.clone()]),
            Condition::All(vec![Condition::Not(Box::new(when)), Condition::Not(Box::new(asked))]),
        ]);
        Some(Watch { when: agrees, constraint: true })
    });
    constraints.collect()
}

fn run(rule_set: &RuleSet, scope: Scope, budget: Budget) -> CheckReport {
    let watches = watches(rule_set);
    let parts = match Parts::new(rule_set, &watches, budget) {
        Ok(parts) => parts,
        Err(reason) => return not_proven(rule_set, reason),
    };
    // One coarse sweep a component with every statement followed; the plain outcomes are
    // the same with the statements' distinctions dropped.
    // Only the whole check reads which rules fired (for dead and shadowed rules); a
    // safety-only one (before answering with a `--rules` set) draws no samples for it and
    // lets every rule be absorbed.
    let (seen_firing, unfollowed) = match scope {
        Scope::Everything => {
            let seen = parts.seen_firing();
            (seen, seen)
        }
        Scope::Safety => {
            let mut every = FiredRules::default();
            (0..rule_set.rules.len()).for_each(|rule| every.insert(rule));
            (FiredRules::default(), every)
        }
    };
    let spec = Spec { statements: true, coarse: true, unfollowed, ..Spec::default() };
    let statement_variants: Result<Vec<_>, Uncoverable> =
        (0..parts.components.len()).map(|c| parts.variants(c, &spec)).collect();
    let statement_variants = match statement_variants {
        Ok(variants) => variants,
        Err(reason) => return not_proven(rule_set, reason),
    };
    let plain: Vec<Vec<prove::Variant>> = statement_variants.iter().map(|v| prove::merged(v)).collect();
    // Counted over what a person can answer (the constraints hold in every variant).
    let count = |of: fn(&prove::Variant) -> u128| {
        plain.iter().map(|variants| variants.iter().map(of).fold(0, u128::saturating_add)).fold(1, u128::saturating_mul)
    };
    let (answer_classes, answer_sets) = (count(|v| v.classes), count(|v| v.answers));
    let first_statement = watches.iter().filter(|w| w.constraint).count();
    let components = parts.components.len();
    let mut checker = Checker {
        parts: &parts,
        plain,
        exact_plain: vec![None; components],
        findings: Vec::new(),
        combinations: 0,
        first_statement,
        statement_variants,
        exact_statement_variants: vec![None; components],
        seen_firing,
    };
    if let Err(reason) = prove_all(&mut checker, scope) {
        return not_proven(rule_set, reason);
    }
    let Checker { mut findings, combinations, .. } = checker;
    // The built-in statements are a floor under a folder's: removing one is a finding too.
    let floor = floor::floor_findings(rule_set).into_iter();
    findings.extend(floor.filter(|f| scope == Scope::Everything || f.category == Category::Safety));
    // Safety first, then gaps, then warnings; file order within each.
    findings.sort_by_key(|f| (f.category as u8, f.at.file.clone(), f.at.line));
    CheckReport { findings, answer_classes, answer_sets, combinations }
}

/// Why the checker could not cover a rule set's whole answer space (reported as a
/// `not-proven` finding, never as a pass).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Uncoverable {
    /// One question's answers split into too many classes.
    #[error(
        "the rules tell the options of question \"{question}\" apart in {groups} groups, whose combinations \
         are more than the {max} answer classes the check covers for a question; rules that test \
         options together (one list of options in one test) split it less"
    )]
    TooManyClasses {
        /// The question's id.
        question: String,
        /// The groups of options the rules tell apart.
        groups: usize,
        /// The most classes the checker splits a question into.
        max: usize,
        /// The rules reading the question (by index), named with the finding.
        rules: Vec<usize>,
    },
    /// The rules reading one question leave too many partial outcomes.
    #[error("the rules reading {question} leave more than {max} outcomes to tell apart; {entangled}")]
    TooManyOutcomes {
        /// The question's id.
        question: String,
        /// The most partial outcomes the checker keeps.
        max: usize,
        /// What entangles the space, in words.
        entangled: String,
    },
    /// The check ran out of its budget.
    #[error("the check stopped at {limit} before covering the whole answer space: {entangled}")]
    OverBudget {
        /// Which limit.
        limit: budget::Limit,
        /// What entangles the space, in words.
        entangled: String,
    },
    /// No answer stands for a class (a bug in the split, reported rather than hidden).
    #[error("no answer fits a class")]
    NoAnswerFits,
    /// A sample answer set is not valid (a bug in the split, reported rather than hidden).
    #[error("a sample answer set is not valid: {0}")]
    Sample(#[from] crate::answers::AnswersError),
}

fn prove_all(checker: &mut Checker<'_, '_>, scope: Scope) -> Result<(), Uncoverable> {
    let questionnaire = &checker.parts.rule_set.questionnaire;
    for (index, statement) in questionnaire.statements().iter().enumerate() {
        checker.statement(statement, index)?;
    }
    let never_undecided = !checker.undecided_anywhere()?;
    for (q, question) in questionnaire.questions.iter().enumerate() {
        if question.escalating && matches!(question.kind, QuestionKind::SeveralOf { .. }) {
            for o in 0..question.options.len() {
                checker.escalation(q, o, never_undecided)?;
            }
        }
    }
    if scope == Scope::Everything {
        checker.gaps()?;
        checker.dead_and_shadowed()?;
        checker.unused();
    }
    Ok(())
}

fn not_proven(rule_set: &RuleSet, reason: Uncoverable) -> CheckReport {
    CheckReport {
        findings: vec![Finding {
            code: Code::NotProven,
            category: Category::Safety,
            at: Place { file: rule_set.rules_file.to_string(), line: 0 },
            subject: String::new(),
            affected: None,
            message: format!("the rule set cannot be proven safe: {reason}"),
            rules: match reason {
                Uncoverable::TooManyClasses { rules, .. } => rules,
                _ => Vec::new(),
            },
            example: None,
        }],
        answer_classes: 0,
        answer_sets: 0,
        combinations: 0,
    }
}
