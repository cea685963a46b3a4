//! Loading a rule set: parse each file with spans, then validate everything, collecting
//! every problem (file, line, column, what was expected, the closest valid id).

use super::raw::{RawMeta, RawPolicy, RawRule, RawRuleFile};
use super::{Digest, Effect, Origin, Policy, Rule, RuleSet, SESSION_MINUTES};
use crate::code::Code;
use crate::diagnostic::{read_text_file, Diagnostic, Diagnostics, SourceText};
use crate::questionnaire::{check_id, parse_pressure, parse_style, parse_urgency, ConditionCompiler, Questionnaire};
use crate::recommendation::{Pressure, Style};
use crate::suggestion::{closest, one_of};
use crate::wording::Text;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use toml::Spanned;

/// The default questionnaire, compiled in.
pub const BUILT_IN_QUESTIONNAIRE: &str = include_str!("../../rules/questionnaire.toml");
/// The default rules, compiled in.
pub const BUILT_IN_RULES: &str = include_str!("../../rules/rules.toml");

/// The built-in rule set's digest, computed by the build script: hashing the embedded files
/// on every call was a quarter of a built-in `assess` (a test checks it against them).
pub const BUILT_IN_DIGEST: Digest = Digest::from_hex(env!("MASSAGE_TRIAGE_BUILT_IN_SHA256"));
/// The default worked cases, compiled in.
pub const BUILT_IN_CASES: &str = include_str!("../../rules/cases.toml");

/// The most rules a rule set may have (fired rules are held as a fixed bit set).
pub const MAX_RULES: usize = 512;

/// A weight beyond this is a typo, not a preference.
const MAX_WEIGHT: i64 = 100;

impl RuleSet {
    /// The rule set compiled into the binary.
    pub fn built_in() -> Result<RuleSet, Diagnostics> {
        match super::compiled::read() {
            Some(rule_set) => Ok(rule_set),
            None => RuleSet::built_in_from_toml(),
        }
    }

    /// The built-in rule set parsed from its TOML (what its compiled form is made from).
    pub(crate) fn built_in_from_toml() -> Result<RuleSet, Diagnostics> {
        RuleSet::from_digested_texts(
            SourceText::new("rules/questionnaire.toml", BUILT_IN_QUESTIONNAIRE),
            SourceText::new("rules/rules.toml", BUILT_IN_RULES),
            Origin::BuiltIn,
            BUILT_IN_DIGEST,
        )
    }

    /// Loads `questionnaire.toml` and `rules.toml` from a folder.
    pub fn load_dir(dir: &Path) -> Result<RuleSet, Diagnostics> {
        RuleSet::load_dir_kept(dir, |_| None).map(|(rule_set, _)| rule_set)
    }

    /// [`RuleSet::load_dir`], with a compiled form kept from before (by a cache, looked up by
    /// the files' digest; see [`RuleSet::compiled_form`]) read instead of parsing the files
    /// when it was made from these very bytes by this build. Also says whether it was. The
    /// form lives as long as the program: the rule set borrows its words from it
    /// ([`crate::wording`]).
    pub fn load_dir_kept(
        dir: &Path,
        kept: impl FnOnce(&Digest) -> Option<&'static [u8]>,
    ) -> Result<(RuleSet, bool), Diagnostics> {
        let questionnaire_path = dir.join("questionnaire.toml");
        let rules_path = dir.join("rules.toml");
        let questionnaire_text = read_text_file(&questionnaire_path);
        let rules_text = read_text_file(&rules_path);
        let (questionnaire_text, rules_text) = match (questionnaire_text, rules_text) {
            (Ok(q), Ok(r)) => (q, r),
            (q, r) => return Err(Diagnostics([q.err(), r.err()].into_iter().flatten().flat_map(|d| d.0).collect())),
        };
        let questionnaire_name = questionnaire_path.display().to_string();
        let rules_name = rules_path.display().to_string();
        let origin = Origin::Folder(dir.to_owned());
        let digest = Digest::of_rule_set(&questionnaire_text, &rules_text);
        if let Some(rule_set) = kept(&digest).and_then(|bytes| super::compiled::read_kept(bytes, digest)) {
            let (questionnaire_file, rules_file) = (questionnaire_name.into(), rules_name.into());
            return Ok((RuleSet { origin, questionnaire_file, rules_file, ..rule_set }, true));
        }
        let questionnaire = SourceText::new(&questionnaire_name, &questionnaire_text);
        let rules = SourceText::new(&rules_name, &rules_text);
        RuleSet::from_texts_with(questionnaire, rules, origin, digest).map(|rule_set| (rule_set, false))
    }

