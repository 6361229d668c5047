//! The evaluator: a [`Plan`] applied to listings, one decision each.

mod bits;
mod code;
mod date;
mod error;
pub mod explain;
mod index;
mod keys;
mod listing;
pub mod money;
pub mod node;
pub mod program;
pub mod search;
pub mod value;

use std::borrow::Cow;

use chrono::NaiveDate;
use serde_json::Value as Json;

pub use error::EvalError;
pub use listing::Listing;

use crate::plan::{Action, Cond, Operand, Plan, Rule, Test};
use smallvec::SmallVec;
use value::Fault;

/// The decision for one listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The most severe action among the rules that apply; `allow` if none does.
    pub action: Action,
    /// Indices of the rules that apply, in policy order: matched, in force, and not
    /// overridden. Few rules apply to one listing, so they are kept inline.
    pub rules: SmallVec<[usize; 4]>,
}

/// `allow`, by no rule.
impl Default for Decision {
    fn default() -> Self {
        Decision {
            action: Action::Allow,
            rules: SmallVec::new(),
        }
    }
}

/// Decides one listing on `date`.
pub fn decide(plan: &Plan, listing: &Json, date: NaiveDate) -> Result<Decision, EvalError> {
    Decider::new(plan, date).decide_json(listing)
}

/// Decides a listing already read into the plan's slots. To decide many on one
/// date, make a [`Decider`] once.
pub fn decide_listing<N: node::Node>(
    plan: &Plan,
    listing: &Listing<N>,
    date: NaiveDate,
) -> Result<Decision, EvalError> {
    Decider::new(plan, date).decide(listing)
}

/// Decides listings on one date, on the plan's compiled rules: which rules are
/// in force is worked out once, and for each listing only the rules in force
/// that its first values do not rule out are evaluated.
pub struct Decider<'p> {
    plan: &'p Plan,
    /// The plan's program, or one compiled here if the plan's rules were edited
    /// after it was compiled.
    program: Cow<'p, program::Program>,
    in_force: Vec<u64>,
}

/// Rule sets of up to this many words (256 rules) live on the stack.
const STACK_WORDS: usize = 4;

impl<'p> Decider<'p> {
    pub fn new(plan: &'p Plan, date: NaiveDate) -> Self {
        let mut in_force = bits::empty(plan.rules.len());
        for (index, rule) in plan.rules.iter().enumerate() {
            if rule.in_force(date) {
                bits::set(&mut in_force, index);
            }
        }
        let program = if plan.program.fits(plan) {
            Cow::Borrowed(&plan.program)
        } else {
            Cow::Owned(program::Program::compile(plan))
        };
        Decider {
            plan,
            program,
            in_force,
        }
    }

    /// Decides a whole JSON listing.
    pub fn decide_json(&self, listing: &Json) -> Result<Decision, EvalError> {
        if !listing.is_object() {
            return Err(EvalError::NotObject);
        }
        self.decide(&Listing::from_json(self.plan, listing))
    }

    /// Decides a listing already read into the plan's slots.
    pub fn decide<N: node::Node>(&self, listing: &Listing<N>) -> Result<Decision, EvalError> {
        let mut decision = Decision::default();
        self.decide_into(listing, &mut decision)?;
        Ok(decision)
    }

    /// As [`Decider::decide`], into `decision`, which is overwritten. Deciding
    /// many listings into one `Decision` moves nothing per listing.
    pub fn decide_into<N: node::Node>(
        &self,
        listing: &Listing<N>,
        decision: &mut Decision,
    ) -> Result<(), EvalError> {
        let words = self.in_force.len();
        if words <= STACK_WORDS {
            let (mut candidates, mut matched) = ([0; STACK_WORDS], [0; STACK_WORDS]);
            self.matched(listing, &mut candidates[..words], &mut matched[..words])?;
            decide_from(self.plan, &matched[..words], decision);
        } else {
            let mut matched = vec![0; words];
            self.matched(listing, &mut vec![0; words], &mut matched)?;
            decide_from(self.plan, &matched, decision);
        }
        Ok(())
    }

    /// Sets the bits of the rules that match in `matched`, with `candidates`, as
    /// many words as `in_force`, as working space.
    #[inline]
    fn matched<N: node::Node>(
        &self,
        listing: &Listing<N>,
        candidates: &mut [u64],
        matched: &mut [u64],
    ) -> Result<(), EvalError> {
        let (plan, program) = (self.plan, &*self.program);
        let mut frame = program.frame(plan, listing);
        candidates.copy_from_slice(&self.in_force);
        let struck = program.strike(&frame, candidates);
        for index in bits::ones(candidates) {
            match program.matches(plan, index, struck, &mut frame) {
                Ok(true) => bits::set(matched, index),
                Ok(false) => {}
                Err(failed) => return Err(error(failed.0, failed.1, &plan.rules[index])),
            }
        }
        Ok(())
    }
}

