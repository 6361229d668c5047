//! A plan's conditions in the intermediate form, with akar's semantics kept
//! exactly: a missing field makes a test false (never SQL's unknown), money is
//! compared through the declared rates with exact decimals, and where akar
//! gives an `error` decision the query gives the same message.
//!
//! Each condition lowers to a value and, when some test in it can fail, an
//! error: the message of the first failing test that akar's walk (rules in
//! policy order, `and`/`or` left to right, stopping early) would reach.

use rust_decimal::Decimal;

use super::error::{SqlError, SqlProblem};
use super::expr::{Expr, Text};
use crate::Sources;
use crate::money::{Conversion, conversions};
use crate::plan::{
    CmpOp, Cond, Derived, FieldKind, FieldPath, Money, Needle, Operand, Place, Plan, Rule, Test,
    Value, ValueSet, list_values,
};

/// A condition's value, and the message it fails with, if it can.
pub struct Lowered {
    pub value: Expr,
    pub error: Option<Expr>,
}

impl Lowered {
    fn sure(value: Expr) -> Self {
        Lowered { value, error: None }
    }
}

pub struct Lower<'a> {
    pub plan: &'a Plan,
    pub sources: &'a Sources,
    /// The time zone as the dialects name it.
    pub zone: String,
    /// Whether it is a fixed offset, which DuckDB's zone functions do not read.
    pub fixed_zone: bool,
    pub problems: Vec<SqlError>,
}

/// What a test reads: its expression, its kind, and its name in messages.
struct Read {
    expr: Expr,
    kind: FieldKind,
    name: String,
    path: Vec<String>,
}

impl<'a> Lower<'a> {
    fn problem(&mut self, place: Place, kind: SqlProblem, message: String, help: &str) {
        let label = match kind {
            SqlProblem::Unsupported => "in this rule",
            SqlProblem::Untyped => "read here",
        };
        let help = (!help.is_empty()).then(|| help.to_string());
        let error = SqlError::at(self.sources, place, kind, message, label, help);
        if !self.problems.iter().any(|p| p.message == error.message) {
            self.problems.push(error);
        }
    }

    pub(super) fn unsupported_in(&mut self, rule: &Rule, what: &str) {
        self.unsupported(rule, what);
    }

    fn unsupported(&mut self, rule: &Rule, what: &str) {
        self.problem(
            rule.place,
            SqlProblem::Unsupported,
            format!(
                "rule `{}` uses {what}, which `akar sql` cannot say exactly yet",
                rule.label
            ),
            "evaluate this policy set with `akar eval`, or leave the rule out of the SQL",
        );
    }

    /// A problem if days are read in a fixed-offset zone.
    pub(super) fn zoned(&mut self, rule: &Rule) {
        if self.fixed_zone {
            self.unsupported(
                rule,
                "dates in a `timezone` given as an offset (write a named zone, e.g. `Asia/Jakarta`)",
            );
        }
    }

    /// The kind the schema gives a field, or a problem.
    pub fn kind_of(&mut self, path: &FieldPath, place: Place) -> Option<FieldKind> {
        let kind = self.plan.slot_kind(path.slot).cloned();
        if kind.is_none() {
            self.problem(
                place,
                SqlProblem::Untyped,
                format!("field `{}` has no kind: the SQL table needs a typed column", path.dotted),
                &format!(
                    "declare it in a `schema {{ ... }}` block (`{}: text`, `number`, `money`, ...); `akar schema --listings CATALOGUE` infers one",
                    path.dotted
                ),
            );
        }
        kind
    }

    /// A rule's condition.
    pub fn rule(&mut self, rule: &Rule) -> Lowered {
        self.cond(&rule.when, rule)
    }

    fn cond(&mut self, cond: &Cond, rule: &Rule) -> Lowered {
        match cond {
            Cond::True => Lowered::sure(Expr::Bool(true)),
            Cond::And(items) => self.chain(items, rule, true),
            Cond::Or(items) => self.chain(items, rule, false),
            Cond::Not(inner) => {
                let inner = self.cond(inner, rule);
                Lowered {
                    value: inner.value.not(),
                    error: inner.error,
                }
            }
            Cond::Ref(id) => match self.plan.shared().get(*id) {
                Some(named) => self.cond(&named.cond, rule),
                None => Lowered::sure(Expr::Bool(false)),
            },
            Cond::Compare(comparison) => self.computed(comparison, rule),
            Cond::Test(operand, test) => self.test(operand, test, rule),
        }
    }

