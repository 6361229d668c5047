//! Why a listing could not be decided. Each becomes an `error` record.

use thiserror::Error;

#[derive(Debug, Clone, Error, PartialEq)]
pub enum EvalError {
    #[error("field `{field}` is {found}, but rule `{rule}` needs {expected}")]
    WrongType {
        field: String,
        found: String,
        expected: &'static str,
        rule: String,
    },

    #[error(
        "field `{field}` holds {found}, which is not a date (expected `YYYY-MM-DD` or an RFC 3339 date-time) in rule `{rule}`"
    )]
    BadDate {
        field: String,
        found: String,
        rule: String,
    },

    #[error(
        "no rate converts `{from}` to `{to}` (field `{field}`, rule `{rule}`); declare one with `rate {from} = ... {to}`"
    )]
    NoRate {
        from: String,
        to: String,
        field: String,
        rule: String,
    },

    #[error(
        "field `{field}` holds a number too large or too precise to compare exactly (akar's decimals have at most 28 places and reach about 7.9e28), in rule `{rule}`"
    )]
    Overflow { field: String, rule: String },

    #[error("the record is not a JSON object")]
    NotObject,
}
