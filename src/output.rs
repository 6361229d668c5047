//! Decisions written out: one JSON object per listing (NDJSON), or a table for
//! people, and the counts by decision.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value as Json;

use crate::eval::Decision;
use crate::json::{Node, View};
use crate::plan::{Action, Plan};

/// What an output record says of its listing: an action, or that it could not
/// be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allow,
    Flag,
    Block,
    Error,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Block,
        Verdict::Flag,
        Verdict::Allow,
        Verdict::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Flag => "flag",
            Verdict::Block => "block",
            Verdict::Error => "error",
        }
    }

    /// The verdict of a decision, or of a listing that could not be decided.
    pub fn of<E>(result: Result<&Decision, E>) -> Verdict {
        result.map_or(Verdict::Error, |d| d.action.into())
    }
}

impl From<Action> for Verdict {
    fn from(action: Action) -> Verdict {
        match action {
            Action::Notice | Action::Allow => Verdict::Allow,
            Action::Flag => Verdict::Flag,
            Action::Block => Verdict::Block,
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// The output record for one input record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Json>,
    pub decision: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<String>>,
    /// Rules that matched but were silenced by a rule overriding them; only
    /// when there are some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Vec<Suppressed>>,
    /// The `notice` rules that apply, each with its text; only when there are
    /// some. They do not change the decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notices: Option<Vec<Notice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Which of `reasons` belongs to the first rule with the decision's action:
    /// the one a person reads first.
    #[serde(skip)]
    pub deciding: Option<usize>,
}

impl Outcome {
    /// The outcome of one record: its line, its `id` (kept when it is text or a
    /// number), and its decision or why it has none.
    pub fn new<E: ToString>(
        plan: &Plan,
        line: usize,
        id: Option<&Json>,
        result: Result<&Decision, E>,
    ) -> Self {
        let id = id.filter(|id| id.is_string() || id.is_number()).cloned();
        let decision = match result {
            Ok(decision) => decision,
            Err(error) => return Outcome::failed(line, id, error.to_string()),
        };
        let rules: Vec<_> = decision
            .rules
            .iter()
            .filter_map(|i| plan.rule(*i))
            .collect();
        Outcome {
            line,
            id,
            decision: decision.action.into(),
            rules: Some(rules.iter().map(|r| r.label.clone()).collect()),
            reasons: Some(rules.iter().map(|r| r.reason().to_string()).collect()),
            suppressed: Suppressed::of(plan, decision),
            notices: Notice::of(plan, decision),
            error: None,
            deciding: rules.iter().position(|r| r.action == decision.action),
        }
    }

    /// The `error` record of a listing that could not be read or decided.
    pub fn failed(line: usize, id: Option<Json>, error: String) -> Self {
        Outcome {
            line,
            id,
            decision: Verdict::Error,
            rules: None,
            reasons: None,
            suppressed: None,
            notices: None,
            error: Some(error),
            deciding: None,
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

/// A rule that matched a listing but was silenced, and the rule that silenced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    pub rule: String,
    pub by: String,
}

impl Suppressed {
    /// The decision's suppressed rules by label; `None` when there are none.
    pub fn of(plan: &Plan, decision: &Decision) -> Option<Vec<Suppressed>> {
        let label = |i: usize| plan.rule(i).map(|r| r.label.clone());
        let all: Vec<Suppressed> = decision
            .suppressed
            .iter()
            .filter_map(|(rule, by)| {
                Some(Suppressed {
                    rule: label(*rule)?,
                    by: label(*by)?,
                })
            })
            .collect();
        (!all.is_empty()).then_some(all)
    }
}

/// A `notice` rule that applies to a listing, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub rule: String,
    pub notice: String,
}

impl Notice {
    /// The decision's notices; `None` when there are none.
    pub fn of(plan: &Plan, decision: &Decision) -> Option<Vec<Notice>> {
        let all: Vec<Notice> = decision
            .notices
            .iter()
            .filter_map(|i| plan.rule(*i))
            .map(|rule| Notice {
                rule: rule.label.clone(),
                notice: rule.reason().to_string(),
            })
            .collect();
        (!all.is_empty()).then_some(all)
    }
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.rule, self.notice)
    }
}

impl std::fmt::Display for Suppressed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (by {})", self.rule, self.by)
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
    pub fn count(&mut self, verdict: Verdict) {
        *self.slot(verdict) += 1;
    }

    pub fn get(&self, verdict: Verdict) -> usize {
        match verdict {
            Verdict::Block => self.block,
            Verdict::Flag => self.flag,
            Verdict::Allow => self.allow,
            Verdict::Error => self.error,
        }
    }

    fn slot(&mut self, verdict: Verdict) -> &mut usize {
        match verdict {
            Verdict::Block => &mut self.block,
            Verdict::Flag => &mut self.flag,
            Verdict::Allow => &mut self.allow,
            Verdict::Error => &mut self.error,
        }
    }

