//! Listings held to the schema: every field the plan reads that the schema
//! declares must hold its kind (and a closed field one of its values), or the
//! listing's decision is `error`, whatever its rules would read. The compiled and
//! the plain path both check here, slot by slot, before any rule.

use super::date::parse_listing_date;
use super::error::{EvalError, Fault};
use super::listing::Listing;
use crate::json::{Node, View, describe};
use crate::plan::{FieldKind, Plan, list_values};

/// How one slot is held to its declared kind.
#[derive(Debug, Clone)]
pub(super) struct Check {
    slot: usize,
    kind: FieldKind,
    /// A closed field's values when there are few: comparing a handful of
    /// strings is faster than hashing one.
    few: Option<Box<[Box<str>]>>,
}

/// Up to this many values of a closed field are compared one by one.
const FEW: usize = 8;

/// The slots the schema declares a kind for, in slot order.
pub(super) fn checks(plan: &Plan) -> Vec<Check> {
    (0..plan.fields().len())
        .filter_map(|slot| {
            let kind = plan.slot_kind(slot)?.clone();
            let few = match &kind {
                FieldKind::OneOf(values) if values.len() <= FEW => {
                    Some(values.iter().map(|v| v.as_str().into()).collect())
                }
                _ => None,
            };
            Some(Check { slot, kind, few })
        })
        .collect()
}

/// The first field of `checks` the listing's value breaks, if any.
pub(super) fn conforms<N: Node>(
    plan: &Plan,
    checks: &[Check],
    listing: &Listing<N>,
) -> Result<(), EvalError> {
    for check in checks {
        let field = || {
            plan.fields()
                .get(check.slot)
                .map_or("", |f| f.dotted.as_str())
        };
        let Some(value) = listing.field(check.slot) else {
            if let Some(broken) = listing.broken(check.slot) {
                return Err(EvalError::new(Fault::Broken(broken.clone()), field()));
            }
            continue;
        };
        if let (Some(few), View::Str(text)) = (&check.few, value.view())
            && few.iter().any(|v| **v == *text)
        {
            continue;
        }
        if let Some(expected) = breaks(&check.kind, value) {
            let found = describe(value);
            return Err(EvalError::new(Fault::Schema { found, expected }, field()));
        }
    }
    Ok(())
}

/// What the schema expects, when `value` is not of `kind`.
fn breaks<N: Node>(kind: &FieldKind, value: &N) -> Option<String> {
    let holds = match (kind, value.view()) {
        (FieldKind::Text, View::Str(_)) => true,
        (FieldKind::OneOf(values), View::Str(s)) => {
            if values.contains(s) {
                return None;
            }
            let listed = list_values(values.iter().map(String::as_str), 8);
            return Some(format!("one of {listed}"));
        }
        (FieldKind::Number, View::Number(_)) => true,
        (FieldKind::Boolean, View::Bool(_)) => true,
        (FieldKind::Date, View::Str(s)) => parse_listing_date(s, crate::zone::Zone::Utc).is_some(),
        (FieldKind::Money, View::Number(_)) => true,
        (FieldKind::Money, View::Object) => matches!(
            (
                value.get("amount").map(Node::view),
                value.get("currency").map(Node::view)
            ),
            (Some(View::Number(_)), Some(View::Str(_)))
        ),
        (FieldKind::Object, View::Object) => true,
        (FieldKind::ListOfText, View::Array(items)) => {
            items.iter().all(|i| matches!(i.view(), View::Str(_)))
        }
        _ => false,
    };
    (!holds).then(|| match kind {
        FieldKind::Text | FieldKind::OneOf(_) => "text".into(),
        FieldKind::Number => "a number".into(),
        FieldKind::Boolean => "a boolean".into(),
        FieldKind::Date => "a date (`YYYY-MM-DD` or an RFC 3339 date-time)".into(),
        FieldKind::Money => "money (a number or {\"amount\": ..., \"currency\": \"...\"})".into(),
        FieldKind::Object => "an object".into(),
        FieldKind::ListOfText => "a list of text".into(),
    })
}
