//! The rule report: every rule of a policy set, where it is written and when
//! it is in force, and (over a catalogue) what it did — including the rules
//! that never fire, which a reviewer should know of.

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use super::diff::thousands;
use super::tally::{RuleCounts, Tally};
use crate::batch::Collect;
use crate::eval::{Decision, EvalError, Listing};
use crate::json::Node;
use crate::output::Summary;
use crate::plan::Plan;

/// Counts what each rule does to every listing: the collector `akar rules
/// --listings` runs.
pub struct Counting<'p> {
    pub plan: &'p Plan,
}

impl Collect for Counting<'_> {
    type Part = Tally;

    fn part(&self, _records: usize) -> Tally {
        Tally::new(self.plan)
    }

    fn decided<N: Node>(
        &self,
        part: &mut Tally,
        _line: usize,
        _listing: &Listing<N>,
        decision: Result<&Decision, &EvalError>,
    ) {
        part.count(self.plan, decision);
    }

    fn unreadable(&self, part: &mut Tally, _line: usize, _error: &str) {
        part.unreadable();
    }
}

/// One rule in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRow {
    pub rule: String,
    pub action: &'static str,
    /// `FILE:LINE`.
    pub location: String,
    pub in_force: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// What it did to the catalogue, when there is one.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub counts: Option<RuleCounts>,
}

/// The report: the date, each rule, and over a catalogue the decisions and
/// the rules that never fire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleReport {
    pub at: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decisions: Option<Summary>,
    pub rules: Vec<RuleRow>,
    /// Rules in force that did nothing to the catalogue: never applied, never
    /// suppressed, never failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub never_fire: Option<Vec<String>>,
    /// Listings that could not be decided for a reason in no rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_errors: Option<usize>,
}

impl RuleReport {
    pub fn new(plan: &Plan, at: NaiveDate, tally: Option<&Tally>) -> RuleReport {
        let rules: Vec<RuleRow> = plan
            .rules()
            .iter()
            .enumerate()
            .map(|(i, rule)| RuleRow {
                rule: rule.label.clone(),
                action: rule.action.as_str(),
                location: rule.location.clone(),
                in_force: rule.in_force(at),
                effective: rule.effective,
                until: rule.until,
                overrides: rule
                    .overrides
                    .iter()
                    .filter_map(|o| plan.rule(*o).map(|r| r.label.clone()))
                    .collect(),
                counts: tally.map(|t| t.rules.get(i).copied().unwrap_or_default()),
            })
            .collect();
        let never_fire = tally.map(|_| {
            rules
                .iter()
                .filter(|r| r.in_force && r.counts.is_some_and(|c| c.is_idle()))
                .map(|r| r.rule.clone())
                .collect()
        });
        RuleReport {
            at,
            decisions: tally.map(|t| t.summary),
            rules,
            never_fire,
            other_errors: tally.map(|t| t.other_errors),
        }
    }

    /// The report as aligned columns for people.
    pub fn table(&self) -> String {
        let mut out = String::new();
        if let Some(decisions) = &self.decisions {
            let _ = writeln!(out, "on {}: {decisions}\n", self.at);
        }
        let headers = [
            "rule",
            "action",
            "where",
            "in force",
            "fired",
            "alone",
            "suppressed",
            "errors",
        ];
        let columns = if self.decisions.is_some() { 8 } else { 4 };
        let rows: Vec<Vec<String>> = self.rules.iter().map(|r| self.cells(r)).collect();
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                let header = headers.get(c).map_or(0, |h| h.len());
                rows.iter()
                    .filter_map(|row| row.get(c))
                    .map(|t| t.chars().count())
                    .fold(header, usize::max)
            })
            .collect();
        let line = |cells: &[String], out: &mut String| {
            let mut text = String::new();
            for (c, (cell, width)) in cells.iter().zip(&widths).enumerate() {
                let _ = match c {
                    0..=3 => write!(text, "{cell:<width$}  "),
                    _ => write!(text, "{cell:>width$}  "),
                };
            }
            let _ = writeln!(out, "{}", text.trim_end());
        };
        let headers: Vec<String> = headers
            .iter()
            .take(columns)
            .map(|h| h.to_string())
            .collect();
        line(&headers, &mut out);
        for row in &rows {
            line(row, &mut out);
        }
        if let Some(never) = self.never_fire.as_ref().filter(|n| !n.is_empty()) {
            let _ = writeln!(out, "\nnever fires on this catalogue: {}", never.join(", "));
        }
        if let Some(n) = self.other_errors.filter(|n| *n > 0) {
            let _ = writeln!(
                out,
                "{} listings could not be decided for a reason in no rule (the schema, or not a listing)",
                thousands(n)
            );
        }
        out
    }

    fn cells(&self, row: &RuleRow) -> Vec<String> {
        let in_force = match (row.in_force, row.effective, row.until) {
            (true, _, Some(until)) => format!("yes, until {until}"),
            (true, _, None) => "yes".into(),
            (false, Some(e), _) if self.at < e => format!("from {e}"),
            (false, _, Some(u)) => format!("ended {u}"),
            (false, _, None) => "no".into(),
        };
        let mut cells = vec![
            row.rule.clone(),
            row.action.to_string(),
            row.location.clone(),
            in_force,
        ];
        if let Some(c) = row.counts {
            cells.extend([c.fired, c.alone, c.suppressed, c.errors].map(thousands));
        }
        cells
    }
}
