//! The rule set compiled for speed. Every distinct test on an answer (a leaf of a
//! condition) becomes one branch-free comparison on a machine word; a rule whose condition
//! is a conjunction of tests (one test, `all` of tests, or `always`: every default rule)
//! fires when all of its test bits are set. Conditions with `any` or `not`, and tests on a
//! conditional question (which may be not asked, a state no word comparison expresses), fall
//! back to the condition tree. Both paths give the same answer (a property test checks it).

use super::condition::{Condition, SetTest};
use super::{Effect, Rule};
use crate::answers::{Answers, NUMBER_BIAS};
use crate::questionnaire::Questionnaire;

/// How many distinct tests get a bit; rules needing more fall back to the tree.
const MAX_TESTS: usize = 128;
type TestBits = [u64; MAX_TESTS / 64];

/// One test: `lo <= (word & mask) <= lo + span`, which expresses every leaf test (option
/// bits any / all / none, and number ranges on biased words) as one subtraction and one
/// comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Test {
    question: usize,
    mask: u64,
    lo: u64,
    span: u64,
}

impl Test {
    fn of(condition: &Condition) -> Option<Test> {
        let bits =
            |question: usize, mask: u64, lo: u64, hi: u64| Test { question, mask, lo, span: hi.wrapping_sub(lo) };
        Some(match *condition {
            Condition::Choice { question, options } => bits(question, options, 1, u64::MAX),
            Condition::Contains { question, options, test } => match test {
                SetTest::ContainsAny => bits(question, options, 1, u64::MAX),
                SetTest::ContainsAll => bits(question, options, options, options),
                SetTest::ContainsNone => bits(question, options, 0, 0),
            },
            Condition::YesNo { question, value } => {
                bits(question, u64::MAX, 1 << u8::from(value), 1 << u8::from(value))
            }
            Condition::Number { question, min, max } => {
                bits(question, u64::MAX, min as u64 ^ NUMBER_BIAS, max as u64 ^ NUMBER_BIAS)
            }
            _ => return None,
        })
    }

    #[inline(always)]
    fn holds(&self, words: &[u64]) -> bool {
        let value = words.get(self.question).copied().unwrap_or_default() & self.mask;
        value.wrapping_sub(self.lo) <= self.span
    }
}

/// The compiled rule set.
#[derive(Debug, Clone, Default)]
pub struct Program {
    tests: Vec<Test>,
    /// For each rule, the test bits that must all be set for it to fire.
    needs: Vec<TestBits>,
    /// Rules whose condition is not a conjunction of tests: evaluated on the tree.
    tree_rules: Vec<usize>,
    effects: Vec<Effect>,
}

/// Which rules fired, one bit per rule (see `engine::FiredRules`).
pub type RuleBits = [u64; super::MAX_RULES / 64];

impl Program {
    /// Compiles every rule's condition; identical tests are shared.
    pub fn compile(rules: &[Rule], questionnaire: &Questionnaire) -> Program {
        let mut program = Program::default();
        let conditional: Vec<bool> = questionnaire.questions.iter().map(|q| q.conditional).collect();
        for (index, rule) in rules.iter().enumerate() {
            let needs = program.conjunction(&rule.when, &conditional).unwrap_or_else(|| {
                program.tree_rules.push(index);
                TestBits::default()
            });
            program.needs.push(needs);
            // The effect without its sentences: the hot loop reads only numbers.
            program.effects.push(Effect { precaution: None, advice: None, ..rule.effect.clone() });
        }
        program
    }

    fn conjunction(&mut self, condition: &Condition, conditional: &[bool]) -> Option<TestBits> {
        let leaves: Vec<&Condition> = match condition {
            Condition::Always => Vec::new(),
            Condition::All(parts) => parts.iter().collect(),
            leaf => vec![leaf],
        };
        let mut needs = TestBits::default();
        for leaf in leaves {
            if leaf.test_question().is_some_and(|q| conditional.get(q).copied().unwrap_or(true)) {
                return None;
            }
            let test = Test::of(leaf)?;
            let index = match self.tests.iter().position(|t| *t == test) {
                Some(index) => index,
                None if self.tests.len() < MAX_TESTS => {
                    self.tests.push(test);
                    self.tests.len() - 1
                }
                None => return None,
            };
            needs[index / 64] |= 1 << (index % 64);
        }
        Some(needs)
    }

    /// Which rules fire on these answers: every test once, then each rule's test bits
    /// compared without branching.
    #[inline]
    pub fn fired(&self, rules: &[Rule], answers: &Answers) -> RuleBits {
        let words = answers.words();
        let mut passed = TestBits::default();
        for (slot, tests) in passed.iter_mut().zip(self.tests.chunks(64)) {
            *slot = tests.iter().enumerate().fold(0, |bits, (bit, test)| bits | u64::from(test.holds(words)) << bit);
        }
        let mut fired = RuleBits::default();
        for (slot, rules) in fired.iter_mut().zip(self.needs.chunks(64)) {
            *slot = rules.iter().enumerate().fold(0, |bits, (bit, needs)| {
                let missing = (needs[0] & !passed[0]) | (needs[1] & !passed[1]);
                bits | u64::from(missing == 0) << bit
            });
        }
        for &index in &self.tree_rules {
            let holds = rules.get(index).is_some_and(|rule| rule.when.holds(answers));
            fired[index / 64] &= !(1 << (index % 64));
            fired[index / 64] |= u64::from(holds) << (index % 64);
        }
        fired
    }

    /// The effect of rule `index` without its sentences.
    #[inline]
    pub fn effect(&self, index: usize) -> Option<&Effect> {
        self.effects.get(index)
    }
}
