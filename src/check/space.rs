//! The answer space in classes. Rules only ever compare a number with range ends, test
//! options against masks and read yes/no answers, so two answers that pass the same tests
//! (and carry the same safety marks) are the same to every rule. Each question's answers
//! are split into such classes: numbers at the ends of the ranges the rules use, options
//! into groups the rules never tell apart.

use super::Uncoverable;
use crate::answer::Answer;
use crate::condition::{Condition, SetTest};
use crate::questionnaire::{Question, QuestionKind};
use crate::recommendation::{Pressure, StyleSet, Urgency};
use crate::rules::RuleSet;
use std::collections::HashMap;

/// The most classes one question may have before the checker gives up on it.
pub const MAX_QUESTION_CLASSES: usize = 1 << 20;

/// What the rules test about one question, collected from every condition.
#[derive(Debug, Default, Clone)]
pub(crate) struct QuestionTests {
    /// Option masks tested (one-of `is`/`any_of`, several-of `contains_*`).
    pub masks: Vec<u64>,
    /// Masks tested with `contains_all` (how many of a group are chosen matters).
    pub all_masks: Vec<u64>,
    /// Number ranges tested.
    pub ranges: Vec<(i64, i64)>,
    /// Some rule reads the question.
    pub read: bool,
}

/// Collects, per question, what the rule set's rules test.
pub(crate) fn collect_rule_tests(rule_set: &RuleSet) -> Vec<QuestionTests> {
    collect_from(rule_set, rule_set.rules.iter().map(|r| &r.when))
}

/// Collects, per question, what every condition that can change an outcome or a proof
/// tests: the rules', the conditional questions' and every safety statement's (a mark's
/// too: two options with the same mark are still two statements, each proven on answers
/// that hold its own option).
pub(crate) fn collect_tests(rule_set: &RuleSet) -> Vec<QuestionTests> {
    let statements = rule_set.questionnaire.statements();
    collect_from(rule_set, rule_set.conditions().chain(statements.iter().map(|s| s.when.as_ref())))
}

fn collect_from<'c>(rule_set: &RuleSet, conditions: impl Iterator<Item = &'c Condition>) -> Vec<QuestionTests> {
    let mut tests = vec![QuestionTests::default(); rule_set.questionnaire.questions.len()];
    for leaf in conditions.flat_map(Condition::leaves) {
        collect(leaf.test, &mut tests);
    }
    tests
}

/// What one test reads.
fn collect(test: &Condition, into: &mut [QuestionTests]) {
    match test {
        Condition::Choice { question, options } => {
            into[*question].read = true;
            into[*question].masks.push(*options);
        }
        Condition::Contains { question, options, test } => {
            into[*question].read = true;
            into[*question].masks.push(*options);
            if *test == SetTest::ContainsAll {
                into[*question].all_masks.push(*options);
            }
        }
        Condition::Number { question, min, max } => {
            into[*question].read = true;
            into[*question].ranges.push((*min, *max));
        }
        Condition::YesNo { question, .. } | Condition::Asked { question } => into[*question].read = true,
        Condition::Always | Condition::All(_) | Condition::Any(_) | Condition::Not(_) => {}
    }
}

/// Whether a condition tests this option of this question.
pub(crate) fn reads_option(condition: &Condition, question: usize, option: usize) -> bool {
    condition.leaves().any(|leaf| match leaf.test {
        Condition::Choice { question: q, options } | Condition::Contains { question: q, options, .. } => {
            *q == question && options & (1 << option) != 0
        }
        _ => false,
    })
}

/// The inclusive number ranges in which no rule can tell two values apart.
pub fn number_intervals(rule_set: &RuleSet, question: usize) -> Vec<(i64, i64)> {
    let tests = collect_tests(rule_set);
    match rule_set.questionnaire.questions[question].kind {
        QuestionKind::Number { min, max } => intervals(min, max, &tests[question].ranges),
        _ => Vec::new(),
    }
}

fn intervals(min: i64, max: i64, ranges: &[(i64, i64)]) -> Vec<(i64, i64)> {
    // Cut points are the first values of each interval; i128 so that max + 1 never overflows.
    let (low, high) = (i128::from(min), i128::from(max) + 1);
    let mut cuts = vec![low, high];
    for (lo, hi) in ranges {
        cuts.push(i128::from(*lo).clamp(low, high));
        cuts.push((i128::from(*hi) + 1).clamp(low, high));
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2).map(|w| (w[0] as i64, (w[1] - 1) as i64)).collect()
}

/// How many options of a group a several-of class takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Take {
    /// None of them.
    None,
    /// At least one (how many does not matter to any rule).
    Some,
    /// At least one but not all (a `contains_all` covers the group).
    Partial,
    /// All of them.
    All,
}

