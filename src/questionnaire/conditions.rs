//! The parts of conditions that need the questions: a condition as written in TOML
//! ([`RawCondition`], in `questionnaire.toml` and `rules.toml` alike), compiled against the
//! questionnaire's questions and options ([`ConditionCompiler`]), and a compiled condition
//! put back into words with their ids ([`Condition::describe`]). The core of a condition,
//! which knows no questionnaire, is `crate::condition::Condition`.

use super::{Question, QuestionKind, Questionnaire};
use crate::code::Code;
use crate::condition::{Condition, SetTest};
use crate::diagnostic::{Diagnostics, SourceText};
use crate::suggestion::{closest, one_of};
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

/// A condition as written, with a span on every id and reference. Unknown keys are refused
/// here (`deny_unknown_fields`).
#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCondition {
    #[schemars(with = "Option<String>")]
    pub question: Option<Spanned<String>>,
    #[schemars(with = "Option<serde_json::Value>")]
    pub is: Option<Spanned<toml::Value>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub any_of: Option<Spanned<Vec<Spanned<String>>>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub contains_any: Option<Spanned<Vec<Spanned<String>>>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub contains_all: Option<Spanned<Vec<Spanned<String>>>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub contains_none: Option<Spanned<Vec<Spanned<String>>>>,
    #[schemars(with = "Option<i64>")]
    pub at_least: Option<Spanned<i64>>,
    #[schemars(with = "Option<i64>")]
    pub at_most: Option<Spanned<i64>>,
    #[schemars(with = "Option<Vec<i64>>")]
    pub between: Option<Spanned<Vec<i64>>>,
    #[schemars(with = "Option<bool>")]
    pub asked: Option<Spanned<bool>>,
    #[schemars(with = "Option<Vec<RawCondition>>")]
    pub all: Option<Spanned<Vec<Spanned<RawCondition>>>>,
    #[schemars(with = "Option<Vec<RawCondition>>")]
    pub any: Option<Spanned<Vec<Spanned<RawCondition>>>>,
    #[schemars(with = "Option<Box<RawCondition>>")]
    pub not: Option<Box<Spanned<RawCondition>>>,
    #[schemars(with = "Option<bool>")]
    pub always: Option<Spanned<bool>>,
}

/// Compiles a raw condition, reporting every problem with its place.
pub(crate) struct ConditionCompiler<'a> {
    pub questionnaire: &'a Questionnaire,
    pub source: SourceText<'a>,
    pub problems: &'a mut Diagnostics,
}

