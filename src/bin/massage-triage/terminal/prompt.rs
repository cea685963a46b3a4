//! The intake on a terminal: our own lists and number field on standard error, one per
//! question, with "Question 3 of 9", the highlighted option's help, a "← previous question"
//! entry (or Esc), numbers checked as typed, and the summary before the result.

use super::field::{Field, Typed};
use super::list::{Chosen, Entry, List, Role};
use super::theme::Look;
use super::wrap::Width;
use console::Term;
use massage_triage::answers::{Answer, Naming};
use massage_triage::intake::skip::PartialAnswers;
use massage_triage::intake::{Ask, Asker, Reply, Review, Stop};
use massage_triage::questionnaire::{Question, QuestionKind, Questionnaire};
use massage_triage::recommendation::Urgency;
use massage_triage::report::{referral_banner, Audience, Paint};

/// The choice that returns to the previous question.
pub(crate) const PREVIOUS: &str = "← previous question";
/// The desk's choice that shows the question's help.
pub(crate) const HELP: &str = "? what this question means";
/// The several-of choice that says "none of these" explicitly.
pub(crate) const NONE_OF_THESE: &str = "None of these";
/// What is typed at a number question to return to the previous question.
pub(crate) const TYPE_BACK: &str = "<";
/// What is typed at a number question to see its help.
pub(crate) const TYPE_HELP: &str = "?";
/// The help key in a prompt's hint, never split from its word at a line's end (a
/// no-break space).
pub(super) const HINT_HELP: &str = "?\u{a0}help";
/// What going back to the previous question is called in a prompt's hint.
pub(super) const GO_BACK: &str = "previous question";
/// Said when the first question is asked to go back.
pub(super) const FIRST_QUESTION: &str = "This is the first question: there is no previous one.";
/// The choice that changes the answer just given, when answers rarely go together.
pub(crate) const CHANGE_ANSWER: &str = "No: change the last answer";
/// The choice that keeps answers that rarely go together.
pub(crate) const KEEP_ANSWERS: &str = "Yes: they are right, keep them";
/// The question put about answers that rarely go together.
pub(super) const RARELY_TOGETHER: &str = "These answers rarely go together. Are they right?";
/// The summary's heading.
pub(super) const SUMMARY: &str = "Summary of the answers";
/// The question put under the summary, and its two choices.
pub(super) const ANSWERS_RIGHT: &str = "Are these answers right?";
pub(super) const CONFIRM: &str = "Confirm: show the result";
pub(super) const CHANGE: &str = "Change an answer";
/// The question that picks the answer to change, and its way back to the summary.
pub(super) const WHICH_ANSWER: &str = "Which answer?";
pub(super) const BACK_TO_SUMMARY: &str = "← back to the summary";
/// The line under an early end.
pub(super) const NO_MORE_QUESTIONS: &str = "The answers settle a physician referral: no more questions.";

/// Asks the questions on standard error.
pub(crate) struct TerminalAsker {
    /// Buffered: a redraw is written whole, then flushed.
    term: Term,
    audience: Audience,
    paint: Paint,
    walk: Walk,
}

/// Where the walk through the questionnaire is, to say which questions were passed over
/// on the way forward.
#[derive(Default)]
pub(super) struct Walk {
    /// The question asked last.
    last_asked: Option<usize>,
}

impl Walk {
    /// The questions passed over since the last one asked (empty going back), as this one
    /// is asked.
    pub(super) fn passed_over(&mut self, ask: &Ask<'_>) -> std::ops::Range<usize> {
        let first_skipped = self.last_asked.map_or(0, |last| last + 1);
        self.last_asked = Some(ask.index);
        first_skipped..ask.index.max(first_skipped)
    }
}

impl TerminalAsker {
    /// Prompts on standard error with its colour decision, worded for `audience`.
    pub(crate) fn new(audience: Audience, paint: Paint) -> Self {
        TerminalAsker { term: Term::buffered_stderr(), audience, paint, walk: Walk::default() }
    }

    /// Shows the cursor again (a list hides it while it is open).
    pub(crate) fn restore(&self) {
        let _ = self.term.show_cursor();
        let _ = self.term.flush();
    }

    fn look(&self) -> Look {
        Look::new(self.paint)
    }

    /// Writes text that stays on the screen, wrapped at word boundaries to the window.
    fn line(&self, text: &str) -> Result<(), Stop> {
        for row in Width::Measured(self.term.clone()).wrap(text) {
            self.term.write_line(&row)?;
        }
        self.term.flush()?;
        Ok(())
    }

