//! The limits of a policy file, checked before it is parsed, so that input past
//! them is a diagnostic with its place, never a crash or a wait: the parser, the
//! checker and the evaluator recurse over conditions, and the diagnostics
//! renderer cannot draw labels past column 65,535.

use super::error::SyntaxError;
use super::lex::{self, TokenKind};
use super::span::Span;

/// The largest policy file akar reads.
pub const MAX_BYTES: usize = 16 << 20;
/// The longest line, in characters.
pub const MAX_LINE: usize = 10_000;
/// How deep parentheses, brackets, braces and `not`s may nest.
pub const MAX_NESTING: usize = 64;
/// The most segments in a field path (`seller.address.country` has three).
pub const MAX_PATH: usize = 32;

/// The first limit `src` goes past, if any.
pub fn check(src: &str) -> Option<SyntaxError> {
    if src.len() > MAX_BYTES {
        return Some(SyntaxError::TooLarge {
            bytes: src.len(),
            span: Span::new(0, 0),
        });
    }
    long_line(src).or_else(|| too_deep(src))
}

fn long_line(src: &str) -> Option<SyntaxError> {
    let mut start = 0;
    for (number, line) in src.split('\n').enumerate() {
        // Bytes bound characters from above: most lines need no counting.
        if line.len() > MAX_LINE {
            let chars = line.chars().count();
            if chars > MAX_LINE {
                let first = line.chars().next().map_or(0, char::len_utf8);
                return Some(SyntaxError::LineTooLong {
                    line: number + 1,
                    chars,
                    span: Span::new(start, start + first),
                });
            }
        }
        start += line.len() + 1;
    }
    None
}

/// Nesting as the parser would meet it: each open bracket, and each `not` in a
/// run of them (`not not x`, `not (not x)`), is one level deeper.
fn too_deep(src: &str) -> Option<SyntaxError> {
    let mut brackets = 0usize;
    let mut nots = 0usize;
    // Line by line, so that memory holds one line's tokens: no token but a string
    // with an escaped line break spans lines, and that changes no nesting.
    let mut start = 0;
    let lines = src.split_inclusive('\n').map(|line| {
        let tokens = lex::tokens_in(src, start, start + line.len());
        start += line.len();
        tokens
    });
    for token in lines.flatten() {
        let text = src.get(token.span.range()).unwrap_or_default();
        match (token.kind, text) {
            (TokenKind::Space | TokenKind::Comment, _) => continue,
            (TokenKind::Punct, "(" | "[" | "{") => brackets += 1,
            (TokenKind::Punct, ")" | "]" | "}") => {
                brackets = brackets.saturating_sub(1);
                nots = 0;
            }
            (TokenKind::Word, "not") => nots += 1,
            _ => nots = 0,
        }
        if brackets + nots > MAX_NESTING {
            return Some(SyntaxError::TooDeep { span: token.span });
        }
    }
    None
}
