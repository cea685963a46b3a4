//! The answer sheet: answers set key by key, each checked against its question as it
//! comes, every problem kept with its place; one sheet for every format.

use super::{Answers, RawValue};
use crate::answer::Answer;
use crate::code::Code;
use crate::condition::Truth;
use crate::diagnostic::{Diagnostic, SourceText};
use crate::questionnaire::{NoneWritten, Question, QuestionKind, Questionnaire};
use crate::suggestion::{closest, one_of};
use crate::text::shown;
use std::ops::Range;

/// A problem with one answer, before it is placed in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerProblem {
    /// The key (question id) concerned.
    pub key: String,
    /// Where, when known.
    pub span: Option<Range<usize>>,
    /// Stable code.
    pub code: crate::code::Code,
    /// What is wrong and what was expected.
    pub message: String,
    /// The closest valid id.
    pub suggestion: Option<String>,
}

impl AnswerProblem {
    fn new(key: &str, span: Option<Range<usize>>, code: crate::code::Code, message: String) -> Self {
        Self { key: key.to_owned(), span, code, message, suggestion: None }
    }

    /// As a diagnostic in a file; `fallback_line` is used when the problem has no span.
    pub fn into_diagnostic(self, source: SourceText<'_>) -> Diagnostic {
        let mut diagnostic = match self.span {
            Some(span) => source.error(span, self.code, self.message),
            None => Diagnostic::whole_file(source.name, self.code, self.message),
        };
        diagnostic.suggestion = self.suggestion;
        diagnostic
    }
}

/// Collects answers key by key, validating each against its question.
///
/// A sheet can be used for one record after another (batch): [`Self::take`] hands over the
/// answers or problems and leaves the sheet empty, keeping its buffers and lookup tables.
pub struct AnswerSheet<'q> {
    questionnaire: &'q Questionnaire,
    keys: AnswerKeys,
    /// The `id`, when `has_id`; kept as a buffer between records.
    id: String,
    has_id: bool,
    /// The question after the last one answered: the likeliest next key.
    expected: usize,
    /// `version` as given, with its place.
    version: Option<(i64, Option<Range<usize>>)>,
    values: Vec<Option<Answer>>,
    /// Where each answer's key is, when known (for problems found once all are read).
    spans: Vec<Option<Range<usize>>>,
    problems: Vec<AnswerProblem>,
    /// How the format writes "none of these", for the messages.
    none_written: NoneWritten,
}

impl<'q> AnswerSheet<'q> {
    /// An empty sheet for this questionnaire.
    pub fn new(questionnaire: &'q Questionnaire) -> Self {
        Self {
            questionnaire,
            keys: AnswerKeys::new(questionnaire),
            id: String::new(),
            has_id: false,
            expected: 0,
            version: None,
            values: vec![None; questionnaire.questions.len()],
            spans: vec![None; questionnaire.questions.len()],
            problems: Vec::new(),
            none_written: NoneWritten::EmptyList,
        }
    }

    /// Says in its messages that "none of these" is written as `none_written` (CSV: a word).
    pub fn write_none_as(&mut self, none_written: NoneWritten) {
        self.none_written = none_written;
    }

    /// Forgets every answer and problem, as if new (the buffers are kept).
    pub fn reset(&mut self) {
        self.id.clear();
        self.has_id = false;
        self.expected = 0;
        self.version = None;
        self.values.fill(None);
        self.spans.fill(None);
        self.problems.clear();
    }

    /// Records one key's value; a problem is kept and reported by [`Self::finish`].
    pub fn set(
        &mut self,
        key: &str,
        key_span: Option<Range<usize>>,
        value: RawValue<'_>,
        value_span: Option<Range<usize>>,
    ) {
        if let Err(problem) = self.try_set(key, key_span, value, value_span) {
            self.problems.push(problem);
        }
    }

