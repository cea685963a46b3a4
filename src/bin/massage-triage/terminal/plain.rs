//! The plain, accessible intake (`--plain`, `TERM=dumb`, `MASSAGE_TRIAGE_PLAIN`): the same
//! questions through the same flow as [`super::prompt::TerminalAsker`], written as lines a
//! screen reader or a dumb terminal can follow. Options are numbered and answers typed
//! (`3`, `1 4 7`, `none`, `?`, `<`); nothing is moved, redrawn or coloured, and the cursor is
//! never hidden.

use super::prompt::{
    check_number, given, not_changeable, pending_referral, prompt, skipped_lines, summary_lines, Walk, ANSWERS_RIGHT,
    CHANGE, CHANGE_ANSWER, CONFIRM, FIRST_QUESTION, KEEP_ANSWERS, NONE_OF_THESE, NO_MORE_QUESTIONS, RARELY_TOGETHER,
    SUMMARY, TYPE_BACK, TYPE_HELP,
};
use super::wrap::Width;
use massage_triage::answers::Answer;
use massage_triage::intake::skip::PartialAnswers;
use massage_triage::intake::{Ask, Asker, Reply, Review, Stop};
use massage_triage::questionnaire::{Question, QuestionKind, Questionnaire};
use massage_triage::recommendation::Urgency;
use massage_triage::report::{referral_banner, Audience, Paint};
use std::io::{BufRead, Write};

/// What is typed at a several-of question when none of its options applies.
pub(crate) const TYPE_NONE: &str = "none";

/// The columns a prompt's last line leaves free for the answer typed after it ("1 4 7 12"),
/// so that the terminal does not wrap it.
const ROOM_TO_TYPE: usize = 12;

/// Plain text carries no colour, whatever the stream could show.
const NO_PAINT: Paint = Paint { enabled: false };

/// What a typed line asks for, before it is checked against the question.
#[derive(Debug, PartialEq, Eq)]
enum Typed {
    /// Option numbers as typed (from 1), in order, repeats removed.
    Numbers(Vec<usize>),
    /// `none`.
    None,
    /// `?`.
    Help,
    /// `<`.
    Back,
    /// Enter alone.
    Nothing,
}

/// Reads a typed line: numbers separated by spaces or commas, or one of the words.
fn read_typed(line: &str) -> Result<Typed, String> {
    let line = line.trim();
    match line {
        "" => return Ok(Typed::Nothing),
        TYPE_HELP => return Ok(Typed::Help),
        TYPE_BACK => return Ok(Typed::Back),
        _ if line.eq_ignore_ascii_case(TYPE_NONE) => return Ok(Typed::None),
        _ => {}
    }
    let mut numbers = Vec::new();
    for word in line.split(|c: char| c == ',' || c.is_whitespace()).filter(|w| !w.is_empty()) {
        let n = word.parse::<usize>().map_err(|_| format!("\"{word}\" is not an option's number."))?;
        if !numbers.contains(&n) {
            numbers.push(n);
        }
    }
    Ok(Typed::Numbers(numbers))
}

/// Asks the questions as numbered lists and typed answers, reading lines from `input` and
/// writing to `output` (standard input and standard error in the binary).
pub(crate) struct PlainAsker<R, W> {
    input: R,
    output: W,
    audience: Audience,
    width: Width,
    walk: Walk,
}

impl<R: BufRead, W: Write> PlainAsker<R, W> {
    /// Asks on these streams, worded for `audience`, wrapped to `width`.
    pub(crate) fn new(input: R, output: W, audience: Audience, width: Width) -> Self {
        PlainAsker { input, output, audience, width, walk: Walk::default() }
    }

    /// Writes text, wrapped at word boundaries to the terminal's width.
    fn line(&mut self, text: &str) -> Result<(), Stop> {
        for line in self.width.wrap(text) {
            writeln!(self.output, "{line}")?;
        }
        self.output.flush()?;
        Ok(())
    }

