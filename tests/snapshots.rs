#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]
//! Snapshots of what a person sees, one per input file:
//!
//! - `cases/check/*.policy`: the policy and its colour-free rendered diagnostics;
//! - `cases/eval/<case>/`: a policy set, a catalogue and an evaluation date, and the
//!   NDJSON lines `akar eval` writes for them.
//!
//! Adding a case = adding a file (or a folder). Review every new `.snap` by reading it.

mod common;
use common::{akar, stderr, stdout};

use std::path::{Path, PathBuf};

use akar::Sources;
use akar::check::check_sources;
use akar::diagnostics::{Style, render_all};

/// Words that only pest or Rust know; a policy author must never see them.
const INTERNALS: &[&str] = &["EOI", "kw_", "Rule::", "WHITESPACE", "COMMENT"];

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The diagnostics for one policy file, as `akar check` renders them without
/// colour (errors and warnings), and how many errors and warnings there are.
fn diagnostics(name: &str, text: &str) -> (String, usize, usize) {
    let mut sources = Sources::default();
    sources.add(name, text);
    let checked = akar::check::check_all(&sources);
    let (errors, warnings) = (checked.errors(), checked.warnings());
    assert_eq!(
        checked.plan.is_some(),
        errors == 0,
        "{name}: a plan exactly when there is no error"
    );
    if checked.problems.is_empty() {
        return ("no problems found\n".to_string(), 0, 0);
    }
    (
        render_all(checked.problems, &sources, Style::plain()),
        errors,
        warnings,
    )
}

#[test]
fn check() {
    insta::glob!("cases/check/*.policy", |path| {
        let name = file_name(path);
        let text = read(path);
        let (rendered, errors, warnings) = diagnostics(&name, &text);
        for word in INTERNALS {
            assert!(
                !rendered.contains(word),
                "{name}: the diagnostics show the internal word `{word}`:\n{rendered}"
            );
        }
        // A file named `clean-*` has no problem at all, one named `warn-*` only
        // warnings; every other case has an error.
        let expected = match name.split('-').next() {
            Some("clean") => errors == 0 && warnings == 0,
            Some("warn") => errors == 0 && warnings > 0,
            _ => errors > 0,
        };
        assert!(
            expected,
            "{name}: {errors} errors and {warnings} warnings:\n{rendered}"
        );
        insta::assert_snapshot!(format!(
            "--- policy ---\n{text}\n--- diagnostics ---\n{rendered}"
        ));
    });
}

/// Names are shared by the files of a policy set, so a name defined in two files is
/// reported in the second, naming the first.
#[test]
fn check_names_across_files() {
    let mut sources = Sources::default();
    let first = "let protected = [fashion, culinary]\n\nrule akar_clusters\n  block import where cluster in protected\n";
    let second =
        "let protected = [craft]\n\nrule akar_clusters\n  flag import where cluster in protected\n";
    sources.add("akar.policy", first);
    sources.add("craft.policy", second);
    let problems = check_sources(&sources).expect_err("duplicates across files");
    let rendered = render_all(problems, &sources, Style::plain());
    insta::assert_snapshot!(format!(
        "--- akar.policy ---\n{first}--- craft.policy ---\n{second}--- diagnostics ---\n{rendered}"
    ));
}

/// The problems of one policy file, rendered one by one.
fn rendered_problems(name: &str, text: &str) -> Vec<String> {
    let mut sources = Sources::default();
    sources.add(name, text);
    check_sources(&sources)
        .expect_err("the policy has errors")
        .into_iter()
        .map(|p| akar::diagnostics::render(&p.report(&sources), Style::plain()))
        .collect()
}

#[test]
fn a_syntax_error_in_a_named_rule_is_reported_once() {
    let text =
        "rule akar_clusters\n  block import where cluster == fashion\n  becuase \"Gerakan AKAR\"\n";
    let problems = rendered_problems("akar.policy", text);
    assert_eq!(problems.len(), 1, "{}", problems.join(""));
}

