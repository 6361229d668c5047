//! Findings for CI: problems in policies, files `fmt --check` would change and
//! failing tests, written as GitHub workflow commands (annotations on the pull
//! request's lines) or as one SARIF 2.1.0 log (code scanning).

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::diagnostics::{JsonDiagnostic, Problem, json_diagnostic};
use crate::source::Sources;

/// One thing to show on a line of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// `error`, `warning` or `notice`.
    pub level: &'static str,
    /// A stable code, e.g. `akar::check::unknown_name`.
    pub code: String,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Finding {
    /// A policy problem: its message with its help, at its first label.
    pub fn of_problem(problem: &Problem, sources: &Sources) -> Finding {
        let diagnostic = json_diagnostic(problem.diagnostic.as_ref(), sources.file(problem.file));
        Finding::of_diagnostic(&diagnostic)
    }

    pub fn of_diagnostic(diagnostic: &JsonDiagnostic) -> Finding {
        let label = diagnostic.labels.first();
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        Finding {
            level: match diagnostic.severity {
                "warning" => "warning",
                "advice" => "notice",
                _ => "error",
            },
            code: diagnostic.code.clone().unwrap_or_else(|| "akar".into()),
            message,
            file: diagnostic.filename.clone(),
            line: label.and_then(|l| l.line),
            column: label.and_then(|l| l.column),
        }
    }
}

/// GitHub workflow commands, one line each:
/// `::error file=policies/a.policy,line=3,col=7,title=akar::check::unknown_name::unknown list…`
pub fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings {
        let mut properties = Vec::new();
        if let Some(file) = &finding.file {
            properties.push(format!("file={}", property(file)));
        }
        if let Some(line) = finding.line {
            properties.push(format!("line={line}"));
        }
        if let Some(column) = finding.column {
            properties.push(format!("col={column}"));
        }
        properties.push(format!("title={}", property(&finding.code)));
        let _ = writeln!(
            out,
            "::{} {}::{}",
            finding.level,
            properties.join(","),
            data(&finding.message)
        );
    }
    out
}

/// A workflow command's message: `%`, CR and LF escaped, as the runner reads them.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One SARIF 2.1.0 log of the findings, for code scanning.
pub fn sarif(findings: &[Finding]) -> String {
    let mut codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Json> = codes.iter().map(|code| json!({ "id": code })).collect();
    let results: Vec<Json> = findings
        .iter()
        .map(|finding| {
            let mut result = json!({
                "ruleId": finding.code,
                "level": match finding.level {
                    "notice" => "note",
                    level => level,
                },
                "message": { "text": finding.message },
            });
            if let (Some(file), Json::Object(map)) = (&finding.file, &mut result) {
                let mut region = serde_json::Map::new();
                if let Some(line) = finding.line {
                    region.insert("startLine".into(), json!(line));
                }
                if let Some(column) = finding.column {
                    region.insert("startColumn".into(), json!(column));
                }
                let mut location = json!({ "artifactLocation": { "uri": file } });
                if !region.is_empty()
                    && let Json::Object(location) = &mut location
                {
                    location.insert("region".into(), Json::Object(region));
                }
                map.insert(
                    "locations".into(),
                    json!([{ "physicalLocation": location }]),
                );
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "akar",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
