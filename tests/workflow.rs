//! The pull-request recipe of the README, `examples/github/policy-review.yml`,
//! run as GitHub would run it: every `run:` step in order, with bash's `-eo
//! pipefail`, in a git repository whose second commit is the pull request of the
//! review issue (raise the USD 100 floor, add `electronics` to the AKAR
//! clusters, delete the Shopee policy). `gh` is replaced by a stand-in that
//! keeps the comments it is given, so posting and updating run without GitHub.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use yaml_rust2::YamlLoader;

const WORKFLOW: &str = "examples/github/policy-review.yml";

/// What GitHub fills in for the expressions the recipe uses.
const EXPRESSIONS: &[(&str, &str)] = &[
    ("${{ github.base_ref }}", "main"),
    ("${{ github.event.pull_request.number }}", "7"),
    ("${{ github.repository }}", "marketplace/policies"),
    ("${{ secrets.GITHUB_TOKEN }}", "a-token"),
];

/// A `gh api` that keeps one pull request's comments as files in `$FAKE_GH`:
/// GET lists the ids of those whose body starts with the recipe's marker (what
/// its `--jq` filter asks), POST adds one, PATCH replaces one; every call is
/// logged.
const FAKE_GH: &str = r#"#!/usr/bin/env bash
set -eu
echo "$*" >> "$FAKE_GH/calls"
method=GET
body=
path=
while [ $# -gt 0 ]; do
  case "$1" in
    api) ;;
    --method) method=$2; shift ;;
    -F) body=${2#body=@}; shift ;;
    --jq|--paginate) [ "$1" = --jq ] && shift ;;
    *) path=$1 ;;
  esac
  shift
done
case "$method" in
  GET) for f in "$FAKE_GH"/comment-*; do
         [ -e "$f" ] || continue
         head -n 1 "$f" | grep -q '^<!-- akar-review -->' && echo "${f##*comment-}"
       done ;;
  POST) n=$(ls "$FAKE_GH" | grep -c '^comment-' || true); cp "$body" "$FAKE_GH/comment-$((n + 1))" ;;
  PATCH) cp "$body" "$FAKE_GH/comment-${path##*/}" ;;
esac
"#;

struct Step {
    name: String,
    run: String,
    /// Runs after an earlier step failed (`if: ${{ !cancelled() }}`), as
    /// GitHub runs it.
    after_failure: bool,
}

fn substitute(text: &str) -> String {
    EXPRESSIONS
        .iter()
        .fold(text.to_string(), |text, (from, to)| text.replace(from, to))
}

/// The job's environment and its `run:` steps, expressions filled in.
fn recipe() -> (BTreeMap<String, String>, Vec<Step>) {
    let text = std::fs::read_to_string(root().join(WORKFLOW)).unwrap();
    let docs = YamlLoader::load_from_str(&text).unwrap();
    let job = &docs[0]["jobs"]["review"];
    let env = job["env"]
        .as_hash()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().unwrap().to_string(),
                substitute(v.as_str().unwrap()),
            )
        })
        .collect();
    let steps = job["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|step| {
            let run = step["run"].as_str()?;
            let condition = step["if"].as_str().unwrap_or_default();
            Some(Step {
                name: step["name"].as_str().unwrap_or("run").to_string(),
                run: substitute(run),
                after_failure: ["${{ !cancelled() }}", "${{ always() }}"].contains(&condition),
            })
        })
        .collect();
    for (expression, _) in EXPRESSIONS {
        assert!(
            text.contains(expression),
            "the recipe no longer uses `{expression}`"
        );
    }
    let filled = substitute(&text);
    assert!(
        !filled.contains("${{ github") && !filled.contains("${{ secrets"),
        "the recipe uses an expression this test does not fill in"
    );
    (env, steps)
}

/// A repository whose `main` (also `origin/main`) holds `policies/` and the
/// bundled catalogue, and whose checked-out commit is the pull request.
fn pull_request_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    copy_policies(repo, "policies");
    std::fs::create_dir_all(repo.join("data")).unwrap();
    std::fs::copy(
        root().join("data/prdect-id/listings.ndjson"),
        repo.join("data/listings.ndjson"),
    )
    .unwrap();
    git(repo, &["init", "-q", "-b", "main"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "policies and the catalogue"]);
    git(repo, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(repo, &["checkout", "-q", "-b", "raise-the-floor"]);
    std::fs::remove_dir_all(repo.join("policies")).unwrap();
    pull_request_change(repo, "policies");
    git(repo, &["add", "-A"]);
    git(
        repo,
        &[
            "commit",
            "-q",
            "-m",
            "raise the floor to USD 150, close electronics",
        ],
    );
    dir
}

