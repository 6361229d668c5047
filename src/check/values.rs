//! Literals converted to values, and names on the right of a test resolved.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{CheckError, Checker};
use crate::plan::{Money, Value};
use crate::source::FileId;
use crate::syntax::{Span, ast};

/// Where a value was written: its file and span.
pub type At = (FileId, Span);

/// What a value `let` stands for once resolved, each value with its place.
#[derive(Debug, Clone, PartialEq)]
pub enum LetValue {
    Scalar(Value, At),
    List(Vec<(Value, At)>),
    /// Already reported.
    Invalid,
}

/// `1_500_000` → 1500000, if `_` only ever sits between digits.
pub fn parse_number(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    let misplaced = bytes
        .windows(2)
        .any(|w| matches!(w, [a, b] if (*a == b'_' || *b == b'_') && !(a.is_ascii_digit() || b.is_ascii_digit())))
        || text.ends_with('_')
        || text.contains("_.")
        || text.contains("._");
    if misplaced {
        return None;
    }
    Decimal::from_str(&text.replace('_', "")).ok()
}

pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

impl<'a> Checker<'a> {
    pub(super) fn number(&mut self, text: &str, span: Span) -> Option<Decimal> {
        let number = parse_number(text);
        if number.is_none() {
            self.error(CheckError::InvalidNumber {
                text: text.to_string(),
                span,
            });
        }
        number
    }

    pub(super) fn date(&mut self, literal: &ast::Literal) -> Option<NaiveDate> {
        match &literal.kind {
            ast::LiteralKind::Date(text) => {
                let date = parse_date(text);
                if date.is_none() {
                    self.error(CheckError::InvalidDate {
                        text: text.clone(),
                        span: literal.span,
                    });
                }
                date
            }
            _ => None,
        }
    }

    pub(super) fn literal(&mut self, literal: &ast::Literal) -> Option<Value> {
        Some(match &literal.kind {
            ast::LiteralKind::Str(s) => Value::Text(s.clone()),
            ast::LiteralKind::Bool(b) => Value::Bool(*b),
            ast::LiteralKind::Number(text) => Value::Number(self.number(text, literal.span)?),
            ast::LiteralKind::Date(_) => Value::Date(self.date(literal)?),
            ast::LiteralKind::Percent(text) => {
                let n = self.number(text, literal.span)?;
                Value::Number(n / rust_decimal::Decimal::ONE_HUNDRED)
            }
            ast::LiteralKind::Money { amount, currency } => {
                let amount = self.number(amount, literal.span)?;
                self.money_used
                    .push((self.file, currency.clone(), literal.span));
                Value::Money(Money::new(amount, currency.clone()))
            }
        })
    }

    /// The value on the right of a test: a literal, a list, a value `let`, or a
    /// bare word standing for itself (a symbol).
    pub(super) fn rhs(&mut self, expr: &ast::Expr) -> LetValue {
        match &expr.kind {
            ast::ExprKind::Literal(l) => {
                let at = (self.file, l.span);
                self.literal(l)
                    .map_or(LetValue::Invalid, |v| LetValue::Scalar(v, at))
            }
            ast::ExprKind::Symbol(s) => {
                LetValue::Scalar(Value::Text(s.clone()), (self.file, expr.span))
            }
            ast::ExprKind::List(items) => self.list(items),
            ast::ExprKind::Arith(..) => {
                self.error(CheckError::Invalid {
                    message: "arithmetic is only compared, with `==`, `!=`, `<`, `<=`, `>` or `>=`"
                        .into(),
                    span: expr.span,
                    label: "arithmetic here".into(),
                    help: Some(
                        "write it in a comparison, e.g. `price / pack_size < 100 USD`".into(),
                    ),
                });
                LetValue::Invalid
            }
            ast::ExprKind::Path(path) => match path.as_slice() {
                [word] => self.word_value(word),
                _ => {
                    self.error(CheckError::Invalid {
                        message: "a field can only be compared with a value, not with another field".into(),
                        span: expr.span,
                        label: "a field".into(),
                        help: Some("write a value here: a string, a number, money, a date, a list or a bare word".into()),
                    });
                    LetValue::Invalid
                }
            },
        }
    }

    fn word_value(&mut self, word: &ast::Ident) -> LetValue {
        let name = word.name.as_str();
        if self.names.lets.contains_key(name) {
            return self.let_value(name, word.span);
        }
        if self.names.is_subject(name) {
            self.wrong_kind(name, "a subject", "a value", word.span, None);
            return LetValue::Invalid;
        }
        LetValue::Scalar(Value::Text(name.to_string()), (self.file, word.span))
    }