    /// Writes the prompt (not wrapped: the answer is typed after it) and reads one line.
    fn read(&mut self, hint: &str) -> Result<String, Stop> {
        let hint = self.width.wrap_leaving(hint, ROOM_TO_TYPE);
        let (last, above) = hint.split_last().map_or(("", &[][..]), |(l, a)| (l.as_str(), a));
        for line in above {
            writeln!(self.output, "{line}")?;
        }
        write!(self.output, "{last} ")?;
        self.output.flush()?;
        let mut typed = String::new();
        if self.input.read_line(&mut typed)? == 0 {
            let eof = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "end of input");
            return Err(Stop::Closed(eof));
        }
        Ok(typed)
    }

    /// The numbered options, each under its group's heading when it starts one.
    fn list(&mut self, labels: &[&str], question: Option<&Question>) -> Result<(), Stop> {
        let mut group = None;
        for (i, label) in labels.iter().enumerate() {
            let option = question.and_then(|q| q.options.get(i));
            if let Some(heading) = option.and_then(|o| o.group.as_ref()).filter(|g| Some(*g) != group) {
                self.line(heading)?;
            }
            group = option.and_then(|o| o.group.as_ref());
            self.line(&format!("  {}. {label}", i + 1))?;
        }
        Ok(())
    }

    /// The question's help, then each option's.
    fn help(&mut self, question: &Question) -> Result<(), Stop> {
        if !question.help.is_empty() {
            self.line(&question.help)?;
        }
        for (i, option) in question.options.iter().enumerate().filter(|(_, o)| !o.help.is_empty()) {
            self.line(&format!("  {}. {}: {}", i + 1, option.label, option.help))?;
        }
        Ok(())
    }

    /// The ways out of a question, for its prompt line.
    fn hints(ask: &Ask<'_>) -> String {
        let mut hints = Vec::new();
        if ask.can_go_back {
            hints.push(format!("{TYPE_BACK} previous question"));
        }
        hints.push(format!("{TYPE_HELP} help"));
        hints.join(", ")
    }

    /// One of `labels`, typed as its number; `keep` is what Enter alone keeps. `None`: `<`,
    /// which only a question (`ask`) or the summary (`back`) takes.
    fn choose(
        &mut self,
        labels: &[&str],
        keep: Option<usize>,
        ask: Option<&Ask<'_>>,
        back: bool,
    ) -> Result<Option<usize>, Stop> {
        self.list(labels, ask.map(|a| a.question))?;
        let kept = keep.and_then(|k| labels.get(k)).map(|l| format!(", Enter keeps \"{l}\"")).unwrap_or_default();
        let ways = match ask {
            Some(ask) => format!(", {}", Self::hints(ask)),
            None if back => format!(", {TYPE_BACK} previous question"),
            None => String::new(),
        };
        let can_go_back = ask.map_or(back, |a| a.can_go_back);
        let numbers = if labels.len() == 2 { "1 or 2".to_owned() } else { format!("1 to {}", labels.len()) };
        let hint = format!("Type {numbers}{kept}{ways}:");
        loop {
            let typed = self.read(&hint)?;
            let problem = match read_typed(&typed) {
                Ok(Typed::Numbers(numbers)) => match numbers[..] {
                    [n] if (1..=labels.len()).contains(&n) => return Ok(Some(n - 1)),
                    [n] => format!("There is no option {n}: type a number from 1 to {}.", labels.len()),
                    _ => "Type one number only.".to_owned(),
                },
                Ok(Typed::Nothing) if keep.is_some() => return Ok(keep),
                Ok(Typed::Back) if can_go_back => return Ok(None),
                Ok(Typed::Back) if ask.is_some() => FIRST_QUESTION.to_owned(),
                Ok(Typed::Help) => match ask {
                    Some(ask) => {
                        self.help(ask.question)?;
                        continue;
                    }
                    None => format!("Type a number from 1 to {}.", labels.len()),
                },
                Ok(_) => format!("Type a number from 1 to {}.", labels.len()),
                Err(problem) => problem,
            };
            self.line(&problem)?;
        }
    }

    fn ask_one_of(&mut self, ask: &Ask<'_>, labels: &[&str]) -> Result<Reply, Stop> {
        let keep = match ask.default {
            Some(Answer::Choice(i)) => Some(usize::from(i)),
            Some(Answer::YesNo(value)) => Some(usize::from(!value)),
            _ => None,
        };
        let Some(picked) = self.choose(labels, keep, Some(ask), false)? else {
            return Ok(Reply::Back);
        };
        Ok(Reply::Answer(match ask.question.kind {
            QuestionKind::YesNo => Answer::YesNo(picked == 0),
            _ => Answer::Choice(picked as u8),
        }))
    }

    fn ask_several_of(&mut self, ask: &Ask<'_>, min_selected: usize) -> Result<Reply, Stop> {
        let labels: Vec<&str> = ask.question.options.iter().map(|o| o.label.as_str()).collect();
        self.list(&labels, Some(ask.question))?;
        let count = labels.len();
        let none = if min_selected == 0 { format!(", {TYPE_NONE} for \"{NONE_OF_THESE}\"") } else { String::new() };
        let kept = match ask.default {
            Some(answer @ Answer::Choices(_)) => {
                format!(", Enter keeps \"{}\"", super::prompt::answer_in_words(ask.question, answer))
            }
            _ => String::new(),
        };
        let hint = format!("Type the numbers that apply, 1 to {count}, with spaces{none}{kept}, {}:", Self::hints(ask));
        loop {
            let typed = self.read(&hint)?;
            let problem = match read_typed(&typed) {
                Ok(Typed::Numbers(numbers)) => match numbers.iter().find(|n| !(1..=count).contains(n)) {
                    Some(n) => format!("There is no option {n}: type numbers from 1 to {count}."),
                    None if numbers.len() < min_selected => format!("Type at least {min_selected}."),
                    None => return Ok(Reply::Answer(Answer::Choices(numbers.iter().map(|n| 1u64 << (n - 1)).sum()))),
                },
                Ok(Typed::None) if min_selected == 0 => return Ok(Reply::Answer(Answer::Choices(0))),
                Ok(Typed::None) => format!("At least {min_selected} applies here: type its number."),
                Ok(Typed::Nothing) => match (ask.default, min_selected) {
                    (Some(answer), _) => return Ok(Reply::Answer(answer)),
                    (None, 0) => format!("Type the numbers that apply, or {TYPE_NONE} for \"{NONE_OF_THESE}\"."),
                    (None, _) => format!("Type the numbers that apply, at least {min_selected}."),
                },
                Ok(Typed::Back) if ask.can_go_back => return Ok(Reply::Back),
                Ok(Typed::Back) => FIRST_QUESTION.to_owned(),
                Ok(Typed::Help) => {
                    self.help(ask.question)?;
                    continue;
                }
                Err(problem) => problem,
            };
            self.line(&problem)?;
        }
    }

    fn ask_number(&mut self, ask: &Ask<'_>, min: i64, max: i64) -> Result<Reply, Stop> {
        let kept = match ask.default {
            Some(Answer::Number(n)) => format!(", Enter keeps {n}"),
            _ => String::new(),
        };
        let hint = format!("Type a whole number from {min} to {max}{kept}, {}:", Self::hints(ask));
        loop {
            let typed = self.read(&hint)?;
            let problem = match (typed.trim(), ask.default) {
                ("", Some(answer)) => return Ok(Reply::Answer(answer)),
                (TYPE_BACK, _) if ask.can_go_back => return Ok(Reply::Back),
                (TYPE_BACK, _) => FIRST_QUESTION.to_owned(),
                (TYPE_HELP, _) => {
                    self.help(ask.question)?;
                    continue;
                }
                (typed, _) => match check_number(typed, min, max) {
                    Ok(n) => return Ok(Reply::Answer(Answer::Number(n))),
                    Err(problem) => problem,
                },
            };
            self.line(&problem)?;
        }
    }
}

