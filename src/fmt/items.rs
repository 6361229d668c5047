//! One printer per kind of item: each returns the item's lines with the source range
//! of every line, for the comments to find their places.

use super::Printer;
use super::cond::{Lead, expr, literal_text, quote, width};
use super::doc::{Block, Line, WIDTH};
use crate::syntax::Span;
use crate::syntax::ast::{
    ExpectKind, Expected, Expr, ExprKind, FieldKind, Header, Ident, Item, Let, LetValue, Literal,
    Match, Rate, Rule, Schema, SubjectDecl, TestBlock,
};

/// Indentation of a clause, a header field, a test line or a `match` arm.
const INDENT: usize = 2;

impl Printer<'_> {
    pub fn block(&self, item: &Item) -> Block {
        let span = self.trivia.tight(item.span());
        let (lines, groupable) = match item {
            Item::Header(h) => (self.header(h), false),
            Item::Rate(r) => (vec![rate(r, span)], true),
            Item::Timezone(t) => (
                vec![Line::new(
                    0,
                    format!("timezone {}", quote(&t.name.value)),
                    span,
                )],
                true,
            ),
            Item::Let(l) => (self.let_decl(l, span), true),
            Item::Subject(s) => (self.subject(s), true),
            Item::Schema(s) => (self.schema(s, span), false),
            Item::Rule(r) => (self.rule(r), false),
            Item::Test(t) => (self.test(t, span), false),
        };
        Block {
            lines,
            span,
            groupable,
        }
    }

    fn header(&self, h: &Header) -> Vec<Line> {
        let head = format!("policy {}", quote(&h.name.value));
        let mut lines = vec![Line::new(0, head, Span::new(h.span.start, h.name.span.end))];
        for (word, field) in [("title", &h.title), ("source", &h.source)] {
            if let Some(text) = field {
                let start = self.trivia.keyword_before(text.span.start, word);
                let line = format!("{word} {}", quote(&text.value));
                lines.push(Line::new(INDENT, line, Span::new(start, text.span.end)));
            }
        }
        lines
    }

    fn let_decl(&self, l: &Let, span: Span) -> Vec<Line> {
        let prefix = format!("let {} = ", l.name.name);
        match &l.value {
            LetValue::Condition(c) => self.cond_lines(top_level(prefix, span.start), c),
            LetValue::Match(m) => self.match_lines(prefix, span.start, m),
            LetValue::Value(Expr {
                kind: ExprKind::List(items),
                span: list,
            }) => self.list_lines(prefix, span.start, items, *list),
            LetValue::Value(value) => vec![Line::new(0, prefix + &expr(value), span)],
        }
    }

    /// A list on one line, or, if written over several lines or too long for one,
    /// as a block: one line per line the author wrote (filled to the width if it
    /// was written on one), each ending in a comma.
    fn list_lines(&self, prefix: String, start: usize, items: &[Expr], list: Span) -> Vec<Line> {
        let list = self.trivia.tight(list);
        let texts: Vec<String> = items.iter().map(expr).collect();
        let one = format!("{prefix}[{}]", texts.join(", "));
        let groups = if items.is_empty() {
            Vec::new()
        } else if self.trivia.multi_line(list) {
            self.written_groups(items)
        } else if width(&one) > WIDTH {
            filled_groups(&texts)
        } else {
            Vec::new()
        };
        if groups.is_empty() {
            return vec![Line::new(0, one, Span::new(start, list.end))];
        }
        let mut lines = vec![Line::new(
            0,
            format!("{prefix}["),
            Span::new(start, list.start + 1),
        )];
        for group in groups {
            let (Some(first), Some(last), Some(texts)) = (
                items.get(group.start),
                items.get(group.end.saturating_sub(1)),
                texts.get(group),
            ) else {
                continue;
            };
            let last = self.past_comma(self.trivia.tight_end(last.span));
            let text = format!("{},", texts.join(", "));
            lines.push(Line::new(INDENT, text, Span::new(first.span.start, last)));
        }
        lines.push(closing("]", list));
        lines
    }

    /// The items of a list grouped by the source line they start on.
    fn written_groups(&self, items: &[Expr]) -> Vec<std::ops::Range<usize>> {
        let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
        let mut line = None;
        for (n, item) in items.iter().enumerate() {
            let here = self.trivia.line_of(item.span.start);
            match groups.last_mut() {
                Some(group) if line == Some(here) => group.end = n + 1,
                _ => groups.push(n..n + 1),
            }
            line = Some(here);
        }
        groups
    }

    /// `end`, or just after the comma that follows it: a comment after an arm's or
    /// a list line's comma trails that line.
    fn past_comma(&self, end: usize) -> usize {
        let next = self.trivia.skip_forward(end);
        if self.trivia.src.as_bytes().get(next) == Some(&b',') {
            next + 1
        } else {
            end
        }
    }

    fn match_lines(&self, prefix: String, start: usize, m: &Match) -> Vec<Line> {
        let brace = self
            .trivia
            .skip_forward(self.trivia.tight_end(m.scrutinee.span));
        let head = format!("{prefix}match {} {{", expr(&m.scrutinee));
        let mut lines = vec![Line::new(0, head, Span::new(start, brace + 1))];
        for arm in &m.arms {
            let keys = match &arm.keys {
                Some(keys) => keys.iter().map(expr).collect::<Vec<_>>().join(", "),
                None => "else".to_string(),
            };
            let end = self.past_comma(self.trivia.tight_end(arm.span));
            let text = format!("{keys} => {},", expr(&arm.value));
            lines.push(Line::new(INDENT, text, Span::new(arm.span.start, end)));
        }
        lines.push(closing("}", self.trivia.tight(m.span)));
        lines
    }

    /// `schema {`, one field a line, `}`; a long `one of` list broken over
    /// lines as a `let` list is.
    fn schema(&self, s: &Schema, span: Span) -> Vec<Line> {
        let mut lines = vec![Line::new(
            0,
            "schema {",
            Span::new(span.start, span.start + 1),
        )];
        for field in &s.fields {
            let path: Vec<&str> = field.path.iter().map(|i| i.name.as_str()).collect();
            let prefix = format!("{}: ", path.join("."));
            match &field.kind {
                FieldKind::OneOf(items) => {
                    let list = Span::new(
                        items.first().map_or(field.span.end, |i| i.span.start),
                        field.span.end,
                    );
                    let list = self.list_span(list);
                    for mut line in
                        self.list_lines(prefix + "one of ", field.span.start, items, list)
                    {
                        line.indent += INDENT;
                        line.comment_indent += INDENT;
                        lines.push(line);
                    }
                }
                kind => {
                    let span = self.trivia.tight(field.span);
                    lines.push(Line::new(INDENT, prefix + kind.name(), span));
                }
            }
        }
        lines.push(closing("}", span));
        lines
    }

    /// The span of a `one of` list: from its `[` to its `]`.
    fn list_span(&self, around: Span) -> Span {
        let src = self.trivia.src;
        let start = src
            .get(..around.start)
            .and_then(|s| s.rfind('['))
            .unwrap_or(around.start);
        Span::new(start, self.trivia.tight_end(around))
    }

    fn subject(&self, s: &SubjectDecl) -> Vec<Line> {
        let prefix = format!("subject {} = ", s.name.name);
        self.cond_lines(top_level(prefix, s.span.start), &s.condition)
    }

    /// `rule NAME [overrides ...]`, then the action line and the clauses in a fixed
    /// order; an unnamed rule starts with its action line, at column 0.
    fn rule(&self, r: &Rule) -> Vec<Line> {
        let mut lines: Vec<Line> = r.name.iter().map(|name| rule_head(r, name)).collect();
        let indent = if r.name.is_some() { INDENT } else { 0 };
        let action = format!("{} {}", r.action.as_str(), r.subject.name);
        let start = r.action_span.start;
        match &r.condition {
            Some(c) => {
                let lead = clause_lead(format!("{action} where "), start, indent);
                lines.extend(self.cond_lines(lead, c));
            }
            None => {
                let span = Span::new(start, r.subject.span.end);
                lines.push(Line::new(indent, action, span));
            }
        }
        if let Some(c) = &r.unless {
            let start = self.trivia.keyword_before(c.span.start, "unless");
            lines.extend(self.cond_lines(clause_lead("unless ".into(), start, INDENT), c));
        }
        if let Some(text) = &r.because {
            lines.push(self.keyword_line("because", &quote(&text.value), text.span));
        }
        for (word, date) in [("effective", &r.effective), ("until", &r.until)] {
            if let Some(date) = date {
                lines.push(self.date_line(word, date));
            }
        }
        lines
    }

    /// `test "NAME" {`, then `at`, `given` (its JSON as written), `expect`, `}`.
    fn test(&self, t: &TestBlock, span: Span) -> Vec<Line> {
        let brace = self.trivia.skip_forward(t.name.span.end);
        let head = format!("test {} {{", quote(&t.name.value));
        let mut lines = vec![Line::new(0, head, Span::new(span.start, brace + 1))];
        if let Some(at) = &t.at {
            lines.push(self.date_line("at", at));
        }
        lines.push(self.keyword_line("given", &t.given.value, t.given.span));
        for expectation in &t.expects {
            let text = expect_text(&expectation.kind);
            lines.push(Line::new(INDENT, text, self.trivia.tight(expectation.span)));
        }
        lines.push(closing("}", span));
        lines
    }

    fn date_line(&self, word: &str, date: &Literal) -> Line {
        self.keyword_line(word, &literal_text(date), date.span)
    }

    /// `WORD VALUE` indented as a clause; its range starts at the keyword.
    fn keyword_line(&self, word: &str, value: &str, span: Span) -> Line {
        let start = self.trivia.keyword_before(span.start, word);
        Line::new(
            INDENT,
            format!("{word} {value}"),
            Span::new(start, span.end),
        )
    }
}

