//! Conditions: the `when` of a rule, of a conditional question, of an invariant or an
//! unlikely answer, compiled against the questionnaire into option bits and number ranges,
//! so that evaluating one is a few comparisons and never allocates.
//!
//! This is the core, which knows answers ([`crate::answer`]) and nothing else of ours: what
//! a test means, one fold that gives `all`, `any` and `not` their meaning in two logics, the
//! walk of a condition's tests and its clause form. What needs the questions (the TOML form,
//! the compiler, the description in words) is in the questionnaire
//! (`questionnaire/conditions.rs`), and whole answer sets are read through
//! [`AnswerLookup`], which `answers::Answers` implements.

mod clauses;
mod leaves;
mod logic;

pub use clauses::Clauses;
pub use leaves::{Leaf, Leaves};
pub use logic::{Logic, Truth};

use crate::answer::Answer;

/// A complete set of answers, read one question at a time: what [`Condition::holds`] and
/// [`Condition::failing_part`] evaluate over (`answers::Answers` is one).
pub trait AnswerLookup {
    /// The answer to the question at index `question`.
    fn answer(&self, question: usize) -> Answer;
}

/// A reference reads as what it refers to, so that `holds(&answers)` compiles whether
/// `answers` is an answer set or a reference to one.
impl<T: AnswerLookup + ?Sized> AnswerLookup for &T {
    #[inline]
    fn answer(&self, question: usize) -> Answer {
        (**self).answer(question)
    }
}

/// How a several-of answer is tested against a set of options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SetTest {
    /// At least one of the options was chosen.
    ContainsAny,
    /// Every one of the options was chosen.
    ContainsAll,
    /// None of the options was chosen.
    ContainsNone,
}

