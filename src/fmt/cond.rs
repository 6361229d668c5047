//! Values and conditions as text, and conditions broken over lines when too long.
//!
//! Parentheses: the tree needs them around an `or` inside an `and`, around an `and`
//! or `or` inside a `not`, and around a group of the same operator (`(a or b) or c`
//! is another tree than `a or b or c`), so they are always written there. A test
//! after `not` is always wrapped, `not (price < 100 USD)`, so that `not` cannot be
//! read as applying to the field alone. Parentheses written around an `and` inside
//! an `or` are kept: the tree does not need them, the reader may. Others go.

use super::Printer;
use super::doc::{Line, WIDTH};
use crate::syntax::Span;
use crate::syntax::ast::{Cond, CondKind, Expr, ExprKind, Literal, LiteralKind, Test};
use crate::syntax::lex::{self, TokenKind};

/// What a condition sits inside, for deciding its parentheses.
#[derive(Clone, Copy, PartialEq)]
enum Parent {
    Or,
    And,
    Not,
}

impl Printer<'_> {
    pub fn cond(&self, cond: &Cond) -> String {
        match &cond.kind {
            CondKind::Or(parts) => self.joined(parts, Parent::Or, " or "),
            CondKind::And(parts) => self.joined(parts, Parent::And, " and "),
            CondKind::Not(inner) => format!("not {}", self.child(inner, Parent::Not)),
            CondKind::Test(subject, test) => format!("{} {}", expr(subject), test_text(test)),
            CondKind::Bare(operand) => expr(operand),
        }
    }

    fn joined(&self, parts: &[Cond], parent: Parent, sep: &str) -> String {
        parts
            .iter()
            .map(|p| self.child(p, parent))
            .collect::<Vec<_>>()
            .join(sep)
    }

    fn child(&self, cond: &Cond, parent: Parent) -> String {
        let wrap = match (&cond.kind, parent) {
            (CondKind::Or(_), _) => true,
            (CondKind::And(_), Parent::And | Parent::Not) => true,
            (CondKind::And(_), Parent::Or) => self.written_in_parens(cond.span),
            (CondKind::Test(..), Parent::Not) => true,
            _ => false,
        };
        let text = self.cond(cond);
        if wrap { format!("({text})") } else { text }
    }

    /// True when the source of `span` is one parenthesised group: `(a and b)`, not
    /// `(a) and (b)`. A group's span includes its parentheses.
    fn written_in_parens(&self, span: Span) -> bool {
        let span = self.trivia.tight(span);
        let src = self.trivia.src;
        let mut depth = 0usize;
        for token in lex::tokens_in(src, span.start, span.end) {
            let text = &src[token.span.range()];
            match (token.kind, text) {
                (TokenKind::Space | TokenKind::Comment, _) => continue,
                (TokenKind::Punct, "(") => depth += 1,
                (TokenKind::Punct, ")") => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return token.span.end == span.end;
                    }
                }
                _ if depth == 0 => return false,
                _ => {}
            }
        }
        false
    }

    /// The condition after `lead`, on one line if it fits in [`WIDTH`]; otherwise
    /// broken before each top-level `or` (one alternative a line), or before the
    /// `and`s that would overflow.
    pub fn cond_lines(&self, lead: Lead, cond: &Cond) -> Vec<Line> {
        let one = format!("{}{}", lead.text, self.cond(cond));
        let span = Span::new(lead.start, self.trivia.tight_end(cond.span));
        match &cond.kind {
            CondKind::Or(parts) if lead.indent + width(&one) > WIDTH => {
                self.broken(lead, cond, parts, Parent::Or)
            }
            CondKind::And(parts) if lead.indent + width(&one) > WIDTH => {
                self.broken(lead, cond, parts, Parent::And)
            }
            _ => vec![Line::new(lead.indent, one, span)],
        }
    }

    fn broken(&self, lead: Lead, cond: &Cond, parts: &[Cond], parent: Parent) -> Vec<Line> {
        let mut lines = Vec::new();
        let Some((first, rest)) = parts.split_first() else {
            return lines;
        };
        let mut current = self.first_line(&lead, cond, first, parent, &mut lines);
        let word = if parent == Parent::Or { "or" } else { "and" };
        for part in rest {
            let text = self.child(part, parent);
            let span = self.trivia.tight(part.span);
            let joined = format!("{} {word} {text}", current.text);
            if parent == Parent::And && current.indent + width(&joined) <= WIDTH {
                current.text = joined;
                current.span.end = span.end;
            } else {
                let next = Line::new(lead.cont, format!("{word} {text}"), span);
                lines.push(std::mem::replace(&mut current, next));
            }
        }
        lines.push(current);
        lines
    }

    /// The line of the first part: after the lead if it fits there; otherwise the
    /// lead ends its line (pushed to `lines`) and the part starts a continuation line.
    fn first_line(
        &self,
        lead: &Lead,
        cond: &Cond,
        first: &Cond,
        parent: Parent,
        lines: &mut Vec<Line>,
    ) -> Line {
        let text = self.child(first, parent);
        let span = self.trivia.tight(first.span);
        if lead.indent + width(&lead.text) + width(&text) <= WIDTH {
            let text = format!("{}{text}", lead.text);
            return Line::new(lead.indent, text, Span::new(lead.start, span.end));
        }
        let lead_end = self
            .trivia
            .tight_end(Span::new(lead.start, cond.span.start));
        let lead_span = Span::new(lead.start, lead_end.max(lead.start));
        lines.push(Line::new(lead.indent, lead.text.trim_end(), lead_span));
        Line::new(lead.cont, text, span)
    }
}

