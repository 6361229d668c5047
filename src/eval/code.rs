//! Rules as flat lists of tests, and the loop that runs them.
//!
//! A condition tree walked by recursion pays a call for every test. Here each
//! test says where to go next when it is true and when it is false: `a and b`
//! is `a` (true: go to `b`; false: the rule is false) then `b` (true: true,
//! false: false), and `not` swaps the two. A rule is one pass over a short
//! slice with one dispatch per test; only shared conditions (memos) are run as a
//! call, once per listing.

use rust_decimal::Decimal;
use serde_json::Value as Json;
use smallvec::SmallVec;

use super::bits;
use super::error::{EvalError, Fault};
use super::keys::KeyTable;
use super::listing::Listing;
use super::program::KeywordCheck;
use super::program::{Check, Op};
use super::search::{Hits, Keywords, Search, WordSearch};
use super::value;
use crate::json::{Node, View};
use crate::money::Conversion;
use crate::plan::{CmpOp, Comparison, Money, Needle, Plan, Value};

/// A test and where to go after it.
#[derive(Debug, Clone)]
struct Step {
    test: Inst,
    if_true: u32,
    if_false: u32,
}

/// In a [`Step`], going to this target ends the body as true (or false).
const TRUE: u32 = u32::MAX;
const FALSE: u32 = u32::MAX - 1;

#[derive(Debug, Clone)]
enum Inst {
    True,
    /// `FIELD is missing`: the commonest test, answered without a look at the value.
    Missing(usize),
    Field(usize, Check),
    /// The derived value's index is one of these bits (missing is never).
    DerivedIn(usize, Box<[u64]>),
    Derived(usize, Check),
    Memo(usize),
    Compare(Box<Comparison>),
    /// A field compared with a whole number, the number in the step itself (a
    /// rule's data in a box of its own costs a cache miss per rule where there
    /// are thousands); `Code::fallbacks[fallback]` answers other values.
    Int {
        slot: u32,
        op: CmpOp,
        fallback: u32,
        value: i64,
    },
    /// A date-time field compared with a date; the field's local date is read
    /// once per listing.
    Date {
        slot: u32,
        op: CmpOp,
        fallback: u32,
        date: chrono::NaiveDate,
    },
    /// A money comparison whose whole amounts per currency are
    /// `Code::wholes[at..at + len]`, beside the other rules'; the check at
    /// `Code::fallbacks[fallback]` answers other values.
    Money {
        slot: u32,
        op: CmpOp,
        len: u16,
        at: u32,
        fallback: u32,
    },
    /// A step that could not be compiled: evaluating it is an internal error.
    Internal,
}

/// Every rule's and memo's steps, in one list.
#[derive(Debug, Clone, Default)]
pub(super) struct Code {
    steps: Vec<Step>,
    /// Each rule's steps, as a range of `steps`: without the first tests the
    /// [`super::index::RuleIndex`] answers (kept small: with thousands of rules
    /// the table is read once per rule walked), and all of them.
    rest: Vec<(u32, u32)>,
    full: Vec<(u32, u32)>,
    memos: Vec<(usize, usize)>,
    /// The money tests' whole amounts: (currency, amount), the currency an
    /// index into `currencies`.
    wholes: Vec<(u32, i64)>,
    currencies: Vec<Box<str>>,
    /// The checks for what [`Inst::Int`] and [`Inst::Money`] do not answer.
    fallbacks: Vec<Check>,
}

/// A failed test: what it read and why (its rule is added by the caller). Boxed:
/// failures are rare, and a small result keeps the loop over steps cheap.
pub(super) type Failed = Box<EvalError>;

/// Where to go, while steps are emitted: a body's end, or a place not yet known.
#[derive(Clone, Copy)]
enum Label {
    End(bool),
    At(usize),
}

/// Emits one body; places are resolved when it is done.
struct Emitter<'c> {
    /// The code the body goes into, for the side tables steps point into.
    code: &'c mut Code,
    steps: Vec<Step>,
    /// Each label's step, once placed.
    places: Vec<usize>,
    /// Each step's labels, to resolve.
    labels: Vec<(Label, Label)>,
}