impl ConditionCompiler<'_> {
    pub(crate) fn compile(&mut self, raw: &Spanned<RawCondition>) -> Option<Condition> {
        let span = raw.span();
        let raw = raw.get_ref();
        let combinators = [raw.all.is_some(), raw.any.is_some(), raw.not.is_some(), raw.always.is_some()];
        let combinator_count = combinators.iter().filter(|c| **c).count();
        if combinator_count > 1 || (combinator_count == 1 && raw.question.is_some()) {
            self.error(
                span,
                Code::AmbiguousCondition,
                "a condition is either one test on a question or one of all / any / not / always, not several",
            );
            return None;
        }
        if let Some(always) = &raw.always {
            if !always.get_ref() {
                self.error(always.span(), Code::BadCondition, "`always` can only be true; remove the rule instead");
                return None;
            }
            return Some(Condition::Always);
        }
        if let Some(parts) = &raw.all {
            return self.compile_parts(parts, Condition::All);
        }
        if let Some(parts) = &raw.any {
            return self.compile_parts(parts, Condition::Any);
        }
        if let Some(part) = &raw.not {
            return self.compile(part).map(|c| Condition::Not(Box::new(c)));
        }
        self.compile_test(raw, span)
    }

    /// A conditional question's `ask_when`: a condition on questions asked before it.
    pub(crate) fn compile_ask_when(&mut self, raw: &Spanned<RawCondition>, index: usize) -> Option<Condition> {
        let when = self.compile(raw)?;
        let mut read = Vec::new();
        when.questions(&mut read);
        let questions = &self.questionnaire.questions;
        if let Some(later) = read.iter().find(|q| **q >= index) {
            let message = format!(
                "`ask_when` of \"{}\" reads \"{}\", which is not asked before it; a conditional question can only depend on earlier questions",
                questions[index].id, questions[*later].id
            );
            self.error(raw.span(), Code::BadAskWhen, message);
            return None;
        }
        Some(when)
    }

    fn compile_parts(
        &mut self,
        parts: &Spanned<Vec<Spanned<RawCondition>>>,
        make: fn(Vec<Condition>) -> Condition,
    ) -> Option<Condition> {
        if parts.get_ref().is_empty() {
            self.error(parts.span(), Code::EmptyCondition, "an empty list of conditions; expected at least one");
            return None;
        }
        let compiled: Vec<Option<Condition>> = parts.get_ref().iter().map(|p| self.compile(p)).collect();
        compiled.into_iter().collect::<Option<Vec<_>>>().map(make)
    }

    fn compile_test(&mut self, raw: &RawCondition, span: Range<usize>) -> Option<Condition> {
        let Some(question_id) = &raw.question else {
            self.error(
                span,
                Code::BadCondition,
                "a condition needs `question` and a test (is, any_of, contains_any, contains_all, contains_none, at_least, at_most, between, asked), or all / any / not / always",
            );
            return None;
        };
        let Some(question) = self.questionnaire.index_of(question_id.get_ref()) else {
            let ids = self.questionnaire.ids();
            let message = format!("unknown question \"{}\"; expected one of {}", question_id.get_ref(), one_of(ids));
            let suggestion = closest(question_id.get_ref(), self.questionnaire.ids());
            self.problems
                .push(self.source.error(question_id.span(), Code::UnknownQuestion, message).suggest(suggestion));
            return None;
        };
        let tests = self.present_tests(raw);
        match tests.as_slice() {
            [] => {
                self.error(
                    span,
                    Code::BadCondition,
                    "this condition names a question but no test (is, any_of, contains_any, ...)",
                );
                None
            }
            [(key, key_span)] => self.compile_one_test(raw, question, key, key_span.clone()),
            [_, (key, key_span), ..] => {
                self.error(
                    key_span.clone(),
                    Code::AmbiguousCondition,
                    format!("one test per condition; `{key}` is a second one (combine tests with all = [...])"),
                );
                None
            }
        }
    }

    fn present_tests(&self, raw: &RawCondition) -> Vec<(&'static str, Range<usize>)> {
        let mut tests = Vec::new();
        let mut add = |key: &'static str, span: Option<Range<usize>>| {
            if let Some(span) = span {
                tests.push((key, span));
            }
        };
        add("is", raw.is.as_ref().map(|v| v.span()));
        add("any_of", raw.any_of.as_ref().map(|v| v.span()));
        add("contains_any", raw.contains_any.as_ref().map(|v| v.span()));
        add("contains_all", raw.contains_all.as_ref().map(|v| v.span()));
        add("contains_none", raw.contains_none.as_ref().map(|v| v.span()));
        add("at_least", raw.at_least.as_ref().map(|v| v.span()));
        add("at_most", raw.at_most.as_ref().map(|v| v.span()));
        add("between", raw.between.as_ref().map(|v| v.span()));
        add("asked", raw.asked.as_ref().map(|v| v.span()));
        tests
    }

    fn compile_one_test(
        &mut self,
        raw: &RawCondition,
        index: usize,
        key: &str,
        span: Range<usize>,
    ) -> Option<Condition> {
        let question = &self.questionnaire.questions[index];
        if key == "asked" {
            return self.compile_asked(raw, index);
        }
        let kind = question.kind;
        match (kind, key) {
            (QuestionKind::OneOf, "is") => {
                let value = raw.is.as_ref()?;
                let text = self.expect_text(value, question)?;
                let bit = self.option_bit(question, &text, value.span())?;
                Some(Condition::Choice { question: index, options: bit })
            }
            (QuestionKind::OneOf, "any_of") => {
                let options = self.option_bits(question, raw.any_of.as_ref()?)?;
                Some(Condition::Choice { question: index, options })
            }
            (QuestionKind::SeveralOf { .. }, "contains_any" | "contains_all" | "contains_none") => {
                let (list, test) = match key {
                    "contains_any" => (raw.contains_any.as_ref()?, SetTest::ContainsAny),
                    "contains_all" => (raw.contains_all.as_ref()?, SetTest::ContainsAll),
                    _ => (raw.contains_none.as_ref()?, SetTest::ContainsNone),
                };
                let options = self.option_bits(question, list)?;
                Some(Condition::Contains { question: index, options, test })
            }
            (QuestionKind::Number { min, max }, "is" | "at_least" | "at_most" | "between") => {
                let (low, high, span) = self.number_bounds(raw, key, question)?;
                if low > high {
                    self.error(
                        span,
                        Code::EmptyRange,
                        format!("the range {low}..{high} is empty; expected a lower bound no higher than the upper"),
                    );
                    return None;
                }
                if high < min || low > max {
                    self.error(
                        span,
                        Code::OutOfRange,
                        format!("\"{}\" only takes {min} to {max}; this test can never hold", question.id),
                    );
                    return None;
                }
                Some(Condition::Number { question: index, min: low.max(min), max: high.min(max) })
            }
            (QuestionKind::YesNo, "is") => {
                let value = raw.is.as_ref()?;
                match value.get_ref() {
                    toml::Value::Boolean(b) => Some(Condition::YesNo { question: index, value: *b }),
                    other => {
                        self.error(
                            value.span(),
                            Code::WrongType,
                            format!(
                                "\"{}\" is a yes/no question; expected is = true or is = false, not {}",
                                question.id,
                                other.type_str()
                            ),
                        );
                        None
                    }
                }
            }
            _ => {
                let valid = match kind {
                    QuestionKind::OneOf => "is, any_of",
                    QuestionKind::SeveralOf { .. } => "contains_any, contains_all, contains_none",
                    QuestionKind::Number { .. } => "is, at_least, at_most, between",
                    QuestionKind::YesNo => "is",
                };
                self.error(
                    span,
                    Code::WrongTest,
                    format!(
                        "`{key}` does not apply to \"{}\", a \"{}\" question; expected one of {valid}",
                        question.id,
                        kind.id()
                    ),
                );
                None
            }
        }
    }

    /// `asked = true | false`: only a conditional question can go unasked.
    fn compile_asked(&mut self, raw: &RawCondition, index: usize) -> Option<Condition> {
        let value = raw.asked.as_ref()?;
        let question = &self.questionnaire.questions[index];
        if !question.conditional {
            self.error(
                value.span(),
                Code::WrongTest,
                format!("\"{}\" is always asked; `asked` applies only to a question with `ask_when`", question.id),
            );
            return None;
        }
        let asked = Condition::Asked { question: index };
        Some(if *value.get_ref() { asked } else { Condition::Not(Box::new(asked)) })
    }

    fn number_bounds(
        &mut self,
        raw: &RawCondition,
        key: &str,
        question: &Question,
    ) -> Option<(i64, i64, Range<usize>)> {
        match key {
            "is" => {
                let value = raw.is.as_ref()?;
                match value.get_ref() {
                    toml::Value::Integer(n) => Some((*n, *n, value.span())),
                    other => {
                        self.error(
                            value.span(),
                            Code::WrongType,
                            format!(
                                "\"{}\" is a number question; expected a whole number, not {}",
                                question.id,
                                other.type_str()
                            ),
                        );
                        None
                    }
                }
            }
            "at_least" => raw.at_least.as_ref().map(|v| (*v.get_ref(), i64::MAX, v.span())),
            "at_most" => raw.at_most.as_ref().map(|v| (i64::MIN, *v.get_ref(), v.span())),
            _ => {
                let between = raw.between.as_ref()?;
                match between.get_ref().as_slice() {
                    [low, high] => Some((*low, *high, between.span())),
                    _ => {
                        self.error(
                            between.span(),
                            Code::BadCondition,
                            "between takes two numbers: [lowest, highest], both included",
                        );
                        None
                    }
                }
            }
        }
    }

    fn expect_text(&mut self, value: &Spanned<toml::Value>, question: &Question) -> Option<String> {
        match value.get_ref() {
            toml::Value::String(text) => Some(text.clone()),
            other => {
                self.error(
                    value.span(),
                    Code::WrongType,
                    format!(
                        "\"{}\" is a one-of question; expected an option id ({}), not {}",
                        question.id,
                        one_of(question.option_ids()),
                        other.type_str()
                    ),
                );
                None
            }
        }
    }

    fn option_bit(&mut self, question: &Question, text: &str, span: Range<usize>) -> Option<u64> {
        if let Some(index) = question.option_index(text) {
            return Some(1 << index);
        }
        let message = format!(
            "unknown option \"{text}\" for question \"{}\"; expected one of {}",
            question.id,
            one_of(question.option_ids())
        );
        let suggestion = question.closest_option(text);
        self.problems.push(self.source.error(span, Code::UnknownOption, message).suggest(suggestion));
        None
    }

    fn option_bits(&mut self, question: &Question, list: &Spanned<Vec<Spanned<String>>>) -> Option<u64> {
        if list.get_ref().is_empty() {
            self.error(list.span(), Code::EmptyCondition, "an empty list of options; expected at least one");
            return None;
        }
        let mut bits = 0;
        let mut ok = true;
        for item in list.get_ref() {
            match self.option_bit(question, item.get_ref(), item.span()) {
                Some(bit) => bits |= bit,
                None => ok = false,
            }
        }
        ok.then_some(bits)
    }

    fn error(&mut self, span: Range<usize>, code: crate::code::Code, message: impl Into<String>) {
        self.problems.push(self.source.error(span, code, message));
    }
}

