//! The rule set compiled for speed. Every distinct test on an answer (a leaf of a
//! condition, or its negation) becomes one branch-free comparison on a machine word. A
//! condition is read as clauses (an `all` of `any`s of tests, [`Condition::clauses`]): a rule
//! fires when all of its one-test clauses' bits are set, and each longer clause has one of
//! its bits set. A question not asked has the word 0, which passes no test but a negated
//! one, as the condition tree says; the few tests that cannot be read off that word (`asked`,
//! `contains_none` on a conditional question) and very large conditions fall back to the
//! tree. Both paths give the same answer (a property test checks it).

use super::{Effect, Rule};
use crate::answer::NUMBER_BIAS;
use crate::answers::Answers;
use crate::condition::{Condition, SetTest};
use crate::questionnaire::Questionnaire;

/// How many distinct tests get a bit; rules needing more fall back to the tree.
const MAX_TESTS: usize = 128;
type TestBits = [u64; MAX_TESTS / 64];

/// One test: `lo <= (word & mask) <= lo + span`, which expresses every leaf test (option
/// bits any / all / none, and number ranges on biased words) as one subtraction and one
/// comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Test {
    question: usize,
    mask: u64,
    lo: u64,
    span: u64,
}

impl Test {
    /// The test of a leaf, negated when `negated`; `conditional` when its question may be
    /// not asked (word 0), where only tests that 0 fails (and their negations) apply.
    fn of(condition: &Condition, negated: bool, conditional: bool) -> Option<Test> {
        let test = Test::window(condition)?;
        if conditional && test.on_first().holds(&[0]) {
            return None; // would read "not asked" as an answer (contains_none, a number at its very least)
        }
        Some(if negated { test.negated() } else { test })
    }

    /// The test that holds exactly where this one fails: the complement of a wrapping window
    /// is a wrapping window.
    fn negated(self) -> Test {
        match self.span.checked_add(1) {
            Some(width) => Test { lo: self.lo.wrapping_add(width), span: u64::MAX - width, ..self },
            // It held for every word: its negation for none (the masked word is 0, never 1).
            None => Test { mask: 0, lo: 1, span: 0, ..self },
        }
    }

    fn window(condition: &Condition) -> Option<Test> {
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

impl Test {
    /// The same test on the question at index 0 (to try a word alone).
    fn on_first(self) -> Test {
        Test { question: 0, ..self }
    }
}

/// The compiled rule set.
/// Serialized with the built-in set's compiled form (see `compiled`), to skip compiling it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub(crate) struct Program {
    tests: Vec<Test>,
    /// For each rule, the test bits that must all be set for it to fire (its one-test clauses).
    needs: Vec<TestBits>,
    /// Rules with longer clauses: each clause needs one of its test bits set.
    clause_rules: Vec<(usize, Vec<TestBits>)>,
    /// Rules whose condition is evaluated on the tree.
    tree_rules: Vec<usize>,
    effects: Vec<Effect>,
}

/// Which rules fired, one bit per rule (see `engine::FiredRules`).
pub type RuleBits = [u64; super::MAX_RULES / 64];

impl Program {
    /// Compiles every rule's condition; identical tests are shared.
    pub(crate) fn compile(rules: &[Rule], questionnaire: &Questionnaire) -> Program {
        let mut program = Program::default();
        let conditional: Vec<bool> = questionnaire.questions.iter().map(|q| q.conditional).collect();
        for (index, rule) in rules.iter().enumerate() {
            let needs = match program.clauses_of(&rule.when, &conditional) {
                Some((needs, longer)) => {
                    if !longer.is_empty() {
                        program.clause_rules.push((index, longer));
                    }
                    needs
                }
                None => {
                    program.tree_rules.push(index);
                    TestBits::default()
                }
            };
            program.needs.push(needs);
            // The effect without its sentences: the hot loop reads only numbers.
            program.effects.push(Effect { precaution: None, advice: None, ..rule.effect.clone() });
        }
        program
    }

    /// A condition's clauses as test bits: the one-test clauses together, each longer one
    /// apart. `None` when a test cannot be compiled or there are too many.
    fn clauses_of(&mut self, condition: &Condition, conditional: &[bool]) -> Option<(TestBits, Vec<TestBits>)> {
        let tests = condition.tests();
        let mut needs = TestBits::default();
        let mut longer = Vec::new();
        for clause in condition.clauses()? {
            let mut bits = TestBits::default();
            for (test, negated) in &clause {
                let leaf = tests[*test];
                let question = leaf.test_question()?;
                let compiled = Test::of(leaf, *negated, conditional.get(question).copied().unwrap_or(true))?;
                let index = self.intern(compiled)?;
                bits[index / 64] |= 1 << (index % 64);
            }
            match clause.len() {
                1 => needs.iter_mut().zip(bits).for_each(|(n, b)| *n |= b),
                // An empty clause never holds; so does a bit set with no bit of it.
                _ => longer.push(bits),
            }
        }
        Some((needs, longer))
    }

    /// The index of a test, added if new (`None` past [`MAX_TESTS`]).
    fn intern(&mut self, test: Test) -> Option<usize> {
        match self.tests.iter().position(|t| *t == test) {
            Some(index) => Some(index),
            None if self.tests.len() < MAX_TESTS => {
                self.tests.push(test);
                Some(self.tests.len() - 1)
            }
            None => None,
        }
    }

    /// Which rules fire on these answers: every test once, then each rule's test bits
    /// compared without branching.
    #[inline]
    pub(crate) fn fired(&self, rules: &[Rule], answers: &Answers) -> RuleBits {
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
        for (index, clauses) in &self.clause_rules {
            if fired[index / 64] & (1 << (index % 64)) == 0 {
                continue; // a one-test clause already failed
            }
            let holds = clauses.iter().all(|clause| clause.iter().zip(passed).any(|(c, p)| c & p != 0));
            if !holds {
                fired[index / 64] &= !(1 << (index % 64));
            }
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
    pub(crate) fn effect(&self, index: usize) -> Option<&Effect> {
        self.effects.get(index)
    }
}