    /// Writes the answer under the question once it is given.
    fn report(&self, ask: &Ask<'_>, answer: Answer) -> Result<(), Stop> {
        self.line(&given(self.audience, ask, answer, self.paint))
    }

    /// A question's entries: its options (numbered, each with its help and group), then
    /// "none of these", previous and help.
    fn entries(&self, ask: &Ask<'_>, labels: &[&str], none_of_these: bool) -> Vec<Entry> {
        let options = &ask.question.options;
        let mut entries: Vec<Entry> = labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let option = options.get(i);
                Entry::answer(label, option.map_or("", |o| &o.help), option.and_then(|o| o.group.as_deref()))
            })
            .collect();
        if none_of_these {
            entries.push(Entry::other(NONE_OF_THESE, Role::Unnumbered));
        }
        if ask.can_go_back {
            entries.push(Entry::other(PREVIOUS, Role::Back));
        }
        if self.audience == Audience::Desk && !ask.question.help.is_empty() {
            entries.push(Entry::other(HELP, Role::Help));
        }
        entries
    }

    /// The list for a question: its prompt, help and way back.
    fn list<'a>(&self, ask: &'a Ask<'_>, list: List<'a>) -> List<'a> {
        list.with_help(&ask.question.help).going_back(ask.can_go_back.then_some(GO_BACK), FIRST_QUESTION)
    }

    fn ask_one_of(&self, ask: &Ask<'_>, labels: &[&str]) -> Result<Reply, Stop> {
        // Nothing is chosen until the person chooses (Enter does nothing, an arrow key
        // lands on the first option): an Enter pressed too soon is not read as the first
        // answer. Going back, the earlier answer is chosen.
        let highlight = match ask.default {
            Some(Answer::Choice(i)) => Some(usize::from(i)),
            Some(Answer::YesNo(value)) => Some(usize::from(!value)),
            _ => None,
        };
        let list = List::one_of(self.prompt(ask), self.entries(ask, labels, false)).highlighting(highlight);
        match self.list(ask, list).run(&self.term, self.look())? {
            Chosen::Entry(picked) if picked < labels.len() => {
                let answer = match ask.question.kind {
                    QuestionKind::YesNo => Answer::YesNo(picked == 0),
                    _ => Answer::Choice(picked as u8),
                };
                self.report(ask, answer)?;
                Ok(Reply::Answer(answer))
            }
            _ => Ok(Reply::Back),
        }
    }

    fn ask_several_of(&self, ask: &Ask<'_>, min_selected: usize) -> Result<Reply, Stop> {
        let options = &ask.question.options;
        let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
        let entries = self.entries(ask, &labels, min_selected == 0);
        let none_at = (min_selected == 0).then_some(options.len());
        let mut ticks = vec![false; entries.len()];
        if let Some(Answer::Choices(bits)) = ask.default {
            for (i, tick) in ticks.iter_mut().enumerate().take(options.len()) {
                *tick = bits & (1 << i) != 0;
            }
            if let (0, Some(none_at)) = (bits, none_at) {
                ticks[none_at] = true;
            }
        }
        let bits_of = |ticks: &[bool]| -> u64 { (0..options.len()).filter(|i| ticks[*i]).map(|i| 1u64 << i).sum() };
        let check = |ticks: &[bool]| several_problem(bits_of(ticks), none_at.map(|i| ticks[i]), min_selected);
        let list = List::several_of(self.prompt(ask), entries, ticks, check);
        match self.list(ask, list).run(&self.term, self.look())? {
            Chosen::Ticks(ticks) => {
                let answer = Answer::Choices(bits_of(&ticks));
                self.report(ask, answer)?;
                Ok(Reply::Answer(answer))
            }
            _ => Ok(Reply::Back),
        }
    }

    fn ask_number(&self, ask: &Ask<'_>, min: i64, max: i64) -> Result<Reply, Stop> {
        let mut hints = vec![format!("{min} to {max}")];
        if ask.can_go_back {
            hints.push(format!("Esc {GO_BACK}"));
        }
        hints.push(HINT_HELP.to_owned());
        let prompt = format!("{} ({})", self.prompt(ask), hints.join(", "));
        let default = match ask.default {
            Some(Answer::Number(n)) => Some(n),
            _ => None,
        };
        let field = Field::new(prompt, &ask.question.help, min, max).keeping(default, ask.can_go_back, FIRST_QUESTION);
        match field.run(&self.term, self.look())? {
            Typed::Number(n) => {
                let answer = Answer::Number(n);
                self.report(ask, answer)?;
                Ok(Reply::Answer(answer))
            }
            Typed::Back => Ok(Reply::Back),
        }
    }

    fn prompt(&self, ask: &Ask<'_>) -> String {
        prompt(self.audience, ask)
    }

    /// A menu under the summary or a check: numbered choices, then `back_entry` when there
    /// is one; the first highlighted; Esc does what `esc` says (as the back entry does).
    fn menu(&self, prompt: &str, labels: &[String], back_entry: Option<&str>, esc: &str) -> Result<Chosen, Stop> {
        let mut entries: Vec<Entry> = labels.iter().map(|l| Entry::answer(l, "", None)).collect();
        entries.extend(back_entry.map(|back| Entry::other(back, Role::Back)));
        let list = List::one_of(prompt.to_owned(), entries).highlighting(Some(0)).going_back(Some(esc), "");
        Ok(list.run(&self.term, self.look())?)
    }

    fn say_skipped(&self, range: std::ops::Range<usize>, answers: &PartialAnswers) -> Result<(), Stop> {
        skipped_lines(range, answers).iter().try_for_each(|line| self.line(&self.paint.faint(line)))
    }
}

