//! The compiled form of a plan's rules that decisions run on.
//!
//! The plan's conditions ([`Cond`]) say what the policy means and are what
//! explanations walk; this form is for speed. Each test is specialised by what it
//! compares (text equality, text sets, booleans, money); tests on a `match`-derived
//! field become bit tests over the field's few possible values; a condition used by
//! several rules (a `let`, a subject) that costs more than a lookup is evaluated at
//! most once per listing; the tests each rule starts with feed the [`RuleIndex`];
//! and the result is emitted as [`Code`].

use std::collections::HashMap;

use rustc_hash::FxHashSet;
use serde_json::Value as Json;

use super::bits;
use super::code::{AnyCheck, Code, Failed, Frame, MEMOS, MoneyCheck, WordsCheck};
use super::index::{FieldGate, Gate, Lead, RuleIndex};
use super::keys::KeyTable;
use super::listing::Listing;
use super::search::{Keywords, WordSearch};
use crate::json::Node;
use crate::money::{Rates, conversions};
use crate::plan::{CmpOp, Comparison, Cond, Derived, Operand, Plan, Test, Value};

#[derive(Debug, Clone, Default)]
pub(super) struct Program {
    /// The rules, then the conditions shared by several rules (each evaluated
    /// once per listing), as instructions.
    code: Code,
    /// Which rules a listing's first few values already rule out.
    index: RuleIndex,
    /// For each derived field, its `match`'s keys.
    keys: Vec<KeyTable>,
    /// Per field with keyword tests, all their keywords, searched once
    /// (`None` where they cannot be: those tests keep their own checks).
    keywords: Vec<Option<Keywords>>,
}

/// A condition as a tree, specialised: what rules compile to before they become
/// [`Code`], and what the [`RuleIndex`] is worked out from.
#[derive(Debug, Clone)]
pub(super) enum Op {
    True,
    And(Box<[Op]>),
    Or(Box<[Op]>),
    Not(Box<Op>),
    Memo(usize),
    Field(usize, Check),
    /// The derived value's index is one of these bits (missing is never).
    DerivedIn(usize, Box<[u64]>),
    Derived(usize, Check),
    /// A comparison of computed values.
    Compare(Box<Comparison>),
}

/// Kept small (large payloads boxed) so that telling the kinds apart is cheap.
#[derive(Debug, Clone)]
pub(super) enum Check {
    Missing,
    Text(Box<str>),
    Texts(Box<FxHashSet<String>>),
    Bool(bool),
    Money(Box<MoneyCheck>),
    Any(Box<AnyCheck>),
    Words(Box<WordsCheck>),
    /// A comparison with a whole number: a listing's integer compares as one.
    Int(Box<(CmpOp, i64, Test)>),
    /// A comparison of a date-time with a date, the date read once per listing.
    Date(Box<(CmpOp, chrono::NaiveDate, Test)>),
    /// A keyword test answered from its field's shared search.
    Keyword(Box<KeywordCheck>),
    Other(Box<Test>),
}

/// A keyword test whose keywords are searched with all others on its field
/// (see [`Keywords`]): `group` is the field's search, `ids` the test's
/// keywords in it; the test's own check answers text that is not ASCII and
/// values that are not text.
#[derive(Debug, Clone)]
pub(super) struct KeywordCheck {
    pub group: usize,
    /// The test's keywords as bits over its group's, by the words that hold
    /// any (a test's keywords are numbered together, so one or two words).
    pub mask: Box<[(u32, u64)]>,
    pub words: bool,
    pub own: Check,
}

