//! Colours for the input line: keywords, text, numbers, dates, money, commands
//! and comments. From the lexer rather than the parser, because it must colour
//! half-typed input that does not parse yet.

use std::ops::Range;

use crate::syntax::lex::{self, TokenKind};

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
    if line.len() > crate::syntax::limits::MAX_LINE * 4 {
        // Far past what a policy line may hold: left plain, not lexed at each key.
        return Vec::new();
    }
    let all = lex::tokens(line);
    let mut found = Vec::new();
    let mut skip_word = false;
    for (at, token) in all.iter().enumerate() {
        let range = token.span.range();
        let text = &line[range.clone()];
        let previous = at.checked_sub(1).and_then(|i| all.get(i));
        let colour = match token.kind {
            TokenKind::Comment => Some(Token::Comment),
            TokenKind::String { .. } => Some(Token::Text),
            TokenKind::Number => Some(Token::Number),
            TokenKind::Date => Some(Token::Date),
            TokenKind::Money => Some(Token::Money),
            // `:name` at the start of the input is a command.
            TokenKind::Punct if text == ":" && line[..range.start].trim().is_empty() => {
                let name = all.get(at + 1).filter(|t| t.kind == TokenKind::Word);
                let end = name.map_or(range.end, |t| t.span.end);
                found.push((range.start..end, Token::Command));
                skip_word = name.is_some();
                continue;
            }
            TokenKind::Word if std::mem::take(&mut skip_word) => continue,
            // A keyword, unless it is a field's segment (`seller.in`).
            TokenKind::Word => {
                let after_dot = previous.is_some_and(|p| &line[p.span.range()] == ".");
                (is_keyword(text) && !after_dot).then_some(Token::Keyword)
            }
            _ => None,
        };
        if let Some(colour) = colour {
            found.push((range, colour));
        }
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
