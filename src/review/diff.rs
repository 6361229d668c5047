//! What changes between two sides, listing by listing: the decisions compared,
//! counted into a transition matrix and each side's rule counts, with a few
//! sample listings for each transition.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value as Json;
use smallvec::SmallVec;

use super::compare::{CollectPairs, Pair};
use super::tally::{RuleCounts, Tally};
use crate::eval::{Decision, EvalError};
use crate::json::{Node, View};
use crate::output::{Notice, Outcome, Summary, Suppressed, Verdict};
use crate::plan::{Operand, Plan, Rule, show};

/// Sample listings kept for each transition unless asked otherwise.
pub const SAMPLES: usize = 3;

/// A listing's decision before, and after.
pub type Transition = (Verdict, Verdict);

/// How a listing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Changed {
    /// Its decision is another.
    Decision,
    /// Its decision is the same, but the rules, reasons or suppressions behind
    /// it (or its error) are not.
    Rules,
}

/// One listing that changed, as a reviewer reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub change: Changed,
    #[serde(serialize_with = "decided")]
    pub before: Outcome,
    #[serde(serialize_with = "decided")]
    pub after: Outcome,
}

impl Change {
    pub fn to_json_line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }
}

/// An outcome without its line and id, which the change gives once.
fn decided<S: serde::Serializer>(outcome: &Outcome, serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Decided<'o> {
        decision: Verdict,
        #[serde(skip_serializing_if = "Option::is_none")]
        rules: Option<&'o Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        reasons: Option<&'o Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        suppressed: Option<&'o Vec<Suppressed>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        notices: Option<&'o Vec<Notice>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'o String>,
    }
    Decided {
        decision: outcome.decision,
        rules: outcome.rules.as_ref(),
        reasons: outcome.reasons.as_ref(),
        suppressed: outcome.suppressed.as_ref(),
        notices: outcome.notices.as_ref(),
        error: outcome.error.as_ref(),
    }
    .serialize(serializer)
}

/// Compares each listing's two decisions: counts them, keeps samples, and
/// (for `--format ndjson`) writes each change as it is found.
pub struct Differ<'p> {
    before: &'p Plan,
    after: &'p Plan,
    /// Each rule's label and reason, as one number per distinct pair, so that a
    /// rule kept from one side to the other compares equal.
    reasons: [Vec<u32>; 2],
    /// Each rule's label as a number, for suppressions.
    labels: [Vec<u32>; 2],
    samples: usize,
    stream: bool,
}

impl<'p> Differ<'p> {
    /// `samples` listings are kept for each transition; with `stream`, every
    /// change is also written as an NDJSON line.
    pub fn new(before: &'p Plan, after: &'p Plan, samples: usize, stream: bool) -> Self {
        let mut reasons = HashMap::new();
        let mut labels = HashMap::new();
        let mut number = |plan: &Plan| -> (Vec<u32>, Vec<u32>) {
            plan.rules()
                .iter()
                .map(|rule| {
                    let key = (rule.label.clone(), rule.reason().to_string());
                    let fresh = u32::try_from(reasons.len()).unwrap_or(u32::MAX);
                    let reason = *reasons.entry(key).or_insert(fresh);
                    let fresh = u32::try_from(labels.len()).unwrap_or(u32::MAX);
                    let label = *labels.entry(rule.label.clone()).or_insert(fresh);
                    (reason, label)
                })
                .unzip()
        };
        let (before_reasons, before_labels) = number(before);
        let (after_reasons, after_labels) = number(after);
        Differ {
            before,
            after,
            reasons: [before_reasons, after_reasons],
            labels: [before_labels, after_labels],
            samples,
            stream,
        }
    }

    fn plans(&self) -> [&'p Plan; 2] {
        [self.before, self.after]
    }

    /// Whether two decisions of the same action rest on the same rules, reasons,
    /// notices and suppressions.
    fn same_grounds(&self, before: &Decision, after: &Decision) -> bool {
        let [before_reasons, after_reasons] = &self.reasons;
        let [before_labels, after_labels] = &self.labels;
        // Notices count among the grounds: a notice gained or lost is a change.
        let rules = |reasons: &[u32], decision: &Decision| {
            let mut keys: SmallVec<[u32; 4]> = decision
                .rules
                .iter()
                .chain(&decision.notices)
                .filter_map(|r| reasons.get(*r).copied())
                .collect();
            keys.sort_unstable();
            keys
        };
        let suppressed = |labels: &[u32], decision: &Decision| {
            let label = |r: &usize| labels.get(*r).copied();
            let mut pairs: SmallVec<[(u32, u32); 2]> = decision
                .suppressed
                .iter()
                .filter_map(|(r, by)| Some((label(r)?, label(by)?)))
                .collect();
            pairs.sort_unstable();
            pairs
        };
        rules(before_reasons, before) == rules(after_reasons, after)
            && suppressed(before_labels, before) == suppressed(after_labels, after)
    }