    /// `and` (`all`) or `or`: the first failure reached, walking left to right
    /// and stopping where the answer is known.
    fn chain(&mut self, items: &[Cond], rule: &Rule, all: bool) -> Lowered {
        let mut values = Vec::new();
        let mut arms = Vec::new();
        let mut fails = false;
        for item in items {
            let lowered = self.cond(item, rule);
            if let Some(error) = lowered.error {
                fails = true;
                arms.push((error.clone().null_test().not(), error));
            }
            let stop = if all {
                lowered.value.clone().not()
            } else {
                lowered.value.clone()
            };
            arms.push((stop, Expr::Null));
            values.push(lowered.value);
        }
        let value = if all {
            Expr::and(values)
        } else {
            Expr::or(values)
        };
        let error = match fails {
            true => match Expr::case(arms, Expr::Null) {
                Expr::Null => None,
                error => Some(error),
            },
            false => None,
        };
        Lowered { value, error }
    }

    fn read(&mut self, operand: &Operand, rule: &Rule) -> Option<Read> {
        match operand {
            Operand::Field(path) => {
                let kind = self.kind_of(path, rule.place)?;
                Some(Read {
                    expr: Expr::col(&path.segments),
                    kind,
                    name: path.dotted.clone(),
                    path: path.segments.clone(),
                })
            }
            Operand::Derived(index) => {
                let derived = self.plan.derived().get(*index)?;
                let expr = self.derived(derived, rule)?;
                Some(Read {
                    expr,
                    kind: FieldKind::Text,
                    name: derived.name.clone(),
                    path: Vec::new(),
                })
            }
        }
    }

