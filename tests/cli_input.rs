//! How `akar eval` reads listings (README, "`akar eval` options", and "CSV"):
//! NDJSON, a JSON array or stream, or CSV, told by `--input-format`, the extension
//! or the content; from a file or stdin; and odd input — broken records, blank
//! lines, byte-order marks, Windows line endings — where every input record still
//! yields exactly one output record and the run goes on.
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

use serde_json::{Value, json};

const SELLER_CN: &str = r#"block import where seller.country == "CN""#;

// ---------------------------------------------------------------- formats

#[test]
fn eval_reads_ndjson_a_json_array_or_csv_by_extension() {
    let ndjson = "{\"id\":\"LZ-1\",\"cluster\":\"craft\",\"cross_border\":true}\n";
    let array = "[{\"id\":\"LZ-1\",\"cluster\":\"craft\",\"cross_border\":true}]";
    let csv = "id,cluster,cross_border\nLZ-1,craft,true\n";
    let dir = folder(&[
        ("akar.policy", SMALLEST),
        ("l.ndjson", ndjson),
        ("l.json", array),
        ("l.csv", csv),
    ]);
    for file in ["l.ndjson", "l.json", "l.csv"] {
        let run = eval(dir.path(), file, &[]);
        assert_eq!(
            json_lines(&stdout(&run)),
            [
                json!({"line": 1, "id": "LZ-1", "decision": "block", "rules": ["akar.policy:1"],
                    "reasons": ["block import where cluster in [fashion, culinary, craft]"]})
            ],
            "{file}"
        );
    }
}

#[test]
fn eval_reads_a_csv_file_whatever_its_case() {
    let csv = "id,cluster,cross_border\nX,craft,true\n";
    let dir = folder(&[("akar.policy", THREE_RULES), ("LISTINGS.CSV", csv)]);
    let run = eval(dir.path(), "LISTINGS.CSV", &[]);
    assert_eq!(json_lines(&stdout(&run))[0]["decision"], "block");
}

#[test]
fn eval_input_format_overrides_the_extension() {
    let csv = "id,cluster,cross_border\nX,craft,true\n";
    let dir = folder(&[("akar.policy", THREE_RULES), ("listings.txt", csv)]);
    let run = eval(dir.path(), "listings.txt", &["--input-format", "csv"]);
    assert_eq!(json_lines(&stdout(&run))[0]["decision"], "block");
}