impl Take {
    fn counts(self, size: u32) -> (u32, u32) {
        match self {
            Take::None => (0, 0),
            Take::Some => (1, size),
            Take::Partial => (1, size - 1),
            Take::All => (size, size),
        }
    }
}

/// Options no rule tells apart and that carry the same safety marks.
#[derive(Debug, Clone)]
pub struct OptionGroup {
    /// The options (bit i = option i).
    pub options: u64,
    /// A `contains_all` covers the group, so "some" and "all" differ.
    pub counts_matter: bool,
}

/// One class of answers to a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassValue {
    /// A one-of answer in this option group.
    Choice(usize),
    /// A several-of answer taking this much of each group.
    Choices(Vec<Take>),
    /// A number in this inclusive range.
    Range(i64, i64),
    /// A yes/no answer.
    YesNo(bool),
    /// A conditional question not asked.
    NotAsked,
}

/// One class and how many concrete answers it stands for.
#[derive(Debug, Clone)]
pub struct AnswerClass {
    /// The class.
    pub value: ClassValue,
    /// How many answers it stands for.
    pub answers: u128,
}

/// One question's classes.
#[derive(Debug, Clone)]
pub struct QuestionSpace {
    /// Option groups (one-of and several-of questions).
    pub groups: Vec<OptionGroup>,
    /// The classes.
    pub classes: Vec<AnswerClass>,
    min_selected: usize,
    /// A several-of class's index by its takes, made on first need (only escalation asks).
    by_takes: std::cell::OnceCell<HashMap<Vec<Take>, usize, foldhash::fast::FixedState>>,
}

/// Every question's classes: the answer space the checker proves over.
#[derive(Debug, Clone)]
pub struct AnswerSpace {
    /// Per question, in questionnaire order.
    pub questions: Vec<QuestionSpace>,
}

impl AnswerSpace {
    /// Splits every question into classes; fails when a question has too many.
    pub fn new(rule_set: &RuleSet) -> Result<AnswerSpace, Uncoverable> {
        let tests = collect_tests(rule_set);
        let questions = rule_set
            .questionnaire
            .questions
            .iter()
            .zip(&tests)
            .map(|(question, tests)| question_space(question, tests))
            .collect::<Result<_, _>>()
            .map_err(|reason| name_rules(rule_set, reason))?;
        Ok(AnswerSpace { questions })
    }

    /// How many answer classes there are in all.
    pub fn class_count(&self) -> u128 {
        self.questions.iter().map(|q| q.classes.len() as u128).fold(1, u128::saturating_mul)
    }

    /// How many complete answer sets there are in all.
    pub fn answer_count(&self) -> u128 {
        self.questions
            .iter()
            .map(|q| q.classes.iter().map(|c| c.answers).fold(0, u128::saturating_add))
            .fold(1, u128::saturating_mul)
    }

    /// True when an answer in this class can include the option.
    pub fn can_include(&self, question: usize, class: usize, option: usize) -> bool {
        let space = &self.questions[question];
        match &space.classes[class].value {
            ClassValue::Choice(group) => space.groups[*group].options & (1 << option) != 0,
            ClassValue::Choices(takes) => {
                space.groups.iter().zip(takes).any(|(g, t)| g.options & (1 << option) != 0 && *t != Take::None)
            }
            _ => false,
        }
    }

    /// A concrete answer in the class, including the options in `include` and none in
    /// `exclude` (for several-of and one-of questions), when there is one.
    pub fn answer(&self, question: usize, class: usize, include: u64, exclude: u64) -> Option<Answer> {
        let space = &self.questions[question];
        match &space.classes[class].value {
            ClassValue::Choice(group) => {
                let options = space.groups[*group].options & !exclude;
                let wanted = if include != 0 { include } else { options };
                let pick = (options & wanted).trailing_zeros();
                (pick < 64 && include.count_ones() <= 1).then_some(Answer::Choice(pick as u8))
            }
            ClassValue::Choices(takes) => choose(space, takes, include, exclude).map(Answer::Choices),
            ClassValue::Range(min, _) => Some(Answer::Number(*min)),
            ClassValue::YesNo(value) => Some(Answer::YesNo(*value)),
            ClassValue::NotAsked => Some(Answer::NotAsked),
        }
    }