    /// The value a `match` derives: missing when its field is, the `else`
    /// value (or missing) when no arm's key is the field's value.
    pub(super) fn derived(&mut self, derived: &Derived, rule: &Rule) -> Option<Expr> {
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Some(Expr::text(s.clone())),
            _ => None,
        };
        self.derived_with(derived, rule, &text)
    }

    /// As [`Lower::derived`], each arm's value as `value` makes it.
    pub(super) fn derived_with(
        &mut self,
        derived: &Derived,
        rule: &Rule,
        value: &dyn Fn(&serde_json::Value) -> Option<Expr>,
    ) -> Option<Expr> {
        let kind = self.kind_of(&derived.field, rule.place)?;
        let field = Expr::col(&derived.field.segments);
        let of = |id: u32| derived.values.get(id as usize).and_then(value);
        let mut keys: Vec<(&String, &u32)> = derived.arms.iter().collect();
        keys.sort();
        let mut arms = vec![(field.clone().null_test(), Expr::Null)];
        for (key, id) in keys {
            let key = match kind {
                FieldKind::Text | FieldKind::OneOf(_) => Expr::text(key.clone()),
                FieldKind::Number => Expr::Number(key.parse::<Decimal>().ok()?),
                FieldKind::Boolean => Expr::Bool(key == "true"),
                _ => {
                    self.unsupported(
                        rule,
                        "a `match` over a field that is not text, a number or a boolean",
                    );
                    return None;
                }
            };
            let Some(value) = of(*id) else {
                self.unsupported(rule, "a `match` whose values are of more than one kind");
                return None;
            };
            arms.push((
                Expr::compare(field.clone(), CmpOp::Eq, key).or_false(),
                value,
            ));
        }
        let default = match derived.default {
            Some(id) => match of(id) {
                Some(value) => value,
                None => {
                    self.unsupported(rule, "a `match` whose values are of more than one kind");
                    return None;
                }
            },
            None => Expr::Null,
        };
        Some(Expr::case(arms, default))
    }

    fn test(&mut self, operand: &Operand, test: &Test, rule: &Rule) -> Lowered {
        let Some(read) = self.read(operand, rule) else {
            return Lowered::sure(Expr::Bool(false));
        };
        if matches!(test, Test::Missing) {
            return Lowered::sure(read.expr.null_test());
        }
        let lowered = self.present(&read, test, rule);
        match lowered {
            Some(lowered) => lowered,
            None => {
                let what = format!(
                    "a test of `{}` ({}) that its kind cannot meet",
                    read.name,
                    read.kind.name()
                );
                self.unsupported(rule, &what);
                Lowered::sure(Expr::Bool(false))
            }
        }
    }

    /// A test of a value, false when it is missing; `None` where the kind and
    /// the test do not go together (akar would fail every present value).
    fn present(&mut self, read: &Read, test: &Test, rule: &Rule) -> Option<Lowered> {
        let text = matches!(read.kind, FieldKind::Text | FieldKind::OneOf(_));
        let v = read.expr.clone();
        let lower = || Expr::Lower(Box::new(v.clone()));
        let sure = |e: Expr| Some(Lowered::sure(e.or_false()));
        match test {
            Test::Missing => sure(v.null_test()),
            Test::Compare(op, value) => self.compare(read, *op, value, rule),
            Test::In(set) => self.member(read, set, rule),
            Test::Contains(n) if text => sure(has(lower(), Text::Anywhere, n)),
            Test::Contains(n) if read.kind == FieldKind::ListOfText => {
                sure(Expr::ListHas(Box::new(v.clone()), n.exact.clone()))
            }
            Test::ContainsAny(ns) if text => sure(any(ns, |n| has(lower(), Text::Anywhere, n))),
            Test::ContainsAny(ns) if read.kind == FieldKind::ListOfText => sure(any(ns, |n| {
                Expr::ListHas(Box::new(v.clone()), n.exact.clone())
            })),
            Test::StartsWith(n) if text => sure(has(lower(), Text::Start, n)),
            Test::StartsWithAny(ns) if text => sure(any(ns, |n| has(lower(), Text::Start, n))),
            Test::EndsWith(n) if text => sure(has(lower(), Text::End, n)),
            Test::EndsWithAny(ns) if text => sure(any(ns, |n| has(lower(), Text::End, n))),
            Test::ContainsWord(n) if text => sure(word(lower(), n)),
            Test::ContainsAnyWord(ns) if text => sure(words(lower(), ns)),
            Test::Matches(pattern) if text => match super::pattern::portable(&pattern.source) {
                Ok(portable) => sure(Expr::Regex(Box::new(v.clone()), portable)),
                Err(why) => {
                    let what = format!("`matches` with {why} (RE2 and Java read it otherwise)");
                    self.unsupported(rule, &what);
                    Some(Lowered::sure(Expr::Bool(false)))
                }
            },
            Test::IsTrue if read.kind == FieldKind::Boolean => sure(v),
            _ => None,
        }
    }

    fn compare(&mut self, read: &Read, op: CmpOp, value: &Value, rule: &Rule) -> Option<Lowered> {
        let v = read.expr.clone();
        let text = matches!(read.kind, FieldKind::Text | FieldKind::OneOf(_));
        let value = match (value, &read.kind) {
            (Value::Text(t), _) if text => Expr::compare(v, op, Expr::text(t.clone())).or_false(),
            (Value::Bool(b), FieldKind::Boolean) => Expr::compare(v, op, Expr::Bool(*b)).or_false(),
            (Value::Number(n), FieldKind::Number) => threshold(v, op, *n, Decimal::ONE)?,
            (Value::Money(m), FieldKind::Money) => return self.money(read, op, m, rule),
            (Value::Date(d), FieldKind::Date) => {
                self.zoned(rule);
                let day = Expr::DayOf(Box::new(v), self.zone.clone());
                Expr::compare(day, op, Expr::Date(*d)).or_false()
            }
            _ => return None,
        };
        Some(Lowered::sure(value))
    }

    /// Money against a literal: the amount against the literal in the
    /// listing's currency, through the rates; no rate is an error naming both.
    fn money(&mut self, read: &Read, op: CmpOp, literal: &Money, rule: &Rule) -> Option<Lowered> {
        let field = |name: &str| {
            let mut path = read.path.clone();
            path.push(name.to_string());
            Expr::col(&path)
        };
        let (amount, currency) = (field("amount"), field("currency"));
        let mut own = vec![Conversion {
            currency: literal.currency.clone(),
            num: literal.amount,
            den: Decimal::ONE,
        }];
        own.extend(conversions(self.plan.rates(), literal));
        let mut arms = vec![(read.expr.clone().null_test(), Expr::Bool(false))];
        let mut known = Vec::new();
        for c in &own {
            let when = Expr::compare(currency.clone(), CmpOp::Eq, Expr::text(c.currency.clone()));
            arms.push((
                when.or_false(),
                threshold(amount.clone(), op, c.num, c.den)?,
            ));
            known.push(Expr::text(c.currency.clone()));
        }
        let value = Expr::case(arms, Expr::Bool(false));
        let to = &literal.currency;
        let message = Expr::Concat(vec![
            Expr::text("no rate converts `"),
            currency.clone(),
            Expr::text(format!(
                "` to `{to}` (field `{}`, rule `{}`); declare one with `rate ",
                read.name, rule.label
            )),
            currency.clone(),
            Expr::text(format!(" = ... {to}`")),
        ]);
        let unknown = Expr::and(vec![
            read.expr.clone().null_test().not(),
            Expr::In(Box::new(currency), known).or_false().not(),
        ]);
        Some(Lowered {
            value,
            error: Some(Expr::when(unknown, message, Expr::Null)),
        })
    }

    fn member(&mut self, read: &Read, set: &ValueSet, rule: &Rule) -> Option<Lowered> {
        let text = matches!(read.kind, FieldKind::Text | FieldKind::OneOf(_));
        if text && (!set.texts.is_empty() || set.others.is_empty()) {
            let mut texts: Vec<&String> = set.texts.iter().collect();
            texts.sort();
            let items = texts.into_iter().map(|t| Expr::text(t.clone())).collect();
            let value = Expr::In(Box::new(read.expr.clone()), items).or_false();
            return Some(Lowered::sure(value));
        }
        if !set.texts.is_empty() {
            return None;
        }
        let mut values = Vec::new();
        let mut errors = Vec::new();
        for literal in &set.others {
            let one = self.compare(read, CmpOp::Eq, literal, rule)?;
            if let Some(error) = one.error {
                errors.push(error);
            }
            values.push(one.value);
        }
        let error = (!errors.is_empty()).then_some(Expr::Coalesce(errors));
        Some(Lowered {
            value: Expr::or(values),
            error,
        })
    }

    /// The schema's checks of one field, as akar makes them before any rule:
    /// the message when the listing's value breaks its kind.
    pub fn conform(&mut self, path: &FieldPath) -> Option<Expr> {
        let kind = self.plan.slot_kind(path.slot)?.clone();
        let v = Expr::col(&path.segments);
        let says = |expected: &str, found: Expr| {
            Expr::Concat(vec![
                Expr::text(format!("field `{}` is ", path.dotted)),
                found,
                Expr::text(format!(", but the schema says {expected}")),
            ])
        };
        let quoted = || {
            Expr::Concat(vec![
                Expr::text("the string "),
                Expr::JsonText(Box::new(v.clone())),
            ])
        };
        let present = v.clone().null_test().not();
        match kind {
            FieldKind::OneOf(values) => {
                let mut sorted: Vec<&String> = values.iter().collect();
                sorted.sort();
                let items = sorted.iter().map(|t| Expr::text((*t).clone())).collect();
                let outside = Expr::In(Box::new(v.clone()), items).or_false().not();
                let listed = list_values(values.iter().map(String::as_str), 8);
                let message = says(&format!("one of {listed}"), quoted());
                Some(Expr::when(
                    Expr::and(vec![present, outside]),
                    message,
                    Expr::Null,
                ))
            }
            FieldKind::Date => {
                let bad = Expr::IsDate(Box::new(v.clone())).or_false().not();
                let message = says("a date (`YYYY-MM-DD` or an RFC 3339 date-time)", quoted());
                Some(Expr::when(
                    Expr::and(vec![present, bad]),
                    message,
                    Expr::Null,
                ))
            }
            FieldKind::Money => {
                let part = |name: &str| {
                    let mut segments = path.segments.clone();
                    segments.push(name.to_string());
                    Expr::col(&segments).null_test()
                };
                let broken = Expr::or(vec![part("amount"), part("currency")]);
                let message = says(
                    "money (a number or {\"amount\": ..., \"currency\": \"...\"})",
                    Expr::text("an object"),
                );
                Some(Expr::when(
                    Expr::and(vec![present, broken]),
                    message,
                    Expr::Null,
                ))
            }
            _ => None,
        }
    }
}

