//! The policy test runner: the `test` blocks of a plan, run on the compiled
//! rules, each passing or saying how its decision differed from what it expects.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::eval::{Decider, Decision, EvalError};
use crate::plan::{Expect, Plan, TestCase};

/// The outcome of one test.
#[derive(Debug, Clone)]
pub struct Ran<'p> {
    pub case: &'p TestCase,
    /// `Err` says how the decision differed from the expectation.
    pub result: Result<(), String>,
}

/// Runs every test of the plan, in order. A test without `at` runs on `today`.
pub fn run_all(plan: &Plan, today: NaiveDate) -> Vec<Ran<'_>> {
    let decider = Decider::new(plan, today);
    plan.tests()
        .iter()
        .map(|case| Ran {
            case,
            result: run_on(&decider.on(case.at.unwrap_or(today)), case),
        })
        .collect()
}

/// Runs one test, compiling the plan for it: `Err` says how the decision
/// differed from the expectation. A test without `at` runs today (UTC).
pub fn run_case(plan: &Plan, case: &TestCase) -> Result<(), String> {
    let date = case.at.unwrap_or_else(|| chrono::Utc::now().date_naive());
    run_on(&Decider::new(plan, date), case)
}

fn run_on(decider: &Decider, case: &TestCase) -> Result<(), String> {
    let plan = decider.plan();
    let decided = decider.decide_json(&case.given);
    let failures: Vec<String> = case
        .expects
        .iter()
        .filter_map(|expect| failure(plan, expect, &decided))
        .collect();
    if failures.is_empty() {
        return Ok(());
    }
    let mut why = failures.join("; ");
    let unread = unread_fields(plan, &case.given);
    if !unread.is_empty() {
        why.push_str(&format!(
            "\n      (no rule reads {} of the listing)",
            unread.join(", ")
        ));
    }
    Err(why)
}

/// How a decision fails one expectation, if it does.
fn failure(plan: &Plan, expect: &Expect, decided: &Result<Decision, EvalError>) -> Option<String> {
    let label = |i: &usize| plan.rule(*i).map_or("?", |r| r.label.as_str());
    let labels = |rules: &[usize]| rules.iter().map(label).collect::<Vec<_>>().join(", ");
    let got = |d: &Decision| {
        let mut got = format!("{} by [{}]", d.action.as_str(), labels(&d.rules));
        if !d.suppressed.is_empty() {
            let suppressed: Vec<String> = d
                .suppressed
                .iter()
                .map(|(r, b)| format!("{} by {}", label(r), label(b)))
                .collect();
            got.push_str(&format!(" (suppressed: {})", suppressed.join(", ")));
        }
        if !d.notices.is_empty() {
            got.push_str(&format!(" (notices: {})", labels(&d.notices)));
        }
        got
    };
    match (expect, decided) {
        (Expect::Decision { action: None, .. }, Err(_)) => None,
        (Expect::Decision { action: None, .. }, Ok(d)) => {
            Some(format!("expected error, got {}", got(d)))
        }
        (_, Err(e)) => Some(format!("expected {}, got error: {e}", what(plan, expect))),
        (
            Expect::Decision {
                action: Some(action),
                by,
            },
            Ok(d),
        ) => {
            // Each rule `by` names applies and gave the decision's action; other
            // rules may too (a new file's rule does not break this test).
            let gave: BTreeSet<usize> = d
                .rules
                .iter()
                .copied()
                .filter(|i| plan.rule(*i).is_some_and(|r| r.action == d.action))
                .collect();
            let holds = d.action == *action && by.iter().all(|r| gave.contains(r));
            (!holds).then(|| format!("expected {}, got {}", what(plan, expect), got(d)))
        }
        (Expect::Applies { rule, applies }, Ok(d)) => {
            ((d.rules.contains(rule) || d.notices.contains(rule)) != *applies)
                .then(|| format!("expected {}, got {}", what(plan, expect), got(d)))
        }
        (Expect::Suppressed { rule, by }, Ok(d)) => {
            let holds = d
                .suppressed
                .iter()
                .any(|(r, b)| r == rule && by.is_none_or(|by| by == *b));
            (!holds).then(|| format!("expected {}, got {}", what(plan, expect), got(d)))
        }
    }
}

/// An expectation in words, as the test wrote it.
fn what(plan: &Plan, expect: &Expect) -> String {
    let label = |i: &usize| plan.rule(*i).map_or("?", |r| r.label.as_str()).to_string();
    match expect {
        Expect::Decision { action: None, .. } => "error".into(),
        Expect::Decision {
            action: Some(a),
            by,
        } if by.is_empty() => a.as_str().into(),
        Expect::Decision {
            action: Some(a),
            by,
        } => {
            let names: Vec<String> = by.iter().map(label).collect();
            format!("{} by [{}]", a.as_str(), names.join(", "))
        }
        Expect::Applies {
            rule,
            applies: true,
        } => format!("`{}` to apply", label(rule)),
        Expect::Applies {
            rule,
            applies: false,
        } => format!("`{}` not to apply", label(rule)),
        Expect::Suppressed { rule, by: None } => format!("`{}` suppressed", label(rule)),
        Expect::Suppressed { rule, by: Some(by) } => {
            format!("`{}` suppressed by `{}`", label(rule), label(by))
        }
    }
}

/// The fields of a test's listing that no rule reads, each with the field it
/// may have meant: a misspelt key is why a test gets `allow` by no rule.
fn unread_fields(plan: &Plan, given: &serde_json::Value) -> Vec<String> {
    let read: Vec<&str> = plan.fields().iter().map(|f| f.dotted.as_str()).collect();
    let mut unread = Vec::new();
    let mut paths = Vec::new();
    leaf_paths(given, String::new(), &mut paths);
    for path in paths {
        let used = read.iter().any(|r| {
            *r == path
                || r.strip_prefix(path.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
                || path
                    .strip_prefix(*r)
                    .is_some_and(|rest| rest.starts_with('.'))
        });
        if !used {
            unread.push(
                match crate::fuzzy::did_you_mean(&path, read.iter().copied()) {
                    Some(near) => format!("`{path}` (did you mean `{near}`?)"),
                    None => format!("`{path}`"),
                },
            );
        }
    }
    unread
}

/// The dotted paths to every value in an object that is not itself an object.
fn leaf_paths(value: &serde_json::Value, prefix: String, out: &mut Vec<String>) {
    let serde_json::Value::Object(fields) = value else {
        if !prefix.is_empty() {
            out.push(prefix);
        }
        return;
    };
    for (key, inner) in fields {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        leaf_paths(inner, path, out);
    }
}
