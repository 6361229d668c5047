//! Reading fields from a listing and testing them.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::date::parse_listing_date;
use super::error::Fault;
use crate::json::{Node, View, describe};
use crate::money::{self, Conversion, MoneyError};
use crate::plan::{CmpOp, Derived, Needle, Rates, Test, Value, ValueSet};
use crate::zone::Zone;

/// Faults are rare: boxed, they keep every test's result two words wide.
pub(super) type Result<T> = std::result::Result<T, Box<Fault>>;

/// The value a `match` derives from its field's value; `None` when nothing applies.
pub fn derive<'a, N: Node>(
    derived: &'a Derived,
    value: Option<&N>,
) -> Option<&'a serde_json::Value> {
    derive_id(derived, value).and_then(|id| derived.values.get(id as usize))
}

/// As [`derive`], as an index into the derived field's values.
pub fn derive_id<N: Node>(derived: &Derived, value: Option<&N>) -> Option<u32> {
    let found = match value?.view() {
        View::Str(s) => derived.arms.get(s),
        View::Number(n) => n
            .decimal()
            .and_then(|d| derived.arms.get(d.normalize().to_string().as_str())),
        View::Bool(b) => derived.arms.get(if b { "true" } else { "false" }),
        _ => None,
    };
    found.copied().or(derived.default)
}

/// The key of the arm a value takes, as `derived.arms` holds keys; `None`
/// when no arm's key is the value (the `else` arm, or no arm at all).
pub fn arm_key<N: Node>(derived: &Derived, value: Option<&N>) -> Option<String> {
    let key = match value?.view() {
        View::Str(s) => s.to_string(),
        View::Number(n) => n.decimal()?.normalize().to_string(),
        View::Bool(b) => b.to_string(),
        _ => return None,
    };
    derived.arms.contains_key(&key).then_some(key)
}

/// Applies a test to a present value (missing values are handled by the caller).
pub fn apply<N: Node>(test: &Test, value: &N, rates: &Rates, zone: Zone) -> Result<bool> {
    match test {
        Test::Missing => Ok(false),
        Test::Compare(op, literal) => compare(*op, value, literal, rates, zone, &[]),
        Test::In(set) => member(value, set, rates, zone),
        Test::Contains(needle) => contains(value, needle),
        Test::ContainsAny(needles) => contains_any(value, needles),
        Test::StartsWithAny(needles) => any_needle(needles, |n| starts_with(value, n)),
        Test::EndsWith(needle) => ends_with(value, needle),
        Test::EndsWithAny(needles) => any_needle(needles, |n| ends_with(value, n)),
        Test::ContainsWord(needle) => text(value).map(|s| contains_word(s, &needle.lower)),
        Test::ContainsAnyWord(needles) => {
            text(value).map(|s| needles.iter().any(|n| contains_word(s, &n.lower)))
        }
        Test::Matches(pattern) => text(value).map(|s| pattern.regex.is_match(s)),
        Test::StartsWith(needle) => match value.view() {
            View::Str(s) => Ok(lower_starts_with(s, &needle.lower)),
            _ => Err(wrong(value, "text")),
        },
        Test::IsTrue => match value.view() {
            View::Bool(b) => Ok(b),
            _ => Err(wrong(value, "a boolean")),
        },
    }
}

