//! The pest driver: reads a file one item at a time and turns pest's errors into
//! [`SyntaxError`]s. pest's types do not leave the `syntax` module.

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};

use super::ast::File;
use super::error::SyntaxError;
use super::lower;
use super::span::Span;
use super::words;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/akar.pest"]
pub(super) struct Grammar;

/// A parsed file with every syntax error found in it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    pub file: File,
    pub errors: Vec<SyntaxError>,
    /// Names that items with syntax errors would have defined (`let l = [a,`
    /// defines `l`): uses of them are not reported again as unknown.
    pub unfinished: Vec<String>,
}

impl Parsed {
    /// True when the only problem is that the input stopped in the middle of an item.
    pub fn is_incomplete(&self) -> bool {
        !self.errors.is_empty() && self.errors.iter().all(SyntaxError::is_incomplete)
    }
}

/// Words that begin an item: after a syntax error, reading resumes at the next line
/// that starts with one of them, so one mistake does not hide the rest of the file.
use super::keywords::ITEM_STARTS;

/// Parses a whole policy file, recovering after errors.
pub fn parse(src: &str) -> Parsed {
    let mut parsed = Parsed::default();
    if let Some(error) = super::limits::check(src) {
        parsed.errors.push(error);
        return parsed;
    }
    let mut pos = skip_trivia(src, 0);
    while pos < src.len() {
        // pest sees no more than the item can be (see `item_end`), which keeps its
        // work on an error (finding the line) in proportion to the item.
        let end = item_end(src, pos);
        match Grammar::parse(Rule::item, src.get(pos..end).unwrap_or_default()) {
            Ok(mut pairs) => {
                let Some(pair) = pairs.next() else { break };
                let end = pos + pair.as_span().end();
                match lower::item(pair, pos) {
                    Ok(item) => parsed.file.items.push(item),
                    Err(errors) => parsed.errors.extend(errors),
                }
                pos = skip_trivia(src, end.max(pos + 1));
            }
            Err(error) => {
                if let Some(name) = defined_name(src.get(pos..).unwrap_or_default()) {
                    parsed.unfinished.push(name);
                }
                let converted = convert(src, pos, &error);
                pos = resume_after(src, pos, &converted);
                parsed.errors.push(converted);
            }
        }
    }
    parsed
}

fn error_offset(base: usize, error: &pest::error::Error<Rule>) -> usize {
    match error.location {
        InputLocation::Pos(p) => base + p,
        InputLocation::Span((s, _)) => base + s,
    }
}

fn convert(src: &str, base: usize, error: &pest::error::Error<Rule>) -> SyntaxError {
    let at = error_offset(base, error);
    let positives: &[Rule] = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => &[],
    };
    let found = words::found_at(src, at);
    if found.unclosed_string {
        return SyntaxError::UnclosedString { span: found.span };
    }
    let expected = words::expected(positives);
    let incomplete = found.is_end;
    if let Some(error) = unclosed(src, base, at, &found, &expected) {
        return error;
    }
    let help = words::help(&expected, &found);
    let expected_text = match words::keyword_before(src, at) {
        Some(prev) => format!("{} after `{prev}`", expected.phrase()),
        None => expected.phrase(),
    };
    SyntaxError::Unexpected {
        expected: expected_text,
        label: if found.is_end {
            "the policy ends after this".to_string()
        } else {
            format!("unexpected {}", found.text)
        },
        found: found.text,
        span: found.span,
        help,
        incomplete,
    }
}

/// The name an item defines, read from its first words: `let NAME`, `subject
/// NAME`, `rule NAME`.
fn defined_name(item: &str) -> Option<String> {
    let mut words = item
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    match words.next()? {
        "let" | "subject" | "rule" => words.next().map(str::to_string),
        _ => None,
    }
}

