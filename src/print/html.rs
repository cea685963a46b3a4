//! The phone script as one printable HTML page: the red-flag screen first, in large type,
//! the emergency sentences in a box; the questions and the rules each from a new page.
//! Every text from the rule set is escaped (html-escape), after its control characters
//! are made visible as everywhere else the tool shows a clinic's text.

use super::{purpose, urgency_word, PhoneScript, RedFlag, RuleInWords, ScriptQuestion};
use crate::choice::Choice;
use crate::text::escape_controls;
use std::fmt::Write;

/// The page's style: A4 with margins, page breaks between the parts, nothing split across
/// pages that is read out as one, the red-flag screen large enough to read at a glance.
const STYLE: &str = "\
@page { size: A4; margin: 16mm 14mm; }
body { font-family: system-ui, \"DejaVu Sans\", Arial, sans-serif; font-size: 12pt; line-height: 1.35; color: #000; max-width: 48em; margin: 0 auto; }
h1 { font-size: 20pt; margin-bottom: 0.2em; }
h2 { font-size: 16pt; border-bottom: 2px solid #000; }
code { font-family: \"DejaVu Sans Mono\", monospace; font-size: 0.85em; color: #333; }
.identity, .purpose { margin: 0.2em 0; }
.identity-details { font-size: 10pt; display: grid; grid-template-columns: max-content auto; gap: 0 1em; }
.identity-details dt { font-weight: bold; }
.identity-details dd { margin: 0; word-break: break-all; }
.override { font-weight: bold; border-left: 4px solid #b36b00; padding-left: 0.5em; }
.red-flag-screen { font-size: 16pt; }
.red-flag-screen h2 { font-size: 20pt; }
.emergency-box { border: 5px solid #b00000; padding: 0.4em 0.8em; margin: 0.6em 0 1em; break-inside: avoid; }
.emergency-box h3 { margin: 0.2em 0; color: #b00000; text-transform: uppercase; }
.emergency-box .tell { font-weight: bold; font-size: 18pt; margin: 0.3em 0; }
table.red-flags { border-collapse: collapse; width: 100%; }
table.red-flags th, table.red-flags td { border: 1px solid #555; padding: 0.25em 0.4em; vertical-align: top; text-align: left; }
tr.red-flag { break-inside: avoid; }
.urgency-emergency .urgency { color: #b00000; font-weight: bold; }
.urgency-urgent .urgency { color: #8a3b00; font-weight: bold; }
.page { break-before: page; }
.question { break-inside: avoid; margin-bottom: 1em; }
.red-flag-question { font-size: 15pt; }
.question .asked-when { font-style: italic; }
.question .help, .option .help { color: #333; }
.options { margin-top: 0.2em; }
.option .help { display: block; font-size: 0.9em; }
.option.red-flag .label { font-weight: bold; }
.rule { break-inside: avoid; margin-bottom: 0.6em; }
footer { margin-top: 2em; font-size: 10pt; border-top: 1px solid #000; }
@media print { a { color: inherit; text-decoration: none; } }
";

/// Text from the rule set, escaped for an element's content.
fn text(value: &str) -> String {
    html_escape::encode_text(&escape_controls(value)).into_owned()
}

/// Text from the rule set, escaped for a double-quoted attribute.
fn attribute(value: &str) -> String {
    html_escape::encode_double_quoted_attribute(&escape_controls(value)).into_owned()
}

/// The whole page.
pub(super) fn render(script: &PhoneScript<'_>) -> String {
    let mut out = String::new();
    let title = text(&script.title());
    let _ = writeln!(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">");
    let _ = writeln!(
        out,
        "<meta name=\"generator\" content=\"massage-triage {}\">",
        attribute(script.identity.tool_version)
    );
    let _ = writeln!(out, "<title>{title}</title>\n<style>\n{STYLE}</style>\n</head>");
    let _ = writeln!(out, "<body class=\"mode-{}\">", script.audience.name());
    header(&mut out, script, &title);
    red_flag_screen(&mut out, script);
    let _ = writeln!(out, "<section class=\"questions page\" id=\"questions\">\n<h2>The questions, in order</h2>");
    script.questions.iter().for_each(|q| question(&mut out, q, script));
    let _ = writeln!(out, "</section>");
    let _ = writeln!(out, "<section class=\"rules page\" id=\"rules\">\n<h2>The rules, in words</h2>");
    let _ = writeln!(out, "<p>Every rule whose condition holds fires; the most urgent referral wins over everything.</p>\n<ol class=\"rules\">");
    script.rules.iter().for_each(|r| rule(&mut out, r));
    let _ = writeln!(out, "</ol>\n</section>");
    let _ =
        writeln!(out, "<footer><p class=\"identity\">{}</p></footer>\n</body>\n</html>", text(&script.identity_line));
    out
}

fn header(out: &mut String, script: &PhoneScript<'_>, title: &str) {
    let _ = writeln!(out, "<header>\n<h1>{title}</h1>");
    let _ = writeln!(out, "<p class=\"purpose\">{}</p>", text(purpose(script.audience)));
    let _ = writeln!(out, "<p class=\"identity\">{}</p>", text(&script.identity_line));
    let rule_set = &script.identity.rule_set;
    let none = "(none)";
    let details = [
        ("Rule set", rule_set.name.unwrap_or(none).to_owned()),
        ("Version", rule_set.version.unwrap_or(none).to_owned()),
        ("Effective", rule_set.effective.unwrap_or(none).to_owned()),
        ("SHA-256", rule_set.sha256.clone().unwrap_or_else(|| none.to_owned())),
        ("Questionnaire version", script.identity.questionnaire_version.to_string()),
        ("Tool", format!("massage-triage {}", script.identity.tool_version)),
    ];
    let _ = writeln!(out, "<dl class=\"identity-details\">");
    for (term, value) in details {
        let _ = writeln!(out, "<dt>{term}</dt><dd>{}</dd>", text(&value));
    }
    let _ = writeln!(out, "</dl>");
    for line in &script.overrides {
        let _ = writeln!(out, "<p class=\"override\">{}</p>", text(line));
    }
    let _ = writeln!(out, "</header>");
}

fn red_flag_screen(out: &mut String, script: &PhoneScript<'_>) {
    let _ = writeln!(out, "<section class=\"red-flag-screen\" id=\"red-flags\">\n<h2>Red flags: ask these first</h2>");
    let _ = writeln!(out, "<div class=\"emergency-box\" role=\"alert\">\n<h3>Emergency: tell the caller</h3>");
    for sentence in &script.emergency_sentences {
        let _ = writeln!(out, "<p class=\"tell\">{}</p>", text(sentence));
    }
    let _ = writeln!(out, "</div>");
    let _ = writeln!(out, "<table class=\"red-flags\">\n<thead><tr><th>If the caller has</th><th>Urgency</th><th>Tell the caller</th></tr></thead>\n<tbody>");
    script.red_flags.iter().for_each(|flag| red_flag(out, flag));
    let _ = writeln!(out, "</tbody>\n</table>\n</section>");
}

fn red_flag(out: &mut String, flag: &RedFlag<'_>) {
    let urgency = flag.urgency.map_or("none", |u| u.id());
    let _ = writeln!(
        out,
        "<tr class=\"red-flag urgency-{urgency}\" data-question=\"{}\" data-option=\"{}\"><td><span class=\"label\">{}</span> <code>{}.{}</code></td><td class=\"urgency\">{}</td><td class=\"tell\">{}</td></tr>",
        attribute(flag.question),
        attribute(&flag.option.id),
        text(&flag.option.label),
        text(flag.question),
        text(&flag.option.id),
        urgency_word(flag.urgency),
        text(flag.tell.unwrap_or("Tell the therapist before booking.")),
    );
}

fn question(out: &mut String, question: &ScriptQuestion<'_>, script: &PhoneScript<'_>) {
    let class = if question.red_flag_screen { "question red-flag-question" } else { "question" };
    let _ = writeln!(
        out,
        "<article class=\"{class}\" id=\"q-{}\" data-question=\"{}\">",
        attribute(question.id),
        attribute(question.id)
    );
    let _ = writeln!(
        out,
        "<h3><span class=\"number\">{}.</span> <span class=\"text\">{}</span> <code class=\"id\">{}</code></h3>",
        question.number,
        text(question.text),
        text(question.id)
    );
    if let Some(when) = &question.asked_when {
        let _ = writeln!(out, "<p class=\"asked-when\">Asked only when {}.</p>", text(when));
    }
    let _ = writeln!(out, "<p class=\"answered\">Answer: {}.</p>", text(&question.answered));
    let _ = writeln!(out, "<p class=\"help\">{}</p>", text(question.help));
    let mut group: Option<&str> = None;
    let mut open = false;
    for option in &question.options {
        if !open || option.group.as_deref() != group {
            if open {
                let _ = writeln!(out, "</ul>");
            }
            group = option.group.as_deref();
            if let Some(heading) = group {
                let _ = writeln!(out, "<h4 class=\"group\">{}</h4>", text(heading));
            }
            let _ = writeln!(out, "<ul class=\"options\">");
            open = true;
        }
        let flag = script.red_flags.iter().find(|f| f.question == question.id && f.option.id == option.id);
        let class = if option.red_flag { "option red-flag" } else { "option" };
        let urgency = flag.and_then(|f| f.urgency).map_or(String::new(), |u| {
            format!(" <span class=\"urgency urgency-{}\">({})</span>", u.id(), urgency_word(Some(u)).to_lowercase())
        });
        let _ = writeln!(
            out,
            "<li class=\"{class}\" data-option=\"{}\"><span class=\"label\">{}</span> <code>{}</code>{urgency}<span class=\"help\">{}</span></li>",
            attribute(&option.id),
            text(&option.label),
            text(&option.id),
            text(&option.help)
        );
    }
    if open {
        let _ = writeln!(out, "</ul>");
    }
    let _ = writeln!(out, "</article>");
}

fn rule(out: &mut String, rule: &RuleInWords<'_>) {
    let _ = writeln!(
        out,
        "<li class=\"rule\" id=\"r-{}\"><code>{}</code> fires when {}:",
        attribute(rule.id),
        text(rule.id),
        text(&rule.when)
    );
    let _ = writeln!(out, "<ul class=\"does\">");
    for effect in &rule.does {
        let _ = writeln!(out, "<li>{}</li>", text(effect));
    }
    let _ = writeln!(out, "</ul>\n<p class=\"because\">Because: {}</p>", text(rule.because));
    if !rule.source.is_empty() {
        let _ = writeln!(out, "<p class=\"source\">Sources: {}</p>", text(&rule.source.join(", ")));
    }
    let _ = writeln!(out, "</li>");
}
