//! The one renderer of problems: a file that does not load (a [`Diagnostic`]) and a
//! `rules check` finding are both drawn by annotate-snippets, as cargo and typos draw theirs,
//! so that they read alike: `error[code]: what is wrong`, where, the line with a caret under
//! the place, and what to do.

use super::Paint;
use crate::answers::Answers;
use crate::check::{outcome_words, Category, Finding};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::rules::RuleSet;
use crate::text::{capped, escape_controls};
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

/// How serious a problem is, as shown in its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    /// The input is refused, or the rule set fails its check.
    Error,
    /// Worth a look.
    Warning,
}

/// One problem in the renderer's terms: borrowed from a diagnostic or a finding.
#[derive(Debug, Clone)]
pub(crate) struct Problem<'a> {
    pub(crate) severity: Severity,
    pub(crate) code: &'static str,
    pub(crate) title: String,
    /// The file as named to the user.
    pub(crate) file: &'a str,
    /// 1-based line and column; 0 when unknown.
    pub(crate) line: usize,
    pub(crate) column: usize,
    /// The line's text (or the part of it shown) and the byte offset of the place in it.
    pub(crate) excerpt: Option<(&'a str, usize)>,
    /// Notes under the snippet, each `(label, text)`: `help`, `note`.
    pub(crate) notes: Vec<(Level<'static>, String)>,
}

impl<'a> Problem<'a> {
    /// A problem of a file that was read: its place, excerpt and "did you mean".
    pub(crate) fn of_diagnostic(diagnostic: &'a Diagnostic) -> Self {
        let excerpt = match (&diagnostic.excerpt, diagnostic.column) {
            (Some(text), 1..) => Some((text.as_str(), byte_of_char(text, diagnostic.caret))),
            _ => None,
        };
        let notes = diagnostic
            .suggestion
            .iter()
            .map(|name| (Level::HELP, format!("did you mean \"{}\"?", escape_controls(name))))
            .collect();
        Problem {
            severity: Severity::Error,
            code: diagnostic.code.name(),
            title: capped(&escape_controls(&diagnostic.message)).into_owned(),
            file: &diagnostic.file,
            line: diagnostic.line,
            column: diagnostic.column,
            excerpt,
            notes,
        }
    }

    /// A `rules check` finding: where in the rule set, the rules involved, and the answers
    /// that show it with what `assess` gives for them.
    pub(crate) fn of_finding(rule_set: &RuleSet, finding: &'a Finding) -> Self {
        let mut notes = Vec::new();
        if !finding.rules.is_empty() {
            let rules: Vec<String> = finding.rules.iter().map(|r| rule_ref(rule_set, *r)).collect();
            notes.push((Level::NOTE, format!("rules: {}", rules.join(", "))));
        }
        if let Some(example) = &finding.example {
            let questionnaire = &rule_set.questionnaire;
            let answers = |answers: &Answers, heading: String| {
                format!("{heading}\n{}", answers.to_toml(questionnaire).trim_end())
            };
            if let Some((before, outcome)) = &example.before {
                notes
                    .push((Level::NOTE, answers(before, format!("before (assess gives {}):", outcome_words(outcome)))));
                let after = format!("after adding it (assess gives {}):", outcome_words(&example.outcome));
                notes.push((Level::NOTE, answers(&example.answers, after)));
            } else {
                let heading = format!("counterexample (assess gives {}):", outcome_words(&example.outcome));
                notes.push((Level::NOTE, answers(&example.answers, heading)));
            }
        }
        Problem {
            severity: match finding.category {
                Category::Warning => Severity::Warning,
                Category::Safety | Category::Gap => Severity::Error,
            },
            code: finding.code.name(),
            title: finding.message.clone(),
            file: &finding.at.file,
            line: finding.at.line,
            column: 0,
            excerpt: None,
            notes,
        }
    }

    fn group(&self) -> Group<'_> {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(self.title.as_str()).id(self.code);
        let group = match self.excerpt {
            // The snippet carries the place (`--> file:line:column`) and the caret. An excerpt
            // may be cut from the middle of its line (a long line, or one JSON entry of
            // several): blanks stand for what is not shown, so that the column counts right.
            Some((text, at)) => {
                let hidden = self.column.saturating_sub(1).saturating_sub(text[..at].chars().count());
                let source = format!("{}{text}", " ".repeat(hidden));
                let at = hidden + at;
                let caret = AnnotationKind::Primary.span(at..next_char(&source, at));
                title.element(Snippet::source(source).line_start(self.line).path(self.file).annotation(caret))
            }
            None => {
                let mut origin = Origin::path(self.file);
                if self.line > 0 {
                    origin = origin.line(self.line);
                    if self.column > 0 {
                        origin = origin.char_column(self.column);
                    }
                }
                title.element(origin)
            }
        };
        let notes = self.notes.iter().map(|(level, text)| level.clone().message(text.as_str()));
        group.elements(notes)
    }
}

