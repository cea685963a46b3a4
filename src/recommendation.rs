//! The contract's vocabulary of outcomes: massage styles, referral urgency, pressure.
//! Their ids are stable (answer files, JSON, scripts depend on them).

use serde::Serialize;
use std::fmt;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $id:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable id used in files and JSON.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            /// The value with this id.
            pub fn from_id(id: &str) -> Option<Self> {
                match id { $($id => Some($name::$variant),)+ _ => None }
            }

            /// Every id, for "expected one of" messages.
            pub fn ids() -> impl Iterator<Item = &'static str> {
                Self::ALL.iter().map(|v| v.id())
            }

            /// Position in [`Self::ALL`].
            pub fn index(self) -> usize {
                self as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.id())
            }
        }
    };
}

vocabulary! {
    /// A massage style the tool can recommend.
    Style {
        /// Long gliding strokes, gentle kneading; light to medium pressure.
        Swedish = "swedish",
        /// Slow firm pressure on deep layers and knots, with trigger-point work.
        DeepTissue = "deep_tissue",
        /// Work around training and injury recovery, with stretching.
        Sports = "sports",
        /// Sustained stretch of restricted fascia.
        Myofascial = "myofascial",
    }
}

vocabulary! {
    /// How soon a physician must see the person; ordered from least to most urgent.
    Urgency {
        /// See a physician before booking a massage.
        Routine = "routine",
        /// See a physician within 24 hours.
        Urgent = "urgent",
        /// Call 911 or go to an emergency department now.
        Emergency = "emergency",
    }
}

vocabulary! {
    /// The most pressure a therapist should use; ordered from least to most.
    Pressure {
        /// Gentle pressure.
        Light = "light",
        /// Moderate pressure.
        Medium = "medium",
        /// Strong, deep pressure.
        Firm = "firm",
    }
}

impl Style {
    /// How the style is named to people.
    pub fn name(self) -> &'static str {
        match self {
            Style::Swedish => "Swedish massage",
            Style::DeepTissue => "Deep tissue massage",
            Style::Sports => "Sports massage",
            Style::Myofascial => "Myofascial release",
        }
    }
}

/// What the tool recommends: a massage style, or a physician first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recommendation {
    /// Book this massage style.
    Massage(Style),
    /// See a physician before any massage.
    Physician,
}

impl Recommendation {
    /// The contract's id: a style id or `physician`.
    pub fn id(self) -> &'static str {
        match self {
            Recommendation::Massage(style) => style.id(),
            Recommendation::Physician => "physician",
        }
    }

    /// Every id, for messages.
    pub fn ids() -> impl Iterator<Item = &'static str> {
        Style::ids().chain(std::iter::once("physician"))
    }

    /// The recommendation with this id.
    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            "physician" => Some(Recommendation::Physician),
            other => Style::from_id(other).map(Recommendation::Massage),
        }
    }
}

impl Serialize for Recommendation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

// Serialised as its id, so its schema is the list of ids.
impl schemars::JsonSchema for Recommendation {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Recommendation".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let ids: Vec<&str> = Recommendation::ids().collect();
        schemars::json_schema!({ "type": "string", "enum": ids })
    }
}

impl fmt::Display for Recommendation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A small set of styles, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, serde::Deserialize)]
pub struct StyleSet(u8);

impl StyleSet {
    /// No style.
    pub const EMPTY: StyleSet = StyleSet(0);

    /// Adds a style.
    pub fn insert(&mut self, style: Style) {
        self.0 |= 1 << style.index();
    }

    /// True when the style is in the set.
    pub fn contains(self, style: Style) -> bool {
        self.0 & (1 << style.index()) != 0
    }

    /// The set as bits (bit i = the style at index i).
    pub fn bits(self) -> u8 {
        self.0
    }

    /// True when every style of `other` is in the set.
    pub fn contains_all(self, other: StyleSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// Both sets together.
    pub fn union(self, other: StyleSet) -> StyleSet {
        StyleSet(self.0 | other.0)
    }

    /// True when no style is in the set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The styles in the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Style> {
        Style::ALL.iter().copied().filter(move |s| self.contains(*s))
    }
}

impl FromIterator<Style> for StyleSet {
    fn from_iter<I: IntoIterator<Item = Style>>(iter: I) -> Self {
        let mut set = StyleSet::EMPTY;
        for style in iter {
            set.insert(style);
        }
        set
    }
}
