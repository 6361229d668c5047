//! Why a rule matched a listing or not: plan conditions written back in policy
//! syntax, and a walk that records what each test read and what it found.
//!
//! The walk mirrors [`super::eval`] (the same reads, the same tests, the same
//! order of failure) but looks at every part of a condition instead of stopping
//! at the first that decides, so that an explanation shows all of them.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde_json::Value as Json;

use super::{Decider, Decision, EvalError, read};
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
            Cond::Compare(comparison) => self.compared(cond, comparison),
            Cond::Ref(id) => self.named(*id),
        }
    }

    /// A computed comparison: its result, and the first field it reads with
    /// that field's value.
    fn compared(&self, cond: &Cond, comparison: &crate::plan::Comparison) -> Trace {
        let plan = self.plan;
        let result = super::eval(plan, cond, self.listing).map_err(|e| *e);
        let mut seen = None;
        for term in [&comparison.left, &comparison.right] {
            term.visit(&mut |t| {
                if seen.is_some() {
                    return;
                }
                if let crate::plan::Term::Field(path) = t {
                    let found = match crate::json::find(self.listing, &path.segments) {
                        crate::json::Found::Value(v) => Some(v.clone()),
                        _ => None,
                    };
                    seen = Some((path.dotted.clone(), found));
                }
            });
        }
        leaf(show(plan, cond).to_string(), result, seen)
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

/// Why a listing got its decision: the decision, and each rule looked at in
/// full (every part evaluated, not cut short), in policy order.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub date: NaiveDate,
    pub decision: Result<Decision, EvalError>,
    pub rules: Vec<RuleExplanation>,
}

/// One rule looked at for one listing on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleExplanation {
    pub index: usize,
    pub label: String,
    /// `FILE:LINE` where the rule is written.
    pub location: String,
    pub verdict: Verdict,
    pub because: Option<String>,
    /// The reason decisions give: `because`, or the rule's text.
    pub reason: String,
    /// The subject (`import`, or a declared one); `None` for `listing`.
    pub subject: Option<Trace>,
    pub condition: Option<Trace>,
    pub unless: Option<Trace>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The rule matches and applies: its action counts.
    Applies(crate::plan::Action),
    /// The rule matches, but rules that override it apply, and silence it.
    Overridden(Vec<String>),
    /// The subject and condition hold, but so does `unless`: it saved the listing.
    Saved,
    DoesNotMatch,
    /// Outside `effective <= date < until`; the traces show what it would see.
    NotInForce,
    Error(EvalError),
}

/// Explains a listing's decision on `date`, and each rule of the plan.
pub fn explain(plan: &Plan, listing: &Json, date: NaiveDate) -> Explanation {
    let decision = Decider::new(plan, date).decide_json(listing);
    let rules = (0..plan.rules().len())
        .filter_map(|i| rule_explanation(plan, i, listing, date, &decision))
        .collect();
    Explanation {
        date,
        decision,
        rules,
    }
}

/// Explains rule `index` for a listing on `date`; `None` if there is no such rule.
pub fn explain_rule(
    plan: &Plan,
    index: usize,
    listing: &Json,
    date: NaiveDate,
) -> Option<RuleExplanation> {
    let decision = Decider::new(plan, date).decide_json(listing);
    rule_explanation(plan, index, listing, date, &decision)
}

fn rule_explanation(
    plan: &Plan,
    index: usize,
    listing: &Json,
    date: NaiveDate,
    decision: &Result<Decision, EvalError>,
) -> Option<RuleExplanation> {
    let rule = plan.rule(index)?;
    let mut tracer = Tracer {
        plan,
        listing,
        shared: HashMap::new(),
    };
    let parts = &rule.parts;
    let subject = (parts.subject != Cond::True).then(|| {
        let mut trace = tracer.trace(&parts.subject);
        if trace.text.is_empty() || trace.text.starts_with("all of") {
            trace.text = parts.subject_name.clone();
        }
        trace
    });
    let condition = parts.condition.as_ref().map(|c| tracer.trace(c));
    let unless = parts.unless.as_ref().map(|c| tracer.trace(c));
    let verdict = verdict(
        plan,
        rule,
        index,
        date,
        decision,
        [&subject, &condition],
        &unless,
    );
    Some(RuleExplanation {
        index,
        label: rule.label.clone(),
        location: rule.location.clone(),
        verdict,
        because: rule.because.clone(),
        reason: rule.reason().to_string(),
        subject,
        condition,
        unless,
    })
}