    fn changed(
        &self,
        before: Result<&Decision, &EvalError>,
        after: Result<&Decision, &EvalError>,
    ) -> Option<Changed> {
        if Verdict::of(before) != Verdict::of(after) {
            return Some(Changed::Decision);
        }
        let same = match (before, after) {
            (Ok(b), Ok(a)) => self.same_grounds(b, a),
            (Err(b), Err(a)) => b.to_string() == a.to_string(),
            _ => false,
        };
        (!same).then_some(Changed::Rules)
    }
}

/// What one task found.
#[derive(Debug, Default)]
pub struct DiffPart {
    pub tally: DiffTally,
    /// NDJSON lines of the changes, when streaming.
    pub ndjson: Vec<u8>,
}

/// The counts of a comparison, and its samples.
#[derive(Debug, Clone, Default)]
pub struct DiffTally {
    pub compared: usize,
    /// `matrix[before][after]`, in [`Verdict::ALL`] order.
    pub matrix: [[usize; 4]; 4],
    /// Listings whose decision stayed but whose grounds changed, by decision.
    pub rules_changed: [usize; 4],
    pub before: Tally,
    pub after: Tally,
    pub samples: BTreeMap<Transition, Vec<Change>>,
}

fn verdict_index(verdict: Verdict) -> usize {
    Verdict::ALL.iter().position(|v| *v == verdict).unwrap_or(0)
}

impl DiffTally {
    pub fn new(before: &Plan, after: &Plan) -> Self {
        DiffTally {
            before: Tally::new(before),
            after: Tally::new(after),
            ..DiffTally::default()
        }
    }

    pub fn count(&self, from: Verdict, to: Verdict) -> usize {
        self.matrix
            .get(verdict_index(from))
            .and_then(|row| row.get(verdict_index(to)))
            .copied()
            .unwrap_or(0)
    }

    fn add(&mut self, from: Verdict, to: Verdict) {
        if let Some(n) = self
            .matrix
            .get_mut(verdict_index(from))
            .and_then(|row| row.get_mut(verdict_index(to)))
        {
            *n += 1;
        }
    }

    /// Listings whose decision changed.
    pub fn changed(&self) -> usize {
        let mut changed = 0;
        for from in Verdict::ALL {
            for to in Verdict::ALL {
                if from != to {
                    changed += self.count(from, to);
                }
            }
        }
        changed
    }

    /// Adds a later task's counts and samples, keeping the first `samples` of
    /// each transition in input order.
    pub fn merge(&mut self, other: DiffTally, samples: usize) {
        self.compared += other.compared;
        for (mine, theirs) in self.rules_changed.iter_mut().zip(other.rules_changed) {
            *mine += theirs;
        }
        for (mine, theirs) in self.matrix.iter_mut().zip(other.matrix) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
        self.before.merge(&other.before);
        self.after.merge(&other.after);
        for (transition, changes) in other.samples {
            let kept = self.samples.entry(transition).or_default();
            let room = samples.saturating_sub(kept.len());
            kept.extend(changes.into_iter().take(room));
        }
    }
}

impl CollectPairs for Differ<'_> {
    type Part = DiffPart;

    fn part(&self, _records: usize) -> DiffPart {
        DiffPart {
            tally: DiffTally::new(self.before, self.after),
            ndjson: Vec::new(),
        }
    }

    fn pair<N: Node>(&self, part: &mut DiffPart, pair: Pair<'_, N>) {
        let tally = &mut part.tally;
        tally.compared += 1;
        tally.before.count(self.before, pair.before);
        tally.after.count(self.after, pair.after);
        let (from, to) = (Verdict::of(pair.before), Verdict::of(pair.after));
        tally.add(from, to);
        let Some(changed) = self.changed(pair.before, pair.after) else {
            return;
        };
        if changed == Changed::Rules
            && let Some(n) = tally.rules_changed.get_mut(verdict_index(from))
        {
            *n += 1;
        }
        let kept = tally.samples.entry((from, to)).or_default();
        if kept.len() >= self.samples && !self.stream {
            return;
        }
        let id: Option<Json> = pair.id.and_then(|id| match id.view() {
            View::Str(_) | View::Number(_) => serde_json::from_str(&id.to_json()).ok(),
            _ => None,
        });
        let title = pair.title.and_then(|t| match t.view() {
            View::Str(text) => Some(text.to_string()),
            _ => None,
        });
        let [before_plan, after_plan] = self.plans();
        let change = Change {
            line: pair.line,
            before: Outcome::new(before_plan, pair.line, id.as_ref(), pair.before),
            after: Outcome::new(after_plan, pair.line, id.as_ref(), pair.after),
            id,
            title,
            change: changed,
        };
        if self.stream {
            part.ndjson
                .extend_from_slice(change.to_json_line().as_bytes());
        }
        if kept.len() < self.samples {
            kept.push(change);
        }
    }

    /// Unreadable on both sides alike: counted, never a change.
    fn unreadable(&self, part: &mut DiffPart, _line: usize, _error: &str) {
        let tally = &mut part.tally;
        tally.compared += 1;
        tally.before.unreadable();
        tally.after.unreadable();
        tally.add(Verdict::Error, Verdict::Error);
    }
}

