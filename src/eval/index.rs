//! Rules skipped before they are evaluated: a rule whose first tests (a boolean
//! field such as `cross_border`, a `match`-derived field such as `cluster`, or the
//! field the `match` reads, as in `category == "Books"`) fail for a listing cannot
//! match it, and those tests are answered for every rule at once from the
//! listing's few values.
//!
//! Skipping never hides an error: the only such first tests that can fail are a
//! boolean field holding something else and a text test on a value that is not
//! text, and a listing with either is evaluated in full, rule by rule, so that the
//! error is reported where the rules meet it.

use super::bits;
use super::code::Frame;
use crate::json::{Node, View};

/// A first test shared by rules.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Lead {
    /// `FIELD == true` (or `false`); a missing field fails it.
    Bool(usize, bool),
    /// A test that is false unless the listing's derived value is one of these.
    Derived(Gate),
}

/// The values of a derived field a test needs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Gate {
    pub derived: usize,
    /// Bits over the derived field's values.
    pub values: Box<[u64]>,
    /// Whether the test can hold where the listing has no derived value.
    pub missing: bool,
    /// The field a text test reads, which must hold text (or nothing) for the
    /// test to be answered without evaluating it.
    pub text: Option<usize>,
}

impl Gate {
    /// The values either test needs; none when they are on different fields.
    pub(super) fn union(mut self, other: Gate) -> Option<Gate> {
        if other.derived != self.derived {
            return None;
        }
        self.values
            .iter_mut()
            .zip(other.values.iter())
            .for_each(|(bit, more)| *bit |= more);
        self.missing |= other.missing;
        self.text = self.text.or(other.text);
        Some(self)
    }
}

/// For each field the first tests read, the rules ruled out by each value it
/// can have: a listing's skips are a few table lookups.
#[derive(Debug, Clone, Default)]
pub(super) struct RuleIndex {
    /// Boolean fields: (slot, rules skipped when true, when false, when missing).
    bools: Vec<(usize, [Mask; 3])>,
    /// Derived fields: (index, rules skipped for each value, rules skipped when
    /// the listing has no value).
    derived: Vec<(usize, Vec<Mask>, Mask)>,
    /// Fields that text tests in [`Gate`]s read.
    texts: Vec<usize>,
    words: usize,
}

/// Bits over rules.
type Mask = Box<[u64]>;

impl RuleIndex {
    /// `leads_by_rule[i]` are the first tests of rule `i`; `values[d]` is how many
    /// values derived field `d` can take.
    pub(super) fn new(leads_by_rule: Vec<Vec<Lead>>, values: &[usize]) -> RuleIndex {
        let words = leads_by_rule.len().div_ceil(64);
        let mut index = RuleIndex {
            words,
            ..RuleIndex::default()
        };
        for (rule, leads) in leads_by_rule.into_iter().enumerate() {
            for lead in leads {
                index.add(rule, &lead, values);
            }
        }
        index
    }

    fn add(&mut self, rule: usize, lead: &Lead, values: &[usize]) {
        let words = self.words;
        let empty = || -> Mask { vec![0; words].into() };
        let set = |mask: &mut Mask| bits::set(mask, rule);
        match lead {
            Lead::Bool(slot, want) => {
                let Some((_, masks)) = entry(
                    &mut self.bools,
                    |(s, _)| s == slot,
                    || (*slot, [empty(), empty(), empty()]),
                ) else {
                    return;
                };
                let [when_true, when_false, when_missing] = masks;
                set(if *want { when_false } else { when_true });
                set(when_missing);
            }
            Lead::Derived(gate) => {
                let count = values.get(gate.derived).copied().unwrap_or(0);
                let Some((_, by_value, missing)) = entry(
                    &mut self.derived,
                    |(d, _, _)| *d == gate.derived,
                    || (gate.derived, (0..count).map(|_| empty()).collect(), empty()),
                ) else {
                    return;
                };
                for (id, mask) in by_value.iter_mut().enumerate() {
                    if !bits::has(&gate.values, id) {
                        set(mask);
                    }
                }
                if !gate.missing {
                    set(missing);
                }
                if let Some(slot) = gate.text
                    && !self.texts.contains(&slot)
                {
                    self.texts.push(slot);
                }
            }
        }
    }

    /// Takes from `rules` those that cannot match `listing`. When a boolean field
    /// holds something else, or a field a text test reads is not text (an error
    /// to report), none are taken: every rule is evaluated, so that the error is
    /// reported where the rules meet it.
    /// Whether it did: the rules left then passed all their first tests.
    pub(super) fn strike<N: Node>(&self, listing: &Frame<N>, rules: &mut [u64]) -> bool {
        let text = |slot: &usize| {
            listing
                .field(*slot)
                .is_none_or(|v| matches!(v.view(), View::Str(_)))
        };
        let boolean = |(slot, _): &(usize, [Mask; 3])| {
            listing
                .field(*slot)
                .is_none_or(|v| matches!(v.view(), View::Bool(_)))
        };
        // A path through a value that is not an object is an error to report too.
        if !self.texts.iter().all(text) || !self.bools.iter().all(boolean) || listing.has_broken() {
            return false;
        }
        let mut strike = |mask: &[u64]| {
            rules
                .iter_mut()
                .zip(mask)
                .for_each(|(rule, skip)| *rule &= !skip)
        };
        for (slot, masks) in &self.bools {
            match listing.field(*slot).map(Node::view) {
                Some(View::Bool(true)) => strike(&masks[0]),
                Some(View::Bool(false)) => strike(&masks[1]),
                _ => strike(&masks[2]),
            }
        }
        for (derived, by_value, missing) in &self.derived {
            match listing.derived_id(*derived) {
                Some(id) => strike(by_value.get(id as usize).map_or(missing, |m| m)),
                None => strike(missing),
            }
        }
        true
    }
}

/// The entry `is` picks, made with `new` if there is none.
fn entry<T>(
    entries: &mut Vec<T>,
    is: impl Fn(&T) -> bool,
    new: impl FnOnce() -> T,
) -> Option<&mut T> {
    let at = match entries.iter().position(is) {
        Some(at) => at,
        None => {
            entries.push(new());
            entries.len() - 1
        }
    };
    entries.get_mut(at)
}