impl SetTest {
    /// The key used in rule files.
    pub fn key(self) -> &'static str {
        match self {
            SetTest::ContainsAny => "contains_any",
            SetTest::ContainsAll => "contains_all",
            SetTest::ContainsNone => "contains_none",
        }
    }
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Condition {
    /// Holds for every answer set.
    Always,
    /// A one-of answer is one of these options (bit i = option i).
    Choice {
        /// Question index.
        question: usize,
        /// Accepted options.
        options: u64,
    },
    /// A several-of answer tested against a set of options.
    Contains {
        /// Question index.
        question: usize,
        /// The options tested.
        options: u64,
        /// How they are tested.
        test: SetTest,
    },
    /// A number answer lies in `min..=max`.
    Number {
        /// Question index.
        question: usize,
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// A yes/no answer is this value.
    YesNo {
        /// Question index.
        question: usize,
        /// The accepted answer.
        value: bool,
    },
    /// A conditional question was asked (its `ask_when` held). Every other test on a
    /// question that was not asked fails: "not asked" is a state of its own, never "no".
    Asked {
        /// Question index.
        question: usize,
    },
    /// Every part holds.
    All(Vec<Condition>),
    /// At least one part holds.
    Any(Vec<Condition>),
    /// The part does not hold.
    Not(Box<Condition>),
}

impl Condition {
    /// The question a test reads; `None` for `always` and for combinations.
    pub fn test_question(&self) -> Option<usize> {
        match self {
            Condition::Choice { question, .. }
            | Condition::Contains { question, .. }
            | Condition::Number { question, .. }
            | Condition::YesNo { question, .. }
            | Condition::Asked { question } => Some(*question),
            Condition::Always | Condition::All(_) | Condition::Any(_) | Condition::Not(_) => None,
        }
    }

    /// Whether a test holds for this answer to its question: the one place a test's meaning
    /// is written (the compiled program, the trace, the intake and the checker all use it).
    #[inline]
    pub fn test(&self, answer: Answer) -> bool {
        match (self, answer) {
            (Condition::Asked { .. }, answer) => answer != Answer::NotAsked,
            (Condition::Choice { options, .. }, Answer::Choice(i)) => options & (1 << i) != 0,
            (Condition::Contains { options, test, .. }, Answer::Choices(chosen)) => match test {
                SetTest::ContainsAny => chosen & options != 0,
                SetTest::ContainsAll => chosen & options == *options,
                SetTest::ContainsNone => chosen & options == 0,
            },
            (Condition::Number { min, max, .. }, Answer::Number(n)) => *min <= n && n <= *max,
            (Condition::YesNo { value, .. }, Answer::YesNo(given)) => given == *value,
            // A question not asked, or an answer of another kind, passes no test.
            _ => false,
        }
    }

    /// The condition's value in the logic `L`, from `leaf`'s value of each test: the one
    /// meaning of `always`, `all`, `any` and `not`. `all` stops at the first part that fails,
    /// `any` at the first that holds; `skipped` is given each part not looked at, so that a
    /// caller counting tests by position stays in step.
    #[inline]
    pub fn fold<L: Logic>(&self, leaf: &mut impl FnMut(&Condition) -> L, skipped: &mut impl FnMut(&Condition)) -> L {
        match self {
            Condition::Always => L::TRUE,
            Condition::All(parts) => fold_parts(parts, L::and, L::FALSE, leaf, skipped),
            Condition::Any(parts) => fold_parts(parts, L::or, L::TRUE, leaf, skipped),
            Condition::Not(part) => part.fold(leaf, skipped).not(),
            test => leaf(test),
        }
    }

    /// The condition's value in `L` from each test's value by its position in
    /// [`Condition::tests`] (the checker keeps tests' values that way).
    pub fn value_by_position<L: Logic>(&self, mut value: impl FnMut(usize) -> L) -> L {
        let next = std::cell::Cell::new(0);
        let mut leaf = |_: &Condition| {
            let position = next.get();
            next.set(position + 1);
            value(position)
        };
        self.fold(&mut leaf, &mut |part: &Condition| next.set(next.get() + part.leaves().count()))
    }

    /// Whether the condition holds for these answers.
    #[inline]
    pub fn holds(&self, answers: &impl AnswerLookup) -> bool {
        let mut leaf = |test: &Condition| test.test_question().is_some_and(|q| test.test(answers.answer(q)));
        self.fold(&mut leaf, &mut |_: &Condition| {})
    }

    /// The condition's truth over answers given so far (`None`: not answered yet).
    pub fn truth(&self, answers: &[Option<Answer>]) -> Truth {
        let mut leaf = |test: &Condition| match test.test_question().and_then(|q| answers.get(q).copied().flatten()) {
            Some(answer) => Truth::from_bool(test.test(answer)),
            None => Truth::Unknown,
        };
        self.fold(&mut leaf, &mut |_: &Condition| {})
    }

    /// The condition as clauses: an `all` of `any`s of its tests, each test by its position
    /// in [`Condition::tests`] and negated where the flag says so; `None` when that form would
    /// be large. The compiled program and the checker read conditions this way.
    pub fn clauses(&self) -> Option<Clauses> {
        clauses::clauses(self)
    }

    /// Every test of the condition, in condition order, with whether it is under a `not`:
    /// the one walk of a condition's tests.
    pub fn leaves(&self) -> Leaves<'_> {
        Leaves::of(self)
    }

    /// Every test of the condition, in condition order.
    pub fn tests(&self) -> Vec<&Condition> {
        self.leaves().map(|leaf| leaf.test).collect()
    }

    /// The smallest part that made the condition fail (`None` when it holds): the first
    /// failing part of an `all`, or the whole `any` / `not` / test that failed.
    pub fn failing_part(&self, answers: &impl AnswerLookup) -> Option<&Condition> {
        if self.holds(answers) {
            return None;
        }
        match self {
            Condition::All(parts) => parts.iter().find_map(|p| p.failing_part(answers)),
            _ => Some(self),
        }
    }

    /// The questions the condition reads, each once, in questionnaire order.
    pub fn questions_read(&self) -> Vec<usize> {
        let mut read = Vec::new();
        self.questions(&mut read);
        read.sort_unstable();
        read.dedup();
        read
    }

    /// Every question the condition reads (in condition order, possibly repeated).
    pub fn questions(&self, into: &mut Vec<usize>) {
        into.extend(self.leaves().filter_map(|leaf| leaf.test.test_question()));
    }
}

