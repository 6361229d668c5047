//! Helpers shared by the integration tests, named so that a test reads like the
//! sentence of `grammar/REFERENCE.md` (or the README) it checks:
//!
//! - policies: [`plan_of_text`], [`plan_of_path`], [`assert_checks`],
//!   [`assert_check_error`], [`check_codes`], [`diagnostics`];
//! - decisions of one listing: [`decide`], [`action`], [`reasons`], [`holds`],
//!   [`assert_blocks`], [`assert_flags`], [`assert_allows`], [`assert_error`];
//! - the examples they decide: [`SMALLEST`], [`FULLER`], [`THREE_RULES`],
//!   [`FOUR_LISTINGS`], [`BROKEN`];
//! - the command line: [`folder`], [`akar`], [`eval`], [`stdout`], [`stderr`],
//!   [`transcript`], [`json_lines`];
//! - the two evaluation paths: [`both_paths`];
//! - documents: [`policy_blocks`].
// Each test file uses some of these, not all.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use akar::Sources;
use akar::check::check_sources;
use akar::diagnostics::{Style, render_all};
use akar::output::Outcome;
use akar::plan::Plan;
use chrono::NaiveDate;
use serde_json::{Value, json};

// ================================================================ policies

/// The date examples are decided at, unless they say otherwise.
pub const AT: &str = "2024-06-01";

/// The name a one-file policy is checked under: its unnamed rules are labelled
/// `akar.policy:LINE`.
pub const FILE: &str = "akar.policy";

/// The repository's root: paths in tests are relative to it.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `YYYY-MM-DD` date.
pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a YYYY-MM-DD date")
}

/// A policy set of one file, [`FILE`], holding `policy`.
pub fn one_file(policy: &str) -> Sources {
    let mut sources = Sources::default();
    sources.add(FILE, policy);
    sources
}

/// The checked plan of a policy set; one that does not check fails the test with
/// its rendered diagnostics.
pub fn checked(sources: &Sources) -> Plan {
    check_sources(sources).unwrap_or_else(|problems| {
        panic!(
            "the policy does not check:\n{}",
            render_all(problems, sources, Style::plain())
        )
    })
}

/// The checked plan of a policy text, as the file [`FILE`].
pub fn plan_of_text(policy: &str) -> Plan {
    checked(&one_file(policy))
}

/// The checked plan of a policy file or folder, relative to the repository's root
/// (an absolute path is taken as it is).
pub fn plan_of_path(path: &str) -> Plan {
    let sources = Sources::load(&[root().join(path)])
        .unwrap_or_else(|e| panic!("{path} cannot be read: {e}"));
    checked(&sources)
}

/// The policy checks.
#[track_caller]
pub fn assert_checks(policy: &str) {
    plan_of_text(policy);
}

/// The codes of the problems `akar check` reports, in order; none for a clean policy.
pub fn check_codes(policy: &str) -> Vec<String> {
    match check_sources(&one_file(policy)) {
        Ok(_) => Vec::new(),
        Err(problems) => problems
            .iter()
            .map(|p| {
                p.diagnostic
                    .code()
                    .map(|c| c.to_string())
                    .unwrap_or_default()
            })
            .collect(),
    }
}

/// The policy does not check, and one of its problems has the code `code`.
#[track_caller]
pub fn assert_check_error(policy: &str, code: &str) {
    let codes = check_codes(policy);
    assert!(
        codes.iter().any(|c| c == code),
        "expected {code}, got {codes:?} for:\n{policy}"
    );
}

/// The rendered diagnostics of a policy that does not check.
pub fn diagnostics(policy: &str) -> String {
    let sources = one_file(policy);
    let problems = check_sources(&sources).expect_err("the policy has errors");
    render_all(problems, &sources, Style::plain())
}

// ================================================================ decisions

/// What `akar eval` writes for one listing decided at `at`, as a JSON value.
pub fn outcome_at(policy: &str, listing: Value, at: &str) -> Value {
    let plan = plan_of_text(policy);
    let decision = akar::eval::decide(&plan, &listing, date(at));
    let outcome = Outcome::new(&plan, 1, listing.get("id"), decision.as_ref());
    serde_json::to_value(outcome).unwrap()
}

