//! The interactive intake: the questionnaire asked one question at a time, in
//! questionnaire order (red flags first), ending as soon as the answers settle a physician
//! referral, with going back and a confirmed summary before the result.
//!
//! The flow here is independent of the terminal: it talks to an [`Asker`], which
//! the binary's terminal prompts implement (full or plain) and the tests implement with a
//! script. What can be skipped is read from the rules ([`skip`]).

pub mod outcome;
pub mod record;
pub mod skip;

use crate::answer::Answer;
use crate::answers::Answers;
use crate::questionnaire::{Question, Questionnaire};
use crate::recommendation::Urgency;
use crate::rules::RuleSet;
use skip::{drop_skipped, matters, settled_referral, sync_conditionals, PartialAnswers};

/// One question to put to the person.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    /// The question.
    pub question: &'a Question,
    /// Its position in the questionnaire (0-based).
    pub index: usize,
    /// How many questions the questionnaire has ("Question 3 of 9").
    pub total: usize,
    /// The answer given before, offered as the default.
    pub default: Option<Answer>,
    /// There is an earlier question to return to.
    pub can_go_back: bool,
    /// The answers so far (`None`: not answered; [`Answer::NotAsked`]: a conditional
    /// question whose condition fails), to say why questions were passed over.
    pub answers: &'a PartialAnswers,
}

/// What the person did with a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Answered it.
    Answer(Answer),
    /// Asked to return to the previous question.
    Back,
}

/// What the person did with the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// The answers are right: show the result.
    Confirm,
    /// Change the answer to this question (its index).
    Change(usize),
    /// Return to the last question.
    Back,
}

/// Why the intake stopped before its end.
#[derive(Debug)]
pub enum Stop {
    /// Ctrl-C.
    Interrupted,
    /// The terminal went away (end of input, hang-up) or could not be used.
    Closed(std::io::Error),
}

impl From<std::io::Error> for Stop {
    fn from(error: std::io::Error) -> Self {
        // A terminal's prompt library turns Ctrl-C read in raw mode into an `Interrupted`
        // error (console does).
        if error.kind() == std::io::ErrorKind::Interrupted {
            Stop::Interrupted
        } else {
            Stop::Closed(error)
        }
    }
}

/// Whoever puts the questions: the terminal, or a test's script.
pub trait Asker {
    /// Puts one question.
    fn ask(&mut self, ask: &Ask<'_>) -> Result<Reply, Stop>;
    /// Shows the answers and asks whether they are right. With `referral`, the answers so
    /// far settle a referral that is not an emergency: it is shown, with its reason, before
    /// anyone is told (the answers may still be changed).
    fn review(
        &mut self,
        questionnaire: &Questionnaire,
        answers: &PartialAnswers,
        referral: Option<(Urgency, &str)>,
    ) -> Result<Review, Stop>;
    /// Says at once that the answers settle a physician referral, with what to tell the
    /// person and why (the deciding rule's sentence); called before anything else is shown.
    fn announce(&mut self, urgency: Urgency, tell: &str, why: &str) -> Result<(), Stop>;
    /// Asks once more about answers that rarely go together (`message` says what to
    /// check): true keeps them, false changes the answer just given.
    fn confirm(&mut self, message: &str) -> Result<bool, Stop>;
    /// Told the answers kept so far and which questions were put, before the first
    /// question and after every answer: a record of the call kept up to date this way
    /// loses nothing when the call is interrupted. Nothing to do by default.
    fn progress(&mut self, answers: &PartialAnswers, asked: &[bool]) {
        let _ = (answers, asked);
    }
}

/// How an intake ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// The answers kept, in questionnaire order (`None`: not asked, or no longer relevant).
    pub answers: Vec<Option<Answer>>,
    /// The referral the answers settled, when the intake ended early on one.
    pub settled: Option<Urgency>,
    /// The unlikely combinations confirmed with the person (their indices).
    pub confirmed: Vec<usize>,
    /// Which questions were put to the person (an answer may since have been dropped, when
    /// a later one made it unable to change the outcome: it was asked all the same).
    pub asked: Vec<bool>,
}

impl Finished {
    /// The answers as a complete answer set, when every question was answered.
    pub fn complete(&self, questionnaire: &Questionnaire, id: Option<String>) -> Option<Answers> {
        let values: Option<Vec<Answer>> = self.answers.iter().copied().collect();
        Answers::new(questionnaire, id, values?).ok()
    }

