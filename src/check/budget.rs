//! How long a proof may run and how much its partial outcomes may hold. A rule set whose
//! rules entangle many questions can make the answer space too large to cover; the check
//! then stops within its budget and says which questions and rules entangle it, rather
//! than running away with the machine.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The limits of one check (or diff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Wall-clock time.
    pub time: Duration,
    /// Bytes held by the sweep's partial outcomes at once.
    pub memory: usize,
    /// Answer sets drawn at random to show quickly that a rule changes an outcome (half as
    /// many again for each rule no search settles); 0 searches for every rule. Samples
    /// only ever show what happens, so the verdicts are the same whatever the number.
    pub samples: usize,
}

impl Budget {
    /// The defaults: enough for the built-in set many times over (it takes about 0.1 s and
    /// 20 MB), small enough that a run-away is refused before anyone waits on it.
    pub const DEFAULT: Budget = Budget { time: Duration::from_secs(10), memory: 1 << 30, samples: 10_000 };
}

impl Default for Budget {
    fn default() -> Self {
        Budget::DEFAULT
    }
}

/// Which limit ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The time.
    Time(Duration),
    /// The memory, in bytes.
    Memory(usize),
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Time(time) => write!(f, "its time limit of {} s (--time-limit)", time.as_secs_f64()),
            Limit::Memory(bytes) => write!(f, "its memory limit of {} MiB (--memory-limit)", bytes >> 20),
        }
    }
}

/// A budget being spent: the deadline fixed when the check starts, and the steps of work
/// done so far by every sweep and search of the check.
#[derive(Debug)]
pub(crate) struct Allowance {
    budget: Budget,
    deadline: Instant,
    steps: AtomicU64,
}

impl Allowance {
    pub(crate) fn start(budget: Budget) -> Allowance {
        let now = Instant::now();
        let deadline = now.checked_add(budget.time).unwrap_or(now + Duration::from_secs(86_400));
        Allowance { budget, deadline, steps: AtomicU64::new(0) }
    }

    /// How many answer sets to draw for witnesses.
    pub(crate) fn samples(&self) -> usize {
        self.budget.samples
    }

    /// Counts `steps` more steps of work (a transition swept, a combination tried) and, each
    /// time the check's total passes a multiple of [`CHECK_EVERY`], says whether a limit has
    /// run out with `held()` bytes held now. The count is the whole check's, so that many
    /// small sweeps (one a rule) are watched as one large one is, and so is a sweep that
    /// merges nearly everything it makes (counting new partial outcomes only let a 512-rule
    /// check run nine times past its time limit).
    pub(crate) fn step(&self, steps: u64, held: impl FnOnce() -> usize) -> Option<Limit> {
        let before = self.steps.fetch_add(steps, Ordering::Relaxed);
        if before / CHECK_EVERY == (before + steps) / CHECK_EVERY {
            return None;
        }
        self.spent(held())
    }

    /// The limit run out, if any, with `bytes` held now.
    pub(crate) fn spent(&self, bytes: usize) -> Option<Limit> {
        if bytes > self.budget.memory {
            Some(Limit::Memory(self.budget.memory))
        } else if Instant::now() >= self.deadline {
            Some(Limit::Time(self.budget.time))
        } else {
            None
        }
    }
}

/// How often, in steps of work (see [`Allowance::step`]), the clock is read: often enough to
/// stop within a few milliseconds of the deadline, rarely enough to cost nothing.
pub(crate) const CHECK_EVERY: u64 = 1 << 12;

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps of every sweep and search add up: many small ones read the clock as one
    /// large one does, and a limit run out is seen within `CHECK_EVERY` steps.
    #[test]
    fn small_steps_add_up_to_a_reading_of_the_clock() {
        let spent = Allowance::start(Budget { time: Duration::ZERO, ..Budget::DEFAULT });
        let small = (0..CHECK_EVERY - 1).map(|_| spent.step(1, || 0)).filter(Option::is_some).count();
        assert_eq!(small, 0, "the clock is read only every CHECK_EVERY steps");
        assert_eq!(spent.step(1, || 0), Some(Limit::Time(Duration::ZERO)));
        // Many steps at once pass a multiple of CHECK_EVERY too.
        assert_eq!(spent.step(3 * CHECK_EVERY, || 0), Some(Limit::Time(Duration::ZERO)));
        // Memory is read at the same times.
        let budget = Budget { memory: 100, ..Budget::DEFAULT };
        let allowance = Allowance::start(budget);
        assert_eq!(allowance.step(CHECK_EVERY, || 101), Some(Limit::Memory(100)));
        assert_eq!(allowance.step(CHECK_EVERY, || 100), None);
    }
}
