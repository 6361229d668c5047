//! The formatted file as lines, each knowing the source range it came from, so that
//! comments can be put back by position.
//!
//! A comment goes, in this order of preference: at the end of the line whose last
//! token it followed on the same source line (a trailing comment); before the
//! line whose tokens it sat in the middle of (a comment inside a condition cannot
//! stay there); before the first line written after it (a comment on its own
//! line, or one that cannot trail); at the end of the file. Each is a place
//! between two lines, so no comment can change what the policy means.

use super::scan::{Comment, Trivia};
use crate::syntax::Span;

/// Columns a line should fit in; only conditions and long lists are broken to fit.
pub(super) const WIDTH: usize = 90;

/// One output line. `text` may hold newlines only for a `given` JSON kept as written.
#[derive(Debug)]
pub(super) struct Line {
    pub indent: usize,
    pub text: String,
    /// The source range of the tokens on this line (its first to its last).
    pub span: Span,
    /// Where comments placed before this line start: a closing brace's comments
    /// belong to the block's inside.
    pub comment_indent: usize,
}

impl Line {
    pub fn new(indent: usize, text: impl Into<String>, span: Span) -> Line {
        Line {
            indent,
            text: text.into(),
            span,
            comment_indent: indent,
        }
    }
}

/// The lines of one item.
#[derive(Debug)]
pub(super) struct Block {
    pub lines: Vec<Line>,
    /// Its source range, without trailing trivia.
    pub span: Span,
    /// `rate`, `let` and `subject`: written on adjacent lines, they stay together.
    pub groupable: bool,
}

/// Where each comment goes: indices into the comment list.
#[derive(Default)]
struct Placement {
    /// Per block, per line: comments on their own lines before it.
    before: Vec<Vec<Vec<usize>>>,
    /// Per block, per line: the comment at its end.
    trailing: Vec<Vec<Option<usize>>>,
    /// Comments after the last line.
    end: Vec<usize>,
}

/// Lays out the blocks with the comments of `trivia` put back.
pub(super) fn render(blocks: &[Block], trivia: &Trivia) -> String {
    let placement = place(blocks, trivia);
    let mut out = Out::default();
    let mut prev_end = None;
    for (b, block) in blocks.iter().enumerate() {
        let leading = placement.before[b].first().map_or(&[][..], Vec::as_slice);
        let first = leading
            .first()
            .map_or(block.span.start, |c| trivia.comments[*c].span.start)
            .min(block.span.start);
        if let Some((end, groupable)) = prev_end {
            let joined = groupable && block.groupable && !trivia.blank_between(end, first);
            out.blank_if(!joined);
        }
        out.comments(leading, 0, true, trivia);
        if let Some(last) = leading.last() {
            let end = trivia.comments[*last].span.end;
            out.blank_if(trivia.blank_between(end, block.span.start));
        }
        for (l, line) in block.lines.iter().enumerate() {
            if l > 0 {
                out.comments(&placement.before[b][l], line.comment_indent, false, trivia);
            }
            out.line(
                line,
                placement.trailing[b][l].map(|c| &trivia.comments[c].text),
            );
        }
        prev_end = Some((block.span.end, block.groupable));
    }
    if let Some(first) = placement.end.first() {
        let start = trivia.comments[*first].span.start;
        out.blank_if(prev_end.is_some_and(|(end, _)| trivia.blank_between(end, start)));
        out.comments(&placement.end, 0, true, trivia);
    }
    out.text
}

#[derive(Default)]
struct Out {
    text: String,
}

impl Out {
    fn blank_if(&mut self, blank: bool) {
        if blank && !self.text.is_empty() {
            self.text.push('\n');
        }
    }

    /// Comments on their own lines; between items (`keep_blanks`) with the blank
    /// lines written between them, inside an item without.
    fn comments(&mut self, ids: &[usize], indent: usize, keep_blanks: bool, trivia: &Trivia) {
        let mut prev: Option<Span> = None;
        for id in ids {
            let comment = &trivia.comments[*id];
            if let Some(prev) = prev {
                self.blank_if(keep_blanks && trivia.blank_between(prev.end, comment.span.start));
            }
            self.push(indent, &comment.text);
            prev = Some(comment.span);
        }
    }

    fn line(&mut self, line: &Line, trailing: Option<&String>) {
        match trailing {
            Some(comment) => self.push(line.indent, &format!("{}  {comment}", line.text)),
            None => self.push(line.indent, &line.text),
        }
    }

    fn push(&mut self, indent: usize, text: &str) {
        self.text.extend(std::iter::repeat_n(' ', indent));
        self.text.push_str(text);
        self.text.push('\n');
    }
}

/// A line of the file: its block, its place in the block, and its source range.
type Located = ((usize, usize), Span);

/// Decides where every comment goes (see the module documentation).
fn place(blocks: &[Block], trivia: &Trivia) -> Placement {
    let mut placement = Placement {
        before: blocks
            .iter()
            .map(|b| vec![Vec::new(); b.lines.len()])
            .collect(),
        trailing: blocks.iter().map(|b| vec![None; b.lines.len()]).collect(),
        end: Vec::new(),
    };
    let lines: Vec<Located> = blocks
        .iter()
        .enumerate()
        .flat_map(|(b, block)| {
            block
                .lines
                .iter()
                .enumerate()
                .map(move |(l, line)| ((b, l), line.span))
        })
        .collect();
    for (id, comment) in trivia.comments.iter().enumerate() {
        if let Some((b, l)) = trailed(&lines, comment, trivia)
            && placement.trailing[b][l].is_none()
        {
            placement.trailing[b][l] = Some(id);
            continue;
        }
        match before(&lines, comment.span.start) {
            Some((b, l)) => placement.before[b][l].push(id),
            None => placement.end.push(id),
        }
    }
    placement
}

/// The line a comment can trail: the one whose last token it follows on the same
/// source line, unless it is in the middle of a line's tokens.
fn trailed(lines: &[Located], comment: &Comment, trivia: &Trivia) -> Option<(usize, usize)> {
    let at = comment.span.start;
    if comment.own_line || lines.iter().any(|(_, s)| s.start < at && at < s.end) {
        return None;
    }
    let (line, span) = lines
        .iter()
        .filter(|(_, s)| s.end <= at)
        .max_by_key(|(_, s)| s.end)?;
    trivia.same_line_gap(span.end, at).then_some(*line)
}

/// The line a comment goes before: the one it sits in the middle of, or else the
/// first written after it; `None` after the last line.
fn before(lines: &[Located], at: usize) -> Option<(usize, usize)> {
    if let Some((line, _)) = lines.iter().find(|(_, s)| s.start < at && at < s.end) {
        return Some(*line);
    }
    lines
        .iter()
        .filter(|(_, s)| s.start > at)
        .min_by_key(|(_, s)| s.start)
        .map(|(line, _)| *line)
}
