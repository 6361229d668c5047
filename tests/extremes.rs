#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]
//! The extremes smoke test: inputs at sizes where anything quadratic (or worse)
//! in the size of the policy or the input takes minutes, each under a generous
//! time bound that a linear implementation meets many times over, even in a
//! debug build on a slow machine. A failure here means something grew the wrong
//! way: the bounds are not benchmarks (see README, "Speed", for those).

use std::time::{Duration, Instant};

use akar::Sources;
use akar::check::check_sources;
use akar::diagnostics::{ErrorFormat, Style, render_all};
use akar::eval::Decider;
use chrono::NaiveDate;

fn within<T>(seconds: u64, what: &str, work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let result = work();
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(seconds),
        "{what} took {took:?}, more than {seconds} s: something grows faster than the input"
    );
    result
}

fn sources(text: String) -> Sources {
    let mut sources = Sources::default();
    sources.add("extreme.policy", text);
    sources
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

/// Decides a thousand generated listings under `policy`: every one decided.
fn decide_many(policy: String) {
    let plan = check_sources(&sources(policy)).unwrap_or_else(|_| panic!("the policy checks"));
    let decider = Decider::new(&plan, day());
    let catalogue = akar::synth::catalogue(5, 1_000);
    for line in catalogue.lines() {
        let listing: serde_json::Value = serde_json::from_str(line).unwrap();
        let _ = decider.decide_json(&listing);
    }
}

#[test]
fn names_doubling_at_every_level_are_decided_once() {
    // `d40` stands for 2^40 tests if names were written out.
    within(10, "40 doubling lets", || {
        let mut policy = String::from("let d0 = stock > 5 and title contains \"a\"\n");
        for i in 1..=40 {
            policy.push_str(&format!(
                "let d{i} = d{} and d{} or stock < {i}\n",
                i - 1,
                i - 1
            ));
        }
        policy.push_str("flag listing where d40\n");
        decide_many(policy);
    });
    within(10, "30 doubling subjects", || {
        let mut policy = String::from("subject s0 = cross_border == true\n");
        for i in 1..=30 {
            policy.push_str(&format!("subject s{i} = s{} or s{}\n", i - 1, i - 1));
        }
        policy.push_str("block s30 where stock > 2\n");
        decide_many(policy);
    });
}

#[test]
fn a_long_chain_of_exceptions_checks_and_decides() {
    within(15, "a chain of 5,000 overrides", || {
        let mut policy = String::from("rule r0\n  block import\n");
        for i in 1..5_000 {
            let action = if i % 2 == 0 { "block" } else { "allow" };
            policy.push_str(&format!(
                "rule r{i} overrides r{}\n  {action} import\n",
                i - 1
            ));
        }
        decide_many(policy);
    });
}

#[test]
fn many_rules_arms_and_mistakes_check_in_linear_time() {
    within(15, "20,000 unnamed rules", || {
        let policy: String = (0..20_000)
            .map(|i| format!("block import where stock > {i}\n"))
            .collect();
        assert!(check_sources(&sources(policy)).is_ok());
    });
    within(15, "20,000 match arms", || {
        let mut policy = String::from("let c = match category {\n");
        for i in 0..20_000 {
            policy.push_str(&format!("  \"category {i}\" => v{i},\n"));
        }
        policy.push_str("  else => other\n}\nblock import where c in [v5, v7]\n");
        decide_many(policy);
    });
    within(
        15,
        "5,000 syntax errors and 5,000 bad dates, rendered",
        || {
            let mut policy: String = (0..5_000)
                .map(|i| format!("block import where x < 10 XYZ{i}\n"))
                .collect();
            for i in 0..5_000 {
                policy.push_str(&format!(
                    "rule d{i}\n  block import\n  effective 2021-02-30\n"
                ));
            }
            let sources = sources(policy);
            let problems = check_sources(&sources).err().unwrap();
            assert_eq!(problems.len(), 10_000);
            let json = Style {
                format: ErrorFormat::Json,
                ..Style::plain()
            };
            assert_eq!(render_all(problems, &sources, json).lines().count(), 10_000);
        },
    );
}

#[test]
fn long_lines_and_deep_nesting_are_refused_at_once() {
    within(10, "a 5 MB line and 20,000 nested parentheses", || {
        for policy in [
            "x".repeat(5_000_000),
            format!("block import where\n{}a == 1\n", "(\n".repeat(20_000)),
        ] {
            let problems = check_sources(&sources(policy)).err().unwrap();
            assert_eq!(problems.len(), 1);
        }
    });
}

#[test]
fn a_long_unfinished_input_in_the_repl_costs_its_length() {
    within(10, "a 20,000-line list typed into the REPL", || {
        let mut input = String::from("let items = [\n");
        for i in 0..20_000 {
            input.push_str(&format!("  \"item {i}\",\n"));
        }
        input.push_str("]\n:rules\n");
        let mut session = akar::repl::Session::new(day(), Style::plain());
        let mut out = Vec::new();
        assert!(akar::repl::run_piped(
            &mut session,
            input.as_bytes(),
            &mut out
        ));
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.starts_with("added let `items`"),
            "{}",
            &out[..out.len().min(300)]
        );
    });
}