    fn list(&mut self, items: &[ast::Expr]) -> LetValue {
        let mut values: Vec<(Value, At)> = Vec::with_capacity(items.len());
        let mut first_kind: Option<(&'static str, Span)> = None;
        for item in items {
            let (value, at) = match self.rhs(item) {
                LetValue::Scalar(v, at) => (v, at),
                LetValue::List(_) => {
                    self.error(CheckError::Invalid {
                        message: "a list cannot hold another list".into(),
                        span: item.span,
                        label: "a list".into(),
                        help: Some("write the values one after another: `[a, b, c]`".into()),
                    });
                    return LetValue::Invalid;
                }
                LetValue::Invalid => return LetValue::Invalid,
            };
            let kind = value.kind();
            match first_kind {
                Some((first, _)) if first != kind => {
                    self.error(CheckError::TypeMismatch {
                        problem: format!("a list mixes {first} and {kind}"),
                        span: item.span,
                        label: kind.to_string(),
                        help: Some(format!(
                            "every value of a list must be of one kind; the first is {first}"
                        )),
                    });
                    return LetValue::Invalid;
                }
                None => first_kind = Some((kind, item.span)),
                _ => {}
            }
            values.push((value, at));
        }
        LetValue::List(values)
    }

    /// Resolves a value `let` by name, once.
    pub(super) fn let_value(&mut self, name: &str, use_span: Span) -> LetValue {
        let Some(&(file, decl)) = self.names.lets.get(name) else {
            return LetValue::Invalid;
        };
        if let Some(value) = self.resolved_values.get(decl.name.name.as_str()) {
            return value.clone();
        }
        let expr = match &decl.value {
            ast::LetValue::Value(expr) => expr,
            ast::LetValue::Condition(_) => {
                self.wrong_kind(
                    name,
                    "a condition",
                    "a value",
                    use_span,
                    Some((file, decl.name.span)),
                );
                return LetValue::Invalid;
            }
            ast::LetValue::Match(_) => {
                self.wrong_kind(
                    name,
                    "a derived field",
                    "a value",
                    use_span,
                    Some((file, decl.name.span)),
                );
                return LetValue::Invalid;
            }
        };
        if self.enter(&decl.name.name, use_span) {
            return LetValue::Invalid;
        }
        let outer = std::mem::replace(&mut self.file, file);
        let value = match &expr.kind {
            ast::ExprKind::Path(path) if path.len() > 1 => {
                self.wrong_kind(
                    name,
                    "a field",
                    "a value",
                    use_span,
                    Some((file, decl.name.span)),
                );
                LetValue::Invalid
            }
            _ => self.rhs(expr),
        };
        self.file = outer;
        self.leave();
        self.resolved_values.insert(&decl.name.name, value.clone());
        value
    }

    /// Marks `name` as being resolved; true (and an error) if it already was.
    pub(super) fn enter(&mut self, name: &'a str, span: Span) -> bool {
        if self.resolving.len() >= crate::syntax::limits::MAX_NESTING {
            self.error(CheckError::TooDeep {
                name: name.to_string(),
                span,
            });
            return true;
        }
        if let Some(pos) = self.resolving.iter().position(|(n, _)| *n == name) {
            let mut cycle: Vec<&str> = self.resolving.iter().skip(pos).map(|(n, _)| *n).collect();
            cycle.push(name);
            self.error(CheckError::Cycle {
                name: name.to_string(),
                cycle: cycle.join(" → "),
                span,
            });
            return true;
        }
        self.resolving.push((name, span));
        false
    }

    pub(super) fn leave(&mut self) {
        self.resolving.pop();
    }

    pub(super) fn wrong_kind(
        &mut self,
        name: &str,
        what: &'static str,
        expected: &'static str,
        span: Span,
        defined: Option<(usize, Span)>,
    ) {
        let (defined, help) = match defined {
            Some((file, at)) if file == self.file => (Some(at), None),
            Some((file, at)) => (
                None,
                Some(format!(
                    "`{name}` is defined at {}",
                    self.location(file, at)
                )),
            ),
            None => (None, None),
        };
        self.error(CheckError::WrongKind {
            name: name.to_string(),
            what,
            expected,
            span,
            defined,
            help,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn numbers_take_underscores_between_digits_only() {
        assert_eq!(
            parse_number("1_500_000").map(|d| d.to_string()),
            Some("1500000".into())
        );
        assert_eq!(
            parse_number("12.5").map(|d| d.to_string()),
            Some("12.5".into())
        );
        assert_eq!(parse_number("1__0"), None);
        assert_eq!(parse_number("10_"), None);
        assert_eq!(parse_number("1_.5"), None);
    }
}
