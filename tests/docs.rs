//! Every ```policy block in the README and the language reference is checked, and
//! the `test` blocks inside them must pass: the documentation cannot drift from the
//! code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use akar::Sources;
use akar::check::check_sources;
use akar::cli::test::run_case;
use akar::diagnostics::{Style, render_all};

fn policy_blocks(markdown: &str) -> Vec<(usize, String)> {
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

fn check_document(path: &str) -> usize {
    let markdown = std::fs::read_to_string(path).unwrap();
    let blocks = policy_blocks(&markdown);
    let mut tests = 0;
    for (line, text) in blocks.iter().cloned() {
        let mut sources = Sources::default();
        sources.add(format!("{path}:{line}"), text);
        let plan = match check_sources(&sources) {
            Ok(plan) => plan,
            Err(problems) => panic!("{}", render_all(problems, &sources, Style::plain())),
        };
        for case in &plan.tests {
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
