//! What CI reads: `akar test --coverage` (text, json, lcov, `--min-coverage`),
//! `--format junit`, and findings for `--error-format github|sarif` from
//! `check`, `fmt --check` and `test` (README, "Reviewing a change").
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use serde_json::Value;

/// A policy whose tests leave an `unless`, an `or` branch and a match arm
/// unexercised, and one test that fails.
const PARTLY: &str = r#"let cluster = match category {
  "Fashion" => fashion,
  "Food" => culinary,
  else => other
}

rule closed
  block import where cluster == fashion or cluster == culinary
  because "closed to cross-border sellers"
  unless seller.umkm == true

test "cross-border fashion is blocked" {
  at 2024-01-01
  given { "category": "Fashion", "cross_border": true }
  expect block by closed
}

test "a domestic listing is allowed" {
  at 2024-01-01
  given { "category": "Books", "cross_border": false }
  expect allow
}
"#;

const FAILING: &str = r#"rule kw
  flag listing where title contains "kw"
  because "possibly counterfeit"

test "a replica is flagged" {
  at 2024-01-01
  given { "title": "Sepatu replika" }
  expect flag by kw
}
"#;

#[test]
fn coverage_names_what_no_test_exercises() {
    let dir = folder(&[("partly.policy", PARTLY)]);
    let output = akar(dir.path(), &["test", "partly.policy", "--coverage"], "");
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn coverage_of_the_bundled_policies() {
    let output = akar(&root(), &["test", "policies", "--coverage"], "");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let report = &text[text.find("coverage:").unwrap()..];
    insta::assert_snapshot!(report);
}

#[test]
fn coverage_as_json_goes_to_stdout_and_the_tests_to_stderr() {
    let dir = folder(&[("partly.policy", PARTLY)]);
    let output = akar(
        dir.path(),
        &[
            "test",
            "partly.policy",
            "--coverage",
            "--coverage-format",
            "json",
        ],
        "",
    );
    assert!(stderr(&output).contains("2 passed, 0 failed"));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["covered"], 5);
    assert_eq!(report["total"], 8);
    insta::assert_snapshot!(stdout(&output));
}

/// An lcov tracefile as coverage services read it: records per file, branch
/// and line totals that add up.
#[test]
fn coverage_as_lcov_adds_up() {
    let dir = folder(&[("partly.policy", PARTLY)]);
    let output = akar(
        dir.path(),
        &[
            "test",
            "partly.policy",
            "--coverage",
            "--coverage-format",
            "lcov",
            "--coverage-output",
            "akar.lcov",
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("2 passed"));
    let lcov = std::fs::read_to_string(dir.path().join("akar.lcov")).unwrap();
    insta::assert_snapshot!(lcov);
    let field =
        |key: &str| -> Vec<&str> { lcov.lines().filter_map(|l| l.strip_prefix(key)).collect() };
    let branches = field("BRDA:");
    assert_eq!(field("BRF:"), [branches.len().to_string()]);
    let taken = branches.iter().filter(|b| !b.ends_with(",-")).count();
    assert_eq!(field("BRH:"), [taken.to_string()]);
    let lines = field("DA:");
    assert_eq!(field("LF:"), [lines.len().to_string()]);
    let hit = lines.iter().filter(|l| !l.ends_with(",0")).count();
    assert_eq!(field("LH:"), [hit.to_string()]);
}

#[test]
fn min_coverage_fails_below_the_bar_and_passes_above() {
    let dir = folder(&[("partly.policy", PARTLY)]);
    let below = akar(
        dir.path(),
        &["test", "partly.policy", "--min-coverage", "95"],
        "",
    );
    assert_eq!(below.status.code(), Some(1));
    assert!(
        stderr(&below).contains("`--min-coverage 95` asks: coverage is"),
        "{}",
        stderr(&below)
    );
    let above = akar(
        dir.path(),
        &["test", "partly.policy", "--min-coverage", "10"],
        "",
    );
    assert_eq!(above.status.code(), Some(0), "{}", stderr(&above));
}

#[test]
fn junit_is_xml_a_ci_service_reads() {
    let dir = folder(&[("partly.policy", PARTLY), ("failing.policy", FAILING)]);
    let output = akar(dir.path(), &["test", ".", "--format", "junit"], "");
    assert_eq!(output.status.code(), Some(1));
    let xml = stdout(&output);
    insta::assert_snapshot!(xml);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("3"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let failed: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|n| n.parent().unwrap().attribute("name").unwrap())
        .collect();
    assert_eq!(failed, ["a replica is flagged"]);
}

#[test]
fn github_annotations_from_check_fmt_and_test() {
    let dir = folder(&[
        ("broken.policy", BROKEN),
        (
            "messy.policy",
            "flag   listing where title contains \"kw\"\n",
        ),
        ("failing.policy", FAILING),
    ]);
    let runs = [
        vec!["check", "broken.policy", "--error-format", "github"],
        vec!["fmt", "--check", "messy.policy", "--error-format", "github"],
        vec!["test", "failing.policy", "--error-format", "github"],
    ];
    let mut seen = String::new();
    for args in runs {
        let output = akar(dir.path(), &args, "");
        seen += &format!("$ akar {}\n{}\n", args.join(" "), transcript(&output));
    }
    insta::assert_snapshot!(seen);
}

/// SARIF 2.1.0 as GitHub code scanning reads it: one run, the rules named,
/// each result at a file, line and column.
#[test]
fn sarif_from_check_is_one_log_with_every_diagnostic() {
    let dir = folder(&[("broken.policy", BROKEN)]);
    let output = akar(
        dir.path(),
        &["check", "broken.policy", "--error-format", "sarif"],
        "",
    );
    assert_eq!(output.status.code(), Some(1));
    // Diagnostics go to stderr in every format: `2> akar.sarif`.
    let log: Value = serde_json::from_str(&stderr(&output)).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "akar");
    let results = run["results"].as_array().unwrap();
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["warning", "warning", "error", "error"]);
    let rule_ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for result in results {
        assert!(rule_ids.contains(&result["ruleId"].as_str().unwrap()));
        let place = &result["locations"][0]["physicalLocation"];
        assert_eq!(place["artifactLocation"]["uri"], "broken.policy");
        assert!(place["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(place["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
    insta::assert_snapshot!(stderr(&output));
}

#[test]
fn sarif_of_a_clean_check_is_an_empty_log() {
    let dir = folder(&[(
        "ok.policy",
        "rule kw\n  flag listing where title contains \"kw\"\n  because \"possibly counterfeit\"\n",
    )]);
    let output = akar(
        dir.path(),
        &["check", "ok.policy", "--error-format", "sarif"],
        "",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log: Value = serde_json::from_str(&stderr(&output)).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}
