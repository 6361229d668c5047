//! Comparisons of computed values: arithmetic on numbers and money, a field
//! against another field, a `match` that yields a number or money. Both
//! evaluation paths call [`holds`], each reading the listing its own way
//! through [`Reader`], so they cannot disagree.

use std::cmp::Ordering;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::date::parse_listing_date;
use super::error::{EvalError, Fault};
use super::value::holds as ordered;
use serde_json::Value as Json;

use crate::json::{Node, View, describe};
use crate::money::{Money, MoneyError, Rates, exact_mul};
use crate::plan::{ArithOp, CmpOp, Comparison, Plan, Term, Value};
use crate::zone::Zone;

type Failed = Box<EvalError>;

/// How a path reads a listing's fields and derived values; each reports a
/// field it cannot read (a path through a value that is not an object).
pub(super) trait Reader<'a, N: Node + 'a> {
    fn field(&self, plan: &Plan, slot: usize) -> Result<Option<&'a N>, Failed>;
    fn derived<'p>(&self, plan: &'p Plan, index: usize) -> Result<Option<&'p Json>, Failed>;
}

/// A computed value.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Text(String),
    Number(Decimal),
    Money(Money),
    Date(NaiveDate),
    Bool(bool),
}

impl Val {
    fn kind(&self) -> &'static str {
        match self {
            Val::Text(_) => "text",
            Val::Number(_) => "a number",
            Val::Money(_) => "money",
            Val::Date(_) => "a date",
            Val::Bool(_) => "a boolean",
        }
    }
}

/// Whether the comparison holds for the listing. A missing value on either
/// side makes it false, and `!=` true.
pub(super) fn holds<'a, N: Node + 'a>(
    plan: &Plan,
    comparison: &Comparison,
    reader: &impl Reader<'a, N>,
) -> Result<bool, Failed> {
    let left = value(plan, &comparison.left, reader)?;
    let right = value(plan, &comparison.right, reader)?;
    let (Some(left), Some(right)) = (left, right) else {
        return Ok(comparison.op == CmpOp::Ne);
    };
    let name = || term_name(plan, &comparison.left);
    let ordering = order(plan.rates(), plan.zone(), &left, &right)
        .map_err(|fault| Box::new(EvalError::new(fault, name())))?;
    match ordering {
        Some(ordering) => Ok(ordered(comparison.op, ordering)),
        // Text and booleans are equal or not; `<` on them is refused by the checker.
        None => match comparison.op {
            CmpOp::Eq => Ok(left == right),
            CmpOp::Ne => Ok(left != right),
            _ => Err(Box::new(EvalError::new(
                Fault::WrongType {
                    found: left.kind().into(),
                    expected: "a number, money or a date",
                },
                name(),
            ))),
        },
    }
}

/// The name a failure reports: the first field or derived value the term reads.
fn term_name(plan: &Plan, term: &Term) -> String {
    plan.term_name(term)
}

fn value<'a, N: Node + 'a>(
    plan: &Plan,
    term: &Term,
    reader: &impl Reader<'a, N>,
) -> Result<Option<Val>, Failed> {
    let field_error = |name: &str, fault: Box<Fault>| Box::new(EvalError::new(*fault, name));
    match term {
        Term::Const(value) => Ok(Some(constant(value))),
        Term::Field(path) => match reader.field(plan, path.slot)? {
            Some(node) => read(node)
                .map(Some)
                .map_err(|f| field_error(&path.dotted, f)),
            None => Ok(None),
        },
        Term::Derived(index) => match reader.derived(plan, *index)? {
            Some(json) => {
                let name = plan.derived().get(*index).map_or("", |d| d.name.as_str());
                read(json).map(Some).map_err(|f| field_error(name, f))
            }
            None => Ok(None),
        },
        Term::Arith(a, op, b) => {
            let (Some(x), Some(y)) = (value(plan, a, reader)?, value(plan, b, reader)?) else {
                return Ok(None);
            };
            arith(plan.rates(), x, *op, y)
                .map(Some)
                .map_err(|fault| Box::new(EvalError::new(fault, term_name(plan, term))))
        }
    }
}

fn constant(value: &Value) -> Val {
    match value {
        Value::Text(t) => Val::Text(t.clone()),
        Value::Number(n) => Val::Number(*n),
        Value::Money(m) => Val::Money(m.clone()),
        Value::Date(d) => Val::Date(*d),
        Value::Bool(b) => Val::Bool(*b),
    }
}

/// A listing's value as a computed one: money is `{"amount": N, "currency": "C"}`.
fn read<N: Node>(node: &N) -> Result<Val, Box<Fault>> {
    let wrong = || {
        Box::new(Fault::WrongType {
            found: describe(node),
            expected: "a number, money, text, a date or a boolean",
        })
    };
    Ok(match node.view() {
        View::Str(s) => Val::Text(s.to_string()),
        View::Bool(b) => Val::Bool(b),
        View::Number(n) => Val::Number(n.decimal().ok_or(Fault::Overflow)?),
        View::Object => match (
            node.get("amount").map(Node::view),
            node.get("currency").map(Node::view),
        ) {
            (Some(View::Number(n)), Some(View::Str(c))) => {
                Val::Money(Money::new(n.decimal().ok_or(Fault::Overflow)?, c))
            }
            _ => return Err(wrong()),
        },
        _ => return Err(wrong()),
    })
}

