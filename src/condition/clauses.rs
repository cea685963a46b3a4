//! A condition's clause form (an `all` of `any`s of its tests), which the compiled program
//! and the checker read.

use super::Condition;

/// A condition as an `all` of clauses, each an `any` of its tests (by their position in the
/// condition's tests), a test negated where the flag says so.
pub type Clauses = Vec<Vec<(usize, bool)>>;

/// The most clauses kept; a condition that needs more is evaluated as it is.
const MAX_CLAUSES: usize = 64;

/// The condition as clauses, when that stays small (conditions are small: `all` of `any`s
/// already, or a handful of tests). Clauses that always hold (a test and its negation) are
/// left out.
pub(super) fn clauses(condition: &Condition) -> Option<Clauses> {
    let tests = condition.tests();
    let mut next = 0;
    let mut clauses = to_clauses(condition, false, &mut next)?;
    clauses.retain(|clause| {
        !clause.iter().any(|(a, negated)| clause.iter().any(|(b, other)| negated != other && tests[*a] == tests[*b]))
    });
    Some(clauses)
}

fn to_clauses(condition: &Condition, negated: bool, next: &mut usize) -> Option<Clauses> {
    let conjunction = |parts: &[Condition], next: &mut usize| -> Option<Clauses> {
        let mut all = Vec::new();
        for part in parts {
            all.extend(to_clauses(part, negated, next)?);
        }
        (all.len() <= MAX_CLAUSES).then_some(all)
    };
    let disjunction = |parts: &[Condition], next: &mut usize| -> Option<Clauses> {
        // (a1 and a2) or (b1 and b2) = (a1 or b1) and (a1 or b2) and (a2 or b1) and (a2 or b2)
        let mut product: Clauses = vec![Vec::new()];
        for part in parts {
            let part = to_clauses(part, negated, next)?;
            product = product.iter().flat_map(|a| part.iter().map(move |b| [a.clone(), b.clone()].concat())).collect();
            if product.len() > MAX_CLAUSES {
                return None;
            }
        }
        Some(product)
    };
    match (condition, negated) {
        (Condition::Always, false) => Some(Vec::new()),
        (Condition::Always, true) => Some(vec![Vec::new()]),
        (Condition::All(parts), false) | (Condition::Any(parts), true) => conjunction(parts, next),
        (Condition::Any(parts), false) | (Condition::All(parts), true) => disjunction(parts, next),
        (Condition::Not(part), _) => to_clauses(part, !negated, next),
        _ => {
            let test = *next;
            *next += 1;
            Some(vec![vec![(test, negated)]])
        }
    }
}
