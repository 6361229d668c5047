//! `akar eval`, driven as a pipeline drives it: one NDJSON record per listing in
//! input order (or a table for people), the summary on stderr, the evaluation date,
//! and the exit codes (README, "`akar eval` options"). How it reads listings is in
//! `cli_input.rs`.
//!
//! Every command runs in a temporary folder with relative paths, so that what is
//! snapshotted does not depend on the machine.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;
use common::*;

use std::process::Stdio;

use serde_json::json;

// ---------------------------------------------------------------- records

#[test]
fn eval_writes_ndjson_decisions_and_a_summary() {
    let dir = folder(&[
        ("akar.policy", THREE_RULES),
        ("listings.ndjson", FOUR_LISTINGS),
    ]);
    let run = eval(dir.path(), "listings.ndjson", &[]);
    assert_eq!(run.status.code(), Some(0));
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn eval_writes_one_json_object_per_listing_in_input_order() {
    let listings = [
        r#"{"id":"LZ-1","cluster":"fashion","cross_border":true,"price":{"amount":20,"currency":"USD"}}"#,
        r#"{"id":"LZ-2","cluster":"books","cross_border":true,"price":{"amount":20,"currency":"USD"}}"#,
        r#"{"id":"LZ-3","cluster":"culinary","cross_border":false}"#,
    ]
    .join("\n");
    let dir = folder(&[("akar.policy", FULLER), ("listings.ndjson", &listings)]);
    let run = eval(dir.path(), "listings.ndjson", &[]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(
        json_lines(&stdout(&run)),
        [
            json!({"line": 1, "id": "LZ-1", "decision": "block",
                   "rules": ["akar_clusters", "min_price"],
                   "reasons": ["Cross-border imports closed for fashion, culinary and craft (Gerakan AKAR)",
                               "Permendag 31/2023 art. 19: goods sold directly from abroad must cost at least FOB USD 100"]}),
            json!({"line": 2, "id": "LZ-2", "decision": "allow", "rules": [], "reasons": []}),
            json!({"line": 3, "id": "LZ-3", "decision": "flag", "rules": ["halal_missing"],
                   "reasons": ["Halal certificate number required (UU 33/2014, PP 42/2024)"]}),
        ]
    );
}

#[test]
fn eval_writes_the_documented_record_shape() {
    // `{"line": 3, "id": "LZ-1", "decision": "block", "rules": [...], "reasons": [...]}`
    let listings = "{}\n{}\n{\"id\":\"LZ-1\",\"cluster\":\"fashion\",\"cross_border\":true}\n";
    let dir = folder(&[("akar.policy", FULLER), ("l.ndjson", listings)]);
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "-l", "l.ndjson", "--at", AT],
        "",
    );
    let line = stdout(&run).lines().nth(2).unwrap().to_string();
    assert_eq!(
        line,
        r#"{"line":3,"id":"LZ-1","decision":"block","rules":["akar_clusters"],"reasons":["Cross-border imports closed for fashion, culinary and craft (Gerakan AKAR)"]}"#
    );
}

#[test]
fn id_is_left_out_when_the_listing_has_none() {
    let dir = folder(&[
        ("akar.policy", SMALLEST),
        ("l.ndjson", "{\"cluster\":\"toys\"}\n"),
    ]);
    let run = eval(dir.path(), "l.ndjson", &[]);
    assert_eq!(
        stdout(&run),
        "{\"line\":1,\"decision\":\"allow\",\"rules\":[],\"reasons\":[]}\n"
    );
}

