//! The evaluator: a [`Plan`] applied to listings, one decision each.
//!
//! Two readings of the same rules live here. The compiled one ([`Decider`]) is
//! what decisions run on: made from a `&Plan` when the decider is made, so it can
//! never disagree with the plan it came from. The plain one ([`decide_plain`],
//! [`eval`]) walks the plan's conditions as written; the tests and the benchmark
//! check the compiled reading against it.

mod bits;
mod code;
mod compute;
mod conform;
mod date;
mod error;
pub mod explain;
mod index;
mod keys;
mod listing;
mod program;
mod search;
mod value;

use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::Value as Json;
use smallvec::SmallVec;

pub use error::{EvalError, Fault};
pub use listing::Listing;
pub use value::arm_key;

use crate::json::Node;
use crate::plan::{Action, Cond, Operand, Plan, Test};
use program::Program;

/// The decision for one listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The most severe action among the rules that apply; `allow` if none does.
    pub action: Action,
    /// Indices of the rules that apply, in policy order: matched, in force, and not
    /// overridden. Few rules apply to one listing, so they are kept inline.
    pub rules: SmallVec<[usize; 4]>,
    /// Rules that matched but were suppressed, each with the rule that overrode
    /// it (the first, in policy order, of those that apply), in policy order.
    pub suppressed: SmallVec<[(usize, usize); 2]>,
    /// `notice` rules that apply, in policy order: they take no part in the
    /// decision.
    pub notices: SmallVec<[usize; 2]>,
}

/// `allow`, by no rule.
impl Default for Decision {
    fn default() -> Self {
        Decision {
            action: Action::Allow,
            rules: SmallVec::new(),
            suppressed: SmallVec::new(),
            notices: SmallVec::new(),
        }
    }
}

/// Whether a listing's text is a date as akar reads dates: RFC 3339 (`2025-04-11`
/// or `2025-04-11T14:41:49Z`).
pub fn is_listing_date(text: &str) -> bool {
    date::parse_listing_date(text, crate::zone::Zone::Utc).is_some()
}

/// Decides one listing on `date`. To decide many, make a [`Decider`] once.
pub fn decide(plan: &Plan, listing: &Json, date: NaiveDate) -> Result<Decision, EvalError> {
    Decider::new(plan, date).decide_json(listing)
}

/// Decides a listing already read into the plan's slots. To decide many on one
/// date, make a [`Decider`] once.
pub fn decide_listing<N: Node>(
    plan: &Plan,
    listing: &Listing<N>,
    date: NaiveDate,
) -> Result<Decision, EvalError> {
    Decider::new(plan, date).decide(listing)
}

/// Decides listings on one date with the plan's rules compiled: which rules are
/// in force is worked out once, and for each listing only the rules in force
/// that its first values do not rule out are evaluated.
#[derive(Clone)]
pub struct Decider<'p> {
    plan: &'p Plan,
    program: Arc<Program>,
    date: NaiveDate,
    in_force: Vec<u64>,
    /// The rules some rule overrides: only these can be suppressed.
    overridden: Arc<Vec<u64>>,
    /// The slots the schema holds listings to.
    conform: Arc<Vec<conform::Check>>,
}

/// Rule sets of up to this many words (256 rules) live on the stack.
const STACK_WORDS: usize = 4;

impl<'p> Decider<'p> {
    /// Compiles `plan` and finds the rules in force on `date`.
    pub fn new(plan: &'p Plan, date: NaiveDate) -> Self {
        let conform = Arc::new(conform::checks(plan));
        Decider::with_program(plan, Arc::new(Program::compile(plan)), conform, date)
    }

    fn with_program(
        plan: &'p Plan,
        program: Arc<Program>,
        conform: Arc<Vec<conform::Check>>,
        date: NaiveDate,
    ) -> Self {
        let mut in_force = bits::empty(plan.rules().len());
        for (index, rule) in plan.rules().iter().enumerate() {
            if rule.in_force(date) {
                bits::set(&mut in_force, index);
            }
        }
        Decider {
            plan,
            program,
            date,
            in_force,
            overridden: Arc::new(overridden(plan)),
            conform,
        }
    }

