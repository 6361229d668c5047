//! Syntax: the pest grammar (`grammar/akar.pest`) read into an AST with spans.
//!
//! pest stays in this module: [`parse`] returns plain [`ast`] types and
//! [`SyntaxError`]s that speak of policies, not of grammar rules.

pub mod ast;
mod error;
pub mod keywords;
pub mod lex;
pub mod limits;
mod lower;
mod parser;
mod span;
mod words;

pub use error::SyntaxError;
pub use parser::{Parsed, parse};
pub use span::Span;