/// A folder holding `akar` (the binary under test) and the stand-in `gh`.
fn tools(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_akar"), bin.join("akar")).unwrap();
    std::fs::write(bin.join("gh"), FAKE_GH).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for tool in ["akar", "gh"] {
            std::fs::set_permissions(bin.join(tool), std::fs::Permissions::from_mode(0o755))
                .unwrap();
        }
    }
    bin
}

fn run_step(
    step: &Step,
    repo: &Path,
    env: &BTreeMap<String, String>,
    bin: &Path,
    gh: &Path,
) -> std::process::Output {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &step.run])
        .current_dir(repo)
        .envs(env)
        .env("PATH", path)
        .env("FAKE_GH", gh)
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs (CI has it)")
}

/// The pull request breaks four of the policies' tests (three test the floor it
/// raises, one that electronics are outside the AKAR clusters it widens), so the
/// test step fails the job with an annotation on each failing test; the review
/// comment is posted all the same, saying so.
#[test]
fn workflow_recipe_runs_on_a_pull_request() {
    let (env, steps) = recipe();
    let repo = pull_request_repository();
    let scratch = tempfile::tempdir().unwrap();
    let bin = tools(scratch.path());
    let gh = scratch.path().join("gh");
    std::fs::create_dir_all(&gh).unwrap();
    let mut failed = false;
    let mut outcomes = Vec::new();
    for step in &steps {
        if failed && !step.after_failure {
            outcomes.push(format!("{}: skipped", step.name));
            continue;
        }
        let output = run_step(step, repo.path(), &env, &bin, &gh);
        let ok = output.status.success();
        outcomes.push(format!(
            "{}: {}",
            step.name,
            if ok { "ok" } else { "failed" }
        ));
        if step.name == "Tests and coverage" {
            assert!(!ok);
            let annotations: Vec<&str> = output
                .stderr
                .split(|b| *b == b'\n')
                .filter(|l| l.starts_with(b"::error file=policies/"))
                .map(|l| std::str::from_utf8(l).unwrap())
                .collect();
            assert_eq!(annotations.len(), 4, "{}", transcript(&output));
        } else {
            assert!(ok, "step `{}` failed:\n{}", step.name, transcript(&output));
        }
        failed |= !ok;
    }
    assert_eq!(
        outcomes,
        [
            "Install akar: ok",
            "Layout: ok",
            "Check: ok",
            "Tests and coverage: failed",
            "What the change decides: ok",
            "Post or update the review comment: ok",
        ]
    );

    let comment = std::fs::read_to_string(gh.join("comment-1")).unwrap();
    assert!(
        comment.starts_with("<!-- akar-review -->\n**Tests:** 276 passed, 4 failed\n"),
        "{comment}"
    );
    let today = chrono::Utc::now().date_naive().to_string();
    insta::assert_snapshot!(comment.replace(&today, "TODAY"));
    // The markdown the reviewer reads renders: a table and a collapsed section.
    let html = {
        let mut html = String::new();
        let parser = pulldown_cmark::Parser::new_ext(&comment, pulldown_cmark::Options::all());
        pulldown_cmark::html::push_html(&mut html, parser);
        html
    };
    assert!(
        html.contains("<table>") && html.contains("<details>"),
        "{html}"
    );

    // A second push updates the same comment instead of adding one.
    let again = run_step(steps.last().unwrap(), repo.path(), &env, &bin, &gh);
    assert!(again.status.success(), "{}", transcript(&again));
    let calls = std::fs::read_to_string(gh.join("calls")).unwrap();
    let methods: Vec<&str> = calls
        .lines()
        .map(|call| {
            ["POST", "PATCH"]
                .into_iter()
                .find(|m| call.starts_with(&format!("api --method {m} ")))
                .unwrap_or("GET")
        })
        .collect();
    assert_eq!(methods, ["GET", "POST", "GET", "PATCH"], "{calls}");
    assert!(calls.contains("repos/marketplace/policies/issues/7/comments"));
    assert!(calls.contains("repos/marketplace/policies/issues/comments/1"));
    let comments = std::fs::read_dir(&gh)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("comment-")
        })
        .count();
    assert_eq!(comments, 1);
}
