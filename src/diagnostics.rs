//! Problems found in policies, and how they are shown: miette's graphical report
//! for people (colour only on a terminal, never with `NO_COLOR`) or JSON for tools.

use std::fmt::Write as _;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, JSONReportHandler, Report};

use crate::source::{FileId, Sources};

/// A diagnostic and the file it points into.
#[derive(Debug)]
pub struct Problem {
    pub file: FileId,
    pub diagnostic: Box<dyn Diagnostic + Send + Sync + 'static>,
}

impl Problem {
    pub fn new(file: FileId, diagnostic: impl Diagnostic + Send + Sync + 'static) -> Self {
        Problem {
            file,
            diagnostic: Box::new(diagnostic),
        }
    }

    /// Where the first label points, for ordering problems.
    pub fn offset(&self) -> usize {
        self.diagnostic
            .labels()
            .and_then(|mut l| l.next())
            .map_or(0, |l| l.offset())
    }

    /// The diagnostic with its file's text attached, ready to render.
    pub fn report(self, sources: &Sources) -> Report {
        Report::new_boxed(self.diagnostic).with_source_code(sources.named_source(self.file))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub format: ErrorFormat,
    pub color: bool,
    pub width: usize,
}

impl Style {
    /// Plain text, as tests and pipes see it.
    pub fn plain() -> Self {
        Style {
            format: ErrorFormat::Human,
            color: false,
            width: 100,
        }
    }
}

/// Renders one report.
pub fn render(report: &Report, style: Style) -> String {
    let diagnostic: &dyn Diagnostic = report.as_ref();
    let mut out = String::new();
    let result = match style.format {
        ErrorFormat::Json => JSONReportHandler::new().render_report(&mut out, diagnostic),
        ErrorFormat::Human => {
            let theme = if style.color {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            GraphicalReportHandler::new_themed(theme)
                .with_width(style.width)
                .render_report(&mut out, diagnostic)
        }
    };
    if result.is_err() {
        let _ = write!(out, "error: {report}");
    }
    if style.format == ErrorFormat::Json {
        out.push('\n');
    }
    out
}

/// Renders problems in order, with a closing count for people.
pub fn render_all(problems: Vec<Problem>, sources: &Sources, style: Style) -> String {
    let count = problems.len();
    let mut out = String::new();
    for (n, problem) in problems.into_iter().enumerate() {
        if n > 0 && style.format == ErrorFormat::Human {
            out.push('\n');
        }
        out.push_str(&render(&problem.report(sources), style));
    }
    if style.format == ErrorFormat::Human && count > 0 {
        let plural = if count == 1 { "" } else { "s" };
        let _ = writeln!(out, "{count} error{plural} found");
    }
    out
}
