//! The compiled evaluation plan: what the checker produces and the evaluator runs.
//!
//! Names are resolved (`let`s and subjects inlined), literals converted (exact
//! decimals, calendar dates), lists turned into sets and string needles lower-cased,
//! so that evaluating a listing does no lookups by name and no parsing of the policy.

use rustc_hash::{FxHashMap, FxHashSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::eval::search::Search;
pub use crate::syntax::ast::Action;
use crate::syntax::ast::CmpOp;

/// A checked policy set, ready to evaluate.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Rules in policy order: files in the order given, rules in file order.
    pub rules: Vec<Rule>,
    pub rates: Rates,
    /// Values derived per listing by `let NAME = match ...`.
    pub derived: Vec<Derived>,
    /// Tests written in the policies, in order.
    pub tests: Vec<TestCase>,
    /// Every field the plan reads, by slot (see [`Plan::assign_slots`]).
    pub fields: Vec<FieldPath>,
    /// The slot of the listing's `id`, read for output.
    pub id_slot: usize,
    /// The rules compiled for deciding (see [`crate::eval::program`]).
    pub program: crate::eval::program::Program,
}

impl Plan {
    /// Compiles the checked plan for evaluation: numbers every distinct field path
    /// the plan reads (conditions, `match` fields, and `id`), so that a listing is
    /// read once into slots and each test finds its value by index; and converts
    /// each money literal into every currency its rates reach.
    pub fn compile(&mut self) {
        self.assign_slots();
        let rates = self.rates.clone();
        for rule in &mut self.rules {
            rule.when.visit_tests(&mut |test| {
                if let Test::Compare(_, Value::Money(m)) = test {
                    m.converted = crate::eval::money::conversions(&rates, m);
                }
            });
        }
        self.program = crate::eval::program::Program::compile(self);
    }

    fn assign_slots(&mut self) {
        let mut fields: Vec<FieldPath> = Vec::new();
        let mut intern = |path: &mut FieldPath| {
            path.slot = match fields.iter().position(|f| f.segments == path.segments) {
                Some(slot) => slot,
                None => {
                    fields.push(path.clone());
                    fields.len() - 1
                }
            };
        };
        for rule in &mut self.rules {
            rule.when.visit_fields(&mut intern);
        }
        for derived in &mut self.derived {
            intern(&mut derived.field);
        }
        let mut id = FieldPath::new(vec!["id".into()]);
        intern(&mut id);
        self.id_slot = id.slot;
        for (slot, field) in fields.iter_mut().enumerate() {
            field.slot = slot;
        }
        self.fields = fields;
    }

    pub fn rule_index(&self, name: &str) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.name.as_deref() == Some(name))
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule's name, or `FILE:LINE` for an unnamed rule.
    pub label: String,
    pub name: Option<String>,
    pub action: Action,
    /// Subject, condition and `unless`, combined.
    pub when: Cond,
    pub because: Option<String>,
    pub effective: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// Indices of the rules this one suppresses where it matches.
    pub overrides: Vec<usize>,
    /// Indices of the rules that override this one.
    pub overridden_by: Vec<usize>,
    /// The rule as written, for explanations.
    pub source: String,
    /// Its action line (`block import where ...`) on one line: the reason given
    /// for a rule without `because`.
    pub summary: String,
}

impl Rule {
    /// In force on `date`: `effective <= date < until`.
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.effective.is_none_or(|e| e <= date) && self.until.is_none_or(|u| date < u)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    True,
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Test(Operand, Test),
}

impl Cond {
    fn visit_tests(&mut self, f: &mut impl FnMut(&mut Test)) {
        match self {
            Cond::True => {}
            Cond::And(items) | Cond::Or(items) => items.iter_mut().for_each(|c| c.visit_tests(f)),
            Cond::Not(inner) => inner.visit_tests(f),
            Cond::Test(_, test) => f(test),
        }
    }

    fn visit_fields(&mut self, f: &mut impl FnMut(&mut FieldPath)) {
        match self {
            Cond::True => {}
            Cond::And(items) | Cond::Or(items) => items.iter_mut().for_each(|c| c.visit_fields(f)),
            Cond::Not(inner) => inner.visit_fields(f),
            Cond::Test(Operand::Field(path), _) => f(path),
            Cond::Test(Operand::Derived(_), _) => {}
        }
    }
}

/// What a test reads from a listing.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Field(FieldPath),
    /// Index into [`Plan::derived`].
    Derived(usize),
}

/// A dotted field path, split once, and its slot in [`Plan::fields`].
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
    ContainsAny(NeedleSet),
    /// `starts with "x"`, ignoring case.
    StartsWith(Needle),
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

/// The strings of `contains any [...]`, with a searcher that finds any of them
/// in a single pass over ASCII text, ignoring case.
#[derive(Clone)]
pub struct NeedleSet {
    pub needles: Vec<Needle>,
    /// Absent when a needle is not ASCII: those are matched one by one, lower-cased.
    pub search: Option<Search>,
}

impl NeedleSet {
    pub fn new(needles: Vec<Needle>) -> Self {
        let search = Search::new(needles.iter().map(|n| n.lower.as_str()));
        NeedleSet { needles, search }
    }
}

/// The needles only: the searcher is derived from them.
impl std::fmt::Debug for NeedleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.needles.iter().map(|n| &n.exact))
            .finish()
    }
}

impl PartialEq for NeedleSet {
    fn eq(&self, other: &Self) -> bool {
        self.needles == other.needles
    }
}

impl std::ops::Deref for NeedleSet {
    type Target = [Needle];

    fn deref(&self) -> &[Needle] {
        &self.needles
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub amount: Decimal,
    pub currency: String,
    /// The same amount in each currency the rates connect it to, as
    /// `(currency, numerator, denominator)`: filled by [`Plan::compile`] so that a
    /// listing's price compares with one multiplication at most.
    pub converted: Vec<(String, Decimal, Decimal)>,
}

impl Money {
    pub fn new(amount: Decimal, currency: impl Into<String>) -> Self {
        Money {
            amount,
            currency: currency.into(),
            converted: Vec::new(),
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
    /// The distinct values the arms give, as JSON a listing field would hold.
    pub values: Vec<serde_json::Value>,
}

impl Derived {
    /// The index of `value` in `values`, adding it if new.
    pub fn value_id(&mut self, value: serde_json::Value) -> u32 {
        match self.values.iter().position(|v| *v == value) {
            Some(i) => i as u32,
            None => {
                self.values.push(value);
                (self.values.len() - 1) as u32
            }
        }
    }
}

/// Exchange rates, as each currency's worth in a reference currency of its group.
///
/// Every currency connected by `rate` declarations gets a fraction `num / den` of
/// the group's reference currency; two amounts compare by cross-multiplying, so no
/// division and no rounding ever happens.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rates {
    pub worth: FxHashMap<String, Worth>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Worth {
    pub group: usize,
    pub num: Decimal,
    pub den: Decimal,
}

/// A `test` block, checked.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub name: String,
    pub at: Option<NaiveDate>,
    pub given: serde_json::Value,
    /// `None` expects an `error` decision.
    pub expect: Option<Action>,
    /// Rule indices named after `by`.
    pub by: Vec<usize>,
    /// `FILE:LINE` of the test, for reports.
    pub location: String,
}
