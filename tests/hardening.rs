#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]
//! Never crash, never lose a record: each input a fuzzing campaign found to
//! crash akar, blow up, or lose or alter output, and what akar does with it now.

mod common;

use std::path::Path;
use std::process::Output;

use common::{akar, folder, json_lines, stderr, stdout};

fn crashed(output: &Output) -> bool {
    output.status.code().is_none_or(|c| c == 101)
        || stderr(output).contains("panicked")
        || stderr(output).contains("overflow")
}

/// Runs every command that reads a policy on `policy` (and the REPL, loading it
/// and typing it), asserting none crashes; returns `akar check`'s output.
fn every_command(dir: &Path, policy: &str, listings: &str) -> Output {
    every_command_but(dir, policy, listings, true)
}

fn every_command_but(dir: &Path, policy: &str, listings: &str, typed: bool) -> Output {
    std::fs::write(dir.join("p.policy"), policy).unwrap();
    std::fs::write(dir.join("l.ndjson"), listings).unwrap();
    for args in [
        &["check", "p.policy"][..],
        &["check", "--error-format", "json", "p.policy"],
        &["fmt", "--check", "p.policy"],
        &["test", "p.policy"],
        &[
            "eval",
            "p.policy",
            "--listings",
            "l.ndjson",
            "--at",
            "2024-01-01",
        ],
    ] {
        let out = akar(dir, args, "");
        assert!(!crashed(&out), "akar {args:?} crashed:\n{}", stderr(&out));
    }
    let typed = if typed { policy } else { "" };
    let input = format!(":load p.policy\n:listing {{}}\n:eval\n{typed}\n");
    let repl = akar(dir, &["repl"], &input);
    assert!(!crashed(&repl), "the REPL crashed:\n{}", stderr(&repl));
    akar(dir, &["check", "p.policy"], "")
}

fn codes(output: &Output) -> String {
    stderr(output)
}

