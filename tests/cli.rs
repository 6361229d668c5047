#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `akar` binary, driven as a person or a pipeline drives it: exit codes, what
//! goes to stdout and stderr, input formats and options.
//!
//! Every command runs in a temporary folder with relative paths, so that what is
//! snapshotted does not depend on the machine.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

// ---------------------------------------------------------------- helpers

const AT: &str = "2024-06-01";

const POLICY: &str = r#"rate USD = 15_500 IDR

let protected = [fashion, culinary, craft]

rule akar_clusters
  block import where cluster in protected
  because "Cross-border imports closed for fashion, culinary and craft (Gerakan AKAR)"
  effective 2021-08-09

rule min_price
  block import where price < 100 USD
  unless cluster in [books, films, software, music]
  because "Permendag 31/2023 art. 19"
  effective 2023-09-26

rule halal_missing
  flag listing where cluster == culinary and certifications.halal is missing
  because "Halal certificate number required"
"#;

/// One cross-border fashion listing, one book, one local snack, one bad record.
const LISTINGS: &str = r#"{"id":"LZ-1","cluster":"fashion","cross_border":true,"price":{"amount":250000,"currency":"IDR"}}
{"id":"LZ-2","cluster":"books","cross_border":true,"price":{"amount":5,"currency":"USD"}}
{"id":"LZ-3","cluster":"culinary","cross_border":false,"price":{"amount":18500,"currency":"IDR"}}
{"id":"LZ-4","cluster":"toys","cross_border":true,"price":"murah"}
"#;

const BROKEN: &str = "let protected = [fashion]\nblock imports where cluster in protectd\n";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
        }
    }
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_akar"));
    command
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    command
}

/// Runs `akar ARGS` in `dir`.
fn akar(dir: &Path, args: &[&str]) -> Run {
    command(dir, args)
        .stdin(Stdio::null())
        .output()
        .expect("akar runs")
        .into()
}

/// `akar eval akar.policy --listings LISTINGS --at 2024-06-01 EXTRA...` in `dir`.
fn eval(dir: &Path, listings: &str, extra: &[&str]) -> Run {
    let mut args = vec!["eval", "akar.policy", "--listings", listings, "--at", AT];
    args.extend_from_slice(extra);
    akar(dir, &args)
}

/// Runs `akar ARGS` in `dir` with `input` on stdin.
fn akar_with_stdin(dir: &Path, args: &[&str], input: &str) -> Run {
    use std::io::Write as _;
    let mut child = command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("akar runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_string();
    // Write from another thread so a large input cannot deadlock against stdout.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("akar ends");
    writer.join().expect("stdin written");
    output.into()
}

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("a folder");
        }
        std::fs::write(path, text).expect("a file written");
    }
    dir
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn has_ansi(text: &str) -> bool {
    text.contains('\u{1b}')
}

/// Snapshots a run as a person sees it in a terminal.
fn transcript(run: &Run) -> String {
    format!(
        "exit: {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
        run.code, run.stdout, run.stderr
    )
}

// ---------------------------------------------------------------- akar check