impl Code {
    /// `rules[i]` is rule `i`'s condition and how many of its first `and` items
    /// the index answers (they are true wherever the index lets the rule run).
    /// The bodies are laid out in `order` (every rule once), so that the rules
    /// a listing walks, those the index lets through together, lie together in
    /// memory rather than a cache miss apart.
    pub(super) fn new(rules: &[(Op, usize)], memos: &[Op], order: &[usize]) -> Code {
        let mut code = Code::default();
        code.memos = memos.iter().map(|op| code.body(op)).collect();
        code.rest = vec![(0, 0); rules.len()];
        code.full = vec![(0, 0); rules.len()];
        // The bodies without the answered tests are the ones nearly always run.
        for &index in order {
            if let Some((op, answered)) = rules.get(index) {
                let rest = narrow(code.body(&without(op, *answered)));
                if let Some(entry) = code.rest.get_mut(index) {
                    *entry = rest;
                }
            }
        }
        for &index in order {
            if let Some((op, _)) = rules.get(index) {
                let full = narrow(code.body(op));
                if let Some(entry) = code.full.get_mut(index) {
                    *entry = full;
                }
            }
        }
        code
    }

    fn body(&mut self, op: &Op) -> (usize, usize) {
        let mut emitter = Emitter {
            steps: Vec::new(),
            places: Vec::new(),
            labels: Vec::new(),
            code: self,
        };
        emitter.emit(op, Label::End(true), Label::End(false));
        let Emitter {
            steps,
            places,
            labels,
            ..
        } = emitter;
        let start = self.steps.len();
        // A label is placed before its body is resolved, and a body has fewer
        // steps than its policy has bytes, far below `u32::MAX` (policies are
        // limited in size: `crate::syntax::MAX_BYTES`): `None` cannot happen.
        let resolve = |label: Label| match label {
            Label::End(true) => Some(TRUE),
            Label::End(false) => Some(FALSE),
            Label::At(n) => places.get(n).and_then(|p| u32::try_from(*p).ok()),
        };
        for (step, (if_true, if_false)) in steps.into_iter().zip(&labels) {
            let step = match (resolve(*if_true), resolve(*if_false)) {
                (Some(if_true), Some(if_false)) => Step {
                    test: step.test,
                    if_true,
                    if_false,
                },
                _ => Step {
                    test: Inst::Internal,
                    if_true: FALSE,
                    if_false: FALSE,
                },
            };
            self.steps.push(step);
        }
        (start, self.steps.len())
    }

    /// The number of a currency in `currencies`, added if new.
    fn currency(&mut self, currency: &str) -> u32 {
        let at = match self.currencies.iter().position(|c| **c == *currency) {
            Some(at) => at,
            None => {
                self.currencies.push(currency.into());
                self.currencies.len() - 1
            }
        };
        u32::try_from(at).unwrap_or(u32::MAX)
    }

    /// A field's whole amount and its currency's number, read once per
    /// listing for every money test on the field.
    fn whole_money<N: Node>(&self, frame: &mut Frame<N>, slot: usize) -> Option<(u32, i64)> {
        if let Some((cached, money)) = frame.money
            && cached == slot
        {
            return money;
        }
        let money = frame.field(slot).and_then(|value| {
            let (View::Number(amount), View::Str(currency)) =
                (value.get("amount")?.view(), value.get("currency")?.view())
            else {
                return None;
            };
            let id = self.currencies.iter().position(|c| **c == *currency)?;
            Some((u32::try_from(id).ok()?, amount.as_i64()?))
        });
        frame.money = Some((slot, money));
        money
    }

    /// The answer of a step's fallback check.
    fn fallback<N: Node>(
        &self,
        plan: &Plan,
        frame: &Frame<N>,
        slot: usize,
        fallback: u32,
    ) -> Result<bool, Failed> {
        let check = self
            .fallbacks
            .get(fallback as usize)
            .ok_or_else(|| internal("a test the code does not have"))?;
        let value = frame.field(slot);
        if value.is_none() {
            frame.readable(plan, slot)?;
        }
        run_check(check, value, plan).map_err(|fault| failed(field_name(plan, slot), *fault))
    }

