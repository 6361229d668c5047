//! A listing as the plan reads it: the value of each field the plan uses, by slot,
//! and each derived (`match`) value, found once per listing.

use serde_json::Value as Json;
use smallvec::SmallVec;

use super::value;
use crate::plan::Plan;

/// Slots inline: a policy set reading up to this many fields needs no allocation.
type Slots<'a> = SmallVec<[Option<&'a Json>; 24]>;

pub struct Listing<'a> {
    pub(super) slots: Slots<'a>,
    pub(super) derived: SmallVec<[Option<&'a Json>; 4]>,
}

impl<'a> Listing<'a> {
    /// Reads the plan's fields from a whole JSON listing.
    pub fn from_json(plan: &'a Plan, json: &'a Json) -> Self {
        let slots = plan
            .fields
            .iter()
            .map(|f| value::lookup(json, &f.segments))
            .collect();
        Self::with_derived(plan, slots)
    }

    /// Takes the plan's fields from values already projected into slots (see
    /// [`crate::input::projection`]); `null` counts as missing.
    pub fn from_slots(plan: &'a Plan, values: &'a [Option<Json>]) -> Self {
        let slots = values
            .iter()
            .map(|v| v.as_ref().filter(|v| !v.is_null()))
            .collect();
        Self::with_derived(plan, slots)
    }

    fn with_derived(plan: &'a Plan, slots: Slots<'a>) -> Self {
        let derived = plan
            .derived
            .iter()
            .map(|d| value::derive(d, slots.get(d.field.slot).copied().flatten()))
            .collect();
        Listing { slots, derived }
    }

    pub fn field(&self, slot: usize) -> Option<&'a Json> {
        self.slots.get(slot).copied().flatten()
    }

    pub fn id(&self, plan: &Plan) -> Option<&'a Json> {
        self.field(plan.id_slot)
    }
}