impl Program {
    pub(super) fn compile(plan: &Plan) -> Program {
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut uses = vec![0usize; plan.shared().len()];
        let conditions = plan.rules().iter().map(|r| &r.when);
        for cond in conditions.chain(plan.shared().iter().map(|s| &s.cond)) {
            count_shared(cond, &mut counts);
            cond.visit_refs(&mut |id| {
                if let Some(n) = uses.get_mut(id) {
                    *n += 1;
                }
            });
        }
        let mut compiler = Compiler {
            plan,
            counts,
            memo_keys: HashMap::new(),
            memos: Vec::new(),
            uses,
            refs: vec![None; plan.shared().len()],
        };
        let rules: Vec<Op> = plan.rules().iter().map(|r| compiler.op(&r.when)).collect();
        let memos = compiler.memos;
        let values: Vec<usize> = plan.derived().iter().map(|d| d.values.len()).collect();
        let mut with_answered: Vec<(Op, usize)> = rules
            .into_iter()
            .map(|op| {
                let answered = answered(plan, &op, &memos);
                (op, answered)
            })
            .collect();
        let mut memos = memos;
        let mut gather = KeywordGather::default();
        for (op, _) in &mut with_answered {
            gather.op(op);
        }
        for op in &mut memos {
            gather.op(op);
        }
        let keywords = gather.finish(&mut with_answered, &mut memos);
        // After the keyword tests are gathered: a rule may start with one.
        let leads: Vec<Vec<Lead>> = with_answered
            .iter()
            .map(|(op, _)| {
                let mut found = Vec::new();
                leads(plan, op, &memos, &mut found);
                found
            })
            .collect();
        Program {
            keywords,
            code: Code::new(&with_answered, &memos, &layout(&leads)),
            index: RuleIndex::new(leads, &values),
            keys: plan
                .derived()
                .iter()
                .map(|d| KeyTable::new(&d.arms))
                .collect(),
        }
    }

    /// Takes from `rules` those that cannot match the frame's listing, and says
    /// whether it did (see [`RuleIndex::strike`]).
    pub(super) fn strike<N: Node>(&self, frame: &mut Frame<N>, rules: &mut [u64]) -> bool {
        self.index.strike(frame, rules)
    }

    /// Whether rule `index` matches the frame's listing; `struck` when the
    /// index has struck out the rules whose first tests fail.
    pub(super) fn matches<N: Node>(
        &self,
        plan: &Plan,
        index: usize,
        struck: bool,
        frame: &mut Frame<N>,
    ) -> Result<bool, Failed> {
        self.code.rule(plan, index, struck, frame)
    }

    pub(super) fn frame<'l, 'a, N: Node>(
        &'l self,
        plan: &'l Plan,
        listing: &'l Listing<'a, N>,
    ) -> Frame<'l, 'a, N> {
        Frame::new(plan, &self.keys, &self.keywords, listing)
    }
}

/// Counts each shareable condition, keyed by its structure, across all rules.
fn count_shared(cond: &Cond, counts: &mut HashMap<String, usize>) {
    if let Some(key) = share_key(cond) {
        *counts.entry(key).or_default() += 1;
    }
    match cond {
        Cond::And(items) | Cond::Or(items) => items.iter().for_each(|c| count_shared(c, counts)),
        Cond::Not(inner) => count_shared(inner, counts),
        Cond::True | Cond::Test(..) | Cond::Compare(_) | Cond::Ref(_) => {}
    }
}

/// What a condition must cost to be worth remembering rather than repeating.
const SHARE_COST: usize = 4;

/// Conditions worth remembering: those that cost more than a lookup, i.e. that
/// search text, compare money, numbers or dates, or combine several tests. A
/// few cheap tests cost less to repeat than to remember.
fn share_key(cond: &Cond) -> Option<String> {
    // The plan's `Debug` form is its structure: equal keys are equal conditions.
    (cost(cond) >= SHARE_COST).then(|| format!("{cond:?}"))
}

/// Roughly what evaluating a condition costs, in cheap tests. A named condition
/// costs a lookup: it is remembered, or cheap enough to be written out.
fn cost(cond: &Cond) -> usize {
    match cond {
        Cond::True => 0,
        Cond::And(items) | Cond::Or(items) => items.iter().map(cost).sum(),
        Cond::Not(inner) => cost(inner),
        Cond::Test(_, test) => test_cost(test),
        Cond::Compare(_) => 5,
        Cond::Ref(_) => 1,
    }
}

fn test_cost(test: &Test) -> usize {
    match test {
        Test::Contains(_)
        | Test::ContainsAny(_)
        | Test::StartsWith(_)
        | Test::StartsWithAny(_)
        | Test::EndsWith(_)
        | Test::EndsWithAny(_)
        | Test::ContainsWord(_)
        | Test::ContainsAnyWord(_)
        | Test::Matches(_) => 10,
        Test::Missing | Test::IsTrue | Test::In(_) => 1,
        Test::Compare(_, Value::Text(_) | Value::Bool(_)) => 1,
        Test::Compare(..) => 3,
    }
}

