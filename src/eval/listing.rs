//! A listing as the plan reads it: the value of each field the plan uses, by slot,
//! and the paths that went through a value that is not an object.

use serde_json::Value as Json;

use super::value;
use crate::input::projection::Projected;
use crate::json::{Broken, Found, Node, find};
use crate::plan::Plan;

/// A listing's field values, by slot.
enum Slots<'a, N> {
    /// Values the projection parser already put in slots (`null` left out).
    Projected(&'a [Option<N>]),
    /// Values looked up in a whole listing (JSON arrays, CSV, the REPL).
    Read(Vec<Option<&'a N>>),
    /// Values a projection for several plans put in its slots, and where each
    /// of this plan's slots is among them.
    Mapped(&'a [Option<N>], &'a [usize]),
}

/// A listing, its values of type `N`: a whole `serde_json::Value`, or the
/// borrowed [`crate::json::Val`]s of the projection parser.
pub struct Listing<'a, N = Json> {
    slots: Slots<'a, N>,
    /// The slots whose path went through a value that is not an object: each
    /// reads as missing, but a test that reads it fails. Nearly always empty.
    broken: &'a [(usize, Broken)],
    owned_broken: Vec<(usize, Broken)>,
}

impl<'a, N: Node> Listing<'a, N> {
    /// Reads the plan's fields from a whole listing.
    pub fn from_json(plan: &Plan, json: &'a N) -> Self {
        let mut owned_broken = Vec::new();
        let slots = plan
            .fields()
            .iter()
            .enumerate()
            .map(|(slot, f)| match find(json, &f.segments) {
                Found::Value(value) => Some(value),
                Found::Missing => None,
                Found::Broken(broken) => {
                    owned_broken.push((slot, broken));
                    None
                }
            })
            .collect();
        Listing {
            slots: Slots::Read(slots),
            broken: &[],
            owned_broken,
        }
    }

    pub fn field(&self, slot: usize) -> Option<&'a N> {
        match &self.slots {
            Slots::Projected(values) => values.get(slot).and_then(Option::as_ref),
            Slots::Read(values) => values.get(slot).copied().flatten(),
            Slots::Mapped(values, map) => map
                .get(slot)
                .and_then(|at| values.get(*at))
                .and_then(Option::as_ref),
        }
    }

    /// Whether any path the plan reads went through a value that is not an object.
    #[inline]
    pub fn has_broken(&self) -> bool {
        !self.broken.is_empty() || !self.owned_broken.is_empty()
    }

    /// Why slot `slot` cannot be read, if its path went through a value that is
    /// not an object.
    pub fn broken(&self, slot: usize) -> Option<&Broken> {
        if !self.has_broken() {
            return None;
        }
        let slot = match &self.slots {
            Slots::Mapped(_, map) => *map.get(slot)?,
            _ => slot,
        };
        self.broken
            .iter()
            .chain(&self.owned_broken)
            .find(|(s, _)| *s == slot)
            .map(|(_, b)| b)
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

impl<'a> Listing<'a, crate::json::Val<'a>> {
    /// Takes the plan's fields from a line already projected into slots (see
    /// [`crate::input::projection`]), where a missing or `null` field is `None`.
    pub fn from_slots(projected: &'a Projected<'a>) -> Self {
        Listing {
            slots: Slots::Projected(&projected.slots),
            broken: &projected.broken,
            owned_broken: Vec::new(),
        }
    }

    /// Takes the plan's fields from a line projected for several plans at once:
    /// `map[slot]` is where the plan's slot `slot` is in `projected`.
    pub fn mapped(projected: &'a Projected<'a>, map: &'a [usize]) -> Self {
        Listing {
            slots: Slots::Mapped(&projected.slots, map),
            broken: &projected.broken,
            owned_broken: Vec::new(),
        }
    }
}
