//! The typed intermediate form between a plan and SQL text: what every dialect
//! can say, so that a dialect is one renderer ([`super::render`]).

use rust_decimal::Decimal;

use crate::plan::CmpOp;

/// A SQL expression. Boolean ones built by [`super::lower`] are never NULL:
/// a missing field makes a test false, as in akar, never unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column of the listings table, nested fields as struct fields.
    Column(Vec<String>),
    /// A column of the query's own working rows (`r0`, `e`, ...).
    Local(String),
    Text(String),
    Number(Decimal),
    Bool(bool),
    Null,
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    /// `a OP b` as SQL says it: NULL when either side is.
    Compare(Box<Expr>, CmpOp, Box<Expr>),
    IsNull(Box<Expr>),
    /// The first that is not NULL.
    Coalesce(Vec<Expr>),
    /// `CASE WHEN .. THEN .. ELSE .. END`.
    Case(Vec<(Expr, Expr)>, Box<Expr>),
    /// `a IN (..)`: NULL when `a` is.
    In(Box<Expr>, Vec<Expr>),
    Lower(Box<Expr>),
    /// Substring, prefix and suffix tests of text (NULL when it is NULL).
    Has(Box<Expr>, Text, String),
    /// Whether the text holds a match of the pattern (RE2 and Java alike read it).
    Regex(Box<Expr>, String),
    /// Whether a list of text holds this exact value.
    ListHas(Box<Expr>, String),
    /// Texts joined; NULL when any is.
    Concat(Vec<Expr>),
    /// The values that are not NULL, in order, as a list.
    ListOf(Vec<Expr>),
    /// A struct of named values (a `suppressed` or `notices` item).
    Record(Vec<(String, Expr)>),
    /// The text as a JSON string, as akar's messages quote values.
    JsonText(Box<Expr>),
    /// The day of an RFC 3339 date or date-time text, in a time zone (see
    /// [`super::render`]); text that [`Expr::IsDate`] accepts.
    DayOf(Box<Expr>, String),
    /// Whether the text is a date as akar reads dates.
    IsDate(Box<Expr>),
    Date(chrono::NaiveDate),
    /// A column times a constant, exactly: the column narrowed to
    /// `DECIMAL(28,10)`, the constant of at most 9 digits.
    Times(Box<Expr>, Decimal),
    /// A number widened to `DECIMAL(38,20)`, so that both sides of a computed
    /// comparison have one type and no engine rounds either.
    Wide(Box<Expr>),
}

/// Where in the text [`Expr::Has`] looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Anywhere,
    Start,
    End,
}

impl Expr {
    pub fn col(path: &[String]) -> Expr {
        Expr::Column(path.to_vec())
    }

    pub fn text(s: impl Into<String>) -> Expr {
        Expr::Text(s.into())
    }

    pub fn not(self) -> Expr {
        match self {
            Expr::Bool(b) => Expr::Bool(!b),
            Expr::Not(inner) => *inner,
            other => Expr::Not(Box::new(other)),
        }
    }

    pub fn null_test(self) -> Expr {
        Expr::IsNull(Box::new(self))
    }

    /// `self` or false when it is NULL.
    pub fn or_false(self) -> Expr {
        match self {
            b @ Expr::Bool(_) => b,
            other => Expr::Coalesce(vec![other, Expr::Bool(false)]),
        }
    }

    pub fn and(items: Vec<Expr>) -> Expr {
        let mut kept = Vec::new();
        for item in items {
            match item {
                Expr::Bool(true) => {}
                Expr::Bool(false) => return Expr::Bool(false),
                Expr::And(inner) => kept.extend(inner),
                other => kept.push(other),
            }
        }
        match kept.len() {
            0 => Expr::Bool(true),
            1 => kept.pop().unwrap_or(Expr::Bool(true)),
            _ => Expr::And(kept),
        }
    }

    pub fn or(items: Vec<Expr>) -> Expr {
        let mut kept = Vec::new();
        for item in items {
            match item {
                Expr::Bool(false) => {}
                Expr::Bool(true) => return Expr::Bool(true),
                Expr::Or(inner) => kept.extend(inner),
                other => kept.push(other),
            }
        }
        match kept.len() {
            0 => Expr::Bool(false),
            1 => kept.pop().unwrap_or(Expr::Bool(false)),
            _ => Expr::Or(kept),
        }
    }

    pub fn compare(a: Expr, op: CmpOp, b: Expr) -> Expr {
        Expr::Compare(Box::new(a), op, Box::new(b))
    }

    /// `CASE WHEN c THEN a ELSE b END`, folded when `c` is known.
    pub fn when(c: Expr, a: Expr, b: Expr) -> Expr {
        Expr::case(vec![(c, a)], b)
    }

    /// `CASE`, without the arms that cannot change its value: those whose
    /// condition is false, those after one that is true, and those at the end
    /// that give the `ELSE` value anyway.
    pub fn case(arms: Vec<(Expr, Expr)>, default: Expr) -> Expr {
        let mut kept: Vec<(Expr, Expr)> = Vec::new();
        let mut default = default;
        for (when, then) in arms {
            match when {
                Expr::Bool(false) => {}
                Expr::Bool(true) => {
                    default = then;
                    break;
                }
                when => kept.push((when, then)),
            }
        }
        loop {
            match kept.last() {
                Some((_, then)) if *then == default => {}
                // `WHEN x IS NOT NULL THEN x ELSE NULL` is `x`.
                Some((Expr::Not(inner), then))
                    if default == Expr::Null
                        && matches!(&**inner, Expr::IsNull(x) if **x == *then) =>
                {
                    default = then.clone();
                }
                _ => break,
            }
            kept.pop();
        }
        if kept.is_empty() {
            default
        } else {
            Expr::Case(kept, Box::new(default))
        }
    }
}
