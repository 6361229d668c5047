//! The lexer: policy text as a sequence of tokens, for the tools that scan text
//! without parsing it (the formatter's comments, the REPL's colours). Its rules
//! are the `tok_*` rules of the grammar, so there is one definition of what a
//! comment, a string or a number is. Any text lexes, half-typed input included.

use pest::Parser as _;

use super::parser::{Grammar, Rule};
use super::span::Span;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Spaces, tabs and line breaks.
    Space,
    /// `//` to the end of the line.
    Comment,
    /// A string literal; `closed` is false when it runs to the end of its line.
    String {
        closed: bool,
    },
    Date,
    /// A number, spaces, and a currency code: `100 USD`.
    Money,
    Number,
    /// A name or a keyword.
    Word,
    /// An operator or a bracket: `==`, `(`, `,`, `.`, `:`, ...
    Punct,
    /// Any other character.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// The tokens of `src`, in order; together they cover every byte of it.
pub fn tokens(src: &str) -> Vec<Token> {
    tokens_at(src, 0)
}

/// The tokens of `src[range]`, with spans into `src`.
pub fn tokens_in(src: &str, start: usize, end: usize) -> Vec<Token> {
    src.get(start..end)
        .map_or_else(Vec::new, |part| tokens_at(part, start))
}

fn tokens_at(text: &str, base: usize) -> Vec<Token> {
    let Ok(mut pairs) = Grammar::parse(Rule::tokens, text) else {
        // `tok_other` takes any character, so this cannot happen; if it did, the
        // text would still be covered, as one token.
        return vec![Token {
            kind: TokenKind::Other,
            span: Span::new(base, base + text.len()),
        }];
    };
    let Some(all) = pairs.next() else {
        return Vec::new();
    };
    all.into_inner()
        .filter_map(|pair| {
            let kind = match pair.as_rule() {
                Rule::tok_space => TokenKind::Space,
                Rule::tok_comment => TokenKind::Comment,
                Rule::tok_string => TokenKind::String {
                    closed: is_closed(pair.as_str()),
                },
                Rule::tok_date => TokenKind::Date,
                Rule::tok_money => TokenKind::Money,
                Rule::tok_number => TokenKind::Number,
                Rule::tok_word => TokenKind::Word,
                Rule::tok_punct => TokenKind::Punct,
                Rule::tok_other => TokenKind::Other,
                _ => return None,
            };
            let span = pair.as_span();
            Some(Token {
                kind,
                span: Span::new(base + span.start(), base + span.end()),
            })
        })
        .collect()
}

/// Brackets opened less brackets closed in `text` (`(`, `[`, `{`), outside
/// strings and comments: above zero, the text stops inside a bracket.
pub fn balance(text: &str) -> i64 {
    tokens(text)
        .iter()
        .filter(|t| t.kind == TokenKind::Punct)
        .map(|t| match text.get(t.span.range()) {
            Some("(" | "[" | "{") => 1,
            Some(")" | "]" | "}") => -1,
            _ => 0,
        })
        .sum()
}

/// Where the longest end of `text` whose characters all satisfy `keep` starts:
/// the start of the word before a cursor, say. A char boundary, whatever the text.
pub fn trailing_run(text: &str, keep: impl Fn(char) -> bool) -> usize {
    text.char_indices()
        .rev()
        .find(|(_, c)| !keep(*c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// A string token ends in an unescaped quote when it was closed.
fn is_closed(text: &str) -> bool {
    let body = &text[1..];
    let trailing_backslashes = |s: &str| s.bytes().rev().take_while(|b| *b == b'\\').count();
    match body.strip_suffix('"') {
        Some(inner) => trailing_backslashes(inner) % 2 == 0,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(&str, TokenKind)> {
        tokens(src)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Space)
            .map(|t| (&src[t.span.range()], t.kind))
            .collect()
    }

    #[test]
    fn lexes_each_kind_and_covers_every_byte() {
        let src =
            "block import where price < 100 USD // x\n  and d >= 2021-08-09 and t == \"a\\\"b\" é";
        let all = tokens(src);
        let mut at = 0;
        for token in &all {
            assert_eq!(token.span.start, at);
            at = token.span.end;
        }
        assert_eq!(at, src.len());
        assert_eq!(
            kinds(src),
            vec![
                ("block", TokenKind::Word),
                ("import", TokenKind::Word),
                ("where", TokenKind::Word),
                ("price", TokenKind::Word),
                ("<", TokenKind::Punct),
                ("100 USD", TokenKind::Money),
                ("// x", TokenKind::Comment),
                ("and", TokenKind::Word),
                ("d", TokenKind::Word),
                (">=", TokenKind::Punct),
                ("2021-08-09", TokenKind::Date),
                ("and", TokenKind::Word),
                ("t", TokenKind::Word),
                ("==", TokenKind::Punct),
                ("\"a\\\"b\"", TokenKind::String { closed: true }),
                ("é", TokenKind::Other),
            ]
        );
    }

    #[test]
    fn an_unclosed_string_runs_to_the_end_of_its_line() {
        assert_eq!(
            kinds("\"abc\nx \"a\\\""),
            vec![
                ("\"abc", TokenKind::String { closed: false }),
                ("x", TokenKind::Word),
                ("\"a\\\"", TokenKind::String { closed: false }),
            ]
        );
    }
}
