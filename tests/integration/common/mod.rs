//! What several test modules share: the built-in rule set, one generator of valid answer
//! sets for any questionnaire (version 2's conditional question answered exactly when its
//! condition holds), the answers as the binary reads them (TOML, JSON, CSV), and the safety
//! statements as demands on an outcome.

use massage_triage::answers::{Answer, Answers};
use massage_triage::engine::Evaluation;
use massage_triage::questionnaire::{Question, QuestionKind, Questionnaire, Statement};
use massage_triage::recommendation::Recommendation;
use massage_triage::rules::{Condition, RuleSet, SetTest, Truth};
use proptest::prelude::*;
use serde_json::Value;
use std::sync::OnceLock;

/// The built-in rule set, loaded once for all the tests.
pub(crate) fn rule_set() -> &'static RuleSet {
    static RULE_SET: OnceLock<RuleSet> = OnceLock::new();
    RULE_SET.get_or_init(|| RuleSet::built_in().unwrap())
}

/// The question index of `id` in the built-in questionnaire.
pub(crate) fn question(id: &str) -> usize {
    rule_set().questionnaire.index_of(id).unwrap_or_else(|| panic!("no question {id}"))
}

/// The option index of `option` in the built-in question `id`.
pub(crate) fn option(id: &str, option: &str) -> usize {
    let questionnaire = &rule_set().questionnaire;
    questionnaire.questions[question(id)].option_index(option).unwrap_or_else(|| panic!("no option {id}.{option}"))
}

