//! `akar diff`: what a change to the rules does to a catalogue, as the README's
//! "Reviewing a change" tells it, over the bundled catalogue and a pull
//! request that raises the USD 100 floor to USD 150, adds `electronics` to
//! the AKAR clusters and deletes the Shopee rule.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;
use serde_json::Value;

const CATALOGUE: &str = "data/prdect-id/listings.ndjson";
const ON: &str = "2026-11-01";

/// A folder with `old` (a copy of `policies/`) and `new` (the pull request).
fn review_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_policies(dir.path(), "old");
    pull_request_change(dir.path(), "new");
    dir
}

fn catalogue() -> String {
    root().join(CATALOGUE).display().to_string()
}

fn diff(dir: &Path, extra: &[&str]) -> std::process::Output {
    let catalogue = catalogue();
    let mut args = vec!["diff", "old", "new", "--listings", &catalogue, "--at", ON];
    args.extend_from_slice(extra);
    akar(dir, &args, "")
}

#[test]
fn the_table_answers_which_listings_change_from_what_to_what_and_why() {
    let dir = review_folder();
    let output = diff(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn the_markdown_renders_as_a_pull_request_comment() {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};
    let dir = review_folder();
    let output = diff(dir.path(), &["--format", "markdown"]);
    let text = stdout(&output);
    insta::assert_snapshot!(text);
    assert!(text.chars().count() < 60_000);
    let (mut tables, mut mermaid, mut details, mut heading) = (0, 0, 0, None);
    for event in Parser::new_ext(&text, pulldown_cmark::Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if &*lang == "mermaid" => {
                mermaid += 1
            }
            Event::Html(html) | Event::InlineHtml(html) if html.contains("<details>") => {
                details += 1
            }
            Event::Start(Tag::Heading { .. }) if heading.is_none() => heading = Some(()),
            _ => {}
        }
    }
    // The matrix, the rules and one table of samples per transition.
    assert!(tables >= 3, "{tables} tables in:\n{text}");
    assert_eq!((mermaid, details), (1, 1));
    assert!(heading.is_some());
    let mut html = String::new();
    pulldown_cmark::html::push_html(
        &mut html,
        Parser::new_ext(&text, pulldown_cmark::Options::ENABLE_TABLES),
    );
    assert!(html.contains("<table>") && html.contains("<summary>Sample listings"));
    assert!(html.contains("<code>akar_closed_cluster</code>"));
}

