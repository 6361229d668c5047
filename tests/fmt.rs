#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]
//! `akar fmt`: the canonical layout (grammar/REFERENCE.md, "Layout").
//!
//! - `cases/fmt/*.policy`: one snapshot each, the input and its formatted text;
//! - every `.policy` file of the repository and every ```policy block of the docs
//!   formats to a text that reads back as the same tree and formats to itself;
//! - the command line: `--check`, rewriting in place, stdin, errors and exit codes.

mod common;
use common::{akar, folder, policy_blocks, stderr, stdout};

use std::path::{Path, PathBuf};

use akar::fmt::{FmtError, format};
use akar::syntax::parse;

// ================================================================ helpers

fn fmt(text: &str) -> String {
    format(text).unwrap_or_else(|e| panic!("fmt failed: {e:?}\n--- input ---\n{text}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Formats `text` (named `name` in messages) and checks what `fmt` promises: the
/// output reads back as the same tree, and formatting it again changes nothing.
fn assert_stable(name: &str, text: &str) -> String {
    let once = fmt(text);
    let before = parse(text);
    let after = parse(&once);
    assert!(
        after.errors.is_empty(),
        "{name}: the output does not parse:\n{once}"
    );
    assert_eq!(before.file, after.file, "{name}: the tree changed:\n{once}");
    assert_eq!(fmt(&once), once, "{name}: not idempotent");
    assert!(
        once.is_empty() || once.ends_with('\n') && !once.ends_with("\n\n"),
        "{name}"
    );
    assert!(!once.contains("\n\n\n"), "{name}: two blank lines:\n{once}");
    once
}

/// Every `.policy` file under `dir`, recursively.
fn policy_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            policy_files(&path, found);
        } else if path.extension().is_some_and(|x| x == "policy") {
            found.push(path);
        }
    }
}

// ================================================================ snapshots

#[test]
fn cases() {
    insta::glob!("cases/fmt/*.policy", |path| {
        let text = read(path);
        let name = path.display().to_string();
        let formatted = assert_stable(&name, &text);
        let input = if text.ends_with('\n') {
            text
        } else {
            format!("{text}\n(no newline at the end)\n")
        };
        insta::assert_snapshot!(format!(
            "--- input ---\n{input}--- formatted ---\n{formatted}--- end ---"
        ));
    });
}

// ================================================================ every policy there is

#[test]
fn every_policy_file_keeps_its_meaning_and_is_stable() {
    let mut files = Vec::new();
    for dir in ["policies", "tests/cases", "benches"] {
        policy_files(Path::new(dir), &mut files);
    }
    let mut formatted = 0;
    for path in &files {
        let text = read(path);
        let name = path.display().to_string();
        if parse(&text).errors.is_empty() {
            assert_stable(&name, &text);
            formatted += 1;
        } else {
            let refused = format(&text);
            assert!(
                matches!(refused, Err(FmtError::Syntax { .. })),
                "{name}: {refused:?}"
            );
        }
    }
    assert!(
        formatted >= 60,
        "only {formatted} of {} files formatted",
        files.len()
    );
}

#[test]
fn every_policy_block_of_the_docs_keeps_its_meaning_and_is_stable() {
    let mut blocks = 0;
    for doc in ["README.md", "grammar/REFERENCE.md"] {
        for (line, text) in policy_blocks(&read(Path::new(doc))) {
            assert_stable(&format!("{doc}:{line}"), &text);
            blocks += 1;
        }
    }
    assert!(blocks >= 12, "only {blocks} blocks");
}

#[test]
fn the_layout_example_of_the_reference_is_already_formatted() {
    let reference = read(Path::new("grammar/REFERENCE.md"));
    let section = reference
        .split("\n## Layout")
        .nth(1)
        .expect("a Layout section");
    let (_, example) = policy_blocks(section)
        .into_iter()
        .next()
        .expect("an example");
    assert_eq!(fmt(&example), example);
}

#[test]
fn the_bundled_policies_are_formatted() {
    let mut files = Vec::new();
    policy_files(Path::new("policies"), &mut files);
    for path in files {
        let text = read(&path);
        let formatted = fmt(&text);
        let first = text
            .lines()
            .zip(formatted.lines())
            .position(|(a, b)| a != b);
        assert!(
            formatted == text,
            "{}: not formatted (first difference at line {:?}); run `akar fmt policies/`",
            path.display(),
            first.map(|n| n + 1)
        );
    }
}

