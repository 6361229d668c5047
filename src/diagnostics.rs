//! Problems found in policies, and how they are shown: miette's graphical report
//! for people (colour only on a terminal, never with `NO_COLOR`) or JSON for tools.

use std::fmt::Write as _;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, Report, Severity};
use serde::Serialize;

use crate::source::{FileId, SourceFile, Sources};

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

    /// A warning: reported, counted, but no reason to refuse the policy.
    pub fn is_warning(&self) -> bool {
        matches!(
            self.diagnostic.severity(),
            Some(miette::Severity::Warning | miette::Severity::Advice)
        )
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
    /// GitHub workflow commands: annotations on the pull request's lines.
    Github,
    /// One SARIF 2.1.0 log, for code scanning.
    Sarif,
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
    match style.format {
        ErrorFormat::Json => {
            let value = json_diagnostic(diagnostic, None);
            out.push_str(&serde_json::to_string(&value).unwrap_or_default());
            out.push('\n');
        }
        ErrorFormat::Github => {
            let finding = crate::ci::Finding::of_diagnostic(&json_diagnostic(diagnostic, None));
            out.push_str(&crate::ci::github(&[finding]));
        }
        ErrorFormat::Sarif => {
            let finding = crate::ci::Finding::of_diagnostic(&json_diagnostic(diagnostic, None));
            out.push_str(&crate::ci::sarif(&[finding]));
        }
        ErrorFormat::Human => {
            let theme = if style.color {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width);
            if handler.render_report(&mut out, diagnostic).is_err() {
                let _ = write!(out, "error: {report}");
            }
        }
    }
    out
}

/// A diagnostic as one JSON object, in the shape (and key order) of miette's
/// JSON reports, each label with its 1-based `line` and `column` too. Written
/// with serde, so that any text in it (control characters included) is escaped.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub message: String,
    pub code: Option<String>,
    pub severity: &'static str,
    pub causes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    pub labels: Vec<JsonLabel>,
    pub related: Vec<JsonDiagnostic>,
}

#[derive(Debug, Serialize)]
pub struct JsonLabel {
    pub label: Option<String>,
    pub span: JsonSpan,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct JsonSpan {
    pub offset: usize,
    pub length: usize,
}

/// `file`, when given, places labels by its line index; otherwise the
/// diagnostic's own source does (reading from the start of the text).
pub fn json_diagnostic(diagnostic: &dyn Diagnostic, file: Option<&SourceFile>) -> JsonDiagnostic {
    let source = diagnostic.source_code();
    let mut filename = file.map(|f| f.name.clone());
    let labels = diagnostic
        .labels()
        .into_iter()
        .flatten()
        .map(|label| {
            let place = match file {
                Some(file) => Some(file.line_column(label.offset())),
                None => {
                    let contents = source.and_then(|s| s.read_span(label.inner(), 0, 0).ok());
                    if filename.is_none() {
                        filename = contents.as_ref().and_then(|c| c.name()).map(str::to_string);
                    }
                    contents.map(|c| (c.line() + 1, c.column() + 1))
                }
            };
            JsonLabel {
                label: label.label().map(str::to_string),
                span: JsonSpan {
                    offset: label.offset(),
                    length: label.len(),
                },
                line: place.map(|(line, _)| line),
                column: place.map(|(_, column)| column),
            }
        })
        .collect();
    let severity = match diagnostic.severity().unwrap_or(Severity::Error) {
        Severity::Advice => "advice",
        Severity::Warning => "warning",
        Severity::Error => "error",
    };
    JsonDiagnostic {
        message: diagnostic.to_string(),
        code: diagnostic.code().map(|c| c.to_string()),
        severity,
        causes: Vec::new(),
        help: diagnostic.help().map(|h| h.to_string()),
        filename,
        labels,
        related: diagnostic
            .related()
            .into_iter()
            .flatten()
            // A related diagnostic with a source of its own is in that file.
            .map(|related| match related.source_code() {
                Some(_) => json_diagnostic(related, None),
                None => json_diagnostic(related, file),
            })
            .collect(),
    }
}

/// At most this many problems are drawn for people; JSON lists them all.
pub const MAX_RENDERED: usize = 100;

/// Renders problems in order, with a closing count for people.
pub fn render_all(problems: Vec<Problem>, sources: &Sources, style: Style) -> String {
    let findings = || -> Vec<crate::ci::Finding> {
        problems
            .iter()
            .map(|p| crate::ci::Finding::of_problem(p, sources))
            .collect()
    };
    match style.format {
        ErrorFormat::Github => return crate::ci::github(&findings()),
        ErrorFormat::Sarif => return crate::ci::sarif(&findings()),
        ErrorFormat::Human | ErrorFormat::Json => {}
    }
    let count = problems.len();
    let warnings = problems.iter().filter(|p| p.is_warning()).count();
    let mut out = String::new();
    let shown = match style.format {
        ErrorFormat::Human => MAX_RENDERED,
        _ => count,
    };
    for (n, problem) in problems.into_iter().take(shown).enumerate() {
        match style.format {
            ErrorFormat::Json | ErrorFormat::Github | ErrorFormat::Sarif => {
                let file = sources.file(problem.file);
                let value = json_diagnostic(problem.diagnostic.as_ref(), file);
                out.push_str(&serde_json::to_string(&value).unwrap_or_default());
                out.push('\n');
            }
            ErrorFormat::Human => {
                if n > 0 {
                    out.push('\n');
                }
                out.push_str(&render(&problem.report(sources), style));
            }
        }
    }
    if style.format == ErrorFormat::Human && count > 0 {
        if count > shown {
            let _ = writeln!(
                out,
                "\n… and {} more (`--error-format json` lists every one)",
                count - shown
            );
        }
        let _ = writeln!(out, "{} found", counted(count - warnings, warnings));
    }
    out
}

/// `2 errors and 1 warning`, `1 warning`, `3 errors`.
pub fn counted(errors: usize, warnings: usize) -> String {
    let some = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (e, 0) => some(e, "error"),
        (0, w) => some(w, "warning"),
        (e, w) => format!("{} and {}", some(e, "error"), some(w, "warning")),
    }
}