    /// The same rules on another date, without compiling them again.
    pub fn on(&self, date: NaiveDate) -> Decider<'p> {
        Decider::with_program(
            self.plan,
            Arc::clone(&self.program),
            Arc::clone(&self.conform),
            date,
        )
    }

    pub fn plan(&self) -> &'p Plan {
        self.plan
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// Decides a whole JSON listing.
    pub fn decide_json(&self, listing: &Json) -> Result<Decision, EvalError> {
        if !listing.is_object() {
            return Err(EvalError::not_object());
        }
        self.decide(&Listing::from_json(self.plan, listing))
    }

    /// Decides a listing already read into the plan's slots.
    pub fn decide<N: Node>(&self, listing: &Listing<N>) -> Result<Decision, EvalError> {
        let mut decision = Decision::default();
        self.decide_into(listing, &mut decision)?;
        Ok(decision)
    }

    /// As [`Decider::decide`], into `decision`, which is overwritten. Deciding
    /// many listings into one `Decision` moves nothing per listing.
    pub fn decide_into<N: Node>(
        &self,
        listing: &Listing<N>,
        decision: &mut Decision,
    ) -> Result<(), EvalError> {
        self.decide_some(listing, &self.in_force, None, decision)
    }

    /// What this decider can take from `other`'s decision of the same listing:
    /// the rules in force on both sides that decide every listing alike (see
    /// [`crate::plan::counterparts`]).
    pub fn borrowing(&self, other: &Decider<'_>) -> Borrowed {
        let mut evaluate = self.in_force.clone();
        let mut mine_of = vec![Vec::new(); other.plan.rules().len()];
        let pairs = crate::plan::counterparts(self.plan, other.plan);
        for (mine, theirs) in pairs.into_iter().enumerate() {
            let Some(theirs) = theirs else { continue };
            if bits::has(&self.in_force, mine)
                && bits::has(&other.in_force, theirs)
                && let Some(list) = mine_of.get_mut(theirs)
            {
                list.push(mine);
                bits::clear(&mut evaluate, mine);
            }
        }
        Borrowed { evaluate, mine_of }
    }

    /// As [`Decider::decide_into`], given `theirs`, the decision of the same
    /// listing by the decider `borrowed` was made from: the rules both share
    /// are not evaluated again. Sound because `theirs` is a decision, not an
    /// error: none of its rules failed on this listing, so the shared ones
    /// cannot fail here either, and the first failure among the others is this
    /// side's first failure.
    pub fn decide_borrowing<N: Node>(
        &self,
        listing: &Listing<N>,
        borrowed: &Borrowed,
        theirs: &Decision,
        decision: &mut Decision,
    ) -> Result<(), EvalError> {
        self.decide_some(
            listing,
            &borrowed.evaluate,
            Some((borrowed, theirs)),
            decision,
        )
    }

    /// Decides with the rules of `evaluate` evaluated, and the matches of
    /// those `borrowed` taken from another side's decision.
    fn decide_some<N: Node>(
        &self,
        listing: &Listing<N>,
        evaluate: &[u64],
        borrowed: Option<(&Borrowed, &Decision)>,
        decision: &mut Decision,
    ) -> Result<(), EvalError> {
        if !self.conform.is_empty() {
            conform::conforms(self.plan, &self.conform, listing)?;
        }
        let words = self.in_force.len();
        let (mut candidates, mut matched) = ([0; STACK_WORDS], [0; STACK_WORDS]);
        let mut heap = Vec::new();
        let (candidates, matched) = match (candidates.get_mut(..words), matched.get_mut(..words)) {
            (Some(candidates), Some(matched)) => (candidates, matched),
            _ => {
                heap.resize(2 * words, 0);
                heap.split_at_mut(words)
            }
        };
        self.matched(listing, evaluate, candidates, matched)?;
        if let Some((borrowed, theirs)) = borrowed {
            borrowed.lend(theirs, matched);
        }
        decide_from(self.plan, &self.overridden, matched, decision);
        Ok(())
    }

    /// Sets the bits of the rules of `evaluate` that match in `matched`, with
    /// `candidates`, as many words as `in_force`, as working space.
    #[inline]
    fn matched<N: Node>(
        &self,
        listing: &Listing<N>,
        evaluate: &[u64],
        candidates: &mut [u64],
        matched: &mut [u64],
    ) -> Result<(), EvalError> {
        let (plan, program) = (self.plan, &*self.program);
        let mut frame = program.frame(plan, listing);
        candidates.copy_from_slice(evaluate);
        let struck = program.strike(&mut frame, candidates);
        for index in bits::ones(candidates) {
            match program.matches(plan, index, struck, &mut frame) {
                Ok(true) => bits::set(matched, index),
                Ok(false) => {}
                Err(failed) => return Err(in_rule(*failed, plan, index)),
            }
        }
        Ok(())
    }
}