#[test]
fn an_unclosed_string_is_called_unclosed() {
    let problems = rendered_problems("akar.policy", "flag listing where cluster == \"fashion\n");
    let first = &problems[0];
    assert!(!first.contains("unexpected a string"), "{first}");
    assert!(
        ["unclosed", "not closed", "never closed", "closing `\"`"]
            .iter()
            .any(|w| first.contains(w)),
        "{first}"
    );
}

#[test]
fn the_end_of_the_policy_is_labelled() {
    let problems = rendered_problems("akar.policy", "block import where\n");
    assert!(
        problems[0].contains("the policy ends after this"),
        "{}",
        problems[0]
    );
}

#[test]
fn a_let_cycle_is_one_problem() {
    let text =
        "let a = b and cluster == fashion\nlet b = a or cluster == craft\n\nblock import where a\n";
    let mut sources = Sources::default();
    sources.add("let-cycle.policy", text);
    let problems = check_sources(&sources).expect_err("a cycle");
    let codes: Vec<String> = problems
        .iter()
        .map(|p| {
            p.diagnostic
                .code()
                .map(|c| c.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(codes, ["akar::check::cycle"]);
}

/// The same policy must always get the same diagnostics, in reading order.
#[test]
fn diagnostics_do_not_change_from_run_to_run() {
    let cases = [
        "let a = b and cluster == fashion\nlet b = a or cluster == craft\n\nblock import where a\n",
        "let a = cluster == fashion\nlet b = cluster < 5 USD\nlet c = stock == \"x\"\nlet d = stock < 3\n",
    ];
    for text in cases {
        let first = diagnostics("case.policy", text);
        for _ in 0..30 {
            assert_eq!(diagnostics("case.policy", text), first, "{text}");
        }
    }
}

/// A policy cut short anywhere, or missing any one character, gets worded
/// diagnostics: no panic, no pest internals, no internal error.
#[test]
fn every_damaged_copy_of_a_policy_gets_worded_diagnostics() {
    let text = read(Path::new("tests/cases/check/clean-language-example.policy"));
    let cuts = text.char_indices().map(|(i, _)| text[..i].to_string());
    let deletions = text.char_indices().map(|(i, c)| {
        let mut damaged = text.clone();
        damaged.replace_range(i..i + c.len_utf8(), "");
        damaged
    });
    for damaged in cuts.chain(deletions) {
        let mut sources = Sources::default();
        sources.add("damaged.policy", damaged.as_str());
        let Err(problems) = check_sources(&sources) else {
            continue;
        };
        assert!(!problems.is_empty(), "failed without a problem:\n{damaged}");
        let rendered = render_all(problems, &sources, Style::plain());
        for word in INTERNALS
            .iter()
            .chain(&["akar::internal", "something else"])
        {
            assert!(
                !rendered.contains(word),
                "`{word}` shown for:\n{damaged}\n{rendered}"
            );
        }
    }
}

// ---------------------------------------------------------------- eval

/// The date every case is evaluated at unless its folder has an `at` file.
const DEFAULT_AT: &str = "2024-06-01";

/// The files of an eval case folder, by role.
struct EvalCase {
    dir: PathBuf,
    policies: Vec<String>,
    listings: String,
    at: String,
}

impl EvalCase {
    fn load(dir: &Path) -> EvalCase {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("a case folder")
            .map(|e| file_name(&e.expect("a folder entry").path()))
            .collect();
        names.sort();
        let policies: Vec<String> = names
            .iter()
            .filter(|n| n.ends_with(".policy"))
            .cloned()
            .collect();
        let listings: Vec<&String> = names
            .iter()
            .filter(|n| n.starts_with("listings."))
            .collect();
        assert!(!policies.is_empty(), "{}: no .policy file", dir.display());
        assert_eq!(listings.len(), 1, "{}: one listings file", dir.display());
        let at = match std::fs::read_to_string(dir.join("at")) {
            Ok(text) => text.trim().to_string(),
            Err(_) => DEFAULT_AT.to_string(),
        };
        EvalCase {
            dir: dir.to_path_buf(),
            policies,
            listings: listings[0].clone(),
            at,
        }
    }

    /// Runs `akar eval` in the case folder, with the files named relatively so that
    /// rule labels (`policy.policy:3`) do not depend on the machine.
    fn run(&self) -> (String, String) {
        let mut args = vec!["eval"];
        args.extend(self.policies.iter().map(String::as_str));
        args.extend(["--listings", &self.listings, "--at", &self.at]);
        let output = akar(&self.dir, &args, "");
        let (stdout, stderr) = (stdout(&output), stderr(&output));
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}: akar eval failed:\n{stderr}",
            self.dir.display()
        );
        (stdout, stderr)
    }

    /// The inputs, then the output lines exactly as written.
    fn report(&self, stdout: &str, stderr: &str) -> String {
        let mut out = format!("--- at ---\n{}\n", self.at);
        for name in self.policies.iter().chain([&self.listings]) {
            let text = read(&self.dir.join(name));
            out.push_str(&format!("--- {name} ---\n{text}"));
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
        out.push_str(&format!("--- stdout ---\n{stdout}--- stderr ---\n{stderr}"));
        out
    }
}

/// Counts the records of a catalogue the way `akar eval` reads them.
fn record_count(path: &Path) -> usize {
    akar::input::open(path.to_str().expect("a UTF-8 path"), None)
        .expect("the listings open")
        .count()
}

#[test]
fn eval() {
    insta::glob!("cases/eval/*/listings.*", |path| {
        let case = EvalCase::load(path.parent().expect("a case folder"));
        let (stdout, stderr) = case.run();
        // Every input record yields exactly one output record, in input order.
        let lines: Vec<serde_json::Value> = stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
            .collect();
        assert_eq!(lines.len(), record_count(path), "one output per record");
        let numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
        let mut sorted = numbers.clone();
        sorted.sort_unstable();
        assert_eq!(numbers, sorted, "output in input order");
        insta::assert_snapshot!(case.report(&stdout, &stderr));
    });
}

/// `cases/test/*.policy`: the policy and what `akar test` prints for it.
#[test]
fn test_runs() {
    insta::glob!("cases/test/*.policy", |path| {
        let text = read(path);
        let dir = path.parent().expect("a case folder");
        let run = akar(dir, &["test", &file_name(path)], "");
        insta::assert_snapshot!(format!(
            "--- policy ---\n{text}\n--- akar test (exit {}) ---\n{}{}",
            run.status.code().unwrap_or(-1),
            stdout(&run),
            stderr(&run)
        ));
    });
}

/// The same rate in two files: a warning drawn against both files, in people's
/// form and in JSON (each label under its own file's name).
#[test]
fn a_rate_declared_in_two_files() {
    let mut sources = Sources::default();
    sources.add("a.policy", "rate USD = 15_500 IDR\n");
    sources.add(
        "b.policy",
        "// the same rate, again\nrate IDR = 0.00000001 EUR\nrate USD = 15_500 IDR\n\nrule r\n  block import where price < 1 USD\n  because \"x\"\n",
    );
    let checked = akar::check::check_all(&sources);
    assert!(checked.plan.is_some() && checked.warnings() == 1);
    let human = render_all(checked.problems, &sources, Style::plain());
    let checked = akar::check::check_all(&sources);
    let json = Style {
        format: akar::diagnostics::ErrorFormat::Json,
        ..Style::plain()
    };
    let json = render_all(checked.problems, &sources, json);
    let value: serde_json::Value = serde_json::from_str(json.trim()).expect("JSON");
    assert_eq!(value["filename"], "b.policy");
    assert_eq!(value["related"][0]["filename"], "a.policy");
    assert_eq!(value["related"][0]["labels"][0]["line"], 1);
    insta::assert_snapshot!(human);
}
