//! The intake on a terminal: the library's intake flow asks through [`prompt::TerminalAsker`],
//! which draws our own lists ([`list`]) and number field ([`field`]) on standard error in the
//! look of [`theme`], or through [`plain::PlainAsker`], which writes numbered lines and reads
//! typed answers. Both fit their text to the terminal's width ([`wrap`]).

mod field;
mod list;
pub(crate) mod plain;
pub(crate) mod prompt;
mod theme;
pub(crate) mod wrap;
