//! Rules as flat instruction lists, and the loop that runs them.
//!
//! A condition tree walked by recursion pays a call for every test; here an `and`
//! or `or` becomes a jump over the tests it no longer needs, so a rule is one
//! pass over a short slice with one dispatch per test. Only shared conditions
//! (memos) are run as a call, once per listing.

use serde_json::Value as Json;

use super::bits;
use super::listing::Listing;
use super::node::{Node, View};
use super::program::{Check, Op};
use super::value::{self, Fault};
use crate::plan::Plan;

/// One step. Each test sets the result; jumps read it.
#[derive(Debug, Clone)]
enum Inst {
    True,
    Field(usize, Check),
    /// The derived value's index is one of these bits (missing is never).
    DerivedIn(usize, Box<[u64]>),
    Derived(usize, Check),
    Memo(usize),
    Not,
    /// If the result is false, go to this instruction (an `and` is decided).
    IfFalse(usize),
    /// If the result is true, go to this instruction (an `or` is decided).
    IfTrue(usize),
}

/// Every rule's and memo's instructions, in one list.
#[derive(Debug, Clone, Default)]
pub(super) struct Code {
    insts: Vec<Inst>,
    /// Each rule's instructions, as a range of `insts`.
    rules: Vec<(usize, usize)>,
    memos: Vec<(usize, usize)>,
}

/// A failed test: what it read and why.
pub(super) type Failed = Box<(String, Fault)>;

impl Code {
    pub(super) fn new(rules: &[Op], memos: &[Op]) -> Code {
        let mut code = Code::default();
        code.memos = memos.iter().map(|op| code.body(op)).collect();
        code.rules = rules.iter().map(|op| code.body(op)).collect();
        code
    }

    fn body(&mut self, op: &Op) -> (usize, usize) {
        let start = self.insts.len();
        self.emit(op, start);
        (start, self.insts.len())
    }

    /// Emits `op`; jump targets are relative to `start`, where the body begins.
    fn emit(&mut self, op: &Op, start: usize) {
        match op {
            Op::True => self.insts.push(Inst::True),
            Op::And(items) => self.chain(items, start, Inst::IfFalse),
            Op::Or(items) => self.chain(items, start, Inst::IfTrue),
            Op::Not(inner) => {
                self.emit(inner, start);
                self.insts.push(Inst::Not);
            }
            Op::Memo(index) => self.insts.push(Inst::Memo(*index)),
            Op::Field(slot, check) => self.insts.push(Inst::Field(*slot, check.clone())),
            Op::DerivedIn(index, bits) => self.insts.push(Inst::DerivedIn(*index, bits.clone())),
            Op::Derived(index, check) => self.insts.push(Inst::Derived(*index, check.clone())),
        }
    }

    /// `a and b and c`: each item, then a jump to the end if it decides the whole.
    /// The result at the end is the last item's, which is the whole's.
    fn chain(&mut self, items: &[Op], start: usize, jump: fn(usize) -> Inst) {
        if items.is_empty() {
            // An empty `and` is true and an empty `or` false; the checker makes
            // neither, but the walk over conditions would give these.
            let empty_and = matches!(jump(0), Inst::IfFalse(_));
            self.insts.push(Inst::True);
            if !empty_and {
                self.insts.push(Inst::Not);
            }
            return;
        }
        let mut jumps = Vec::new();
        for (n, item) in items.iter().enumerate() {
            self.emit(item, start);
            if n + 1 < items.len() {
                jumps.push(self.insts.len());
                self.insts.push(jump(0));
            }
        }
        let end = self.insts.len() - start;
        for at in jumps {
            self.insts[at] = jump(end);
        }
    }

    /// Whether rule `index` matches the frame's listing.
    pub(super) fn rule<N: Node>(
        &self,
        plan: &Plan,
        index: usize,
        frame: &mut Frame<N>,
    ) -> Result<bool, Failed> {
        let (start, end) = self.rules[index];
        self.run(plan, &self.insts[start..end], frame)
    }

