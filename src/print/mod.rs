//! `rules print`: the phone script, printed from the same rule set the tool runs on. One
//! view of it, [`PhoneScript`], says what the page shows (every question in order in one
//! audience's wording, the red flags with what to tell the caller, the rules in words, the
//! rule set's identity); `html.rs` and `markdown.rs` only lay that view out.

mod html;
mod markdown;

use crate::choice::Choice;
use crate::questionnaire::{AnswerOption, Question, QuestionKind};
use crate::recommendation::Urgency;
use crate::report::{identity_in_words, overrides_in_words, Audience};
use crate::rules::{Condition, Effect, Identity, Rule, RuleSet, SetTest};
use crate::wording::Text;

/// The printed formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrintFormat {
    /// A printable HTML page (page breaks, large type for the red-flag screen).
    #[default]
    Html,
    /// Markdown, for a wiki or a repository.
    Markdown,
}

impl Choice for PrintFormat {
    const ALL: &'static [Self] = &[PrintFormat::Html, PrintFormat::Markdown];

    fn name(self) -> &'static str {
        match self {
            PrintFormat::Html => "html",
            PrintFormat::Markdown => "markdown",
        }
    }

    fn help(self) -> &'static str {
        match self {
            PrintFormat::Html => "A printable HTML page (print it, or save it as PDF, from a browser)",
            PrintFormat::Markdown => "Markdown, for a wiki or a repository",
        }
    }
}

/// The phone script of one rule set for one audience: what a printed page shows.
#[derive(Debug, Clone)]
pub struct PhoneScript<'a> {
    /// Whose wording the questions are in.
    pub audience: Audience,
    /// Which rule set, questionnaire and tool it was printed from.
    pub identity: Identity<'a>,
    /// The same, on one line (`Rules: … questionnaire version 2, massage-triage 0.1.0`).
    pub identity_line: String,
    /// Each declared exception to the safety floor, in words.
    pub overrides: Vec<String>,
    /// Every sentence an emergency tells the caller: the policy's, then each referring
    /// rule's own, once each.
    pub emergency_sentences: Vec<&'a str>,
    /// The red flags (every answer that demands a referral, or is marked a red flag), in
    /// questionnaire order.
    pub red_flags: Vec<RedFlag<'a>>,
    /// Every question, in the order asked.
    pub questions: Vec<ScriptQuestion<'a>>,
    /// Every rule, in file order, in words.
    pub rules: Vec<RuleInWords<'a>>,
}

/// One question as the script reads it.
#[derive(Debug, Clone)]
pub struct ScriptQuestion<'a> {
    /// Its number in the order asked, from 1.
    pub number: usize,
    /// Its id (answer files' key).
    pub id: &'a str,
    /// The audience's wording.
    pub text: &'a str,
    /// Its help.
    pub help: &'a str,
    /// How it is answered, in words: "one of these", "a whole number from 0 to 10".
    pub answered: String,
    /// For a conditional question, when it is asked, in the rules' words.
    pub asked_when: Option<String>,
    /// One of its options is a red flag: it is printed in large type.
    pub red_flag_screen: bool,
    /// Its options, with the heading each is read out under.
    pub options: Vec<&'a AnswerOption>,
}

/// One answer that sends the caller to a physician (or is marked a red flag).
#[derive(Debug, Clone)]
pub struct RedFlag<'a> {
    /// The question's id.
    pub question: &'a str,
    /// The option.
    pub option: &'a AnswerOption,
    /// The referral it always leads to at least (`min_urgency`).
    pub urgency: Option<Urgency>,
    /// What to tell the caller: the deciding rule's own `tell`, else the policy's for the
    /// urgency.
    pub tell: Option<&'a str>,
    /// The rule that decides the referral for this answer alone, when one does.
    pub rule: Option<&'a str>,
}

/// One rule in words.
#[derive(Debug, Clone)]
pub struct RuleInWords<'a> {
    /// Its id.
    pub id: &'a str,
    /// When it fires ([`Condition::describe`], as `--explain` says it).
    pub when: String,
    /// What it does when it fires, one phrase an effect.
    pub does: Vec<String>,
    /// Why.
    pub because: &'a str,
    /// Its sources.
    pub source: &'a [Text],
}

impl<'a> PhoneScript<'a> {
    /// The script of `rule_set` in `audience`'s wording.
    pub fn of(rule_set: &'a RuleSet, audience: Audience) -> Self {
        let identity = rule_set.identity();
        let questions = &rule_set.questionnaire.questions;
        PhoneScript {
            audience,
            identity_line: identity_in_words(&identity),
            overrides: overrides_in_words(&identity),
            identity,
            emergency_sentences: emergency_sentences(rule_set),
            red_flags: questions.iter().enumerate().flat_map(|(q, _)| red_flags(rule_set, q)).collect(),
            questions: questions.iter().enumerate().map(|(i, q)| script_question(rule_set, i, q, audience)).collect(),
            rules: rule_set.rules.iter().map(|r| rule_in_words(rule_set, r)).collect(),
        }
    }

    /// The script laid out in `format`.
    pub fn render(&self, format: PrintFormat) -> String {
        match format {
            PrintFormat::Html => html::render(self),
            PrintFormat::Markdown => markdown::render(self),
        }
    }

    /// The page's title.
    pub fn title(&self) -> String {
        let name = self.identity.rule_set.name.unwrap_or("massage-triage");
        format!("{name}: phone script ({} wording)", self.audience.name())
    }
}

/// What the script is for, in a line under the title.
fn purpose(audience: Audience) -> &'static str {
    match audience {
        Audience::Desk => "Read the questions aloud, in this order. Any red flag ends the call with what to tell the caller.",
        Audience::Therapist => "The intake questions in clinical wording, in the order asked, with the red flags and the rules that decide.",
    }
}

