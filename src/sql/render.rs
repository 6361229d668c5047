//! The intermediate form as SQL text, one dialect at a time: identifiers,
//! string literals, and the few functions dialects name differently.

use std::fmt::Write as _;

use super::Dialect;
use super::expr::{Expr, Text};
use crate::plan::CmpOp;

/// The alias of the listings table in the query.
pub const TABLE: &str = "l";

/// Exact decimals of listings' numbers and amounts: 28 digits before the point
/// and 10 after (a comparison with a threshold finer than that is rounded the
/// right way by [`super::lower`]).
pub const DECIMAL: &str = "DECIMAL(38,10)";

pub struct Render {
    pub dialect: Dialect,
}

impl Render {
    pub fn ident(&self, name: &str) -> String {
        match self.dialect {
            Dialect::Duckdb => format!("\"{}\"", name.replace('"', "\"\"")),
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
        }
    }

    /// A string literal. Spark reads backslash escapes in literals, DuckDB does
    /// not: each gets the form its parser reads back as exactly `text`.
    pub fn string(&self, text: &str) -> String {
        match self.dialect {
            Dialect::Duckdb => format!("'{}'", text.replace('\'', "''")),
            Dialect::Spark => {
                let mut out = String::from("'");
                for c in text.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\'' => out.push_str("\\'"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c => out.push(c),
                    }
                }
                out.push('\'');
                out
            }
        }
    }

    pub fn expr(&self, e: &Expr) -> String {
        let mut out = String::new();
        self.write(&mut out, e);
        out
    }

    fn list(&self, out: &mut String, items: &[Expr], separator: &str) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(separator);
            }
            self.write(out, item);
        }
    }

    fn call(&self, out: &mut String, name: &str, args: &[&Expr]) {
        out.push_str(name);
        out.push('(');
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write(out, arg);
        }
        out.push(')');
    }

    fn write(&self, out: &mut String, e: &Expr) {
        let duck = self.dialect == Dialect::Duckdb;
        match e {
            Expr::Column(path) => {
                out.push_str(TABLE);
                for part in path {
                    out.push('.');
                    out.push_str(&self.ident(part));
                }
            }
            Expr::Local(name) => out.push_str(name),
            Expr::Text(t) => out.push_str(&self.string(t)),
            Expr::Number(n) => {
                let _ = write!(out, "CAST('{}' AS {DECIMAL})", n.normalize());
            }
            Expr::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
            Expr::Null => out.push_str("NULL"),
            Expr::Not(inner) if matches!(**inner, Expr::IsNull(_)) => {
                if let Expr::IsNull(x) = &**inner {
                    out.push('(');
                    self.write(out, x);
                    out.push_str(" IS NOT NULL)");
                }
            }
            Expr::Not(inner) => {
                out.push_str("(NOT ");
                self.write(out, inner);
                out.push(')');
            }
            Expr::And(items) | Expr::Or(items) => {
                let word = if matches!(e, Expr::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                out.push('(');
                self.list(out, items, word);
                out.push(')');
            }
            Expr::Compare(a, op, b) => {
                out.push('(');
                self.write(out, a);
                out.push_str(match op {
                    CmpOp::Eq => " = ",
                    CmpOp::Ne => " <> ",
                    CmpOp::Lt => " < ",
                    CmpOp::Le => " <= ",
                    CmpOp::Gt => " > ",
                    CmpOp::Ge => " >= ",
                });
                self.write(out, b);
                out.push(')');
            }
            Expr::IsNull(inner) => {
                out.push('(');
                self.write(out, inner);
                out.push_str(" IS NULL)");
            }
            Expr::Coalesce(items) => {
                out.push_str("coalesce(");
                self.list(out, items, ", ");
                out.push(')');
            }
            Expr::Case(arms, default) => {
                out.push_str("CASE");
                for (when, then) in arms {
                    out.push_str(" WHEN ");
                    self.write(out, when);
                    out.push_str(" THEN ");
                    self.write(out, then);
                }
                out.push_str(" ELSE ");
                self.write(out, default);
                out.push_str(" END");
            }
            Expr::In(a, items) => {
                out.push('(');
                self.write(out, a);
                out.push_str(" IN (");
                self.list(out, items, ", ");
                out.push_str("))");
            }
            Expr::Lower(inner) => self.call(out, "lower", &[inner]),
            Expr::Has(text, place, needle) => {
                let needle = Expr::Text(needle.clone());
                match (place, duck) {
                    (Text::Anywhere, _) => {
                        out.push('(');
                        self.call(out, if duck { "strpos" } else { "instr" }, &[text, &needle]);
                        out.push_str(" > 0)");
                    }
                    (Text::Start, true) => self.call(out, "starts_with", &[text, &needle]),
                    (Text::Start, false) => self.call(out, "startswith", &[text, &needle]),
                    (Text::End, true) => self.call(out, "ends_with", &[text, &needle]),
                    (Text::End, false) => self.call(out, "endswith", &[text, &needle]),
                }
            }
            Expr::Regex(text, pattern) => {
                let pattern = Expr::Text(pattern.clone());
                if duck {
                    self.call(out, "regexp_matches", &[text, &pattern]);
                } else {
                    out.push('(');
                    self.write(out, text);
                    out.push_str(" RLIKE ");
                    self.write(out, &pattern);
                    out.push(')');
                }
            }
            Expr::ListHas(list, value) => {
                let value = Expr::Text(value.clone());
                let name = if duck {
                    "list_contains"
                } else {
                    "array_contains"
                };
                self.call(out, name, &[list, &value]);
            }
            Expr::Concat(items) => {
                out.push('(');
                self.list(out, items, " || ");
                out.push(')');
            }
            Expr::ListOf(items) => {
                if duck {
                    out.push_str("list_filter([");
                    self.list(out, items, ", ");
                    out.push_str("], lambda x: x IS NOT NULL)");
                } else {
                    out.push_str("filter(array(");
                    self.list(out, items, ", ");
                    out.push_str("), x -> x IS NOT NULL)");
                }
            }
            Expr::Record(fields) => {
                out.push_str(if duck {
                    "struct_pack("
                } else {
                    "named_struct("
                });
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if duck {
                        let _ = write!(out, "{} := ", self.ident(name));
                    } else {
                        let _ = write!(out, "{}, ", self.string(name));
                    }
                    self.write(out, value);
                }
                out.push(')');
            }
            Expr::JsonText(text) => self.json_text(out, text),
            Expr::DayOf(text, zone) => self.day_of(out, text, zone),
            Expr::IsDate(text) => self.is_date(out, text),
            Expr::Date(d) => {
                let _ = write!(out, "DATE '{d}'");
            }
            Expr::Times(column, k) => {
                let k = k.normalize();
                let scale = k.scale();
                let digits = k.mantissa().unsigned_abs().to_string().len();
                let precision = digits.max(scale as usize).max(1);
                out.push_str("(CAST(");
                self.write(out, column);
                let _ = write!(
                    out,
                    " AS DECIMAL(28,10)) * CAST('{k}' AS DECIMAL({precision},{scale})))"
                );
            }
            Expr::Wide(inner) => {
                out.push_str("CAST(");
                self.write(out, inner);
                out.push_str(" AS DECIMAL(38,20))");
            }
        }
    }

    /// As `describe` quotes text in akar's messages: a JSON string, cut after
    /// 40 characters (akar cuts after 40 bytes: the same for ASCII).
    fn json_text(&self, out: &mut String, text: &Expr) {
        let (back, quote) = (Expr::text("\\"), Expr::text("\""));
        let escaped = format!(
            "replace(replace({}, {}, {}), {}, {})",
            self.expr(text),
            self.expr(&back),
            self.string("\\\\"),
            self.expr(&quote),
            self.string("\\\"")
        );
        let mark = self.string("\"");
        let json = format!("({mark} || {escaped} || {mark})");
        let _ = write!(
            out,
            "(CASE WHEN length({json}) > 40 THEN left({json}, 40) || {} ELSE {json} END)",
            self.string("…")
        );
    }

    /// The date of an RFC 3339 date (itself), a date-time with an offset (its
    /// day in `zone`), or a local date-time (its own day).
    fn day_of(&self, out: &mut String, text: &Expr, zone: &str) {
        // `try_cast` throughout: engines evaluate every branch of a query, also
        // for rows whose malformed dates already made them errors.
        let x = self.expr(text);
        let offset = self.string("([Zz]|[+-][0-9]{2}:[0-9]{2})$");
        let zone = self.string(zone);
        let norm = format!("upper(replace({x}, ' ', 'T'))");
        match self.dialect {
            Dialect::Duckdb => {
                let _ = write!(
                    out,
                    "(CASE WHEN length({x}) = 10 THEN try_cast({x} AS DATE) \
                     WHEN regexp_matches({x}, {offset}) \
                     THEN CAST(timezone({zone}, try_cast({norm} AS TIMESTAMPTZ)) AS DATE) \
                     ELSE try_cast(left({x}, 10) AS DATE) END)"
                );
            }
            Dialect::Spark => {
                let _ = write!(
                    out,
                    "(CASE WHEN length({x}) = 10 THEN try_cast({x} AS DATE) \
                     WHEN {x} RLIKE {offset} \
                     THEN to_date(from_utc_timestamp(try_cast({norm} AS TIMESTAMP), {zone})) \
                     ELSE try_cast(left({x}, 10) AS DATE) END)"
                );
            }
        }
    }

    /// Whether text is a date as akar reads dates: `YYYY-MM-DD`, an RFC 3339
    /// date-time, or a local date-time `YYYY-MM-DDTHH:MM:SS[.f]`, each a real
    /// day and time.
    fn is_date(&self, out: &mut String, text: &Expr) {
        let x = self.expr(text);
        let day = "[0-9]{4}-[0-9]{2}-[0-9]{2}";
        let time = "[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?";
        let date = self.string(&format!("^{day}$"));
        let zoned = self.string(&format!(
            "^{day}[Tt ]{time}([Zz]|[+-][0-9]{{2}}:[0-9]{{2}})$"
        ));
        let local = self.string(&format!("^{day}T{time}$"));
        let norm = format!("upper(replace({x}, ' ', 'T'))");
        let duck = self.dialect == Dialect::Duckdb;
        let matches = |x: &str, p: &str| {
            if duck {
                format!("regexp_matches({x}, {p})")
            } else {
                format!("({x} RLIKE {p})")
            }
        };
        let (stamp_tz, stamp) = if duck {
            ("TIMESTAMPTZ", "TIMESTAMP")
        } else {
            ("TIMESTAMP", "TIMESTAMP_NTZ")
        };
        let _ = write!(
            out,
            "(({} AND try_cast({x} AS DATE) IS NOT NULL) \
             OR ({} AND try_cast({norm} AS {stamp_tz}) IS NOT NULL) \
             OR ({} AND try_cast({x} AS {stamp}) IS NOT NULL))",
            matches(&x, &date),
            matches(&x, &zoned),
            matches(&x, &local),
        );
    }
}