/// Problems drawn one after another, separated by a blank line.
pub(crate) fn render_problems<'a>(problems: impl IntoIterator<Item = Problem<'a>>, paint: Paint) -> String {
    let renderer = if paint.enabled { Renderer::styled() } else { Renderer::plain() };
    let problems: Vec<Problem<'_>> = problems.into_iter().collect();
    let shown: Vec<String> = problems.iter().map(|p| renderer.render(&[p.group()])).collect();
    shown.join("\n\n")
}

/// Every problem of a file that did not load, as the commands show it on standard error.
pub fn render_diagnostics(diagnostics: &Diagnostics, paint: Paint) -> String {
    render_problems(diagnostics.0.iter().map(Problem::of_diagnostic), paint)
}

/// A rule as `id (rules.toml:LINE)`.
pub(crate) fn rule_ref(rule_set: &RuleSet, index: usize) -> String {
    let rule = &rule_set.rules[index];
    format!("{} ({})", rule.id, rule_set.rule_location(rule))
}

/// The byte offset of the `chars`-th character of `text` (its end when there are fewer).
fn byte_of_char(text: &str, chars: usize) -> usize {
    text.char_indices().nth(chars).map_or(text.len(), |(at, _)| at)
}

/// The end of the character at `at`: a caret under one character, or at the line's end.
fn next_char(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::code::Code;
    use crate::diagnostic::SourceText;

    fn shown(diagnostic: Diagnostic) -> String {
        render_diagnostics(&diagnostic.into(), Paint::new(false))
    }

    #[test]
    fn a_diagnostic_has_its_code_place_caret_and_suggestion() {
        let text = "location = \"lowr_back\"\n";
        let diagnostic = SourceText::new("answers.toml", text)
            .error(11..22, Code::UnknownOption, "unknown option \"lowr_back\" for location")
            .suggest(Some("lower_back"));
        let expected = "\
error[unknown-option]: unknown option \"lowr_back\" for location
 --> answers.toml:1:12
  |
1 | location = \"lowr_back\"
  |            ^
  |
  = help: did you mean \"lower_back\"?";
        assert_eq!(shown(diagnostic), expected);
    }

    #[test]
    fn a_whole_file_problem_names_the_file_only() {
        let diagnostic = Diagnostic::whole_file("rules.toml", Code::Unreadable, "cannot read the file");
        assert_eq!(shown(diagnostic), "error[unreadable]: cannot read the file\n--> rules.toml");
    }

    #[test]
    fn the_caret_is_under_the_character_after_a_tab_and_wide_characters() {
        let text = "\tlabel = \"背中\" x\n";
        let at = text.find('x').unwrap();
        let diagnostic = SourceText::new("q.toml", text).error(at..at + 1, Code::Toml, "expected a newline");
        let lines: Vec<String> = shown(diagnostic).lines().map(str::to_owned).collect();
        let (source, caret) = (&lines[3], &lines[4]);
        let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
        let x = source.find('x').unwrap();
        assert_eq!(width(&source[..x]), width(&caret[..caret.find('^').unwrap()]), "{source}\n{caret}");
    }
}