/// A side as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SideInfo {
    /// The policy files, e.g. `policies/ at origin/main`.
    pub policies: String,
    pub at: NaiveDate,
}

/// One cell of the transition matrix that is not on its diagonal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransitionCount {
    pub from: Verdict,
    pub to: Verdict,
    pub listings: usize,
}

/// What happened to a rule from one side to the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    Added,
    Removed,
    /// Its text or its reason changed.
    Changed,
    Unchanged,
}

impl RuleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Added => "added",
            RuleStatus::Removed => "removed",
            RuleStatus::Changed => "changed",
            RuleStatus::Unchanged => "unchanged",
        }
    }
}

/// A rule's counts on each side it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleChange {
    pub rule: String,
    pub status: RuleStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<RuleCounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<RuleCounts>,
}

impl RuleChange {
    /// Whether the reviewer needs to see it: it is new, gone or edited, or it
    /// did something to a different number of listings.
    pub fn matters(&self) -> bool {
        self.status != RuleStatus::Unchanged || self.before != self.after
    }

    /// Whether it is on the after side and does nothing there: it never
    /// applies, is never suppressed and never fails.
    pub fn idle_after(&self) -> bool {
        self.after.is_some_and(|a| a.is_idle())
    }
}

/// The sample listings of one transition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Samples {
    pub from: Verdict,
    pub to: Verdict,
    /// Listings with this transition (and, where the decision is the same,
    /// changed rules or reasons).
    pub listings: usize,
    pub shown: Vec<Change>,
}

/// The whole comparison, as `--format json` writes it and the other formats
/// render it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    pub before: SideInfo,
    pub after: SideInfo,
    pub compared: usize,
    /// Listings whose decision changed.
    pub changed: usize,
    /// Listings whose decision is the same but whose rules or reasons are not.
    pub rules_changed: usize,
    pub decisions: Decisions,
    pub matrix: BTreeMap<Verdict, BTreeMap<Verdict, usize>>,
    pub transitions: Vec<TransitionCount>,
    pub rules: Vec<RuleChange>,
    pub samples: Vec<Samples>,
    /// Listings no rule could decide for a reason outside the rules (the
    /// schema, a record that is not a listing), on each side.
    pub other_errors: [usize; 2],
}

/// The counts by decision on each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Decisions {
    pub before: Summary,
    pub after: Summary,
}

impl DiffReport {
    pub fn new(tally: DiffTally, sides: [(&Plan, SideInfo); 2]) -> DiffReport {
        let [(before_plan, before), (after_plan, after)] = sides;
        let mut matrix = BTreeMap::new();
        let mut transitions = Vec::new();
        for from in Verdict::ALL {
            let row: &mut BTreeMap<Verdict, usize> = matrix.entry(from).or_default();
            for to in Verdict::ALL {
                let listings = tally.count(from, to);
                row.insert(to, listings);
                if from != to && listings > 0 {
                    transitions.push(TransitionCount { from, to, listings });
                }
            }
        }
        transitions.sort_by_key(|t| std::cmp::Reverse(t.listings));
        let rules = rule_changes(before_plan, after_plan, &tally);
        let mut samples: Vec<Samples> = tally
            .samples
            .iter()
            .filter(|(_, shown)| !shown.is_empty())
            .map(|((from, to), shown)| Samples {
                from: *from,
                to: *to,
                listings: if from == to {
                    tally
                        .rules_changed
                        .get(verdict_index(*from))
                        .copied()
                        .unwrap_or(0)
                } else {
                    tally.count(*from, *to)
                },
                shown: shown.clone(),
            })
            .collect();
        // Changed decisions first, the most common first; then changed rules.
        samples.sort_by_key(|s| (s.from == s.to, std::cmp::Reverse(s.listings)));
        DiffReport {
            before,
            after,
            compared: tally.compared,
            changed: tally.changed(),
            rules_changed: tally.rules_changed.iter().sum(),
            decisions: Decisions {
                before: tally.before.summary,
                after: tally.after.summary,
            },
            matrix,
            transitions,
            rules,
            samples,
            other_errors: [tally.before.other_errors, tally.after.other_errors],
        }
    }