    /// Builds a rule set from the two files' texts.
    pub fn from_texts(
        questionnaire: SourceText<'_>,
        rules: SourceText<'_>,
        origin: Origin,
    ) -> Result<RuleSet, Diagnostics> {
        let digest = Digest::of_rule_set(questionnaire.text, rules.text);
        RuleSet::from_texts_with(questionnaire, rules, origin, digest)
    }

    /// [`RuleSet::from_texts`] with the texts' digest known.
    fn from_texts_with(
        questionnaire: SourceText<'_>,
        rules: SourceText<'_>,
        origin: Origin,
        digest: Digest,
    ) -> Result<RuleSet, Diagnostics> {
        // The very bytes of the built-in files (a copy not yet edited, as `rules init` writes
        // it): the same rule set, read from its compiled form, named after these files.
        if digest == BUILT_IN_DIGEST {
            if let Some(rule_set) = super::compiled::read() {
                let (questionnaire_file, rules_file) =
                    (questionnaire.name.to_owned().into(), rules.name.to_owned().into());
                return Ok(RuleSet { origin, questionnaire_file, rules_file, ..rule_set });
            }
        }
        RuleSet::from_digested_texts(questionnaire, rules, origin, digest)
    }

    /// [`RuleSet::from_texts`] with the texts' digest known, parsed whatever it is.
    pub(super) fn from_digested_texts(
        questionnaire: SourceText<'_>,
        rules: SourceText<'_>,
        origin: Origin,
        digest: Digest,
    ) -> Result<RuleSet, Diagnostics> {
        let (questionnaire_result, raw_rules) = parse_both(questionnaire, rules);
        let (questionnaire_parsed, raw_rules) = match (questionnaire_result, raw_rules) {
            (Ok(q), Ok(r)) => (q, r),
            (q, r) => {
                let mut all = q.err().unwrap_or_default();
                all.0.extend(r.err().into_iter().flat_map(|d| d.0));
                return Err(all);
            }
        };
        let mut problems = Diagnostics::default();
        let meta = validate_meta(raw_rules.meta.as_ref(), rules, &mut problems);
        let policy = validate_policy(raw_rules.policy.as_ref(), rules, &mut problems);
        let compiled = validate_rules(&raw_rules.rule, &questionnaire_parsed, rules, &mut problems);
        match policy {
            Some(policy) if problems.is_empty() => Ok(RuleSet {
                program: super::Program::compile(&compiled, &questionnaire_parsed),
                questionnaire: questionnaire_parsed,
                rules: compiled,
                policy,
                origin,
                rules_file: rules.name.to_owned().into(),
                questionnaire_file: questionnaire.name.to_owned().into(),
                digest: Some(digest),
                meta,
            }),
            _ => Err(problems),
        }
    }
}

/// The longest `[meta]` value: a name or a version, not a paragraph.
const MAX_META_CHARS: usize = 100;

/// `[meta]`: each value present is one line of at most [`MAX_META_CHARS`] characters, and
/// `effective` a date, `YYYY-MM-DD`.
fn validate_meta(raw: Option<&RawMeta>, source: SourceText<'_>, problems: &mut Diagnostics) -> super::Meta {
    let Some(raw) = raw else { return super::Meta::default() };
    let mut checked = |value: &Option<Spanned<String>>, key: &str, date: bool| -> Option<Text> {
        let value = value.as_ref()?;
        let text = value.get_ref().trim();
        let is_date = |t: &str| {
            let parts: Vec<&str> = t.split('-').collect();
            parts.len() == 3
                && [4, 2, 2].iter().zip(&parts).all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()))
        };
        let problem = if text.is_empty() {
            Some("is empty".to_owned())
        } else if text.chars().count() > MAX_META_CHARS || text.contains(|c: char| c.is_control()) {
            Some(format!("must be one line of at most {MAX_META_CHARS} characters"))
        } else if date && !is_date(text) {
            Some("must be a date, written YYYY-MM-DD".to_owned())
        } else {
            None
        };
        match problem {
            Some(problem) => {
                problems.push(source.error(value.span(), Code::BadMeta, format!("[meta] {key} {problem}")));
                None
            }
            None => Some(text.to_owned().into()),
        }
    };
    super::Meta {
        name: checked(&raw.name, "name", false),
        version: checked(&raw.version, "version", false),
        effective: checked(&raw.effective, "effective", true),
    }
}

