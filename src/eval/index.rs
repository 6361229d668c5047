//! Rules skipped before they are evaluated: a rule whose first tests (a boolean
//! field such as `cross_border`, a `match`-derived field such as `cluster`, the
//! field the `match` reads, as in `category == "Books"`, or any field's text
//! equality, set membership or presence, as in `seller.country in [CN, SG]`) fail
//! for a listing cannot match it, and those tests are answered for every rule at
//! once from the listing's few values: a listing walks the rules its values can
//! satisfy, not all of them.
//!
//! Skipping never hides an error: the only such first tests that can fail are a
//! boolean field holding something else and a text test on a value that is not
//! text, and a listing with either is evaluated in full, rule by rule, so that the
//! error is reported where the rules meet it.

use rustc_hash::FxHashMap;

use super::bits;
use super::code::Frame;
use crate::json::{Node, View};

/// A first test shared by rules.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Lead {
    /// A test on a boolean field, as whether it holds where the field is true,
    /// false, and missing: `FIELD == true` is `[true, false, false]`, `not
    /// FIELD` (as in the subject `domestic`) `[false, true, true]`.
    Bool(usize, [bool; 3]),
    /// A test that is false unless the listing's derived value is one of these.
    Derived(Gate),
    /// A test that is false unless a field's value is one of these.
    Field(FieldGate),
    /// A keyword test on a field: false unless the field's text holds one of
    /// the keywords `mask` names in its group's search (whole, with `words`).
    Keyword {
        slot: usize,
        group: usize,
        mask: Box<[(u32, u64)]>,
        words: bool,
    },
}

/// The rules gated on keyword tests of one field: for each keyword, the rules
/// that need it.
#[derive(Debug, Clone)]
struct KeywordRules {
    slot: usize,
    group: usize,
    gated: Mask,
    /// By keyword id: rules its text holding the keyword lets run.
    found: Vec<Sparse>,
    /// By keyword id: rules its text holding the keyword as a word lets run.
    words: Vec<Sparse>,
}

/// The values of a field a test needs: texts, any value, or none.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FieldGate {
    pub slot: usize,
    /// Texts the test holds for (`==`, `in`).
    pub texts: Vec<Box<str>>,
    /// Whether it holds for any value (`is present`).
    pub present: bool,
    /// Whether it holds where the field is missing (`is missing`).
    pub missing: bool,
}

impl FieldGate {
    /// The values either test needs; none when they are on different fields.
    pub(super) fn union(mut self, other: FieldGate) -> Option<FieldGate> {
        if other.slot != self.slot {
            return None;
        }
        self.texts.extend(other.texts);
        self.present |= other.present;
        self.missing |= other.missing;
        Some(self)
    }
}

/// The rules gated on one field, and for each of its values those that may
/// run. A value's rules are kept as a list, not as bits over all rules, so that
/// the index grows with the policy (a rule per seller id is one entry each).
#[derive(Debug, Clone)]
struct FieldRules {
    slot: usize,
    gated: Mask,
    /// Rules that may run for each text (as they are built: rule numbers).
    by_text: FxHashMap<Box<str>, Sparse>,
    /// For any other value (a text no test names, or not text).
    other: Sparse,
    missing: Sparse,
}

/// A few bits over rules: (word, bits) for the words that hold any, in order.
type Sparse = Vec<(u32, u64)>;

fn sparse_add(sparse: &mut Sparse, rule: usize) {
    // Rules are numbered within a policy, far below `u32::MAX` words.
    let Ok(word) = u32::try_from(rule / 64) else {
        return;
    };
    let bit = 1u64 << (rule % 64);
    match sparse.last_mut() {
        Some((last, bits)) if *last == word => *bits |= bit,
        _ => sparse.push((word, bit)),
    }
}