    /// Adding `option` to a several-of answer of class `class`: the class after, and the
    /// options the answer before must already hold (all the group's others when adding
    /// completes the group). `None` when adding cannot change the class.
    pub fn after_adding(&self, question: usize, class: usize, option: usize) -> Option<(usize, u64)> {
        let space = &self.questions[question];
        let ClassValue::Choices(takes) = &space.classes[class].value else { return None };
        let group = space.groups.iter().position(|g| g.options & (1 << option) != 0)?;
        let options = space.groups[group].options;
        let size = options.count_ones();
        let (after, before_holds) = match takes[group] {
            Take::None if size == 1 => (Take::All, 0),
            Take::None if space.groups[group].counts_matter => (Take::Partial, 0),
            Take::None => (Take::Some, 0),
            Take::Partial => (Take::All, options & !(1 << option)),
            Take::Some | Take::All => return None,
        };
        let mut after_takes = takes.clone();
        after_takes[group] = after;
        let index = *space.by_takes().get(&after_takes)?;
        Some((index, before_holds))
    }
}

/// Picks options matching the takes, honouring `include`, `exclude` and `min_selected`.
fn choose(space: &QuestionSpace, takes: &[Take], include: u64, exclude: u64) -> Option<u64> {
    let mut chosen = 0u64;
    // Options still free in each group, and how many more the group may take: on the stack
    // for the usual few groups (samples are taken for every class of every question).
    let mut few = [(0u64, 0u32); 16];
    let mut many = Vec::new();
    let room: &mut [(u64, u32)] = if takes.len() <= few.len() {
        &mut few[..takes.len()]
    } else {
        many.resize(takes.len(), (0, 0));
        &mut many
    };
    for ((group, take), room) in space.groups.iter().zip(takes).zip(room.iter_mut()) {
        let size = group.options.count_ones();
        let (low, high) = take.counts(size);
        let mut picked = group.options & include;
        if picked.count_ones() > high {
            return None;
        }
        let mut free = group.options & !include & !exclude;
        while picked.count_ones() < low {
            if free == 0 {
                return None;
            }
            let bit = free & free.wrapping_neg();
            picked |= bit;
            free &= !bit;
        }
        chosen |= picked;
        *room = (free, high - picked.count_ones());
    }
    for &mut (mut free, mut left) in room {
        while (chosen.count_ones() as usize) < space.min_selected && left > 0 && free != 0 {
            let bit = free & free.wrapping_neg();
            chosen |= bit;
            free &= !bit;
            left -= 1;
        }
    }
    ((chosen.count_ones() as usize) >= space.min_selected).then_some(chosen)
}

/// What an option's mark demands.
type Marks = (Option<Urgency>, StyleSet, Option<Pressure>);

/// The marks that must keep options apart even when no rule tells them apart.
fn marks(question: &Question, option: usize) -> Marks {
    let option = &question.options[option];
    (option.min_urgency, option.forbids, option.max_pressure)
}

fn option_groups(question: &Question, tests: &QuestionTests) -> Vec<OptionGroup> {
    let mut keys: Vec<(Vec<bool>, Marks)> = Vec::new();
    let mut groups: Vec<OptionGroup> = Vec::new();
    for option in 0..question.options.len() {
        let key = (tests.masks.iter().map(|m| m & (1 << option) != 0).collect(), marks(question, option));
        match keys.iter().position(|k| *k == key) {
            Some(index) => groups[index].options |= 1 << option,
            None => {
                keys.push(key);
                groups.push(OptionGroup { options: 1 << option, counts_matter: false });
            }
        }
    }
    for group in &mut groups {
        group.counts_matter = group.options.count_ones() > 1 && tests.all_masks.iter().any(|m| m & group.options != 0);
    }
    groups
}

fn question_space(question: &Question, tests: &QuestionTests) -> Result<QuestionSpace, Uncoverable> {
    let groups = option_groups(question, tests);
    let mut min_selected = 0;
    let mut classes: Vec<AnswerClass> = match question.kind {
        QuestionKind::OneOf => groups
            .iter()
            .enumerate()
            .map(|(i, g)| AnswerClass { value: ClassValue::Choice(i), answers: u128::from(g.options.count_ones()) })
            .collect(),
        QuestionKind::SeveralOf { min_selected: least } => {
            min_selected = least;
            several_classes(question, &groups, least)?
        }
        QuestionKind::Number { min, max } => intervals(min, max, &tests.ranges)
            .into_iter()
            .map(|(lo, hi)| AnswerClass {
                value: ClassValue::Range(lo, hi),
                answers: (i128::from(hi) - i128::from(lo) + 1) as u128,
            })
            .collect(),
        QuestionKind::YesNo => {
            [false, true].into_iter().map(|b| AnswerClass { value: ClassValue::YesNo(b), answers: 1 }).collect()
        }
    };
    if question.conditional {
        // Last, so that the first class (the one examples default to) is an answer.
        classes.push(AnswerClass { value: ClassValue::NotAsked, answers: 1 });
    }
    Ok(QuestionSpace { groups, classes, min_selected, by_takes: std::cell::OnceCell::new() })
}

