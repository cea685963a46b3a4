//! The intake on a terminal: the library's intake flow asks through [`prompt::TerminalAsker`],
//! which draws dialoguer prompts on standard error in the look of [`theme`].

pub(crate) mod prompt;
mod theme;
