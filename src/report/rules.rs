//! Rendering for the rule-set tools: `rules check` findings, `rules test` results and the
//! "what would change it" part of an explanation.

use super::problems::{render_problems, Problem};
use super::Paint;
use crate::answer::Answer;
use crate::answers::Answers;
use crate::cases::{Mismatch, WorkedCase};
use crate::check::{outcome_words, Category, CheckReport};
use crate::counterfactual::Counterfactual;
use crate::engine::Evaluation;
use crate::questionnaire::Questionnaire;
use crate::recommendation::{Recommendation, Urgency};
use crate::rules::RuleSet;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt::Write;

fn indented(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// `rules check` in words: each finding, then a summary line.
pub fn render_check_human(rule_set: &RuleSet, report: &CheckReport, paint: Paint) -> String {
    let mut out = render_problems(report.findings.iter().map(|f| Problem::of_finding(rule_set, f)), paint);
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    let safety = report.count(Category::Safety);
    let gaps = report.count(Category::Gap);
    let warnings = report.count(Category::Warning);
    let verdict = if report.failed() { paint.alarm("FAILED") } else { paint.good("ok") };
    for line in super::overrides_in_words(&rule_set.identity()) {
        let _ = writeln!(out, "{}", paint.warn(&line));
    }
    let _ = writeln!(out, "{}", paint.faint(&super::identity_in_words(&rule_set.identity())));
    let _ = writeln!(
        out,
        "rules check {verdict}: {safety} safety finding(s), {gaps} gap(s), {warnings} warning(s); proven over all {} answer classes ({} answer sets), {} combinations searched",
        crate::text::count(report.answer_classes),
        crate::text::count(report.answer_sets),
        report.combinations
    );
    out
}

/// `rules check --format json`.
pub fn check_json(rule_set: &RuleSet, report: &CheckReport) -> Value {
    let questionnaire = &rule_set.questionnaire;
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let rules: Vec<Value> = f
                .rules
                .iter()
                .map(|r| json!({ "rule": rule_set.rules[*r].id, "at": rule_set.rule_location(&rule_set.rules[*r]) }))
                .collect();
            let example = f.example.as_ref();
            json!({
                "code": f.code,
                "severity": f.category.severity(),
                "category": f.category.id(),
                "at": f.at.to_string(),
                "subject": f.subject,
                "message": f.message,
                "rules": rules,
                "counterexample": example.map(|e| e.answers.to_toml(questionnaire)),
                "outcome": example.map(|e| outcome_words(&e.outcome)),
                "before": example.and_then(|e| e.before.as_ref()).map(|(a, _)| a.to_toml(questionnaire)),
                "before_outcome": example.and_then(|e| e.before.as_ref()).map(|(_, o)| outcome_words(o)),
            })
        })
        .collect();
    let mut report_json = json!({
        "safe": !report.unsafe_(),
        "passed": !report.failed(),
        "answer_classes": big_number(report.answer_classes),
        "answer_sets": big_number(report.answer_sets),
        "combinations": report.combinations,
        "findings": findings,
    });
    // Which rule set, questionnaire and tool, as every JSON output says it.
    if let (Some(object), Ok(Value::Object(identity))) =
        (report_json.as_object_mut(), serde_json::to_value(rule_set.identity()))
    {
        object.extend(identity);
    }
    report_json
}

/// A count as a JSON number (as a string only beyond what JSON readers hold exactly, and
/// "more than …" when it saturated).
pub(super) fn big_number(count: u128) -> Value {
    u64::try_from(count).map_or_else(|_| json!(crate::text::count(count)), |n| json!(n))
}

/// One failing worked case: expected against actual, field by field, then the trace when
/// it is asked for.
pub fn render_case_failure(
    case: &WorkedCase,
    cases_file: &str,
    mismatches: &[Mismatch],
    trace: Option<&str>,
    paint: Paint,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {} ({cases_file}:{})", paint.alarm("FAIL"), case.name, case.line);
    for mismatch in mismatches {
        let _ = writeln!(out, "  {}: expected {}, got {}", mismatch.field, mismatch.expected, mismatch.actual);
    }
    if let Some(trace) = trace {
        out.push_str(&indented(trace.trim_start_matches('\n')));
    }
    out
}

fn answer_words(questionnaire: &Questionnaire, question: usize, answer: Answer) -> String {
    Answers::describe(questionnaire, question, answer)
}

fn change_words(rule_set: &RuleSet, counterfactual: &Counterfactual) -> String {
    let questionnaire = &rule_set.questionnaire;
    let parts: Vec<String> = counterfactual
        .changes
        .iter()
        .map(|change| {
            let id = &questionnaire.questions[change.question].id;
            match (change.from, change.to) {
                (Answer::Choices(from), Answer::Choices(to)) if to & !from != 0 => {
                    format!(
                        "with {} in {id}",
                        answer_words(questionnaire, change.question, Answer::Choices(to & !from))
                    )
                }
                (Answer::Choices(from), Answer::Choices(to)) => {
                    format!(
                        "without {} in {id}",
                        answer_words(questionnaire, change.question, Answer::Choices(from & !to))
                    )
                }
                (from, to) => format!(
                    "with {id} = {} (instead of {})",
                    answer_words(questionnaire, change.question, to),
                    answer_words(questionnaire, change.question, from)
                ),
            }
        })
        .collect();
    parts.join(" and ")
}

fn result_words(evaluation: &Evaluation) -> String {
    match (evaluation.recommendation, evaluation.urgency) {
        (Recommendation::Physician, urgency) => {
            format!("a physician referral ({})", urgency.unwrap_or(Urgency::Routine).id())
        }
        (Recommendation::Massage(style), _) => style.name().to_owned(),
    }
}

/// One answer changed, in the JSON output.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct JsonAnswerChange {
    /// Question id.
    pub question: String,
    /// The answer given, as in an answer file.
    pub from: Value,
    /// The answer that would change the outcome.
    pub to: Value,
}

/// One entry of `what_would_change` in the JSON output.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct JsonCounterfactual {
    /// The answers changed.
    pub changes: Vec<JsonAnswerChange>,
    /// What the recommendation would be.
    pub recommendation: Recommendation,
    /// With `physician`: how soon.
    pub urgency: Option<Urgency>,
    /// The change and its result in words.
    pub in_words: String,
}

fn answer_value(questionnaire: &Questionnaire, question: usize, answer: Answer) -> Value {
    answer.shown(&questionnaire.questions[question]).json()
}

/// `what_would_change` for the JSON output.
pub fn what_would_change_json(rule_set: &RuleSet, counterfactuals: &[Counterfactual]) -> Vec<JsonCounterfactual> {
    let questionnaire = &rule_set.questionnaire;
    counterfactuals
        .iter()
        .map(|c| JsonCounterfactual {
            changes: c
                .changes
                .iter()
                .map(|ch| JsonAnswerChange {
                    question: questionnaire.questions[ch.question].id.to_string(),
                    from: answer_value(questionnaire, ch.question, ch.from),
                    to: answer_value(questionnaire, ch.question, ch.to),
                })
                .collect(),
            recommendation: c.evaluation.recommendation,
            urgency: c.evaluation.urgency,
            in_words: format!("{} this would be {}", change_words(rule_set, c), result_words(&c.evaluation)),
        })
        .collect()
}
