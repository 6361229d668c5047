//! Every ```policy block in the README and the language reference is checked, and
//! the `test` blocks inside them must pass: the documentation cannot drift from the
//! code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;
use common::{akar, checked, folder, policy_blocks, root, stderr, stdout};

use akar::Sources;
use akar::testing::run_case;

fn check_document(path: &str) -> usize {
    let markdown = std::fs::read_to_string(path).unwrap();
    let blocks = policy_blocks(&markdown);
    let mut tests = 0;
    for (line, text) in blocks.iter().cloned() {
        let mut sources = Sources::default();
        sources.add(format!("{path}:{line}"), text);
        let plan = checked(&sources);
        for case in plan.tests() {
            if let Err(why) = run_case(&plan, case) {
                panic!("{path}:{line}: test {:?} failed: {why}", case.name);
            }
            tests += 1;
        }
    }
    assert!(!blocks.is_empty(), "{path} has no ```policy blocks");
    tests
}

#[test]
fn reference_examples_check_and_their_tests_pass() {
    let tests = check_document("grammar/REFERENCE.md");
    assert!(tests >= 10, "only {tests} tests ran");
}

#[test]
fn readme_examples_check_and_their_tests_pass() {
    check_document("README.md");
}

/// The README's main command (`akar eval policies/` on the bundled catalogue on
/// 2026-11-01), with `extra` arguments.
fn readme_main_command(extra: &[&str]) -> std::process::Output {
    let main = [
        "eval",
        "policies/",
        "--listings",
        "data/prdect-id/listings.ndjson",
        "--at",
        "2026-11-01",
    ];
    let args: Vec<&str> = main.iter().chain(extra).copied().collect();
    akar(&root(), &args, "")
}

/// The README's main command, run as written: the summary it quotes and the
/// records it shows are what `akar eval` gives.
#[test]
fn readme_decisions_are_what_akar_eval_gives() {
    let output = readme_main_command(&[]);
    assert!(output.status.success());
    let (stdout, stderr) = (stdout(&output), stderr(&output));
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains(stderr.trim_end()),
        "the README does not quote the summary {stderr:?}"
    );
    let shown = readme
        .split("```ndjson\n")
        .nth(1)
        .and_then(|r| r.split("```").next())
        .unwrap();
    for line in shown.lines() {
        assert!(
            stdout.lines().any(|l| l == line),
            "not in akar's output: {line}"
        );
    }
}

/// The start of the table the README shows is what `akar eval --format table` prints.
#[test]
fn readme_table_is_what_akar_eval_prints() {
    let output = readme_main_command(&["--format", "table"]);
    let stdout = stdout(&output);
    let readme = std::fs::read_to_string("README.md").unwrap();
    let shown = readme
        .split("the table begins:\n\n```\n")
        .nth(1)
        .and_then(|r| r.split("```").next())
        .unwrap();
    assert!(
        stdout.starts_with(shown),
        "the README's table differs from:\n{}",
        &stdout[..shown.len().min(stdout.len())]
    );
}

/// The README's `akar check` example is what `akar check` prints for the file it
/// shows (the two lines in the report).
#[test]
fn readme_check_example_is_what_akar_check_prints() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let shown = readme
        .split("$ akar check broken.policy\n")
        .nth(1)
        .and_then(|r| r.split("```").next())
        .unwrap();
    let dir = folder(&[(
        "broken.policy",
        "rule akar_clusters\n  blok import where cluster in protected\n",
    )]);
    let output = akar(dir.path(), &["check", "broken.policy"], "");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), shown);
}

/// The README's Rust example runs as the crate's doctest (`src/lib.rs`): it must be
/// the same code, line for line.
#[test]
fn readme_library_example_is_the_crate_doctest() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme
        .find("```rust\n")
        .expect("the README has a Rust example")
        + 8;
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    let lib = std::fs::read_to_string("src/lib.rs").unwrap();
    let doc: String = lib
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .map(|line| format!("{}\n", line.strip_prefix(' ').unwrap_or(line)))
        .collect();
    assert!(
        doc.contains(example),
        "README.md's Rust example differs from the doctest in src/lib.rs:\n{example}"
    );
}

/// Every ```console block of the README's "Reviewing a change" is what akar
/// prints: its `$ akar ...` line is run in a folder holding `old/`
/// (`policies/`), `new/` (the pull request of that section), `policies/` and the
/// catalogue; a block whose output starts with `…` shows the end of it.
#[test]
fn readme_review_examples_are_what_akar_prints() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let dir = tempfile::tempdir().unwrap();
    common::copy_policies(dir.path(), "old");
    common::copy_policies(dir.path(), "policies");
    common::pull_request_change(dir.path(), "new");
    let data = dir.path().join("data/prdect-id");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(
        root().join("data/prdect-id/listings.ndjson"),
        data.join("listings.ndjson"),
    )
    .unwrap();
    let blocks: Vec<&str> = readme
        .split("```console\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    assert!(
        blocks.len() >= 3,
        "the README has {} console blocks",
        blocks.len()
    );
    for block in blocks {
        let (command, shown) = block.split_once('\n').unwrap();
        let args: Vec<&str> = command
            .strip_prefix("$ akar ")
            .unwrap_or_else(|| panic!("`{command}` is not an akar command"))
            .split_whitespace()
            .collect();
        let output = akar(dir.path(), &args, "");
        let printed = stdout(&output);
        match shown.strip_prefix("…\n") {
            Some(end) => assert!(printed.ends_with(end), "`{command}` printed:\n{printed}"),
            None => assert_eq!(printed, shown, "`{command}`"),
        }
    }
}
