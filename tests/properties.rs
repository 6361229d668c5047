#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]
//! Seeded property tests: the properties of `tests/props` (the ones the fuzz
//! targets check) over inputs generated from every policy and catalogue in the
//! repository, mutated with words, operators and multi-byte and control
//! characters. Deterministic: a failure names its seed and input.

mod common;
#[allow(dead_code)]
mod generated;

use std::path::Path;

use akar::synth::Rng;
use common::props::{self, PIECES};

/// Every policy text in the repository: the shipped policies, the examples and
/// the test cases, and the ```policy blocks of the docs.
fn corpus() -> Vec<String> {
    let root = common::root();
    let mut texts = Vec::new();
    for dir in [
        "policies",
        "examples",
        "benches",
        "tests/cases/check",
        "tests/cases/fmt",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        {
            texts.push(std::fs::read_to_string(path).unwrap());
        }
    }
    for doc in ["README.md", "grammar/REFERENCE.md"] {
        let markdown = std::fs::read_to_string(root.join(doc)).unwrap();
        texts.extend(common::policy_blocks(&markdown).into_iter().map(|(_, t)| t));
    }
    texts
}

/// `text` with a few random edits: pieces inserted, ranges deleted or repeated,
/// always at character boundaries.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut out = text.to_string();
    let edits = 1 + rng.next_u64() % 4;
    for _ in 0..edits {
        let boundaries: Vec<usize> = out
            .char_indices()
            .map(|(i, _)| i)
            .chain([out.len()])
            .collect();
        let at = *rng.pick(&boundaries);
        match rng.next_u64() % 4 {
            0 | 1 => {
                let piece = *rng.pick(PIECES);
                out.insert_str(at, piece);
            }
            2 => {
                let end = *rng.pick(&boundaries);
                let (a, b) = (at.min(end), at.max(end));
                if b - a < 200 {
                    out.replace_range(a..b, "");
                }
            }
            _ => {
                let end = *rng.pick(&boundaries);
                let (a, b) = (at.min(end), at.max(end));
                if b - a < 200 {
                    let copy = out[a..b].to_string();
                    out.insert_str(b, &copy);
                }
            }
        }
    }
    out
}

#[test]
fn policies_parse_check_and_format_whatever_they_hold() {
    let corpus = corpus();
    assert!(corpus.len() > 40, "{}", corpus.len());
    let mut rng = Rng::new(13);
    for (n, text) in corpus.iter().enumerate() {
        props::policy_drawn(text);
        for round in 0..40 {
            let mutated = mutate(&mut rng, text);
            // Drawing is the slow part in a debug build: every other one.
            if (n + round) % 2 == 0 {
                props::policy_drawn(&mutated);
            } else {
                props::policy(&mutated);
            }
        }
    }
    // Pure noise too.
    for _ in 0..1_000 {
        let noise: String = (0..rng.next_u64() % 40)
            .map(|_| *rng.pick(PIECES))
            .collect::<Vec<_>>()
            .join(" ");
        props::policy(&noise);
    }
}

/// Records from the bundled and generated catalogues with bytes flipped,
/// inserted and cut, non-ASCII and control characters among them.
fn broken_records(rng: &mut Rng, count: usize) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = akar::synth::catalogue(17, count as u64)
        .lines()
        .chain(generated::records(19, count as u64).lines())
        .map(|l| l.as_bytes().to_vec())
        .collect();
    let bytes: &[&[u8]] = &[
        b"\"",
        b"\\",
        b"\\u00e9",
        b"\\ud800",
        b"\xff",
        b"\xc3",
        "é".as_bytes(),
        b"\x00",
        b"}",
        b"{",
        b",",
        b"1e400",
        b"-0",
        b"null",
        b"[",
        b"]",
    ];
    for line in lines.iter_mut().step_by(2) {
        for _ in 0..1 + rng.next_u64() % 3 {
            let at = (rng.next_u64() as usize) % (line.len() + 1);
            match rng.next_u64() % 3 {
                0 => line
                    .splice(at..at, rng.pick(bytes).iter().copied())
                    .for_each(drop),
                1 => line.truncate(at),
                _ => {
                    if at < line.len() {
                        line[at] = (rng.next_u64() & 0xff) as u8;
                    }
                }
            }
        }
    }
    lines
}

#[test]
fn both_paths_agree_on_broken_records_under_every_policy_set() {
    let mut rng = Rng::new(23);
    let records = broken_records(&mut rng, 3_000);
    for policy in [
        "policies",
        "benches/four-rules.policy",
        "examples/akar.policy",
    ] {
        let plan = common::plan_of_path(policy);
        for date in ["2021-01-01", "2026-11-01"] {
            let decider = akar::eval::Decider::new(&plan, common::date(date));
            for record in &records {
                props::paths_agree(&decider, record);
            }
        }
    }
}

#[test]
fn readers_give_one_record_per_record_whatever_the_bytes() {
    let mut rng = Rng::new(29);
    let records = broken_records(&mut rng, 300);
    for chunk in records.chunks(7) {
        props::readers(&chunk.join(&b'\n'));
    }
    let csv =
        std::fs::read(Path::new(&common::root()).join("tests/cases/eval/csv-input/listings.csv"))
            .unwrap();
    props::readers(&csv);
    let mut broken = csv.clone();
    for _ in 0..50 {
        let at = (rng.next_u64() as usize) % broken.len();
        broken.insert(at, *rng.pick(&[b'"', b',', b'\n', b'\r', 0xff]));
        props::readers(&broken);
    }
}

#[test]
fn repl_sessions_take_any_input() {
    let mut rng = Rng::new(31);
    let corpus = corpus();
    let scripted = [
        ":at 2024-01-01",
        ":listing {\"cluster\": \"caf\u{e9}\", \"cross_border\": true}",
        ":eval",
        ":explain",
        ":rules",
        ":help",
        ":at 2021-02-30",
        ":listing {",
    ];
    for _ in 0..150 {
        let mut inputs: Vec<String> = Vec::new();
        for _ in 0..6 {
            let input = match rng.next_u64() % 3 {
                0 => rng.pick(&scripted).to_string(),
                1 => {
                    let text: String = rng
                        .pick(&corpus)
                        .lines()
                        .take(4)
                        .collect::<Vec<_>>()
                        .join("\n");
                    mutate(&mut rng, &text)
                }
                _ => (0..1 + rng.next_u64() % 8)
                    .map(|_| *rng.pick(PIECES))
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            inputs.push(input);
        }
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        props::repl(&inputs);
    }
}