    /// Whether rule `index` matches the frame's listing; `answered` when the
    /// index has answered the rule's first tests (they held).
    pub(super) fn rule<N: Node>(
        &self,
        plan: &Plan,
        index: usize,
        answered: bool,
        frame: &mut Frame<N>,
    ) -> Result<bool, Failed> {
        let range = if answered { &self.rest } else { &self.full };
        let body = range
            .get(index)
            .and_then(|(start, end)| self.steps.get(*start as usize..*end as usize));
        match body {
            Some(body) => self.run(plan, body, frame),
            None => Err(internal("a rule the code does not have")),
        }
    }

    /// Runs a body. The first failed test ends it, so the failure reported is
    /// the first in evaluation order, as in the walk over conditions.
    fn run<N: Node>(
        &self,
        plan: &Plan,
        body: &[Step],
        frame: &mut Frame<N>,
    ) -> Result<bool, Failed> {
        let mut at = 0;
        while let Some(step) = body.get(at) {
            let result = match &step.test {
                Inst::DerivedIn(index, bits) => match frame.derived_id(*index) {
                    Some(id) => bits::has(bits, id as usize),
                    None => {
                        frame.derived_readable(plan, *index)?;
                        false
                    }
                },
                Inst::Missing(slot) => match frame.field(*slot) {
                    Some(_) => false,
                    None => {
                        frame.readable(plan, *slot)?;
                        true
                    }
                },
                Inst::Field(slot, Check::Keyword(keyword)) => {
                    let value = frame.field(*slot);
                    if value.is_none() {
                        frame.readable(plan, *slot)?;
                    }
                    let shared = match value.map(Node::view) {
                        Some(View::Str(text)) => frame.keyword(keyword, text),
                        _ => None,
                    };
                    match shared {
                        Some(hit) => hit,
                        None => run_check(&keyword.own, value, plan)
                            .map_err(|fault| failed(field_name(plan, *slot), *fault))?,
                    }
                }
                Inst::Field(slot, check) => {
                    let value = frame.field(*slot);
                    if value.is_none() {
                        frame.readable(plan, *slot)?;
                    }
                    run_check(check, value, plan)
                        .map_err(|fault| failed(field_name(plan, *slot), *fault))?
                }
                Inst::Int {
                    slot,
                    op,
                    fallback,
                    value,
                } => {
                    let slot = *slot as usize;
                    let int = frame.field(slot).and_then(|v| match v.view() {
                        View::Number(n) => n.as_i64(),
                        _ => None,
                    });
                    match int {
                        Some(n) => value::holds(*op, n.cmp(value)),
                        None => self.fallback(plan, frame, slot, *fallback)?,
                    }
                }
                Inst::Date {
                    slot,
                    op,
                    fallback,
                    date,
                } => {
                    let slot = *slot as usize;
                    match frame.local_date(slot) {
                        Some(found) => value::holds(*op, found.cmp(date)),
                        None => self.fallback(plan, frame, slot, *fallback)?,
                    }
                }
                Inst::Money {
                    slot,
                    op,
                    len,
                    at,
                    fallback,
                } => {
                    let slot = *slot as usize;
                    let whole = self
                        .whole_money(frame, slot)
                        .and_then(|(currency, amount)| {
                            let start = *at as usize;
                            let wholes = self.wholes.get(start..start + usize::from(*len))?;
                            let (_, threshold) = wholes.iter().find(|(c, _)| *c == currency)?;
                            Some(value::holds(*op, amount.cmp(threshold)))
                        });
                    match whole {
                        Some(hit) => hit,
                        None => self.fallback(plan, frame, slot, *fallback)?,
                    }
                }
                Inst::Memo(index) => self.memo(plan, *index, frame)?,
                Inst::Compare(comparison) => super::compute::holds(plan, comparison, &*frame)?,
                Inst::True => true,
                Inst::Internal => return Err(internal("a jump to no step")),
                Inst::Derived(index, check) => {
                    let value = frame.derived_value(plan, *index);
                    if value.is_none() {
                        frame.derived_readable(plan, *index)?;
                    }
                    run_check(check, value, plan)
                        .map_err(|fault| failed(derived_name(plan, *index), *fault))?
                }
            };
            let next = if result { step.if_true } else { step.if_false };
            if next >= FALSE {
                return Ok(next == TRUE);
            }
            at = next as usize;
        }
        // Only an empty body gets here.
        Ok(true)
    }

