//! A listing as the plan reads it: the value of each field the plan uses, by slot.

use serde_json::Value as Json;

use super::value;
use crate::json::{Node, lookup};
use crate::plan::Plan;

/// A listing's field values, by slot.
enum Slots<'a, N> {
    /// Values the projection parser already put in slots (`null` left out).
    Projected(&'a [Option<N>]),
    /// Values looked up in a whole listing (JSON arrays, CSV, the REPL).
    Read(Vec<Option<&'a N>>),
}

/// A listing, its values of type `N`: a whole `serde_json::Value`, or the
/// borrowed [`crate::json::Val`]s of the projection parser.
pub struct Listing<'a, N = Json> {
    slots: Slots<'a, N>,
}

impl<'a, N: Node> Listing<'a, N> {
    /// Reads the plan's fields from a whole listing.
    pub fn from_json(plan: &Plan, json: &'a N) -> Self {
        let slots = plan
            .fields()
            .iter()
            .map(|f| lookup(json, &f.segments))
            .collect();
        Listing {
            slots: Slots::Read(slots),
        }
    }

    /// Takes the plan's fields from values already projected into slots (see
    /// [`crate::input::projection`]), where a missing or `null` field is `None`.
    pub fn from_slots(values: &'a [Option<N>]) -> Self {
        Listing {
            slots: Slots::Projected(values),
        }
    }

    pub fn field(&self, slot: usize) -> Option<&'a N> {
        match &self.slots {
            Slots::Projected(values) => values.get(slot).and_then(Option::as_ref),
            Slots::Read(values) => values.get(slot).copied().flatten(),
        }
    }

    /// The index of derived field `index`'s value, if it has one.
    pub fn derived_id(&self, plan: &Plan, index: usize) -> Option<u32> {
        let derived = plan.derived().get(index)?;
        value::derive_id(derived, self.field(derived.field.slot))
    }

    pub fn derived_value<'p>(&self, plan: &'p Plan, index: usize) -> Option<&'p Json> {
        let id = self.derived_id(plan, index)?;
        plan.derived().get(index)?.values.get(id as usize)
    }

    pub fn id(&self, plan: &Plan) -> Option<&'a N> {
        self.field(plan.id_slot())
    }
}