    /// `3 of 1,323 listings change decision (allow → block 2, …); 47 more
    /// change rules or reasons`
    pub fn headline(&self) -> String {
        let mut text = format!(
            "{} of {} {} decision",
            thousands(self.changed),
            thousands(self.compared),
            if self.compared == 1 {
                "listing changes"
            } else {
                "listings change"
            }
        );
        if !self.transitions.is_empty() {
            let parts: Vec<String> = self
                .transitions
                .iter()
                .map(|t| format!("{} → {} {}", t.from, t.to, thousands(t.listings)))
                .collect();
            text.push_str(&format!(" ({})", parts.join(", ")));
        }
        if self.rules_changed > 0 {
            let more = if self.changed > 0 { " more" } else { "" };
            text.push_str(&format!(
                "; {}{more} {} rules or reasons",
                thousands(self.rules_changed),
                if self.rules_changed == 1 {
                    "changes"
                } else {
                    "change"
                }
            ));
        }
        text
    }
}

/// Every rule of either side, the after side's order first, then the rules
/// only the before side has.
fn rule_changes(before: &Plan, after: &Plan, tally: &DiffTally) -> Vec<RuleChange> {
    let counts = |t: &Tally, i: usize| t.rules.get(i).copied().unwrap_or_default();
    let by_label: HashMap<&str, usize> = before
        .rules()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.label.as_str(), i))
        .collect();
    let mut seen = vec![false; before.rules().len()];
    let mut changes = Vec::new();
    for (i, rule) in after.rules().iter().enumerate() {
        let old = by_label.get(rule.label.as_str()).copied();
        let status = match old.and_then(|o| before.rule(o)) {
            None => RuleStatus::Added,
            Some(old)
                if same_text(&old.source, &rule.source)
                    && old.reason() == rule.reason()
                    && meaning(before, old) == meaning(after, rule) =>
            {
                RuleStatus::Unchanged
            }
            Some(_) => RuleStatus::Changed,
        };
        if let Some(o) = old
            && let Some(seen) = seen.get_mut(o)
        {
            *seen = true;
        }
        changes.push(RuleChange {
            rule: rule.label.clone(),
            status,
            before: old.map(|o| counts(&tally.before, o)),
            after: Some(counts(&tally.after, i)),
        });
    }
    for (i, rule) in before.rules().iter().enumerate() {
        if !seen.get(i).copied().unwrap_or(true) {
            changes.push(RuleChange {
                rule: rule.label.clone(),
                status: RuleStatus::Removed,
                before: Some(counts(&tally.before, i)),
                after: None,
            });
        }
    }
    changes
}

/// What a rule tests, as far as a reviewer needs to tell it changed: its
/// condition in policy syntax (lists written out), every named condition it
/// uses however deep, and the arms of every `match` it reads. A rule whose text
/// is the same can change by the `let` or `match` it uses.
fn meaning(plan: &Plan, rule: &Rule) -> String {
    let mut text = format!("{} when {}", rule.action.as_str(), show(plan, &rule.when));
    let (mut shared, mut derived) = (BTreeSet::new(), BTreeSet::new());
    let mut stack = vec![&rule.when];
    while let Some(cond) = stack.pop() {
        cond.visit_refs(&mut |id| {
            if shared.insert(id)
                && let Some(named) = plan.shared().get(id)
            {
                stack.push(&named.cond);
            }
        });
        cond.visit_tests(&mut |operand, _| {
            if let Operand::Derived(index) = operand {
                derived.insert(*index);
            }
        });
    }
    for id in shared {
        if let Some(named) = plan.shared().get(id) {
            let _ = write!(text, "; {} = {}", named.name, show(plan, &named.cond));
        }
    }
    for index in derived {
        if let Some(d) = plan.derived().get(index) {
            let value = |id: &u32| d.values.get(*id as usize).map(ToString::to_string);
            let arms: BTreeMap<&str, Option<String>> =
                d.arms.iter().map(|(k, v)| (k.as_str(), value(v))).collect();
            let _ = write!(
                text,
                "; {} = match {} {arms:?} else {:?}",
                d.name,
                d.field.dotted,
                d.default.as_ref().and_then(value)
            );
        }
    }
    text
}

/// Rule texts equal but for layout.
fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// `1323` as `1,323`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