/// Why the ticks of a several-of question are not an answer, if they are not; `none` is
/// whether "None of these" is ticked, when the question has it.
fn several_problem(bits: u64, none: Option<bool>, min_selected: usize) -> Option<String> {
    match none {
        Some(true) if bits != 0 => {
            Some(format!("\"{NONE_OF_THESE}\" cannot go with other answers: untick one or the other."))
        }
        Some(false) if bits == 0 => {
            Some(format!("Nothing ticked: tick every one that applies, or \"{NONE_OF_THESE}\"."))
        }
        _ if (bits.count_ones() as usize) < min_selected => Some(format!("Tick at least {min_selected}.")),
        _ => None,
    }
}

/// "Question 3 of 9" above the wording; the therapist sees the question's help too.
pub(super) fn prompt(audience: Audience, ask: &Ask<'_>) -> String {
    let heading = format!("Question {} of {}", ask.index + 1, ask.total);
    let wording = wording(audience, ask.question);
    match audience {
        Audience::Therapist if !ask.question.help.is_empty() => {
            format!("{heading} · {}\n{wording}", ask.question.help)
        }
        _ => format!("{heading}\n{wording}"),
    }
}

/// The question as `audience` hears it.
pub(super) fn wording(audience: Audience, question: &Question) -> &str {
    match audience {
        Audience::Desk => &question.desk,
        Audience::Therapist => &question.therapist,
    }
}

/// The line written under a question once it is answered: "3/10 How bad... 5".
pub(super) fn given(audience: Audience, ask: &Ask<'_>, answer: Answer, paint: Paint) -> String {
    let heading = paint.faint(&format!("{}/{}", ask.index + 1, ask.total));
    let text = answer_in_words(ask.question, answer);
    format!("{heading} {} {}", wording(audience, ask.question), paint.good(&text))
}

/// Which questions were passed over on the way forward, and why: a conditional question
/// whose condition fails is not asked; any other could change nothing.
pub(super) fn skipped_lines(range: std::ops::Range<usize>, answers: &PartialAnswers) -> Vec<String> {
    let (not_asked, settled): (Vec<usize>, Vec<usize>) =
        range.partition(|q| answers.get(*q) == Some(&Some(Answer::NotAsked)));
    let numbers = |qs: &[usize]| qs.iter().map(|q| (q + 1).to_string()).collect::<Vec<_>>().join(", ");
    let what = |qs: &[usize]| if qs.len() == 1 { "Question" } else { "Questions" };
    let mut lines = Vec::new();
    if !settled.is_empty() {
        lines.push(format!(
            "{} {} skipped: the answers so far leave nothing for it to change.",
            what(&settled),
            numbers(&settled)
        ));
    }
    if !not_asked.is_empty() {
        lines.push(format!(
            "{} {} not asked: the answers so far do not call for it.",
            what(&not_asked),
            numbers(&not_asked)
        ));
    }
    lines
}

/// The summary, one numbered line a question: " 3. Severity: 5".
pub(super) fn summary_lines(questionnaire: &Questionnaire, answers: &PartialAnswers) -> Vec<String> {
    summary_answers(questionnaire, answers)
        .iter()
        .enumerate()
        .map(|(i, line)| format!("{:>2}. {line}", i + 1))
        .collect()
}

/// Each question's answer as the summary names it, without its number: "Severity: 5".
fn summary_answers(questionnaire: &Questionnaire, answers: &PartialAnswers) -> Vec<String> {
    questionnaire
        .questions
        .iter()
        .zip(answers)
        .map(|(question, answer)| {
            let text = answer.map_or_else(|| "(not asked)".to_owned(), |a| answer_in_words(question, a));
            format!("{}: {text}", heading_of(question))
        })
        .collect()
}