/// The rule's verdict, read as evaluation reads `subject and condition and not
/// unless`: the first error or false part decides, in that order.
fn verdict(
    plan: &Plan,
    rule: &Rule,
    index: usize,
    date: NaiveDate,
    decision: &Result<Decision, EvalError>,
    holds: [&Option<Trace>; 2],
    unless: &Option<Trace>,
) -> Verdict {
    if !rule.in_force(date) {
        return Verdict::NotInForce;
    }
    for part in holds.into_iter().flatten() {
        match &part.result {
            Err(e) => return Verdict::Error(e.clone().in_rule(&rule.label)),
            Ok(false) => return Verdict::DoesNotMatch,
            Ok(true) => {}
        }
    }
    match unless.as_ref().map(|u| &u.result) {
        Some(Err(e)) => return Verdict::Error(e.clone().in_rule(&rule.label)),
        Some(Ok(true)) => return Verdict::Saved,
        _ => {}
    }
    let by: Vec<String> = match decision {
        Ok(decision) => decision
            .suppressed
            .iter()
            .filter(|(r, _)| *r == index)
            .filter_map(|(_, by)| plan.rule(*by).map(|r| r.label.clone()))
            .collect(),
        Err(_) => Vec::new(),
    };
    if by.is_empty() {
        Verdict::Applies(rule.action)
    } else {
        Verdict::Overridden(by)
    }
}

impl RuleExplanation {
    /// Whether the rule had a say: it applies, was silenced by an override or
    /// saved by its `unless`, or could not be decided.
    pub fn matters(&self) -> bool {
        matches!(
            self.verdict,
            Verdict::Applies(_) | Verdict::Overridden(_) | Verdict::Saved | Verdict::Error(_)
        )
    }

    /// The verdict in words: `matches → block`, `does not match`, ...
    pub fn verdict_text(&self, date: NaiveDate) -> String {
        match &self.verdict {
            Verdict::Applies(action) => format!("matches → {}", action.as_str()),
            Verdict::Overridden(by) => format!(
                "matches, but {} {} it and {}: it is suppressed",
                by.join(", "),
                if by.len() == 1 {
                    "overrides"
                } else {
                    "override"
                },
                if by.len() == 1 { "applies" } else { "apply" },
            ),
            Verdict::Saved => "matches, but its `unless` holds: the listing is saved".into(),
            Verdict::DoesNotMatch => "does not match".into(),
            Verdict::NotInForce => format!("not in force on {date}"),
            // The traces show the test that failed and why.
            Verdict::Error(_) => "cannot be decided".into(),
        }
    }

