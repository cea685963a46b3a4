//! `intake`: the questionnaire on a terminal, its result on standard output, the answers
//! saved as an answer file when asked, and the call recorded however it ends when asked.

use super::{load_rule_set, CommandError, Context, Ended};
use crate::cli::IntakeArgs;
use crate::files;
use crate::record::{self, Recorder, Recording};
use crate::terminal::plain::PlainAsker;
use crate::terminal::prompt::TerminalAsker;
use crate::terminal::wrap::Width;
use console::Term;
use massage_triage::intake::outcome::{render_settled, Presentation};
use massage_triage::intake::record::Status;
use massage_triage::intake::{Finished, Stop};
use massage_triage::report::{Audience, Paint};
use massage_triage::rules::RuleSet;
use std::path::Path;

/// The hint given when there is no terminal to ask on.
pub(super) const NO_TERMINAL: &str = "the intake asks its questions on a terminal, and standard input or standard error is not one; for a scripted run use `massage-triage assess --answers FILE` (`-` reads standard input)";

pub(super) fn run(args: &IntakeArgs, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    // console would otherwise read keys from /dev/tty behind a pipe.
    if !(context.terminal.stdin && context.terminal.stderr) {
        return Err(CommandError::Usage(NO_TERMINAL.into()));
    }
    // Refuse before the first question (and before the rule set is proven), not after the last.
    let force = args.overwrite.force;
    let usage = |e: files::FileError| CommandError::Usage(e.to_string());
    if let Some(path) = &args.save {
        files::check_target(path, force).map_err(usage)?;
    }
    let target = args.record.as_deref().map(|path| record::check_target(path, force)).transpose().map_err(usage)?;
    let rule_set = load_rule_set(args.rules.rules.as_deref(), context)?;
    let mut recorder = target.map(|target| Recorder::new(&rule_set, target, args.mode, args.id.clone()));
    // A dumb terminal cannot move its cursor: the full prompts would pile up as garbage.
    let plain = args.plain || context.terminal.dumb;
    // A signal during a prompt (raw mode, no echo) puts these settings back before exiting;
    // the plain prompts leave the terminal's settings (and its cursor) alone.
    let _terminal = (!plain).then(crate::cleanup::save_terminal);
    crate::cleanup::note_on_interrupt("nothing was saved");
    let audience = args.mode;
    let asked = if plain {
        // The context's streams: standard input is locked there already.
        let input = std::io::BufReader::new(&mut *context.input);
        let width = Width::Measured(Term::stderr());
        let mut asker = PlainAsker::new(input, &mut *context.err, audience, width);
        massage_triage::intake::run(&rule_set, &mut Recording { asker: &mut asker, recorder: recorder.as_mut() })
    } else {
        let mut asker = TerminalAsker::new(audience, context.paint_err());
        let recording = &mut Recording { asker: &mut asker, recorder: recorder.as_mut() };
        let asked = massage_triage::intake::run(&rule_set, recording);
        asker.restore();
        asked
    };
    let finished = match asked {
        Ok(finished) => finished,
        Err(stop) => return stopped(stop, recorder.as_ref(), context),
    };
    let output = render(&rule_set, &finished, args, audience, plain, context);
    context.out.write_all(output.as_bytes())?;
    context.out.flush()?;
    if let Some(recorder) = &recorder {
        let status = match finished.complete(&rule_set.questionnaire, None) {
            Some(_) => Status::Completed,
            None => Status::Stopped,
        };
        let path = recorder
            .write(status, Some((&finished.answers, &finished.asked)))
            .map_err(|e| CommandError::Failure(anyhow::anyhow!("{e}")))?;
        let _ = writeln!(context.err, "{} {}", context.paint_err().good("Recorded the call in"), record::shown(&path));
    }
    if let Some(path) = &args.save {
        save_answers(&rule_set, &finished, path, args, context)?;
    }
    Ok(Ended::Done)
}

fn stopped(stop: Stop, recorder: Option<&Recorder<'_>>, context: &mut Context<'_>) -> Result<Ended, CommandError> {
    // The read was interrupted by a signal, not by Ctrl-C typed at the prompt: the
    // signal's handler is restoring the terminal, writing the record, and will exit with
    // its own status.
    if matches!(stop, Stop::Interrupted) && crate::cleanup::signal_arrived() {
        loop {
            std::thread::park();
        }
    }
    // Ctrl-C typed, or the terminal gone: the call is recorded as far as it went.
    let saved = match recorder.map(|r| r.write(Status::Interrupted, None)) {
        None => "nothing was saved".to_owned(),
        Some(Ok(path)) => format!("the record was written to {}", record::shown(&path)),
        Some(Err(error)) => format!("the record was not written: {error}"),
    };
    match stop {
        Stop::Interrupted => {
            let _ = writeln!(context.err, "\ninterrupted: {saved}");
            Ok(Ended::Interrupted)
        }
        Stop::Closed(error) => Err(CommandError::Failure(anyhow::anyhow!(
            "the terminal closed before the intake was finished ({error}); {saved}"
        ))),
    }
}

fn render(
    rule_set: &RuleSet,
    finished: &Finished,
    args: &IntakeArgs,
    audience: Audience,
    plain: bool,
    context: &Context<'_>,
) -> String {
    // The plain intake is plain to its end: its result has no colour either.
    let paint = if plain { Paint::new(false) } else { context.paint_out() };
    match finished.complete(&rule_set.questionnaire, args.id.clone()) {
        Some(answers) => super::assess::render_for(rule_set, &answers, args.format, args.explain, audience, paint),
        None => render_settled(
            rule_set,
            finished,
            Presentation { id: args.id.as_deref(), format: args.format, explain: args.explain, audience, paint },
        ),
    }
}

/// Saves a complete answer set. An intake that ended early on a referral has questions
/// without answers, and an answer file needs every one (`assess` would reject it): nothing
/// is written then, and the message says why. The referral itself stands (exit 0).
fn save_answers(
    rule_set: &RuleSet,
    finished: &Finished,
    path: &Path,
    args: &IntakeArgs,
    context: &mut Context<'_>,
) -> Result<(), CommandError> {
    let paint = context.paint_err();
    let Some(answers) = finished.complete(&rule_set.questionnaire, args.id.clone()) else {
        let unanswered: Vec<&str> =
            finished.unanswered(&rule_set.questionnaire).iter().map(|q| q.id.as_str()).collect();
        let _ = writeln!(
            context.err,
            "{}: not saved to {}: the intake ended on a physician referral before {} were asked, and an answer file needs every question answered",
            paint.warn("note"),
            massage_triage::text::escape_controls(&path.display().to_string()),
            unanswered.join(", ")
        );
        return Ok(());
    };
    files::write_text(path, answers.to_toml(&rule_set.questionnaire).as_bytes(), args.overwrite.force)
        .map_err(|e| CommandError::Failure(anyhow::anyhow!("{e}")))?;
    let shown = massage_triage::text::escape_controls(&path.display().to_string()).into_owned();
    let _ = writeln!(context.err, "{} {shown}", paint.good("Saved the answers to"));
    Ok(())
}