/// Why a question reached from the summary cannot be changed there: it is asked only when
/// an earlier answer calls for it.
pub(super) fn not_changeable(questionnaire: &Questionnaire, index: usize) -> String {
    let question = &questionnaire.questions[index];
    let when = question.ask_when.as_ref().map_or_else(String::new, |w| w.describe(questionnaire));
    format!("That question is asked only when {when}: change that answer instead.")
}

/// The line that shows a referral not yet told, under the summary.
pub(super) fn pending_referral(urgency: Urgency, why: &str) -> String {
    format!("These answers call for a physician ({}): {why}", urgency.id())
}

/// Checks a typed number, with a message a person can act on.
pub(super) fn check_number(typed: &str, min: i64, max: i64) -> Result<i64, String> {
    match typed.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(n) => Err(format!("{n} is out of range: type a whole number from {min} to {max}.")),
        Err(_) if typed.is_empty() => Err(format!("Type a whole number from {min} to {max}.")),
        Err(_) => Err(format!("\"{typed}\" is not a whole number: type a number from {min} to {max}.")),
    }
}

/// A question's name in the summary: its id in words ("Red flags").
fn heading_of(question: &Question) -> String {
    let words = question.id.replace('_', " ");
    let mut chars = words.chars();
    chars.next().map_or(String::new(), |first| first.to_uppercase().chain(chars).collect())
}

/// An answer in the questionnaire's labels.
pub(crate) fn answer_in_words(question: &Question, answer: Answer) -> String {
    answer.shown(question).words(Naming::Labels)
}

impl Asker for TerminalAsker {
    fn ask(&mut self, ask: &Ask<'_>) -> Result<Reply, Stop> {
        let passed_over = self.walk.passed_over(ask);
        self.say_skipped(passed_over, ask.answers)?;
        let labels: Vec<&str> = ask.question.options.iter().map(|o| o.label.as_str()).collect();
        match ask.question.kind {
            QuestionKind::OneOf => self.ask_one_of(ask, &labels),
            QuestionKind::YesNo => self.ask_one_of(ask, &["Yes", "No"]),
            QuestionKind::SeveralOf { min_selected } => self.ask_several_of(ask, min_selected),
            QuestionKind::Number { min, max } => self.ask_number(ask, min, max),
        }
    }

    fn review(
        &mut self,
        questionnaire: &Questionnaire,
        answers: &PartialAnswers,
        referral: Option<(Urgency, &str)>,
    ) -> Result<Review, Stop> {
        let lines = summary_lines(questionnaire, answers);
        loop {
            self.line("")?;
            self.line(&self.paint.strong(SUMMARY))?;
            for line in &lines {
                self.line(line)?;
            }
            if let Some((urgency, why)) = referral {
                // Not yet told: the answers so far settle a referral; check them first.
                self.line("")?;
                self.line(&self.paint.warn(&pending_referral(urgency, why)))?;
            }
            match self.menu(ANSWERS_RIGHT, &[CONFIRM.to_owned(), CHANGE.to_owned()], None, GO_BACK)? {
                Chosen::Back => return Ok(Review::Back),
                Chosen::Entry(0) => {
                    // A blank line between the summary and the result that follows.
                    self.line("")?;
                    return Ok(Review::Confirm);
                }
                _ => {}
            }
            let items = summary_answers(questionnaire, answers);
            let back = "back to the summary";
            if let Chosen::Entry(index) = self.menu(WHICH_ANSWER, &items, Some(BACK_TO_SUMMARY), back)? {
                if answers[index] == Some(Answer::NotAsked) {
                    self.line(&self.paint.warn(&not_changeable(questionnaire, index)))?;
                    continue;
                }
                return Ok(Review::Change(index));
            }
        }
    }

    fn announce(&mut self, urgency: Urgency, tell: &str, why: &str) -> Result<(), Stop> {
        let level = referral_banner(urgency, tell, self.paint);
        self.line("")?;
        self.line(&level)?;
        if !why.is_empty() {
            self.line(&format!("Why: {why}"))?;
        }
        self.line(&self.paint.faint(NO_MORE_QUESTIONS))
    }

    fn confirm(&mut self, message: &str) -> Result<bool, Stop> {
        self.line(&self.paint.warn(&format!("Please check: {message}")))?;
        // Changing is first: a stray Enter asks again rather than keep a likely slip.
        let choices = [CHANGE_ANSWER.to_owned(), KEEP_ANSWERS.to_owned()];
        Ok(self.menu(RARELY_TOGETHER, &choices, None, "change the last answer")? == Chosen::Entry(1))
    }
}
