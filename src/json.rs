//! JSON values as every stage reads them, whatever they were read into: a whole
//! `serde_json::Value`, or the borrowed [`Val`] the projection parser builds
//! without copying strings out of the input line. Below the pipeline's stages:
//! the reader, the evaluator and the explanations share it.

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value as Json};

/// What a value is, borrowed.
pub enum View<'n, N> {
    Null,
    Bool(bool),
    Number(Num<'n>),
    Str(&'n str),
    Array(&'n [N]),
    Object,
}

/// A number as it was read: a plain integer, read once, or the number's text
/// (exact, however long).
#[derive(Debug, Clone, Copy)]
pub enum Num<'n> {
    Int(i64),
    Text(&'n Number),
}

impl Num<'_> {
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Num::Int(n) => Some(n),
            Num::Text(n) => n.as_i64(),
        }
    }

    /// The exact value, if a decimal holds it.
    pub fn decimal(self) -> Option<Decimal> {
        match self {
            Num::Int(n) => Some(Decimal::from(n)),
            Num::Text(n) => number(n),
        }
    }
}

/// A JSON-like value the evaluator can test.
pub trait Node: Sized {
    fn view(&self) -> View<'_, Self>;
    /// An object's field; the last one when a key appears twice, as JSON readers do.
    fn get(&self, key: &str) -> Option<&Self>;
    /// The value as JSON text.
    fn to_json(&self) -> String;
}

impl Node for Json {
    fn view(&self) -> View<'_, Json> {
        match self {
            Json::Null => View::Null,
            Json::Bool(b) => View::Bool(*b),
            Json::Number(n) => View::Number(Num::Text(n)),
            Json::String(s) => View::Str(s),
            Json::Array(items) => View::Array(items),
            Json::Object(_) => View::Object,
        }
    }

    fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?.get(key)
    }

    fn to_json(&self) -> String {
        self.to_string()
    }
}

/// A JSON value whose strings borrow from the text it was read from where they
/// can (no escapes), so reading a listing copies nothing it does not have to.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Null,
    Bool(bool),
    /// A plain integer (no sign but `-`, no fraction or exponent), read once
    /// rather than at every test.
    Int(i64),
    Number(Number),
    Str(Cow<'a, str>),
    Array(Vec<Val<'a>>),
    Object(Vec<(Cow<'a, str>, Val<'a>)>),
}

impl Node for Val<'_> {
    fn view(&self) -> View<'_, Self> {
        match self {
            Val::Null => View::Null,
            Val::Bool(b) => View::Bool(*b),
            Val::Int(n) => View::Number(Num::Int(*n)),
            Val::Number(n) => View::Number(Num::Text(n)),
            Val::Str(s) => View::Str(s),
            Val::Array(items) => View::Array(items),
            Val::Object(_) => View::Object,
        }
    }

    fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Val::Object(fields) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn to_json(&self) -> String {
        match self {
            Val::Null => "null".into(),
            Val::Bool(b) => b.to_string(),
            Val::Int(n) => n.to_string(),
            Val::Number(n) => n.to_string(),
            Val::Str(s) => serde_json::to_string(s.as_ref()).unwrap_or_default(),
            Val::Array(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Node::to_json)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Val::Object(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}:{}",
                            serde_json::to_string(k.as_ref()).unwrap_or_default(),
                            v.to_json()
                        )
                    })
                    .collect();
                format!("{{{}}}", fields.join(","))
            }
        }
    }
}

impl<'de> Deserialize<'de> for Val<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValVisitor)
    }
}