#[test]
fn check_exits_0_on_a_clean_policy_and_says_so() {
    let dir = folder(&[("akar.policy", POLICY)]);
    let run = akar(dir.path(), &["check", "akar.policy"]);
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn check_exits_1_and_renders_every_problem() {
    let dir = folder(&[("akar.policy", BROKEN)]);
    let run = akar(dir.path(), &["check", "akar.policy"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.is_empty());
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn check_exits_2_on_an_unreadable_file() {
    let dir = folder(&[]);
    let run = akar(dir.path(), &["check", "missing.policy"]);
    assert_eq!(run.code, Some(2));
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn check_exits_2_on_a_folder_without_policies() {
    let dir = folder(&[("rules/README.md", "no policies here")]);
    let run = akar(dir.path(), &["check", "rules"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("`rules` holds no `.policy` files"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_usage_exits_2() {
    let dir = folder(&[("akar.policy", POLICY)]);
    for args in [
        &["check"][..],
        &["check", "--no-such-flag", "akar.policy"],
        &["no-such-command"],
        &["eval", "akar.policy"],
        &["eval", "akar.policy", "--listings", "-", "--format", "xml"],
        &["check", "--error-format", "yaml", "akar.policy"],
    ] {
        let run = akar(dir.path(), args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn check_reads_a_folder_of_policies_as_one_policy_set() {
    let dir = folder(&[
        (
            "policies/a-rules.policy",
            "block import where cluster in protected\n",
        ),
        (
            "policies/b-lists.policy",
            "let protected = [fashion, culinary, craft]\n",
        ),
        ("policies/notes.txt", "not a policy"),
    ]);
    let run = akar(dir.path(), &["check", "policies"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stderr, "ok: 2 files, 1 rule, no problems found\n");
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
    let run = akar(dir.path(), &["check", "policies"]);
    assert_eq!(run.code, Some(1));
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn error_format_json_writes_one_json_object_per_diagnostic() {
    let dir = folder(&[("akar.policy", BROKEN)]);
    let run = akar(
        dir.path(),
        &["check", "--error-format", "json", "akar.policy"],
    );
    assert_eq!(run.code, Some(1));
    let diagnostics = json_lines(&run.stderr);
    assert_eq!(diagnostics.len(), 2, "{}", run.stderr);
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
        let run = akar(dir.path(), args);
        assert_ne!(run.code, Some(0), "{args:?}");
        for d in json_lines(&run.stderr) {
            assert!(d["code"].is_string(), "{args:?}: {d}");
        }
    }
}

#[test]
fn error_format_json_gives_the_eval_summary_as_json_too() {
    let dir = folder(&[("akar.policy", POLICY), ("listings.ndjson", LISTINGS)]);
    let run = eval(dir.path(), "listings.ndjson", &["--error-format", "json"]);
    assert_eq!(run.code, Some(0));
    let lines = json_lines(&run.stderr);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert_eq!(
        lines[0]["summary"],
        serde_json::json!({"block": 1, "flag": 1, "allow": 1, "error": 1})
    );
}

#[test]
fn error_format_json_on_a_clean_check_writes_nothing() {
    let dir = folder(&[("akar.policy", POLICY)]);
    let run = akar(
        dir.path(),
        &["check", "--error-format", "json", "akar.policy"],
    );
    assert_eq!(run.code, Some(0));
    assert_eq!(run.stderr, "");
}

// ---------------------------------------------------------------- colour

#[test]
fn output_to_a_pipe_or_with_no_color_has_no_ansi_escapes() {
    let dir = folder(&[("akar.policy", BROKEN), ("l.ndjson", LISTINGS)]);
    let run = akar(dir.path(), &["check", "akar.policy"]);
    assert!(!has_ansi(&run.stderr));
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "--listings", "l.ndjson"],
    );
    assert!(!has_ansi(&run.stderr));
    // Without NO_COLOR, a pipe is still not a terminal.
    let run: Run = command(dir.path(), &["check", "akar.policy"])
        .env_remove("NO_COLOR")
        .output()
        .expect("akar runs")
        .into();
    assert!(!has_ansi(&run.stderr));
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

// ---------------------------------------------------------------- akar eval

#[test]
fn eval_writes_ndjson_decisions_and_a_summary() {
    let dir = folder(&[("akar.policy", POLICY), ("listings.ndjson", LISTINGS)]);
    let run = eval(dir.path(), "listings.ndjson", &[]);
    assert_eq!(run.code, Some(0));
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn eval_summary_counts_each_decision() {
    let dir = folder(&[("akar.policy", POLICY), ("listings.ndjson", LISTINGS)]);
    let run = eval(dir.path(), "listings.ndjson", &[]);
    assert_eq!(
        run.stderr,
        "akar: 4 listings: 1 block, 1 flag, 1 allow, 1 error\n"
    );
}

#[test]
fn eval_table_format_is_for_people() {
    let dir = folder(&[("akar.policy", POLICY), ("listings.ndjson", LISTINGS)]);
    let run = eval(dir.path(), "listings.ndjson", &["--format", "table"]);
    assert_eq!(run.code, Some(0));
    assert!(!has_ansi(&run.stdout));
    // A header and one row per listing, each starting with its line number; the
    // reason or error is indented below its row.
    let rows = run
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()));
    assert_eq!(rows.count(), 4);
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn eval_exits_1_on_a_policy_with_errors_and_decides_nothing() {
    let dir = folder(&[("akar.policy", BROKEN), ("listings.ndjson", LISTINGS)]);
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "--listings", "listings.ndjson"],
    );
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("unknown subject `imports`"));
}

#[test]
fn eval_exits_2_on_a_missing_listings_file() {
    let dir = folder(&[("akar.policy", POLICY)]);
    let run = akar(
        dir.path(),
        &["eval", "akar.policy", "--listings", "missing.ndjson"],
    );
    assert_eq!(run.code, Some(2));
    assert!(run.stdout.is_empty());
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn eval_exits_2_on_a_missing_policy_file() {
    let dir = folder(&[("listings.ndjson", LISTINGS)]);
    let run = akar(
        dir.path(),
        &["eval", "missing.policy", "--listings", "listings.ndjson"],
    );
    assert_eq!(run.code, Some(2));
    assert!(run.stdout.is_empty());
}

#[test]
fn at_must_be_a_date() {
    let dir = folder(&[("akar.policy", POLICY), ("listings.ndjson", LISTINGS)]);
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
        );
        assert_eq!(run.code, Some(2), "--at {bad:?}");
        assert!(run.stdout.is_empty());
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
    );
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn eval_reads_listings_from_stdin() {
    let dir = folder(&[("akar.policy", POLICY)]);
    let run = akar_with_stdin(
        dir.path(),
        &["eval", "akar.policy", "--listings", "-", "--at", AT],
        LISTINGS,
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let decisions: Vec<Value> = json_lines(&run.stdout)
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
fn eval_reads_a_json_array_from_stdin() {
    let dir = folder(&[("akar.policy", POLICY)]);
    let array = r#"  [{"id": "A", "cluster": "craft", "cross_border": true}, {"id": "B"}]"#;
    let run = akar_with_stdin(
        dir.path(),
        &["eval", "akar.policy", "--listings", "-", "--at", AT],
        array,
    );
    let outcomes = json_lines(&run.stdout);
    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0]["id"], "A");
    assert_eq!(outcomes[0]["decision"], "block");
    assert_eq!(outcomes[1]["line"], 2);
}

#[test]
fn eval_reads_csv_with_dotted_headers_and_empty_cells_as_missing() {
    let csv = "id,cluster,cross_border,price,certifications.halal,seller.country\n\
               CSV-1,culinary,false,,,ID\n\
               CSV-2,culinary,false,,ID00110000123,ID\n\
               CSV-3,toys,true,99,,CN\n\
               CSV-4,toys,true,100,,CN\n";
    let dir = folder(&[("akar.policy", POLICY), ("listings.csv", csv)]);
    let run = eval(dir.path(), "listings.csv", &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let outcomes = json_lines(&run.stdout);
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
fn eval_reads_a_csv_file_whatever_its_case() {
    let csv = "id,cluster,cross_border\nX,craft,true\n";
    let dir = folder(&[("akar.policy", POLICY), ("LISTINGS.CSV", csv)]);
    let run = eval(dir.path(), "LISTINGS.CSV", &[]);
    assert_eq!(json_lines(&run.stdout)[0]["decision"], "block");
}

#[test]
fn eval_input_format_overrides_the_extension() {
    let csv = "id,cluster,cross_border\nX,craft,true\n";
    let dir = folder(&[("akar.policy", POLICY), ("listings.txt", csv)]);
    let run = eval(dir.path(), "listings.txt", &["--input-format", "csv"]);
    assert_eq!(json_lines(&run.stdout)[0]["decision"], "block");
}

#[test]
fn eval_reads_a_json_array_with_its_elements_numbered() {
    let array = r#"[
  {"id": "J-1", "cluster": "fashion", "cross_border": true},
  42,
  {"id": "J-3", "cluster": "books", "cross_border": true}
]"#;
    let dir = folder(&[("akar.policy", POLICY), ("listings.json", array)]);
    let run = eval(dir.path(), "listings.json", &[]);
    assert_eq!(run.code, Some(0));
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn a_broken_json_array_is_one_error_record() {
    let dir = folder(&[
        ("akar.policy", POLICY),
        ("listings.json", "[{\"id\": 1}, {"),
    ]);
    let run = eval(dir.path(), "listings.json", &[]);
    assert_eq!(run.code, Some(0));
    let outcomes = json_lines(&run.stdout);
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0]["decision"], "error");
}

#[test]
fn a_json_file_holding_one_object_is_one_listing() {
    let listing =
        "{\n  \"id\": \"LZ-1\",\n  \"cluster\": \"craft\",\n  \"cross_border\": true\n}\n";
    let dir = folder(&[("akar.policy", POLICY), ("listing.json", listing)]);
    let run = eval(dir.path(), "listing.json", &[]);
    let outcomes = json_lines(&run.stdout);
    assert_eq!(outcomes.len(), 1, "{}", run.stdout);
    assert_eq!(outcomes[0]["decision"], "block");
}

#[test]
fn a_csv_file_may_start_with_a_byte_order_mark() {
    let csv = "\u{feff}id,cluster,cross_border\nB-1,craft,true\n";
    let dir = folder(&[("akar.policy", POLICY), ("listings.csv", csv)]);
    let run = eval(dir.path(), "listings.csv", &[]);
    let outcome = &json_lines(&run.stdout)[0];
    assert_eq!(
        (&outcome["id"], &outcome["decision"]),
        (&json!("B-1"), &json!("block"))
    );
}

#[test]
fn an_ndjson_file_may_start_with_a_byte_order_mark() {
    let ndjson = "\u{feff}{\"id\":\"B-1\",\"cluster\":\"craft\",\"cross_border\":true}\n";
    let dir = folder(&[("akar.policy", POLICY), ("listings.ndjson", ndjson)]);
    let run = eval(dir.path(), "listings.ndjson", &[]);
    let outcome = &json_lines(&run.stdout)[0];
    assert_eq!(outcome["decision"], "block", "{outcome}");
}

#[test]
fn windows_line_endings_are_read() {
    let ndjson =
        "{\"id\":\"C-1\",\"cluster\":\"craft\",\"cross_border\":true}\r\n\r\n{\"id\":\"C-2\"}\r\n";
    let csv = "id,cluster,cross_border\r\nD-1,craft,true\r\n";
    let dir = folder(&[
        ("akar.policy", POLICY),
        ("l.ndjson", ndjson),
        ("l.csv", csv),
    ]);
    for (file, expected) in [
        ("l.ndjson", vec!["block", "allow"]),
        ("l.csv", vec!["block"]),
    ] {
        let run = akar(
            dir.path(),
            &["eval", "akar.policy", "--listings", file, "--at", AT],
        );
        let decisions: Vec<Value> = json_lines(&run.stdout)
            .iter()
            .map(|o| o["decision"].clone())
            .collect();
        assert_eq!(decisions, expected, "{file}");
    }
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
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let outcome = &json_lines(&run.stdout)[0];
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
    let dir = folder(&[("akar.policy", POLICY), ("listings.ndjson", &input)]);
    let run = eval(dir.path(), "listings.ndjson", &["--threads", "4"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let outcomes = json_lines(&run.stdout);
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
    assert!(
        run.stderr.starts_with("akar: 20000 listings: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.ends_with(", 21 error\n"), "{}", run.stderr);
}

#[test]
fn line_numbers_count_leading_blank_lines() {
    let dir = folder(&[("akar.policy", POLICY)]);
    let input = "\n\n{\"id\":\"A\"}\n\n{\"id\":\"B\"}\n";
    let run = akar_with_stdin(
        dir.path(),
        &["eval", "akar.policy", "--listings", "-", "--at", AT],
        input,
    );
    let lines: Vec<Value> = json_lines(&run.stdout)
        .iter()
        .map(|o| o["line"].clone())
        .collect();
    // Blank lines are not records, but `line` is where the record is in the file.
    assert_eq!(lines, [json!(3), json!(5)]);
}

#[test]
fn an_empty_catalogue_gives_no_records_and_a_zero_summary() {
    let dir = folder(&[("akar.policy", POLICY), ("listings.ndjson", "")]);
    let run = eval(dir.path(), "listings.ndjson", &[]);
    assert_eq!(run.code, Some(0));
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
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
    let dir = folder(&[("akar.policy", POLICY), ("listings.ndjson", &input)]);
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
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("a line");
    // The reader is dropped here: the pipe closes.
    let output = child.wait_with_output().expect("akar ends");
    assert!(first.starts_with("{\"line\":1,"), "{first}");
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
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
    let run = akar(dir.path(), &["test", "akar.policy"]);
    assert_eq!(run.code, Some(0));
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn test_exits_1_if_any_failed_and_says_why() {
    let dir = folder(&[("akar.policy", &format!("{TESTED}{FAILING_TEST}"))]);
    let run = akar(dir.path(), &["test", "akar.policy"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout.lines().last(), Some("3 passed, 1 failed"));
    insta::assert_snapshot!(transcript(&run));
}

#[test]
fn test_exits_1_on_a_policy_with_errors() {
    let dir = folder(&[("akar.policy", BROKEN)]);
    let run = akar(dir.path(), &["test", "akar.policy"]);
    assert_eq!(run.code, Some(1));
}

#[test]
fn test_exits_2_on_an_unreadable_file() {
    let dir = folder(&[]);
    let run = akar(dir.path(), &["test", "missing.policy"]);
    assert_eq!(run.code, Some(2));
}