    #[inline]
    fn memo<N: Node>(
        &self,
        plan: &Plan,
        index: usize,
        frame: &mut Frame<N>,
    ) -> Result<bool, Failed> {
        if let Some(known) = frame.memo(index) {
            return Ok(known);
        }
        let body = self
            .memos
            .get(index)
            .and_then(|(s, e)| self.steps.get(*s..*e));
        let result = match body {
            Some(body) => self.run(plan, body, frame)?,
            None => return Err(internal("a shared condition the code does not have")),
        };
        frame.remember(index, result);
        Ok(result)
    }
}

impl Emitter<'_> {
    fn label(&mut self) -> usize {
        self.places.push(0);
        self.places.len() - 1
    }

    fn place(&mut self, label: usize) {
        let here = self.steps.len();
        if let Some(place) = self.places.get_mut(label) {
            *place = here;
        }
    }

    /// Emits `op`, going to `yes` where it is true and `no` where it is false.
    fn emit(&mut self, op: &Op, yes: Label, no: Label) {
        let test = match op {
            Op::True => Inst::True,
            Op::Not(inner) => return self.emit(inner, no, yes),
            Op::And(items) if items.is_empty() => Inst::True,
            Op::Or(items) if items.is_empty() => return self.emit(&Op::True, no, yes),
            Op::And(items) => return self.chain(items, yes, no, true),
            Op::Or(items) => return self.chain(items, yes, no, false),
            Op::Memo(index) => Inst::Memo(*index),
            Op::Field(slot, Check::Missing) => Inst::Missing(*slot),
            Op::Field(slot, check) => self.field(*slot, check),
            Op::DerivedIn(index, bits) => Inst::DerivedIn(*index, bits.clone()),
            Op::Derived(index, check) => Inst::Derived(*index, check.clone()),
            Op::Compare(comparison) => Inst::Compare(comparison.clone()),
        };
        self.steps.push(Step {
            test,
            if_true: 0,
            if_false: 0,
        });
        self.labels.push((yes, no));
    }

    /// A field's test; comparisons with numbers and money inline.
    fn field(&mut self, slot: usize, check: &Check) -> Inst {
        let inline = match check {
            Check::Int(int) => Some((int.0, None)),
            Check::Date(date) => Some((date.0, None)),
            Check::Money(money) => Some((money.op, Some(&money.whole))),
            _ => None,
        };
        let (Some((op, wholes)), Ok(slot), Ok(fallback)) = (
            inline,
            u32::try_from(slot),
            u32::try_from(self.code.fallbacks.len()),
        ) else {
            return Inst::Field(slot, check.clone());
        };
        let inst = match (check, wholes) {
            (Check::Int(int), _) => Inst::Int {
                slot,
                op,
                fallback,
                value: int.1,
            },
            (Check::Date(date), _) => Inst::Date {
                slot,
                op,
                fallback,
                date: date.1,
            },
            (_, Some(wholes)) => {
                let (Ok(at), Ok(len)) = (
                    u32::try_from(self.code.wholes.len()),
                    u16::try_from(wholes.len()),
                ) else {
                    return Inst::Field(slot as usize, check.clone());
                };
                for (currency, amount) in wholes {
                    let id = self.code.currency(currency);
                    self.code.wholes.push((id, *amount));
                }
                Inst::Money {
                    slot,
                    op,
                    len,
                    at,
                    fallback,
                }
            }
            _ => return Inst::Field(slot as usize, check.clone()),
        };
        self.code.fallbacks.push(check.clone());
        inst
    }

    /// `a and b`: `a` goes on to `b` where true and to `no` where false; the last
    /// item decides. `or` the other way round.
    fn chain(&mut self, items: &[Op], yes: Label, no: Label, and: bool) {
        let (last, first) = match items.split_last() {
            Some(split) => split,
            None => return,
        };
        for item in first {
            let next = self.label();
            if and {
                self.emit(item, Label::At(next), no);
            } else {
                self.emit(item, yes, Label::At(next));
            }
            self.place(next);
        }
        self.emit(last, yes, no);
    }
}