/// `value OP literal`; a money literal may come with its `conversions`
/// precomputed (see [`money::conversions`]).
pub(super) fn compare<N: Node>(
    op: CmpOp,
    value: &N,
    literal: &Value,
    rates: &Rates,
    zone: Zone,
    conversions: &[Conversion],
) -> Result<bool> {
    let ordering = match literal {
        Value::Text(t) => match value.view() {
            View::Str(s) => return Ok(s == t),
            _ => return Err(wrong(value, "text")),
        },
        Value::Bool(b) => match value.view() {
            View::Bool(v) => return Ok(v == *b),
            _ => return Err(wrong(value, "a boolean")),
        },
        Value::Number(n) => match value.view() {
            View::Number(v) => v.decimal().ok_or_else(overflow)?.cmp(n),
            _ => return Err(wrong(value, "a number")),
        },
        Value::Money(m) => {
            let (amount, currency) = listing_money(value, &m.currency)?;
            money::compare(rates, amount, currency, m, conversions).map_err(|e| match e {
                MoneyError::NoRate { from, to } => Box::new(Fault::NoRate { from, to }),
                MoneyError::Overflow => overflow(),
            })?
        }
        Value::Date(d) => match value.view() {
            View::Str(s) => parse_listing_date(s, zone)
                .ok_or_else(|| {
                    Box::new(Fault::BadDate {
                        found: describe(value),
                    })
                })?
                .cmp(d),
            _ => return Err(wrong(value, "a date")),
        },
    };
    Ok(holds(op, ordering))
}

pub(super) fn holds(op: CmpOp, ordering: Ordering) -> bool {
    match op {
        CmpOp::Eq => ordering == Ordering::Equal,
        CmpOp::Ne => ordering != Ordering::Equal,
        CmpOp::Lt => ordering == Ordering::Less,
        CmpOp::Le => ordering != Ordering::Greater,
        CmpOp::Gt => ordering == Ordering::Greater,
        CmpOp::Ge => ordering != Ordering::Less,
    }
}

/// A listing's money: `{"amount": 185000, "currency": "IDR"}`, or a plain number
/// taken in the currency it is compared with.
fn listing_money<'a, N: Node>(
    value: &'a N,
    default_currency: &'a str,
) -> Result<(Decimal, &'a str)> {
    const EXPECTED: &str = "money (a number or {\"amount\": ..., \"currency\": \"...\"})";
    match value.view() {
        View::Number(n) => Ok((n.decimal().ok_or_else(overflow)?, default_currency)),
        View::Object => match (
            value.get("amount").map(Node::view),
            value.get("currency").map(Node::view),
        ) {
            (Some(View::Number(n)), Some(View::Str(c))) => {
                Ok((n.decimal().ok_or_else(overflow)?, c))
            }
            _ => Err(wrong(value, EXPECTED)),
        },
        _ => Err(wrong(value, EXPECTED)),
    }
}

