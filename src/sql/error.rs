//! Why a policy set cannot be said in SQL: a form a dialect cannot decide
//! exactly as `akar eval` does, or a field whose kind the schema does not give.

use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

use crate::Sources;
use crate::plan::Place;

#[derive(Debug, Error)]
#[error("{message}")]
pub struct SqlError {
    pub message: String,
    pub help: Option<String>,
    code: NamedSource<Arc<str>>,
    span: SourceSpan,
    label: String,
    pub kind: SqlProblem,
}

// By hand: the code depends on the problem, which miette's derive cannot say.
impl Diagnostic for SqlError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.kind))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.code)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let label = miette::LabeledSpan::new_with_span(Some(self.label.clone()), self.span);
        Some(Box::new(std::iter::once(label)))
    }
}

/// The stable code of each problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlProblem {
    /// A form with no exact SQL in the dialect.
    Unsupported,
    /// A field the plan reads whose kind no schema declares.
    Untyped,
}

impl std::fmt::Display for SqlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SqlProblem::Unsupported => "akar::sql::unsupported",
            SqlProblem::Untyped => "akar::sql::untyped",
        })
    }
}

impl SqlError {
    /// A problem at `place` (the line of a rule, a `let` or a `match`).
    pub fn at(
        sources: &Sources,
        place: Place,
        kind: SqlProblem,
        message: String,
        label: &str,
        help: Option<String>,
    ) -> Self {
        let range = sources
            .file(place.file)
            .map_or(0..0, |f| f.line_range(place.line));
        SqlError {
            message,
            help,
            code: sources.named_source(place.file),
            span: (range.start, range.end - range.start).into(),
            label: label.to_string(),
            kind,
        }
    }
}