#[test]
fn an_explicit_ndjson_format_reads_every_line_as_a_record() {
    // `--input-format ndjson` reads line by line even an input that starts with
    // `[`, which from stdin would be taken for a JSON array: a line that is not an
    // object is an error record, and the run goes on.
    let dir = folder(&[
        ("akar.policy", SELLER_CN),
        (
            "l.ndjson",
            "[1]\n{\"id\":\"b\",\"cross_border\":true,\"seller\":{\"country\":\"CN\"}}\n",
        ),
    ]);
    let run = eval(dir.path(), "l.ndjson", &["--input-format", "ndjson"]);
    let text = stdout(&run);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains(r#""line":1,"decision":"error""#), "{text}");
    assert!(text.contains(r#""id":"b","decision":"block""#), "{text}");
}

#[test]
fn eval_reads_a_json_array_with_its_elements_numbered() {
    let array = r#"[
  {"id": "J-1", "cluster": "fashion", "cross_border": true},
  42,
  {"id": "J-3", "cluster": "books", "cross_border": true}
]"#;
    let dir = folder(&[("akar.policy", THREE_RULES), ("listings.json", array)]);
    let run = eval(dir.path(), "listings.json", &[]);
    assert_eq!(run.status.code(), Some(0));
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn a_broken_json_array_keeps_the_records_before_the_break_then_one_error_record() {
    // Elements are read one at a time: those before a syntax error are decided; the
    // error is one record, and reading stops there (no way to tell what follows).
    let dir = folder(&[
        ("akar.policy", THREE_RULES),
        ("listings.json", "[{\"id\": 1}, {"),
    ]);
    let run = eval(dir.path(), "listings.json", &[]);
    assert_eq!(run.status.code(), Some(0));
    let outcomes = json_lines(&stdout(&run));
    assert_eq!(outcomes.len(), 2, "{}", stdout(&run));
    assert_eq!(outcomes[0]["decision"], "allow");
    assert_eq!(outcomes[1]["decision"], "error");
    assert!(
        outcomes[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("reading stopped")),
        "{}",
        outcomes[1]
    );
}

#[test]
fn a_json_file_holding_one_object_is_one_listing() {
    let listing =
        "{\n  \"id\": \"LZ-1\",\n  \"cluster\": \"craft\",\n  \"cross_border\": true\n}\n";
    let dir = folder(&[("akar.policy", THREE_RULES), ("listing.json", listing)]);
    let run = eval(dir.path(), "listing.json", &[]);
    let outcomes = json_lines(&stdout(&run));
    assert_eq!(outcomes.len(), 1, "{}", stdout(&run));
    assert_eq!(outcomes[0]["decision"], "block");
}

#[test]
fn eval_reads_csv_with_dotted_headers_and_empty_cells_as_missing() {
    let csv = "id,cluster,cross_border,price,certifications.halal,seller.country\n\
               CSV-1,culinary,false,,,ID\n\
               CSV-2,culinary,false,,ID00110000123,ID\n\
               CSV-3,toys,true,99,,CN\n\
               CSV-4,toys,true,100,,CN\n";
    let dir = folder(&[("akar.policy", THREE_RULES), ("listings.csv", csv)]);
    let run = eval(dir.path(), "listings.csv", &[]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let outcomes = json_lines(&stdout(&run));
    let summary: Vec<(Value, Value, Value)> = outcomes
        .iter()
        .map(|o| (o["line"].clone(), o["id"].clone(), o["decision"].clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (json!(1), json!("CSV-1"), json!("flag")),
            (json!(2), json!("CSV-2"), json!("allow")),
            (json!(3), json!("CSV-3"), json!("block")),
            (json!(4), json!("CSV-4"), json!("allow")),
        ]
    );
}

#[test]
fn a_csv_column_both_a_value_and_a_group_is_an_error_record_in_either_order() {
    // `seller` and `seller.country` cannot both be columns: the record would have to
    // hold `seller` as a value and as an object. Neither is silently dropped.
    let dir = folder(&[
        (
            "akar.policy",
            r#"block listing where seller.country == "CN""#,
        ),
        ("a.csv", "id,seller.country,seller\n1,CN,x\n"),
        ("b.csv", "id,seller,seller.country\n1,x,CN\n"),
    ]);
    for file in ["a.csv", "b.csv"] {
        let text = stdout(&eval(dir.path(), file, &[]));
        assert!(text.contains(r#""decision":"error""#), "{file}: {text}");
        assert!(
            text.contains("is both a value and a group of columns"),
            "{file}: {text}"
        );
    }
}

// ---------------------------------------------------------------- stdin

#[test]
fn eval_reads_listings_from_stdin() {
    let dir = folder(&[("akar.policy", THREE_RULES)]);
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "--listings", "-", "--at", AT],
        FOUR_LISTINGS,
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let decisions: Vec<Value> = json_lines(&stdout(&run))
        .iter()
        .map(|o| o["decision"].clone())
        .collect();
    assert_eq!(
        decisions,
        [
            json!("block"),
            json!("allow"),
            json!("flag"),
            json!("error")
        ]
    );
}

#[test]
fn eval_reads_stdin_as_dash() {
    let dir = folder(&[("akar.policy", SMALLEST)]);
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "--listings", "-", "--at", AT],
        "{\"id\":\"LZ-1\",\"cluster\":\"craft\",\"cross_border\":true}\n",
    );
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(json_lines(&stdout(&run))[0]["decision"], "block");
}

#[test]
fn eval_reads_a_json_array_from_stdin() {
    let dir = folder(&[("akar.policy", THREE_RULES)]);
    let array = r#"  [{"id": "A", "cluster": "craft", "cross_border": true}, {"id": "B"}]"#;
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "--listings", "-", "--at", AT],
        array,
    );
    let outcomes = json_lines(&stdout(&run));
    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0]["id"], "A");
    assert_eq!(outcomes[0]["decision"], "block");
    assert_eq!(outcomes[1]["line"], 2);
}

// ---------------------------------------------------------------- odd input