fn emergency_sentences(rule_set: &RuleSet) -> Vec<&str> {
    let mut sentences = vec![rule_set.policy.tell(Urgency::Emergency)];
    let own = rule_set.rules.iter().filter(|r| r.effect.refer == Some(Urgency::Emergency));
    for tell in own.filter_map(|r| r.effect.tell.as_deref()) {
        if !sentences.contains(&tell) {
            sentences.push(tell);
        }
    }
    sentences
}

fn red_flags(rule_set: &RuleSet, question: usize) -> Vec<RedFlag<'_>> {
    let q = &rule_set.questionnaire.questions[question];
    let flagged = q.options.iter().enumerate().filter(|(_, o)| o.red_flag || o.min_urgency.is_some());
    flagged
        .map(|(index, option)| {
            let rule = option.min_urgency.and_then(|urgency| deciding_rule(rule_set, question, index, urgency));
            let tell = match (rule.and_then(|r| r.effect.tell.as_deref()), option.min_urgency) {
                (Some(own), _) => Some(own),
                (None, Some(urgency)) => Some(rule_set.policy.tell(urgency)),
                (None, None) => None,
            };
            RedFlag { question: &q.id, option, urgency: option.min_urgency, tell, rule: rule.map(|r| r.id.as_str()) }
        })
        .collect()
}

/// The rule that decides the referral an answer demands, as the engine chooses it: the
/// first rule in file order that refers at that urgency, among those whose condition reads
/// this answer as a reason to fire (a test on the option, not under a `not`).
fn deciding_rule(rule_set: &RuleSet, question: usize, option: usize, urgency: Urgency) -> Option<&Rule> {
    let bit = 1u64 << option;
    let reads = |test: &Condition| match test {
        Condition::Choice { question: q, options } => *q == question && options & bit != 0,
        Condition::Contains { question: q, options, test } => {
            *q == question && options & bit != 0 && *test != SetTest::ContainsNone
        }
        _ => false,
    };
    rule_set
        .rules
        .iter()
        .filter(|r| r.effect.refer == Some(urgency))
        .find(|r| r.when.leaves().any(|leaf| !leaf.negated && reads(leaf.test)))
}

fn script_question<'a>(
    rule_set: &'a RuleSet,
    index: usize,
    question: &'a Question,
    audience: Audience,
) -> ScriptQuestion<'a> {
    let questionnaire = &rule_set.questionnaire;
    ScriptQuestion {
        number: index + 1,
        id: &question.id,
        text: match audience {
            Audience::Desk => &question.desk,
            Audience::Therapist => &question.therapist,
        },
        help: &question.help,
        answered: answered_in_words(question),
        asked_when: question.ask_when.as_ref().map(|when| when.describe(questionnaire)),
        red_flag_screen: question.options.iter().any(|o| o.red_flag),
        options: question.options.iter().collect(),
    }
}

/// How a question is answered, in words for a reader of the script (the ids are beside it).
fn answered_in_words(question: &Question) -> String {
    match question.kind {
        QuestionKind::OneOf => "one of these".to_owned(),
        QuestionKind::SeveralOf { min_selected: 0 } => "any of these, or none".to_owned(),
        QuestionKind::SeveralOf { min_selected } => format!("at least {min_selected} of these"),
        QuestionKind::Number { min, max } => format!("a whole number from {min} to {max}"),
        QuestionKind::YesNo => "yes or no".to_owned(),
    }
}

fn rule_in_words<'a>(rule_set: &'a RuleSet, rule: &'a Rule) -> RuleInWords<'a> {
    RuleInWords {
        id: &rule.id,
        when: rule.when.describe(&rule_set.questionnaire),
        does: effect_in_words(&rule.effect),
        because: &rule.because,
        source: &rule.source,
    }
}

/// A rule's effects, each in the words of its key in `rules.toml`.
fn effect_in_words(effect: &Effect) -> Vec<String> {
    let mut does = Vec::new();
    if let Some(urgency) = effect.refer {
        does.push(format!("refer to a physician ({})", urgency.id()));
    }
    if let Some(tell) = &effect.tell {
        does.push(format!("tell: {tell}"));
    }
    let favour: Vec<String> = crate::recommendation::Style::ALL
        .iter()
        .filter(|s| effect.favour[s.index()] != 0)
        .map(|s| format!("{} {:+}", s.id(), effect.favour[s.index()]))
        .collect();
    if !favour.is_empty() {
        does.push(format!("favour {}", favour.join(", ")));
    }
    if !effect.forbid.is_empty() {
        let styles: Vec<&str> = effect.forbid.iter().map(|s| s.id()).collect();
        does.push(format!("forbid {}", styles.join(", ")));
    }
    if let Some(pressure) = effect.max_pressure {
        does.push(format!("pressure at most {}", pressure.id()));
    }
    if let Some(minutes) = effect.session_minutes {
        does.push(format!("first session {minutes} minutes"));
    }
    if let Some(precaution) = &effect.precaution {
        does.push(format!("precaution: {precaution}"));
    }
    if let Some(advice) = &effect.advice {
        does.push(format!("advice: {advice}"));
    }
    does
}

/// What an urgency asks of the caller, as a heading: `Emergency`.
fn urgency_word(urgency: Option<Urgency>) -> &'static str {
    match urgency {
        Some(Urgency::Emergency) => "Emergency",
        Some(Urgency::Urgent) => "Urgent",
        Some(Urgency::Routine) => "Routine",
        None => "Red flag",
    }
}