/// What comes before a condition on its first line (`block import where `,
/// `unless `, `let NAME = `), where that starts in the source, the line's
/// indentation, and the indentation of the lines that continue it.
pub(super) struct Lead {
    pub text: String,
    pub start: usize,
    pub indent: usize,
    pub cont: usize,
}

/// Columns taken by `text`.
pub(super) fn width(text: &str) -> usize {
    text.chars().count()
}

fn test_text(test: &Test) -> String {
    match test {
        Test::Compare(op, value) => format!("{} {}", op.as_str(), expr(value)),
        Test::In(value) => format!("in {}", expr(value)),
        Test::NotIn(value) => format!("not in {}", expr(value)),
        Test::IsMissing => "is missing".to_string(),
        Test::IsPresent => "is present".to_string(),
        Test::Contains(value) => format!("contains {}", expr(value)),
        Test::ContainsAny(value) => format!("contains any {}", expr(value)),
        Test::StartsWith(value) => format!("starts with {}", expr(value)),
        Test::StartsWithAny(value) => format!("starts with any {}", expr(value)),
        Test::EndsWith(value) => format!("ends with {}", expr(value)),
        Test::EndsWithAny(value) => format!("ends with any {}", expr(value)),
        Test::ContainsWord(value) => format!("contains word {}", expr(value)),
        Test::ContainsAnyWord(value) => format!("contains any word {}", expr(value)),
        Test::Matches(value) => format!("matches {}", expr(value)),
    }
}

pub(super) fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Path(segments) => segments
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join("."),
        ExprKind::Symbol(word) => word.clone(),
        ExprKind::Literal(literal) => literal_text(literal),
        ExprKind::List(items) => format!(
            "[{}]",
            items.iter().map(expr).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Arith(a, op, b) => format!("{} {} {}", expr(a), op.as_str(), expr(b)),
    }
}

/// Numbers, dates and money as written (`15_500` stays); strings re-escaped.
pub(super) fn literal_text(literal: &Literal) -> String {
    match &literal.kind {
        LiteralKind::Str(s) => quote(s),
        LiteralKind::Number(n) | LiteralKind::Date(n) => n.clone(),
        LiteralKind::Money { amount, currency } => format!("{amount} {currency}"),
        LiteralKind::Bool(b) => b.to_string(),
        LiteralKind::Percent(n) => format!("{n}%"),
    }
}

/// A string literal: `"` and `\` escaped, newlines and tabs as `\n` and `\t`.
pub(super) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
