//! The `akar` binary, driven as a person or a pipeline drives it: `akar check` and
//! `akar test`, their exit codes, what goes to stdout and stderr, `--error-format
//! json`, and colour. `akar eval` is in `cli_eval.rs` (what it writes) and
//! `cli_input.rs` (what it reads); `akar fmt` in `fmt.rs`; `akar repl` in `repl.rs`.
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

use std::path::Path;
use std::process::{Command, Stdio};

// ---------------------------------------------------------------- akar check

#[test]
fn check_exits_0_on_a_clean_policy_and_says_so() {
    let dir = folder(&[("akar.policy", THREE_RULES)]);
    let run = akar(dir.path(), &["check", "akar.policy"], "");
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn check_exits_0_on_the_fuller_file() {
    let dir = folder(&[("akar.policy", FULLER)]);
    let run = akar(dir.path(), &["check", "akar.policy"], "");
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
}

#[test]
fn check_exits_1_and_renders_every_problem() {
    let dir = folder(&[("akar.policy", BROKEN)]);
    let run = akar(dir.path(), &["check", "akar.policy"], "");
    assert_eq!(run.status.code(), Some(1));
    assert!(stdout(&run).is_empty());
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn check_exits_1_on_errors_with_labels_help_and_did_you_mean_on_stderr() {
    let dir = folder(&[(
        "akar.policy",
        "let protected = [fashion]\nblock imports where cluster in protected\n",
    )]);
    let run = akar(dir.path(), &["check", "akar.policy"], "");
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(err.contains("unknown subject `imports`"), "{err}");
    assert!(err.contains("not defined"), "a label: {err}");
    assert!(err.contains("help: did you mean `import`?"), "{err}");
    assert!(err.contains("akar.policy:2:7"), "the place: {err}");
    assert!(stdout(&run).is_empty());
}

#[test]
fn check_exits_2_on_an_unreadable_file() {
    let dir = folder(&[]);
    let run = akar(dir.path(), &["check", "missing.policy"], "");
    assert_eq!(run.status.code(), Some(2));
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn check_exits_2_on_a_folder_without_policies() {
    let dir = folder(&[("rules/README.md", "no policies here")]);
    let run = akar(dir.path(), &["check", "rules"], "");
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("`rules` holds no `.policy` files"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn bad_usage_exits_2() {
    let dir = folder(&[("akar.policy", THREE_RULES)]);
    for args in [
        &["check"][..],
        &["check", "--no-such-flag", "akar.policy"],
        &["no-such-command"],
        &["eval", "akar.policy"],
        &["eval", "akar.policy", "--listings", "-", "--format", "xml"],
        &["check", "--error-format", "yaml", "akar.policy"],
    ] {
        let run = akar(dir.path(), args, "");
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", stderr(&run));
        assert!(stdout(&run).is_empty(), "{args:?}");
    }
}

#[test]
fn check_reads_a_folder_of_policies_as_one_policy_set() {
    let dir = folder(&[
        (
            "policies/a-rules.policy",
            "block import where cluster in protected because \"closed clusters\"\n",
        ),
        (
            "policies/b-lists.policy",
            "let protected = [fashion, culinary, craft]\n",
        ),
        ("policies/notes.txt", "not a policy"),
    ]);
    let run = akar(dir.path(), &["check", "policies"], "");
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(stderr(&run), "ok: 2 files, 1 rule, no problems found\n");
}

#[test]
fn check_reports_problems_in_every_file_of_a_folder() {
    let dir = folder(&[
        (
            "policies/a.policy",
            "blok import where cluster == fashion\n",
        ),
        (
            "policies/b.policy",
            "flag import where cluster in protectd\n",
        ),
    ]);
    let run = akar(dir.path(), &["check", "policies"], "");
    assert_eq!(run.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&run));
}

// ---------------------------------------------------------------- --error-format json

#[test]
fn error_format_json_writes_one_json_object_per_diagnostic() {
    let dir = folder(&[("akar.policy", BROKEN)]);
    let run = akar(
        dir.path(),
        &["check", "--error-format", "json", "akar.policy"],
        "",
    );
    assert_eq!(run.status.code(), Some(1));
    let all = json_lines(&stderr(&run));
    // The two errors, and the warnings they bring (an unused `let`, no `because`).
    let diagnostics: Vec<_> = all.iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(diagnostics.len(), 2, "{}", stderr(&run));
    assert_eq!(all.iter().filter(|d| d["severity"] == "warning").count(), 2);
    for d in &diagnostics {
        assert!(
            d["code"].as_str().is_some_and(|c| c.starts_with("akar::")),
            "{d}"
        );
        assert_eq!(d["filename"], "akar.policy");
        assert!(d["labels"].as_array().is_some_and(|l| !l.is_empty()), "{d}");
    }
    assert_eq!(diagnostics[0]["code"], "akar::check::unknown_name");
    assert_eq!(diagnostics[0]["message"], "unknown subject `imports`");
    assert_eq!(diagnostics[0]["help"], "did you mean `import`?");
}

#[test]
fn error_format_json_covers_unreadable_files_and_failing_evals() {
    let dir = folder(&[("broken.policy", BROKEN), ("l.ndjson", "{}\n")]);
    for args in [
        &["check", "--error-format", "json", "missing.policy"][..],
        &[
            "eval",
            "--error-format",
            "json",
            "broken.policy",
            "--listings",
            "l.ndjson",
        ],
        &[
            "eval",
            "--error-format",
            "json",
            "broken.policy",
            "--listings",
            "missing.ndjson",
        ],
    ] {
        let run = akar(dir.path(), args, "");
        assert_ne!(run.status.code(), Some(0), "{args:?}");
        for d in json_lines(&stderr(&run)) {
            assert!(d["code"].is_string(), "{args:?}: {d}");
        }
    }
}

#[test]
fn error_format_json_gives_the_eval_summary_as_json_too() {
    let dir = folder(&[
        ("akar.policy", THREE_RULES),
        ("listings.ndjson", FOUR_LISTINGS),
    ]);
    let run = eval(dir.path(), "listings.ndjson", &["--error-format", "json"]);
    assert_eq!(run.status.code(), Some(0));
    let lines = json_lines(&stderr(&run));
    assert_eq!(lines.len(), 1, "{}", stderr(&run));
    assert_eq!(
        lines[0]["summary"],
        serde_json::json!({"block": 1, "flag": 1, "allow": 1, "error": 1})
    );
}

#[test]
fn error_format_json_on_a_clean_check_writes_nothing() {
    let dir = folder(&[("akar.policy", THREE_RULES)]);
    let run = akar(
        dir.path(),
        &["check", "--error-format", "json", "akar.policy"],
        "",
    );
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(stderr(&run), "");
}

// ---------------------------------------------------------------- colour

#[test]
fn output_to_a_pipe_or_with_no_color_has_no_ansi_escapes() {
    let dir = folder(&[("akar.policy", BROKEN), ("l.ndjson", FOUR_LISTINGS)]);
    let run = akar(dir.path(), &["check", "akar.policy"], "");
    assert!(!has_ansi(&stderr(&run)));
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "--listings", "l.ndjson"],
        "",
    );
    assert!(!has_ansi(&stderr(&run)));
    // Without NO_COLOR, a pipe is still not a terminal.
    let run = command(dir.path(), &["check", "akar.policy"])
        .env_remove("NO_COLOR")
        .output()
        .expect("akar runs");
    assert!(!has_ansi(&stderr(&run)));
}

/// `script` (util-linux) gives akar a terminal, where it would use colour.
fn in_a_terminal(dir: &Path, command_line: &str, no_color: bool) -> Option<String> {
    let mut script = Command::new("script");
    script
        .current_dir(dir)
        .args(["-qec", command_line, "/dev/null"])
        .stdin(Stdio::null());
    if no_color {
        script.env("NO_COLOR", "1");
    } else {
        script.env_remove("NO_COLOR");
    }
    let output = script.output().ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn no_color_turns_colour_off_even_in_a_terminal() {
    let dir = folder(&[("akar.policy", BROKEN)]);
    let akar = env!("CARGO_BIN_EXE_akar");
    let line = format!("{akar} check akar.policy");
    let Some(coloured) = in_a_terminal(dir.path(), &line, false) else {
        eprintln!("`script` is not available: only pipes were tested");
        return;
    };
    assert!(coloured.contains("unknown subject"), "{coloured}");
    assert!(has_ansi(&coloured), "a terminal gets colour: {coloured:?}");
    let plain = in_a_terminal(dir.path(), &line, true).expect("script ran once already");
    assert!(plain.contains("unknown subject"), "{plain}");
    assert!(!has_ansi(&plain), "NO_COLOR=1 still coloured: {plain:?}");
}

// ---------------------------------------------------------------- akar test

const TESTED: &str = r#"let protected = [fashion, culinary, craft]

rule akar_clusters
  block import where cluster in protected
  effective 2021-08-09

test "cross-border batik is blocked" {
  at 2024-01-01
  given {"cluster": "fashion", "cross_border": true}
  expect block by akar_clusters
}

test "local batik is allowed" {
  at 2024-01-01
  given {"cluster": "fashion", "cross_border": false}
  expect allow
}
"#;

const FAILING_TEST: &str = r#"
test "cross-border batik was blocked before 2021" {
  at 2020-01-01
  given {"cluster": "fashion", "cross_border": true}
  expect block by akar_clusters
}

test "a text cluster is an error" {
  at 2024-01-01
  given {"cluster": 7, "cross_border": true}
  expect error
}
"#;

#[test]
fn test_exits_0_when_every_test_passes() {
    let dir = folder(&[("akar.policy", TESTED)]);
    let run = akar(dir.path(), &["test", "akar.policy"], "");
    assert_eq!(run.status.code(), Some(0));
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn test_exits_1_if_any_failed_and_says_why() {
    let dir = folder(&[("akar.policy", &format!("{TESTED}{FAILING_TEST}"))]);
    let run = akar(dir.path(), &["test", "akar.policy"], "");
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(stdout(&run).lines().last(), Some("3 passed, 1 failed"));
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn test_ends_with_passed_and_failed_counts_and_exits_1_if_any_failed() {
    let passing = format!(
        "{FULLER}\n{}",
        r#"test "cross-border batik is blocked" {
  at 2024-01-01
  given {"cluster": "fashion", "cross_border": true, "price": {"amount": 20, "currency": "USD"}}
  expect block by akar_clusters
}
"#
    );
    let failing = format!(
        "{passing}\n{}",
        r#"test "a toy is blocked" {
  at 2021-01-01
  given {"cluster": "toys", "cross_border": true, "price": {"amount": 20, "currency": "USD"}}
  expect block by min_price
}
"#
    );
    let dir = folder(&[("pass.policy", &passing), ("fail.policy", &failing)]);
    let run = akar(dir.path(), &["test", "pass.policy"], "");
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(stdout(&run).lines().last(), Some("1 passed, 0 failed"));
    let run = akar(dir.path(), &["test", "fail.policy"], "");
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(stdout(&run).lines().last(), Some("1 passed, 1 failed"));
}

#[test]
fn test_exits_1_on_a_policy_with_errors() {
    let dir = folder(&[("akar.policy", BROKEN)]);
    let run = akar(dir.path(), &["test", "akar.policy"], "");
    assert_eq!(run.status.code(), Some(1));
}

#[test]
fn test_exits_2_on_an_unreadable_file() {
    let dir = folder(&[]);
    let run = akar(dir.path(), &["test", "missing.policy"], "");
    assert_eq!(run.status.code(), Some(2));
}