/// The decision (`block`, `flag`, `allow` or `error`) and the labels of the rules
/// that gave it, in policy order.
pub fn decide_at(policy: &str, listing: Value, at: &str) -> (String, Vec<String>) {
    let outcome = outcome_at(policy, listing, at);
    let action = outcome["decision"].as_str().unwrap().to_string();
    let rules = outcome["rules"]
        .as_array()
        .map(|r| r.iter().map(|l| l.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    (action, rules)
}

/// [`decide_at`] on [`AT`].
pub fn decide(policy: &str, listing: Value) -> (String, Vec<String>) {
    decide_at(policy, listing, AT)
}

/// The decision alone.
pub fn action_at(policy: &str, listing: Value, at: &str) -> String {
    decide_at(policy, listing, at).0
}

/// The decision alone, on [`AT`].
pub fn action(policy: &str, listing: Value) -> String {
    action_at(policy, listing, AT)
}

/// The reasons a decision on [`AT`] gives, in policy order.
pub fn reasons(policy: &str, listing: Value) -> Vec<String> {
    let outcome = outcome_at(policy, listing, AT);
    outcome["reasons"]
        .as_array()
        .expect("a decided listing")
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

#[track_caller]
pub fn assert_blocks(policy: &str, listing: Value) {
    assert_eq!(action(policy, listing), "block");
}

#[track_caller]
pub fn assert_flags(policy: &str, listing: Value) {
    assert_eq!(action(policy, listing), "flag");
}

#[track_caller]
pub fn assert_allows(policy: &str, listing: Value) {
    assert_eq!(action(policy, listing), "allow");
}

/// A condition holds for a listing: `flag listing where CONDITION` flags it.
#[track_caller]
pub fn holds(condition: &str, listing: Value) -> bool {
    let policy = format!("flag listing where {condition}");
    match action(&policy, listing).as_str() {
        "flag" => true,
        "allow" => false,
        other => panic!("`{condition}` gave {other}"),
    }
}

/// The error a listing's decision carries; fails if the listing was decided.
#[track_caller]
pub fn eval_error(policy: &str, listing: Value) -> String {
    let outcome = outcome_at(policy, listing, AT);
    assert_eq!(outcome["decision"], "error", "expected an error: {outcome}");
    outcome["error"].as_str().unwrap().to_string()
}

/// The listing's decision is `error`, and the message names every fragment.
#[track_caller]
pub fn assert_error(policy: &str, listing: Value, fragments: &[&str]) {
    let error = eval_error(policy, listing);
    for fragment in fragments {
        assert!(
            error.contains(fragment),
            "the error does not mention {fragment:?}: {error}"
        );
    }
}

/// Owned strings, to compare with rule labels and reasons.
pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A money field in dollars.
pub fn usd(amount: u64) -> Value {
    json!({"amount": amount, "currency": "USD"})
}

/// A money field in rupiah.
pub fn idr(amount: u64) -> Value {
    json!({"amount": amount, "currency": "IDR"})
}

// ================================================================ examples

/// The smallest complete policy: one unnamed rule (grammar/REFERENCE.md, "Files and
/// policy sets").
pub const SMALLEST: &str = "block import where cluster in [fashion, culinary, craft]";

/// A fuller file, every form of a rule in use: the example of the project's design,
/// which grammar/REFERENCE.md ("Rules") follows.
pub const FULLER: &str = r#"rate USD = 15_500 IDR                      // exchange rate used to compare money

let protected = [fashion, culinary, craft]
let positive_list = [books, films, software, music]

rule akar_clusters
  block import where cluster in protected
  because "Cross-border imports closed for fashion, culinary and craft (Gerakan AKAR)"
  effective 2021-08-09

rule min_price
  block import where price < 100 USD
  unless cluster in positive_list
  because "Permendag 31/2023 art. 19: goods sold directly from abroad must cost at least FOB USD 100"
  effective 2023-09-26

rule halal_missing
  flag listing where cluster == culinary and certifications.halal is missing
  because "Halal certificate number required (UU 33/2014, PP 42/2024)"

rule keyword_hijab
  block import where title contains any ["hijab", "gamis", "mukena"] and price < 30_000 IDR
  because "Cross-border Muslim clothing under Rp30,000 closed"
"#;

/// Three rules of [`FULLER`] with short reasons: what most command-line tests run.
pub const THREE_RULES: &str = r#"rate USD = 15_500 IDR

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

/// For [`THREE_RULES`]: one cross-border fashion listing (block), one book (allow),
/// one local snack (flag), one record with a price of the wrong type (error).
pub const FOUR_LISTINGS: &str = r#"{"id":"LZ-1","cluster":"fashion","cross_border":true,"price":{"amount":250000,"currency":"IDR"}}
{"id":"LZ-2","cluster":"books","cross_border":true,"price":{"amount":5,"currency":"USD"}}
{"id":"LZ-3","cluster":"culinary","cross_border":false,"price":{"amount":18500,"currency":"IDR"}}
{"id":"LZ-4","cluster":"toys","cross_border":true,"price":"murah"}
"#;

/// A policy with two check errors: an unknown subject and an unknown list.
pub const BROKEN: &str = "let protected = [fashion]\nblock imports where cluster in protectd\n";

// ================================================================ the command line

/// A temporary folder holding the given files; a name may hold folders
/// (`policies/a.policy`).
pub fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
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

/// The `akar` binary set to run in `dir` with colour off, not yet started.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_akar"));
    command
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    command
}

/// Runs `akar ARGS` in `dir` with `stdin` as its input, colour off, and returns
/// what it wrote and how it exited.
pub fn akar(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("akar runs");
    let mut input = child.stdin.take().expect("stdin");
    let text = stdin.to_string();
    // Written from another thread, so that a large input cannot deadlock against a
    // full stdout; akar may also stop reading early, which is not an error here.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(text.as_bytes());
    });
    let output = child.wait_with_output().expect("akar ends");
    writer.join().expect("stdin written");
    output
}