/// Decides one listing by walking the plan's conditions as written, over the
/// whole JSON listing: the plain reading of the rules, which the compiled path
/// ([`decide`]) must always agree with. Slower; tests and the benchmark use it
/// to check the fast path.
pub fn decide_plain(plan: &Plan, listing: &Json, date: NaiveDate) -> Result<Decision, EvalError> {
    if !listing.is_object() {
        return Err(EvalError::NotObject);
    }
    let listing = Listing::from_json(plan, listing);
    let mut matched = bits::empty(plan.rules.len());
    for (index, rule) in plan.rules.iter().enumerate() {
        if rule.in_force(date)
            && eval_in(plan, &rule.when, &listing)
                .map_err(|failed| error(failed.0, failed.1, rule))?
        {
            bits::set(&mut matched, index);
        }
    }
    Ok(decision(plan, &matched))
}

/// The decision from the rules in force that match, and the overrides between
/// them.
fn decision(plan: &Plan, matched: &[u64]) -> Decision {
    let mut decision = Decision::default();
    decide_from(plan, matched, &mut decision);
    decision
}

/// Overwrites `decision` with the one the matched rules give.
#[inline]
fn decide_from(plan: &Plan, matched: &[u64], decision: &mut Decision) {
    decision.action = Action::Allow;
    decision.rules.clear();
    // The common case, no rule matched, finds nothing here and allocates nothing.
    for index in bits::ones(matched) {
        if applies(plan, matched, index) {
            decision.rules.push(index);
            decision.action = decision.action.max(plan.rules[index].action);
        }
    }
}

/// A matched rule applies unless a rule overriding it applies. Overrides form no
/// cycles (the checker rejects them), so the recursion ends.
fn applies(plan: &Plan, matched: &[u64], index: usize) -> bool {
    bits::has(matched, index)
        && !plan.rules[index]
            .overridden_by
            .iter()
            .any(|by| applies(plan, matched, *by))
}

/// A failed test: the field it read and why. Boxed: failures are rare, and a
/// small result keeps the walk over conditions cheap.
type Failed = Box<(String, Fault)>;

/// Evaluates a condition against a whole JSON listing; a failure carries the name
/// of the field it read.
pub fn eval(plan: &Plan, cond: &Cond, listing: &Json) -> Result<bool, Failed> {
    eval_in(plan, cond, &Listing::from_json(plan, listing))
}

/// Evaluates a condition against a listing read into slots, by walking the
/// plan's condition as written. Decisions run on the compiled
/// [`program::Program`]; this walk is the plain reading of the same rules, used
/// for conditions typed in the REPL and to check the compiled form against.
pub fn eval_in(plan: &Plan, cond: &Cond, listing: &Listing) -> Result<bool, Failed> {
    match cond {
        Cond::True => Ok(true),
        Cond::And(items) => {
            for item in items {
                if !eval_in(plan, item, listing)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Cond::Or(items) => {
            for item in items {
                if eval_in(plan, item, listing)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Cond::Not(inner) => Ok(!eval_in(plan, inner, listing)?),
        Cond::Test(operand, test) => {
            let value = match operand {
                Operand::Field(path) => listing.field(path.slot),
                Operand::Derived(index) => listing.derived_value(plan, *index),
            };
            match (value, test) {
                (None, Test::Missing) => Ok(true),
                (None, _) => Ok(false),
                (Some(value), test) => value::apply(test, value, &plan.rates)
                    .map_err(|f| Box::new((operand_name(plan, operand), *f))),
            }
        }
    }
}

/// The value an operand reads from a whole JSON listing; `None` when missing.
pub fn read<'a>(plan: &'a Plan, operand: &Operand, listing: &'a Json) -> Option<&'a Json> {
    match operand {
        Operand::Field(path) => value::lookup(listing, &path.segments),
        Operand::Derived(index) => {
            let derived = plan.derived.get(*index)?;
            value::derive(derived, value::lookup(listing, &derived.field.segments))
        }
    }
}

pub fn operand_name(plan: &Plan, operand: &Operand) -> String {
    match operand {
        Operand::Field(path) => path.dotted.clone(),
        Operand::Derived(index) => plan
            .derived
            .get(*index)
            .map_or_else(String::new, |d| d.name.clone()),
    }
}

fn error(field: String, fault: Fault, rule: &Rule) -> EvalError {
    let rule = rule.label.clone();
    match fault {
        Fault::WrongType { found, expected } => EvalError::WrongType {
            field,
            found,
            expected,
            rule,
        },
        Fault::BadDate { found } => EvalError::BadDate { field, found, rule },
        Fault::NoRate { from, to } => EvalError::NoRate {
            from,
            to,
            field,
            rule,
        },
        Fault::Overflow => EvalError::Overflow { field, rule },
    }
}
