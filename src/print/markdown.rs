//! The phone script as Markdown (CommonMark with GitHub's tables): the same parts in the
//! same order as the HTML page. Ids go in code spans; every other text from the rule set
//! has the characters Markdown would read as markup escaped with a backslash.

use super::{purpose, urgency_word, PhoneScript, RedFlag, RuleInWords, ScriptQuestion};
use crate::text::escape_controls;
use std::fmt::Write;

/// Text from the rule set, with Markdown's markup characters escaped (CommonMark lets any
/// ASCII punctuation be escaped with a backslash, so escaping more than needed is safe).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in escape_controls(value).chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An id in a code span (ids are lower-case letters, digits and `_`: nothing to escape).
fn id(value: &str) -> String {
    format!("`{}`", value.replace('`', ""))
}

/// The whole document.
pub(super) fn render(script: &PhoneScript<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", text(&script.title()));
    let _ = writeln!(out, "{}\n", text(purpose(script.audience)));
    let _ = writeln!(out, "{}\n", text(&script.identity_line));
    if let Some(sha256) = &script.identity.rule_set.sha256 {
        let _ = writeln!(out, "SHA-256 of the rule set: `{sha256}`\n");
    }
    for line in &script.overrides {
        let _ = writeln!(out, "**{}**\n", text(line));
    }
    let _ = writeln!(out, "## Red flags: ask these first\n");
    let _ = writeln!(out, "> **EMERGENCY: TELL THE CALLER**\n>");
    for sentence in &script.emergency_sentences {
        let _ = writeln!(out, "> **{}**\n>", text(sentence));
    }
    out.truncate(out.trim_end_matches(">\n").len());
    let _ = writeln!(out, "\n");
    let _ = writeln!(out, "| If the caller has | Urgency | Tell the caller |\n| --- | --- | --- |");
    script.red_flags.iter().for_each(|flag| red_flag(&mut out, flag));
    let _ = writeln!(out, "\n## The questions, in order\n");
    script.questions.iter().for_each(|q| question(&mut out, q));
    let _ = writeln!(out, "## The rules, in words\n");
    let _ = writeln!(out, "Every rule whose condition holds fires; the most urgent referral wins over everything.\n");
    script.rules.iter().enumerate().for_each(|(i, r)| rule(&mut out, i + 1, r));
    let _ = writeln!(out, "---\n\n{}", text(&script.identity_line));
    out
}

fn red_flag(out: &mut String, flag: &RedFlag<'_>) {
    let _ = writeln!(
        out,
        "| {} {} | {} | {} |",
        text(&flag.option.label),
        id(&format!("{}.{}", flag.question, flag.option.id)),
        urgency_word(flag.urgency),
        text(flag.tell.unwrap_or("Tell the therapist before booking."))
    );
}

fn question(out: &mut String, question: &ScriptQuestion<'_>) {
    let _ = writeln!(out, "### {}. {} {}\n", question.number, text(question.text), id(question.id));
    if let Some(when) = &question.asked_when {
        let _ = writeln!(out, "*Asked only when {}.*\n", text(when));
    }
    let _ = writeln!(out, "Answer: {}. {}\n", text(&question.answered), text(question.help));
    let mut group: Option<&str> = None;
    for option in &question.options {
        if option.group.is_some() && option.group.as_deref() != group {
            group = option.group.as_deref();
            let _ = writeln!(out, "\n**{}**\n", text(group.unwrap_or_default()));
        }
        let urgency =
            option.min_urgency.map_or(String::new(), |u| format!(" (**{}**)", urgency_word(Some(u)).to_lowercase()));
        let label = if option.red_flag { format!("**{}**", text(&option.label)) } else { text(&option.label) };
        let _ = writeln!(out, "- {label} {}{urgency}: {}", id(&option.id), text(&option.help));
    }
    if !question.options.is_empty() {
        let _ = writeln!(out);
    }
}

fn rule(out: &mut String, number: usize, rule: &RuleInWords<'_>) {
    let _ = writeln!(out, "{number}. {} fires when {}:", id(rule.id), text(&rule.when));
    for effect in &rule.does {
        let _ = writeln!(out, "    - {}", text(effect));
    }
    let sources =
        if rule.source.is_empty() { String::new() } else { format!(" \\[{}\\]", text(&rule.source.join(", "))) };
    let _ = writeln!(out, "\n    Because: {}{sources}\n", text(rule.because));
}