/// The rules one decider takes from another's decisions (see
/// [`Decider::borrowing`]).
#[derive(Debug, Clone)]
pub struct Borrowed {
    /// The rules in force this side still evaluates.
    evaluate: Vec<u64>,
    /// For each rule of the other side, the rules of this side it stands for.
    mine_of: Vec<Vec<usize>>,
}

impl Borrowed {
    /// How many rules are taken from the other side.
    pub fn lent(&self) -> usize {
        self.mine_of.iter().map(Vec::len).sum()
    }

    /// Marks in `matched` the rules of this side whose counterparts matched in
    /// `theirs`: those that apply, the notices, and the suppressed.
    fn lend(&self, theirs: &Decision, matched: &mut [u64]) {
        let suppressed = theirs.suppressed.iter().map(|(rule, _)| rule);
        for rule in theirs.rules.iter().chain(&theirs.notices).chain(suppressed) {
            for mine in self.mine_of.get(*rule).map_or(&[][..], Vec::as_slice) {
                bits::set(matched, *mine);
            }
        }
    }
}

fn in_rule(error: EvalError, plan: &Plan, index: usize) -> EvalError {
    match plan.rule(index) {
        Some(rule) => error.in_rule(&rule.label),
        None => error,
    }
}

/// Decides one listing by walking the plan's conditions as written, over the
/// whole JSON listing: the plain reading of the rules, which the compiled path
/// ([`Decider`]) must always agree with. Slower; tests and the benchmark use it
/// to check the fast path.
pub fn decide_plain(plan: &Plan, listing: &Json, date: NaiveDate) -> Result<Decision, EvalError> {
    if !listing.is_object() {
        return Err(EvalError::not_object());
    }
    let listing = Listing::from_json(plan, listing);
    conform::conforms(plan, &conform::checks(plan), &listing)?;
    let mut walk = Walk::new(plan, &listing);
    let mut matched = bits::empty(plan.rules().len());
    for (index, rule) in plan.rules().iter().enumerate() {
        if rule.in_force(date)
            && walk
                .eval(&rule.when)
                .map_err(|e| in_rule(*e, plan, index))?
        {
            bits::set(&mut matched, index);
        }
    }
    let mut decision = Decision::default();
    decide_from(plan, &overridden(plan), &mut matched, &mut decision);
    Ok(decision)
}

/// Overwrites `decision` with the one the matched rules give. `matched` is
/// working space: it ends as the rules that apply.
#[inline]
fn decide_from(plan: &Plan, overridden: &[u64], matched: &mut [u64], decision: &mut Decision) {
    decision.action = Action::Allow;
    decision.rules.clear();
    decision.suppressed.clear();
    decision.notices.clear();
    if bits::meet(matched, overridden) {
        suppress(plan, overridden, matched, decision);
    }
    // The common case, no rule matched, finds nothing here and allocates nothing.
    for index in bits::ones(matched) {
        match plan.rule(index) {
            Some(rule) if rule.action == Action::Notice => decision.notices.push(index),
            Some(rule) => {
                decision.rules.push(index);
                decision.action = decision.action.max(rule.action);
            }
            None => {}
        }
    }
}