    /// Runs a body. The first failed test ends it, so the failure reported is
    /// the first in evaluation order, as in the walk over conditions.
    fn run<N: Node>(
        &self,
        plan: &Plan,
        body: &[Inst],
        frame: &mut Frame<N>,
    ) -> Result<bool, Failed> {
        let mut result = true;
        let mut at = 0;
        while let Some(inst) = body.get(at) {
            at += 1;
            result = match inst {
                Inst::DerivedIn(index, bits) => frame
                    .derived_id(*index)
                    .is_some_and(|id| bits::has(bits, id as usize)),
                Inst::IfFalse(to) => {
                    if !result {
                        at = *to;
                    }
                    result
                }
                Inst::IfTrue(to) => {
                    if result {
                        at = *to;
                    }
                    result
                }
                Inst::Field(slot, check) => run_check(check, frame.field(*slot), plan)
                    .map_err(|fault| failed(plan.fields[*slot].dotted.clone(), *fault))?,
                Inst::Memo(index) => self.memo(plan, *index, frame)?,
                Inst::Not => !result,
                Inst::True => true,
                Inst::Derived(index, check) => {
                    run_check(check, frame.derived_value(plan, *index), plan)
                        .map_err(|fault| failed(plan.derived[*index].name.clone(), *fault))?
                }
            };
        }
        Ok(result)
    }

    fn memo<N: Node>(
        &self,
        plan: &Plan,
        index: usize,
        frame: &mut Frame<N>,
    ) -> Result<bool, Failed> {
        let bit = 1u64 << index;
        if frame.known & bit != 0 {
            return Ok(frame.values & bit != 0);
        }
        let (start, end) = self.memos[index];
        let result = self.run(plan, &self.insts[start..end], frame)?;
        frame.known |= bit;
        if result {
            frame.values |= bit;
        }
        Ok(result)
    }
}

fn failed(name: String, fault: Fault) -> Failed {
    Box::new((name, fault))
}

/// At most this many shared conditions are remembered (one bit each in a
/// [`Frame`]); any beyond are evaluated where they are used, like any other.
pub(super) const MEMOS: usize = 64;

/// The derived values found when a listing's evaluation starts; any beyond are
/// found each time they are read.
const DERIVED: usize = 8;

/// In [`Frame::derived`], no value.
const NONE: u32 = u32::MAX;

/// What one listing's evaluation remembers: the listing, the index of each
/// derived field's value, and the shared conditions already decided (`known`,
/// and which of them are true).
pub(super) struct Frame<'l, 'a, N> {
    plan: &'l Plan,
    listing: &'l Listing<'a, N>,
    derived: [u32; DERIVED],
    known: u64,
    values: u64,
}

impl<'l, 'a, N: Node> Frame<'l, 'a, N> {
    pub(super) fn new(plan: &'l Plan, listing: &'l Listing<'a, N>) -> Self {
        Frame {
            plan,
            listing,
            derived: std::array::from_fn(|index| {
                plan.derived.get(index).map_or(NONE, |d| {
                    value::derive_id(d, listing.field(d.field.slot)).unwrap_or(NONE)
                })
            }),
            known: 0,
            values: 0,
        }
    }

    pub(super) fn field(&self, slot: usize) -> Option<&'a N> {
        self.listing.field(slot)
    }

    /// The index of derived field `index`'s value, if it has one.
    pub(super) fn derived_id(&self, index: usize) -> Option<u32> {
        match self.derived.get(index) {
            Some(&NONE) => None,
            Some(id) => Some(*id),
            None => self.listing.derived_id(self.plan, index),
        }
    }

    fn derived_value<'p>(&self, plan: &'p Plan, index: usize) -> Option<&'p Json> {
        let id = self.derived_id(index)?;
        plan.derived.get(index)?.values.get(id as usize)
    }
}

fn run_check<N: Node>(check: &Check, value: Option<&N>, plan: &Plan) -> Result<bool, Box<Fault>> {
    let Some(value) = value else {
        return Ok(matches!(check, Check::Missing));
    };
    match (check, value.view()) {
        (Check::Missing, _) => Ok(false),
        (Check::Text(text), View::Str(s)) => Ok(**text == *s),
        (Check::Texts(set), View::Str(s)) => Ok(set.contains(s)),
        (Check::Bool(b), View::Bool(v)) => Ok(*b == v),
        (Check::Text(_) | Check::Texts(_), _) => Err(value::wrong(value, "text")),
        (Check::Bool(_), _) => Err(value::wrong(value, "a boolean")),
        (Check::Other(test), _) => value::apply(test, value, &plan.rates),
    }
}