#[test]
fn a_bad_record_gets_an_error_record_and_the_run_goes_on() {
    let listings = "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n{\"id\":\"d\"}\n{\"id\":\"e\"}\n{\"id\":\"f\"}\n{not json\n{\"id\":\"h\"}\n";
    let dir = folder(&[("akar.policy", SMALLEST), ("l.ndjson", listings)]);
    let run = eval(dir.path(), "l.ndjson", &[]);
    assert_eq!(run.status.code(), Some(0));
    let lines = json_lines(&stdout(&run));
    assert_eq!(lines.len(), 8);
    let bad = &lines[6];
    assert_eq!(bad["line"], 7);
    assert_eq!(bad["decision"], "error");
    assert!(bad["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(bad.as_object().unwrap().len(), 3, "{bad}");
    assert_eq!(lines[7]["id"], "h");
}

#[test]
fn lines_that_are_not_json_objects_become_error_records_and_the_run_goes_on() {
    // A broken object, a blank line (not a record), an array, a string, then two
    // good records, the last without a final newline.
    let dir = folder(&[
        ("akar.policy", SELLER_CN),
        (
            "l.ndjson",
            "{\"id\":\"a\"\n\n[1]\n\"x\"\n{\"id\":\"b\",\"cross_border\":true,\"seller\":{\"country\":\"CN\"}}\n{}",
        ),
    ]);
    let run = eval(dir.path(), "l.ndjson", &[]);
    assert_eq!(run.status.code(), Some(0));
    let text = stdout(&run);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(
        lines[0].starts_with(r#"{"line":1,"decision":"error""#),
        "{text}"
    );
    assert!(
        lines[1].starts_with(r#"{"line":3,"decision":"error""#),
        "{text}"
    );
    assert!(
        lines[2].starts_with(r#"{"line":4,"decision":"error""#),
        "{text}"
    );
    assert!(
        lines[3].starts_with(r#"{"line":5,"id":"b","decision":"block""#),
        "{text}"
    );
    assert!(
        lines[4].starts_with(r#"{"line":6,"decision":"allow""#),
        "{text}"
    );
}

#[test]
fn line_numbers_count_leading_blank_lines() {
    let dir = folder(&[("akar.policy", THREE_RULES)]);
    let input = "\n\n{\"id\":\"A\"}\n\n{\"id\":\"B\"}\n";
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "--listings", "-", "--at", AT],
        input,
    );
    let lines: Vec<Value> = json_lines(&stdout(&run))
        .iter()
        .map(|o| o["line"].clone())
        .collect();
    // Blank lines are not records, but `line` is where the record is in the file.
    assert_eq!(lines, [json!(3), json!(5)]);
}

#[test]
fn a_csv_file_may_start_with_a_byte_order_mark() {
    let csv = "\u{feff}id,cluster,cross_border\nB-1,craft,true\n";
    let dir = folder(&[("akar.policy", THREE_RULES), ("listings.csv", csv)]);
    let run = eval(dir.path(), "listings.csv", &[]);
    let outcome = &json_lines(&stdout(&run))[0];
    assert_eq!(
        (&outcome["id"], &outcome["decision"]),
        (&json!("B-1"), &json!("block"))
    );
}

#[test]
fn an_ndjson_file_may_start_with_a_byte_order_mark() {
    let ndjson = "\u{feff}{\"id\":\"B-1\",\"cluster\":\"craft\",\"cross_border\":true}\n";
    let dir = folder(&[("akar.policy", THREE_RULES), ("listings.ndjson", ndjson)]);
    let run = eval(dir.path(), "listings.ndjson", &[]);
    let outcome = &json_lines(&stdout(&run))[0];
    assert_eq!(outcome["decision"], "block", "{outcome}");
}

#[test]
fn windows_line_endings_are_read() {
    let ndjson =
        "{\"id\":\"C-1\",\"cluster\":\"craft\",\"cross_border\":true}\r\n\r\n{\"id\":\"C-2\"}\r\n";
    let csv = "id,cluster,cross_border\r\nD-1,craft,true\r\n";
    let dir = folder(&[
        ("akar.policy", THREE_RULES),
        ("l.ndjson", ndjson),
        ("l.csv", csv),
    ]);
    for (file, expected) in [
        ("l.ndjson", vec!["block", "allow"]),
        ("l.csv", vec!["block"]),
    ] {
        let run = eval(dir.path(), file, &[]);
        let decisions: Vec<Value> = json_lines(&stdout(&run))
            .iter()
            .map(|o| o["decision"].clone())
            .collect();
        assert_eq!(decisions, expected, "{file}");
    }
}
