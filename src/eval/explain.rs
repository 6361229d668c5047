//! Why a rule matched a listing or not: plan conditions written back in policy
//! syntax, and a walk that records what each test read and what it found.
//!
//! The walk mirrors [`super::eval`] (the same reads, the same tests, the same
//! order of failure) but looks at every part of a condition instead of stopping
//! at the first that decides, so that an explanation shows all of them.

use std::collections::HashMap;
use std::fmt::{self, Display, Write as _};

use chrono::NaiveDate;
use serde_json::Value as Json;

use super::{Decider, EvalError, read};
use crate::plan::{Cond, Operand, Plan, Rule, Test, show};

/// What one part of a condition saw and made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The part in policy syntax; `all of` / `any of` / `not` for compound parts.
    pub text: String,
    /// Its value, or why the listing could not be decided.
    pub result: Result<bool, EvalError>,
    /// For a test: the field or derived value read, and its value (`None` when
    /// missing).
    pub seen: Option<(String, Option<Json>)>,
    /// The test is `is missing` or `is present`: a missing value needs no saying.
    pub presence: bool,
    pub parts: Vec<Trace>,
}

/// Walks `cond` over a listing, recording every test.
pub fn trace(plan: &Plan, cond: &Cond, listing: &Json) -> Trace {
    Tracer {
        plan,
        listing,
        shared: HashMap::new(),
    }
    .trace(cond)
}

/// One walk, remembering the named conditions it has shown: each is shown in
/// full the first time and by name after, so an explanation stays as small as
/// the policy however often a name is used.
struct Tracer<'t> {
    plan: &'t Plan,
    listing: &'t Json,
    shared: HashMap<usize, Result<bool, EvalError>>,
}

impl Tracer<'_> {
    fn trace(&mut self, cond: &Cond) -> Trace {
        let plan = self.plan;
        match cond {
            Cond::True => leaf(show(plan, cond).to_string(), Ok(true), None),
            Cond::And(items) => self.compound("all of", items, false),
            Cond::Or(items) => self.compound("any of", items, true),
            Cond::Not(inner) if matches!(**inner, Cond::Test(..)) => {
                // A negated test reads as one test (`!=`, `is present`, `not in`).
                let test = self.trace(inner);
                Trace {
                    text: show(plan, cond).to_string(),
                    result: test.result.map(|b| !b),
                    ..test
                }
            }
            Cond::Not(inner) => {
                let part = self.trace(inner);
                Trace {
                    text: "not".into(),
                    result: part.result.clone().map(|b| !b),
                    seen: None,
                    presence: false,
                    parts: vec![part],
                }
            }
            Cond::Test(operand, test) => Trace {
                text: show(plan, cond).to_string(),
                ..test_trace(plan, operand, test, self.listing)
            },
            Cond::Ref(id) => self.named(*id),
        }
    }

    /// A named condition: its name, then its parts, once.
    fn named(&mut self, id: usize) -> Trace {
        let name = self.plan.shared_name(id).to_string();
        if let Some(result) = self.shared.get(&id) {
            return leaf(format!("{name} (as above)"), result.clone(), None);
        }
        let Some(shared) = self.plan.shared().get(id) else {
            return leaf(name, Ok(false), None);
        };
        let body = self.trace(&shared.cond);
        self.shared.insert(id, body.result.clone());
        let (text, parts) = match body.text.as_str() {
            "all of" | "any of" => (format!("{name}: {}", body.text), body.parts),
            _ => (name, vec![body.clone()]),
        };
        Trace {
            text,
            result: body.result,
            seen: None,
            presence: false,
            parts,
        }
    }

    /// `all of` stops at the first false part, `any of` at the first true one; an
    /// error before that point is the result, as in [`super::eval`].
    fn compound(&mut self, text: &str, items: &[Cond], stop_at: bool) -> Trace {
        let parts: Vec<Trace> = items.iter().map(|c| self.trace(c)).collect();
        let mut result = Ok(!stop_at);
        for part in &parts {
            match &part.result {
                Err(e) => {
                    result = Err(e.clone());
                    break;
                }
                Ok(b) if *b == stop_at => {
                    result = Ok(stop_at);
                    break;
                }
                Ok(_) => {}
            }
        }
        Trace {
            text: text.into(),
            result,
            seen: None,
            presence: false,
            parts,
        }
    }
}