/// `akar eval akar.policy --listings LISTINGS --at 2024-06-01 EXTRA...` in `dir`.
pub fn eval(dir: &Path, listings: &str, extra: &[&str]) -> Output {
    let mut args = vec!["eval", FILE, "--listings", listings, "--at", AT];
    args.extend_from_slice(extra);
    akar(dir, &args, "")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

/// A run as a person sees it in a terminal: the exit code, then stdout and stderr.
pub fn transcript(output: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
        output.status.code(),
        stdout(output),
        stderr(output)
    )
}

/// The text holds an ANSI escape: colour, or another terminal control.
pub fn has_ansi(text: &str) -> bool {
    text.contains('\u{1b}')
}

/// Each line of `text` as JSON: the records `akar eval` writes.
pub fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

// ================================================================ the two paths

#[path = "../props/mod.rs"]
pub mod props;
#[allow(unused_imports)]
pub use props::both_paths;

// ================================================================ documents

/// The ```policy blocks of a markdown file, with the line each starts on.
pub fn policy_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, line) in markdown.lines().enumerate() {
        match &mut current {
            None if line.trim_start() == "```policy" => current = Some((index + 1, String::new())),
            Some(_) if line.trim_start().starts_with("```") => blocks.extend(current.take()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    blocks
}

// ================================================================ reviews

/// Copies `policies/` to `dir/name` with the change of a pull request a
/// reviewer is asked to read: the USD 100 floor raised to USD 150,
/// `electronics` added to the AKAR clusters, and the Shopee rule deleted.
/// A copy of `policies/` as `dir/name`.
pub fn copy_policies(dir: &Path, name: &str) {
    let to = dir.join(name);
    std::fs::create_dir_all(&to).expect("a folder");
    for entry in std::fs::read_dir(root().join("policies")).expect("policies/") {
        let path = entry.expect("an entry").path();
        std::fs::copy(&path, to.join(path.file_name().expect("a name"))).expect("a copy");
    }
}

/// Runs `git` in `dir`, failing the test if it fails — also when git is
/// missing, which CI installs.
pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=akar", "-c", "user.email=akar@example.com"])
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("git runs (CI installs it)");
    assert!(status.success(), "git {args:?}");
}

pub fn pull_request_change(dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::create_dir_all(&to).expect("a folder");
    for entry in std::fs::read_dir(root().join("policies")).expect("policies/") {
        let path = entry.expect("an entry").path();
        let file = path
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .to_string();
        if file == "shopee-2021.policy" {
            continue;
        }
        let mut text = std::fs::read_to_string(&path).expect("a policy");
        let edits: &[(&str, &str)] = match file.as_str() {
            "permendag-31-2023.policy" => &[("let fob_floor = 100 USD", "let fob_floor = 150 USD")],
            "gerakan-akar-2021.policy" => &[(
                "let akar_clusters = [fashion, culinary, craft]",
                "let akar_clusters = [fashion, culinary, craft, electronics]",
            )],
            "together.policy" => &[(
                "expect block by shopee_muslim_fashion_closed, akar_closed_cluster",
                "expect block by akar_closed_cluster",
            )],
            _ => &[],
        };
        for (from, into) in edits {
            assert!(text.contains(from), "{file} no longer holds `{from}`");
            text = text.replace(from, into);
        }
        std::fs::write(to.join(&file), text).expect("a policy written");
    }
    to
}
