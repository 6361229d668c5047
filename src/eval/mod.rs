//! The evaluator: a [`Plan`] applied to listings, one decision each.

mod date;
mod error;
pub mod explain;
mod index;
mod listing;
pub mod money;
pub mod node;
pub mod program;
pub mod value;

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
    /// overridden.
    pub rules: Vec<usize>,
}

/// Decides one listing on `date`.
pub fn decide(plan: &Plan, listing: &Json, date: NaiveDate) -> Result<Decision, EvalError> {
    if !listing.is_object() {
        return Err(EvalError::NotObject);
    }
    decide_listing(plan, &Listing::from_json(plan, listing), date)
}

/// Decides a listing already read into the plan's slots.
pub fn decide_listing<N: node::Node>(
    plan: &Plan,
    listing: &Listing<N>,
    date: NaiveDate,
) -> Result<Decision, EvalError> {
    let mut frame = plan.program.frame(listing);
    let skips = plan.program.skips(listing);
    decide_with(plan, date, |index| {
        if index::is_skipped(&skips, index) {
            return Ok(false);
        }
        plan.program.matches(plan, index, &mut frame)
    })
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
    decide_with(plan, date, |index| {
        eval_in(plan, &plan.rules[index].when, &listing)
    })
}

/// The decision from which rules in force match (`matches` is asked once per rule
/// in force, in policy order) and the overrides between them.
fn decide_with(
    plan: &Plan,
    date: NaiveDate,
    mut matches: impl FnMut(usize) -> Result<bool, Failed>,
) -> Result<Decision, EvalError> {
    let mut matched: SmallVec<[bool; 64]> = SmallVec::from_elem(false, plan.rules.len());
    let mut any = false;
    for (index, rule) in plan.rules.iter().enumerate() {
        if rule.in_force(date) {
            let hit = matches(index).map_err(|failed| error(failed.0, failed.1, rule))?;
            matched[index] = hit;
            any |= hit;
        }
    }
    if !any {
        // The common case: nothing to explain, nothing to allocate.
        return Ok(Decision {
            action: Action::Allow,
            rules: Vec::new(),
        });
    }
    let rules: Vec<usize> = (0..plan.rules.len())
        .filter(|i| applies(plan, &matched, *i))
        .collect();
    let action = rules
        .iter()
        .map(|i| plan.rules[*i].action)
        .max()
        .unwrap_or(Action::Allow);
    Ok(Decision { action, rules })
}

/// A matched rule applies unless a rule overriding it applies. Overrides form no
/// cycles (the checker rejects them), so the recursion ends.
fn applies(plan: &Plan, matched: &[bool], index: usize) -> bool {
    matched[index]
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