/// One test: what it read and what it made of it, as [`super::eval`] does.
fn test_trace(plan: &Plan, operand: &Operand, test: &Test, listing: &Json) -> Trace {
    let name = plan.operand_name(operand).to_string();
    let found = match read(plan, operand, listing) {
        Ok(found) => found,
        Err(error) => return leaf(String::new(), Err(error), Some((name, None))),
    };
    let result = match (found, test) {
        (None, Test::Missing) => Ok(true),
        (None, _) => Ok(false),
        (Some(v), test) => {
            super::apply_test(test, v, plan).map_err(|fault| EvalError::new(fault, name.as_str()))
        }
    };
    Trace {
        presence: *test == Test::Missing,
        ..leaf(String::new(), result, Some((name, found.cloned())))
    }
}

fn leaf(
    text: String,
    result: Result<bool, EvalError>,
    seen: Option<(String, Option<Json>)>,
) -> Trace {
    Trace {
        text,
        result,
        seen,
        presence: false,
        parts: Vec::new(),
    }
}

/// The widest condition text before the values seen are aligned after it.
const TEXT_WIDTH: usize = 48;

impl Trace {
    /// One line per part, its result first, nested parts indented. The rule's own
    /// `and` (subject, `where`, `unless`) is implied, so its parts stand at the top.
    pub fn lines(&self) -> String {
        let top: Vec<&Trace> = if self.text == "all of" {
            self.parts.iter().collect()
        } else {
            vec![self]
        };
        let width = top
            .iter()
            .map(|t| t.widest(0))
            .max()
            .unwrap_or(0)
            .min(TEXT_WIDTH);
        let mut out = String::new();
        for part in top {
            part.write_lines(&mut out, 0, width);
        }
        out
    }

    fn widest(&self, depth: usize) -> usize {
        let own = depth * 2 + self.text.chars().count();
        self.parts
            .iter()
            .map(|p| p.widest(depth + 1))
            .fold(own, usize::max)
    }

    fn write_lines(&self, out: &mut String, depth: usize, width: usize) {
        let word = match &self.result {
            Ok(true) => "true",
            Ok(false) => "false",
            Err(_) => "error",
        };
        let text = format!("{}{}", "  ".repeat(depth), self.text);
        let line = match &self.seen {
            Some((_, None)) if self.presence => format!("{word:<5}  {text}"),
            Some((name, found)) => format!("{word:<5}  {text:<width$}   {}", seen(name, found)),
            None => format!("{word:<5}  {text}"),
        };
        let _ = writeln!(out, "{}", line.trim_end());
        if let (Err(e), true) = (&self.result, self.parts.is_empty()) {
            let _ = writeln!(out, "       {}↳ {e}", "  ".repeat(depth));
        }
        for part in &self.parts {
            part.write_lines(out, depth + 1, width);
        }
    }
}

fn seen(name: &str, found: &Option<Json>) -> String {
    match found {
        None => format!("{name} is missing"),
        Some(value) => {
            let text = value.to_string();
            let short = if text.chars().count() > 60 {
                let cut: String = text.chars().take(59).collect();
                format!("{cut}…")
            } else {
                text
            };
            format!("{name} = {short}")
        }
    }
}

/// One rule looked at for one listing on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleExplanation {
    pub label: String,
    pub verdict: Verdict,
    pub because: Option<String>,
    pub trace: Trace,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The rule matches and applies: its action counts.
    Applies(crate::plan::Action),
    /// The rule matches, but rules that override it apply too.
    Overridden(Vec<String>),
    DoesNotMatch,
    /// Outside `effective <= date < until`; the trace shows what it would see.
    NotInForce(NaiveDate),
    Error(EvalError),
}