// An inherent method of `Condition` written here rather than with the core: describing a
// condition needs the questions' and options' ids, and the core knows no questionnaire.
impl Condition {
    /// The condition in words, with the questionnaire's ids: `severity is at least 8`.
    pub fn describe(&self, questionnaire: &Questionnaire) -> String {
        let name = |q: usize| questionnaire.questions[q].id.as_str();
        let options = |q: usize, bits: u64| option_list(&questionnaire.questions[q], bits);
        match self {
            Condition::Always => "always".to_owned(),
            Condition::Choice { question, options: bits } if bits.count_ones() == 1 => {
                format!("{} is {}", name(*question), options(*question, *bits))
            }
            Condition::Choice { question, options: bits } => {
                format!("{} is any of {}", name(*question), options(*question, *bits))
            }
            Condition::Contains { question, options: bits, test } if bits.count_ones() == 1 => {
                let verb = match test {
                    SetTest::ContainsAny | SetTest::ContainsAll => "includes",
                    SetTest::ContainsNone => "does not include",
                };
                format!("{} {verb} {}", name(*question), options(*question, *bits))
            }
            Condition::Contains { question, options: bits, test } => {
                let verb = match test {
                    SetTest::ContainsAny => "includes any of",
                    SetTest::ContainsAll => "includes all of",
                    SetTest::ContainsNone => "includes none of",
                };
                format!("{} {verb} {}", name(*question), options(*question, *bits))
            }
            Condition::Number { question, min, max } => describe_range(&questionnaire.questions[*question], *min, *max),
            Condition::YesNo { question, value } => {
                format!("{} is {}", name(*question), if *value { "yes" } else { "no" })
            }
            Condition::Asked { question } => format!("{} is asked", name(*question)),
            Condition::All(parts) => join(parts, " and ", questionnaire),
            Condition::Any(parts) => join(parts, " or ", questionnaire),
            Condition::Not(part) => match **part {
                Condition::Asked { question } => format!("{} is not asked", name(question)),
                _ => format!("not ({})", part.describe(questionnaire)),
            },
        }
    }
}

fn join(parts: &[Condition], word: &str, questionnaire: &Questionnaire) -> String {
    let texts: Vec<String> = parts.iter().map(|p| format!("({})", p.describe(questionnaire))).collect();
    texts.join(word)
}

fn option_list(question: &Question, bits: u64) -> String {
    let ids: Vec<&str> =
        question.options.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, o)| o.id.as_str()).collect();
    ids.join(", ")
}

fn describe_range(question: &Question, min: i64, max: i64) -> String {
    let (lowest, highest) = match question.kind {
        QuestionKind::Number { min, max } => (min, max),
        _ => (i64::MIN, i64::MAX),
    };
    let id = &question.id;
    match (min <= lowest, max >= highest) {
        _ if min == max => format!("{id} is {min}"),
        (true, true) => format!("{id} is any number"),
        (false, true) => format!("{id} is at least {min}"),
        (true, false) => format!("{id} is at most {max}"),
        (false, false) => format!("{id} is between {min} and {max}"),
    }
}
