//! Bare conditions typed at the prompt. A condition is checked as the `where` of a
//! hidden rule (no grammar of its own is needed), and its diagnostics are moved
//! back onto the text the user typed, so the hidden rule never shows.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, Report, Severity, SourceCode};

use crate::diagnostics::{Problem, Style, render};

/// A diagnostic about the hidden rule, re-pointed at the condition alone.
struct Shifted {
    inner: Box<dyn Diagnostic + Send + Sync + 'static>,
    /// Bytes of hidden text before the condition.
    by: usize,
    source: NamedSource<String>,
}

impl fmt::Debug for Shifted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for Shifted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for Shifted {}

impl Diagnostic for Shifted {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }

    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.url()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.inner.labels()?;
        Some(Box::new(labels.map(move |l| {
            LabeledSpan::new(
                l.label().map(str::to_string),
                l.offset().saturating_sub(self.by),
                l.len(),
            )
        })))
    }
}

/// Renders the problems found in a condition: those in the hidden rule's file
/// (`file`) point into `condition`, named `name`; any other renders as usual.
pub fn render_problems(
    problems: Vec<Problem>,
    sources: &crate::Sources,
    file: usize,
    condition: &str,
    name: &str,
    style: Style,
) -> String {
    let count = problems.len();
    let mut out = String::new();
    for problem in problems {
        let report = if problem.file == file {
            Report::new(Shifted {
                inner: problem.diagnostic,
                by: super::input::CONDITION_PREFIX.len(),
                source: NamedSource::new(name, condition.to_string()),
            })
        } else {
            problem.report(sources)
        };
        out.push_str(&render(&report, style));
    }
    let plural = if count == 1 { "" } else { "s" };
    out.push_str(&format!("{count} error{plural} found\n"));
    out
}
