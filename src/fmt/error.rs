//! Why a file could not be formatted.

use miette::Diagnostic;
use thiserror::Error;

use crate::syntax::{Span, SyntaxError};

#[derive(Debug, Clone, Error, Diagnostic)]
pub enum FmtError {
    /// The file does not parse: it is left as it is.
    #[error("the policy has syntax errors, so it is not formatted")]
    #[diagnostic(
        code(akar::fmt::syntax),
        help("fix the syntax errors (`akar check` lists them), then format again")
    )]
    Syntax {
        #[related]
        errors: Vec<SyntaxError>,
    },

    /// The formatted text would not read back as the same policy: a bug in akar.
    #[error("internal error: the formatted policy does not read back as the same policy")]
    #[diagnostic(
        code(akar::fmt::changed_meaning),
        help(
            "this is a bug in akar; the file was left as it is; please report it with the policy"
        )
    )]
    ChangedMeaning {
        #[label("this item would not stay the same")]
        span: Span,
    },

    /// A comment would be missing from the formatted text: a bug in akar.
    #[error("internal error: formatting would lose a comment")]
    #[diagnostic(
        code(akar::fmt::lost_comment),
        help(
            "this is a bug in akar; the file was left as it is; please report it with the policy"
        )
    )]
    LostComment {
        #[label("this comment")]
        span: Span,
    },
}