struct ValVisitor;

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Val<'de>, E> {
        Ok(Val::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Val<'de>, E> {
        Ok(Val::Int(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Val<'de>, E> {
        Ok(i64::try_from(n).map_or_else(|_| Val::Number(n.into()), Val::Int))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Val<'de>, E> {
        Ok(Number::from_f64(n).map_or(Val::Null, Val::Number))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Val::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val<'de>, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key_seed(KeyText)? {
            if fields.is_empty() && key == NUMBER_TOKEN {
                let text = map.next_value_seed(KeyText)?;
                return match plain_int(&text) {
                    Some(n) => Ok(Val::Int(n)),
                    None => text
                        .parse::<Number>()
                        .map(Val::Number)
                        .map_err(serde::de::Error::custom),
                };
            }
            fields.push((key, map.next_value()?));
        }
        Ok(Val::Object(fields))
    }
}

/// The key under which serde_json (with `arbitrary_precision`, which keeps each
/// number's text) hands a number to a visitor, as a map of one entry.
pub(crate) const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// The integer a number's text is, where writing it back gives the same text
/// (`-0` and `1e3` stay text).
pub(crate) fn plain_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && text != "-0";
    plain.then(|| text.parse().ok()).flatten()
}

/// An object key, borrowed where it can be.
pub(crate) struct KeyText;

impl<'de> DeserializeSeed<'de> for KeyText {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyText {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_string()))
    }
}

/// What a dotted path finds in a listing.
#[derive(Debug, Clone, PartialEq)]
pub enum Found<'a, N> {
    Value(&'a N),
    /// Absent, or `null`, at the end or on the way.
    Missing,
    /// A value that is not an object on the way (`seller` is `"ID"` where
    /// `seller.country` is read): never missing, but a listing of the wrong shape.
    Broken(Broken),
}

/// Where a path went through a value that is not an object, and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The part of the path that reached the value: `seller`.
    pub at: String,
    /// The value, described: `the string "ID"`.
    pub found: String,
}

/// The value at a dotted path (see [`Found`]).
pub fn find<'a, N: Node>(listing: &'a N, segments: &[String]) -> Found<'a, N> {
    let mut at = listing;
    for (depth, segment) in segments.iter().enumerate() {
        match at.view() {
            View::Object => match at.get(segment) {
                Some(next) => at = next,
                None => return Found::Missing,
            },
            View::Null => return Found::Missing,
            _ => {
                return Found::Broken(Broken {
                    at: segments.get(..depth).unwrap_or_default().join("."),
                    found: describe(at),
                });
            }
        }
    }
    match at.view() {
        View::Null => Found::Missing,
        _ => Found::Value(at),
    }
}

/// The value at a dotted path; `None` when absent, `null`, or behind a value
/// that is not an object (see [`find`] to tell those apart).
pub fn lookup<'a, N: Node>(listing: &'a N, segments: &[String]) -> Option<&'a N> {
    match find(listing, segments) {
        Found::Value(value) => Some(value),
        Found::Missing | Found::Broken(_) => None,
    }
}

/// A JSON number as an exact decimal, from the text it was written in; `None`
/// when no decimal of akar's (28 places, about 7.9e28) holds it exactly, whether
/// it is too large, too precise or too small (`1e-400` is not 0).
pub fn number(n: &Number) -> Option<Decimal> {
    if let Some(i) = n.as_i64() {
        return Some(Decimal::from(i));
    }
    Decimal::from_str_exact(&positional(n.as_str())?).ok()
}

/// A JSON number's text without an exponent (`1.5e3` → `1500`, `2e-3` →
/// `0.002`), or `None` when it would have more digits than any exact decimal
/// of akar's; `rust_decimal`'s own reading of exponents rounds.
fn positional(text: &str) -> Option<String> {
    let Some(at) = text.find(['e', 'E']) else {
        return Some(text.to_string());
    };
    let (mantissa, exponent) = (text.get(..at)?, text.get(at + 1..)?);
    let exponent: i64 = exponent.parse().ok()?;
    let (sign, unsigned) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{whole}{fraction}");
    if digits.bytes().all(|b| b == b'0') {
        return Some("0".into());
    }
    // Where the decimal point goes among `digits`.
    let point = i64::try_from(whole.len()).ok()? + exponent;
    let len = i64::try_from(digits.len()).ok()?;
    if !(-64..=len + 64).contains(&point) {
        return None;
    }
    let point = usize::try_from(point.max(0)).ok()?;
    let zeros_before = usize::try_from(-(i64::try_from(whole.len()).ok()? + exponent)).unwrap_or(0);
    Some(match point {
        0 => format!("{sign}0.{}{digits}", "0".repeat(zeros_before)),
        p if p >= digits.len() => format!("{sign}{digits}{}", "0".repeat(p - digits.len())),
        p => format!("{sign}{}.{}", digits.get(..p)?, digits.get(p..)?),
    })
}

