//! Syntax errors, in words a policy author reads.

use miette::Diagnostic;
use thiserror::Error;

use super::span::Span;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum SyntaxError {
    /// The parser met something it did not expect.
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(akar::syntax::unexpected))]
    Unexpected {
        expected: String,
        found: String,
        #[label("{label}")]
        span: Span,
        label: String,
        #[help]
        help: Option<String>,
        /// The input ended before the item did: more lines may complete it.
        incomplete: bool,
    },

    #[error("this `{opener}` is never closed")]
    #[diagnostic(code(akar::syntax::unclosed), help("close it with `{closer}`"))]
    Unclosed {
        opener: char,
        closer: char,
        #[label("opened here")]
        open: Span,
        #[label("{label}")]
        span: Span,
        label: String,
        /// The input ended before the bracket was closed.
        incomplete: bool,
    },

    #[error("this string is never closed")]
    #[diagnostic(
        code(akar::syntax::unclosed_string),
        help("end the string with `\"` on the same line; write `\\\"` for a quote inside it")
    )]
    UnclosedString {
        #[label("the string starts here and runs to the end of the line")]
        span: Span,
    },

    #[error("a rule has two `{clause}` clauses")]
    #[diagnostic(
        code(akar::syntax::duplicate_clause),
        help("keep one `{clause}`; to combine conditions write `{clause} A or B`")
    )]
    DuplicateClause {
        clause: &'static str,
        #[label("first `{clause}` here")]
        first: Span,
        #[label("second `{clause}` here")]
        second: Span,
    },

    #[error("a `policy` header has two `{field}` fields")]
    #[diagnostic(code(akar::syntax::duplicate_field), help("keep one `{field}`"))]
    DuplicateField {
        field: &'static str,
        #[label("first here")]
        first: Span,
        #[label("second here")]
        second: Span,
    },

    #[error("a `match` can only look at a field, not at a value")]
    #[diagnostic(
        code(akar::syntax::match_on_value),
        help("write the field the arms are compared with, e.g. `match category {{ ... }}`")
    )]
    MatchOnValue {
        #[label("not a field")]
        span: Span,
    },

    #[error("the policy is {bytes} bytes long, more than akar reads")]
    #[diagnostic(
        code(akar::syntax::too_large),
        help("a policy file may hold up to 16 MiB; split the policy set into several files")
    )]
    TooLarge {
        bytes: usize,
        #[label("this file")]
        span: Span,
    },

    #[error("line {line} is {chars} characters long, more than akar reads")]
    #[diagnostic(
        code(akar::syntax::line_too_long),
        help(
            "lines may hold up to 10,000 characters; break this one (newlines are not significant: a list may have one item a line)"
        )
    )]
    LineTooLong {
        line: usize,
        chars: usize,
        #[label("this line")]
        span: Span,
    },

    #[error("this nests more than 64 levels deep")]
    #[diagnostic(
        code(akar::syntax::too_deep),
        help(
            "parentheses, brackets, braces and `not`s may nest 64 deep; name a part with `let part = ...` and use `part`"
        )
    )]
    TooDeep {
        #[label("too deep here")]
        span: Span,
    },

    #[error("the field path `{path}…` has {segments} segments, more than akar reads")]
    #[diagnostic(
        code(akar::syntax::path_too_long),
        help("a field path may have up to 32 segments")
    )]
    PathTooLong {
        path: String,
        segments: usize,
        #[label("this path")]
        span: Span,
    },

    /// A grammar rule the lowering does not know: a bug in akar, not in the policy.
    #[error("internal error: unexpected `{rule}` while reading the policy")]
    #[diagnostic(
        code(akar::internal),
        help("this is a bug in akar; please report it with the policy that caused it")
    )]
    Internal {
        rule: String,
        #[label("here")]
        span: Span,
    },
}

impl SyntaxError {
    /// True when the input ended in the middle of an item, so that more input could
    /// complete it. The REPL uses this to continue on the next line.
    pub fn is_incomplete(&self) -> bool {
        matches!(
            self,
            SyntaxError::Unexpected {
                incomplete: true,
                ..
            } | SyntaxError::Unclosed {
                incomplete: true,
                ..
            }
        )
    }
}