/// What evaluating compiled code costs, as [`cost`] counts.
fn op_cost(op: &Op) -> usize {
    match op {
        Op::True => 0,
        Op::And(items) | Op::Or(items) => items.iter().map(op_cost).sum(),
        Op::Not(inner) => op_cost(inner),
        Op::Memo(_) | Op::DerivedIn(..) => 1,
        Op::Field(_, check) | Op::Derived(_, check) => match check {
            Check::Missing | Check::Text(_) | Check::Texts(_) | Check::Bool(_) => 1,
            Check::Money(_) => 3,
            Check::Any(_) | Check::Words(_) => 10,
            Check::Keyword(_) => 2,
            Check::Int(_) | Check::Date(_) => 2,
            Check::Other(test) => test_cost(test),
        },
        Op::Compare(_) => 5,
    }
}

struct Compiler<'p> {
    plan: &'p Plan,
    counts: HashMap<String, usize>,
    memo_keys: HashMap<String, usize>,
    memos: Vec<Op>,
    /// How often each named condition is used.
    uses: Vec<usize>,
    /// Each named condition, compiled once: written out where it is cheap or
    /// used once, else a memo.
    refs: Vec<Option<Op>>,
}

impl Compiler<'_> {
    fn op(&mut self, cond: &Cond) -> Op {
        let key = share_key(cond).filter(|k| self.counts.get(k).is_some_and(|n| *n > 1));
        if let Some(index) = key.as_ref().and_then(|k| self.memo_keys.get(k)) {
            return Op::Memo(*index);
        }
        let op = match cond {
            Cond::True => Op::True,
            Cond::And(items) => Op::And(self.flat_and(items)),
            Cond::Or(items) => Op::Or(items.iter().map(|c| self.op(c)).collect()),
            Cond::Not(inner) => Op::Not(Box::new(self.op(inner))),
            Cond::Test(Operand::Field(path), test) => {
                Op::Field(path.slot, check(test, self.plan.rates()))
            }
            Cond::Test(Operand::Derived(index), test) => match self.plan.derived().get(*index) {
                Some(derived) => derived_op(derived, *index, test, self.plan.rates()),
                None => Op::Derived(*index, check(test, self.plan.rates())),
            },
            Cond::Compare(comparison) => Op::Compare(comparison.clone()),
            Cond::Ref(id) => self.named(*id),
        };
        match key {
            // Checked again: the condition's own parts may have taken the last bits.
            Some(key) if self.memos.len() < MEMOS => {
                self.memos.push(op);
                self.memo_keys.insert(key, self.memos.len() - 1);
                Op::Memo(self.memos.len() - 1)
            }
            _ => op,
        }
    }
}

impl Compiler<'_> {
    /// A named condition, compiled the first time it is met. A memo unless it is
    /// cheap or used once, so that however often names use names, the code
    /// stays as large as the policy.
    fn named(&mut self, id: usize) -> Op {
        if let Some(Some(op)) = self.refs.get(id) {
            return op.clone();
        }
        let plan = self.plan;
        let Some(shared) = plan.shared().get(id) else {
            return Op::True;
        };
        let op = self.op(&shared.cond);
        let uses = self.uses.get(id).copied().unwrap_or(0);
        let op = if uses <= 1 || op_cost(&op) < SHARE_COST {
            op
        } else {
            self.memos.push(op);
            Op::Memo(self.memos.len() - 1)
        };
        if let Some(slot) = self.refs.get_mut(id) {
            *slot = Some(op.clone());
        }
        op
    }

    /// `a and (b and c)` as `a and b and c`: the same tests in the same order,
    /// one level to walk, and more first tests for the [`RuleIndex`].
    fn flat_and(&mut self, items: &[Cond]) -> Box<[Op]> {
        let mut flat = Vec::with_capacity(items.len());
        for item in items {
            match self.op(item) {
                Op::And(inner) => flat.extend(inner.into_vec()),
                op => flat.push(op),
            }
        }
        flat.into()
    }
}

/// The tests a rule surely starts with that a [`RuleIndex`] can answer; false once
/// a test that is not one of them is met (nothing after it is a first test).
fn leads(plan: &Plan, op: &Op, memos: &[Op], found: &mut Vec<Lead>) -> bool {
    match op {
        Op::True => true,
        Op::And(items) => items.iter().all(|item| leads(plan, item, memos, found)),
        Op::Memo(index) => memos
            .get(*index)
            .is_some_and(|memo| leads(plan, memo, memos, found)),
        Op::Field(slot, Check::Bool(want)) => {
            found.push(Lead::Bool(*slot, [*want, !*want, false]));
            true
        }
        Op::Not(inner) if matches!(&**inner, Op::Field(_, Check::Bool(_))) => {
            if let Op::Field(slot, Check::Bool(want)) = &**inner {
                found.push(Lead::Bool(*slot, [!*want, *want, true]));
            }
            true
        }
        other => {
            // Any other test, and an `or` of them, is a first test the index can
            // answer when the listing's derived value alone can rule it out, or
            // the value of the one field it reads.
            if let Some(gate) = gate(plan, other, memos) {
                found.push(Lead::Derived(gate));
            } else if let Some(gate) = field_gate(plan, other, memos) {
                found.push(Lead::Field(gate));
            } else if let Op::Field(slot, Check::Keyword(keyword)) = other {
                found.push(Lead::Keyword {
                    slot: *slot,
                    group: keyword.group,
                    mask: keyword.mask.clone(),
                    words: keyword.words,
                });
            }
            exact(plan, other, memos)
        }
    }
}

