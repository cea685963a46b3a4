//! Witnesses by sampling: answer sets drawn at random (with a fixed seed, so every run
//! draws the same ones) from the classes of each question. A sampled answer set where a rule
//! changes the outcome shows that the rule matters, with no sweep; only the rules no sample
//! shows are searched for exhaustively. A sample can only show that something happens, never
//! that it cannot, so the proof stays exact.

use super::prove::Parts;
use super::space::ClassValue;
use crate::answer::Answer;
use crate::answers::Answers;
use crate::condition::Truth;
use crate::engine::FiredRules;

/// The seed: any fixed value; it only has to be the same on every run.
const SEED: u64 = 0x6d61_7373_6167_6521;

/// How each question's class is drawn.
struct Draw {
    /// The classes to draw from, when only some will do (those where a rule's tests hold).
    only: Option<Vec<usize>>,
    /// The class answering "none of these", for a several-of question.
    nothing: Option<usize>,
    /// The "not asked" class, for a conditional question.
    not_asked: Option<usize>,
    classes: usize,
}

impl Parts<'_> {
    /// The rules that fire on some sampled answer set with no referral (nor a gap): each
    /// shown to fire there by a real answer set. A fifth of the samples of a witness pass.
    pub(super) fn seen_firing(&self) -> FiredRules {
        let mut seen = FiredRules::default();
        self.sample(None, self.allowance.samples() / 5, &mut |fired| {
            if self.decide(fired).urgency.is_none() {
                seen = seen.union(fired);
            }
            true
        });
        seen
    }

    /// Visits up to `samples` sampled answer sets that a person can give, each as the
    /// rules it fires, until `visit` returns false. With a `focus` rule, only answer sets
    /// where it fires are drawn, when its condition says which classes those are (one
    /// question, or an `all` of tests).
    pub(super) fn sample(&self, focus: Option<usize>, samples: usize, visit: &mut dyn FnMut(FiredRules) -> bool) {
        let mut rng = fastrand::Rng::with_seed(SEED);
        let mut draws = self.draws();
        if let Some(rule) = focus {
            self.focus(rule, &mut draws);
        }
        let mut values: Vec<Option<Answer>> = Vec::with_capacity(draws.len());
        for _ in 0..samples {
            values.clear();
            for (question, draw) in draws.iter().enumerate() {
                values.push(self.space.answer(question, draw.class(&mut rng), 0, 0));
            }
            self.ask_as_the_questionnaire_does(&draws, &mut values, &mut rng);
            let Some(values) = values.iter().copied().collect::<Option<Vec<Answer>>>() else { continue };
            // Refused only if the split gave an answer no person can give: then not a witness.
            let Ok(answers) = Answers::new(&self.rule_set.questionnaire, None, values) else { continue };
            if !visit(crate::engine::evaluate(self.rule_set, &answers).fired) {
                return;
            }
        }
    }

    fn draws(&self) -> Vec<Draw> {
        let space = &self.space;
        (0..space.questions.len())
            .map(|q| {
                let classes = &space.questions[q].classes;
                let nothing = (0..classes.len()).find(|c| space.answer(q, *c, 0, 0) == Some(Answer::Choices(0)));
                let not_asked = classes.iter().position(|c| c.value == ClassValue::NotAsked);
                Draw { only: None, nothing, not_asked, classes: classes.len() }
            })
            .collect()
    }

    /// Draws only the classes where the rule's tests hold, for a rule that reads one
    /// question or is an `all` of tests.
    fn focus(&self, rule: usize, draws: &mut [Draw]) {
        let atoms = &self.atoms[rule];
        let all_of_tests = match &self.rule_set.rules[rule].when {
            crate::condition::Condition::All(parts) => parts.iter().all(|p| p.test_question().is_some()),
            when => when.test_question().is_some(),
        };
        for (question, draw) in draws.iter_mut().enumerate() {
            if !atoms.iter().any(|(q, _)| *q == question) {
                continue;
            }
            let holds = |class: usize| match (self.single[rule], all_of_tests) {
                (true, _) => self.single_values[rule][class],
                (false, true) => {
                    let tests = atoms.iter().enumerate().filter(|(_, (q, _))| *q == question);
                    tests.into_iter().all(|(t, _)| self.test_values[rule][t][class])
                }
                (false, false) => true,
            };
            let only: Vec<usize> = (0..draw.classes).filter(|c| holds(*c)).collect();
            draw.only = (!only.is_empty()).then_some(only);
        }
    }

    /// Each conditional question answered exactly when it is asked, in questionnaire order
    /// (its condition reads the answers before it).
    fn ask_as_the_questionnaire_does(&self, draws: &[Draw], values: &mut [Option<Answer>], rng: &mut fastrand::Rng) {
        for (question, asked) in self.rule_set.questionnaire.questions.iter().enumerate() {
            let (Some(when), Some(not_asked)) = (&asked.ask_when, draws[question].not_asked) else { continue };
            let class = match when.truth(values) {
                Truth::Yes => (0..8).map(|_| draws[question].class(rng)).find(|c| *c != not_asked),
                _ => Some(not_asked),
            };
            values[question] = class.and_then(|c| self.space.answer(question, c, 0, 0));
        }
    }
}

impl Draw {
    /// Half the time a several-of question is answered "none of these": drawn like the
    /// others, most answer sets would hold a red flag and end in a referral, where only a
    /// referring rule can change anything.
    fn class(&self, rng: &mut fastrand::Rng) -> usize {
        match (&self.only, self.nothing) {
            (Some(only), _) => only[rng.usize(..only.len())],
            (None, Some(class)) if rng.bool() => class,
            (None, _) => rng.usize(..self.classes),
        }
    }
}
