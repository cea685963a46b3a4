//! The rule set: the questionnaire plus the clinic's rules and combination policy, loaded
//! from TOML and validated once, then evaluated many times by the engine.

mod compiled;
mod digest;
mod load;
mod program;
mod raw;

pub(crate) use raw::schema as file_schema;

pub use digest::Digest;
pub use load::{BUILT_IN_CASES, BUILT_IN_DIGEST, BUILT_IN_QUESTIONNAIRE, BUILT_IN_RULES, MAX_RULES};
use program::Program;
pub use program::RuleBits;

// Conditions live in `crate::condition`; they are named here too, as the rule set's
// vocabulary (`rules::Condition` and its kin are the public paths the binary, the tests
// and the examples use).
pub use crate::condition::{Clauses, Condition, Leaf, Leaves, Logic, SetTest, Truth};
use crate::questionnaire::Questionnaire;
use crate::recommendation::{Pressure, Style, StyleSet, Urgency};
use crate::wording::Text;

/// Session lengths the contract allows, in minutes.
pub const SESSION_MINUTES: &[u16] = &[30, 45, 60, 90];

/// What a rule does when its condition holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Effect {
    /// Refer to a physician with this urgency.
    pub refer: Option<Urgency>,
    /// Weight added to each style (indexed by [`Style::index`]).
    pub favour: [i32; 4],
    /// Styles that must not be recommended.
    pub forbid: StyleSet,
    /// The most pressure allowed.
    pub max_pressure: Option<Pressure>,
    /// First-session length in minutes.
    pub session_minutes: Option<u16>,
    /// A sentence for the therapist.
    pub precaution: Option<Text>,
    /// A self-care sentence for the client.
    pub advice: Option<Text>,
    /// What to tell the person when this rule decides the referral (instead of the
    /// urgency's sentence in the policy).
    pub tell: Option<Text>,
}

impl Effect {
    /// Whether it changes the decision (a referral, a weight, a forbidden style, a pressure
    /// cap, a session length), beside what it says.
    pub fn decides(&self) -> bool {
        self.refer.is_some()
            || self.favour.iter().any(|w| *w != 0)
            || !self.forbid.is_empty()
            || self.max_pressure.is_some()
            || self.session_minutes.is_some()
    }

    /// Whether it says something (a precaution, advice) where it fires with a massage.
    pub fn speaks(&self) -> bool {
        self.precaution.is_some() || self.advice.is_some()
    }
}

/// One rule of `rules.toml`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Rule {
    /// Stable id, shown in reasons.
    pub id: Text,
    /// Why the rule exists, in a sentence staff can read.
    pub because: Text,
    /// Keys of the clinical reference's sources.
    pub source: Vec<Text>,
    /// When it fires.
    pub when: Condition,
    /// What it does.
    pub effect: Effect,
    /// Line in the rules file.
    pub line: usize,
}

/// How a rule set names itself (`[meta]` in rules.toml); every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Meta {
    /// Its name, e.g. the clinic's.
    pub name: Option<Text>,
    /// Its version, as the clinic numbers its edits.
    pub version: Option<Text>,
    /// The date it takes effect, `YYYY-MM-DD`.
    pub effective: Option<Text>,
}

/// Which rule set, questionnaire and tool made a result: every output carries it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Identity<'a> {
    /// The shape of the JSON outputs; raised when a field changes meaning or goes.
    pub schema_version: u32,
    /// The rule set: its `[meta]` and its digest.
    pub rule_set: RuleSetIdentity<'a>,
    /// The questionnaire's version.
    pub questionnaire_version: u32,
    /// This tool's version.
    pub tool_version: &'static str,
    /// The built-in safety statements this rule set weakens on purpose, with its reasons
    /// (`[]` for none).
    pub overrides: &'a [crate::questionnaire::FloorException],
}

/// A rule set's name, version, date and digest.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct RuleSetIdentity<'a> {
    /// `[meta] name`.
    pub name: Option<&'a str>,
    /// `[meta] version`.
    pub version: Option<&'a str>,
    /// `[meta] effective`.
    pub effective: Option<&'a str>,
    /// SHA-256 of its files; `null` for a set changed in code.
    pub sha256: Option<String>,
}

