//! Colours for the input line: keywords, text, numbers, dates, money, commands
//! and comments. A light scan rather than the parser, because it must colour
//! half-typed input that does not parse yet.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Keyword,
    Text,
    Number,
    Date,
    Money,
    Command,
    Comment,
}

impl Token {
    fn colour(self) -> &'static str {
        match self {
            Token::Keyword => "\x1b[1;34m",
            Token::Text => "\x1b[32m",
            Token::Number => "\x1b[36m",
            Token::Date => "\x1b[35m",
            Token::Money => "\x1b[33m",
            Token::Command => "\x1b[1m",
            Token::Comment => "\x1b[2m",
        }
    }
}

const RESET: &str = "\x1b[0m";

/// The coloured pieces of `line`, in order; the rest is left plain.
pub fn tokens(line: &str) -> Vec<(Range<usize>, Token)> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let (end, token) = match bytes[at] {
            b'/' if bytes.get(at + 1) == Some(&b'/') => (line_end(line, at), Some(Token::Comment)),
            b'"' => (string_end(bytes, at), Some(Token::Text)),
            b':' if line[..at].trim().is_empty() => (word_end(bytes, at + 1), Some(Token::Command)),
            b'0'..=b'9' if !follows_word(bytes, at) => number(line, at),
            b if is_word_byte(b) => {
                let end = word_end(bytes, at);
                let keyword = is_keyword(&line[at..end]) && !follows_dot(bytes, at);
                (end, keyword.then_some(Token::Keyword))
            }
            _ => (at + utf8_len(bytes[at]), None),
        };
        if let Some(token) = token {
            found.push((at..end, token));
        }
        at = end.max(at + 1);
    }
    found
}

/// `line` with ANSI colours; the same width on screen as the line itself.
pub fn paint(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let mut at = 0;
    for (range, token) in tokens(line) {
        out.push_str(&line[at..range.start]);
        out.push_str(token.colour());
        out.push_str(&line[range.clone()]);
        out.push_str(RESET);
        at = range.end;
    }
    out.push_str(&line[at..]);
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn follows_word(bytes: &[u8], at: usize) -> bool {
    at > 0 && is_word_byte(bytes[at - 1])
}

fn follows_dot(bytes: &[u8], at: usize) -> bool {
    at > 0 && bytes[at - 1] == b'.'
}

fn word_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && is_word_byte(bytes[at]) {
        at += 1;
    }
    at
}

fn line_end(line: &str, at: usize) -> usize {
    line[at..].find('\n').map_or(line.len(), |n| at + n)
}

/// The end of a string literal, or of the line if it is not closed.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            b'\n' => return at,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// A number, a date (`2021-08-09`) or money (`100 USD`).
fn number(line: &str, start: usize) -> (usize, Option<Token>) {
    let bytes = line.as_bytes();
    let digits = |mut at: usize| {
        while at < bytes.len() && (bytes[at].is_ascii_digit() || bytes[at] == b'_') {
            at += 1;
        }
        at
    };
    let mut end = digits(start);
    let date = line.get(start..start + 10).is_some_and(|d| {
        d.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
    });
    if date {
        return (start + 10, Some(Token::Date));
    }
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits(end + 1);
    }
    let gap = word_end_spaces(bytes, end);
    let currency = bytes.get(gap..gap + 3).is_some_and(|c| {
        c.iter().all(u8::is_ascii_uppercase)
            && !bytes.get(gap + 3).is_some_and(|b| is_word_byte(*b))
    });
    if gap > end && currency {
        (gap + 3, Some(Token::Money))
    } else {
        (end, Some(Token::Number))
    }
}

fn word_end_spaces(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && (bytes[at] == b' ' || bytes[at] == b'\t') {
        at += 1;
    }
    at
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Reserved words and the few others that only ever read as keywords; words
/// such as `title` or `source` stay plain, as they are often field names.
fn is_keyword(word: &str) -> bool {
    crate::syntax::keywords::RESERVED.contains(&word)
        || ["missing", "present", "any", "with"].contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<(&str, Token)> {
        tokens(line)
            .into_iter()
            .map(|(r, t)| (&line[r], t))
            .collect()
    }

    #[test]
    fn colours_each_kind() {
        assert_eq!(
            kinds("block import where price < 100 USD and d >= 2021-08-09 // x"),
            vec![
                ("block", Token::Keyword),
                ("where", Token::Keyword),
                ("100 USD", Token::Money),
                ("and", Token::Keyword),
                ("2021-08-09", Token::Date),
                ("// x", Token::Comment),
            ]
        );
        assert_eq!(
            kinds(":eval title contains \"é\" 1_000 x2"),
            vec![
                (":eval", Token::Command),
                ("contains", Token::Keyword),
                ("\"é\"", Token::Text),
                ("1_000", Token::Number),
            ]
        );
    }
}
