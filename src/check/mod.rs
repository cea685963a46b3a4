//! `rules check`: proves a rule set's safety properties over its whole answer space (not a
//! sample), and reports gaps, dead and shadowed rules, and unused questions and options.
//!
//! The pipeline: [`space`] splits each question's answers into the classes the rules can
//! tell apart; [`prove`] joins questions read together into components, enumerates each
//! component's reachable outcomes once and searches their combinations with pruning;
//! `properties` states each property as such a search; [`findings`] is what comes out.

pub mod findings;
mod properties;
pub mod prove;
pub mod space;

pub use findings::{code, outcome_words, Category, CheckReport, Counterexample, Finding, Place};

use crate::diagnostic::Diagnostics;
use crate::engine::FiredRules;
use crate::questionnaire::QuestionKind;
use crate::rules::RuleSet;
use properties::Checker;
use prove::Parts;

/// Which parts of the check to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The safety properties only.
    Safety,
    /// Everything.
    Everything,
}

/// Runs every check on a rule set.
pub fn check(rule_set: &RuleSet) -> CheckReport {
    run(rule_set, Scope::Everything)
}

/// Proves the safety properties; the problems as diagnostics when they fail. Commands call
/// this before evaluating with a rule set given by `--rules`.
pub fn ensure_safe(rule_set: &RuleSet) -> Result<(), Diagnostics> {
    let report = run(rule_set, Scope::Safety);
    let command = match &rule_set.origin {
        crate::rules::Origin::BuiltIn => "massage-triage rules check".to_owned(),
        crate::rules::Origin::Folder(dir) => format!("massage-triage rules check --rules {}", dir.display()),
    };
    report.safety_diagnostics(&command).into_result(())
}

fn run(rule_set: &RuleSet, scope: Scope) -> CheckReport {
    let parts = match Parts::new(rule_set) {
        Ok(parts) => parts,
        Err(reason) => return not_proven(rule_set, reason),
    };
    let plain: Result<Vec<_>, String> =
        (0..parts.components.len()).map(|c| parts.plain_variants(c, FiredRules::default())).collect();
    let plain = match plain {
        Ok(plain) => plain,
        Err(reason) => return not_proven(rule_set, reason),
    };
    let mut checker = Checker { parts: &parts, plain, findings: Vec::new(), combinations: 0 };
    if let Err(reason) = prove_all(&mut checker, scope) {
        return not_proven(rule_set, reason);
    }
    let Checker { mut findings, combinations, .. } = checker;
    // Safety first, then gaps, then warnings; file order within each.
    findings.sort_by_key(|f| (f.category as u8, f.at.file.clone(), f.at.line));
    CheckReport {
        findings,
        answer_classes: parts.space.class_count(),
        answer_sets: parts.space.answer_count(),
        combinations,
    }
}

fn prove_all(checker: &mut Checker<'_, '_>, scope: Scope) -> Result<(), String> {
    let questions = &checker.parts.rule_set.questionnaire.questions;
    for (q, question) in questions.iter().enumerate() {
        for (o, option) in question.options.iter().enumerate() {
            if let Some(least) = option.min_urgency {
                checker.min_urgency(q, o, least)?;
            }
            if !option.forbids.is_empty() {
                checker.forbidden(q, o, option.forbids)?;
            }
            if question.escalating && matches!(question.kind, QuestionKind::SeveralOf { .. }) {
                checker.escalation(q, o)?;
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

fn not_proven(rule_set: &RuleSet, reason: String) -> CheckReport {
    CheckReport {
        findings: vec![Finding {
            code: findings::code::NOT_PROVEN,
            category: Category::Safety,
            at: Place { file: rule_set.rules_file.clone(), line: 0 },
            subject: String::new(),
            affected: None,
            message: format!("the rule set cannot be proven safe: {reason}"),
            rules: Vec::new(),
            example: None,
        }],
        answer_classes: 0,
        answer_sets: 0,
        combinations: 0,
    }
}
