//! The intake on a terminal: dialoguer prompts on standard error, one per question, with
//! "Question 3 of 9", the highlighted option's help, a "← previous question" choice (or
//! Esc), numbers checked as typed, and the summary before the result.

use super::theme::IntakeTheme;
use dialoguer::console::Term;
use dialoguer::{Input, MultiSelect, Select};
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

/// A prompt's failure as the intake sees it (Ctrl-C read in raw mode is `Interrupted`).
fn stop(error: dialoguer::Error) -> Stop {
    let dialoguer::Error::IO(error) = error;
    Stop::from(error)
}

/// Asks the questions on standard error.
pub(crate) struct TerminalAsker {
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
        TerminalAsker { term: Term::stderr(), audience, paint, walk: Walk::default() }
    }

    /// Shows the cursor again (dialoguer hides it while a choice is open).
    pub(crate) fn restore(&self) {
        let _ = self.term.show_cursor();
        let _ = self.term.flush();
    }

    fn prompt(&self, ask: &Ask<'_>) -> String {
        prompt(self.audience, ask)
    }

    fn line(&self, text: &str) -> Result<(), Stop> {
        self.term.write_line(text)?;
        Ok(())
    }

    fn show_help(&self, question: &Question) -> Result<(), Stop> {
        self.line(&self.paint.faint(&format!("  {}", question.help)))
    }

    /// Writes the answer under the question once it is given.
    fn report(&self, ask: &Ask<'_>, answer: Answer) -> Result<(), Stop> {
        self.line(&given(self.audience, ask, answer, self.paint))
    }

    /// Items after the options: "none of these", previous, help.
    fn extras(&self, ask: &Ask<'_>, none_of_these: bool) -> Vec<&'static str> {
        let mut extras = Vec::new();
        if none_of_these {
            extras.push(NONE_OF_THESE);
        }
        if ask.can_go_back {
            extras.push(PREVIOUS);
        }
        if self.audience == Audience::Desk && !ask.question.help.is_empty() {
            extras.push(HELP);
        }
        extras
    }

    fn theme(&self, question: &Question) -> IntakeTheme {
        let helps = question.options.iter().map(|o| (o.label.clone(), o.help.clone())).collect();
        // A heading above the first option of each group: the desk reads the groups out,
        // most urgent first.
        let mut headings = Vec::new();
        let mut previous = None;
        for option in &question.options {
            if let Some(group) = option.group.as_ref().filter(|g| Some(*g) != previous) {
                headings.push((option.label.clone(), group.clone()));
            }
            previous = option.group.as_ref();
        }
        IntakeTheme::new(self.paint, helps).with_headings(headings)
    }

    fn ask_one_of(&self, ask: &Ask<'_>, labels: &[&str]) -> Result<Reply, Stop> {
        let extras = self.extras(ask, false);
        let theme = self.theme(ask.question);
        // Nothing is chosen until the person chooses (dialoguer's "no item": Enter does
        // nothing, an arrow key lands on the first option): an Enter pressed too soon is
        // not read as the first answer. Going back, the earlier answer is chosen.
        let default = match ask.default {
            Some(Answer::Choice(i)) => usize::from(i),
            Some(Answer::YesNo(value)) => usize::from(!value),
            _ => usize::MAX,
        };
        loop {
            let select = || {
                Select::with_theme(&theme)
                    .with_prompt(self.prompt(ask))
                    .items(labels.iter().chain(&extras))
                    .default(default)
                    .report(false)
                    .interact_on_opt(&self.term)
            };
            let Some(picked) = until_picked(ask, select)? else {
                return Ok(Reply::Back);
            };
            if picked < labels.len() {
                let answer = match ask.question.kind {
                    QuestionKind::YesNo => Answer::YesNo(picked == 0),
                    _ => Answer::Choice(picked as u8),
                };
                self.report(ask, answer)?;
                return Ok(Reply::Answer(answer));
            }
            match extras[picked - labels.len()] {
                PREVIOUS => return Ok(Reply::Back),
                // Asked again with the help shown, the highlight back on the answer.
                _ => self.show_help(ask.question)?,
            }
        }
    }

    fn ask_several_of(&self, ask: &Ask<'_>, min_selected: usize) -> Result<Reply, Stop> {
        let options = &ask.question.options;
        let extras = self.extras(ask, min_selected == 0);
        let theme = self.theme(ask.question);
        let none_at = (min_selected == 0).then_some(options.len());
        let mut ticks: Vec<bool> = vec![false; options.len() + extras.len()];
        if let Some(Answer::Choices(bits)) = ask.default {
            for (i, tick) in ticks.iter_mut().enumerate().take(options.len()) {
                *tick = bits & (1 << i) != 0;
            }
            if let (0, Some(none_at)) = (bits, none_at) {
                ticks[none_at] = true;
            }
        }
        loop {
            let select = || {
                MultiSelect::with_theme(&theme)
                    .with_prompt(format!("{}\n(space ticks, enter confirms)", self.prompt(ask)))
                    .items(options.iter().map(|o| o.label.as_str()).chain(extras.iter().copied()))
                    .defaults(&ticks)
                    .report(false)
                    .interact_on_opt(&self.term)
            };
            let Some(picked) = until_picked(ask, select)? else {
                return Ok(Reply::Back);
            };
            ticks = vec![false; options.len() + extras.len()];
            picked.iter().for_each(|i| ticks[*i] = true);
            let extra_ticked =
                |name: &str| extras.iter().position(|e| *e == name).is_some_and(|i| ticks[options.len() + i]);
            if extra_ticked(PREVIOUS) {
                return Ok(Reply::Back);
            }
            if let Some(help_at) = extras.iter().position(|e| *e == HELP).filter(|i| ticks[options.len() + i]) {
                // Asked again with the help shown and its tick taken off (it is not an answer).
                ticks[options.len() + help_at] = false;
                self.show_help(ask.question)?;
                continue;
            }
            let bits: u64 = picked.iter().filter(|i| **i < options.len()).map(|i| 1u64 << i).sum();
            let none = extra_ticked(NONE_OF_THESE);
            let problem = if none && bits != 0 {
                Some(format!("\"{NONE_OF_THESE}\" cannot go with other answers: untick one or the other."))
            } else if min_selected == 0 && !none && bits == 0 {
                Some(format!("Nothing ticked: tick every one that applies, or \"{NONE_OF_THESE}\"."))
            } else if (bits.count_ones() as usize) < min_selected {
                Some(format!("Tick at least {min_selected}."))
            } else {
                None
            };
            match problem {
                Some(problem) => self.line(&self.paint.warn(&problem))?,
                None => {
                    let answer = Answer::Choices(bits);
                    self.report(ask, answer)?;
                    return Ok(Reply::Answer(answer));
                }
            }
        }
    }

    fn ask_number(&self, ask: &Ask<'_>, min: i64, max: i64) -> Result<Reply, Stop> {
        let theme = IntakeTheme::new(self.paint, Vec::new());
        let mut hints = vec![format!("{min} to {max}")];
        if ask.can_go_back {
            hints.push(format!("{TYPE_BACK} previous question"));
        }
        hints.push(format!("{TYPE_HELP} help"));
        let prompt = format!("{} ({})", self.prompt(ask), hints.join(", "));
        let can_go_back = ask.can_go_back;
        loop {
            let mut input = Input::<String>::with_theme(&theme)
                .with_prompt(prompt.clone())
                .report(false)
                .validate_with(move |text: &String| -> Result<(), String> {
                    match text.trim() {
                        TYPE_HELP => Ok(()),
                        TYPE_BACK if can_go_back => Ok(()),
                        TYPE_BACK => Err("This is the first question: there is no previous one.".to_owned()),
                        typed => check_number(typed, min, max).map(|_| ()),
                    }
                });
            if let Some(Answer::Number(n)) = ask.default {
                input = input.default(n.to_string());
            }
            let typed = input.interact_text_on(&self.term).map_err(stop)?;
            match typed.trim() {
                TYPE_BACK => return Ok(Reply::Back),
                TYPE_HELP => self.show_help(ask.question)?,
                typed => {
                    let Ok(n) = check_number(typed, min, max) else { continue };
                    let answer = Answer::Number(n);
                    self.report(ask, answer)?;
                    return Ok(Reply::Answer(answer));
                }
            }
        }
    }

    fn say_skipped(&self, range: std::ops::Range<usize>, answers: &PartialAnswers) -> Result<(), Stop> {
        skipped_lines(range, answers).iter().try_for_each(|line| self.line(&self.paint.faint(line)))
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
    questionnaire
        .questions
        .iter()
        .zip(answers)
        .enumerate()
        .map(|(i, (question, answer))| {
            let text = answer.map_or_else(|| "(not asked)".to_owned(), |a| answer_in_words(question, a));
            format!("{:>2}. {}: {text}", i + 1, heading_of(question))
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
        let theme = IntakeTheme::new(self.paint, Vec::new());
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
            let choice = Select::with_theme(&theme)
                .with_prompt(ANSWERS_RIGHT)
                .items([CONFIRM, CHANGE])
                .default(0)
                .report(false)
                .interact_on_opt(&self.term)
                .map_err(stop)?;
            match choice {
                None => return Ok(Review::Back),
                Some(0) => {
                    // A blank line between the summary and the result that follows.
                    self.line("")?;
                    return Ok(Review::Confirm);
                }
                Some(_) => {}
            }
            let items = lines.iter().map(|l| l.trim_start().to_owned()).chain([BACK_TO_SUMMARY.to_owned()]);
            let picked = Select::with_theme(&theme)
                .with_prompt(WHICH_ANSWER)
                .items(items)
                .default(0)
                .report(false)
                .interact_on_opt(&self.term)
                .map_err(stop)?;
            if let Some(index) = picked.filter(|i| *i < lines.len()) {
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
        let theme = IntakeTheme::new(self.paint, Vec::new());
        self.line(&self.paint.warn(&format!("Please check: {message}")))?;
        // Changing is first: a stray Enter asks again rather than keep a likely slip.
        let choice = Select::with_theme(&theme)
            .with_prompt(RARELY_TOGETHER)
            .items([CHANGE_ANSWER, KEEP_ANSWERS])
            .default(0)
            .report(false)
            .interact_on_opt(&self.term)
            .map_err(stop)?;
        Ok(choice == Some(1))
    }
}

/// Shows a list until something is picked. Esc goes back to the previous question (`None`)
/// when there is one; on the first question it shows the list again.
fn until_picked<T>(ask: &Ask<'_>, mut show: impl FnMut() -> dialoguer::Result<Option<T>>) -> Result<Option<T>, Stop> {
    loop {
        match show().map_err(stop)? {
            Some(picked) => return Ok(Some(picked)),
            None if ask.can_go_back => return Ok(None),
            None => {}
        }
    }
}
