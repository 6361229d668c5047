//! Which rules of two plans decide every listing alike: the same action and the
//! same condition once every name is resolved (fields by path, named conditions
//! and `match`es by what they say), under the same rates and time zone. A
//! comparison of two policy sets decides such a rule once for both sides.
//!
//! Equality is structural, never textual: each distinct node of either plan's
//! conditions gets a number from one table, a node's key being its own content
//! and its children's numbers. So a named condition used many times (or a chain
//! of names each using the last twice) is keyed once, and two rules are
//! counterparts exactly when their trees, names expanded, are equal.

use std::fmt::Write as _;

use rustc_hash::FxHashMap;

use super::{Cond, Derived, Operand, Plan, Rule, Term, Test};

/// For each rule of `a`, a rule of `b` that decides every listing as it does
/// (the first in `b`'s order), if any. Dates are not compared: whether a rule
/// is in force is the caller's to check on each side's date.
pub fn counterparts(a: &Plan, b: &Plan) -> Vec<Option<usize>> {
    if a.rates() != b.rates() || a.zone() != b.zone() {
        return vec![None; a.rules().len()];
    }
    let mut table = Table::default();
    let mut of_b: FxHashMap<u32, usize> = FxHashMap::default();
    let mut keyer = Keyer::new(b, &mut table);
    let keys_b: Vec<u32> = b.rules().iter().map(|r| keyer.rule(r)).collect();
    for (index, key) in keys_b.into_iter().enumerate() {
        of_b.entry(key).or_insert(index);
    }
    let mut keyer = Keyer::new(a, &mut table);
    a.rules()
        .iter()
        .map(|rule| of_b.get(&keyer.rule(rule)).copied())
        .collect()
}

/// Node keys to their numbers, shared by both plans.
#[derive(Default)]
struct Table {
    numbers: FxHashMap<String, u32>,
}

impl Table {
    fn number(&mut self, key: String) -> u32 {
        let fresh = u32::try_from(self.numbers.len()).unwrap_or(u32::MAX);
        *self.numbers.entry(key).or_insert(fresh)
    }
}

/// Numbers one plan's nodes, remembering its named conditions and `match`es.
struct Keyer<'a> {
    plan: &'a Plan,
    table: &'a mut Table,
    shared: Vec<Option<u32>>,
    derived: Vec<Option<u32>>,
}

impl<'a> Keyer<'a> {
    fn new(plan: &'a Plan, table: &'a mut Table) -> Self {
        Keyer {
            plan,
            table,
            shared: vec![None; plan.shared().len()],
            derived: vec![None; plan.derived().len()],
        }
    }

    fn rule(&mut self, rule: &Rule) -> u32 {
        let when = self.cond(&rule.when);
        self.table.number(format!("rule {:?} {when}", rule.action))
    }

    fn cond(&mut self, cond: &Cond) -> u32 {
        let key = match cond {
            Cond::True => "true".to_string(),
            Cond::And(items) => self.list("and", items),
            Cond::Or(items) => self.list("or", items),
            Cond::Not(inner) => format!("not {}", self.cond(inner)),
            Cond::Test(operand, test) => {
                let operand = self.operand(operand);
                format!("test {operand} {}", test_key(test))
            }
            Cond::Compare(c) => {
                let (left, right) = (self.term(&c.left), self.term(&c.right));
                format!("compare {left} {:?} {right}", c.op)
            }
            // A name stands for what it says: its number is its condition's.
            Cond::Ref(id) => return self.named(*id),
        };
        self.table.number(key)
    }

    fn list(&mut self, word: &str, items: &[Cond]) -> String {
        let mut key = word.to_string();
        for item in items {
            let number = self.cond(item);
            let _ = write!(key, " {number}");
        }
        key
    }

    fn named(&mut self, id: usize) -> u32 {
        if let Some(Some(known)) = self.shared.get(id) {
            return *known;
        }
        let plan = self.plan;
        let number = match plan.shared().get(id) {
            Some(named) => self.cond(&named.cond),
            // The plan checks every reference; a dangling one matches nothing.
            None => self.table.number(format!("dangling {id} {:p}", plan)),
        };
        if let Some(slot) = self.shared.get_mut(id) {
            *slot = Some(number);
        }
        number
    }

    fn operand(&mut self, operand: &Operand) -> String {
        match operand {
            Operand::Field(path) => format!("field {:?}", path.segments),
            Operand::Derived(index) => format!("derived {}", self.derived(*index)),
        }
    }

    fn term(&mut self, term: &Term) -> u32 {
        let key = match term {
            Term::Field(path) => format!("field {:?}", path.segments),
            Term::Derived(index) => format!("derived {}", self.derived(*index)),
            Term::Const(value) => format!("const {value:?}"),
            Term::Arith(a, op, b) => {
                let (a, b) = (self.term(a), self.term(b));
                format!("arith {a} {op:?} {b}")
            }
        };
        self.table.number(key)
    }

    fn derived(&mut self, index: usize) -> u32 {
        if let Some(Some(known)) = self.derived.get(index) {
            return *known;
        }
        let plan = self.plan;
        let key = match plan.derived().get(index) {
            Some(derived) => derived_key(derived),
            None => format!("dangling derived {index} {:p}", plan),
        };
        let number = self.table.number(key);
        if let Some(slot) = self.derived.get_mut(index) {
            *slot = Some(number);
        }
        number
    }
}

/// A test's content; sets by their sorted values (a set keeps no order).
fn test_key(test: &Test) -> String {
    match test {
        Test::In(set) => {
            let mut texts: Vec<&String> = set.texts.iter().collect();
            texts.sort();
            format!("in {texts:?} {:?}", set.others)
        }
        Test::Matches(pattern) => format!("matches {:?}", pattern.source),
        other => format!("{other:?}"),
    }
}

/// What a `match` says: its field, each key's value, and the `else` value.
fn derived_key(derived: &Derived) -> String {
    let value = |id: &u32| derived.values.get(*id as usize).map(ToString::to_string);
    let mut arms: Vec<(&String, Option<String>)> =
        derived.arms.iter().map(|(k, v)| (k, value(v))).collect();
    arms.sort();
    format!(
        "match {:?} {arms:?} else {:?}",
        derived.field.segments,
        derived.default.as_ref().map(value)
    )
}