    fn try_set(
        &mut self,
        key: &str,
        key_span: Option<Range<usize>>,
        value: RawValue<'_>,
        value_span: Option<Range<usize>>,
    ) -> Result<(), AnswerProblem> {
        if key == "id" {
            return match value {
                RawValue::Text(text) => {
                    self.id.clear();
                    self.id.push_str(&text);
                    self.has_id = true;
                    Ok(())
                }
                other => Err(AnswerProblem::new(
                    key,
                    value_span,
                    Code::WrongType,
                    format!("`id` must be a string (a booking reference), not {}", type_name(&other)),
                )),
            };
        }
        if key == "version" {
            return self.set_version(value, key_span, value_span);
        }
        let Some(index) = self.keys.question(self.questionnaire, key, self.expected) else {
            let mut problem = AnswerProblem::new(
                key,
                key_span,
                Code::UnknownQuestion,
                format!(
                    "unknown question \"{}\"; expected id or one of {}",
                    shown(key),
                    one_of(self.questionnaire.ids())
                ),
            );
            problem.suggestion = closest(key, self.questionnaire.ids()).map(str::to_owned);
            return Err(problem);
        };
        self.expected = index + 1;
        if self.values[index].is_some() {
            return Err(AnswerProblem::new(
                key,
                key_span,
                Code::DuplicateAnswer,
                format!("\"{key}\" is answered twice"),
            ));
        }
        let question = Asked { question: &self.questionnaire.questions[index], options: self.keys.options(index) };
        self.values[index] = Some(convert(question, value, value_span)?);
        if key_span.is_some() {
            self.spans[index] = key_span;
        }
        Ok(())
    }

    fn set_version(
        &mut self,
        value: RawValue<'_>,
        key_span: Option<Range<usize>>,
        value_span: Option<Range<usize>>,
    ) -> Result<(), AnswerProblem> {
        if self.version.is_some() {
            return Err(AnswerProblem::new(
                "version",
                key_span,
                Code::DuplicateAnswer,
                "\"version\" is given twice".into(),
            ));
        }
        match value {
            RawValue::Integer(version) => {
                self.version = Some((version, value_span));
                Ok(())
            }
            other => Err(AnswerProblem::new(
                "version",
                value_span,
                Code::WrongType,
                format!(
                    "`version` must be a whole number (the questionnaire version the answers were given under), not {}",
                    type_name(&other)
                ),
            )),
        }
    }

    /// The answers' version against the questionnaire's: a newer one is refused, an older
    /// one when the questionnaire asks more than it did. Returns the version.
    fn check_version(&mut self) -> u32 {
        let current = self.questionnaire.version;
        let (given, span) = self.version.clone().unwrap_or((1, None));
        let version = match u32::try_from(given) {
            Ok(version) if (1..=current).contains(&version) => version,
            _ => {
                let message = if given > i64::from(current) {
                    format!("version {given} is newer than this questionnaire (version {current}); use a rule set of that version")
                } else {
                    format!("version {given} is not a questionnaire version; expected 1 to {current}")
                };
                self.problems.push(AnswerProblem::new("version", span, Code::BadVersion, message));
                return current;
            }
        };
        let missing = self.questionnaire.not_asked_before(version, &self.values);
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(|m| m.describe()).collect();
            let message = format!(
                "these answers were given under questionnaire version {version}, and version {current} asks more, which they were never asked (nothing is read as \"no\"): {}; ask these and give version = {current}",
                list.join("; ")
            );
            self.problems.push(AnswerProblem::new("version", span, Code::OlderVersion, message));
        }
        version
    }

    /// Conditional questions: `NotAsked` where the condition fails; a problem where it holds
    /// without an answer, or fails with one. Left alone while an earlier answer is missing.
    /// A question newer than the answers' `version` is named once, in the version problem.
    /// With `partial` (a record's answers), a question left without an answer is no problem.
    fn settle_conditionals(&mut self, version: u32, partial: bool) {
        for (index, question) in self.questionnaire.questions.iter().enumerate() {
            let Some(when) = &question.ask_when else { continue };
            let answered = self.values[index].is_some();
            match when.truth(&self.values) {
                Truth::No if answered => {
                    let message = format!(
                        "\"{}\" is answered, but it is asked only when {}, and these answers do not meet that; remove it",
                        question.id,
                        when.describe(self.questionnaire)
                    );
                    let span = self.spans[index].clone();
                    self.problems.push(AnswerProblem::new(&question.id, span, Code::NotAsked, message));
                }
                Truth::No => self.values[index] = Some(Answer::NotAsked),
                Truth::Yes if !answered && !partial && question.since <= version => {
                    let message = format!(
                        "no answer to \"{}\", which is asked because {}; expected {}",
                        question.id,
                        when.describe(self.questionnaire),
                        question.expectation_with(self.none_written)
                    );
                    self.problems.push(AnswerProblem::new(&question.id, None, Code::MissingAnswer, message));
                }
                _ => {}
            }
        }
    }

    /// Records a problem found by the reader (a syntax error, a value of no known type).
    pub fn problem(&mut self, problem: AnswerProblem) {
        self.problems.push(problem);
    }

    /// The answers, or every problem: bad values, then each unanswered question.
    pub fn finish(mut self) -> Result<Answers, Vec<AnswerProblem>> {
        self.take(None)
    }

    /// As [`Self::finish`], but leaves the sheet empty for the next record; `spare` (answers
    /// no longer needed) lends its buffers to the result, to spare allocations.
    pub fn take(&mut self, spare: Option<Answers>) -> Result<Answers, Vec<AnswerProblem>> {
        let version = self.check_version();
        self.settle_conditionals(version, false);
        let unanswered = self.questionnaire.questions.iter().zip(&self.values).filter(|(_, value)| value.is_none());
        for (question, _) in unanswered {
            // A question newer than the answers is named once, in the version problem.
            // A conditional one is settled above (left alone while what it depends on is missing).
            let reported = question.since > version
                || question.ask_when.is_some()
                || self.problems.iter().any(|p| p.key == question.id);
            if !reported {
                self.problems.push(AnswerProblem::new(
                    &question.id,
                    None,
                    Code::MissingAnswer,
                    format!(
                        "no answer to \"{}\"; expected {}",
                        question.id,
                        question.expectation_with(self.none_written)
                    ),
                ));
            }
        }
        if !self.problems.is_empty() {
            // Report in file order; problems without a place (missing answers) last.
            self.problems.sort_by_key(|p| p.span.as_ref().map_or(usize::MAX, |s| s.start));
            let problems = std::mem::take(&mut self.problems);
            self.reset();
            return Err(problems);
        }
        let mut answers = spare.unwrap_or_else(|| Answers {
            id: None,
            values: Vec::with_capacity(self.values.len()),
            words: Vec::with_capacity(self.values.len()),
        });
        answers.values.clear();
        answers.values.extend(self.values.iter().flatten());
        answers.words.clear();
        answers.words.extend(answers.values.iter().map(|v| v.word()));
        match (&mut answers.id, self.has_id) {
            (Some(id), true) => {
                id.clear();
                id.push_str(&self.id);
            }
            (id, true) => *id = Some(self.id.clone()),
            (id, false) => *id = None,
        }
        self.reset();
        Ok(answers)
    }
}

