//! The rule file as written, with a span on every id and reference: the first of the two
//! loading phases. Unknown keys are refused here (`deny_unknown_fields`).

use crate::questionnaire::RawCondition;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRuleFile {
    pub meta: Option<RawMeta>,
    pub policy: Option<Spanned<RawPolicy>>,
    #[serde(default)]
    pub rule: Vec<RawRule>,
}

/// `[meta]`: how the rule set names itself.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMeta {
    pub name: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    pub effective: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    pub tie_break: Spanned<Vec<Spanned<String>>>,
    pub session_minutes: Spanned<i64>,
    pub tell: RawTell,
    /// The most pressure each style is given at (a style not named: firm).
    pub max_pressure: Option<BTreeMap<String, Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTell {
    pub emergency: String,
    pub urgent: String,
    pub routine: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub id: Spanned<String>,
    pub because: Spanned<String>,
    pub source: Spanned<Vec<String>>,
    pub when: Spanned<RawCondition>,
    pub refer: Option<Spanned<String>>,
    pub favour: Option<Spanned<BTreeMap<String, Spanned<i64>>>>,
    pub forbid: Option<Vec<Spanned<String>>>,
    pub max_pressure: Option<Spanned<String>>,
    pub session_minutes: Option<Spanned<i64>>,
    pub precaution: Option<String>,
    pub advice: Option<String>,
    pub tell: Option<Spanned<String>>,
}