/// The rules in the order their code is laid out: grouped by their last gate
/// (the most particular), in policy order within a group, so that the rules
/// one listing's values let through lie side by side.
fn layout(leads: &[Vec<Lead>]) -> Vec<usize> {
    let mut groups: HashMap<String, usize> = HashMap::new();
    let mut keyed: Vec<(usize, usize)> = leads
        .iter()
        .enumerate()
        .map(|(rule, leads)| {
            let key = leads
                .iter()
                .rev()
                .find_map(|lead| match lead {
                    Lead::Field(gate) => Some(format!("{}:{:?}", gate.slot, gate.texts)),
                    Lead::Derived(gate) => Some(format!("d{}:{:?}", gate.derived, gate.values)),
                    Lead::Keyword { group, mask, .. } => Some(format!("k{group}:{mask:?}")),
                    Lead::Bool(..) => None,
                })
                .unwrap_or_default();
            let next = groups.len();
            (*groups.entry(key).or_insert(next), rule)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, rule)| rule).collect()
}

/// How many of a rule's first `and` items are tests the index answers in full
/// (see [`leads`]): where the index lets the rule run, they hold.
fn answered(plan: &Plan, op: &Op, memos: &[Op]) -> usize {
    match op {
        Op::And(items) => items
            .iter()
            .take_while(|item| exact(plan, item, memos))
            .count(),
        other => usize::from(exact(plan, other, memos)),
    }
}

/// Whether every test in `op` is one the index answers exactly.
fn exact(plan: &Plan, op: &Op, memos: &[Op]) -> bool {
    match op {
        Op::True | Op::Field(_, Check::Bool(_)) | Op::DerivedIn(..) => true,
        Op::Field(slot, Check::Missing | Check::Text(_) | Check::Texts(_)) => {
            !is_match_source(plan, *slot)
        }
        Op::Not(inner) => match &**inner {
            Op::Field(_, Check::Bool(_)) => true,
            Op::Field(slot, Check::Missing) => !is_match_source(plan, *slot),
            _ => false,
        },
        Op::Memo(index) => memos
            .get(*index)
            .is_some_and(|memo| exact(plan, memo, memos)),
        Op::And(items) => items.iter().all(|item| exact(plan, item, memos)),
        _ => false,
    }
}

/// Whether a `match` reads the field: tests on it are gated by the derived
/// value instead (see [`source_gate`]).
fn is_match_source(plan: &Plan, slot: usize) -> bool {
    plan.derived().iter().any(|d| d.field.slot == slot)
}

/// The values of one field outside which `op` is false: its first test, or
/// every branch's, when each is `==`, `in` or `is missing` on a text, or `is
/// present`.
fn field_gate(plan: &Plan, op: &Op, memos: &[Op]) -> Option<FieldGate> {
    let gate = |slot: usize, texts: Vec<Box<str>>, present: bool, missing: bool| {
        (!is_match_source(plan, slot)).then_some(FieldGate {
            slot,
            texts,
            present,
            missing,
        })
    };
    match op {
        Op::Field(slot, Check::Text(text)) => gate(*slot, vec![text.clone()], false, false),
        Op::Field(slot, Check::Texts(texts)) => gate(
            *slot,
            texts.iter().map(|t| t.as_str().into()).collect(),
            false,
            false,
        ),
        Op::Field(slot, Check::Missing) => gate(*slot, Vec::new(), false, true),
        Op::Not(inner) => match &**inner {
            Op::Field(slot, Check::Missing) => gate(*slot, Vec::new(), true, false),
            _ => None,
        },
        Op::Memo(index) => field_gate(plan, memos.get(*index)?, memos),
        Op::And(items) => field_gate(plan, items.first()?, memos),
        Op::Or(items) => {
            let mut branches = items.iter().map(|item| field_gate(plan, item, memos));
            let mut all = branches.next()??;
            for branch in branches {
                all = all.union(branch?)?;
            }
            Some(all)
        }
        _ => None,
    }
}