    /// The questions left unanswered, in order.
    pub fn unanswered<'q>(&self, questionnaire: &'q Questionnaire) -> Vec<&'q Question> {
        questionnaire.questions.iter().zip(&self.answers).filter(|(_, a)| a.is_none()).map(|(q, _)| q).collect()
    }
}

/// Where the flow is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Asking this question while walking through the questionnaire.
    Walking(usize),
    /// Asking this question to change it from the summary.
    Changing(usize),
    /// Showing the summary.
    Reviewing,
}

/// Runs the intake to its end: a confirmed set of answers, or a settled referral.
pub fn run(rule_set: &RuleSet, asker: &mut dyn Asker) -> Result<Finished, Stop> {
    let questionnaire = &rule_set.questionnaire;
    let mut answers: Vec<Option<Answer>> = vec![None; questionnaire.questions.len()];
    let mut confirmed = Vec::new();
    let mut asked = vec![false; questionnaire.questions.len()];
    let mut step = next_step(rule_set, &answers, Some(0));
    // Set when the person goes to a question from the summary of a pending referral: that
    // question is asked before the referral is looked at again.
    let mut revisiting = false;
    asker.progress(&answers, &asked);
    loop {
        if let (false, Some(urgency)) = (revisiting, settled_referral(rule_set, &answers)) {
            let evaluation = skip::settled_evaluation(rule_set, &answers);
            let tell = evaluation.tell(rule_set).unwrap_or_else(|| rule_set.policy.tell(urgency));
            let why = evaluation.deciding_rule(rule_set).map_or("", |rule| rule.because.as_str());
            // An emergency is said at once; an urgent or routine referral is shown with the
            // answers first, which the person may still change.
            let review = match urgency {
                Urgency::Emergency => Review::Confirm,
                _ => asker.review(questionnaire, &answers, Some((urgency, why)))?,
            };
            match review {
                Review::Confirm => {
                    asker.announce(urgency, tell, why)?;
                    return Ok(Finished { answers, settled: Some(urgency), confirmed, asked });
                }
                Review::Change(index) if index < answers.len() => step = Step::Changing(index),
                Review::Change(_) => continue,
                Review::Back => {
                    let last = previous_needed(rule_set, &answers, answers.len());
                    step = last.map_or(step, Step::Walking);
                }
            }
            revisiting = true;
        }
        step = match step {
            Step::Walking(index) | Step::Changing(index) => {
                let previous = previous_needed(rule_set, &answers, index);
                let can_go_back = previous.is_some() || matches!(step, Step::Changing(_));
                let ask = Ask {
                    question: &questionnaire.questions[index],
                    index,
                    total: questionnaire.questions.len(),
                    default: answers[index],
                    can_go_back,
                    answers: &answers,
                };
                match (asker.ask(&ask)?, step) {
                    (Reply::Back, Step::Changing(_)) => Step::Reviewing,
                    (Reply::Back, _) => previous.map_or(step, Step::Walking),
                    (Reply::Answer(answer), _) => {
                        revisiting = false;
                        asked[index] = true;
                        answers[index] = Some(answer);
                        drop_skipped(rule_set, &mut answers);
                        sync_conditionals(rule_set, &mut answers);
                        asker.progress(&answers, &asked);
                        if !confirm_unlikely(rule_set, &answers, &mut confirmed, asker)? {
                            // The person changes the answer just given.
                            continue;
                        }
                        let walk_from = matches!(step, Step::Walking(_)).then_some(index + 1);
                        next_step(rule_set, &answers, walk_from)
                    }
                }
            }
            Step::Reviewing => match asker.review(questionnaire, &answers, None)? {
                Review::Confirm => return Ok(Finished { answers, settled: None, confirmed, asked }),
                Review::Change(index) if index < answers.len() => Step::Changing(index),
                Review::Change(_) => Step::Reviewing,
                Review::Back => previous_needed(rule_set, &answers, answers.len()).map_or(step, Step::Walking),
            },
        };
    }
}

/// Asks once more about each unlikely combination the answers now make, unless confirmed
/// before; false when the person wants to change the answer just given.
fn confirm_unlikely(
    rule_set: &RuleSet,
    answers: &PartialAnswers,
    confirmed: &mut Vec<usize>,
    asker: &mut dyn Asker,
) -> Result<bool, Stop> {
    for (index, unlikely) in rule_set.questionnaire.unlikely.iter().enumerate() {
        if confirmed.contains(&index) || unlikely.when.truth(answers) != crate::condition::Truth::Yes {
            continue;
        }
        if !asker.confirm(&unlikely.message)? {
            return Ok(false);
        }
        confirmed.push(index);
    }
    Ok(true)
}