/// The rules that some rule overrides.
fn overridden(plan: &Plan) -> Vec<u64> {
    let mut overridden = bits::empty(plan.rules().len());
    for (index, rule) in plan.rules().iter().enumerate() {
        if !rule.overridden_by.is_empty() {
            bits::set(&mut overridden, index);
        }
    }
    overridden
}

/// Takes from `matched` the rules that a rule overriding them suppresses, noting
/// each in `decision`. A matched rule applies unless a rule overriding it applies;
/// walking the matched rules that can be overridden with overriders first (the
/// plan's override ranks) settles every overrider before the rules it
/// overrides, with no recursion.
fn suppress(plan: &Plan, overridden: &[u64], matched: &mut [u64], decision: &mut Decision) {
    let mut order: SmallVec<[usize; 8]> = bits::ones(matched)
        .filter(|index| bits::has(overridden, *index))
        .collect();
    order.sort_unstable_by_key(|index| plan.override_rank(*index));
    for index in order {
        let Some(rule) = plan.rule(index) else {
            continue;
        };
        if let Some(by) = rule
            .overridden_by
            .iter()
            .find(|by| bits::has(matched, **by))
        {
            bits::clear(matched, index);
            decision.suppressed.push((index, *by));
        }
    }
    decision.suppressed.sort_unstable();
}

/// A failed test, boxed: failures are rare, and a small result keeps the walk
/// over conditions cheap.
pub type Failed = Box<EvalError>;

/// Evaluates a condition against a whole JSON listing; a failure names the field
/// it read (not the rule: the condition may be in none).
pub fn eval(plan: &Plan, cond: &Cond, listing: &Json) -> Result<bool, Failed> {
    eval_in(plan, cond, &Listing::from_json(plan, listing))
}

/// Evaluates a condition against a listing read into slots, by walking the
/// plan's condition as written: the plain reading of the rules, used for
/// conditions typed in the REPL and to check the compiled form against.
pub fn eval_in<N: Node>(plan: &Plan, cond: &Cond, listing: &Listing<N>) -> Result<bool, Failed> {
    Walk::new(plan, listing).eval(cond)
}

/// The plain walk over one listing. A named condition is decided the first
/// time it is met and remembered, so that a name used many times (or a chain of
/// names each using the last twice) costs one evaluation, as in the compiled path.
struct Walk<'w, 'l, N> {
    plan: &'w Plan,
    listing: &'w Listing<'l, N>,
    known: Vec<Option<bool>>,
}

impl<'w, 'l, N: Node> Walk<'w, 'l, N> {
    fn new(plan: &'w Plan, listing: &'w Listing<'l, N>) -> Self {
        Walk {
            plan,
            listing,
            known: vec![None; plan.shared().len()],
        }
    }

