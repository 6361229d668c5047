//! Decisions written out: one JSON object per listing (NDJSON), or a table for
//! people, and the counts by decision.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value as Json;

use crate::eval::node::{Node, View};
use crate::eval::{Decision, EvalError};
use crate::input::Record;
use crate::plan::{Plan, Rule};

/// The outcome for one input record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Json>,
    pub decision: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Which of `reasons` belongs to the first rule with the decision's action:
    /// the one a person reads first.
    #[serde(skip)]
    pub deciding: Option<usize>,
}

impl Outcome {
    /// The outcome of one record from its parts.
    pub fn new(
        plan: &Plan,
        line: usize,
        id: Option<&Json>,
        result: Result<&Decision, String>,
    ) -> Self {
        let id = id.filter(|id| id.is_string() || id.is_number()).cloned();
        let (decision, error) = match result {
            Ok(decision) => (decision, None),
            Err(error) => {
                return Outcome {
                    line,
                    id,
                    decision: "error",
                    rules: None,
                    reasons: None,
                    error: Some(error),
                    deciding: None,
                };
            }
        };
        let rules: Vec<&Rule> = decision.rules.iter().map(|i| &plan.rules[*i]).collect();
        Outcome {
            line,
            id,
            decision: decision.action.as_str(),
            rules: Some(rules.iter().map(|r| r.label.clone()).collect()),
            reasons: Some(rules.iter().map(|r| reason(r)).collect()),
            error,
            deciding: rules.iter().position(|r| r.action == decision.action),
        }
    }

    pub fn decided(record: &Record, plan: &Plan, decision: &Decision) -> Self {
        let id = record.listing.as_ref().ok().and_then(|l| l.get("id"));
        Outcome::new(plan, record.line, id, Ok(decision))
    }

    pub fn failed(record: &Record, error: String) -> Self {
        let id = record.listing.as_ref().ok().and_then(|l| l.get("id"));
        Outcome::new(&Plan::default(), record.line, id, Err(error))
    }

    pub fn from_result(record: &Record, plan: &Plan, result: Result<Decision, EvalError>) -> Self {
        match result {
            Ok(decision) => Outcome::decided(record, plan, &decision),
            Err(e) => Outcome::failed(record, e.to_string()),
        }
    }

    pub fn to_json_line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_else(|e| {
            format!(
                "{{\"line\":{},\"decision\":\"error\",\"error\":\"{e}\"}}",
                self.line
            )
        });
        line.push('\n');
        line
    }
}

/// A rule's `because`, or its text when it gives none.
pub fn reason(rule: &Rule) -> String {
    match &rule.because {
        Some(because) => because.clone(),
        None => rule.summary.clone(),
    }
}

/// Counts by decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub block: usize,
    pub flag: usize,
    pub allow: usize,
    pub error: usize,
}

impl Summary {
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome.decision {
            "block" => self.block += 1,
            "flag" => self.flag += 1,
            "allow" => self.allow += 1,
            _ => self.error += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.block + self.flag + self.allow + self.error
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = if self.total() == 1 { "" } else { "s" };
        write!(
            f,
            "{} listing{plural}: {} block, {} flag, {} allow, {} error",
            self.total(),
            self.block,
            self.flag,
            self.allow,
            self.error
        )
    }
}

/// A table row for people: line, id, decision and the rules on one line, then
/// the deciding rule's reason (or the error) indented below it.
pub fn table_row(outcome: &Outcome) -> String {
    let id = match &outcome.id {
        Some(Json::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => "-".into(),
    };
    let rules = outcome
        .rules
        .as_ref()
        .map_or_else(String::new, |r| r.join(", "));
    let detail = match (&outcome.error, &outcome.reasons, outcome.deciding) {
        (Some(error), _, _) => Some(error.as_str()),
        (None, Some(reasons), Some(i)) => reasons.get(i).map(String::as_str),
        _ => None,
    };
    let mut row = format!(
        "{:>6}  {:<16}  {:<8}  {}",
        outcome.line, id, outcome.decision, rules
    );
    row.truncate(row.trim_end().len());
    row.push('\n');
    if let Some(detail) = detail {
        let _ = writeln!(row, "{:36}{detail}", "");
    }
    row
}

pub fn table_header() -> String {
    format!(
        "{:>6}  {:<16}  {:<8}  {}\n",
        "LINE", "ID", "DECISION", "RULES, and the deciding reason"
    )
}

/// Writes output records as JSON straight into a buffer, each rule's label and
/// reason quoted once up front: the same bytes as serialising an [`Outcome`],
/// without building one per listing.
pub struct JsonWriter {
    labels: Vec<String>,
    reasons: Vec<String>,
}

impl JsonWriter {
    pub fn new(plan: &Plan) -> Self {
        let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
        JsonWriter {
            labels: plan.rules.iter().map(|r| quote(&r.label)).collect(),
            reasons: plan.rules.iter().map(|r| quote(&reason(r))).collect(),
        }
    }

    pub fn write<N: Node>(
        &self,
        out: &mut Vec<u8>,
        line: usize,
        id: Option<&N>,
        result: Result<&Decision, &str>,
    ) {
        out.extend_from_slice(b"{\"line\":");
        out.extend_from_slice(line.to_string().as_bytes());
        if let Some(id) = id.filter(|id| matches!(id.view(), View::Str(_) | View::Number(_))) {
            out.extend_from_slice(b",\"id\":");
            out.extend_from_slice(id.to_json().as_bytes());
        }
        match result {
            Ok(decision) => {
                out.extend_from_slice(b",\"decision\":\"");
                out.extend_from_slice(decision.action.as_str().as_bytes());
                out.extend_from_slice(b"\",\"rules\":");
                self.list(out, &self.labels, &decision.rules);
                out.extend_from_slice(b",\"reasons\":");
                self.list(out, &self.reasons, &decision.rules);
            }
            Err(error) => {
                out.extend_from_slice(b",\"decision\":\"error\",\"error\":");
                let _ = serde_json::to_writer(&mut *out, error);
            }
        }
        out.extend_from_slice(b"}\n");
    }

    fn list(&self, out: &mut Vec<u8>, quoted: &[String], rules: &[usize]) {
        out.push(b'[');
        for (n, rule) in rules.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(quoted[*rule].as_bytes());
        }
        out.push(b']');
    }
}

impl Summary {
    pub fn count(&mut self, result: Result<&Decision, &str>) {
        match result.map(|d| d.action) {
            Ok(crate::plan::Action::Block) => self.block += 1,
            Ok(crate::plan::Action::Flag) => self.flag += 1,
            Ok(crate::plan::Action::Allow) => self.allow += 1,
            Err(_) => self.error += 1,
        }
    }

    pub fn merge(&mut self, other: Summary) {
        self.block += other.block;
        self.flag += other.flag;
        self.allow += other.allow;
        self.error += other.error;
    }
}