/// Explains rule `index` for a listing on `date`; `None` if there is no such rule.
pub fn explain_rule(
    plan: &Plan,
    index: usize,
    listing: &Json,
    date: NaiveDate,
) -> Option<RuleExplanation> {
    let rule = plan.rule(index)?;
    let trace = trace(plan, &rule.when, listing);
    let verdict = match &trace.result {
        _ if !rule.in_force(date) => Verdict::NotInForce(date),
        Err(e) => Verdict::Error(e.clone()),
        Ok(false) => Verdict::DoesNotMatch,
        Ok(true) => overridden(plan, rule, listing, date)
            .map_or(Verdict::Applies(rule.action), Verdict::Overridden),
    };
    Some(RuleExplanation {
        label: rule.label.clone(),
        verdict,
        because: rule.because.clone(),
        trace,
    })
}

/// The rules that override `rule` and apply to the listing, if any does.
fn overridden(plan: &Plan, rule: &Rule, listing: &Json, date: NaiveDate) -> Option<Vec<String>> {
    if rule.overridden_by.is_empty() {
        return None;
    }
    let decision = Decider::new(plan, date).decide_json(listing).ok()?;
    let by: Vec<String> = rule
        .overridden_by
        .iter()
        .filter(|i| decision.rules.contains(i))
        .filter_map(|i| plan.rule(*i).map(|r| r.label.clone()))
        .collect();
    (!by.is_empty()).then_some(by)
}

impl Display for RuleExplanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = &self.label;
        match &self.verdict {
            Verdict::Applies(action) => writeln!(f, "{label}: matches → {}", action.as_str())?,
            Verdict::Overridden(by) => writeln!(
                f,
                "{label}: matches, but is overridden by {}",
                by.join(", ")
            )?,
            Verdict::DoesNotMatch => writeln!(f, "{label}: does not match")?,
            Verdict::NotInForce(date) => writeln!(f, "{label}: not in force on {date}")?,
            // The trace below shows the test that failed and why.
            Verdict::Error(_) => writeln!(f, "{label}: cannot be decided")?,
        }
        if let Some(because) = &self.because {
            writeln!(f, "  because \"{because}\"")?;
        }
        for line in self.trace.lines().lines() {
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sources;
    use crate::check::check_sources;

    fn plan(text: &str) -> Plan {
        let mut sources = Sources::default();
        sources.add("t.policy", text);
        check_sources(&sources).unwrap_or_default()
    }

    #[test]
    fn shows_conditions_in_policy_syntax() {
        let plan = plan(
            "rate USD = 15_500 IDR\n\
             rule r block import where (cluster in [fashion, craft] or price < 100 USD) \
             and seller.country != \"ID\" and tags contains \"x y\" and halal is present \
             unless cluster not in [books]",
        );
        let text = plan
            .rules()
            .first()
            .map(|r| show(&plan, &r.when).to_string());
        assert_eq!(
            text.as_deref(),
            Some(
                "cross_border == true and (cluster in [craft, fashion] or price < 100 USD) \
                 and seller.country != ID and tags contains \"x y\" and halal is present \
                 and not (cluster not in [books])"
            )
        );
    }

    #[test]
    fn trace_agrees_with_eval() {
        let plan = plan(
            "rule r block import where cluster in [fashion] or price > 5\n\
             rule s flag listing where not (stock > 3 and title contains \"a\")",
        );
        let listings = [
            serde_json::json!({"cross_border": true, "cluster": "fashion"}),
            serde_json::json!({"cross_border": true, "cluster": "craft", "price": "x"}),
            serde_json::json!({"stock": 4, "title": 7}),
            serde_json::json!({"stock": 2}),
        ];
        for listing in &listings {
            for rule in plan.rules() {
                let expected = crate::eval::eval(&plan, &rule.when, listing).is_ok_and(|b| b);
                let traced = trace(&plan, &rule.when, listing);
                assert_eq!(traced.result.clone().is_ok_and(|b| b), expected);
                assert_eq!(
                    traced.result.is_err(),
                    crate::eval::eval(&plan, &rule.when, listing).is_err()
                );
            }
        }
    }
}