/// `all` (with `and`, stopping at `FALSE`) or `any` (with `or`, stopping at `TRUE`).
#[inline]
fn fold_parts<L: Logic>(
    parts: &[Condition],
    combine: fn(L, L) -> L,
    settled: L,
    leaf: &mut impl FnMut(&Condition) -> L,
    skipped: &mut impl FnMut(&Condition),
) -> L {
    // The unit: TRUE for `all`, FALSE for `any`.
    let mut value = settled.not();
    for (index, part) in parts.iter().enumerate() {
        value = combine(value, part.fold(leaf, skipped));
        if value == settled {
            parts[index + 1..].iter().for_each(&mut *skipped);
            return value;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(question: usize) -> Condition {
        Condition::YesNo { question, value: true }
    }

    /// Nested conditions of up to five tests, with `not`s, and every shape of part.
    fn shapes() -> Vec<Condition> {
        let not = |c: Condition| Condition::Not(Box::new(c));
        vec![
            Condition::Always,
            test(0),
            not(test(0)),
            Condition::All(vec![test(0), test(1), test(2)]),
            Condition::Any(vec![test(0), not(test(1))]),
            Condition::All(vec![
                Condition::Any(vec![test(0), test(1)]),
                not(Condition::All(vec![test(2), test(3)])),
                test(4),
            ]),
            Condition::Any(vec![
                Condition::All(vec![test(0), not(test(1))]),
                Condition::Any(vec![test(2)]),
                Condition::Always,
            ]),
            not(Condition::Any(vec![Condition::All(vec![]), test(0), Condition::Any(vec![test(1), test(2), test(3)])])),
        ]
    }

    /// Kleene's tables written out, walking every part: the reference the fold must match.
    fn reference(condition: &Condition, values: &[Truth], next: &mut usize) -> Truth {
        let all = |parts: &[Condition], next: &mut usize| {
            let values: Vec<Truth> = parts.iter().map(|p| reference(p, values, next)).collect();
            if values.contains(&Truth::No) {
                Truth::No
            } else if values.contains(&Truth::Unknown) {
                Truth::Unknown
            } else {
                Truth::Yes
            }
        };
        match condition {
            Condition::Always => Truth::Yes,
            Condition::All(parts) => all(parts, next),
            Condition::Any(parts) => {
                let values: Vec<Truth> = parts.iter().map(|p| reference(p, values, next)).collect();
                if values.contains(&Truth::Yes) {
                    Truth::Yes
                } else if values.contains(&Truth::Unknown) {
                    Truth::Unknown
                } else {
                    Truth::No
                }
            }
            Condition::Not(part) => match reference(part, values, next) {
                Truth::Yes => Truth::No,
                Truth::No => Truth::Yes,
                Truth::Unknown => Truth::Unknown,
            },
            _ => {
                *next += 1;
                values[*next - 1]
            }
        }
    }

    #[test]
    fn the_fold_matches_kleenes_tables_for_every_value_of_every_test() {
        for condition in shapes() {
            let n = condition.tests().len();
            for code in 0..3usize.pow(n as u32) {
                let values: Vec<Truth> =
                    (0..n).map(|i| [Truth::No, Truth::Unknown, Truth::Yes][code / 3usize.pow(i as u32) % 3]).collect();
                let expected = reference(&condition, &values, &mut 0);
                assert_eq!(condition.value_by_position(|p| values[p]), expected, "{condition:?} {values:?}");
                // Two-valued: the same fold over bool, where every value is known.
                if !values.contains(&Truth::Unknown) {
                    let plain = condition.value_by_position(|p| values[p] == Truth::Yes);
                    assert_eq!(Truth::from_bool(plain), expected, "{condition:?} {values:?}");
                }
            }
        }
    }

    #[test]
    fn leaves_come_in_condition_order_with_their_negation() {
        let condition = &shapes()[5];
        let leaves: Vec<(Option<usize>, bool)> =
            condition.leaves().map(|leaf| (leaf.test.test_question(), leaf.negated)).collect();
        assert_eq!(leaves, [(Some(0), false), (Some(1), false), (Some(2), true), (Some(3), true), (Some(4), false)]);
    }
}
