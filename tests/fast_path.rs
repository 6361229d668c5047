//! The fast path (projection parsing, compiled program, direct JSON output) must
//! decide exactly as the plain path (a whole `serde_json::Value` per listing, the
//! conditions walked as written). The benchmark checks a million listings; this
//! checks every policy set the project ships on synthetic and real catalogues.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod generated;

use std::path::PathBuf;

use akar::Sources;
use akar::check::check_sources;
use akar::plan::Plan;
use chrono::NaiveDate;

fn plan(path: &str) -> Plan {
    let sources = Sources::load(&[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)]).unwrap();
    check_sources(&sources).unwrap_or_else(|_| panic!("{path} checks"))
}

fn agree(policy: &str, catalogue: &str, dates: &[&str]) -> usize {
    let plan = plan(policy);
    let mut compared = 0;
    for date in dates {
        let at = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let decider = akar::eval::Decider::new(&plan, at);
        for (i, text) in catalogue.lines().enumerate() {
            let (fast, plain) = common::both_paths(&decider, i + 1, text.as_bytes());
            assert_eq!(fast, plain, "{policy} at {date}, line {}: {text}", i + 1);
            compared += 1;
        }
    }
    compared
}

const POLICIES: [&str; 3] = [
    "policies",
    "benches/four-rules.policy",
    "examples/akar.policy",
];
const DATES: [&str; 4] = ["2021-01-01", "2023-10-01", "2024-10-17", "2026-11-01"];

#[test]
fn fast_and_plain_paths_agree_on_a_synthetic_catalogue() {
    let catalogue = akar::synth::catalogue(7, 5_000);
    for policy in POLICIES {
        assert_eq!(agree(policy, &catalogue, &DATES), 20_000);
    }
}

#[test]
fn fast_and_plain_paths_agree_on_the_bundled_catalogues() {
    for file in ["data/prdect-id/listings.ndjson", "examples/listings.ndjson"] {
        let catalogue =
            std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
        for policy in POLICIES {
            assert!(agree(policy, &catalogue, &DATES) > 0);
        }
    }
}

#[test]
fn fast_and_plain_paths_agree_on_awkward_records() {
    // Wrong types, nulls, nesting where a value is expected and the reverse,
    // duplicate keys, non-objects, broken JSON.
    let catalogue = [
        r#"{"id":"a","cross_border":"yes","category":"Food and Drink"}"#,
        r#"{"id":"b","cross_border":true,"category":"Books","price":"cheap"}"#,
        r#"{"id":"c","cross_border":true,"category":null,"price":{"amount":10,"currency":"EUR"}}"#,
        r#"{"id":"d","cross_border":true,"certifications":"none","category":"Beauty","title":7}"#,
        r#"{"id":"e","seller":5,"category":"Food and Drink","certifications":{"halal":null}}"#,
        r#"{"id":"f","category":"Toys and Hobbies","category":"Muslim Fashion","cross_border":true,"price":5}"#,
        r#"{"id":"g","price":{"amount":1549999,"currency":"IDR"},"cross_border":true,"category":"Camera"}"#,
        r#"{"id":7,"title":"HIJAB instan","cross_border":true,"category":"Muslim Fashion","cluster":"fashion"}"#,
        r#"[1,2]"#,
        r#"{"id":"broken""#,
        // Not here: a number beyond the range of f64 (`1e400`) in a field the policy
        // does not read. The plain path rejects the line (serde_json cannot hold the
        // number); the fast path skips the field unread and decides. README, "Speed".
    ]
    .join("\n");
    for policy in POLICIES {
        assert_eq!(agree(policy, &catalogue, &DATES), 40);
    }
}

#[test]
fn fast_and_plain_paths_agree_on_scrambled_records() {
    // The synthetic and real catalogues hold the expected kind of value in every
    // field, so they never reach the fast path's early answers for the other kinds:
    // the rule index declining to skip when a gated field is not text or a boolean
    // field is not a boolean, a derived value from a number or a boolean, money of
    // another shape, the projection parser meeting `null`, a repeated key or an
    // escaped one, or text longer than 128 bytes or not ASCII. Here every field
    // the shipped policies read takes every kind of value, independently (see
    // `generated::records`).
    let catalogue = generated::records(11, 3_000);
    for policy in POLICIES {
        assert_eq!(agree(policy, &catalogue, &DATES), 12_000, "{policy}");
    }
}