/// The next question that can change the outcome, walking on from `walk_from`
/// (inclusive), else the first one still unanswered, else the summary.
fn next_step(rule_set: &RuleSet, answers: &PartialAnswers, walk_from: Option<usize>) -> Step {
    let wanted = |q: &usize| matters(rule_set, answers, *q) && skip::askable(rule_set, answers, *q);
    let walking = walk_from.and_then(|start| (start..answers.len()).find(wanted));
    let first_unanswered = || (0..answers.len()).find(|q| answers[*q].is_none() && wanted(q));
    match walking.or_else(first_unanswered) {
        Some(index) => Step::Walking(index),
        None => Step::Reviewing,
    }
}

/// The last question before `index` that can change the outcome.
fn previous_needed(rule_set: &RuleSet, answers: &PartialAnswers, index: usize) -> Option<usize> {
    (0..index).rev().find(|q| matters(rule_set, answers, *q) && skip::askable(rule_set, answers, *q))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::collections::VecDeque;

    /// A person following a script; records what was asked.
    #[derive(Default)]
    struct Script {
        replies: VecDeque<Result<Reply, Review>>,
        asked: Vec<(usize, Option<Answer>)>,
        reviews: usize,
        announced: Option<Urgency>,
        told: String,
        /// What `confirm` answers, in turn (then true).
        confirms: VecDeque<bool>,
        confirmations: Vec<String>,
        /// The referrals shown with the answers before they were told.
        pending: Vec<Urgency>,
    }

    impl Script {
        fn new(replies: Vec<Result<Reply, Review>>) -> Self {
            Script { replies: replies.into(), ..Script::default() }
        }
    }

    impl Asker for Script {
        fn ask(&mut self, ask: &Ask<'_>) -> Result<Reply, Stop> {
            self.asked.push((ask.index, ask.default));
            match self.replies.pop_front() {
                Some(Ok(reply)) => Ok(reply),
                other => panic!("question {} asked, but the script has {other:?}", ask.index),
            }
        }

        fn review(
            &mut self,
            _: &Questionnaire,
            _: &PartialAnswers,
            referral: Option<(Urgency, &str)>,
        ) -> Result<Review, Stop> {
            self.reviews += 1;
            if let Some((urgency, _)) = referral {
                self.pending.push(urgency);
            }
            match self.replies.pop_front() {
                Some(Err(review)) => Ok(review),
                other => panic!("summary shown, but the script has {other:?}"),
            }
        }

        fn announce(&mut self, urgency: Urgency, tell: &str, _: &str) -> Result<(), Stop> {
            self.announced = Some(urgency);
            self.told = tell.to_owned();
            Ok(())
        }

        fn confirm(&mut self, message: &str) -> Result<bool, Stop> {
            self.confirmations.push(message.to_owned());
            Ok(self.confirms.pop_front().unwrap_or(true))
        }
    }

    fn rule_set() -> RuleSet {
        RuleSet::built_in().unwrap()
    }

    fn answer(rule_set: &RuleSet, question: &str, ids: &[&str]) -> Reply {
        let question = &rule_set.questionnaire.questions[rule_set.questionnaire.index_of(question).unwrap()];
        let bit = |id: &&str| 1u64 << question.option_index(id).unwrap();
        Reply::Answer(match question.kind {
            crate::questionnaire::QuestionKind::OneOf => Answer::Choice(question.option_index(ids[0]).unwrap() as u8),
            _ => Answer::Choices(ids.iter().map(bit).sum()),
        })
    }

    /// A desk call with no red flags, in questionnaire order.
    fn typical(rule_set: &RuleSet) -> Vec<Result<Reply, Review>> {
        vec![
            Ok(answer(rule_set, "red_flags", &[])),
            Ok(answer(rule_set, "duration", &["chronic"])),
            Ok(Reply::Answer(Answer::Number(5))),
            Ok(Reply::Answer(Answer::YesNo(false))),
            Ok(answer(rule_set, "location", &["lower_back"])),
            Ok(answer(rule_set, "onset", &["posture_stress"])),
            Ok(answer(rule_set, "contraindications", &[])),
            Ok(Reply::Answer(Answer::Number(41))),
            Ok(answer(rule_set, "pressure", &["medium"])),
        ]
    }

    fn index(rule_set: &RuleSet, id: &str) -> usize {
        rule_set.questionnaire.index_of(id).unwrap()
    }

    /// The questions a typical intake asks: all but the pregnancy one.
    fn typical_order(rule_set: &RuleSet) -> Vec<usize> {
        let skipped = index(rule_set, "pregnancy_signs");
        (0..rule_set.questionnaire.questions.len()).filter(|q| *q != skipped).collect()
    }

    #[test]
    fn ctrl_c_is_an_interruption_and_a_lost_terminal_a_closed_one() {
        let interrupted = std::io::Error::new(std::io::ErrorKind::Interrupted, "read interrupted");
        assert!(matches!(Stop::from(interrupted), Stop::Interrupted));
        let eof = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "Reached end of file");
        assert!(matches!(Stop::from(eof), Stop::Closed(_)));
    }

    #[test]
    fn a_typical_intake_asks_every_question_in_order_then_confirms() {
        let rule_set = rule_set();
        let mut replies = typical(&rule_set);
        replies.push(Err(Review::Confirm));
        let mut script = Script::new(replies);
        let finished = run(&rule_set, &mut script).unwrap();
        assert_eq!(script.asked.iter().map(|(i, _)| *i).collect::<Vec<_>>(), typical_order(&rule_set));
        assert_eq!(finished.settled, None);
        assert_eq!(finished.answers[index(&rule_set, "pregnancy_signs")], Some(Answer::NotAsked));
        assert!(finished.complete(&rule_set.questionnaire, None).is_some());
        assert_eq!(script.reviews, 1);
    }

    #[test]
    fn an_emergency_ends_the_intake_after_the_first_question() {
        let rule_set = rule_set();
        let mut script = Script::new(vec![Ok(answer(&rule_set, "red_flags", &["chest_abdomen"]))]);
        let finished = run(&rule_set, &mut script).unwrap();
        assert_eq!(finished.settled, Some(Urgency::Emergency));
        assert_eq!(script.announced, Some(Urgency::Emergency));
        assert_eq!(script.asked.len(), 1);
        assert_eq!(finished.unanswered(&rule_set.questionnaire).len(), 9);
        assert!(script.told.contains("911"), "{}", script.told);
    }

    #[test]
    fn going_back_offers_the_earlier_answer_and_walks_on_with_the_later_ones() {
        let rule_set = rule_set();
        let typical = typical(&rule_set);
        let mut replies = typical[..3].to_vec();
        replies.push(Ok(Reply::Back)); // at worsening: back to severity
        replies.push(Ok(Reply::Back)); // at severity: back to duration
        replies.push(Ok(answer(&rule_set, "duration", &["acute"])));
        replies.push(Ok(Reply::Answer(Answer::Number(5)))); // severity again
        replies.extend(typical[3..].iter().cloned());
        replies.push(Err(Review::Confirm));
        let mut script = Script::new(replies);
        let finished = run(&rule_set, &mut script).unwrap();
        let asked: Vec<usize> = script.asked.iter().map(|(i, _)| *i).collect();
        assert_eq!(asked, [0, 1, 2, 3, 2, 1, 2, 3, 4, 5, 6, 8, 9]);
        // Severity was offered its earlier answer when it came round again.
        assert_eq!(script.asked[4].1, Some(Answer::Number(5)));
        assert_eq!(finished.answers[1], Some(Answer::Choice(0)));
    }

    #[test]
    fn back_at_the_first_question_stays_there() {
        let rule_set = rule_set();
        let mut replies = vec![Ok(Reply::Back)];
        replies.extend(typical(&rule_set));
        replies.push(Err(Review::Confirm));
        let mut script = Script::new(replies);
        run(&rule_set, &mut script).unwrap();
        assert_eq!(script.asked[0].0, 0);
        assert_eq!(script.asked[1].0, 0);
    }

    #[test]
    fn changing_an_answer_from_the_summary_returns_to_the_summary() {
        let rule_set = rule_set();
        let mut replies = typical(&rule_set);
        let age = index(&rule_set, "age");
        replies.push(Err(Review::Change(age)));
        replies.push(Ok(Reply::Answer(Answer::Number(80))));
        replies.push(Err(Review::Confirm));
        let mut script = Script::new(replies);
        let finished = run(&rule_set, &mut script).unwrap();
        assert_eq!(script.reviews, 2);
        assert_eq!(script.asked.last().unwrap(), &(age, Some(Answer::Number(41))));
        assert_eq!(finished.answers[age], Some(Answer::Number(80)));
    }

    #[test]
    fn changing_a_red_flag_from_the_summary_to_an_emergency_ends_at_once_and_drops_the_rest() {
        let rule_set = rule_set();
        let mut replies = typical(&rule_set);
        replies.push(Err(Review::Change(0)));
        replies.push(Ok(answer(&rule_set, "red_flags", &["leg_weakness"])));
        let mut script = Script::new(replies);
        let finished = run(&rule_set, &mut script).unwrap();
        assert_eq!(finished.settled, Some(Urgency::Emergency));
        assert!(finished.answers[1..].iter().all(Option::is_none));
    }

    #[test]
    fn a_routine_referral_ends_once_nothing_more_urgent_can_follow() {
        let rule_set = rule_set();
        let typical = typical(&rule_set);
        let mut replies = typical[..2].to_vec();
        replies.push(Ok(Reply::Answer(Answer::Number(9))));
        replies.push(typical[5]);
        replies.push(typical[6]);
        replies.push(Err(Review::Confirm));
        let mut script = Script::new(replies);
        let finished = run(&rule_set, &mut script).unwrap();
        assert_eq!(script.pending, [Urgency::Routine], "shown with the answers before it is told");
        // Severity 9 makes a referral certain: only what could make it more urgent is asked
        // (how it started: shingles or a fall when frail; a clot or a pregnancy sign; age only
        // after new pain), and after the contraindications, with no pregnancy, nothing can.
        assert_eq!(finished.settled, Some(Urgency::Routine));
        assert_eq!(script.asked.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1, 2, 5, 6]);
    }

    #[test]
    fn the_pregnancy_question_is_asked_right_after_the_contraindications_and_only_when_pregnant() {
        let rule_set = rule_set();
        let signs = index(&rule_set, "pregnancy_signs");
        let mut replies = typical(&rule_set);
        replies[6] = Ok(answer(&rule_set, "contraindications", &["pregnancy"]));
        replies.insert(7, Ok(answer(&rule_set, "pregnancy_signs", &[])));
        replies.push(Err(Review::Confirm));
        let mut script = Script::new(replies);
        let finished = run(&rule_set, &mut script).unwrap();
        let asked: Vec<usize> = script.asked.iter().map(|(i, _)| *i).collect();
        assert_eq!(asked, (0..rule_set.questionnaire.questions.len()).collect::<Vec<_>>());
        assert_eq!(finished.answers[signs], Some(Answer::Choices(0)));
        assert!(finished.complete(&rule_set.questionnaire, None).is_some());
    }

    #[test]
    fn taking_back_the_pregnancy_from_the_summary_drops_the_pregnancy_answer() {
        let rule_set = rule_set();
        let (contraindications, signs) = (index(&rule_set, "contraindications"), index(&rule_set, "pregnancy_signs"));
        let mut replies = typical(&rule_set);
        replies[6] = Ok(answer(&rule_set, "contraindications", &["pregnancy"]));
        replies.insert(7, Ok(answer(&rule_set, "pregnancy_signs", &[])));
        replies.push(Err(Review::Change(contraindications)));
        replies.push(Ok(answer(&rule_set, "contraindications", &[])));
        replies.push(Err(Review::Confirm));
        let mut script = Script::new(replies);
        let finished = run(&rule_set, &mut script).unwrap();
        assert_eq!(finished.answers[signs], Some(Answer::NotAsked));
        assert!(finished.complete(&rule_set.questionnaire, None).is_some());
    }

    #[test]
    fn labour_signs_end_the_intake_with_the_maternity_unit() {
        let rule_set = rule_set();
        let mut replies = typical(&rule_set);
        replies[6] = Ok(answer(&rule_set, "contraindications", &["pregnancy"]));
        replies.truncate(7);
        replies.push(Ok(answer(&rule_set, "pregnancy_signs", &["contractions"])));
        let mut script = Script::new(replies);
        let finished = run(&rule_set, &mut script).unwrap();
        assert_eq!(finished.settled, Some(Urgency::Emergency));
        assert!(script.told.contains("maternity unit"), "{}", script.told);
    }

    #[test]
    fn answers_that_rarely_go_together_are_asked_once_more_and_can_be_changed() {
        let rule_set = rule_set();
        let age = index(&rule_set, "age");
        let mut replies = typical(&rule_set);
        replies[6] = Ok(answer(&rule_set, "contraindications", &["pregnancy"]));
        replies.insert(7, Ok(answer(&rule_set, "pregnancy_signs", &[])));
        replies[8] = Ok(Reply::Answer(Answer::Number(61)));
        // "No, change it": the age is asked again, and 31 needs no confirmation.
        replies.insert(9, Ok(Reply::Answer(Answer::Number(31))));
        replies.push(Err(Review::Confirm));
        let mut script = Script::new(replies);
        script.confirms.push_back(false);
        let finished = run(&rule_set, &mut script).unwrap();
        assert_eq!(script.confirmations.len(), 1, "{:?}", script.confirmations);
        assert!(script.confirmations[0].contains("56"), "{:?}", script.confirmations);
        assert_eq!(finished.answers[age], Some(Answer::Number(31)));
        assert!(finished.confirmed.is_empty());
        // Confirmed instead, the combination stands and is remembered.
        let mut replies = typical(&rule_set);
        replies[6] = Ok(answer(&rule_set, "contraindications", &["pregnancy"]));
        replies.insert(7, Ok(answer(&rule_set, "pregnancy_signs", &[])));
        replies[8] = Ok(Reply::Answer(Answer::Number(61)));
        replies.push(Err(Review::Confirm));
        let mut script = Script::new(replies);
        let finished = run(&rule_set, &mut script).unwrap();
        assert_eq!(finished.answers[age], Some(Answer::Number(61)));
        assert_eq!(finished.confirmed.len(), 1);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod not_asked_tests {
    use super::*;
    use crate::questionnaire::QuestionKind;
    use proptest::prelude::*;

    /// Answers every question from a fixed set of answers, and confirms every summary.
    struct Caller {
        answers: Vec<Answer>,
        asked: Vec<usize>,
    }

    impl Asker for Caller {
        fn ask(&mut self, ask: &Ask<'_>) -> Result<Reply, Stop> {
            self.asked.push(ask.index);
            Ok(Reply::Answer(self.answers[ask.index]))
        }
        fn review(
            &mut self,
            _: &Questionnaire,
            _: &PartialAnswers,
            _: Option<(Urgency, &str)>,
        ) -> Result<Review, Stop> {
            Ok(Review::Confirm)
        }
        fn announce(&mut self, _: Urgency, _: &str, _: &str) -> Result<(), Stop> {
            Ok(())
        }
        fn confirm(&mut self, _: &str) -> Result<bool, Stop> {
            Ok(true)
        }
    }

    /// An answer to each question, from seeds.
    fn answers_of(questionnaire: &Questionnaire, seeds: &[u64]) -> Vec<Answer> {
        questionnaire
            .questions
            .iter()
            .zip(seeds)
            .map(|(question, seed)| {
                let options = question.options.len().max(1) as u64;
                match question.kind {
                    QuestionKind::OneOf => Answer::Choice((seed % options) as u8),
                    // Mostly none of these or one option, as callers answer.
                    QuestionKind::SeveralOf { min_selected } => {
                        let one = 1u64 << (seed % options);
                        let bits = if seed % 5 == 0 || min_selected > 0 { one } else { 0 };
                        Answer::Choices(bits)
                    }
                    QuestionKind::Number { min, max } => {
                        let span = u64::try_from(max - min).unwrap_or(u64::MAX).saturating_add(1);
                        Answer::Number(min + (seed % span) as i64)
                    }
                    QuestionKind::YesNo => Answer::YesNo(seed % 2 == 0),
                }
            })
            .collect()
    }

    proptest! {
        /// Whenever an intake ends early on a referral, the "not asked" list names exactly
        /// the questions that were never put (a conditional question not called for aside).
        #[test]
        fn the_not_asked_list_names_exactly_the_questions_never_put(
            seeds in prop::collection::vec(any::<u64>(), 16)
        ) {
            let rule_set = RuleSet::built_in().unwrap();
            let questionnaire = &rule_set.questionnaire;
            let mut caller = Caller { answers: answers_of(questionnaire, &seeds), asked: Vec::new() };
            let finished = run(&rule_set, &mut caller).unwrap();
            if finished.settled.is_some() {
                let listed = outcome::not_asked(&rule_set, &finished.answers, &finished.asked);
                let never_put: Vec<&str> = questionnaire
                    .questions
                    .iter()
                    .enumerate()
                    .filter(|(q, question)| {
                        !caller.asked.contains(q)
                            && question.ask_when.as_ref().is_none_or(|w| w.truth(&finished.answers) != crate::condition::Truth::No)
                    })
                    .map(|(_, question)| question.id.as_str())
                    .collect();
                prop_assert_eq!(listed, never_put);
            }
        }
    }
}