/// One `expect` line as the layout writes it.
fn expect_text(kind: &ExpectKind) -> String {
    match kind {
        ExpectKind::Decision { outcome, by } => {
            let outcome = match outcome {
                Expected::Action(action) => action.as_str(),
                Expected::Error => "error",
            };
            match by.as_slice() {
                [] => format!("expect {outcome}"),
                by => {
                    let names: Vec<&str> = by.iter().map(|b| b.name.as_str()).collect();
                    format!("expect {outcome} by {}", names.join(", "))
                }
            }
        }
        ExpectKind::Applies {
            rule,
            applies: true,
        } => format!("expect {} applies", rule.name),
        ExpectKind::Applies {
            rule,
            applies: false,
        } => {
            format!("expect {} does not apply", rule.name)
        }
        ExpectKind::Suppressed { rule, by } => match by {
            Some(by) => format!("expect {} is suppressed by {}", rule.name, by.name),
            None => format!("expect {} is suppressed", rule.name),
        },
    }
}

/// `rule NAME [overrides A, B]`.
fn rule_head(r: &Rule, name: &Ident) -> Line {
    let mut text = format!("rule {}", name.name);
    let mut end = name.span.end;
    if let Some(last) = r.overrides.last() {
        let names: Vec<&str> = r.overrides.iter().map(|o| o.name.as_str()).collect();
        text = format!("{text} overrides {}", names.join(", "));
        end = last.span.end;
    }
    Line::new(0, text, Span::new(r.span.start, end))
}