/// The JSON outputs' shape (see [`Identity::schema_version`]).
pub const SCHEMA_VERSION: u32 = 1;

/// How the effects of the fired rules combine (the parts a clinic may tune).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Policy {
    /// Order in which equally weighted styles win.
    pub tie_break: [Style; 4],
    /// First-session length when no rule sets one.
    pub session_minutes: u16,
    /// What to tell the person for each urgency (indexed by [`Urgency::index`]).
    pub tell: [Text; 3],
    /// The most pressure each style is given at (indexed by [`Style::index`]): Swedish and
    /// myofascial release are light to medium by definition.
    pub style_max_pressure: [Pressure; 4],
}

impl Policy {
    /// What to tell the person for this urgency.
    pub fn tell(&self, urgency: Urgency) -> &str {
        &self.tell[urgency.index()]
    }
}

/// Where a rule set came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into the binary from `rules/`.
    BuiltIn,
    /// Loaded from a folder with `--rules`.
    Folder(std::path::PathBuf),
}

impl Origin {
    /// The built-in set's origin (what its compiled form is read back as).
    fn built_in() -> Origin {
        Origin::BuiltIn
    }
}

/// A loaded and validated rule set.
/// Serialized only as the built-in set's compiled form (see `compiled`): where it came from
/// and its digest are set again when it is read back.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct RuleSet {
    /// The questions.
    pub questionnaire: Questionnaire,
    /// The rules, in file order (which is evaluation and reporting order).
    pub rules: Vec<Rule>,
    /// The combination policy.
    pub policy: Policy,
    /// Where it came from.
    #[serde(skip, default = "Origin::built_in")]
    pub origin: Origin,
    /// The rules file as named to the user, for `file:line` references.
    pub rules_file: Text,
    /// The questionnaire file as named to the user.
    pub questionnaire_file: Text,
    /// The digest of the files it was loaded from; `None` for one changed in code
    /// ([`RuleSet::with_rules`]), which no file holds.
    #[serde(skip)]
    pub digest: Option<Digest>,
    /// How it names itself.
    pub meta: Meta,
    /// The rules compiled for evaluation; private so that it can never fall out of step
    /// with `rules` (build a changed rule set with [`RuleSet::with_rules`]).
    pub(crate) program: Program,
}

impl RuleSet {
    /// The same questionnaire and policy with other rules (compiled anew). Rules built in
    /// code skip the loader's validation: their conditions must name this questionnaire's
    /// questions and options.
    pub fn with_rules(&self, rules: Vec<Rule>) -> RuleSet {
        RuleSet { program: Program::compile(&rules, &self.questionnaire), rules, digest: None, ..self.clone() }
    }

    /// `rules.toml:LINE` of a rule, for findings and traces.
    pub fn rule_location(&self, rule: &Rule) -> String {
        format!("{}:{}", self.rules_file, rule.line)
    }

    /// Every condition that can change an outcome or what is asked: the rules', the
    /// conditional questions' and the invariants'.
    pub fn conditions(&self) -> impl Iterator<Item = &Condition> {
        let questionnaire = &self.questionnaire;
        self.rules
            .iter()
            .map(|r| &r.when)
            .chain(questionnaire.questions.iter().filter_map(|q| q.ask_when.as_ref()))
            .chain(questionnaire.invariants.iter().map(|i| &i.when))
    }

    /// Which rule set, questionnaire and tool: what every result says it came from.
    pub fn identity(&self) -> Identity<'_> {
        Identity {
            schema_version: SCHEMA_VERSION,
            rule_set: RuleSetIdentity {
                name: self.meta.name.as_deref(),
                version: self.meta.version.as_deref(),
                effective: self.meta.effective.as_deref(),
                sha256: self.digest.map(|d| d.to_string()),
            },
            questionnaire_version: self.questionnaire.version,
            tool_version: env!("CARGO_PKG_VERSION"),
            overrides: &self.questionnaire.floor_exceptions,
        }
    }

    /// The index of a rule by id.
    pub fn rule_index(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }
}