    pub fn total(&self) -> usize {
        self.block + self.flag + self.allow + self.error
    }

    pub fn merge(&mut self, other: Summary) {
        for verdict in Verdict::ALL {
            *self.slot(verdict) += other.get(verdict);
        }
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
    if let Some(suppressed) = &outcome.suppressed {
        let names: Vec<String> = suppressed.iter().map(ToString::to_string).collect();
        let _ = writeln!(row, "{:36}suppressed: {}", "", names.join(", "));
    }
    for notice in outcome.notices.iter().flatten() {
        let _ = writeln!(row, "{:36}notice by {notice}", "");
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
    /// Every label and reason, quoted, one after another: a listing that
    /// thousands of rules match copies from one block rather than from a
    /// string of its own per rule, a cache miss each.
    text: Vec<u8>,
    labels: Vec<(usize, usize)>,
    reasons: Vec<(usize, usize)>,
}

impl JsonWriter {
    pub fn new(plan: &Plan) -> Self {
        let mut text = Vec::new();
        let mut quote = |s: &str| {
            let start = text.len();
            if serde_json::to_writer(&mut text, s).is_err() {
                text.truncate(start);
                text.extend_from_slice(b"\"\"");
            }
            (start, text.len())
        };
        let mut labels = Vec::with_capacity(plan.rules().len());
        let mut reasons = Vec::with_capacity(plan.rules().len());
        for rule in plan.rules() {
            labels.push(quote(&rule.label));
            reasons.push(quote(rule.reason()));
        }
        JsonWriter {
            text,
            labels,
            reasons,
        }
    }

    fn label(&self, rule: usize) -> Option<&[u8]> {
        let (start, end) = *self.labels.get(rule)?;
        self.text.get(start..end)
    }

    fn reason(&self, rule: usize) -> Option<&[u8]> {
        let (start, end) = *self.reasons.get(rule)?;
        self.text.get(start..end)
    }

    pub fn write<N: Node>(
        &self,
        out: &mut Vec<u8>,
        line: usize,
        id: Option<&N>,
        result: Result<&Decision, &str>,
    ) {
        out.extend_from_slice(b"{\"line\":");
        out.extend_from_slice(itoa::Buffer::new().format(line).as_bytes());
        if let Some(id) = id.filter(|id| matches!(id.view(), View::Str(_) | View::Number(_))) {
            out.extend_from_slice(b",\"id\":");
            out.extend_from_slice(id.to_json().as_bytes());
        }
        match result {
            Ok(decision) => {
                out.extend_from_slice(b",\"decision\":\"");
                out.extend_from_slice(decision.action.as_str().as_bytes());
                out.extend_from_slice(b"\",\"rules\":");
                self.list(out, &decision.rules, |rule| self.label(rule));
                out.extend_from_slice(b",\"reasons\":");
                self.list(out, &decision.rules, |rule| self.reason(rule));
                if !decision.suppressed.is_empty() {
                    self.suppressed(out, &decision.suppressed);
                }
                if !decision.notices.is_empty() {
                    self.notices(out, &decision.notices);
                }
            }
            Err(error) => {
                out.extend_from_slice(b",\"decision\":\"error\",\"error\":");
                let _ = serde_json::to_writer(&mut *out, error);
            }
        }
        out.extend_from_slice(b"}\n");
    }

    fn suppressed(&self, out: &mut Vec<u8>, suppressed: &[(usize, usize)]) {
        let known = suppressed
            .iter()
            .filter_map(|(rule, by)| Some((self.label(*rule)?, self.label(*by)?)));
        pairs(out, b",\"suppressed\":[", b"{\"rule\":", b",\"by\":", known);
    }

    fn notices(&self, out: &mut Vec<u8>, notices: &[usize]) {
        let known = notices
            .iter()
            .filter_map(|i| Some((self.label(*i)?, self.reason(*i)?)));
        pairs(
            out,
            b",\"notices\":[",
            b"{\"rule\":",
            b",\"notice\":",
            known,
        );
    }

    fn list<'t>(
        &'t self,
        out: &mut Vec<u8>,
        rules: &[usize],
        quoted: impl Fn(usize) -> Option<&'t [u8]>,
    ) {
        out.push(b'[');
        for (n, rule) in rules.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            if let Some(text) = quoted(*rule) {
                out.extend_from_slice(text);
            }
        }
        out.push(b']');
    }
}

/// `KEY[{A: a, B: b}, ...]` of JSON texts quoted already.
fn pairs<'q>(
    out: &mut Vec<u8>,
    key: &[u8],
    first: &[u8],
    second: &[u8],
    items: impl Iterator<Item = (&'q [u8], &'q [u8])>,
) {
    out.extend_from_slice(key);
    for (n, (a, b)) in items.enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(first);
        out.extend_from_slice(a);
        out.extend_from_slice(second);
        out.extend_from_slice(b);
        out.push(b'}');
    }
    out.push(b']');
}
