//! `rules diff` in words and as JSON.

use super::{identity_in_words, Paint};
use crate::check::diff::{Region, RuleDifference, RulesDiff};
use crate::engine::Evaluation;
use crate::recommendation::Recommendation;
use crate::rules::RuleSet;
use serde_json::{json, Value};
use std::fmt::Write;

/// What a diff compares, in words: `physician (routine)`, `swedish (pressure medium, 60
/// minutes)`. Alternatives are left out: they are not compared.
pub fn decision_words(evaluation: &Evaluation) -> String {
    match evaluation.recommendation {
        Recommendation::Physician => format!("physician ({})", evaluation.urgency.map_or("routine", |u| u.id())),
        Recommendation::Massage(style) => {
            let pressure = evaluation.pressure.map(|p| format!("pressure {p}"));
            let minutes = evaluation.session_minutes.map(|m| format!("{m} minutes"));
            let details: Vec<String> = pressure.into_iter().chain(minutes).collect();
            format!("{} ({})", style.id(), details.join(", "))
        }
    }
}

fn rule_words(rule: &RuleDifference, old: &RuleSet, new: &RuleSet) -> String {
    let at = |file: &str, line: Option<usize>| line.map(|l| format!("{file}:{l}"));
    let places: Vec<String> = [
        at(&old.rules_file, rule.old_line).map(|p| format!("old {p}")),
        at(&new.rules_file, rule.new_line).map(|p| format!("new {p}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let kind = rule.kind.name();
    format!("{} ({kind}; {})", rule.id, places.join(", "))
}

fn region_human(out: &mut String, number: usize, region: &Region, old: &RuleSet, new: &RuleSet, paint: Paint) {
    let kinds: Vec<&str> = region.changes.iter().map(|c| c.name()).collect();
    let less_urgent = crate::check::diff::less_urgent(&region.old, &region.new);
    let heading = format!(
        "{number}. {} -> {} [{}]{}",
        decision_words(&region.old),
        decision_words(&region.new),
        kinds.join(", "),
        if less_urgent { " (less urgent)" } else { "" }
    );
    let heading = if less_urgent { paint.alarm(&heading) } else { paint.warn(&heading) };
    let _ = writeln!(
        out,
        "{heading}: {} answer classes ({} answer sets)",
        crate::text::count(region.answer_classes),
        crate::text::count(region.answer_sets)
    );
    let rules: Vec<String> = region.rules.iter().map(|r| rule_words(r, old, new)).collect();
    let _ = writeln!(out, "   rules: {}", if rules.is_empty() { "none".to_owned() } else { rules.join("; ") });
    let _ = writeln!(out, "   for example (an answer file `assess` accepts):");
    for line in region.example.to_toml(&old.questionnaire).lines() {
        let _ = writeln!(out, "       {line}");
    }
}

/// `rules diff` in words: each region, the most worrying first, then a summary line.
pub fn render_diff_human(old: &RuleSet, new: &RuleSet, diff: &RulesDiff, paint: Paint) -> String {
    let mut out = String::new();
    // `Rules: …` becomes `Old rules: …` and `New rules: …`.
    let named = |side: &str, rule_set: &RuleSet| {
        let words = identity_in_words(&rule_set.identity());
        format!("{side} rules: {}", words.strip_prefix("Rules: ").unwrap_or(&words))
    };
    let _ = writeln!(out, "{}", paint.faint(&named("Old", old)));
    let _ = writeln!(out, "{}", paint.faint(&named("New", new)));
    for (index, region) in diff.regions.iter().enumerate() {
        out.push('\n');
        region_human(&mut out, index + 1, region, old, new, paint);
    }
    if !diff.regions.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "rules diff: {} region(s) change outcome: {} of {} answer classes ({} of {} answer sets); {} rule(s) the same in both, {} combinations searched",
        diff.regions.len(),
        crate::text::count(diff.changed_classes()),
        crate::text::count(diff.answer_classes),
        crate::text::count(diff.changed_sets()),
        crate::text::count(diff.answer_sets),
        diff.shared,
        diff.combinations
    );
    out
}

/// What a diff or a replay compares, as JSON: recommendation, urgency, pressure, session.
pub fn decision_json(evaluation: &Evaluation) -> Value {
    json!({
        "recommendation": evaluation.recommendation,
        "urgency": evaluation.urgency,
        "pressure": evaluation.pressure,
        "session_minutes": evaluation.session_minutes,
    })
}

fn region_json(region: &Region, old: &RuleSet, new: &RuleSet) -> Value {
    let at = |file: &str, line: Option<usize>| line.map(|l| format!("{file}:{l}"));
    let rules: Vec<Value> = region
        .rules
        .iter()
        .map(|r| {
            json!({
                "rule": r.id,
                "change": r.kind,
                "old_at": at(&old.rules_file, r.old_line),
                "new_at": at(&new.rules_file, r.new_line),
            })
        })
        .collect();
    json!({
        "old": decision_json(&region.old),
        "new": decision_json(&region.new),
        "changes": region.changes,
        "less_urgent": crate::check::diff::less_urgent(&region.old, &region.new),
        "answer_classes": super::rules::big_number(region.answer_classes),
        "answer_sets": super::rules::big_number(region.answer_sets),
        "rules": rules,
        "example": region.example.to_toml(&old.questionnaire),
    })
}

/// `rules diff --format json`.
pub fn diff_json(old: &RuleSet, new: &RuleSet, diff: &RulesDiff) -> Value {
    let big = super::rules::big_number;
    json!({
        "changed": !diff.regions.is_empty(),
        "answer_classes": big(diff.answer_classes),
        "answer_sets": big(diff.answer_sets),
        "changed_classes": big(diff.changed_classes()),
        "changed_sets": big(diff.changed_sets()),
        "shared_rules": diff.shared,
        "combinations": diff.combinations,
        "regions": diff.regions.iter().map(|r| region_json(r, old, new)).collect::<Vec<_>>(),
        "old": old.identity(),
        "new": new.identity(),
    })
}
