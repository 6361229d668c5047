//! The properties akar must keep on any input, each a function that panics when
//! one breaks. The seeded property tests (`tests/properties.rs`) run them over
//! generated inputs; the fuzz targets (`fuzz/`) run the same functions over what
//! the fuzzer makes, so both check one definition.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use akar::Sources;
use akar::check::check_sources;
use akar::diagnostics::{ErrorFormat, Style, render_all};
use akar::eval::{Decider, Listing, decide_plain};
use akar::fmt::FmtError;
use akar::output::{JsonWriter, Outcome};

/// Parsing, checking and formatting a policy text never panic; every JSON
/// diagnostic is one line of JSON; formatting keeps the tree and is idempotent,
/// and never reports an internal error.
pub fn policy(text: &str) {
    policy_in(text, false);
}

/// As [`policy`], also drawing the diagnostics for people.
pub fn policy_drawn(text: &str) {
    policy_in(text, true);
}
fn policy_in(text: &str, drawn: bool) {
    let mut sources = Sources::default();
    sources.add("fuzz.policy", text);
    if let Err(problems) = check_sources(&sources) {
        let count = problems.len();
        let json = Style {
            format: ErrorFormat::Json,
            ..Style::plain()
        };
        let lines = render_all(problems, &sources, json);
        assert_eq!(lines.lines().count(), count, "one JSON line a problem");
        for line in lines.lines() {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(line) {
                panic!("a JSON diagnostic is not JSON ({e}): {line:?}");
            }
        }
        if drawn {
            let problems = check_sources(&sources).err().unwrap_or_default();
            assert!(!render_all(problems, &sources, Style::plain()).is_empty());
        }
    }
    match akar::fmt::format(text) {
        Ok(out) => {
            let again = akar::fmt::format(&out)
                .unwrap_or_else(|e| panic!("the formatted text does not format ({e:?}):\n{out}"));
            assert_eq!(again, out, "formatting is not idempotent");
            let before = akar::syntax::parse(text.strip_prefix('\u{feff}').unwrap_or(text));
            assert_eq!(
                akar::syntax::parse(&out).file,
                before.file,
                "formatting changed the tree"
            );
        }
        Err(FmtError::Syntax { .. }) => {}
        Err(e) => panic!("formatting failed inside akar: {e:?}\n--- input ---\n{text}"),
    }
}

/// The output record for one NDJSON line by both paths: the fast one `akar eval`
/// takes (projection, compiled program, direct JSON writer) and the plain one (a
/// whole `serde_json::Value`, conditions walked as written).
pub fn both_paths(decider: &Decider, line: usize, bytes: &[u8]) -> (String, String) {
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

/// The fast path and the plain path write the same record for a line.
pub fn paths_agree(decider: &Decider, bytes: &[u8]) {
    let (fast, plain) = both_paths(decider, 1, bytes);
    assert_eq!(fast, plain, "line: {:?}", String::from_utf8_lossy(bytes));
}

/// The NDJSON reader gives exactly one record for each line that is not blank,
/// numbered by line; the CSV reader never panics and numbers its rows in order.
pub fn readers(bytes: &[u8]) {
    let lines = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .map(|(i, _)| i + 1);
    let records = akar::input::ndjson(std::io::Cursor::new(bytes.to_vec())).map(|r| r.line);
    assert!(records.eq(lines), "NDJSON records are not one a line");
    for format in [
        akar::input::InputFormat::Csv,
        akar::input::InputFormat::Json,
    ] {
        let records = akar::input::read(bytes.to_vec(), Some(format));
        let mut last = 0;
        for record in records {
            assert!(record.line > last, "records out of order");
            last = record.line;
        }
    }
}

/// A REPL session takes any input; completion, hints and colours take any text
/// at any character boundary.
pub fn repl(inputs: &[&str]) {
    let date = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut session = akar::repl::Session::new(date, Style::plain());
    for input in inputs {
        let _ = session.submit(input);
        let vocabulary = session.vocabulary();
        for (at, _) in input.char_indices().chain([(input.len(), ' ')]) {
            let _ = akar::repl::complete(&vocabulary, input, at);
            let _ = akar::repl::hint(&vocabulary, &input[..at], at);
            let _ = akar::repl::paint(&input[..at]);
            let _ = akar::repl::is_incomplete(&input[..at]);
        }
    }
}

/// Words, operators and characters to make policy text from, many of more than
/// one byte: the kind of text that found every panic on text so far.
pub const PIECES: &[&str] = &[
    "block",
    "flag",
    "allow",
    "rule",
    "let",
    "subject",
    "rate",
    "test",
    "policy",
    "where",
    "unless",
    "because",
    "effective",
    "until",
    "overrides",
    "and",
    "or",
    "not",
    "in",
    "is",
    "missing",
    "present",
    "contains",
    "any",
    "starts",
    "with",
    "match",
    "else",
    "given",
    "expect",
    "by",
    "at",
    "import",
    "listing",
    "domestic",
    "cluster",
    "price",
    "seller.country",
    "title",
    "fashion",
    "==",
    "!=",
    "<",
    ">=",
    "=",
    "=>",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    ":",
    "\"",
    "\"hijab\"",
    "100 USD",
    "15_500 IDR",
    "2024-01-01",
    "2021-02-30",
    "12.5",
    "-3",
    "1__0",
    "//",
    "// —\n",
    "\n",
    "\n  ",
    " ",
    "\t",
    "\r\n",
    "\u{feff}",
    "\u{0}",
    "\u{1}",
    "\u{1b}[31m",
    "\u{7f}",
    "\\",
    "\\u",
    "\u{a0}",
    "\u{2014}",
    "é",
    "€",
    "日本",
    "😀",
    "İ",
    "ß",
];
