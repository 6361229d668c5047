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
    /// Per block, per line: comments on their own lines before it, and the
    /// comment at its end.
    blocks: Vec<Vec<LineComments>>,
    /// Comments after the last line.
    end: Vec<usize>,
}

#[derive(Default, Clone)]
struct LineComments {
    before: Vec<usize>,
    trailing: Option<usize>,
}

impl Placement {
    fn line(&mut self, (b, l): (usize, usize)) -> Option<&mut LineComments> {
        self.blocks.get_mut(b)?.get_mut(l)
    }
}

/// Lays out the blocks with the comments of `trivia` put back.
pub(super) fn render(blocks: &[Block], trivia: &Trivia) -> String {
    let placement = place(blocks, trivia);
    let comment = |id: &usize| trivia.comments.get(*id);
    let mut out = Out::default();
    let mut prev_end = None;
    for (block, placed) in blocks.iter().zip(&placement.blocks) {
        let leading = placed.first().map_or(&[][..], |l| l.before.as_slice());
        let first = leading
            .first()
            .and_then(comment)
            .map_or(block.span.start, |c| c.span.start)
            .min(block.span.start);
        if let Some((end, groupable)) = prev_end {
            let joined = groupable && block.groupable && !trivia.blank_between(end, first);
            out.blank_if(!joined);
        }
        out.comments(leading, 0, true, trivia);
        if let Some(last) = leading.last().and_then(comment) {
            out.blank_if(trivia.blank_between(last.span.end, block.span.start));
        }
        for (l, (line, comments)) in block.lines.iter().zip(placed).enumerate() {
            if l > 0 {
                out.comments(&comments.before, line.comment_indent, false, trivia);
            }
            let trailing = comments.trailing.as_ref().and_then(comment);
            out.line(line, trailing.map(|c| &c.text));
        }
        prev_end = Some((block.span.end, block.groupable));
    }
    if let Some(first) = placement.end.first().and_then(comment) {
        let start = first.span.start;
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
        for comment in ids.iter().filter_map(|id| trivia.comments.get(*id)) {
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
        blocks: blocks
            .iter()
            .map(|b| vec![LineComments::default(); b.lines.len()])
            .collect(),
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
        let trailing = trailed(&lines, comment, trivia).and_then(|at| placement.line(at));
        if let Some(line) = trailing.filter(|line| line.trailing.is_none()) {
            line.trailing = Some(id);
            continue;
        }
        match before(&lines, comment.span.start).and_then(|at| placement.line(at)) {
            Some(line) => line.before.push(id),
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