    fn eval(&mut self, cond: &Cond) -> Result<bool, Failed> {
        let (plan, listing) = (self.plan, self.listing);
        match cond {
            Cond::True => Ok(true),
            Cond::And(items) => {
                for item in items {
                    if !self.eval(item)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Cond::Or(items) => {
                for item in items {
                    if self.eval(item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Cond::Not(inner) => Ok(!self.eval(inner)?),
            Cond::Test(operand, test) => {
                let source = match operand {
                    Operand::Field(path) => path.slot,
                    Operand::Derived(index) => plan
                        .derived()
                        .get(*index)
                        .map_or(usize::MAX, |d| d.field.slot),
                };
                if let Some(broken) = listing.broken(source) {
                    // Named as the compiled path names it: the field that was read.
                    let name = plan.fields().get(source).map_or("", |f| f.dotted.as_str());
                    return Err(Box::new(EvalError::new(
                        Fault::Broken(broken.clone()),
                        name,
                    )));
                }
                match operand {
                    Operand::Field(path) => {
                        test_value(plan, operand, test, listing.field(path.slot))
                    }
                    Operand::Derived(index) => {
                        test_value(plan, operand, test, listing.derived_value(plan, *index))
                    }
                }
            }
            Cond::Compare(comparison) => compute::holds(plan, comparison, &Slots(listing)),
            Cond::Ref(id) => {
                if let Some(Some(known)) = self.known.get(*id) {
                    return Ok(*known);
                }
                let Some(shared) = plan.shared().get(*id) else {
                    return Err(Box::new(EvalError::new(
                        Fault::Internal {
                            problem: "a named condition the plan does not have",
                        },
                        "",
                    )));
                };
                let value = self.eval(&shared.cond)?;
                if let Some(slot) = self.known.get_mut(*id) {
                    *slot = Some(value);
                }
                Ok(value)
            }
        }
    }
}

/// A listing read into slots, as the plain walk reads it for computed values.
struct Slots<'w, 'l, N>(&'w Listing<'l, N>);

impl<'w, 'l, N: Node> Slots<'w, 'l, N> {
    fn readable(&self, plan: &Plan, slot: usize) -> Result<(), Failed> {
        match self.0.broken(slot) {
            Some(broken) => {
                let name = plan.fields().get(slot).map_or("", |f| f.dotted.as_str());
                Err(Box::new(EvalError::new(
                    Fault::Broken(broken.clone()),
                    name,
                )))
            }
            None => Ok(()),
        }
    }
}

impl<'w, 'l, N: Node + 'l> compute::Reader<'l, N> for Slots<'w, 'l, N> {
    fn field(&self, plan: &Plan, slot: usize) -> Result<Option<&'l N>, Failed> {
        self.readable(plan, slot)?;
        Ok(self.0.field(slot))
    }

    fn derived<'p>(&self, plan: &'p Plan, index: usize) -> Result<Option<&'p Json>, Failed> {
        if let Some(derived) = plan.derived().get(index) {
            self.readable(plan, derived.field.slot)?;
        }
        Ok(self.0.derived_value(plan, index))
    }
}

fn test_value<N: Node>(
    plan: &Plan,
    operand: &Operand,
    test: &Test,
    value: Option<&N>,
) -> Result<bool, Failed> {
    match (value, test) {
        (None, Test::Missing) => Ok(true),
        (None, _) => Ok(false),
        (Some(value), test) => value::apply(test, value, plan.rates(), plan.zone())
            .map_err(|fault| Box::new(EvalError::new(*fault, plan.operand_name(operand)))),
    }
}

/// The value an operand reads from a whole JSON listing; `None` when missing,
/// and the error when its path goes through a value that is not an object.
pub fn read<'a>(
    plan: &'a Plan,
    operand: &Operand,
    listing: &'a Json,
) -> Result<Option<&'a Json>, EvalError> {
    let path = match operand {
        Operand::Field(path) => path,
        Operand::Derived(index) => match plan.derived().get(*index) {
            Some(derived) => &derived.field,
            None => return Ok(None),
        },
    };
    let found = match crate::json::find(listing, &path.segments) {
        crate::json::Found::Value(value) => Some(value),
        crate::json::Found::Missing => None,
        crate::json::Found::Broken(broken) => {
            return Err(EvalError::new(Fault::Broken(broken), path.dotted.as_str()));
        }
    };
    Ok(match operand {
        Operand::Field(_) => found,
        Operand::Derived(index) => plan
            .derived()
            .get(*index)
            .and_then(|derived| value::derive(derived, found)),
    })
}

/// Tests one value as a plan test would, without a field or a rule to name.
pub fn apply_test<N: Node>(test: &Test, value: &N, plan: &Plan) -> Result<bool, Fault> {
    value::apply(test, value, plan.rates(), plan.zone()).map_err(|fault| *fault)
}