/// A body's range as the rule tables keep it; an empty one (an internal error
/// when run) past `u32::MAX` steps, which a policy's size limit rules out.
fn narrow((start, end): (usize, usize)) -> (u32, u32) {
    match (u32::try_from(start), u32::try_from(end)) {
        (Ok(start), Ok(end)) => (start, end),
        _ => (u32::MAX, u32::MAX),
    }
}

/// `op` without its first `answered` `and` items.
fn without(op: &Op, answered: usize) -> Op {
    match op {
        Op::And(items) if answered > 0 => Op::And(items.iter().skip(answered).cloned().collect()),
        _ if answered > 0 => Op::True,
        other => other.clone(),
    }
}

fn field_name(plan: &Plan, slot: usize) -> &str {
    plan.fields().get(slot).map_or("", |f| f.dotted.as_str())
}

fn derived_name(plan: &Plan, index: usize) -> &str {
    plan.derived().get(index).map_or("", |d| d.name.as_str())
}

fn failed(name: &str, fault: Fault) -> Failed {
    Box::new(EvalError::new(fault, name))
}

fn internal(problem: &'static str) -> Failed {
    failed("", Fault::Internal { problem })
}

/// At most this many conditions repeated across rules (as written, not named)
/// are remembered; any beyond are evaluated where they are used, like any other.
/// Named conditions are always remembered.
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
    /// The first 64 memos: decided, and true.
    known: u64,
    values: u64,
    /// Any beyond, two bits each (decided, true), made when first needed.
    more: Vec<u64>,
    keywords: &'l [Option<Keywords>],
    /// Each keyword group's hits in this listing, searched when first needed
    /// (`None` inside: the text is not ASCII).
    hits: SmallVec<[Option<Option<Hits>>; 1]>,
    /// The last money field read whole (see [`Code::whole_money`]).
    money: Option<(usize, Option<(u32, i64)>)>,
    /// The last date-time field read as a local date.
    date: Option<(usize, Option<chrono::NaiveDate>)>,
}

impl<'l, 'a, N: Node> Frame<'l, 'a, N> {
    /// `keys[d]` looks up derived field `d`'s keys.
    pub(super) fn new(
        plan: &'l Plan,
        keys: &[KeyTable],
        keywords: &'l [Option<Keywords>],
        listing: &'l Listing<'a, N>,
    ) -> Self {
        let derive = |index: usize| {
            let (Some(derived), Some(keys)) = (plan.derived().get(index), keys.get(index)) else {
                return NONE;
            };
            let value = listing.field(derived.field.slot);
            let id = match value.map(Node::view) {
                Some(View::Str(text)) => keys.get(text).or(derived.default),
                _ => value::derive_id(derived, value),
            };
            id.unwrap_or(NONE)
        };
        Frame {
            plan,
            listing,
            derived: std::array::from_fn(derive),
            known: 0,
            values: 0,
            more: Vec::new(),
            keywords,
            hits: SmallVec::new(),
            money: None,
            date: None,
        }
    }

    /// Keyword group `group`'s hits in `text` (its field's), searched when
    /// first needed; `None` where the search cannot answer (not ASCII).
    pub(super) fn group_hits(&mut self, group: usize, text: &str) -> Option<&Hits> {
        if self.hits.len() <= group {
            self.hits.resize(group + 1, None);
        }
        let slot = self.hits.get_mut(group)?;
        if slot.is_none() {
            let search = self.keywords.get(group)?.as_ref()?;
            *slot = Some(search.hits(text));
        }
        slot.as_ref()?.as_ref()
    }

    /// A text field's local date, read once per listing for every date test on
    /// it; `None` where it is not a date-time (the test's own check says why).
    fn local_date(&mut self, slot: usize) -> Option<chrono::NaiveDate> {
        if let Some((cached, date)) = self.date
            && cached == slot
        {
            return date;
        }
        let date = match self.field(slot).map(Node::view) {
            Some(View::Str(text)) => super::date::parse_listing_date(text, self.plan.zone()),
            _ => None,
        };
        self.date = Some((slot, date));
        date
    }