/// A fresh random word from `seed` and a salt (splitmix64), so that one seed per question
/// gives as many independent draws as needed.
pub(crate) fn mix(seed: u64, salt: u64) -> u64 {
    let mut z = seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// For each question, the options some conditional question's `ask_when` reads (choosing
/// one can open that question): drawn more often, so that conditional questions are asked
/// in a good share of the answer sets.
fn openers(questionnaire: &Questionnaire) -> Vec<u64> {
    let mut openers = vec![0u64; questionnaire.questions.len()];
    for when in questionnaire.questions.iter().filter_map(|q| q.ask_when.as_ref()) {
        for test in when.tests() {
            match *test {
                Condition::Contains { question, options, .. } | Condition::Choice { question, options } => {
                    openers[question] |= options
                }
                _ => {}
            }
        }
    }
    openers
}

/// The number values the conditions read at their edges (`at_least = 75`: 74 and 75), for
/// each question, within its range: half of the numbers are drawn from these.
fn number_edges(rule_set: &RuleSet) -> Vec<Vec<i64>> {
    let questionnaire = &rule_set.questionnaire;
    let mut edges = vec![Vec::new(); questionnaire.questions.len()];
    let unlikely = questionnaire.unlikely.iter().map(|u| &u.when);
    for condition in rule_set.conditions().chain(unlikely) {
        for test in condition.tests() {
            if let Condition::Number { question, min, max } = *test {
                let QuestionKind::Number { min: lowest, max: highest } = questionnaire.questions[question].kind else {
                    continue;
                };
                for value in [min.saturating_sub(1), min, max, max.saturating_add(1)] {
                    if (lowest..=highest).contains(&value) && !edges[question].contains(&value) {
                        edges[question].push(value);
                    }
                }
            }
        }
    }
    edges
}

/// One valid answer to `question` from a random word. Several-of answers are sparse on an
/// escalating question (red flags, contraindications, pregnancy signs): none in five draws
/// of eight, so that both referrals and massages are common; options that open a conditional
/// question are added in a third of the draws.
fn answer_from_seed(question: &Question, seed: u64, opener: u64, edges: &[i64]) -> Answer {
    let options = question.options.len() as u64;
    match question.kind {
        QuestionKind::OneOf => Answer::Choice((mix(seed, 1) % options) as u8),
        QuestionKind::SeveralOf { min_selected } => {
            let mask = question.all_options_mask();
            let one = |salt| 1u64 << (mix(seed, salt) % options);
            let quarter = mix(seed, 2) & mix(seed, 3) & mask;
            let mut bits = if question.escalating {
                match mix(seed, 1) % 8 {
                    0..=4 => 0,
                    5 => one(4),
                    6 => one(4) | one(5),
                    _ => quarter,
                }
            } else {
                quarter
            };
            if opener != 0 && mix(seed, 6) % 3 == 0 {
                bits |= opener & mix(seed, 7);
                if bits & opener == 0 {
                    bits |= 1 << opener.trailing_zeros();
                }
            }
            while (bits.count_ones() as usize) < min_selected {
                bits |= one(8 + u64::from(bits.count_ones()));
            }
            Answer::Choices(bits)
        }
        QuestionKind::Number { min, max } => {
            if !edges.is_empty() && mix(seed, 1) % 2 == 0 {
                Answer::Number(edges[(mix(seed, 2) % edges.len() as u64) as usize])
            } else {
                Answer::Number(min + (mix(seed, 3) % (max - min + 1) as u64) as i64)
            }
        }
        // "Yes" a quarter of the time: a yes to `worsening` alone means a referral.
        QuestionKind::YesNo => Answer::YesNo(mix(seed, 1) % 4 == 0),
    }
}

/// A valid answer set from one random word per question (more words are ignored, missing
/// ones count as 0): each question answered in order, a conditional question answered
/// exactly when its condition holds on the answers before it, `NotAsked` otherwise.
pub(crate) fn answers_from_seeds(rule_set: &RuleSet, id: Option<String>, seeds: &[u64]) -> Answers {
    let questionnaire = &rule_set.questionnaire;
    let openers = openers(questionnaire);
    let edges = number_edges(rule_set);
    let mut values: Vec<Option<Answer>> = Vec::with_capacity(questionnaire.questions.len());
    for (index, question) in questionnaire.questions.iter().enumerate() {
        let seed = seeds.get(index).copied().unwrap_or_default();
        let asked = question.ask_when.as_ref().is_none_or(|when| when.truth(&values) == Truth::Yes);
        let value =
            if asked { answer_from_seed(question, seed, openers[index], &edges[index]) } else { Answer::NotAsked };
        values.push(Some(value));
    }
    Answers::new(questionnaire, id, values.into_iter().flatten().collect()).unwrap()
}

/// Generated answer sets for a rule set's questionnaire.
pub(crate) fn answers_for(rule_set: &'static RuleSet) -> impl Strategy<Value = Answers> {
    let count = rule_set.questionnaire.questions.len();
    prop::collection::vec(any::<u64>(), count).prop_map(move |seeds| answers_from_seeds(rule_set, None, &seeds))
}

/// Generated version-2 answer sets for the built-in rule set.
pub(crate) fn any_answers() -> impl Strategy<Value = Answers> {
    answers_for(rule_set())
}

/// `values` made consistent again after a change: a conditional question whose condition
/// now fails is not asked; one that is newly asked is answered from `seed`.
pub(crate) fn settle_conditionals(rule_set: &RuleSet, mut values: Vec<Answer>, seed: u64) -> Vec<Answer> {
    let questionnaire = &rule_set.questionnaire;
    let openers = openers(questionnaire);
    let edges = number_edges(rule_set);
    for (index, question) in questionnaire.questions.iter().enumerate() {
        let Some(when) = &question.ask_when else { continue };
        let before: Vec<Option<Answer>> = values[..index].iter().copied().map(Some).collect();
        match (when.truth(&before) == Truth::Yes, values[index]) {
            (false, _) => values[index] = Answer::NotAsked,
            (true, Answer::NotAsked) => {
                values[index] = answer_from_seed(question, mix(seed, index as u64), openers[index], &edges[index])
            }
            (true, _) => {}
        }
    }
    values
}

/// Every answer a question takes (several-of: every subset allowed).
pub(crate) fn every_answer(question: &Question) -> Vec<Answer> {
    let options = question.options.len();
    match question.kind {
        QuestionKind::OneOf => (0..options).map(|i| Answer::Choice(i as u8)).collect(),
        QuestionKind::SeveralOf { min_selected } => {
            (0..1u64 << options).filter(|b| b.count_ones() as usize >= min_selected).map(Answer::Choices).collect()
        }
        QuestionKind::Number { min, max } => (min..=max).map(Answer::Number).collect(),
        QuestionKind::YesNo => vec![Answer::YesNo(false), Answer::YesNo(true)],
    }
}

/// Whether the option is chosen in the answer (a one-of answer or a several-of one).
pub(crate) fn is_chosen(answer: Answer, option: usize) -> bool {
    match answer {
        Answer::Choice(i) => usize::from(i) == option,
        Answer::Choices(bits) => bits & (1 << option) != 0,
        _ => false,
    }
}

/// The answers with one option chosen (added to a several-of answer, set on a one-of); a
/// conditional question not asked is opened first (its opening option chosen), and the
/// conditional questions are settled again (a newly asked one answered from `seed`).
pub(crate) fn choose(rule_set: &RuleSet, answers: &Answers, question: usize, option: usize, seed: u64) -> Answers {
    let questionnaire = &rule_set.questionnaire;
    let mut values = answers.values().to_vec();
    if values[question] == Answer::NotAsked {
        match questionnaire.questions[question].ask_when.as_ref() {
            Some(Condition::Contains {
                question: opener,
                options,
                test: SetTest::ContainsAny | SetTest::ContainsAll,
            }) => {
                let Answer::Choices(bits) = values[*opener] else { panic!("opener is not several-of") };
                values[*opener] = Answer::Choices(bits | options);
            }
            Some(Condition::Choice { question: opener, options }) => {
                values[*opener] = Answer::Choice(options.trailing_zeros() as u8);
            }
            other => panic!("cannot open a question asked when {other:?}"),
        }
        values = settle_conditionals(rule_set, values, seed);
    }
    values[question] = match values[question] {
        Answer::Choices(bits) => Answer::Choices(bits | 1 << option),
        _ => Answer::Choice(option as u8),
    };
    let values = settle_conditionals(rule_set, values, seed);
    Answers::new(questionnaire, answers.id.clone(), values).unwrap()
}

/// Why the outcome breaks what the statement demands, if it does (the statement's
/// condition is taken to hold).
pub(crate) fn broken_demand(rule_set: &RuleSet, statement: &Statement<'_>, evaluation: &Evaluation) -> Option<String> {
    let name = rule_set.questionnaire.statement_name(statement.subject);
    if let Some(least) = statement.min_urgency {
        if evaluation.recommendation != Recommendation::Physician || evaluation.urgency < Some(least) {
            return Some(format!(
                "{name} demands a referral at least {least}, got {} ({:?})",
                evaluation.recommendation, evaluation.urgency
            ));
        }
    }
    for style in statement.forbids.iter() {
        if evaluation.recommendation == Recommendation::Massage(style) {
            return Some(format!("{name} forbids {style}, which is recommended"));
        }
        if evaluation.alternatives.iter().any(|s| s == style) {
            return Some(format!("{name} forbids {style}, which is offered as an alternative"));
        }
    }
    if let (Some(limit), Some(pressure)) = (statement.max_pressure, evaluation.pressure) {
        if pressure > limit {
            return Some(format!("{name} allows at most {limit} pressure, got {pressure}"));
        }
    }
    None
}

/// Every statement of the rule set's questionnaire that holds for the answers and whose
/// demands the evaluation breaks, in words.
pub(crate) fn broken_statements(rule_set: &RuleSet, answers: &Answers, evaluation: &Evaluation) -> Vec<String> {
    broken_among(rule_set, &rule_set.questionnaire.statements(), answers, evaluation)
}

/// As [`broken_statements`], among these statements (made once for many answer sets).
pub(crate) fn broken_among(
    rule_set: &RuleSet,
    statements: &[Statement<'_>],
    answers: &Answers,
    evaluation: &Evaluation,
) -> Vec<String> {
    statements.iter().filter(|s| s.when.holds(answers)).filter_map(|s| broken_demand(rule_set, s, evaluation)).collect()
}

/// The built-in rule set's safety statements, made once.
pub(crate) fn statements() -> &'static [Statement<'static>] {
    static STATEMENTS: OnceLock<Vec<Statement<'static>>> = OnceLock::new();
    STATEMENTS.get_or_init(|| rule_set().questionnaire.statements())
}

/// The answer as a JSON value, as answer files and JSON Lines records give it; `None` for
/// a question not asked (the key is left out).
pub(crate) fn json_answer(question: &Question, value: Answer) -> Option<Value> {
    Some(match value {
        Answer::NotAsked => return None,
        Answer::Choice(i) => Value::from(question.options[usize::from(i)].id.as_str()),
        Answer::Choices(bits) => Value::from(
            question
                .options
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, o)| o.id.as_str())
                .collect::<Vec<_>>(),
        ),
        Answer::Number(n) => Value::from(n),
        Answer::YesNo(b) => Value::from(b),
    })
}