/// Parses the two files. (Parsing them on two threads was tried and measured slower for a
/// one-shot `assess`: creating the thread costs more than the parse it saves.)
fn parse_both(
    questionnaire: SourceText<'_>,
    rules: SourceText<'_>,
) -> (Result<Questionnaire, Diagnostics>, Result<RawRuleFile, Diagnostics>) {
    let raw_rules = toml::from_str::<RawRuleFile>(rules.text).map_err(|e| Diagnostics::from(rules.toml_error(&e)));
    (Questionnaire::parse(questionnaire), raw_rules)
}

fn validate_policy(
    raw: Option<&Spanned<RawPolicy>>,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> Option<Policy> {
    let Some(raw) = raw else {
        problems.push(Diagnostic::whole_file(
            source.name,
            Code::MissingPolicy,
            "no [policy] table; expected tie_break, session_minutes and [policy.tell]",
        ));
        return None;
    };
    let policy = raw.get_ref();
    let styles: Vec<Style> =
        policy.tie_break.get_ref().iter().filter_map(|s| parse_style(s, source, problems)).collect();
    let distinct: HashSet<Style> = styles.iter().copied().collect();
    let tie_break: Option<[Style; 4]> = if distinct.len() == Style::ALL.len() && styles.len() == Style::ALL.len() {
        styles.try_into().ok()
    } else {
        problems.push(source.error(
            policy.tie_break.span(),
            Code::BadTieBreak,
            format!("tie_break must list every style exactly once: {}", one_of(Style::ids())),
        ));
        None
    };
    let session_minutes = session_length(&policy.session_minutes, source, problems);
    let tell = [&policy.tell.routine, &policy.tell.urgent, &policy.tell.emergency].map(|tell| Text::from(tell.clone()));
    let style_max_pressure = style_maxima(policy.max_pressure.as_ref(), source, problems);
    Some(Policy { tie_break: tie_break?, session_minutes: session_minutes?, tell, style_max_pressure })
}

/// `[policy.max_pressure]`: style = pressure; a style not named is given at any pressure.
fn style_maxima(
    raw: Option<&std::collections::BTreeMap<String, Spanned<String>>>,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> [Pressure; 4] {
    let mut maxima = [Pressure::Firm; 4];
    for (style_id, pressure) in raw.into_iter().flatten() {
        let Some(style) = Style::from_id(style_id) else {
            problems.push(
                source
                    .error(
                        pressure.span(),
                        Code::UnknownValue,
                        format!(
                            "unknown style \"{style_id}\" in [policy.max_pressure]; expected one of {}",
                            one_of(Style::ids())
                        ),
                    )
                    .suggest(closest(style_id, Style::ids())),
            );
            continue;
        };
        if let Some(pressure) = parse_pressure(pressure, source, problems) {
            maxima[style.index()] = pressure;
        }
    }
    maxima
}

fn session_length(value: &Spanned<i64>, source: SourceText<'_>, problems: &mut Diagnostics) -> Option<u16> {
    let minutes = *value.get_ref();
    let allowed = SESSION_MINUTES.iter().find(|m| i64::from(**m) == minutes).copied();
    if allowed.is_none() {
        let expected: Vec<String> = SESSION_MINUTES.iter().map(u16::to_string).collect();
        let expected = one_of(expected.iter().map(String::as_str));
        problems.push(source.error(
            value.span(),
            Code::BadSessionLength,
            format!("{minutes} is not a session length; expected one of {expected}"),
        ));
    }
    allowed
}

fn validate_rules(
    raw: &[RawRule],
    questionnaire: &Questionnaire,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> Vec<Rule> {
    if raw.is_empty() {
        problems.push(Diagnostic::whole_file(
            source.name,
            Code::NoRules,
            "the rule set has no rules; expected [[rule]] tables",
        ));
    }
    if raw.len() > super::MAX_RULES {
        problems.push(Diagnostic::whole_file(
            source.name,
            Code::TooManyRules,
            format!("more than {} rules", super::MAX_RULES),
        ));
    }
    let mut seen = HashMap::new();
    let mut rules: Vec<Rule> = raw
        .iter()
        .filter_map(|rule| {
            let first = *seen.entry(rule.id.get_ref().as_str()).or_insert(rule.id.span().start);
            if first != rule.id.span().start {
                let first = source.line_of(first);
                problems.push(source.error(
                    rule.id.span(),
                    Code::DuplicateRule,
                    format!(
                        "rule \"{}\" is defined twice, first at line {first}; give each rule an id of its own",
                        rule.id.get_ref()
                    ),
                ));
            }
            validate_rule(rule, questionnaire, source, problems)
        })
        .collect();
    source.offsets_to_lines(rules.iter_mut().map(|r| &mut r.line));
    rules
}

fn validate_rule(
    raw: &RawRule,
    questionnaire: &Questionnaire,
    source: SourceText<'_>,
    problems: &mut Diagnostics,
) -> Option<Rule> {
    check_id(&raw.id, "rule", source, problems);
    if raw.because.get_ref().trim().is_empty() {
        problems.push(source.error(
            raw.because.span(),
            Code::EmptyBecause,
            "`because` is empty; staff read it to know why the rule fired",
        ));
    }
    if raw.source.get_ref().is_empty() {
        problems.push(source.error(
            raw.source.span(),
            Code::NoSource,
            "`source` is empty; name at least one key of the clinical reference",
        ));
    }
    let when = ConditionCompiler { questionnaire, source, problems: &mut *problems }.compile(&raw.when);
    let effect = validate_effect(raw, source, problems);
    Some(Rule {
        id: raw.id.get_ref().clone().into(),
        because: raw.because.get_ref().clone().into(),
        source: raw.source.get_ref().iter().cloned().map(Text::from).collect(),
        when: when?,
        effect: effect?,
        line: raw.id.span().start, // made a line number once all are known
    })
}

fn validate_effect(raw: &RawRule, source: SourceText<'_>, problems: &mut Diagnostics) -> Option<Effect> {
    let before = problems.0.len();
    let mut effect = Effect {
        refer: raw.refer.as_ref().and_then(|u| parse_urgency(u, source, problems)),
        forbid: raw.forbid.iter().flatten().filter_map(|s| parse_style(s, source, problems)).collect(),
        max_pressure: raw.max_pressure.as_ref().and_then(|p| parse_pressure(p, source, problems)),
        session_minutes: raw.session_minutes.as_ref().and_then(|m| session_length(m, source, problems)),
        precaution: raw.precaution.clone().map(Text::from),
        advice: raw.advice.clone().map(Text::from),
        tell: raw.tell.as_ref().map(|t| t.get_ref().clone().into()),
        favour: [0; 4],
    };
    if let Some(tell) = &raw.tell {
        if raw.refer.is_none() {
            problems.push(source.error(
                tell.span(),
                Code::TellWithoutRefer,
                "`tell` is what to tell a person this rule refers; add `refer`, or remove `tell`",
            ));
        } else if tell.get_ref().trim().is_empty() {
            problems.push(source.error(tell.span(), Code::EmptyTell, "`tell` is empty; write what to tell the person"));
        }
    }
    if let Some(favour) = &raw.favour {
        for (style_id, weight) in favour.get_ref() {
            let Some(style) = Style::from_id(style_id) else {
                problems.push(
                    source
                        .error(
                            weight.span(),
                            Code::UnknownValue,
                            format!("unknown style \"{style_id}\" in favour; expected one of {}", one_of(Style::ids())),
                        )
                        .suggest(closest(style_id, Style::ids())),
                );
                continue;
            };
            // A range test and a checked conversion, never `abs()` or `as`: the negation of
            // i64::MIN overflows (a panic in a debug build, and a weight of 0 in a release one).
            let Some(value) =
                i32::try_from(*weight.get_ref()).ok().filter(|w| (-MAX_WEIGHT..=MAX_WEIGHT).contains(&i64::from(*w)))
            else {
                problems.push(source.error(
                    weight.span(),
                    Code::BadWeight,
                    format!("weight {} is out of range; expected -{MAX_WEIGHT} to {MAX_WEIGHT}", weight.get_ref()),
                ));
                continue;
            };
            effect.favour[style.index()] = value;
        }
    }
    if effect == Effect::default() && problems.0.len() == before {
        problems.push(source.error(
            raw.id.span(),
            Code::NoEffect,
            format!(
                "rule \"{}\" has no effect; expected at least one of refer, favour, forbid, max_pressure, session_minutes, precaution, advice",
                raw.id.get_ref()
            ),
        ));
    }
    (problems.0.len() == before).then_some(effect)
}