/// `rules` without those `gated` names, except those in `pass`.
fn keep_passing(rules: &mut [u64], gated: &[u64], pass: &[(u32, u64)]) {
    let mut pass = pass.iter().peekable();
    for (at, (rule, gated)) in rules.iter_mut().zip(gated).enumerate() {
        let bits = pass
            .next_if(|(word, _)| *word as usize == at)
            .map_or(0, |p| p.1);
        *rule &= !gated | bits;
    }
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
    /// Fields whose values tests compare.
    fields: Vec<FieldRules>,
    /// Fields searched for keywords.
    keywords: Vec<KeywordRules>,
    /// Fields that text tests in [`Gate`]s and [`FieldGate`]s read.
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
            Lead::Bool(slot, holds) => {
                let Some((_, masks)) = entry(
                    &mut self.bools,
                    |(s, _)| s == slot,
                    || (*slot, [empty(), empty(), empty()]),
                ) else {
                    return;
                };
                for (mask, holds) in masks.iter_mut().zip(holds) {
                    if !holds {
                        set(mask);
                    }
                }
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
                if let Some(slot) = gate.text {
                    self.text(slot);
                }
            }
            Lead::Field(gate) => self.add_field(rule, gate),
            Lead::Keyword {
                slot,
                group,
                mask,
                words,
            } => self.add_keyword(rule, *slot, *group, mask, *words),
        }
    }

    fn add_keyword(
        &mut self,
        rule: usize,
        slot: usize,
        group: usize,
        mask: &[(u32, u64)],
        words: bool,
    ) {
        let size = self.words;
        let Some(field) = entry(
            &mut self.keywords,
            |k| k.slot == slot && k.group == group,
            || KeywordRules {
                slot,
                group,
                gated: vec![0; size].into(),
                found: Vec::new(),
                words: Vec::new(),
            },
        ) else {
            return;
        };
        bits::set(&mut field.gated, rule);
        let by_keyword = if words {
            &mut field.words
        } else {
            &mut field.found
        };
        for (word, bits) in mask {
            for id in bits::ones(std::slice::from_ref(bits)) {
                let id = *word as usize * 64 + id;
                if by_keyword.len() <= id {
                    by_keyword.resize(id + 1, Vec::new());
                }
                if let Some(rules) = by_keyword.get_mut(id) {
                    sparse_add(rules, rule);
                }
            }
        }
    }

    fn text(&mut self, slot: usize) {
        if !self.texts.contains(&slot) {
            self.texts.push(slot);
        }
    }

    fn add_field(&mut self, rule: usize, gate: &FieldGate) {
        if !gate.texts.is_empty() {
            self.text(gate.slot);
        }
        let words = self.words;
        let Some(field) = entry(
            &mut self.fields,
            |f| f.slot == gate.slot,
            || FieldRules {
                slot: gate.slot,
                gated: vec![0; words].into(),
                by_text: FxHashMap::default(),
                other: Vec::new(),
                missing: Vec::new(),
            },
        ) else {
            return;
        };
        bits::set(&mut field.gated, rule);
        // A text first named now is, for the rules before, any other value.
        for text in &gate.texts {
            if !field.by_text.contains_key(text) {
                field.by_text.insert(text.clone(), field.other.clone());
            }
        }
        for (text, pass) in &mut field.by_text {
            if gate.present || gate.texts.contains(text) {
                sparse_add(pass, rule);
            }
        }
        if gate.present {
            sparse_add(&mut field.other, rule);
        }
        if gate.missing {
            sparse_add(&mut field.missing, rule);
        }
    }

    /// Takes from `rules` those that cannot match `listing`. When a boolean field
    /// holds something else, or a field a text test reads is not text (an error
    /// to report), none are taken: every rule is evaluated, so that the error is
    /// reported where the rules meet it.
    /// Whether it did: the rules left then passed all their first tests.
    pub(super) fn strike<N: Node>(&self, listing: &mut Frame<N>, rules: &mut [u64]) -> bool {
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
        for field in &self.fields {
            let pass = match listing.field(field.slot).map(Node::view) {
                Some(View::Str(text)) => field.by_text.get(text).unwrap_or(&field.other),
                Some(_) => &field.other,
                None => &field.missing,
            };
            keep_passing(rules, &field.gated, pass);
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
        for field in &self.keywords {
            // Searched only where a rule it gates is still to run.
            if bits::meet(rules, &field.gated) {
                field.strike(listing, rules);
            }
        }
        true
    }
}

impl KeywordRules {
    /// Takes the rules none of whose keywords the field holds. Text that is
    /// not ASCII (the search cannot answer) and a value that is not text (the
    /// test's own check reads it, or fails) strike nothing.
    fn strike<N: Node>(&self, listing: &mut Frame<N>, rules: &mut [u64]) {
        let text = match listing.field(self.slot).map(Node::view) {
            Some(View::Str(text)) => text,
            Some(_) => return,
            // A keyword test on a missing field is false.
            None => return keep_passing(rules, &self.gated, &[]),
        };
        let Some(hits) = listing.group_hits(self.group, text) else {
            return;
        };
        let mut pass: smallvec::SmallVec<[u64; 64]> = smallvec::smallvec![0; rules.len()];
        for (hit, by_keyword) in [(&hits.found, &self.found), (&hits.words, &self.words)] {
            for id in bits::ones(hit) {
                for (word, bits) in by_keyword.get(id).map_or(&[][..], Vec::as_slice) {
                    if let Some(pass) = pass.get_mut(*word as usize) {
                        *pass |= bits;
                    }
                }
            }
        }
        for ((rule, gated), pass) in rules.iter_mut().zip(self.gated.iter()).zip(&pass) {
            *rule &= !gated | pass;
        }
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