#[test]
fn multi_byte_text_before_an_error_is_reported_not_a_panic() {
    let dir = folder(&[]);
    for policy in [
        "// Permendag \u{2014}\nlet a",
        "let a =\u{a0}",
        "block import where title contains \"caf\u{e9}\" and\u{3000}",
        "rule r\u{e9}\n  block import",
        "flag listing where cluster == caf\u{e9}",
    ] {
        let out = every_command(dir.path(), policy, "{}\n");
        assert_eq!(out.status.code(), Some(1), "{policy}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("akar::"),
            "{policy}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn completion_and_hints_take_any_text_at_any_place() {
    let vocabulary = akar::repl::Vocabulary {
        rules: vec!["akar".into()],
        fields: vec!["cluster".into(), "seller.country".into()],
        symbols: vec!["fashion".into()],
        ..Default::default()
    };
    for line in [
        "cluster == café",
        ":explain é",
        "title contains \"—\" and 日本 == x",
        "😀.a == 1",
        "\u{a0}:lo",
    ] {
        for (at, _) in line.char_indices().chain([(line.len(), ' ')]) {
            let _ = akar::repl::complete(&vocabulary, line, at);
            let _ = akar::repl::hint(&vocabulary, &line[..at], at);
            let _ = akar::repl::paint(&line[..at]);
        }
    }
}

#[test]
fn a_line_too_long_to_draw_is_a_diagnostic() {
    let dir = folder(&[]);
    let policy = format!("let s = \"{}\" blok\n", "x".repeat(70_000));
    let out = every_command(dir.path(), &policy, "{}\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        codes(&out).contains("akar::syntax::line_too_long"),
        "{}",
        stderr(&out)
    );
    // Ten megabytes on one line are refused at once (they took 12 s), and a long line
    // typed into the REPL do not stall it.
    std::fs::write(dir.path().join("x.policy"), "x".repeat(10_000_000)).unwrap();
    let started = std::time::Instant::now();
    let out = akar(dir.path(), &["check", "x.policy"], "");
    assert!(codes(&out).contains("line_too_long"));
    let out = every_command(dir.path(), &"x".repeat(200_000), "{}\n");
    assert!(codes(&out).contains("line_too_long"));
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
}

#[test]
fn deep_nesting_is_a_diagnostic_at_its_place() {
    let dir = folder(&[]);
    // Lines kept short, so that nesting, not length, is what is refused.
    let parens = format!(
        "block import where\n{}a == 1\n{}\n",
        "(\n".repeat(1_700),
        ")\n".repeat(1_700)
    );
    let nots = format!("block import where\n{}a == 1\n", "not\n".repeat(7_000));
    let braces = format!(
        "test \"t\" {{\n  given {}\n  expect allow\n}}\n",
        "{\"a\":\n".repeat(2_000)
    );
    for policy in [parens, nots, braces] {
        // Typed into the REPL, such input is refused every 64 lines: the short
        // version below shows that; the long one would only take longer.
        let out = every_command_but(dir.path(), &policy, "{}\n", false);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            codes(&out).contains("akar::syntax::too_deep"),
            "{}",
            stderr(&out)
        );
    }
    let short = format!("block import where {}a == 1\n", "not ".repeat(200));
    let out = every_command(dir.path(), &short, "{}\n");
    assert!(
        codes(&out).contains("akar::syntax::too_deep"),
        "{}",
        stderr(&out)
    );
    let path = (0..40)
        .map(|i| format!("s{i}"))
        .collect::<Vec<_>>()
        .join(".");
    let out = every_command(
        dir.path(),
        &format!("flag listing where {path} == 1\n"),
        "{}\n",
    );
    assert!(
        codes(&out).contains("akar::syntax::path_too_long"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_chain_of_definitions_too_deep_is_a_diagnostic() {
    let dir = folder(&[]);
    let mut policy = String::from("let c0 = a == 1\n");
    for i in 1..200 {
        policy.push_str(&format!("let c{i} = c{} and b == {i}\n", i - 1));
    }
    policy.push_str("flag listing where c199\n");
    let out = every_command(dir.path(), &policy, "{\"a\": 1}\n");
    assert!(
        codes(&out).contains("akar::check::too_deep"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_diagnostics_are_json_whatever_the_policy_holds() {
    let dir = folder(&[]);
    for policy in [
        "let x = \u{1}\n",
        "rule a\n  blok import \"\u{7f}\u{1b}[31m\"\n",
        "flag listing where t == \"\\u\"\t\r\nblok\n",
    ] {
        std::fs::write(dir.path().join("j.policy"), policy).unwrap();
        let out = akar(
            dir.path(),
            &["check", "--error-format", "json", "j.policy"],
            "",
        );
        assert_eq!(out.status.code(), Some(1));
        for line in stderr(&out).lines() {
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"));
            assert!(value["code"].is_string(), "{value}");
            assert!(value["labels"][0]["line"].is_number(), "{value}");
        }
    }
}

#[test]
fn many_errors_are_all_counted_and_the_first_hundred_drawn() {
    let dir = folder(&[]);
    let policy: String = (0..5_000)
        .map(|i| format!("block import where x < 10 XYZ{i}\n"))
        .collect();
    std::fs::write(dir.path().join("p.policy"), policy).unwrap();
    let out = akar(dir.path(), &["check", "p.policy"], "");
    let text = stderr(&out);
    assert!(
        text.contains("… and 4900 more"),
        "{}",
        &text[text.len() - 300..]
    );
    assert!(text.ends_with("5000 errors found\n"));
    let json = akar(
        dir.path(),
        &["check", "--error-format", "json", "p.policy"],
        "",
    );
    assert_eq!(stderr(&json).lines().count(), 5_000);
}

#[test]
fn a_broken_json_array_keeps_every_record_before_the_break() {
    let dir = folder(&[
        ("p.policy", "block import where cluster == fashion"),
        (
            "l.json",
            r#"[{"id":"a","cluster":"fashion","cross_border":true}, 7, {"id":"b" "x":1}, {"id":"c"}, {"id":"d""#,
        ),
    ]);
    let out = akar(
        dir.path(),
        &["eval", "p.policy", "--listings", "l.json"],
        "",
    );
    let records = json_lines(&stdout(&out));
    let decisions: Vec<&str> = records
        .iter()
        .map(|r| r["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["block", "error", "error", "allow", "error"]);
    assert_eq!(
        records[2]["error"],
        "invalid JSON at line 1, column 67: expected `,` or `}`"
    );
    assert!(
        records[4]["error"]
            .as_str()
            .unwrap()
            .contains("reading stopped here, after 4 records")
    );
}

#[test]
fn an_ndjson_file_starting_with_a_bracket_is_still_one_record_a_line() {
    let dir = folder(&[
        ("p.policy", "block import"),
        (
            "l.ndjson",
            "[1]\n{\"id\":\"b\",\"cross_border\":true}\n[2, 3]\n",
        ),
        ("l.jsonl", "[1]\n{\"id\":\"b\",\"cross_border\":true}\n"),
    ]);
    for file in ["l.ndjson", "l.jsonl"] {
        let out = akar(dir.path(), &["eval", "p.policy", "--listings", file], "");
        let records = json_lines(&stdout(&out));
        assert_eq!(records[1]["decision"], "block", "{file}");
        assert!(records.iter().all(|r| r["line"].is_number()));
    }
}

#[test]
fn numbers_no_decimal_holds_exactly_are_errors_whichever_way_they_are_out_of_range() {
    let dir = folder(&[
        ("p.policy", "flag listing where stock < 0.5"),
        (
            "l.ndjson",
            "{\"stock\": 1e-30}\n{\"stock\": 1e-400}\n{\"stock\": 0.25}\n{\"stock\": 1e40}\n",
        ),
    ]);
    let out = akar(
        dir.path(),
        &["eval", "p.policy", "--listings", "l.ndjson"],
        "",
    );
    let decisions: Vec<String> = json_lines(&stdout(&out))
        .iter()
        .map(|r| r["decision"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(decisions, ["error", "error", "flag", "error"]);
}

#[test]
fn ids_are_echoed_as_they_were_written() {
    // (An exponent is written with its sign: `1e3` comes back as `1e+3`.)
    let ids = [
        "-0",
        "123456789012345678901234567890",
        "1.50",
        "1e+3",
        "\"TP-0001\"",
    ];
    let lines: String = ids.iter().map(|id| format!("{{\"id\": {id}}}\n")).collect();
    let dir = folder(&[("p.policy", "block import"), ("l.ndjson", &lines)]);
    let out = akar(
        dir.path(),
        &["eval", "p.policy", "--listings", "l.ndjson"],
        "",
    );
    let text = stdout(&out);
    for (line, id) in text.lines().zip(ids) {
        assert!(line.contains(&format!("\"id\":{id},")), "{line}");
    }
    // The same through a JSON array and through a table.
    let array = format!("[{}]", lines.trim_end().replace('\n', ","));
    std::fs::write(dir.path().join("l.json"), array).unwrap();
    let out = akar(
        dir.path(),
        &["eval", "p.policy", "--listings", "l.json"],
        "",
    );
    assert!(stdout(&out).contains("\"id\":123456789012345678901234567890,"));
}

#[test]
fn a_line_that_is_not_text_is_refused_and_the_session_goes_on() {
    let dir = folder(&[]);
    let mut input = b":at 2024-01-01\n".to_vec();
    input.extend_from_slice(b"\xff\xfe block\n:at\n");
    std::fs::write(dir.path().join("in.txt"), &input).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_akar"))
        .arg("repl")
        .env("NO_COLOR", "1")
        .stdin(std::fs::File::open(dir.path().join("in.txt")).unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("input line 2 is not UTF-8 text"), "{text}");
    assert_eq!(
        text.matches("evaluating on 2024-01-01").count(),
        2,
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1), "a refused input fails a script");
}

#[test]
fn eval_fail_on_error_makes_ci_fail_when_a_listing_cannot_be_decided() {
    let dir = folder(&[
        ("p.policy", "flag listing where stock < 5"),
        ("good.ndjson", "{\"stock\": 1}\n"),
        (
            "bad.ndjson",
            "{\"stock\": 1}\n{\"stock\": \"many\"}\nnot json\n",
        ),
    ]);
    let args = |file| ["eval", "p.policy", "--listings", file, "--fail-on", "error"];
    assert_eq!(
        akar(dir.path(), &args("good.ndjson"), "").status.code(),
        Some(0)
    );
    let out = akar(dir.path(), &args("bad.ndjson"), "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("failing, as `--fail-on` asks: 2 error"),
        "{}",
        stderr(&out)
    );
    let out = akar(
        dir.path(),
        &[
            "eval",
            "p.policy",
            "--listings",
            "good.ndjson",
            "--fail-on",
            "error,flag",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    // Without it, errors are records and the run succeeds, as before.
    assert_eq!(
        akar(
            dir.path(),
            &["eval", "p.policy", "--listings", "bad.ndjson"],
            ""
        )
        .status
        .code(),
        Some(0)
    );
}
