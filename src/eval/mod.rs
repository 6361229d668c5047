//! The evaluator: a [`Plan`] applied to listings, one decision each.

mod date;
mod error;
pub mod explain;
mod listing;
pub mod money;
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
pub fn decide_listing(
    plan: &Plan,
    listing: &Listing,
    date: NaiveDate,
) -> Result<Decision, EvalError> {
    let mut matched: SmallVec<[bool; 64]> = SmallVec::from_elem(false, plan.rules.len());
    for (index, rule) in plan.rules.iter().enumerate() {
        if rule.in_force(date) {
            matched[index] = eval_in(plan, &rule.when, listing)
                .map_err(|(field, fault)| error(field, fault, rule))?;
        }
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

type Failed = (String, Fault);

/// Evaluates a condition against a whole JSON listing; a failure carries the name
/// of the field it read.
pub fn eval(plan: &Plan, cond: &Cond, listing: &Json) -> Result<bool, Failed> {
    eval_in(plan, cond, &Listing::from_json(plan, listing))
}

/// Evaluates a condition against a listing read into slots.
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
                Operand::Derived(index) => listing.derived.get(*index).copied().flatten(),
            };
            match (value, test) {
                (None, Test::Missing) => Ok(true),
                (None, _) => Ok(false),
                (Some(value), test) => value::apply(test, value, &plan.rates)
                    .map_err(|f| (operand_name(plan, operand), f)),
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
