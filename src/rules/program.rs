//! The rule set compiled for speed: each rule whose condition is a conjunction of tests
//! (most are: one test, or `all` of tests) becomes a run of flat tests on answer words,
//! evaluated without recursion or branching on answer kinds. Anything else falls back to
//! the condition tree. Both give the same answer (a property test checks it).

use super::condition::{Condition, SetTest};
use super::Rule;

/// One test on one answer word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Test {
    question: u32,
    op: Op,
    mask: u64,
    min: i64,
    max: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    AnyBit,
    AllBits,
    NoBits,
    InRange,
}

impl Test {
    #[inline]
    fn holds(&self, words: &[u64]) -> bool {
        let word = words.get(self.question as usize).copied().unwrap_or_default();
        match self.op {
            Op::AnyBit => word & self.mask != 0,
            Op::AllBits => word & self.mask == self.mask,
            Op::NoBits => word & self.mask == 0,
            Op::InRange => (self.min..=self.max).contains(&(word as i64)),
        }
    }

    fn of(condition: &Condition) -> Option<Test> {
        let bits = |question: usize, op: Op, mask: u64| Test { question: question as u32, op, mask, min: 0, max: 0 };
        Some(match *condition {
            Condition::Choice { question, options } => bits(question, Op::AnyBit, options),
            Condition::Contains { question, options, test } => match test {
                SetTest::ContainsAny => bits(question, Op::AnyBit, options),
                SetTest::ContainsAll => bits(question, Op::AllBits, options),
                SetTest::ContainsNone => bits(question, Op::NoBits, options),
            },
            Condition::YesNo { question, value } => bits(question, Op::AnyBit, 1 << u8::from(value)),
            Condition::Number { question, min, max } => {
                Test { question: question as u32, op: Op::InRange, mask: 0, min, max }
            }
            _ => return None,
        })
    }
}

/// How one rule is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleCode {
    /// Every test in `tests[start..end]` holds (none: always).
    Conjunction { start: u32, end: u32 },
    /// Evaluate the condition tree.
    Tree,
}

/// The compiled rule set.
#[derive(Debug, Clone, Default)]
pub struct Program {
    tests: Vec<Test>,
    rules: Vec<RuleCode>,
}

impl Program {
    /// Compiles every rule's condition.
    pub fn compile(rules: &[Rule]) -> Program {
        let mut program = Program::default();
        for rule in rules {
            let start = program.tests.len() as u32;
            let code = match conjunction(&rule.when) {
                Some(tests) => {
                    program.tests.extend(tests);
                    RuleCode::Conjunction { start, end: program.tests.len() as u32 }
                }
                None => RuleCode::Tree,
            };
            program.rules.push(code);
        }
        program
    }

    /// Whether rule `index` fires for answers given as words (and as values, for the tree).
    #[inline]
    pub fn fires(&self, index: usize, rule: &Rule, answers: &crate::answers::Answers) -> bool {
        match self.rules.get(index) {
            Some(RuleCode::Conjunction { start, end }) => {
                let words = answers.words();
                self.tests[*start as usize..*end as usize].iter().all(|t| t.holds(words))
            }
            _ => rule.when.holds(answers),
        }
    }
}

fn conjunction(condition: &Condition) -> Option<Vec<Test>> {
    match condition {
        Condition::Always => Some(Vec::new()),
        Condition::All(parts) => parts.iter().map(Test::of).collect(),
        leaf => Test::of(leaf).map(|t| vec![t]),
    }
}
