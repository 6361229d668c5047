//! Comments and blank lines, recovered from the source text.
//!
//! The grammar drops `//` comments as silent trivia, so the AST has none; the
//! lexer ([`crate::syntax::lex`]) finds them, skipping the JSON after each
//! `given`, which is kept as written and never looked into.

use crate::source::LineIndex;
use crate::syntax::Span;
use crate::syntax::lex::{self, TokenKind};

/// A `//` comment as written.
#[derive(Debug, Clone)]
pub(super) struct Comment {
    /// From `//` to the end of its text, trailing whitespace excluded.
    pub span: Span,
    pub text: String,
    /// Nothing but whitespace before it on its line.
    pub own_line: bool,
}

/// The comments of `src`, in order, outside the `opaque` ranges (sorted by
/// start), which are kept verbatim by the formatter.
pub(super) fn comments(src: &str, opaque: &[Span]) -> Vec<Comment> {
    let mut found = Vec::new();
    let mut from = 0;
    let gaps = opaque
        .iter()
        .map(|s| (s.start, s.end))
        .chain(std::iter::once((src.len(), src.len())));
    for (start, end) in gaps {
        let tokens = lex::tokens_in(src, from.min(start), start);
        found.extend(
            tokens
                .into_iter()
                .filter(|t| t.kind == TokenKind::Comment)
                .map(|t| comment_at(src, t.span)),
        );
        from = from.max(end);
    }
    found
}

fn comment_at(src: &str, span: Span) -> Comment {
    let text = src[span.range()].trim_end_matches(|c: char| c.is_ascii_whitespace());
    let line_start = src[..span.start].rfind('\n').map_or(0, |n| n + 1);
    Comment {
        span: Span::new(span.start, span.start + text.len()),
        text: text.to_string(),
        own_line: src[line_start..span.start].trim().is_empty(),
    }
}

/// Source positions around tokens, knowing where the comments are.
pub(super) struct Trivia<'a> {
    pub src: &'a str,
    /// Sorted by position.
    pub comments: Vec<Comment>,
    pub lines: LineIndex,
}

impl Trivia<'_> {
    /// The end of the last token in `span`: pest's spans may run on over the
    /// whitespace and comments that follow an item or a condition.
    pub fn tight_end(&self, span: Span) -> usize {
        let bytes = self.src.as_bytes();
        let mut end = span.end.min(bytes.len());
        loop {
            while end > span.start && bytes.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
                end -= 1;
            }
            let ending_here = self.comments.binary_search_by_key(&end, |c| c.span.end);
            match ending_here.ok().and_then(|i| self.comments.get(i)) {
                Some(comment) if comment.span.start >= span.start => end = comment.span.start,
                _ => return end,
            }
        }
    }

    /// `span` without the trivia pest may have left at its end.
    pub fn tight(&self, span: Span) -> Span {
        Span::new(span.start, self.tight_end(span))
    }

    /// The first offset at or after `pos` that is neither whitespace nor a comment.
    pub fn skip_forward(&self, mut pos: usize) -> usize {
        let bytes = self.src.as_bytes();
        loop {
            while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
                pos += 1;
            }
            let starting_here = self.comments.binary_search_by_key(&pos, |c| c.span.start);
            match starting_here.ok().and_then(|i| self.comments.get(i)) {
                Some(comment) => pos = comment.span.end,
                None => return pos,
            }
        }
    }

    /// Where the keyword `word` starts when it comes just before `pos` (whitespace
    /// between), so that a clause's line starts at its keyword; `pos` otherwise.
    pub fn keyword_before(&self, pos: usize, word: &str) -> usize {
        let before = self.src[..pos].trim_end_matches(|c: char| c.is_ascii_whitespace());
        if before.ends_with(word) {
            before.len() - word.len()
        } else {
            pos
        }
    }

    /// True when the text between `from` and `to` holds a line with nothing on it.
    pub fn blank_between(&self, from: usize, to: usize) -> bool {
        if from >= to || to > self.src.len() {
            return false;
        }
        // The lines strictly between the one `from` is on and the one `to` is on.
        let pieces: Vec<&str> = self.src[from..to].split('\n').collect();
        let inner = pieces
            .get(1..pieces.len().saturating_sub(1))
            .unwrap_or_default();
        inner.iter().any(|p| p.trim().is_empty())
    }

    /// True when `from..to` holds only spaces and tabs: the same line, nothing between.
    pub fn same_line_gap(&self, from: usize, to: usize) -> bool {
        from <= to && self.src[from..to].bytes().all(|b| b == b' ' || b == b'\t')
    }

    /// True when the source text of `span` runs over more than one line.
    pub fn multi_line(&self, span: Span) -> bool {
        self.src[span.range()].contains('\n')
    }

    /// The 0-based line an offset is on.
    pub fn line_of(&self, pos: usize) -> usize {
        self.lines.line(pos) - 1
    }
}