fn has(text: Expr, place: Text, needle: &Needle) -> Expr {
    Expr::Has(Box::new(text), place, needle.lower.clone())
}

fn any(needles: &[Needle], each: impl Fn(&Needle) -> Expr) -> Expr {
    Expr::or(needles.iter().map(each).collect())
}

/// `contains word`: the needle with no letter or digit joined to it, where it
/// begins (ends) with one, as a pattern both RE2 and Java read alike.
fn word(text: Expr, needle: &Needle) -> Expr {
    words(text, std::slice::from_ref(needle))
}

/// `contains any word`: one pattern for the needles that begin and end alike
/// (with a letter or digit or not), so a list is searched in a pass or four.
fn words(text: Expr, needles: &[Needle]) -> Expr {
    let letter = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut groups: [Vec<String>; 4] = Default::default();
    for needle in needles {
        let lower = &needle.lower;
        if lower.is_empty() {
            continue;
        }
        let (starts, ends) = (
            letter(lower.chars().next()),
            letter(lower.chars().next_back()),
        );
        let mut body = String::new();
        for c in lower.chars() {
            if c == ' ' {
                // `\ ` is not an escape RE2 reads: a space class is.
                body.push_str("[ ]");
                continue;
            }
            if c.is_ascii_punctuation() {
                body.push('\\');
            }
            body.push(c);
        }
        if let Some(group) = groups.get_mut(usize::from(starts) * 2 + usize::from(ends)) {
            group.push(body);
        }
    }
    let mut patterns = Vec::new();
    for (at, group) in groups.iter().enumerate() {
        if group.is_empty() {
            continue;
        }
        let mut pattern = String::new();
        if at >= 2 {
            pattern.push_str("(^|[^\\p{L}\\p{N}])");
        }
        pattern.push_str("(?:");
        pattern.push_str(&group.join("|"));
        pattern.push(')');
        if at % 2 == 1 {
            pattern.push_str("([^\\p{L}\\p{N}]|$)");
        }
        patterns.push(Expr::Regex(Box::new(text.clone()), pattern).or_false());
    }
    Expr::or(patterns)
}