    /// The rule, its verdict and each part of its condition, a line each.
    pub fn render(&self, date: NaiveDate) -> String {
        let mut out = format!(
            "{} ({}): {}\n",
            self.label,
            self.location,
            self.verdict_text(date)
        );
        if let Some(because) = &self.because {
            let _ = writeln!(out, "  because \"{because}\"");
        }
        let parts: Vec<(&str, &Trace)> = [
            ("", self.subject.as_ref()),
            ("", self.condition.as_ref()),
            ("unless ", self.unless.as_ref()),
        ]
        .into_iter()
        .filter_map(|(prefix, trace)| Some((prefix, trace?)))
        .collect();
        let width = parts
            .iter()
            .map(|(prefix, t)| {
                t.top()
                    .iter()
                    .map(|p| p.widest(0) + prefix.len())
                    .max()
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0)
            .min(TEXT_WIDTH);
        for (prefix, trace) in parts {
            for part in trace.top() {
                let mut lines = String::new();
                part.write_lines(&mut lines, 0, width.saturating_sub(prefix.len()));
                for (n, line) in lines.lines().enumerate() {
                    // After the result word and its two spaces (ASCII, 7 bytes).
                    let line = match (n, prefix.is_empty(), line.get(..7), line.get(7..)) {
                        (0, false, Some(word), Some(rest)) => format!("{word}{prefix}{rest}"),
                        _ => line.to_string(),
                    };
                    let _ = writeln!(out, "  {line}");
                }
            }
        }
        out
    }
}

impl Trace {
    /// The parts a person reads at the top: an `all of` stands for its parts.
    fn top(&self) -> Vec<&Trace> {
        if self.text == "all of" {
            self.parts.iter().collect()
        } else {
            vec![self]
        }
    }
}

impl Explanation {
    /// The decision, then each rule `show` keeps, then the rules not in force.
    pub fn render(&self, listing: &str, show: impl Fn(&RuleExplanation) -> bool) -> String {
        let mut out = format!("{listing} on {}: ", self.date);
        match &self.decision {
            Ok(decision) if decision.rules.is_empty() => {
                let why = if self.rules.iter().any(RuleExplanation::matters) {
                    "no rule applies"
                } else {
                    "no rule matches"
                };
                let _ = writeln!(out, "{} ({why})", decision.action.as_str());
            }
            Ok(decision) => {
                let _ = writeln!(out, "{}", decision.action.as_str());
                for rule in self
                    .rules
                    .iter()
                    .filter(|r| decision.rules.contains(&r.index))
                {
                    let _ = writeln!(out, "  by {}: {}", rule.label, rule.reason);
                }
            }
            Err(e) => {
                let _ = writeln!(out, "error\n  {e}");
            }
        }
        if let Ok(decision) = &self.decision {
            for (rule, by) in &decision.suppressed {
                let name = |i: &usize| {
                    self.rules
                        .iter()
                        .find(|r| r.index == *i)
                        .map_or("?", |r| r.label.as_str())
                };
                let _ = writeln!(out, "  suppressed: {} (by {})", name(rule), name(by));
            }
            for rule in self
                .rules
                .iter()
                .filter(|r| decision.notices.contains(&r.index))
            {
                let _ = writeln!(out, "  notice by {}: {}", rule.label, rule.reason);
            }
        }
        let shown: Vec<&RuleExplanation> = self
            .rules
            .iter()
            .filter(|r| r.verdict != Verdict::NotInForce && show(r))
            .collect();
        for rule in shown {
            out.push('\n');
            out.push_str(&rule.render(self.date));
        }
        let resting: Vec<String> = self
            .rules
            .iter()
            .filter(|r| r.verdict == Verdict::NotInForce && show(r))
            .map(|r| r.label.clone())
            .collect();
        if !resting.is_empty() {
            let _ = write!(
                out,
                "\nnot in force on {}: {}\n",
                self.date,
                resting.join(", ")
            );
        }
        out
    }
}

impl Trace {
    /// The part as JSON: its text, its result (`true`, `false` or `"error"` with
    /// the error), what it read, and its parts.
    pub fn to_json(&self) -> Json {
        let mut out = serde_json::Map::new();
        out.insert("text".into(), Json::String(self.text.clone()));
        match &self.result {
            Ok(b) => {
                out.insert("result".into(), Json::Bool(*b));
            }
            Err(e) => {
                out.insert("result".into(), Json::String("error".into()));
                out.insert("error".into(), Json::String(e.to_string()));
            }
        }
        if let Some((field, value)) = &self.seen {
            out.insert("field".into(), Json::String(field.clone()));
            match value {
                Some(value) => out.insert("value".into(), value.clone()),
                None => out.insert("missing".into(), Json::Bool(true)),
            };
        }
        if !self.parts.is_empty() {
            let parts = self.parts.iter().map(Trace::to_json).collect();
            out.insert("parts".into(), Json::Array(parts));
        }
        Json::Object(out)
    }
}

impl RuleExplanation {
    pub fn to_json(&self) -> Json {
        let mut out = serde_json::Map::new();
        out.insert("rule".into(), Json::String(self.label.clone()));
        out.insert("location".into(), Json::String(self.location.clone()));
        let verdict = match &self.verdict {
            Verdict::Applies(action) => {
                out.insert("action".into(), Json::String(action.as_str().into()));
                "applies"
            }
            Verdict::Overridden(by) => {
                let by = by.iter().cloned().map(Json::String).collect();
                out.insert("suppressed_by".into(), Json::Array(by));
                "suppressed"
            }
            Verdict::Saved => "saved_by_unless",
            Verdict::DoesNotMatch => "does_not_match",
            Verdict::NotInForce => "not_in_force",
            Verdict::Error(e) => {
                out.insert("error".into(), Json::String(e.to_string()));
                "error"
            }
        };
        out.insert("verdict".into(), Json::String(verdict.into()));
        out.insert("reason".into(), Json::String(self.reason.clone()));
        for (name, trace) in [
            ("subject", &self.subject),
            ("condition", &self.condition),
            ("unless", &self.unless),
        ] {
            if let Some(trace) = trace {
                out.insert(name.into(), trace.to_json());
            }
        }
        Json::Object(out)
    }
}

impl Explanation {
    /// The explanation as JSON: the date, the rules `show` keeps (every
    /// condition's value and outcome), in policy order.
    pub fn to_json(&self, show: impl Fn(&RuleExplanation) -> bool) -> Json {
        let rules = self
            .rules
            .iter()
            .filter(|r| show(r))
            .map(RuleExplanation::to_json);
        serde_json::json!({
            "at": self.date.to_string(),
            "explanations": rules.collect::<Vec<_>>(),
        })
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
