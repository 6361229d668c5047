//! What each rule of a policy set did to a catalogue: how often it applied,
//! how often it decided a listing alone, how often an override silenced it and
//! how often it could not be decided. `akar rules`, `akar diff` and the REPL's
//! `:eval all` count with this.

use serde::Serialize;

use crate::eval::{Decision, EvalError};
use crate::output::{Summary, Verdict};
use crate::plan::Plan;

/// One rule's counts over a catalogue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RuleCounts {
    /// Listings the rule applied to (matched, in force, not suppressed).
    pub fired: usize,
    /// Listings where it was the only rule with the decision's action: without
    /// it, the decision would have been another.
    pub alone: usize,
    /// Listings where it matched but a rule overriding it applied.
    pub suppressed: usize,
    /// Listings that could not be decided because of one of its tests.
    pub errors: usize,
}

impl RuleCounts {
    pub fn merge(&mut self, other: RuleCounts) {
        self.fired += other.fired;
        self.alone += other.alone;
        self.suppressed += other.suppressed;
        self.errors += other.errors;
    }

    /// Whether the rule did nothing at all to the catalogue.
    pub fn is_idle(&self) -> bool {
        self.fired == 0 && self.suppressed == 0 && self.errors == 0
    }
}

/// The decisions of one policy set over a catalogue, and each rule's counts
/// (in the plan's rule order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub summary: Summary,
    pub rules: Vec<RuleCounts>,
    /// Listings that could not be decided for a reason in no rule (the schema,
    /// a record that is not a listing).
    pub other_errors: usize,
}

impl Tally {
    pub fn new(plan: &Plan) -> Self {
        Tally {
            rules: vec![RuleCounts::default(); plan.rules().len()],
            ..Tally::default()
        }
    }

    /// Counts one listing's decision, or why it has none.
    pub fn count(&mut self, plan: &Plan, result: Result<&Decision, &EvalError>) {
        self.summary.count(Verdict::of(result));
        match result {
            Ok(decision) => self.decided(plan, decision),
            Err(error) => {
                let rule = error
                    .rule
                    .as_deref()
                    .and_then(|label| plan.rules().iter().position(|r| r.label == label));
                match rule.and_then(|i| self.rules.get_mut(i)) {
                    Some(counts) => counts.errors += 1,
                    None => self.other_errors += 1,
                }
            }
        }
    }

    fn decided(&mut self, plan: &Plan, decision: &Decision) {
        let mut deciding = decision
            .rules
            .iter()
            .filter(|i| plan.rule(**i).is_some_and(|r| r.action == decision.action));
        if let (Some(only), None) = (deciding.next(), deciding.next())
            && let Some(counts) = self.rules.get_mut(*only)
        {
            counts.alone += 1;
        }
        for rule in decision.rules.iter().chain(&decision.notices) {
            if let Some(counts) = self.rules.get_mut(*rule) {
                counts.fired += 1;
            }
        }
        for (rule, _) in &decision.suppressed {
            if let Some(counts) = self.rules.get_mut(*rule) {
                counts.suppressed += 1;
            }
        }
    }

    /// A record that is not a listing.
    pub fn unreadable(&mut self) {
        self.summary.count(Verdict::Error);
        self.other_errors += 1;
    }

    pub fn merge(&mut self, other: &Tally) {
        self.summary.merge(other.summary);
        self.other_errors += other.other_errors;
        if self.rules.len() < other.rules.len() {
            self.rules.resize(other.rules.len(), RuleCounts::default());
        }
        for (mine, theirs) in self.rules.iter_mut().zip(&other.rules) {
            mine.merge(*theirs);
        }
    }
}