/// A condition of a `let` or `subject`, at column 0.
fn top_level(text: String, start: usize) -> Lead {
    Lead {
        text,
        start,
        indent: 0,
        cont: INDENT,
    }
}

/// A rule's condition: its continuation lines are indented two more than clauses,
/// so that they cannot be taken for one.
fn clause_lead(text: String, start: usize, indent: usize) -> Lead {
    Lead {
        text,
        start,
        indent,
        cont: INDENT * 2,
    }
}

fn rate(r: &Rate, span: Span) -> Line {
    let text = format!(
        "rate {} = {} {}",
        r.currency.name,
        literal_text(&r.amount),
        r.per.name
    );
    Line::new(0, text, span)
}

/// A closing bracket at column 0 ending `span`; comments before it are indented
/// like the lines inside.
fn closing(bracket: &str, span: Span) -> Line {
    let mut line = Line::new(0, bracket, Span::new(span.end.saturating_sub(1), span.end));
    line.comment_indent = INDENT;
    line
}

/// The items of a list written on one line but too long for it, filled to the width.
fn filled_groups(texts: &[String]) -> Vec<std::ops::Range<usize>> {
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    let mut used = 0;
    for (n, text) in texts.iter().enumerate() {
        let extra = width(text) + 2; // the item and ", " or the final ","
        match groups.last_mut() {
            Some(group) if INDENT + used + extra <= WIDTH + 1 => {
                group.end = n + 1;
                used += extra;
            }
            _ => {
                groups.push(n..n + 1);
                used = extra;
            }
        }
    }
    groups
}
