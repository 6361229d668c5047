//! The policy test runner: the `test` blocks of a plan, run on the compiled
//! rules, each passing or saying how its decision differed from what it expects.

use chrono::NaiveDate;

use crate::eval::Decider;
use crate::plan::{Plan, TestCase};

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
    let labels = |rules: &[usize]| {
        rules
            .iter()
            .filter_map(|i| plan.rule(*i))
            .map(|r| r.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (decider.decide_json(&case.given), case.expect) {
        (Err(_), None) => Ok(()),
        (Err(e), Some(action)) => Err(format!("expected {}, got error: {e}", action.as_str())),
        (Ok(d), None) => Err(format!(
            "expected error, got {} by [{}]",
            d.action.as_str(),
            labels(&d.rules)
        )),
        (Ok(d), Some(action)) => {
            let all_named = case.by.iter().all(|r| d.rules.contains(r));
            if d.action == action && all_named {
                Ok(())
            } else {
                Err(format!(
                    "expected {} by [{}], got {} by [{}]",
                    action.as_str(),
                    labels(&case.by),
                    d.action.as_str(),
                    labels(&d.rules)
                ))
            }
        }
    }
}