/// A record's answers as one JSON line, with the questionnaire's version.
pub(crate) fn json_line(questionnaire: &Questionnaire, answers: &Answers) -> String {
    let mut object = serde_json::Map::new();
    object.insert("version".into(), Value::from(questionnaire.version));
    if let Some(id) = &answers.id {
        object.insert("id".into(), Value::from(id.as_str()));
    }
    for (question, value) in questionnaire.questions.iter().zip(answers.values()) {
        if let Some(value) = json_answer(question, *value) {
            object.insert(question.id.to_string(), value);
        }
    }
    Value::Object(object).to_string()
}

/// The CSV header batch reads: id, version, then every question in order.
pub(crate) fn csv_header(questionnaire: &Questionnaire) -> String {
    let mut columns = vec!["id", "version"];
    columns.extend(questionnaire.ids());
    columns.join(",")
}

/// A record's answers as a CSV row under [`csv_header`]: `none` for an empty several-of
/// answer, an empty cell for a question not asked.
pub(crate) fn csv_row(questionnaire: &Questionnaire, answers: &Answers) -> String {
    let mut cells = vec![answers.id.clone().unwrap_or_default(), questionnaire.version.to_string()];
    for (question, value) in questionnaire.questions.iter().zip(answers.values()) {
        cells.push(match *value {
            Answer::NotAsked => String::new(),
            Answer::Choices(0) => "none".to_owned(),
            Answer::Choices(_) => {
                let ids: Vec<&str> = question
                    .options
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| is_chosen(*value, *i))
                    .map(|(_, o)| o.id.as_str())
                    .collect();
                ids.join(";")
            }
            Answer::Choice(i) => question.options[usize::from(i)].id.to_string(),
            Answer::Number(n) => n.to_string(),
            Answer::YesNo(b) => b.to_string(),
        });
    }
    cells.join(",")
}

