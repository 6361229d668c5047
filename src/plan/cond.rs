//! Conditions as the plan holds them: names resolved, literals converted, lists
//! turned into sets and string needles lower-cased.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};

pub use crate::money::Money;
pub use crate::syntax::ast::{ArithOp, CmpOp};

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    True,
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Test(Operand, Test),
    /// A comparison of computed values (arithmetic, two fields, a derived
    /// number or money), worked out per listing.
    Compare(Box<Comparison>),
    /// A named condition (a condition `let` or a declared subject), by its index
    /// in [`super::Plan::shared`]: written once however often it is used, so a
    /// policy's plan grows with the policy, never with the uses of its names.
    Ref(usize),
}

/// A named condition, shared by every place that uses its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Shared {
    /// The `let` or subject name.
    pub name: String,
    pub cond: Cond,
    /// Where it is declared.
    pub place: Place,
    /// Where each operand of its `and`s and `or`s is written, in the order a
    /// walk over `cond` meets them (see [`Cond::visit_branches`]).
    pub branches: Vec<Place>,
}

/// A line of a policy file: where a rule, a branch of a condition or an arm
/// of a `match` is written, for coverage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    /// The file's index in its [`crate::Sources`].
    pub file: usize,
    /// 1-based.
    pub line: usize,
}

impl Cond {
    /// The named conditions this one uses directly.
    pub fn visit_refs(&self, f: &mut impl FnMut(usize)) {
        let mut stack = vec![self];
        while let Some(cond) = stack.pop() {
            match cond {
                Cond::Ref(id) => f(*id),
                Cond::And(items) | Cond::Or(items) => stack.extend(items.iter().rev()),
                Cond::Not(inner) => stack.push(inner),
                Cond::True | Cond::Test(..) | Cond::Compare(_) => {}
            }
        }
    }

    /// Every test in the condition, in order (not those of the named conditions
    /// it uses: see [`Cond::visit_refs`]).
    pub fn visit_tests<'c>(&'c self, f: &mut impl FnMut(&'c Operand, &'c Test)) {
        let mut stack = vec![self];
        while let Some(cond) = stack.pop() {
            match cond {
                Cond::True | Cond::Ref(_) | Cond::Compare(_) => {}
                Cond::And(items) | Cond::Or(items) => stack.extend(items.iter().rev()),
                Cond::Not(inner) => stack.push(inner),
                Cond::Test(operand, test) => f(operand, test),
            }
        }
    }

    pub(super) fn visit_fields_mut(&mut self, f: &mut impl FnMut(&mut FieldPath)) {
        let mut stack = vec![self];
        while let Some(cond) = stack.pop() {
            match cond {
                Cond::True | Cond::Ref(_) => {}
                Cond::And(items) | Cond::Or(items) => stack.extend(items.iter_mut().rev()),
                Cond::Not(inner) => stack.push(inner),
                Cond::Test(Operand::Field(path), _) => f(path),
                Cond::Test(Operand::Derived(_), _) => {}
                Cond::Compare(comparison) => {
                    comparison.left.visit_fields_mut(f);
                    comparison.right.visit_fields_mut(f);
                }
            }
        }
    }
}

/// `LEFT OP RIGHT` over computed values. `!=` is kept as written: a missing
/// value makes every comparison false but `!=`, as for plain tests.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub left: Term,
    pub op: CmpOp,
    pub right: Term,
}

/// A value computed from a listing: a field, a derived value, a constant, or
/// arithmetic on them (exact decimals; money times a number is money, money
/// divided by money a number).
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    Field(FieldPath),
    /// Index into [`super::Plan::derived`].
    Derived(usize),
    Const(Value),
    Arith(Box<Term>, ArithOp, Box<Term>),
}

impl Term {
    pub(super) fn visit_fields_mut(&mut self, f: &mut impl FnMut(&mut FieldPath)) {
        match self {
            Term::Field(path) => f(path),
            Term::Derived(_) | Term::Const(_) => {}
            Term::Arith(a, _, b) => {
                a.visit_fields_mut(f);
                b.visit_fields_mut(f);
            }
        }
    }

    /// The fields and derived values the term reads, in order.
    pub fn visit(&self, f: &mut impl FnMut(&Term)) {
        match self {
            Term::Arith(a, _, b) => {
                a.visit(f);
                b.visit(f);
            }
            other => f(other),
        }
    }
}

