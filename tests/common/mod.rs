//! Helpers shared by the integration tests.
// Each test file uses some of these, not all.
#![allow(dead_code, clippy::expect_used)]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs the `akar` binary in `dir` with `stdin`, colour off, and returns what it wrote.
pub fn akar(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_akar"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("akar runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("akar ends")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

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

/// The output record for one NDJSON line by both paths: the fast one `akar eval`
/// takes (projection, compiled program, direct JSON writer) and the plain one (a
/// whole `serde_json::Value`, conditions walked as written).
pub fn both_paths(decider: &akar::eval::Decider, line: usize, bytes: &[u8]) -> (String, String) {
    use akar::eval::{Listing, decide_plain};
    use akar::output::{JsonWriter, Outcome};
    let (plan, at) = (decider.plan(), decider.date());
    let writer = JsonWriter::new(plan);
    let mut fast = Vec::new();
    match akar::input::projection::Projection::new(plan).parse(bytes) {
        Ok(slots) => {
            let listing = Listing::from_slots(&slots);
            let result = decider.decide(&listing).map_err(|e| e.to_string());
            writer.write(
                &mut fast,
                line,
                listing.id(plan),
                result.as_ref().map_err(String::as_str),
            );
        }
        Err(error) => writer.write(&mut fast, line, None::<&serde_json::Value>, Err(&error)),
    }
    let plain = match akar::input::parse_object(bytes) {
        Ok(json) => {
            let result = decide_plain(plan, &json, at);
            Outcome::new(plan, line, json.get("id"), result.as_ref()).to_json_line()
        }
        Err(error) => Outcome::failed(line, None, error).to_json_line(),
    };
    (String::from_utf8(fast).expect("utf-8"), plain)
}
