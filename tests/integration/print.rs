//! `rules print`: the phone script, parsed as a browser reads it (HTML) and as text
//! (Markdown), holds every question, every red flag, the emergency box and the identity.

use massage_triage::rules::RuleSet;
use scraper::{Html, Selector};

fn print(args: &[&str]) -> (i32, String, String) {
    crate::common::rules_command("print", args)
}

fn select<'a>(page: &'a Html, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    page.select(&Selector::parse(selector).unwrap()).collect()
}

/// An element's text with its whitespace as a reader sees it.
fn text_of(element: scraper::ElementRef<'_>) -> String {
    element.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn one_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_html_script_holds_every_question_red_flag_the_emergency_box_and_the_identity() {
    let rule_set = RuleSet::built_in().unwrap();
    for (mode, wording) in [("desk", true), ("therapist", false)] {
        let (code, html, stderr) = print(&["--format", "html", "--mode", mode]);
        assert_eq!(code, 0, "{stderr}");
        let page = Html::parse_document(&html);
        assert!(page.errors.is_empty(), "{mode}: {:?}", page.errors);
        // Every question, in order, in this mode's wording.
        let questions = select(&page, "article.question");
        assert_eq!(questions.len(), rule_set.questionnaire.questions.len());
        for (article, question) in questions.iter().zip(&rule_set.questionnaire.questions) {
            assert_eq!(article.value().attr("data-question"), Some(question.id.as_str()));
            let heading = text_of(select(&page, &format!("#q-{} h3 .text", question.id))[0]);
            let expected = if wording { &question.desk } else { &question.therapist };
            assert_eq!(heading, one_space(expected), "{mode}: {}", question.id);
            let options: Vec<String> =
                select(&page, &format!("#q-{} li.option .label", question.id)).into_iter().map(text_of).collect();
            let labels: Vec<String> = question.options.iter().map(|o| one_space(&o.label)).collect();
            assert_eq!(options, labels, "{mode}: {}", question.id);
        }
        // The conditional question says when it is asked.
        let asked = text_of(select(&page, "#q-pregnancy_signs .asked-when")[0]);
        assert_eq!(asked, "Asked only when contraindications includes pregnancy.");
        // Every red-flag option is on the red-flag screen, with its urgency.
        let flags = select(&page, "#red-flags tr.red-flag");
        for question in &rule_set.questionnaire.questions {
            for option in question.options.iter().filter(|o| o.red_flag) {
                let row = flags
                    .iter()
                    .find(|r| r.value().attr("data-option") == Some(option.id.as_str()))
                    .unwrap_or_else(|| panic!("{mode}: no row for {}", option.id));
                assert!(text_of(*row).contains(&one_space(&option.label)));
                let urgency = option.min_urgency.map_or("none", |u| u.id());
                assert!(row.value().attr("class").unwrap().contains(&format!("urgency-{urgency}")));
            }
        }
        // The emergency sentences, in their box; labour signs tell the maternity unit.
        let boxed: Vec<String> = select(&page, ".emergency-box .tell").into_iter().map(text_of).collect();
        assert_eq!(boxed[0], rule_set.policy.tell(massage_triage::recommendation::Urgency::Emergency));
        assert!(boxed.iter().any(|t| t.contains("maternity unit")), "{boxed:?}");
        let contractions = text_of(select(&page, "tr[data-option=contractions] td.tell")[0]);
        assert!(contractions.contains("maternity unit"), "{contractions}");
        // Every rule, in words.
        assert_eq!(select(&page, "li.rule").len(), rule_set.rules.len());
        let severe = text_of(select(&page, "#r-severe_pain")[0]);
        assert!(severe.contains("fires when"), "{severe}");
        // The identity, stamped at the top and the bottom.
        let digest = massage_triage::rules::BUILT_IN_DIGEST.to_string();
        let details: Vec<String> = select(&page, "header dl.identity-details dd").into_iter().map(text_of).collect();
        let tool = format!("massage-triage {}", env!("CARGO_PKG_VERSION"));
        assert_eq!(details, ["massage-triage built-in", "2.0", "2026-12-01", digest.as_str(), "2", tool.as_str()]);
        assert!(text_of(select(&page, "footer")[0]).starts_with("Rules: massage-triage built-in 2.0"));
        // Printable: page breaks and large type for the red-flag screen.
        assert!(html.contains(".page { break-before: page; }"));
        assert!(html.contains(".red-flag-screen { font-size: 16pt; }"));
    }
}

#[test]
fn text_from_the_rule_set_is_escaped_for_html() {
    let dir = crate::common::built_in_copy(
        |rules| rules,
        |q| q.replacen("Numbness around the genitals", "<script>alert(1)</script> & 'numb'", 1),
    );
    let (code, html, stderr) = print(&["--rules", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!html.contains("<script>"), "unescaped markup in the page");
    let page = Html::parse_document(&html);
    assert!(select(&page, "script").is_empty());
    let row = text_of(select(&page, "tr[data-option=saddle_numbness] .label")[0]);
    assert!(row.starts_with("<script>alert(1)</script> & 'numb'"), "{row}");
}

#[test]
fn the_markdown_script_holds_every_question_and_red_flag() {
    let rule_set = RuleSet::built_in().unwrap();
    let (code, markdown, stderr) = print(&["--format", "markdown", "--mode", "therapist"]);
    assert_eq!(code, 0, "{stderr}");
    for (number, question) in rule_set.questionnaire.questions.iter().enumerate() {
        let heading = format!("### {}. {} `{}`", number + 1, question.therapist, question.id);
        assert!(markdown.contains(&heading), "{heading}");
        for option in question.options.iter().filter(|o| o.red_flag) {
            assert!(markdown.contains(&format!("`{}.{}`", question.id, option.id)), "{}", option.id);
        }
    }
    assert!(markdown.contains("*Asked only when contraindications includes pregnancy.*"));
    assert!(markdown.contains("> **Call 911 or go to an emergency department now. Do not book a massage.**"));
    assert!(markdown.contains(&massage_triage::rules::BUILT_IN_DIGEST.to_string()));
    assert!(markdown.trim_end().ends_with(&format!("massage-triage {}", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn output_goes_to_a_file_and_the_committed_examples_are_current() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("script.html");
    let (code, stdout, stderr) = print(&["--output", target.to_str().unwrap()]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    let written = std::fs::read_to_string(&target).unwrap();
    let (_, html, _) = print(&[]);
    assert_eq!(written, html);
    // The examples in the repository are what the tool prints now (regenerate them with
    // `massage-triage rules print --force --output examples/phone-script-desk.html` and
    // `--format markdown --force --output examples/phone-script-desk.md`).
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/");
    assert_eq!(std::fs::read_to_string(format!("{examples}phone-script-desk.html")).unwrap(), html);
    let (_, markdown, _) = print(&["--format", "markdown"]);
    assert_eq!(std::fs::read_to_string(format!("{examples}phone-script-desk.md")).unwrap(), markdown);
}