#[test]
fn the_json_report_counts_every_listing_once() {
    let dir = review_folder();
    let output = diff(dir.path(), &["--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["compared"], 1323);
    assert_eq!(report["changed"], 3);
    let cells: u64 = report["matrix"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|row| row.as_object().unwrap().values())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(cells, 1323);
    let removed: Vec<&Value> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "removed")
        .collect();
    // The Shopee file's two rules: the 23 Mar 2021 notice (ended) and the closure.
    let names: Vec<&Value> = removed.iter().map(|r| &r["rule"]).collect();
    assert_eq!(
        names,
        [
            "shopee_batik_kebaya_cheap_muslim_wear",
            "shopee_muslim_fashion_closed"
        ]
    );
}

/// Each record of `akar eval` by line.
fn eval_by_line(dir: &Path, policies: &str) -> HashMap<u64, Value> {
    let catalogue = catalogue();
    let output = akar(
        dir,
        &["eval", policies, "--listings", &catalogue, "--at", ON],
        "",
    );
    json_lines(&stdout(&output))
        .into_iter()
        .map(|r| (r["line"].as_u64().unwrap(), r))
        .collect()
}

#[test]
fn ndjson_changes_are_what_two_evals_give() {
    let dir = review_folder();
    let output = diff(dir.path(), &["--format", "ndjson"]);
    let changes = json_lines(&stdout(&output));
    let (old, new) = (
        eval_by_line(dir.path(), "old"),
        eval_by_line(dir.path(), "new"),
    );
    let differ: Vec<u64> = (1..=1323)
        .filter(|line| {
            let (mut a, mut b) = (old[line].clone(), new[line].clone());
            a.as_object_mut().unwrap().remove("line");
            b.as_object_mut().unwrap().remove("line");
            a != b
        })
        .collect();
    let lines: Vec<u64> = changes
        .iter()
        .map(|c| c["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, differ);
    for change in &changes {
        let line = change["line"].as_u64().unwrap();
        for (side, eval) in [("before", &old), ("after", &new)] {
            let mut expected = eval[&line].clone();
            let expected = expected.as_object_mut().unwrap();
            expected.remove("line");
            expected.remove("id");
            assert_eq!(
                &change[side],
                &Value::Object(expected.clone()),
                "line {line}"
            );
        }
        let kind = if old[&line]["decision"] == new[&line]["decision"] {
            "rules"
        } else {
            "decision"
        };
        assert_eq!(change["change"], kind);
    }
    assert!(stderr(&output).starts_with("akar: 3 of 1,323 listings change decision"));
}

#[test]
fn fail_on_change_fails_only_when_a_decision_changes() {
    let dir = review_folder();
    let changed = diff(dir.path(), &["--fail-on-change"]);
    assert_eq!(changed.status.code(), Some(1));
    assert!(stderr(&changed).contains("3 listings change decision"));
    let catalogue = catalogue();
    let same = akar(
        dir.path(),
        &[
            "diff",
            "old",
            "old",
            "--listings",
            &catalogue,
            "--fail-on-change",
        ],
        "",
    );
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    assert!(stdout(&same).starts_with("akar diff: 0 of 1,323 listings change decision\n"));
    assert!(stdout(&same).contains("every rule does what it did before"));
}

#[test]
fn two_dates_show_what_a_deadline_changes() {
    // The halal deadline for micro and small businesses' food: 17 Oct 2026.
    let catalogue = catalogue();
    let output = akar(
        &root(),
        &[
            "diff",
            "policies",
            "--listings",
            &catalogue,
            "--at",
            "2026-10-16",
            "--to",
            "2026-10-17",
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn usage_mistakes_and_bad_policies_say_so() {
    let dir = review_folder();
    std::fs::write(dir.path().join("broken.policy"), BROKEN).unwrap();
    let catalogue = catalogue();
    let runs = [
        vec!["diff", "old", "--listings", &catalogue],
        vec!["diff", "old", "broken.policy", "--listings", &catalogue],
        vec!["diff", "old", "new", "--listings", "missing.ndjson"],
        vec!["diff", "--to", "2026-01-01", "--listings", &catalogue],
    ];
    let shown: Vec<String> = runs
        .iter()
        .map(|args| {
            let output = akar(dir.path(), args, "");
            let args = args.join(" ").replace(&catalogue, "CATALOGUE");
            format!("$ akar {args}\n{}", transcript(&output))
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"));
}

#[test]
fn base_reads_the_before_side_from_a_git_revision() {
    let dir = tempfile::tempdir().unwrap();
    copy_policies(dir.path(), "policies");
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "policies"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    std::fs::remove_dir_all(dir.path().join("policies")).unwrap();
    pull_request_change(dir.path(), "policies");
    let catalogue = catalogue();
    let run = |args: &[&str]| akar(dir.path(), args, "");
    let base = run(&[
        "diff",
        "--base",
        "HEAD",
        "--listings",
        &catalogue,
        "--at",
        ON,
    ]);
    assert_eq!(base.status.code(), Some(0), "{}", stderr(&base));
    let direct = diff(&review_folder().keep(), &[]);
    // The same report but for the names of the sides.
    let names = |text: String| {
        text.lines()
            .filter(|l| !l.starts_with("  before") && !l.starts_with("  after"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(names(stdout(&base)), names(stdout(&direct)));
    assert!(stdout(&base).contains("  before  policies at HEAD, on 2026-11-01"));
    assert!(stdout(&base).contains("  after   policies (working tree), on 2026-11-01"));
    let unknown = run(&["diff", "--base", "nowhere", "--listings", &catalogue]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("`nowhere` is not a commit of this git repository"));
}

#[test]
fn a_long_report_is_cut_to_fit_a_comment_and_says_so() {
    let dir = folder(&[
        (
            "old/all.policy",
            "rule everything\n  flag listing where id is present\n  because \"everything\"\n",
        ),
        (
            "new/none.policy",
            "rule nothing\n  flag listing where id == \"none\"\n  because \"nothing\"\n",
        ),
    ]);
    let catalogue = catalogue();
    let output = akar(
        dir.path(),
        &[
            "diff",
            "old",
            "new",
            "--listings",
            &catalogue,
            "--format",
            "markdown",
            "--samples",
            "2000",
        ],
        "",
    );
    let text = stdout(&output);
    assert!(
        text.chars().count() <= 60_000,
        "{} characters",
        text.chars().count()
    );
    assert!(
        text.contains("more sample listings were cut to keep this comment under 60,000 characters")
    );
    assert!(
        text.contains(
            "### akar diff: 1,323 of 1,323 listings change decision (flag → allow 1,323)"
        )
    );
}