    /// A keyword test on text: from its group's hits, searched once per
    /// listing; `None` where the group cannot answer (text not ASCII).
    fn keyword(&mut self, check: &KeywordCheck, text: &str) -> Option<bool> {
        let hits = self.group_hits(check.group, text)?;
        let bits = if check.words {
            &hits.words
        } else {
            &hits.found
        };
        Some(
            check
                .mask
                .iter()
                .any(|(word, mask)| bits.get(*word as usize).is_some_and(|b| b & mask != 0)),
        )
    }

    /// Fails when slot `slot` is missing because its path went through a value
    /// that is not an object (a listing of the wrong shape, never missing).
    #[inline]
    fn readable(&self, plan: &Plan, slot: usize) -> Result<(), Failed> {
        if !self.listing.has_broken() {
            return Ok(());
        }
        match self.listing.broken(slot) {
            Some(broken) => Err(failed(
                field_name(plan, slot),
                Fault::Broken(broken.clone()),
            )),
            None => Ok(()),
        }
    }

    /// As [`Frame::readable`], for the field a derived value is read from.
    #[inline]
    fn derived_readable(&self, plan: &Plan, index: usize) -> Result<(), Failed> {
        if !self.listing.has_broken() {
            return Ok(());
        }
        match plan.derived().get(index) {
            Some(derived) => self.readable(plan, derived.field.slot),
            None => Ok(()),
        }
    }

    /// Memo `index`'s value, if it has been decided for this listing.
    #[inline]
    fn memo(&self, index: usize) -> Option<bool> {
        if index < 64 {
            let bit = 1u64 << index;
            return (self.known & bit != 0).then_some(self.values & bit != 0);
        }
        let (word, bit) = ((index - 64) / 32, 2 * ((index - 64) % 32));
        let pair = self.more.get(word)? >> bit;
        (pair & 1 != 0).then_some(pair & 2 != 0)
    }

    fn remember(&mut self, index: usize, value: bool) {
        if index < 64 {
            let bit = 1u64 << index;
            self.known |= bit;
            if value {
                self.values |= bit;
            }
            return;
        }
        let (word, bit) = ((index - 64) / 32, 2 * ((index - 64) % 32));
        if self.more.len() <= word {
            self.more.resize(word + 1, 0);
        }
        if let Some(pair) = self.more.get_mut(word) {
            *pair |= (1 | (u64::from(value) << 1)) << bit;
        }
    }

    pub(super) fn field(&self, slot: usize) -> Option<&'a N> {
        self.listing.field(slot)
    }

    pub(super) fn has_broken(&self) -> bool {
        self.listing.has_broken()
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
        plan.derived().get(index)?.values.get(id as usize)
    }
}

fn run_check<N: Node>(check: &Check, value: Option<&N>, plan: &Plan) -> Result<bool, Box<Fault>> {
    let Some(value) = value else {
        return Ok(matches!(check, Check::Missing));
    };
    match (check, value.view()) {
        (Check::Missing, _) => Ok(false),
        (Check::Keyword(keyword), _) => run_check(&keyword.own, Some(value), plan),
        (Check::Text(text), View::Str(s)) => Ok(**text == *s),
        (Check::Texts(set), View::Str(s)) => Ok(set.contains(s)),
        (Check::Bool(b), View::Bool(v)) => Ok(*b == v),
        (Check::Text(_) | Check::Texts(_), _) => Err(value::wrong(value, "text")),
        (Check::Bool(_), _) => Err(value::wrong(value, "a boolean")),
        (Check::Money(money), _) => match money.whole(value) {
            Some(hit) => Ok(hit),
            None => value::compare(
                money.op,
                value,
                &money.literal,
                plan.rates(),
                plan.zone(),
                &money.conversions,
            ),
        },
        (Check::Any(any), View::Str(text)) => {
            match any.search.as_ref().and_then(|s| s.find_in(text)) {
                Some(hit) => Ok(hit),
                None => value::contains_any(value, &any.needles),
            }
        }
        (Check::Any(any), _) => value::contains_any(value, &any.needles),
        (Check::Words(words), View::Str(text)) => match words.search.find_in(text) {
            Some(hit) => Ok(hit),
            None => value::apply(&words.test, value, plan.rates(), plan.zone()),
        },
        (Check::Words(words), _) => value::apply(&words.test, value, plan.rates(), plan.zone()),
        (Check::Int(int), View::Number(n)) => match n.as_i64() {
            Some(n) => Ok(value::holds(int.0, n.cmp(&int.1))),
            None => value::apply(&int.2, value, plan.rates(), plan.zone()),
        },
        (Check::Int(int), _) => value::apply(&int.2, value, plan.rates(), plan.zone()),
        (Check::Date(date), _) => value::apply(&date.2, value, plan.rates(), plan.zone()),
        (Check::Other(test), _) => value::apply(test, value, plan.rates(), plan.zone()),
    }
}

