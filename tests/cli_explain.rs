//! `akar explain`: why a listing of the bundled catalogue gets its decision
//! under `policies/`, every rule evaluated in full, with the policy's file and
//! line (README, "Reviewing a change").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use serde_json::Value;

const ON: &str = "2026-11-01";

fn explain(args: &[&str], stdin: &str) -> std::process::Output {
    let mut all = vec!["explain", "policies", "--at", ON];
    all.extend_from_slice(args);
    akar(&root(), &all, stdin)
}

fn from_catalogue(args: &[&str]) -> std::process::Output {
    let mut all = vec!["--listings", "data/prdect-id/listings.ndjson"];
    all.extend_from_slice(args);
    explain(&all, "")
}

#[test]
fn a_book_saved_by_the_positive_list_shows_every_rule() {
    let output = from_catalogue(&["--id", "TP-0551"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn one_rule_by_line() {
    let output = from_catalogue(&["--line", "720", "--rule", "shopee_muslim_fashion_closed"]);
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn unless_is_shown_as_what_saved_the_listing() {
    let listing = r#"{"id": "K-1", "category": "Food and Drink", "title": "Dendeng babi Bali", "cross_border": false, "price": {"amount": 45000, "currency": "IDR"}, "seller": {"size": "medium"}}"#;
    let output = explain(&["--rule", "halal_food_medium_large"], listing);
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn no_rule_matching_is_said() {
    let listing = r#"{"id": "N-1", "category": "Books", "title": "Laskar Pelangi", "cross_border": false, "price": {"amount": 85000, "currency": "IDR"}}"#;
    let output = explain(&[], listing);
    assert!(
        stdout(&output).starts_with("N-1 (line 1) on 2026-11-01: allow (no rule matches)\n"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn an_error_names_the_test_and_the_value() {
    let listing = r#"{"id": "E-1", "category": "Books", "cross_border": true, "price": "murah"}"#;
    let output = explain(&["--rule", "below_fob_usd_100"], listing);
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn json_gives_the_record_and_every_condition() {
    let output = from_catalogue(&["--id", "TP-0551", "--format", "json"]);
    let record: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    // Saved from the floor by the positive list; its merchant's art. 5 identity and
    // ship-from country are on file.
    assert_eq!(record["decision"], "allow");
    assert_eq!(
        record["suppressed"],
        serde_json::json!([{"rule": "below_fob_usd_100", "by": "positive_list"}])
    );
    let explanations = record["explanations"].as_array().unwrap();
    assert_eq!(explanations.len(), 53);
    let below = explanations
        .iter()
        .find(|e| e["rule"] == "below_fob_usd_100")
        .unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(below).unwrap());
}

#[test]
fn mistakes_say_what_to_do() {
    let runs: [&[&str]; 4] = [
        &["--id", "TP-9999"],
        &["--line", "99999"],
        &[],
        &["--id", "TP-0551", "--rule", "below_fob_usd_10"],
    ];
    let shown: Vec<String> = runs
        .iter()
        .map(|args| {
            let output = from_catalogue(args);
            format!(
                "$ akar explain policies --listings CAT {}\n{}",
                args.join(" "),
                transcript(&output)
            )
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"));
}
