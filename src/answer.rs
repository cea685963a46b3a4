//! The value of one answer: [`Answer`], in the compact form the engine reads, and its
//! machine word ([`Answer::word`]). The bottom of the questionnaire's layers: it depends
//! on nothing of ours, so that conditions ([`crate::condition`]) can test answers without
//! knowing the questionnaire, and [`crate::answers`] builds whole answer sets from it.

/// The answer to one question, in the compact form the engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// A one-of answer: the option's index.
    Choice(u8),
    /// A several-of answer: one bit per chosen option (bit i = option i).
    Choices(u64),
    /// A whole number.
    Number(i64),
    /// Yes or no.
    YesNo(bool),
    /// A conditional question that was not asked (its `ask_when` did not hold): a state of
    /// its own, which no test reads as any answer.
    NotAsked,
}

/// Numbers are stored as words with the sign bit flipped, so that unsigned comparison of
/// words orders them as signed numbers.
pub const NUMBER_BIAS: u64 = 1 << 63;

impl Answer {
    /// The answer as one word: option bits (a yes/no is bit 1 for yes, bit 0 for no) or
    /// the number, biased by [`NUMBER_BIAS`].
    #[inline]
    pub fn word(self) -> u64 {
        match self {
            Answer::Choice(i) => 1 << i,
            Answer::Choices(bits) => bits,
            Answer::Number(n) => n as u64 ^ NUMBER_BIAS,
            Answer::YesNo(b) => 1 << u8::from(b),
            // Passes no compiled test but a negated one (see `rules::program`).
            Answer::NotAsked => 0,
        }
    }
}