/// A command's rendered problems, each on one line as `error[code]: place: message`, with
/// its help and notes after it (`= help: did you mean "x"?`): for tests that check a
/// problem's place and words, not its drawing (the drawing is pinned in `messages`).
pub(crate) fn problems(stderr: &str) -> String {
    let mut out = String::new();
    let mut lines = stderr.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((label, title)) =
            line.split_once("]: ").filter(|(l, _)| l.starts_with("error[") || l.starts_with("warning["))
        else {
            continue;
        };
        let place = lines.peek().and_then(|l| l.trim_start().strip_prefix("--> ")).map(str::to_owned);
        match place {
            Some(place) => out.push_str(&format!("{label}]: {place}: {title}\n")),
            None => out.push_str(&format!("{label}]: {title}\n")),
        }
        while let Some(next) = lines.peek().filter(|l| !l.starts_with("error[") && !l.starts_with("warning[")) {
            if let Some(note) = next.trim_start().strip_prefix("= ") {
                out.push_str(&format!("  {note}\n"));
            }
            lines.next();
        }
    }
    out
}

/// A copy of the built-in rule set in a folder of its own, its two files edited.
pub(crate) fn built_in_copy(
    rules: impl FnOnce(String) -> String,
    questionnaire: impl FnOnce(String) -> String,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.toml"), rules(massage_triage::rules::BUILT_IN_RULES.to_owned())).unwrap();
    let asked = questionnaire(massage_triage::rules::BUILT_IN_QUESTIONNAIRE.to_owned());
    std::fs::write(dir.path().join("questionnaire.toml"), asked).unwrap();
    dir
}

/// [`built_in_copy`] with only `rules.toml` edited.
pub(crate) fn rules_copy(rules: impl FnOnce(String) -> String) -> tempfile::TempDir {
    built_in_copy(rules, |questionnaire| questionnaire)
}

/// `command` for a pseudo-terminal, started only once the window is `columns` × `rows`
/// (after `stty SETTINGS` when `settings` is not empty): the pty crate sets its default
/// 80 × 24 from the parent after the fork, which can land after a size set inside the
/// child, so the child waits, without a timer, until the size that the test then sets from
/// outside (`set_window_size`) is in place. The program never measures the window before.
#[cfg(unix)]
pub(crate) fn once_sized(
    command: &std::process::Command,
    columns: u16,
    rows: u16,
    settings: &str,
) -> std::process::Command {
    let stty = if settings.is_empty() { String::new() } else { format!("stty {settings} && ") };
    let wait = format!("until [ \"$(stty size)\" = \"{rows} {columns}\" ]; do :; done");
    let mut sized = std::process::Command::new("sh");
    sized.arg("-c").arg(format!("{stty}{wait}; exec \"$0\" \"$@\""));
    sized.arg(command.get_program()).args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => sized.env(key, value),
            None => sized.env_remove(key),
        };
    }
    sized
}

/// `massage-triage rules COMMAND ARGS` on the built-in rules, with no cache and no
/// `MASSAGE_TRIAGE_RULES`: its exit code, standard output and standard error.
pub(crate) fn rules_command(command: &str, args: &[&str]) -> (i32, String, String) {
    let output = assert_cmd::Command::cargo_bin("massage-triage")
        .unwrap()
        .args(["rules", command])
        .args(args)
        .env("MASSAGE_TRIAGE_CACHE_DIR", "")
        .env_remove("MASSAGE_TRIAGE_RULES")
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (output.status.code().unwrap(), text(output.stdout), text(output.stderr))
}