/// `amount OP num / den` for amounts of at most 10 decimal places, without
/// arithmetic in SQL: against the fraction rounded up or down to 10 places,
/// whichever keeps the answer exact. `None` if the fraction is too large.
fn threshold(amount: Expr, op: CmpOp, num: Decimal, den: Decimal) -> Option<Expr> {
    let scale = Decimal::from(10_000_000_000_i64);
    let scaled = num.checked_mul(scale)?;
    // An exact quotient at 10 places, or the two around it.
    let (floor, ceil) = if den == Decimal::ONE && num.normalize().scale() <= 10 {
        (num, num)
    } else {
        let guess = scaled.checked_div(den)?.floor();
        let (f, c) = settle(guess, scaled, den)?;
        (f / scale, c / scale)
    };
    let exact = floor == ceil;
    let cmp =
        |op, bound: Decimal| Expr::compare(amount.clone(), op, Expr::Number(bound)).or_false();
    Some(match op {
        CmpOp::Lt => cmp(CmpOp::Lt, ceil),
        CmpOp::Le => cmp(CmpOp::Le, floor),
        CmpOp::Gt => cmp(CmpOp::Gt, floor),
        CmpOp::Ge => cmp(CmpOp::Ge, ceil),
        CmpOp::Eq if exact => cmp(CmpOp::Eq, floor),
        CmpOp::Ne if exact => cmp(CmpOp::Ne, floor),
        CmpOp::Eq => Expr::Bool(false),
        // A present amount is never the fraction; a missing one is no amount.
        CmpOp::Ne => amount.null_test().not(),
    })
}

/// The integers around `x / den` (`den > 0`): equal when it divides, else
/// the one below and the one above; checked by multiplying back, since
/// `Decimal` division rounds past 28 digits.
fn settle(guess: Decimal, x: Decimal, den: Decimal) -> Option<(Decimal, Decimal)> {
    let mut f = guess;
    while f.checked_mul(den)? > x {
        f -= Decimal::ONE;
    }
    while (f + Decimal::ONE).checked_mul(den)? <= x {
        f += Decimal::ONE;
    }
    let c = if f.checked_mul(den)? == x {
        f
    } else {
        f + Decimal::ONE
    };
    Some((f, c))
}