#[test]
fn fast_and_plain_paths_agree_on_a_generated_stress_policy() {
    // The shipped policies are small: a few rules (one word of rule bits), one
    // derived field, a handful of shared conditions. This policy goes past each
    // fixed size of the compiled program (rule sets on the stack up to 256 rules,
    // the values of the first 8 derived fields kept per listing, 64 remembered
    // shared conditions) and starts its rules with every kind of test the index
    // and the compiler treat apart. See `generated::stress_policy`; it is
    // deterministic, so a failure here can be reproduced by writing its text out.
    let stress = generated::stress_policy(5, 240, 80, 40);
    assert!(stress.shared_lets + stress.repeated > 64);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stress.policy");
    std::fs::write(&path, &stress.text).unwrap();
    let path = path.to_str().unwrap();
    // `plan` panics unless the policy checks cleanly, as `akar check` would.
    let checked = plan(path);
    assert_eq!(checked.rules().len(), stress.rules);
    assert!(checked.rules().len() > 256);
    assert!(checked.derived().len() > 8);
    let cluster = checked.derived().iter().position(|d| d.name == "cluster");
    assert!(cluster.is_some_and(|at| at >= 8), "{cluster:?}");
    // The scrambled records of the test above, and realistic ones, which meet
    // no wrong kind of value and so are decided by every rule in force.
    let mut catalogue = generated::records(11, 1_000);
    catalogue.push_str(&akar::synth::catalogue(13, 400));
    assert_eq!(agree(path, &catalogue, &DATES), 5_600);
}

#[test]
fn a_changed_plan_is_decided_as_it_now_reads() {
    // A plan cannot be edited in place: its fields are private (the
    // `compile_fail` example in `akar::plan` shows the edit refused). A changed
    // plan is a new one, built from changed parts and checked again, and a
    // decider compiles the plan it is given: the compiled rules can never be
    // those of another plan. Here the first rule's condition becomes `true`, the
    // edit that once made the compiled path allow where the plain path blocked.
    let plan = plan("benches/four-rules.policy");
    let mut rules = plan.rules().to_vec();
    rules[0].when = akar::plan::Cond::True;
    let parts = akar::plan::Parts {
        rules,
        rates: plan.rates().clone(),
        derived: plan.derived().to_vec(),
        tests: Vec::new(),
    };
    let edited = akar::plan::Plan::new(parts).unwrap();
    let at = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let catalogue = akar::synth::catalogue(3, 300);
    for text in catalogue.lines() {
        let listing: serde_json::Value = serde_json::from_str(text).unwrap();
        let fast = akar::eval::decide(&edited, &listing, at);
        assert_eq!(fast, akar::eval::decide_plain(&edited, &listing, at));
        assert!(
            fast.unwrap().rules.contains(&0),
            "the edited rule always applies"
        );
    }
    let listing = serde_json::json!({"cluster": "books", "cross_border": false});
    assert_eq!(
        akar::eval::decide(&plan, &listing, at)
            .unwrap()
            .rules
            .as_slice(),
        [] as [usize; 0]
    );
}

#[test]
fn plans_that_break_an_invariant_are_refused() {
    // Overrides that disagree with overridden-by, or form a cycle, never reach a
    // decider: the walk over them could not end.
    let plan = plan("policies");
    let mut rules = plan.rules().to_vec();
    let (a, b) = (0, 1);
    rules[a].overrides.push(b);
    rules[b].overridden_by.push(a);
    rules[b].overrides.push(a);
    rules[a].overridden_by.push(b);
    let parts = akar::plan::Parts {
        rules,
        rates: plan.rates().clone(),
        derived: plan.derived().to_vec(),
        tests: Vec::new(),
    };
    let error = akar::plan::Plan::new(parts).unwrap_err();
    assert!(error.problem.contains("cycle"), "{error}");
}
