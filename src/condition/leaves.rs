//! The one walk of a condition's tests: each test in condition order, with whether it is
//! under an odd number of `not`s.

use super::Condition;

/// One test of a condition, as [`Condition::leaves`] gives it.
#[derive(Debug, Clone, Copy)]
pub struct Leaf<'c> {
    /// The test (never `always`, `all`, `any` or `not`).
    pub test: &'c Condition,
    /// Under an odd number of `not`s: the condition holds more often when the test fails.
    pub negated: bool,
}

/// The tests of a condition in condition order (see [`Condition::leaves`]).
#[derive(Debug, Clone)]
pub struct Leaves<'c> {
    stack: Vec<(&'c Condition, bool)>,
}

impl<'c> Leaves<'c> {
    /// The tests of `condition`, none negated at the top.
    pub(super) fn of(condition: &'c Condition) -> Leaves<'c> {
        Leaves { stack: vec![(condition, false)] }
    }
}

impl<'c> Iterator for Leaves<'c> {
    type Item = Leaf<'c>;

    fn next(&mut self) -> Option<Leaf<'c>> {
        while let Some((condition, negated)) = self.stack.pop() {
            match condition {
                Condition::Always => {}
                Condition::All(parts) | Condition::Any(parts) => {
                    self.stack.extend(parts.iter().rev().map(|p| (p, negated)));
                }
                Condition::Not(part) => self.stack.push((part, !negated)),
                test => return Some(Leaf { test, negated }),
            }
        }
        None
    }
}