/// What a test reads from a listing.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Field(FieldPath),
    /// Index into [`super::Plan::derived`].
    Derived(usize),
}

/// A dotted field path, split once, and its slot in [`super::Plan::fields`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath {
    pub segments: Vec<String>,
    pub dotted: String,
    pub slot: usize,
}

impl FieldPath {
    pub fn new(segments: Vec<String>) -> Self {
        let dotted = segments.join(".");
        FieldPath {
            segments,
            dotted,
            slot: usize::MAX,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Compare(CmpOp, Value),
    In(ValueSet),
    Missing,
    /// `contains "x"`: substring of a string, ignoring case; member of a list, exactly.
    Contains(Needle),
    ContainsAny(Vec<Needle>),
    /// `starts with "x"`, ignoring case.
    StartsWith(Needle),
    StartsWithAny(Vec<Needle>),
    /// `ends with "x"`, ignoring case.
    EndsWith(Needle),
    EndsWithAny(Vec<Needle>),
    /// `contains word "x"`: `x` in the text, ignoring case, with no letter or
    /// digit right before or after it.
    ContainsWord(Needle),
    ContainsAnyWord(Vec<Needle>),
    /// `matches "PATTERN"`: the text holds a match of the regular expression.
    Matches(Pattern),
    /// A bare boolean field used as a condition.
    IsTrue,
}

/// A string to look for, kept as written (list membership) and lower-cased
/// (substring matching ignores case).
#[derive(Debug, Clone, PartialEq)]
pub struct Needle {
    pub exact: String,
    pub lower: String,
}

impl Needle {
    pub fn new(text: &str) -> Self {
        Needle {
            exact: text.to_string(),
            lower: text.to_lowercase(),
        }
    }
}

/// A regular expression, compiled when the policy is checked; linear-time
/// (the `regex` crate has no backtracking), equal when written the same.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    pub regex: regex::Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(Decimal),
    Money(Money),
    Date(NaiveDate),
    Bool(bool),
}

impl Value {
    /// The kind of a value, as messages name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Text(_) => "text",
            Value::Number(_) => "a number",
            Value::Money(_) => "money",
            Value::Date(_) => "a date",
            Value::Bool(_) => "a boolean",
        }
    }
}

/// The values of a list, grouped so that membership of text is a hash lookup.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ValueSet {
    pub texts: FxHashSet<String>,
    pub others: Vec<Value>,
}

impl ValueSet {
    pub fn from_values(values: Vec<Value>) -> Self {
        let mut set = ValueSet::default();
        for value in values {
            match value {
                Value::Text(t) => {
                    set.texts.insert(t);
                }
                other => set.others.push(other),
            }
        }
        set
    }
}

/// `let NAME = match FIELD { KEYS => VALUE, ..., else => VALUE }`
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub name: String,
    pub field: FieldPath,
    /// Keys as text (text as is, numbers and booleans as their canonical text, so
    /// that `"5"`-keyed and `5`-keyed arms agree), each to its value in `values`.
    pub arms: FxHashMap<String, u32>,
    /// The `else` arm's value in `values`.
    pub default: Option<u32>,
    /// Each arm's keys (as in `arms`) and where it is written, and where the
    /// `else` arm is: for coverage.
    pub arm_places: Vec<(Vec<String>, Place)>,
    pub else_place: Option<Place>,
    /// The distinct values the arms give, as JSON a listing field would hold.
    pub values: Vec<serde_json::Value>,
}

impl Derived {
    /// Adds a value not yet in `values`, and gives its index.
    pub fn push_value(&mut self, value: serde_json::Value) -> u32 {
        self.values.push(value);
        u32::try_from(self.values.len() - 1).unwrap_or(u32::MAX)
    }

    /// The index of `value` in `values`, adding it if new (a linear search: for
    /// many values, keep an index by value beside it).
    pub fn value_id(&mut self, value: serde_json::Value) -> u32 {
        let at = match self.values.iter().position(|v| *v == value) {
            Some(i) => i,
            None => {
                self.values.push(value);
                self.values.len() - 1
            }
        };
        u32::try_from(at).unwrap_or(u32::MAX)
    }
}