/// The values of one derived field outside which `op` is false, found without
/// evaluating anything that could fail: its first test, or every branch's.
fn gate(plan: &Plan, op: &Op, memos: &[Op]) -> Option<Gate> {
    match op {
        Op::DerivedIn(index, bits) => Some(Gate {
            derived: *index,
            values: bits.clone(),
            missing: false,
            text: None,
        }),
        Op::Field(slot, check) => source_gate(plan, *slot, check),
        Op::Memo(index) => gate(plan, memos.get(*index)?, memos),
        Op::And(items) => gate(plan, items.first()?, memos),
        Op::Or(items) => {
            let mut branches = items.iter().map(|item| gate(plan, item, memos));
            let mut all = branches.next()??;
            for branch in branches {
                all = all.union(branch?)?;
            }
            Some(all)
        }
        _ => None,
    }
}

/// A test on the field a `match` reads, as the derived values it allows: a
/// category can only be `"Books"` where the cluster is `books`'s value.
fn source_gate(plan: &Plan, slot: usize, check: &Check) -> Option<Gate> {
    let (index, derived) = plan
        .derived()
        .iter()
        .enumerate()
        .find(|(_, d)| d.field.slot == slot)?;
    let mut gate = Gate {
        derived: index,
        values: vec![0; derived.values.len().div_ceil(64)].into(),
        missing: false,
        text: None,
    };
    // The derived value a text gives, or none (the gate's `missing`).
    let mut allow = |text: &str| match derived.arms.get(text).copied().or(derived.default) {
        Some(id) => bits::set(&mut gate.values, id as usize),
        None => gate.missing = true,
    };
    match check {
        Check::Missing => gate.missing = true,
        Check::Text(text) => allow(text),
        Check::Texts(texts) => texts.iter().for_each(|t| allow(t)),
        _ => return None,
    }
    // A text test fails on a value that is not text: the index checks first.
    if !matches!(check, Check::Missing) {
        gate.text = Some(slot);
    }
    Some(gate)
}

fn check(test: &Test, rates: &Rates) -> Check {
    match test {
        Test::Missing => Check::Missing,
        Test::Compare(CmpOp::Eq, Value::Text(t)) => Check::Text(t.as_str().into()),
        Test::Compare(CmpOp::Eq, Value::Bool(b)) => Check::Bool(*b),
        Test::IsTrue => Check::Bool(true),
        Test::In(set) if set.others.is_empty() => Check::Texts(Box::new(set.texts.clone())),
        Test::Compare(op, Value::Money(money)) => Check::Money(Box::new(MoneyCheck::new(
            *op,
            money,
            conversions(rates, money),
        ))),
        Test::ContainsAny(needles) => Check::Any(Box::new(AnyCheck::new(needles))),
        Test::ContainsWord(needle) => words(test, std::slice::from_ref(needle)),
        Test::ContainsAnyWord(needles) => words(test, needles),
        Test::Compare(op, Value::Number(n)) if n.fract().is_zero() => match i64::try_from(*n) {
            Ok(whole) => Check::Int(Box::new((*op, whole, test.clone()))),
            Err(_) => Check::Other(Box::new(test.clone())),
        },
        Test::Compare(op, Value::Date(date)) => Check::Date(Box::new((*op, *date, test.clone()))),
        other => Check::Other(Box::new(other.clone())),
    }
}

/// `contains word` and `contains any word`: one pass for all the needles over
/// ASCII text, the test itself for the rest.
fn words(test: &Test, needles: &[crate::plan::Needle]) -> Check {
    match WordSearch::new(needles.iter().map(|n| n.lower.as_str())) {
        Some(search) => Check::Words(Box::new(WordsCheck {
            test: test.clone(),
            search,
        })),
        None => Check::Other(Box::new(test.clone())),
    }
}

/// A test on a derived field: when every value it can take is text and the test
/// is text equality or membership, the answer for each value is known now.
fn derived_op(derived: &Derived, index: usize, test: &Test, rates: &Rates) -> Op {
    let all_text = derived.values.iter().all(Json::is_string);
    let holds = |wanted: &dyn Fn(&str) -> bool| -> Vec<u64> {
        let mut bits = vec![0u64; derived.values.len().div_ceil(64)];
        for (id, value) in derived.values.iter().enumerate() {
            if value.as_str().is_some_and(wanted) {
                bits::set(&mut bits, id);
            }
        }
        bits
    };
    match test {
        Test::Compare(CmpOp::Eq, Value::Text(t)) if all_text => {
            Op::DerivedIn(index, holds(&|v| v == t).into())
        }
        Test::In(set) if all_text && set.others.is_empty() => {
            Op::DerivedIn(index, holds(&|v| set.texts.contains(v)).into())
        }
        other => Op::Derived(index, check(other, rates)),
    }
}

