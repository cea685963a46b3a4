//! The two logics a condition is evaluated in: plain true/false, and Kleene's three values
//! with unknown, which the intake and the checker read over answers given so far.

/// A condition's truth over answers given so far (Kleene's three-valued logic): a test on a
/// question not yet answered is unknown; `all` is false as soon as one part is false, `any`
/// true as soon as one part is true. A truth found this way holds for every way the
/// remaining questions could be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    /// Holds whatever the remaining answers are.
    Yes,
    /// Fails whatever the remaining answers are.
    No,
    /// Depends on a question not answered yet.
    Unknown,
}

impl Truth {
    /// The value, if it is known.
    pub fn known(self) -> Option<bool> {
        match self {
            Truth::Yes => Some(true),
            Truth::No => Some(false),
            Truth::Unknown => None,
        }
    }

    /// A known value.
    pub fn from_bool(value: bool) -> Truth {
        if value {
            Truth::Yes
        } else {
            Truth::No
        }
    }
}

/// A logic a condition is evaluated in: plain true/false ([`bool`]), or three values with
/// unknown ([`Truth`]). [`Condition::fold`](super::Condition::fold) is the one place `all`,
/// `any` and `not` get their meaning; every evaluator is that fold with its own value for a
/// test.
pub trait Logic: Copy + PartialEq {
    /// Holds.
    const TRUE: Self;
    /// Fails.
    const FALSE: Self;
    /// Both hold.
    fn and(self, other: Self) -> Self;
    /// At least one holds.
    fn or(self, other: Self) -> Self;
    /// The opposite.
    fn not(self) -> Self;
}

impl Logic for bool {
    const TRUE: Self = true;
    const FALSE: Self = false;

    #[inline]
    fn and(self, other: Self) -> Self {
        self && other
    }

    #[inline]
    fn or(self, other: Self) -> Self {
        self || other
    }

    #[inline]
    fn not(self) -> Self {
        !self
    }
}

/// Kleene's logic: false and unknown is false, true or unknown is true.
impl Logic for Truth {
    const TRUE: Self = Truth::Yes;
    const FALSE: Self = Truth::No;

    fn and(self, other: Self) -> Self {
        match (self, other) {
            (Truth::No, _) | (_, Truth::No) => Truth::No,
            (Truth::Yes, Truth::Yes) => Truth::Yes,
            _ => Truth::Unknown,
        }
    }

    fn or(self, other: Self) -> Self {
        self.not().and(other.not()).not()
    }

    fn not(self) -> Self {
        match self {
            Truth::Yes => Truth::No,
            Truth::No => Truth::Yes,
            Truth::Unknown => Truth::Unknown,
        }
    }
}