impl AnswerSheet<'_> {
    /// The answers given, which may leave questions unanswered (`None`), as an intake's
    /// record does: every answer given is checked as [`Self::finish`] checks it, and so
    /// are `version` and the conditional questions, but a missing answer is no problem
    /// here (whoever reads the record decides whether the answers given are enough).
    pub fn finish_partial(mut self) -> Result<GivenAnswers, Vec<AnswerProblem>> {
        let version = self.check_version();
        self.settle_conditionals(version, true);
        if !self.problems.is_empty() {
            self.problems.sort_by_key(|p| p.span.as_ref().map_or(usize::MAX, |s| s.start));
            return Err(self.problems);
        }
        Ok(GivenAnswers { id: self.has_id.then_some(self.id), values: self.values })
    }
}

/// Answers that may leave questions unanswered, in questionnaire order (`None`: no
/// answer; [`Answer::NotAsked`]: a conditional question whose condition does not hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenAnswers {
    /// The answers' reference.
    pub id: Option<String>,
    /// One a question.
    pub values: Vec<Option<Answer>>,
}

/// Up to seven bytes as one little-endian word, zero-padded, without a variable-length copy
/// (which is a call to `memcpy`): loads that overlap put the same byte in the same place.
#[inline]
fn short_word(bytes: &[u8]) -> u64 {
    let length = bytes.len();
    match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        (Some(low), Some(high)) => {
            u64::from(u32::from_le_bytes(*low)) | u64::from(u32::from_le_bytes(*high)) << ((length - 4) * 8)
        }
        _ => bytes.iter().enumerate().fold(0, |word, (i, b)| word | u64::from(*b) << (i * 8)),
    }
}

/// A question with its options' lookup keys.
#[derive(Clone, Copy)]
struct Asked<'a> {
    question: &'a Question,
    options: &'a [IdKey],
}