/// `x OP y`, exactly: money and numbers as decimals; money in another
/// currency converted by the rates into the left one's.
fn arith(rates: &Rates, x: Val, op: ArithOp, y: Val) -> Result<Val, Fault> {
    let overflow = || Fault::Overflow;
    let zero = |d: &Decimal| {
        if d.is_zero() {
            Err(Fault::DivisionByZero)
        } else {
            Ok(())
        }
    };
    Ok(match (x, op, y) {
        (Val::Number(a), ArithOp::Add, Val::Number(b)) => {
            Val::Number(a.checked_add(b).ok_or_else(overflow)?)
        }
        (Val::Number(a), ArithOp::Sub, Val::Number(b)) => {
            Val::Number(a.checked_sub(b).ok_or_else(overflow)?)
        }
        (Val::Number(a), ArithOp::Mul, Val::Number(b)) => {
            Val::Number(exact_mul(a, b).ok_or_else(overflow)?)
        }
        (Val::Number(a), ArithOp::Div, Val::Number(b)) => {
            zero(&b)?;
            Val::Number(a.checked_div(b).ok_or_else(overflow)?)
        }
        (Val::Money(m), ArithOp::Mul, Val::Number(n))
        | (Val::Number(n), ArithOp::Mul, Val::Money(m)) => Val::Money(Money::new(
            exact_mul(m.amount, n).ok_or_else(overflow)?,
            m.currency,
        )),
        (Val::Money(m), ArithOp::Div, Val::Number(n)) => {
            zero(&n)?;
            Val::Money(Money::new(
                m.amount.checked_div(n).ok_or_else(overflow)?,
                m.currency,
            ))
        }
        (Val::Money(a), op @ (ArithOp::Add | ArithOp::Sub | ArithOp::Div), Val::Money(b)) => {
            let b_amount = convert(rates, &b, &a.currency)?;
            match op {
                ArithOp::Add => Val::Money(Money::new(
                    a.amount.checked_add(b_amount).ok_or_else(overflow)?,
                    a.currency,
                )),
                ArithOp::Sub => Val::Money(Money::new(
                    a.amount.checked_sub(b_amount).ok_or_else(overflow)?,
                    a.currency,
                )),
                _ => {
                    zero(&b_amount)?;
                    Val::Number(a.amount.checked_div(b_amount).ok_or_else(overflow)?)
                }
            }
        }
        (x, op, y) => {
            return Err(Fault::Arithmetic {
                problem: format!("cannot compute {} {} {}", x.kind(), op.as_str(), y.kind()),
            });
        }
    })
}

/// `money`'s amount in `currency`.
fn convert(rates: &Rates, money: &Money, currency: &str) -> Result<Decimal, Fault> {
    if money.currency == currency {
        return Ok(money.amount);
    }
    let no_rate = || Fault::NoRate {
        from: money.currency.clone(),
        to: currency.to_string(),
    };
    let (from, to) = match (rates.worth.get(&money.currency), rates.worth.get(currency)) {
        (Some(from), Some(to)) if from.group == to.group => (from, to),
        _ => return Err(no_rate()),
    };
    // amount * from / to, as (amount * from.num * to.den) / (from.den * to.num).
    let num = [from.num, to.den]
        .iter()
        .try_fold(money.amount, |acc, f| exact_mul(acc, *f))
        .ok_or(Fault::Overflow)?;
    let den = exact_mul(from.den, to.num).ok_or(Fault::Overflow)?;
    if den.is_zero() {
        return Err(no_rate());
    }
    num.checked_div(den).ok_or(Fault::Overflow)
}

/// The order of two values where they have one; `None` for text and booleans.
fn order(rates: &Rates, zone: Zone, x: &Val, y: &Val) -> Result<Option<Ordering>, Fault> {
    Ok(Some(match (x, y) {
        (Val::Number(a), Val::Number(b)) => a.cmp(b),
        (Val::Money(a), Val::Money(b)) => {
            crate::money::compare(rates, a.amount, &a.currency, b, &[]).map_err(|e| match e {
                MoneyError::NoRate { from, to } => Fault::NoRate { from, to },
                MoneyError::Overflow => Fault::Overflow,
            })?
        }
        // A plain number is taken in the money's currency, as plain tests take it.
        (Val::Number(n), Val::Money(m)) => n.cmp(&m.amount),
        (Val::Money(m), Val::Number(n)) => m.amount.cmp(n),
        (Val::Date(a), Val::Date(b)) => a.cmp(b),
        (Val::Date(a), Val::Text(t)) => a.cmp(&date(t, zone)?),
        (Val::Text(t), Val::Date(b)) => date(t, zone)?.cmp(b),
        (Val::Text(a), Val::Text(b)) => {
            match (parse_listing_date(a, zone), parse_listing_date(b, zone)) {
                (Some(a), Some(b)) => a.cmp(&b),
                _ => return Ok(None),
            }
        }
        (Val::Bool(_), Val::Bool(_)) => return Ok(None),
        (x, y) => {
            return Err(Fault::WrongType {
                found: format!("{}, compared with {}", x.kind(), y.kind()),
                expected: "values of one kind",
            });
        }
    }))
}

fn date(text: &str, zone: Zone) -> Result<NaiveDate, Fault> {
    parse_listing_date(text, zone).ok_or_else(|| Fault::BadDate {
        found: format!("{text:?}"),
    })
}