/// How a value reads in an error: its kind and, if short, the value.
pub fn describe<N: Node>(value: &N) -> String {
    let kind = match value.view() {
        View::Null => return "null".into(),
        View::Bool(_) => "the boolean",
        View::Number(_) => "the number",
        View::Str(_) => "the string",
        View::Array(_) => return "a list".into(),
        View::Object => return "an object".into(),
    };
    let text = value.to_json();
    if text.len() > 40 {
        format!("{kind} {}…", &text[..text.floor_char_boundary(40)])
    } else {
        format!("{kind} {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::{Node, Val, number};

    fn exact(text: &str) -> Option<String> {
        let n: serde_json::Number = text.parse().unwrap();
        number(&n).map(|d| d.to_string())
    }

    #[test]
    fn plain_integers_are_read_once_and_write_back_as_written() {
        for (text, int) in [
            ("0", Some(0)),
            ("12", Some(12)),
            ("-12", Some(-12)),
            ("123456789012345678", Some(123_456_789_012_345_678)),
            ("1234567890123456789", None),
            ("-0", None),
            ("1e3", None),
            ("1.0", None),
        ] {
            assert_eq!(super::plain_int("007"), None);
            assert_eq!(super::plain_int(text), int, "{text}");
            if int.is_none() {
                continue;
            }
            let object = format!("{{\"n\":{text}}}");
            let read: Val = serde_json::from_str(&object).unwrap();
            let read = read.get("n").unwrap().clone();
            assert_eq!(read.to_json(), text);
            assert!(matches!(read, Val::Int(_)), "{text}");
        }
    }

    #[test]
    fn numbers_are_read_exactly_or_not_at_all() {
        assert_eq!(exact("185000").as_deref(), Some("185000"));
        assert_eq!(exact("3.32").as_deref(), Some("3.32"));
        assert_eq!(exact("-0").as_deref(), Some("0"));
        assert_eq!(exact("1.5e3").as_deref(), Some("1500"));
        assert_eq!(exact("25E-1").as_deref(), Some("2.5"));
        assert_eq!(exact("2e-3").as_deref(), Some("0.002"));
        assert_eq!(exact("0e-400").as_deref(), Some("0"));
        assert_eq!(
            exact("18446744073709551616").as_deref(),
            Some("18446744073709551616")
        );
        // Beyond 28 places or about 7.9e28: never rounded, never zero.
        for text in [
            "1e-30",
            "1e-400",
            "1e40",
            "0.10000000000000000000000000000001",
            "1e400",
        ] {
            assert_eq!(exact(text), None, "{text}");
        }
    }

    #[test]
    fn reads_json_borrowing_what_it_can() {
        let text = r#"{"a": "plain", "b": "esc\"aped", "c": [1, 2.5, true, null], "a": "last"}"#;
        let value: Val = serde_json::from_str(text).unwrap();
        let full: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            value.get("a").map(Node::to_json),
            full.get("a").map(Node::to_json)
        );
        assert_eq!(
            value.get("c").map(Node::to_json),
            Some("[1,2.5,true,null]".to_string())
        );
        assert!(
            matches!(value.get("b"), Some(Val::Str(std::borrow::Cow::Owned(s))) if s == "esc\"aped")
        );
    }
}