/// The reason with the rules that read its question named, for a clinic lead to split.
fn name_rules(rule_set: &RuleSet, reason: Uncoverable) -> Uncoverable {
    match reason {
        Uncoverable::TooManyClasses { question, groups, max, .. } => {
            let index = rule_set.questionnaire.questions.iter().position(|q| q.id == question);
            let reads = |rule: &&crate::rules::Rule| index.is_some_and(|q| rule.when.questions_read().contains(&q));
            let rules = rule_set.rules.iter().enumerate().filter(|(_, r)| reads(r)).map(|(i, _)| i).collect();
            Uncoverable::TooManyClasses { question, groups, max, rules }
        }
        other => other,
    }
}

impl QuestionSpace {
    fn by_takes(&self) -> &HashMap<Vec<Take>, usize, foldhash::fast::FixedState> {
        self.by_takes.get_or_init(|| {
            self.classes
                .iter()
                .enumerate()
                .filter_map(|(i, c)| match &c.value {
                    ClassValue::Choices(takes) => Some((takes.clone(), i)),
                    _ => None,
                })
                .collect()
        })
    }
}

fn several_classes(question: &Question, groups: &[OptionGroup], least: usize) -> Result<Vec<AnswerClass>, Uncoverable> {
    let choices: Vec<Vec<Take>> = groups
        .iter()
        .map(|g| match (g.options.count_ones(), g.counts_matter) {
            (1, _) => vec![Take::None, Take::All],
            (_, true) => vec![Take::None, Take::Partial, Take::All],
            (_, false) => vec![Take::None, Take::Some],
        })
        .collect();
    let total: usize = choices.iter().map(Vec::len).try_fold(1usize, |a, b| a.checked_mul(b)).unwrap_or(usize::MAX);
    if total > MAX_QUESTION_CLASSES {
        let (groups, max) = (groups.len(), MAX_QUESTION_CLASSES);
        return Err(Uncoverable::TooManyClasses { question: question.id.to_string(), groups, max, rules: Vec::new() });
    }
    let mut classes = Vec::new();
    let mut odometer = vec![0usize; groups.len()];
    let radix: Vec<usize> = choices.iter().map(Vec::len).collect();
    // Binomials by group, made once: counting a class is then additions and products.
    let ways: Vec<Vec<u128>> = groups
        .iter()
        .map(|g| (0..=g.options.count_ones()).map(|k| binomial(g.options.count_ones(), k)).collect())
        .collect();
    loop {
        let takes: Vec<Take> = odometer.iter().zip(&choices).map(|(i, c)| c[*i]).collect();
        let answers = count_answers(groups, &ways, &takes, least);
        if answers > 0 {
            classes.push(AnswerClass { value: ClassValue::Choices(takes), answers });
        }
        if !advance(&mut odometer, &radix) {
            break;
        }
    }
    Ok(classes)
}

/// Steps a mixed-radix counter; false once it has wrapped around.
pub(crate) fn advance(odometer: &mut [usize], radix: &[usize]) -> bool {
    for (digit, base) in odometer.iter_mut().zip(radix) {
        *digit += 1;
        if *digit < *base {
            return true;
        }
        *digit = 0;
    }
    false
}

/// How many option sets of at least `least` options match the takes (a count by total size);
/// `ways[g][k]` is the number of ways to take `k` options of group `g`.
fn count_answers(groups: &[OptionGroup], ways: &[Vec<u128>], takes: &[Take], least: usize) -> u128 {
    if least == 0 {
        // No minimum: the count is a product, one factor a group.
        return groups.iter().zip(ways).zip(takes).fold(1u128, |count, ((group, ways), take)| {
            let (low, high) = take.counts(group.options.count_ones());
            count.saturating_mul(ways[low as usize..=high as usize].iter().fold(0, |a, w| a.saturating_add(*w)))
        });
    }
    let mut by_total = vec![1u128];
    for ((group, ways), take) in groups.iter().zip(ways).zip(takes) {
        let size = group.options.count_ones();
        let (low, high) = take.counts(size);
        let mut next = vec![0u128; by_total.len() + size as usize];
        for (total, count) in by_total.iter().enumerate() {
            for k in low..=high {
                next[total + k as usize] += count * ways[k as usize];
            }
        }
        by_total = next;
    }
    by_total.iter().skip(least).sum()
}

fn binomial(n: u32, k: u32) -> u128 {
    (0..k).fold(1u128, |acc, i| acc * u128::from(n - i) / u128::from(i + 1))
}
