//! `akar test FILE...`: runs the `test` blocks; the last line is `N passed, N failed`.

use std::path::PathBuf;

use super::{Exit, load_plan};
use crate::diagnostics::Style;
use crate::eval::decide;
use crate::plan::{Plan, TestCase};

pub fn run(files: &[PathBuf], style: Style) -> Exit {
    let (_, plan) = match load_plan(files, style) {
        Ok(loaded) => loaded,
        Err(exit) => return exit,
    };
    let (mut passed, mut failed) = (0, 0);
    for case in &plan.tests {
        match run_case(&plan, case) {
            Ok(()) => {
                passed += 1;
                println!("ok    {}", case.name);
            }
            Err(why) => {
                failed += 1;
                println!("FAIL  {} ({})\n      {why}", case.name, case.location);
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 { Exit::Failed } else { Exit::Ok }
}

/// Runs one test: `Err` says how the decision differed from the expectation.
pub fn run_case(plan: &Plan, case: &TestCase) -> Result<(), String> {
    let date = case.at.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let labels = |rules: &[usize]| {
        rules
            .iter()
            .map(|i| plan.rules[*i].label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (decide(plan, &case.given, date), case.expect) {
        (Err(_), None) => Ok(()),
        (Err(e), Some(action)) => Err(format!("expected {}, got error: {e}", action.as_str())),
        (Ok(d), None) => Err(format!(
            "expected error, got {} by [{}]",
            d.action.as_str(),
            labels(&d.rules)
        )),
        (Ok(d), Some(action)) => {
            let missing: Vec<usize> = case
                .by
                .iter()
                .copied()
                .filter(|r| !d.rules.contains(r))
                .collect();
            if d.action == action && missing.is_empty() {
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