/// The question ids and option ids of a questionnaire as [`IdKey`]s, made once per sheet:
/// finding a key or an option is then a few word comparisons, not string comparisons.
#[derive(Debug, Clone)]
struct AnswerKeys {
    questions: Vec<IdKey>,
    /// No two questions share an id (as a loaded questionnaire ensures), so the question
    /// expected next can be tried first: it is found where a search from the start finds it.
    unique: bool,
    /// Every question's option keys, one question after another.
    options: Vec<IdKey>,
    /// Where each question's option keys start in `options` (one more entry at the end).
    option_starts: Vec<usize>,
}

impl AnswerKeys {
    fn new(questionnaire: &Questionnaire) -> Self {
        let questions = questionnaire.ids().map(IdKey::of).collect();
        let ids: Vec<&str> = questionnaire.ids().collect();
        let unique = ids.iter().enumerate().all(|(i, id)| !ids[..i].contains(id));
        let mut options = Vec::new();
        let mut option_starts = vec![0];
        for question in &questionnaire.questions {
            options.extend(question.option_ids().map(IdKey::of));
            option_starts.push(options.len());
        }
        Self { questions, unique, options, option_starts }
    }

    /// The index of the question `id`, as [`Questionnaire::index_of`] gives it. Records
    /// usually answer in questionnaire order: the question at `expected` is tried first.
    #[inline]
    fn question(&self, questionnaire: &Questionnaire, id: &str, expected: usize) -> Option<usize> {
        let id_at = |i: usize| questionnaire.questions[i].id.as_str();
        if let (true, Some(key)) = (self.unique, self.questions.get(expected)) {
            if key.is(id, || id_at(expected)) {
                return Some(expected);
            }
        }
        IdKey::find(&self.questions, id, id_at)
    }

    /// The option keys of the question at `index`.
    #[inline]
    fn options(&self, index: usize) -> &[IdKey] {
        &self.options[self.option_starts[index]..self.option_starts[index + 1]]
    }
}

/// An id as its length and its first and last eight bytes: equal keys mean equal ids up to
/// 16 bytes (every byte is in one of the two words); longer ids are compared in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IdKey {
    length: usize,
    head: u64,
    tail: u64,
}

impl IdKey {
    #[inline]
    fn of(id: &str) -> IdKey {
        let bytes = id.as_bytes();
        let length = bytes.len();
        match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
            (Some(head), Some(tail)) => {
                IdKey { length, head: u64::from_le_bytes(*head), tail: u64::from_le_bytes(*tail) }
            }
            _ => IdKey { length, head: short_word(bytes), tail: 0 },
        }
    }

    /// The position of the first of `keys` whose id (`id_at`) is `id`.
    #[inline]
    fn find<'a>(keys: &[IdKey], id: &str, id_at: impl Fn(usize) -> &'a str) -> Option<usize> {
        let key = IdKey::of(id);
        keys.iter().enumerate().position(|(i, k)| *k == key && (key.length <= 16 || id_at(i) == id))
    }

    /// Whether this key's id (`own_id`) is `id`.
    #[inline]
    fn is<'a>(&self, id: &str, own_id: impl FnOnce() -> &'a str) -> bool {
        let key = IdKey::of(id);
        *self == key && (key.length <= 16 || own_id() == id)
    }
}

fn type_name(value: &RawValue<'_>) -> &'static str {
    value.kind().name()
}

fn convert(asked: Asked<'_>, value: RawValue<'_>, span: Option<Range<usize>>) -> Result<Answer, AnswerProblem> {
    let question = asked.question;
    let key = question.id.as_str();
    let wrong_type = |value: &RawValue<'_>| {
        AnswerProblem::new(
            key,
            span.clone(),
            Code::WrongType,
            format!("\"{key}\" must be {}, not {}", question.expectation(), type_name(value)),
        )
    };
    match (question.kind, value) {
        (QuestionKind::OneOf, RawValue::Text(text)) => {
            option_index(asked, &text, span.clone()).map(|i| Answer::Choice(i as u8))
        }
        (QuestionKind::SeveralOf { min_selected }, RawValue::List(items)) => {
            let mut bits = 0u64;
            for (item, item_span) in items {
                let item_span = item_span.or_else(|| span.clone());
                let text = item.map_err(|type_name| {
                    AnswerProblem::new(
                        key,
                        item_span.clone(),
                        Code::WrongType,
                        format!("items of \"{key}\" must be option ids (strings), not {type_name}"),
                    )
                })?;
                let index = option_index(asked, &text, item_span.clone())?;
                if bits & (1 << index) != 0 {
                    return Err(AnswerProblem::new(
                        key,
                        item_span,
                        Code::DuplicateOption,
                        format!("\"{text}\" is listed twice in \"{key}\""),
                    ));
                }
                bits |= 1 << index;
            }
            if (bits.count_ones() as usize) < min_selected {
                return Err(AnswerProblem::new(
                    key,
                    span,
                    Code::TooFew,
                    format!("\"{key}\" needs at least {min_selected} of {}", one_of(question.option_ids())),
                ));
            }
            Ok(Answer::Choices(bits))
        }
        (QuestionKind::Number { min, max }, RawValue::Integer(n)) => {
            if (min..=max).contains(&n) {
                Ok(Answer::Number(n))
            } else {
                Err(AnswerProblem::new(
                    key,
                    span,
                    Code::OutOfRange,
                    format!("{n} is out of range for \"{key}\"; expected a whole number from {min} to {max}"),
                ))
            }
        }
        (QuestionKind::YesNo, RawValue::Bool(b)) => Ok(Answer::YesNo(b)),
        (_, other) => Err(wrong_type(&other)),
    }
}