/// A money comparison with the literal's whole amounts at hand, in each currency
/// it converts to exactly: a listing's whole amount in one of them compares as
/// integers. Anything else (fractions, other currencies, other shapes, errors)
/// is left to the general comparison, which gives the same answers.
#[derive(Debug, Clone)]
pub(super) struct MoneyCheck {
    op: CmpOp,
    whole: Vec<(Box<str>, i64)>,
    literal: Value,
    /// The literal in every currency its rates reach.
    conversions: Vec<Conversion>,
}

impl MoneyCheck {
    pub(super) fn new(op: CmpOp, literal: &Money, conversions: Vec<Conversion>) -> MoneyCheck {
        let own = (literal.currency.as_str(), literal.amount, Decimal::ONE);
        let converted = conversions
            .iter()
            .map(|c| (c.currency.as_str(), c.num, c.den));
        let whole = std::iter::once(own)
            .chain(converted)
            .filter(|(_, num, den)| *den == Decimal::ONE && num.fract().is_zero())
            .filter_map(|(c, num, _)| Some((c.into(), i64::try_from(num).ok()?)))
            .collect();
        MoneyCheck {
            op,
            whole,
            literal: Value::Money(literal.clone()),
            conversions,
        }
    }

    /// The answer for `{"amount": WHOLE, "currency": C}` with `C` at hand.
    fn whole<N: Node>(&self, value: &N) -> Option<bool> {
        let (View::Number(amount), View::Str(currency)) =
            (value.get("amount")?.view(), value.get("currency")?.view())
        else {
            return None;
        };
        let amount = amount.as_i64()?;
        let (_, threshold) = self.whole.iter().find(|(c, _)| **c == *currency)?;
        Some(value::holds(self.op, amount.cmp(threshold)))
    }
}

/// `contains any [...]`, with a searcher for all its needles in one pass over
/// ASCII text (absent when a needle is not ASCII).
#[derive(Clone)]
pub(super) struct AnyCheck {
    pub needles: Vec<Needle>,
    pub search: Option<Search>,
}

impl AnyCheck {
    pub(super) fn new(needles: &[Needle]) -> AnyCheck {
        AnyCheck {
            needles: needles.to_vec(),
            search: Search::new(needles.iter().map(|n| n.lower.as_str())),
        }
    }
}

/// `contains any word [...]`: its test, for the plain reading, and a searcher
/// for all its needles in one pass over ASCII text.
#[derive(Clone)]
pub(super) struct WordsCheck {
    pub test: crate::plan::Test,
    pub search: WordSearch,
}

impl std::fmt::Debug for WordsCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.test)
    }
}

/// The needles only: the searcher is derived from them.
impl std::fmt::Debug for AnyCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.needles.iter().map(|n| &n.exact))
            .finish()
    }
}

impl<'a, N: Node + 'a> super::compute::Reader<'a, N> for Frame<'_, 'a, N> {
    fn field(&self, plan: &Plan, slot: usize) -> Result<Option<&'a N>, Failed> {
        let value = self.listing.field(slot);
        if value.is_none() {
            self.readable(plan, slot)?;
        }
        Ok(value)
    }

    fn derived<'p>(&self, plan: &'p Plan, index: usize) -> Result<Option<&'p Json>, Failed> {
        let value = self.derived_value(plan, index);
        if value.is_none() {
            self.derived_readable(plan, index)?;
        }
        Ok(value)
    }
}
