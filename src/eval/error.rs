//! Why a listing could not be decided: one type for the compiled path, the plain
//! path and the explanations alike, so that all three say it in the same words.
//! Each becomes an `error` record.

use std::fmt;

use miette::Diagnostic;

/// What went wrong, before it is known which field and rule it was in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A value of the wrong kind for its test.
    WrongType {
        found: String,
        expected: &'static str,
    },
    /// Text where a date is needed that is not one.
    BadDate { found: String },
    /// Money in a currency the rates do not connect to the literal's.
    NoRate { from: String, to: String },
    /// A number beyond the exact decimals akar compares.
    Overflow,
    /// The record is not a JSON object.
    NotObject,
    /// The field's path went through a value that is not an object.
    Broken(crate::json::Broken),
    /// A value the schema does not allow: `expected` says what it does.
    Schema { found: String, expected: String },
    /// A division by zero in a computed value.
    DivisionByZero,
    /// Arithmetic on values it does not apply to (money times money, text).
    Arithmetic { problem: String },
    /// The compiled rules broke an invariant: a bug in akar, never a silent answer.
    Internal { problem: &'static str },
}

/// A failed evaluation: the fault, the field (or derived value) the failing test
/// read, and the rule it belongs to (none for a condition tried on its own, as in
/// the REPL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    pub fault: Fault,
    pub field: String,
    pub rule: Option<String>,
}

impl EvalError {
    pub fn new(fault: Fault, field: impl Into<String>) -> Self {
        EvalError {
            fault,
            field: field.into(),
            rule: None,
        }
    }

    pub fn not_object() -> Self {
        EvalError::new(Fault::NotObject, "")
    }

    /// The same error, in rule `label`.
    pub fn in_rule(mut self, label: &str) -> Self {
        self.rule = Some(label.to_string());
        self
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        let rule = self.rule.as_deref();
        match &self.fault {
            Fault::WrongType { found, expected } => match rule {
                Some(rule) => write!(
                    f,
                    "field `{field}` is {found}, but rule `{rule}` needs {expected}"
                ),
                None => write!(
                    f,
                    "field `{field}` is {found}, but the test needs {expected}"
                ),
            },
            Fault::BadDate { found } => {
                write!(
                    f,
                    "field `{field}` holds {found}, which is not a date (expected `YYYY-MM-DD` or an RFC 3339 date-time)"
                )?;
                rule.map_or(Ok(()), |rule| write!(f, " in rule `{rule}`"))
            }
            Fault::NoRate { from, to } => {
                write!(f, "no rate converts `{from}` to `{to}` (field `{field}`")?;
                if let Some(rule) = rule {
                    write!(f, ", rule `{rule}`")?;
                }
                write!(f, "); declare one with `rate {from} = ... {to}`")
            }
            Fault::Overflow => {
                write!(
                    f,
                    "field `{field}` holds a number too large or too precise to compare exactly (akar's decimals have at most 28 places and reach about 7.9e28)"
                )?;
                rule.map_or(Ok(()), |rule| write!(f, ", in rule `{rule}`"))
            }
            Fault::NotObject => f.write_str("the record is not a JSON object"),
            Fault::DivisionByZero => {
                write!(f, "division by zero computing with field `{field}`")?;
                rule.map_or(Ok(()), |rule| write!(f, " in rule `{rule}`"))
            }
            Fault::Arithmetic { problem } => {
                write!(f, "{problem} (field `{field}`")?;
                rule.map_or(Ok(()), |rule| write!(f, ", rule `{rule}`"))?;
                f.write_str(")")
            }
            Fault::Schema { found, expected } => {
                write!(
                    f,
                    "field `{field}` is {found}, but the schema says {expected}"
                )?;
                rule.map_or(Ok(()), |rule| write!(f, ", in rule `{rule}`"))
            }
            Fault::Broken(broken) => {
                write!(
                    f,
                    "field `{field}` cannot be read: `{}` is {}, not an object",
                    broken.at, broken.found
                )?;
                rule.map_or(Ok(()), |rule| write!(f, ", in rule `{rule}`"))
            }
            Fault::Internal { problem } => write!(
                f,
                "internal error: {problem}; this is a bug in akar, please report it with the policy"
            ),
        }
    }
}

impl std::error::Error for EvalError {}

impl Diagnostic for EvalError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let code = match self.fault {
            Fault::WrongType { .. } => "akar::eval::type_mismatch",
            Fault::BadDate { .. } => "akar::eval::bad_date",
            Fault::NoRate { .. } => "akar::eval::no_rate",
            Fault::Overflow => "akar::eval::overflow",
            Fault::NotObject => "akar::eval::not_object",
            Fault::Broken(_) => "akar::eval::not_an_object_on_the_path",
            Fault::Schema { .. } => "akar::eval::schema",
            Fault::DivisionByZero => "akar::eval::division_by_zero",
            Fault::Arithmetic { .. } => "akar::eval::arithmetic",
            Fault::Internal { .. } => "akar::internal::eval",
        };
        Some(Box::new(code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = match self.fault {
            Fault::WrongType { .. } => {
                "fix the listing, or test the field's kind first (`is missing`, a schema)"
            }
            Fault::BadDate { .. } => "write dates as `2024-01-01` or `2024-01-01T10:00:00Z`",
            Fault::NoRate { .. } => "declare the exchange rate in the policy",
            Fault::Overflow => "write the number with fewer digits",
            Fault::NotObject => "each listing is a JSON object, `{...}`",
            Fault::Broken(_) => {
                "a dotted path reads through objects: fix the listing, or read the value itself"
            }
            Fault::Schema { .. } => {
                "fix the listing, or the schema if listings now hold such values"
            }
            Fault::DivisionByZero => {
                "test the divisor first, e.g. `pack_size > 0 and price / pack_size < 100 USD`"
            }
            Fault::Arithmetic { .. } => {
                "numbers and money add to their own kind; money times or divided by a number is money"
            }
            Fault::Internal { .. } => "this is a bug in akar; please report it with the policy",
        };
        Some(Box::new(help))
    }
}