#[test]
fn eval_table_format_is_for_people() {
    let dir = folder(&[
        ("akar.policy", THREE_RULES),
        ("listings.ndjson", FOUR_LISTINGS),
    ]);
    let run = eval(dir.path(), "listings.ndjson", &["--format", "table"]);
    assert_eq!(run.status.code(), Some(0));
    let table = stdout(&run);
    assert!(!has_ansi(&table));
    // A header and one row per listing, each starting with its line number; the
    // reason or error is indented below its row.
    let rows = table
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()));
    assert_eq!(rows.count(), 4);
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn eval_takes_a_folder_of_policies_and_labels_rules_by_their_file() {
    let dir = folder(&[
        (
            "policies/akar.policy",
            "block import where cluster in protected\n",
        ),
        (
            "policies/lists.policy",
            "let protected = [fashion, culinary, craft]\n\nflag listing where cluster == craft\n",
        ),
        (
            "listings.ndjson",
            "{\"id\":\"K-1\",\"cluster\":\"craft\",\"cross_border\":true}\n",
        ),
    ]);
    let run = akar(
        dir.path(),
        &[
            "eval",
            "policies",
            "--listings",
            "listings.ndjson",
            "--at",
            AT,
        ],
        "",
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let outcome = &json_lines(&stdout(&run))[0];
    let sep = std::path::MAIN_SEPARATOR;
    assert_eq!(
        outcome["rules"],
        json!([
            format!("policies{sep}akar.policy:1"),
            format!("policies{sep}lists.policy:3")
        ])
    );
}

#[test]
fn every_record_yields_exactly_one_output_record_in_input_order() {
    // More records than one batch, bad ones among them, decided on several threads.
    let mut input = String::new();
    let mut expected_lines = Vec::new();
    let mut line = 0;
    for n in 0..20_000 {
        line += 1;
        if n % 1000 == 999 {
            input.push('\n'); // a blank line: not a record
            line += 1;
        }
        if n % 997 == 0 {
            input.push_str("{\"id\": broken\n");
        } else {
            let cluster = ["fashion", "toys", "books", "culinary"][n % 4];
            input.push_str(&format!(
                "{{\"id\":\"N-{n}\",\"cluster\":\"{cluster}\",\"cross_border\":{},\"price\":{}}}\n",
                n % 3 == 0,
                n % 250
            ));
        }
        expected_lines.push(line);
    }
    let dir = folder(&[("akar.policy", THREE_RULES), ("listings.ndjson", &input)]);
    let run = eval(dir.path(), "listings.ndjson", &["--threads", "4"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let outcomes = json_lines(&stdout(&run));
    assert_eq!(outcomes.len(), 20_000);
    let lines: Vec<usize> = outcomes
        .iter()
        .map(|o| o["line"].as_u64().unwrap() as usize)
        .collect();
    let first_wrong = lines.iter().zip(&expected_lines).position(|(a, b)| a != b);
    assert_eq!(
        first_wrong, None,
        "`line` differs from the input's line number"
    );
    for (n, outcome) in outcomes.iter().enumerate() {
        if n % 997 == 0 {
            assert_eq!(outcome["decision"], "error", "record {n}");
        } else {
            assert_eq!(outcome["id"], format!("N-{n}"));
        }
    }
    let errors = outcomes.iter().filter(|o| o["decision"] == "error").count();
    assert_eq!(errors, 21);
    let err = stderr(&run);
    assert!(err.starts_with("akar: 20000 listings: "), "{err}");
    assert!(err.ends_with(", 21 error\n"), "{err}");
}

#[test]
fn an_empty_catalogue_gives_no_records_and_a_zero_summary() {
    let dir = folder(&[("akar.policy", THREE_RULES), ("listings.ndjson", "")]);
    let run = eval(dir.path(), "listings.ndjson", &[]);
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(stdout(&run), "");
    assert_eq!(
        stderr(&run),
        "akar: 0 listings: 0 block, 0 flag, 0 allow, 0 error\n"
    );
}

#[test]
fn eval_stops_quietly_when_the_reader_goes_away() {
    // `akar eval ... | head -1`: a closed pipe is not an error.
    use std::io::{BufRead as _, BufReader};
    let mut input = String::new();
    for n in 0..50_000 {
        input.push_str(&format!("{{\"id\":\"N-{n}\",\"cluster\":\"toys\"}}\n"));
    }
    let dir = folder(&[("akar.policy", THREE_RULES), ("listings.ndjson", &input)]);
    let mut child = command(
        dir.path(),
        &[
            "eval",
            "akar.policy",
            "--listings",
            "listings.ndjson",
            "--at",
            AT,
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("akar runs");
    let pipe = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(pipe).read_line(&mut first).expect("a line");
    // The reader is dropped here: the pipe closes.
    let run = child.wait_with_output().expect("akar ends");
    assert!(first.starts_with("{\"line\":1,"), "{first}");
    assert_eq!(run.status.code(), Some(0));
    let err = stderr(&run);
    assert!(!err.contains("panicked"), "{err}");
}

// ---------------------------------------------------------------- the summary

#[test]
fn eval_summary_counts_each_decision() {
    let dir = folder(&[
        ("akar.policy", THREE_RULES),
        ("listings.ndjson", FOUR_LISTINGS),
    ]);
    let run = eval(dir.path(), "listings.ndjson", &[]);
    assert_eq!(
        stderr(&run),
        "akar: 4 listings: 1 block, 1 flag, 1 allow, 1 error\n"
    );
}

#[test]
fn eval_writes_a_summary_of_counts_by_decision_to_stderr() {
    let listings = "{\"cluster\":\"craft\",\"cross_border\":true}\n{}\n{\"cluster\":1,\"cross_border\":true}\n";
    let dir = folder(&[("akar.policy", SMALLEST), ("l.ndjson", listings)]);
    let run = eval(dir.path(), "l.ndjson", &[]);
    let err = stderr(&run);
    assert!(err.contains("3 listings"), "{err}");
    assert!(err.contains("1 block"), "{err}");
    assert!(err.contains("1 allow"), "{err}");
    assert!(err.contains("1 error"), "{err}");
}

// ---------------------------------------------------------------- the evaluation date

#[test]
fn at_sets_the_evaluation_date() {
    let dir = folder(&[
        ("akar.policy", FULLER),
        (
            "l.ndjson",
            "{\"cluster\":\"toys\",\"cross_border\":true,\"price\":{\"amount\":5,\"currency\":\"USD\"}}\n",
        ),
    ]);
    let decision = |at: &str| {
        let run = akar(
            dir.path(),
            &["eval", "akar.policy", "--listings", "l.ndjson", "--at", at],
            "",
        );
        json_lines(&stdout(&run))[0]["decision"].clone()
    };
    assert_eq!(decision("2023-09-25"), "allow");
    assert_eq!(decision("2023-09-26"), "block");
}

#[test]
fn the_evaluation_date_defaults_to_today_in_utc() {
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    let policy = format!(
        "rule from_today\n  flag listing\n  effective {today}\nrule from_tomorrow\n  block listing\n  effective {tomorrow}\n"
    );
    let dir = folder(&[("akar.policy", &policy), ("l.ndjson", "{}\n")]);
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "--listings", "l.ndjson"],
        "",
    );
    assert_eq!(json_lines(&stdout(&run))[0]["rules"], json!(["from_today"]));
}

#[test]
fn at_must_be_a_date() {
    let dir = folder(&[
        ("akar.policy", THREE_RULES),
        ("listings.ndjson", FOUR_LISTINGS),
    ]);
    for bad in ["2024-13-01", "2023-02-30", "yesterday", "01/06/2024", ""] {
        let run = akar(
            dir.path(),
            &[
                "eval",
                "akar.policy",
                "--listings",
                "listings.ndjson",
                "--at",
                bad,
            ],
            "",
        );
        assert_eq!(run.status.code(), Some(2), "--at {bad:?}");
        assert!(stdout(&run).is_empty());
    }
    let run = akar(
        dir.path(),
        &[
            "eval",
            "akar.policy",
            "--listings",
            "listings.ndjson",
            "--at",
            "2024-13-01",
        ],
        "",
    );
    insta::assert_snapshot!(transcript(&run));
}

// ---------------------------------------------------------------- exit codes

#[test]
fn eval_exits_1_on_a_policy_with_errors_and_decides_nothing() {
    let dir = folder(&[("akar.policy", BROKEN), ("listings.ndjson", FOUR_LISTINGS)]);
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "--listings", "listings.ndjson"],
        "",
    );
    assert_eq!(run.status.code(), Some(1));
    assert!(stdout(&run).is_empty(), "{}", stdout(&run));
    assert!(stderr(&run).contains("unknown subject `imports`"));
}

#[test]
fn eval_exits_2_on_a_missing_listings_file() {
    let dir = folder(&[("akar.policy", THREE_RULES)]);
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "--listings", "missing.ndjson"],
        "",
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(stdout(&run).is_empty());
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn eval_exits_2_on_a_missing_policy_file() {
    let dir = folder(&[("listings.ndjson", FOUR_LISTINGS)]);
    let run = akar(
        dir.path(),
        &["eval", "missing.policy", "--listings", "listings.ndjson"],
        "",
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(stdout(&run).is_empty());
}

#[test]
fn generated_policies_check_and_decide_a_generated_catalogue() {
    // `akar generate --policy` writes the scaling table's policies: seeded (the
    // same seed, the same text), checking cleanly, and deciding listings.
    let dir = folder(&[]);
    for shape in ["gated", "mixed"] {
        let args = [
            "generate", "--policy", shape, "--rules", "300", "--seed", "7",
        ];
        let policy = akar(dir.path(), &args, "");
        assert!(policy.status.success());
        assert_eq!(policy.stdout, akar(dir.path(), &args, "").stdout);
        let text = String::from_utf8(policy.stdout).unwrap();
        assert_eq!(text.matches("\nrule ").count(), 300, "{text}");
        std::fs::write(dir.path().join(format!("{shape}.policy")), &text).unwrap();
        let file = format!("{shape}.policy");
        let check = akar(dir.path(), &["check", &file, "--deny-warnings"], "");
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
        let listings = akar(
            dir.path(),
            &["generate", "--count", "500", "--seed", "7"],
            "",
        );
        let eval = akar(
            dir.path(),
            &["eval", &file, "--at", "2026-11-01", "--listings", "-"],
            &String::from_utf8(listings.stdout).unwrap(),
        );
        assert!(eval.status.success());
        let out = String::from_utf8(eval.stdout).unwrap();
        assert_eq!(out.lines().count(), 500);
        assert!(out.contains(r#""decision":"block""#), "{shape}");
    }
    let bad = akar(dir.path(), &["generate", "--rules", "5"], "");
    assert_eq!(bad.status.code(), Some(2), "--rules needs --policy");
}