fn member<N: Node>(value: &N, set: &ValueSet, rates: &Rates, zone: Zone) -> Result<bool> {
    if let View::Str(s) = value.view()
        && (!set.texts.is_empty() || set.others.is_empty())
    {
        return Ok(set.texts.contains(s));
    }
    if set.others.is_empty() {
        return Err(wrong(value, "text"));
    }
    for literal in &set.others {
        if compare(CmpOp::Eq, value, literal, rates, zone, &[])? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Any of the needles, one at a time, as `contains` tests each: the plain
/// reading, which the compiled one-pass search must agree with.
pub(super) fn contains_any<N: Node>(value: &N, needles: &[Needle]) -> Result<bool> {
    for needle in needles {
        if contains(value, needle)? {
            return Ok(true);
        }
    }
    Ok(false)
}

pub(super) fn contains<N: Node>(value: &N, needle: &Needle) -> Result<bool> {
    match value.view() {
        View::Str(s) => Ok(lower_contains(s, &needle.lower)),
        View::Array(items) => Ok(items
            .iter()
            .any(|i| matches!(i.view(), View::Str(s) if s == needle.exact))),
        _ => Err(wrong(value, "text or a list")),
    }
}

/// Case-insensitive substring test; ASCII text (most titles) is compared without
/// allocating.
fn lower_contains(haystack: &str, lower_needle: &str) -> bool {
    if haystack.is_ascii() && lower_needle.is_ascii() {
        let (h, n) = (haystack.as_bytes(), lower_needle.as_bytes());
        return n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    haystack.to_lowercase().contains(lower_needle)
}

fn text<N: Node>(value: &N) -> Result<&str> {
    match value.view() {
        View::Str(s) => Ok(s),
        _ => Err(wrong(value, "text")),
    }
}

/// Whether `lower_needle` occurs in `haystack`, ignoring case, as a whole word:
/// where the needle begins (ends) with a letter or digit, the character before
/// (after) it is not one. So `kw` is in "Jordan 1 KW" and "KW-super", not in
/// "Kwaci"; `500gr` is in "Kopi 500gr", `gr` is not.
pub(super) fn contains_word(haystack: &str, lower_needle: &str) -> bool {
    let lowered;
    let text = if haystack.is_ascii() {
        // Word characters of ASCII text are ASCII: compare bytes, ignoring case.
        return ascii_word(haystack.as_bytes(), lower_needle.as_bytes());
    } else {
        lowered = haystack.to_lowercase();
        lowered.as_str()
    };
    let starts = lower_needle
        .chars()
        .next()
        .is_some_and(char::is_alphanumeric);
    let ends = lower_needle
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric);
    text.match_indices(lower_needle).any(|(at, found)| {
        let before = text.get(..at).and_then(|t| t.chars().next_back());
        let after = text.get(at + found.len()..).and_then(|t| t.chars().next());
        let joined_before = starts && before.is_some_and(char::is_alphanumeric);
        let joined_after = ends && after.is_some_and(char::is_alphanumeric);
        !joined_before && !joined_after
    })
}

fn ascii_word(text: &[u8], needle: &[u8]) -> bool {
    let (Some(first), Some(last)) = (needle.first(), needle.last()) else {
        return false;
    };
    if !needle.is_ascii() {
        return false;
    }
    let (starts, ends) = (first.is_ascii_alphanumeric(), last.is_ascii_alphanumeric());
    let word = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
    text.windows(needle.len()).enumerate().any(|(at, window)| {
        let joined_before = starts && at > 0 && word(text.get(at - 1));
        let joined_after = ends && word(text.get(at + needle.len()));
        window.eq_ignore_ascii_case(needle) && !joined_before && !joined_after
    })
}

fn any_needle(needles: &[Needle], test: impl Fn(&Needle) -> Result<bool>) -> Result<bool> {
    for needle in needles {
        if test(needle)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn starts_with<N: Node>(value: &N, needle: &Needle) -> Result<bool> {
    match value.view() {
        View::Str(s) => Ok(lower_starts_with(s, &needle.lower)),
        _ => Err(wrong(value, "text")),
    }
}

fn ends_with<N: Node>(value: &N, needle: &Needle) -> Result<bool> {
    match value.view() {
        View::Str(s) => Ok(lower_ends_with(s, &needle.lower)),
        _ => Err(wrong(value, "text")),
    }
}

fn lower_ends_with(haystack: &str, lower_needle: &str) -> bool {
    if haystack.is_ascii() && lower_needle.is_ascii() {
        let (h, n) = (haystack.as_bytes(), lower_needle.as_bytes());
        return h.len() >= n.len()
            && h.get(h.len() - n.len()..)
                .is_some_and(|end| end.eq_ignore_ascii_case(n));
    }
    haystack.to_lowercase().ends_with(lower_needle)
}

fn lower_starts_with(haystack: &str, lower_needle: &str) -> bool {
    if haystack.is_ascii() && lower_needle.is_ascii() {
        let (h, n) = (haystack.as_bytes(), lower_needle.as_bytes());
        return h
            .get(..n.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(n));
    }
    haystack.to_lowercase().starts_with(lower_needle)
}

fn overflow() -> Box<Fault> {
    Box::new(Fault::Overflow)
}

pub(crate) fn wrong<N: Node>(value: &N, expected: &'static str) -> Box<Fault> {
    Box::new(Fault::WrongType {
        found: describe(value),
        expected,
    })
}
