//! The intake on a terminal: the library's intake flow asks through [`prompt::TerminalAsker`],
//! which draws dialoguer prompts on standard error in the look of [`theme`], or through
//! [`plain::PlainAsker`], which writes numbered lines and reads typed answers. Both fit
//! their text to the terminal's width ([`wrap`]).

pub(crate) mod plain;
pub(crate) mod prompt;
mod theme;
pub(crate) mod wrap;