/// When the parser stopped inside a bracket the item never closes (it expected
/// the closing bracket, or the input ended), the error is that bracket: said at
/// the place it was opened, not only where it was found open.
fn unclosed(
    src: &str,
    start: usize,
    at: usize,
    found: &words::Found,
    expected: &words::Expected,
) -> Option<SyntaxError> {
    let wants_closer = ["`)`", "`]`", "`}`", "a JSON object"]
        .iter()
        .any(|c| expected.has(c));
    if !(found.is_end || wants_closer) {
        return None;
    }
    let end = if found.is_end { src.len() } else { at };
    let mut open: Vec<(char, Span)> = Vec::new();
    for token in super::lex::tokens_in(src, start, end.max(start)) {
        let Some(text) = src.get(token.span.range()) else {
            continue;
        };
        match (token.kind, text) {
            (super::lex::TokenKind::Punct, "(" | "[" | "{") => {
                open.push((text.chars().next().unwrap_or('('), token.span));
            }
            (super::lex::TokenKind::Punct, ")" | "]" | "}") => {
                open.pop();
            }
            _ => {}
        }
    }
    let (opener, span) = open.pop()?;
    let closer = match opener {
        '(' => ')',
        '[' => ']',
        _ => '}',
    };
    Some(SyntaxError::Unclosed {
        opener,
        closer,
        open: span,
        span: found.span,
        label: if found.is_end {
            "the policy ends here".into()
        } else {
            format!("expected `{closer}` before this")
        },
        incomplete: found.is_end,
    })
}

/// Skips whitespace and `//` comments from `pos`.
pub(super) fn skip_trivia(src: &str, mut pos: usize) -> usize {
    let bytes = src.as_bytes();
    while let Some(byte) = bytes.get(pos) {
        match byte {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'/' if bytes.get(pos + 1) == Some(&b'/') => {
                pos = memchr::memchr(b'\n', bytes.get(pos..).unwrap_or_default())
                    .map_or(src.len(), |n| pos + n);
            }
            _ => break,
        }
    }
    pos
}

/// Where to read on after a syntax error in the item that began at `pos`: at the
/// token the parser stopped on, if it starts a line and an item (the item before
/// it was cut short); otherwise at the next line, after the error's, that starts
/// an item. Never at `pos` again, so each mistake is reported once.
fn resume_after(src: &str, pos: usize, error: &SyntaxError) -> usize {
    let at = match error {
        SyntaxError::Unexpected { span, .. }
        | SyntaxError::UnclosedString { span }
        | SyntaxError::Unclosed { span, .. } => span.start.max(pos),
        _ => pos,
    };
    let line_start = src[..at].rfind('\n').map_or(0, |n| n + 1);
    let starts_line = src[line_start..at].trim().is_empty();
    let word: String = src[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if at > pos && starts_line && ITEM_STARTS.contains(&word.as_str()) {
        return at;
    }
    next_item_start(src, at)
}

/// Where the item starting at `pos` must end at the latest: before the next
/// line that starts with a word only an item starts with (all such words are
/// reserved, so no item can go on there). An action word (`block`, ...) starts
/// an item too, except the first one after `rule`, which is that rule's own.
fn item_end(src: &str, pos: usize) -> usize {
    let rest = src.get(pos..).unwrap_or_default();
    let first_line = rest.split('\n').next().unwrap_or_default();
    let mut words = first_line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    let named_rule = words.next() == Some("rule");
    let mut action_seen = !named_rule || words.any(|w| ACTIONS.contains(&w));
    let mut line_start = pos + first_line.len() + 1;
    while line_start < src.len() {
        let line = src.get(line_start..).unwrap_or_default();
        let line = line.split('\n').next().unwrap_or_default();
        let word_start = line.len() - line.trim_start().len();
        let word: &str = line
            .get(word_start..)
            .unwrap_or_default()
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or_default();
        if ACTIONS.contains(&word) && !action_seen {
            action_seen = true;
        } else if ITEM_STARTS.contains(&word) {
            return line_start + word_start;
        }
        line_start += line.len() + 1;
    }
    src.len()
}

use super::keywords::ACTIONS;

/// The start of the first line after the one holding `at` whose first word begins
/// an item, or the end of the input.
fn next_item_start(src: &str, at: usize) -> usize {
    let mut line_start = src[at..].find('\n').map_or(src.len(), |n| at + n + 1);
    while line_start < src.len() {
        let line_end = src[line_start..]
            .find('\n')
            .map_or(src.len(), |n| line_start + n);
        let line = &src[line_start..line_end];
        let word_start = line.len() - line.trim_start().len();
        let word: String = line[word_start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if ITEM_STARTS.contains(&word.as_str()) {
            return line_start + word_start;
        }
        line_start = line_end + 1;
    }
    src.len()
}