// ================================================================ the layout, by example

#[test]
fn parentheses_are_written_where_the_tree_needs_them() {
    let cases = [
        ("a or b and c", "a or b and c"),
        ("(a or b) and c", "(a or b) and c"),
        ("((a)) and (b)", "a and b"),
        ("(a or b) or c", "(a or b) or c"),
        ("a or (b or c)", "a or (b or c)"),
        ("(a and b) and c", "(a and b) and c"),
        ("a or (b and c)", "a or (b and c)"),
        ("(a) and (b) or c", "a and b or c"),
        ("not (a or b)", "not (a or b)"),
        ("not a and b", "not a and b"),
        ("not (x == 1)", "not (x == 1)"),
        ("not x in [a]", "not (x in [a])"),
        ("not not a", "not not a"),
        ("(a and b)", "a and b"),
    ];
    for (written, laid_out) in cases {
        let text = format!("let c = {written}\n");
        assert_eq!(fmt(&text), format!("let c = {laid_out}\n"), "{written}");
    }
}

#[test]
fn strings_are_re_escaped_and_numbers_kept_as_written() {
    let text = "let s = \"a \\\"q\\\" \\\\ \\x\\n\\t\"\nlet n = 1_500_000.5_0\nlet m = -3   IDR\n";
    assert_eq!(
        fmt(text),
        "let s = \"a \\\"q\\\" \\\\ x\\n\\t\"\nlet n = 1_500_000.5_0\nlet m = -3 IDR\n"
    );
}

#[test]
fn the_file_ends_with_exactly_one_newline() {
    assert_eq!(fmt("let a = 1"), "let a = 1\n");
    assert_eq!(fmt("\n\n\nlet a = 1\n\n\n"), "let a = 1\n");
    assert_eq!(fmt("let a = 1 // end"), "let a = 1  // end\n");
    assert_eq!(fmt("let a = 1\n\n// end\n\n\n"), "let a = 1\n\n// end\n");
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("  \n\n"), "");
}

#[test]
fn windows_line_endings_become_unix_ones() {
    let text = "// a\r\nlet a = 1 // b\r\n\r\nrule r\r\n  block import\r\n";
    assert_eq!(
        fmt(text),
        "// a\nlet a = 1  // b\n\nrule r\n  block import\n"
    );
}

#[test]
fn a_byte_order_mark_is_dropped() {
    assert_eq!(fmt("\u{feff}let a = 1\n"), "let a = 1\n");
}

#[test]
fn a_file_with_syntax_errors_is_refused_with_them() {
    let Err(FmtError::Syntax { errors }) = format("block imports where\n") else {
        panic!("a broken file was formatted");
    };
    assert!(!errors.is_empty());
}

// ================================================================ the command line

const MESSY: &str =
    "let   protected=[fashion,culinary,craft]\nblock import where cluster in protected // closed\n";
const TIDY: &str = "let protected = [fashion, culinary, craft]\n\nblock import where cluster in protected  // closed\n";

fn contents(dir: &tempfile::TempDir, name: &str) -> String {
    std::fs::read_to_string(dir.path().join(name)).unwrap()
}

