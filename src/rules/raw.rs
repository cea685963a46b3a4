//! The rule file as written, with a span on every id and reference: the first of the two
//! loading phases. Unknown keys are refused here (`deny_unknown_fields`).

use crate::questionnaire::RawCondition;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRuleFile {
    pub meta: Option<RawMeta>,
    #[schemars(with = "Option<RawPolicy>")]
    pub policy: Option<Spanned<RawPolicy>>,
    #[serde(default)]
    pub rule: Vec<RawRule>,
}

/// `[meta]`: how the rule set names itself.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMeta {
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub version: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub effective: Option<Spanned<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    #[schemars(with = "Vec<String>")]
    pub tie_break: Spanned<Vec<Spanned<String>>>,
    #[schemars(with = "i64")]
    pub session_minutes: Spanned<i64>,
    pub tell: RawTell,
    /// The most pressure each style is given at (a style not named: firm).
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub max_pressure: Option<BTreeMap<String, Spanned<String>>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTell {
    pub emergency: String,
    pub urgent: String,
    pub routine: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "String")]
    pub because: Spanned<String>,
    #[schemars(with = "Vec<String>")]
    pub source: Spanned<Vec<String>>,
    #[schemars(with = "RawCondition")]
    pub when: Spanned<RawCondition>,
    #[schemars(with = "Option<String>")]
    pub refer: Option<Spanned<String>>,
    #[schemars(with = "Option<BTreeMap<String, i64>>")]
    pub favour: Option<Spanned<BTreeMap<String, Spanned<i64>>>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub forbid: Option<Vec<Spanned<String>>>,
    #[schemars(with = "Option<String>")]
    pub max_pressure: Option<Spanned<String>>,
    #[schemars(with = "Option<i64>")]
    pub session_minutes: Option<Spanned<i64>>,
    pub precaution: Option<String>,
    pub advice: Option<String>,
    #[schemars(with = "Option<String>")]
    pub tell: Option<Spanned<String>>,
}

/// The JSON Schema of `rules.toml`, from the types the loader reads.
pub(crate) fn schema() -> schemars::Schema {
    crate::schema::generator().into_root_schema_for::<RawRuleFile>()
}
