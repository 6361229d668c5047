//! Comments and blank lines, recovered from the source text.
//!
//! The grammar drops `//` comments as silent trivia, so the AST has none. This small
//! scanner is hand-written rather than a second pest grammar because it needs to
//! know only two things to tell a comment from text: strings (where `//` is text)
//! and the JSON after `given` (kept as written, so never looked into). Making
//! `COMMENT` a visible rule of the shared grammar instead would put comment pairs
//! inside every rule the lowering reads.

use crate::syntax::Span;

/// A `//` comment as written.
#[derive(Debug, Clone)]
pub(super) struct Comment {
    /// From `//` to the end of its text, trailing whitespace excluded.
    pub span: Span,
    pub text: String,
    /// Nothing but whitespace before it on its line.
    pub own_line: bool,
}

/// The comments of `src`, in order, skipping strings and the `opaque` ranges
/// (sorted by start), which are kept verbatim by the formatter.
pub(super) fn comments(src: &str, opaque: &[Span]) -> Vec<Comment> {
    let bytes = src.as_bytes();
    let mut found = Vec::new();
    let mut opaque = opaque.iter().peekable();
    let mut i = 0;
    while i < bytes.len() {
        while opaque.peek().is_some_and(|s| s.end <= i) {
            opaque.next();
        }
        if let Some(span) = opaque.peek().filter(|s| s.start <= i) {
            i = span.end;
            continue;
        }
        match bytes[i] {
            b'"' => i = string_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let comment = comment_at(src, i);
                i = comment.span.end;
                found.push(comment);
            }
            _ => i += 1,
        }
    }
    found
}

/// The offset just after the string that opens at `start` (or its line's end, for a
/// string never closed, which a file that parsed cannot have).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn comment_at(src: &str, start: usize) -> Comment {
    let line_end = src[start..].find('\n').map_or(src.len(), |n| start + n);
    let text = src[start..line_end].trim_end_matches(|c: char| c.is_ascii_whitespace());
    let line_start = src[..start].rfind('\n').map_or(0, |n| n + 1);
    Comment {
        span: Span::new(start, start + text.len()),
        text: text.to_string(),
        own_line: src[line_start..start].trim().is_empty(),
    }
}

/// Source positions around tokens, knowing where the comments are.
pub(super) struct Trivia<'a> {
    pub src: &'a str,
    /// Sorted by position.
    pub comments: Vec<Comment>,
}

impl Trivia<'_> {
    /// The end of the last token in `span`: pest's spans may run on over the
    /// whitespace and comments that follow an item or a condition.
    pub fn tight_end(&self, span: Span) -> usize {
        let bytes = self.src.as_bytes();
        let mut end = span.end.min(bytes.len());
        loop {
            while end > span.start && bytes[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            match self.comments.binary_search_by_key(&end, |c| c.span.end) {
                Ok(i) if self.comments[i].span.start >= span.start => {
                    end = self.comments[i].span.start;
                }
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
            while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            match self.comments.binary_search_by_key(&pos, |c| c.span.start) {
                Ok(i) => pos = self.comments[i].span.end,
                Err(_) => return pos,
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
        let pieces: Vec<&str> = self.src[from..to].split('\n').collect();
        pieces.len() > 2
            && pieces[1..pieces.len() - 1]
                .iter()
                .any(|p| p.trim().is_empty())
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
        self.src.as_bytes()[..pos.min(self.src.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
    }
}