#[test]
fn check_exits_0_on_formatted_files_and_1_listing_the_others() {
    let dir = folder(&[("a.policy", TIDY), ("b.policy", MESSY)]);
    let out = akar(dir.path(), &["fmt", "--check", "a.policy"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "ok: 1 file already formatted\n");

    let out = akar(dir.path(), &["fmt", "--check", "a.policy", "b.policy"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "b.policy\n");
    let err = stderr(&out);
    assert!(
        err.contains("b.policy:1: not in the canonical layout"),
        "{err}"
    );
    assert!(
        err.contains("  - let   protected=[fashion,culinary,craft]"),
        "{err}"
    );
    assert!(
        err.contains("  + let protected = [fashion, culinary, craft]"),
        "{err}"
    );
    assert!(
        err.contains("2 files: 1 would be reformatted, 1 already formatted"),
        "{err}"
    );
    assert_eq!(contents(&dir, "b.policy"), MESSY, "--check wrote the file");
}

#[test]
fn fmt_rewrites_in_place_and_names_the_files_it_changed() {
    let dir = folder(&[("a.policy", TIDY), ("b.policy", MESSY)]);
    let out = akar(dir.path(), &["fmt", "a.policy", "b.policy"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "b.policy\n");
    assert_eq!(contents(&dir, "b.policy"), TIDY);
    assert_eq!(contents(&dir, "a.policy"), TIDY);
    let again = akar(dir.path(), &["fmt", "b.policy"], "");
    assert_eq!(stdout(&again), "");
}

#[test]
fn a_directory_means_its_policy_files() {
    let dir = folder(&[
        ("a.policy", MESSY),
        ("b.policy", MESSY),
        ("notes.txt", MESSY),
    ]);
    let out = akar(dir.path(), &["fmt", "."], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(contents(&dir, "a.policy"), TIDY);
    assert_eq!(contents(&dir, "b.policy"), TIDY);
    assert_eq!(contents(&dir, "notes.txt"), MESSY);
}

#[test]
fn a_dash_formats_stdin_to_stdout() {
    let dir = folder(&[]);
    let out = akar(dir.path(), &["fmt", "-"], MESSY);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), TIDY);
    assert_eq!(stderr(&out), "");
    let out = akar(dir.path(), &["fmt", "--check", "-"], MESSY);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "<stdin>\n");
    let out = akar(dir.path(), &["fmt", "--check", "-"], TIDY);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_file_with_syntax_errors_is_left_alone_and_exits_1() {
    let broken = "let protected = [fashion]\nblock import where cluster inn protected\n";
    let dir = folder(&[("broken.policy", broken), ("messy.policy", MESSY)]);
    let out = akar(dir.path(), &["fmt", "broken.policy", "messy.policy"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(contents(&dir, "broken.policy"), broken);
    assert_eq!(
        contents(&dir, "messy.policy"),
        TIDY,
        "the other file is still formatted"
    );
    let err = stderr(&out);
    assert!(err.contains("akar::syntax::unexpected"), "{err}");
    assert!(err.contains("broken.policy:2:"), "{err}");
    assert!(err.contains("1 error found"), "{err}");
    assert!(
        err.contains("2 files: 1 reformatted, 1 with errors"),
        "{err}"
    );

    let out = akar(dir.path(), &["fmt", "-"], broken);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "", "nothing on stdout for a broken policy");
}

#[test]
fn an_unreadable_file_exits_2() {
    let dir = folder(&[("a.policy", MESSY)]);
    let out = akar(dir.path(), &["fmt", "missing.policy", "a.policy"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("akar::io::read"), "{}", stderr(&out));
    assert_eq!(contents(&dir, "a.policy"), TIDY);
}

#[test]
fn json_diagnostics_come_without_the_summary() {
    let dir = folder(&[("a.policy", "block import where\n")]);
    let out = akar(
        dir.path(),
        &["fmt", "--error-format", "json", "a.policy"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    for line in stderr(&out).lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(value["code"], "akar::syntax::unexpected");
    }
}

/// A messy file with a comment on its own line and one at the end of a line.
const MESSY_COMMENTED: &str = "// closed clusters\nlet   protected=[fashion,culinary,craft]\nrule akar_clusters block import where cluster in protected   because \"Gerakan AKAR\"  // 2021\n";

#[test]
fn fmt_lays_out_canonically_keeps_comments_and_is_idempotent() {
    let dir = folder(&[("akar.policy", MESSY_COMMENTED)]);
    let out = akar(dir.path(), &["fmt", "akar.policy"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let once = contents(&dir, "akar.policy");
    assert_ne!(once, MESSY_COMMENTED, "fmt changed nothing");
    assert!(once.contains("// closed clusters"), "{once}");
    assert!(once.contains("// 2021"), "{once}");
    let check = akar(dir.path(), &["fmt", "--check", "akar.policy"], "");
    assert_eq!(
        check.status.code(),
        Some(0),
        "not idempotent: {}",
        stderr(&check)
    );
    akar(dir.path(), &["fmt", "akar.policy"], "");
    let twice = contents(&dir, "akar.policy");
    assert_eq!(once, twice);
    assert_eq!(
        akar(dir.path(), &["check", "akar.policy"], "")
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn fmt_check_fails_on_a_file_that_is_not_laid_out() {
    let dir = folder(&[("akar.policy", MESSY_COMMENTED)]);
    let out = akar(dir.path(), &["fmt", "--check", "akar.policy"], "");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let after = contents(&dir, "akar.policy");
    assert_eq!(after, MESSY_COMMENTED, "--check must not change the file");
}