/// The index of an option, as [`Question::option_index`] gives it.
fn option_index(asked: Asked<'_>, text: &str, span: Option<Range<usize>>) -> Result<usize, AnswerProblem> {
    let question = asked.question;
    IdKey::find(asked.options, text, |i| question.options[i].id.as_str()).ok_or_else(|| {
        let mut problem = AnswerProblem::new(
            &question.id,
            span,
            Code::UnknownOption,
            format!(
                "unknown option \"{}\" for question \"{}\"; expected one of {}",
                shown(text),
                question.id,
                one_of(question.option_ids())
            ),
        );
        problem.suggestion = question.closest_option(text).map(str::to_owned);
        problem
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Ids of every length around the 8- and 16-byte edges of [`IdKey`], sharing heads and tails.
    const IDS: &[&str] = &[
        "",
        "a",
        "ab",
        "abcd",
        "abcde",
        "abcdefg",
        "abcdxfg",
        "abcdefgh",
        "abcdefghi",
        "abcdefgh_",
        "abcdefghijklmnop",
        "abcdefghXjklmnop",
        "abcdefghijklmnopq",
        "abcdefghXjklmnopq",
        "abcdefghijXklmnopq",
        "contraindications",
        "contraindicationz",
    ];

    fn found(ids: &[&str], id: &str) -> Option<usize> {
        let keys: Vec<IdKey> = ids.iter().map(|id| IdKey::of(id)).collect();
        IdKey::find(&keys, id, |i| ids[i])
    }

    #[test]
    fn keys_find_what_comparing_strings_finds() {
        for id in IDS.iter().copied().chain(["abcdefghijklmnopqr", "b", "abcdefghijklmnoq", "\0", "a\0"]) {
            assert_eq!(found(IDS, id), IDS.iter().position(|i| *i == id), "{id:?}");
        }
    }

    #[test]
    fn the_sheet_finds_every_question_and_option_of_the_built_in_questionnaire() {
        // Read from the file itself, not through `rules`: answers sit below the rule set.
        let text = include_str!("../../rules/questionnaire.toml");
        let questionnaire = &Questionnaire::parse(SourceText::new("rules/questionnaire.toml", text)).unwrap();
        let keys = AnswerKeys::new(questionnaire);
        for (index, question) in questionnaire.questions.iter().enumerate() {
            for expected in 0..=questionnaire.questions.len() {
                assert_eq!(keys.question(questionnaire, &question.id, expected), Some(index));
            }
            for (option, id) in question.option_ids().enumerate() {
                let asked = Asked { question, options: keys.options(index) };
                assert_eq!(option_index(asked, id, None), Ok(option));
            }
        }
    }

    proptest! {
        /// Any id, of any length, is found where comparing strings one by one finds it.
        #[test]
        fn keys_agree_with_string_comparison(
            ids in prop::collection::vec("[ab_\0é]{0,20}", 0..12),
            id in "[ab_\0é]{0,20}",
        ) {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            prop_assert_eq!(found(&ids, &id), ids.iter().position(|i| *i == id));
            for known in &ids {
                prop_assert_eq!(found(&ids, known), ids.iter().position(|i| i == known));
            }
        }
    }
}