/// Gathers the keywords of every keyword test, by field, and then points each
/// test at its field's shared search.
#[derive(Default)]
struct KeywordGather {
    /// Per field slot: its group.
    groups: HashMap<usize, Group>,
}

/// One field's keywords, lower-cased, in the order met, and their ids.
struct Group {
    index: usize,
    keywords: Vec<String>,
    ids: HashMap<String, u32>,
}

impl KeywordGather {
    fn op(&mut self, op: &mut Op) {
        match op {
            Op::And(items) | Op::Or(items) => items.iter_mut().for_each(|i| self.op(i)),
            Op::Not(inner) => self.op(inner),
            Op::Field(slot, check) => {
                let (needles, words) = match check {
                    Check::Any(any) => (any.needles.as_slice(), false),
                    Check::Words(w) => match &w.test {
                        Test::ContainsWord(n) => (std::slice::from_ref(n), true),
                        Test::ContainsAnyWord(n) => (n.as_slice(), true),
                        _ => return,
                    },
                    _ => return,
                };
                let next = self.groups.len();
                let Group {
                    index: group,
                    keywords,
                    ids,
                } = self.groups.entry(*slot).or_insert_with(|| Group {
                    index: next,
                    keywords: Vec::new(),
                    ids: HashMap::new(),
                });
                let ids: Vec<u32> = needles
                    .iter()
                    .map(|n| {
                        let lower = n.lower.to_ascii_lowercase();
                        let fresh = u32::try_from(keywords.len()).unwrap_or(u32::MAX);
                        *ids.entry(lower.clone()).or_insert_with(|| {
                            keywords.push(lower);
                            fresh
                        })
                    })
                    .collect();
                let own = std::mem::replace(check, Check::Missing);
                *check = Check::Keyword(Box::new(KeywordCheck {
                    group: *group,
                    mask: sparse_bits(&ids),
                    words,
                    own,
                }));
            }
            Op::True | Op::Memo(_) | Op::DerivedIn(..) | Op::Derived(..) | Op::Compare(_) => {}
        }
    }

    /// The searches, by group; a field whose keywords cannot be searched
    /// together (one is not ASCII) has its tests keep their own checks.
    fn finish(self, rules: &mut [(Op, usize)], memos: &mut [Op]) -> Vec<Option<Keywords>> {
        let mut groups: Vec<(usize, Vec<String>)> = self
            .groups
            .into_values()
            .map(|g| (g.index, g.keywords))
            .collect();
        groups.sort_by_key(|(g, _)| *g);
        let searches: Vec<Option<Keywords>> =
            groups.iter().map(|(_, k)| Keywords::new(k)).collect();
        let broken: Vec<bool> = searches.iter().map(Option::is_none).collect();
        if broken.contains(&true) {
            for op in rules.iter_mut().map(|(op, _)| op).chain(memos.iter_mut()) {
                restore(op, &broken);
            }
        }
        searches
    }
}

/// Puts back the own check of keyword tests whose group has no search.
fn restore(op: &mut Op, broken: &[bool]) {
    match op {
        Op::And(items) | Op::Or(items) => items.iter_mut().for_each(|i| restore(i, broken)),
        Op::Not(inner) => restore(inner, broken),
        Op::Field(_, check) => {
            if let Check::Keyword(k) = check
                && broken.get(k.group).copied().unwrap_or(true)
            {
                let own = std::mem::replace(&mut k.own, Check::Missing);
                *check = own;
            }
        }
        _ => {}
    }
}

/// Keyword ids as `(word, bits)` pairs, each word once, in order.
fn sparse_bits(ids: &[u32]) -> Box<[(u32, u64)]> {
    let mut words: Vec<(u32, u64)> = Vec::new();
    for id in ids {
        let (word, bit) = (id / 64, 1u64 << (id % 64));
        match words.iter_mut().find(|(w, _)| *w == word) {
            Some((_, bits)) => *bits |= bit,
            None => words.push((word, bit)),
        }
    }
    words.sort_unstable();
    words.into()
}
