//! Rules skipped before they are evaluated: a rule whose first tests (a boolean
//! field such as `cross_border`, a `match`-derived field such as `cluster`) fail
//! for a listing cannot match it, and those tests are answered for every rule
//! at once from the listing's few values.
//!
//! Skipping never hides an error: the only such first test that can fail is a
//! boolean field holding something else, and a listing with one is evaluated in
//! full, rule by rule, so that the error is reported where the rules meet it.

use super::bits;
use super::node::{Node, View};
use super::program::Frame;

/// A first test shared by rules.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Lead {
    /// `FIELD == true` (or `false`); a missing field fails it.
    Bool(usize, bool),
    /// A derived field is one of these values (bits over its values).
    Derived(usize, Box<[u64]>),
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
                let at = position(
                    &mut self.bools,
                    |(s, _)| s == slot,
                    || (*slot, [empty(), empty(), empty()]),
                );
                let masks = &mut self.bools[at].1;
                set(if *want { &mut masks[1] } else { &mut masks[0] });
                set(&mut masks[2]);
            }
            Lead::Derived(derived, wanted) => {
                let count = values.get(*derived).copied().unwrap_or(0);
                let at = position(
                    &mut self.derived,
                    |(d, _, _)| d == derived,
                    || (*derived, (0..count).map(|_| empty()).collect(), empty()),
                );
                let (_, by_value, missing) = &mut self.derived[at];
                for (id, mask) in by_value.iter_mut().enumerate() {
                    if !bits::has(wanted, id) {
                        set(mask);
                    }
                }
                set(missing);
            }
        }
    }

    /// Takes from `rules` those that cannot match `listing`. When a boolean field
    /// holds something else (an error to report), none are taken: every rule is
    /// evaluated, so that the error is reported where the rules meet it.
    pub(super) fn strike<N: Node>(&self, listing: &Frame<N>, rules: &mut [u64]) {
        let mut skips = bits::empty(self.words * 64);
        let mut add = |mask: &[u64]| {
            skips
                .iter_mut()
                .zip(mask)
                .for_each(|(skip, rule)| *skip |= rule)
        };
        for (slot, masks) in &self.bools {
            match listing.field(*slot).map(Node::view) {
                Some(View::Bool(true)) => add(&masks[0]),
                Some(View::Bool(false)) => add(&masks[1]),
                None => add(&masks[2]),
                Some(_) => return,
            }
        }
        for (derived, by_value, missing) in &self.derived {
            match listing.derived_id(*derived) {
                Some(id) => add(by_value.get(id as usize).map_or(missing, |m| m)),
                None => add(missing),
            }
        }
        rules
            .iter_mut()
            .zip(&skips)
            .for_each(|(rule, skip)| *rule &= !skip);
    }
}

/// The index of the entry `is` picks, made with `new` if there is none.
fn position<T>(entries: &mut Vec<T>, is: impl Fn(&T) -> bool, new: impl FnOnce() -> T) -> usize {
    match entries.iter().position(is) {
        Some(at) => at,
        None => {
            entries.push(new());
            entries.len() - 1
        }
    }
}
