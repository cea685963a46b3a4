//! What a batch run did, in numbers: records read, answered and refused, and how the answered
//! ones were triaged. Shown on standard error at the end of a run.

use crate::engine::Evaluation;
use crate::recommendation::{Recommendation, Style, Urgency};
use std::fmt;

/// Counts over the records of a run (or of one chunk, merged in order into the run's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Records read (blank lines are not records).
    pub read: u64,
    /// Records that gave a recommendation.
    pub answered: u64,
    /// Records refused with an `error`.
    pub refused: u64,
    /// Answered records by style (indexed by [`Style::index`]).
    pub styles: [u64; 4],
    /// Physician referrals.
    pub physician: u64,
    /// Physician referrals by urgency (indexed by [`Urgency::index`]).
    pub urgency: [u64; 3],
    /// Answered records with answers that rarely go together (see their `warnings`).
    pub warned: u64,
}

impl Summary {
    /// Counts one answered record.
    #[inline]
    pub fn answered(&mut self, evaluation: &Evaluation) {
        self.read += 1;
        self.answered += 1;
        match evaluation.recommendation {
            Recommendation::Massage(style) => self.styles[style.index()] += 1,
            Recommendation::Physician => self.physician += 1,
        }
        if let Some(urgency) = evaluation.urgency {
            self.urgency[urgency.index()] += 1;
        }
    }

    /// Counts an answered record's warnings, if it has any.
    #[inline]
    pub fn warned(&mut self, any: bool) {
        self.warned += u64::from(any);
    }

    /// Counts one refused record.
    #[inline]
    pub fn refused(&mut self) {
        self.read += 1;
        self.refused += 1;
    }

    /// Adds another part's counts.
    pub fn merge(&mut self, other: &Summary) {
        self.read += other.read;
        self.answered += other.answered;
        self.refused += other.refused;
        self.physician += other.physician;
        self.warned += other.warned;
        for (total, part) in self.styles.iter_mut().zip(other.styles) {
            *total += part;
        }
        for (total, part) in self.urgency.iter_mut().zip(other.urgency) {
            *total += part;
        }
    }

    /// How many answered records got this recommendation.
    pub fn count(&self, recommendation: Recommendation) -> u64 {
        match recommendation {
            Recommendation::Massage(style) => self.styles[style.index()],
            Recommendation::Physician => self.physician,
        }
    }
}

/// Three lines for people: totals, recommendations, referral urgency (most urgent first).
impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} records read: {} answered, {} refused", self.read, self.answered, self.refused)?;
        let styles = Style::ALL.iter().map(|s| format!("{} {}", s.id(), self.styles[s.index()]));
        let recommendations: Vec<String> = styles.chain([format!("physician {}", self.physician)]).collect();
        writeln!(f, "recommendations: {}", recommendations.join(", "))?;
        let urgencies: Vec<String> =
            Urgency::ALL.iter().rev().map(|u| format!("{} {}", u.id(), self.urgency[u.index()])).collect();
        write!(f, "physician urgency: {}", urgencies.join(", "))?;
        if self.warned > 0 {
            write!(
                f,
                "\nwarning: {} record(s) have answers that rarely go together (see their warnings); the results do not change",
                self.warned
            )?;
        }
        Ok(())
    }
}