impl<R: BufRead, W: Write> Asker for PlainAsker<R, W> {
    fn ask(&mut self, ask: &Ask<'_>) -> Result<Reply, Stop> {
        let passed_over = self.walk.passed_over(ask);
        for line in skipped_lines(passed_over, ask.answers) {
            self.line(&line)?;
        }
        self.line("")?;
        for line in prompt(self.audience, ask).lines() {
            self.line(line)?;
        }
        let reply = match ask.question.kind {
            QuestionKind::OneOf => {
                let labels: Vec<&str> = ask.question.options.iter().map(|o| o.label.as_str()).collect();
                self.ask_one_of(ask, &labels)
            }
            QuestionKind::YesNo => self.ask_one_of(ask, &["Yes", "No"]),
            QuestionKind::SeveralOf { min_selected } => self.ask_several_of(ask, min_selected),
            QuestionKind::Number { min, max } => self.ask_number(ask, min, max),
        }?;
        if let Reply::Answer(answer) = reply {
            self.line(&given(self.audience, ask, answer, NO_PAINT))?;
        }
        Ok(reply)
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
            self.line(SUMMARY)?;
            for line in &lines {
                self.line(line)?;
            }
            if let Some((urgency, why)) = referral {
                self.line("")?;
                self.line(&pending_referral(urgency, why))?;
            }
            self.line(ANSWERS_RIGHT)?;
            match self.choose(&[CONFIRM, CHANGE], None, None, true)? {
                Some(0) => {
                    self.line("")?;
                    return Ok(Review::Confirm);
                }
                Some(_) => {}
                None => return Ok(Review::Back),
            }
            let hint = format!(
                "Type the number of the answer to change, 1 to {}, {TYPE_BACK} back to the summary:",
                lines.len()
            );
            let typed = self.read(&hint)?;
            match read_typed(&typed) {
                Ok(Typed::Numbers(numbers)) => match numbers[..] {
                    [n] if (1..=lines.len()).contains(&n) && answers[n - 1] == Some(Answer::NotAsked) => {
                        self.line(&not_changeable(questionnaire, n - 1))?;
                    }
                    [n] if (1..=lines.len()).contains(&n) => return Ok(Review::Change(n - 1)),
                    _ => self.line(&format!("Type one number from 1 to {}.", lines.len()))?,
                },
                Ok(Typed::Back) => {}
                _ => self.line(&format!("Type one number from 1 to {}.", lines.len()))?,
            }
        }
    }

    fn announce(&mut self, urgency: Urgency, tell: &str, why: &str) -> Result<(), Stop> {
        self.line("")?;
        self.line(&referral_banner(urgency, tell, NO_PAINT))?;
        if !why.is_empty() {
            self.line(&format!("Why: {why}"))?;
        }
        self.line(NO_MORE_QUESTIONS)
    }

    fn confirm(&mut self, message: &str) -> Result<bool, Stop> {
        self.line(&format!("Please check: {message}"))?;
        self.line(RARELY_TOGETHER)?;
        // Changing is first, as on the full terminal.
        loop {
            if let Some(picked) = self.choose(&[CHANGE_ANSWER, KEEP_ANSWERS], None, None, false)? {
                return Ok(picked == 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use massage_triage::intake::Finished;
    use massage_triage::rules::RuleSet;

    /// The screen: what the intake writes, and the line end a terminal echoes after each
    /// typed answer (the answers themselves left out).
    type Screen = std::rc::Rc<std::cell::RefCell<Vec<u8>>>;

    /// Typed lines, one a read, each echoing its line end on the screen.
    struct Keyboard {
        lines: std::collections::VecDeque<String>,
        screen: Screen,
    }

    impl std::io::Read for Keyboard {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some(line) = self.lines.pop_front() else { return Ok(0) };
            self.screen.borrow_mut().push(b'\n');
            buf[..line.len()].copy_from_slice(line.as_bytes());
            Ok(line.len())
        }
    }

    struct Shown(Screen);

    impl Write for Shown {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Runs the built-in intake on typed lines; returns how it ended and the screen.
    fn intake(typed: &[&str], columns: usize) -> (Result<Finished, Stop>, String) {
        let rule_set = RuleSet::built_in().unwrap();
        let screen = Screen::default();
        let lines = typed.iter().map(|line| format!("{line}\n")).collect();
        let keyboard = std::io::BufReader::new(Keyboard { lines, screen: screen.clone() });
        let mut asker = PlainAsker::new(keyboard, Shown(screen.clone()), Audience::Desk, Width::Fixed(columns));
        let finished = massage_triage::intake::run(&rule_set, &mut asker);
        let shown = String::from_utf8(screen.borrow().clone()).unwrap();
        (finished, shown)
    }

    /// The typical desk call, typed: no red flags, chronic, 5, not worse, lower back,
    /// posture, no contraindications, 41, medium; then the summary confirmed.
    const TYPICAL: &[&str] = &["none", "3", "5", "2", "4", "1", "none", "41", "2", "1"];

    #[test]
    fn a_typical_call_typed_in_numbers_gives_every_answer() {
        let (finished, screen) = intake(TYPICAL, 80);
        let finished = finished.unwrap();
        assert_eq!(finished.settled, None);
        let rule_set = RuleSet::built_in().unwrap();
        assert!(finished.complete(&rule_set.questionnaire, None).is_some(), "{screen}");
        assert!(screen.contains("Question 8 not asked"), "{screen}");
        assert!(screen.contains("  1. Confirm: show the result"), "{screen}");
        // Nothing but text: no escape sequence of any kind (colour, cursor, clearing).
        assert!(!screen.contains('\x1b'), "{screen}");
    }

    #[test]
    fn bad_input_gets_a_one_line_message_and_the_prompt_again() {
        let typed = ["16", "1 99", "x", "", "none", "0", "3 1", "3", "200", "five", "5"];
        let mut typed = typed.to_vec();
        typed.extend(&TYPICAL[3..]);
        let (finished, screen) = intake(&typed, 80);
        assert!(finished.is_ok(), "{screen}");
        for message in [
            "There is no option 16: type numbers from 1 to 14.",
            "There is no option 99: type numbers from 1 to 14.",
            "\"x\" is not an option's number.",
            "Type the numbers that apply, or none for \"None of these\".",
            "There is no option 0: type a number from 1 to 3.",
            "Type one number only.",
            "200 is out of range: type a whole number from 0 to 10.",
            "\"five\" is not a whole number: type a number from 0 to 10.",
        ] {
            assert!(screen.contains(message), "{message}\n{screen}");
        }
    }

    #[test]
    fn back_help_and_enter_keep_work_at_every_kind_of_question() {
        // At severity: help, then back to duration and to the red flags, which Enter keeps,
        // as it keeps the duration; at worsening, back to severity, which Enter keeps too.
        let mut typed = vec!["none", "3", "?", "<", "<", "", "", "5", "<", ""];
        typed.extend(&TYPICAL[3..]);
        let (finished, screen) = intake(&typed, 80);
        let finished = finished.unwrap();
        assert!(screen.contains("Enter keeps \"More than 12 weeks\""), "{screen}");
        assert!(screen.contains("Enter keeps 5"), "{screen}");
        assert!(screen.contains("Enter keeps \"none of these\""), "{screen}");
        assert_eq!(finished.answers[2], Some(Answer::Number(5)));
        // `<` at the first question is answered, not obeyed.
        let (_, screen) = intake(&["<"], 80);
        assert!(screen.contains("This is the first question: there is no previous one."), "{screen}");
    }

    #[test]
    fn an_emergency_ends_at_once_with_its_banner() {
        let (finished, screen) = intake(&["3"], 80);
        assert_eq!(finished.unwrap().settled, Some(Urgency::Emergency));
        assert!(screen.contains("!!! EMERGENCY: Call 911"), "{screen}");
        assert!(screen.contains(NO_MORE_QUESTIONS), "{screen}");
    }

    #[test]
    fn the_end_of_input_closes_the_intake_without_a_panic() {
        let (finished, _) = intake(&["none"], 80);
        assert!(matches!(finished, Err(Stop::Closed(_))));
    }

    #[test]
    fn at_forty_columns_every_line_fits_and_no_word_is_broken() {
        let (_, screen) = intake(&["16", "1", "<"], 40);
        let words_wide: Vec<String> = intake(&["16", "1", "<"], 200).1.split_whitespace().map(str::to_owned).collect();
        // The prompt ends in a space, where the answer is typed.
        assert!(screen.lines().all(|line| line.trim_end().chars().count() <= 40), "{screen}");
        // Every word is as it is on a wide screen: wrapping only moved it to the next line.
        let words: Vec<&str> = screen.split_whitespace().collect();
        assert_eq!(words, words_wide, "{screen}");
    }

    #[test]
    fn typed_lines_are_read_as_numbers_or_words() {
        assert_eq!(read_typed(" 1 4,7 4 "), Ok(Typed::Numbers(vec![1, 4, 7])));
        assert_eq!(read_typed("NONE"), Ok(Typed::None));
        assert_eq!(read_typed("?"), Ok(Typed::Help));
        assert_eq!(read_typed("<"), Ok(Typed::Back));
        assert_eq!(read_typed("  "), Ok(Typed::Nothing));
        assert!(read_typed("1 -2").is_err());
    }
}
