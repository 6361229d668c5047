//! What the `test` blocks exercise: each rule firing and not firing, each `or`
//! branch true and each `and` operand false, each `unless` saving a listing,
//! each `overrides` silencing a rule, and each `match` arm taken — each an
//! item with the place in the policy it is written at.
//!
//! Conditions are evaluated in full for each test's listing (as `akar
//! explain` does), so a branch counts as exercised when it holds, whether or
//! not an earlier branch already decided the `or`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value as Json;

use crate::eval::{self, Decider, Decision, EvalError, Listing, arm_key};
use crate::plan::{Cond, Place, Plan, TestCase, show};
use crate::source::Sources;

/// What an item asks of the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A rule applies to some test's listing.
    Fires,
    /// A rule does not apply to some test's listing.
    DoesNotFire,
    /// A branch of an `or` is true.
    OrBranch,
    /// An operand of an `and` is false.
    AndOperand,
    /// A rule's `unless` holds where the rest of the rule does: it saves a listing.
    Unless,
    /// A rule silences the rule it overrides.
    Overrides,
    /// A `match` arm is taken.
    MatchArm,
}

impl Kind {
    /// The group the summary line counts it in.
    fn group(self) -> &'static str {
        match self {
            Kind::Fires => "rules fired",
            Kind::DoesNotFire => "rules not fired",
            Kind::OrBranch | Kind::AndOperand => "branches",
            Kind::Unless => "unless",
            Kind::Overrides => "overrides",
            Kind::MatchArm => "match arms",
        }
    }
}

const GROUPS: [&str; 6] = [
    "rules fired",
    "rules not fired",
    "branches",
    "unless",
    "overrides",
    "match arms",
];

/// One thing the tests should exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub kind: Kind,
    #[serde(skip)]
    pub place: Place,
    /// What should happen, in words.
    pub what: String,
    /// How many tests exercised it.
    pub hits: usize,
    /// For lcov: the `and`, `or` or rule the item is a branch of, and which.
    #[serde(skip)]
    block: usize,
    #[serde(skip)]
    branch: usize,
}

/// The coverage of a policy set's tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub items: Vec<Item>,
    pub tests: usize,
}

/// The items of each rule and named condition, and where each tree's first
/// branch item is.
struct Layout {
    items: Vec<Item>,
    blocks: usize,
    rules: Vec<RuleItems>,
    shared: Vec<Option<usize>>,
    /// Each derived field's arms: (item, keys).
    arms: Vec<Vec<(usize, Vec<String>)>>,
}

struct RuleItems {
    fires: usize,
    condition: Option<usize>,
    unless: Option<(usize, Option<usize>)>,
    overrides: Vec<(usize, usize)>,
}

impl Layout {
    fn new(plan: &Plan) -> Layout {
        let mut layout = Layout {
            items: Vec::new(),
            blocks: 0,
            rules: Vec::new(),
            shared: Vec::new(),
            arms: Vec::new(),
        };
        for rule in plan.rules() {
            let block = layout.block();
            let fires = layout.push(
                Kind::Fires,
                rule.place,
                format!("`{}` fires", rule.label),
                block,
                0,
            );
            layout.push(
                Kind::DoesNotFire,
                rule.place,
                format!("`{}` does not fire", rule.label),
                block,
                1,
            );
            let parts = &rule.parts;
            let condition = parts
                .condition
                .as_ref()
                .map(|c| layout.tree(plan, c, &parts.condition_branches, rule.place, &rule.label));
            let unless = parts.unless.as_ref().map(|c| {
                let place = rule.unless_place.unwrap_or(rule.place);
                let block = layout.block();
                let saves = format!("the `unless` of `{}` saves a listing", rule.label);
                let item = layout.push(Kind::Unless, place, saves, block, 0);
                (
                    item,
                    Some(layout.tree(plan, c, &parts.unless_branches, place, &rule.label)),
                )
            });
            let overrides = rule
                .overrides
                .iter()
                .enumerate()
                .filter_map(|(k, target)| {
                    let target_rule = plan.rule(*target)?;
                    let place = rule.override_places.get(k).copied().unwrap_or(rule.place);
                    let what = format!("`{}` overrides `{}`", rule.label, target_rule.label);
                    let block = layout.block();
                    Some((*target, layout.push(Kind::Overrides, place, what, block, 0)))
                })
                .collect();
            layout.rules.push(RuleItems {
                fires,
                condition,
                unless,
                overrides,
            });
        }
        for shared in plan.shared() {
            let tree = layout.tree(
                plan,
                &shared.cond,
                &shared.branches,
                shared.place,
                &shared.name,
            );
            layout.shared.push(Some(tree));
        }
        for derived in plan.derived() {
            let block = layout.block();
            let mut arms = Vec::new();
            for (n, (keys, place)) in derived.arm_places.iter().enumerate() {
                let shown: Vec<String> = keys.iter().map(|k| format!("{k:?}")).collect();
                let what = format!("`{}` takes the arm {}", derived.name, shown.join(", "));
                arms.push((
                    layout.push(Kind::MatchArm, *place, what, block, n),
                    keys.clone(),
                ));
            }
            if let Some(place) = derived.else_place {
                let what = format!("`{}` takes its `else` arm", derived.name);
                let n = arms.len();
                arms.push((
                    layout.push(Kind::MatchArm, place, what, block, n),
                    Vec::new(),
                ));
            }
            layout.arms.push(arms);
        }
        layout
    }

    fn block(&mut self) -> usize {
        self.blocks += 1;
        self.blocks - 1
    }

    fn push(
        &mut self,
        kind: Kind,
        place: Place,
        what: String,
        block: usize,
        branch: usize,
    ) -> usize {
        self.items.push(Item {
            kind,
            place,
            what,
            hits: 0,
            block,
            branch,
        });
        self.items.len() - 1
    }

    /// The branch items of a condition, in the order of its `places` (see
    /// [`crate::plan::Shared::branches`]): preorder, each operand followed by
    /// its own branches. Gives the index of its first item.
    fn tree(
        &mut self,
        plan: &Plan,
        cond: &Cond,
        places: &[Place],
        fallback: Place,
        owner: &str,
    ) -> usize {
        let first = self.items.len();
        self.subtree(plan, cond, &mut places.iter().copied(), fallback, owner);
        first
    }

    fn subtree(
        &mut self,
        plan: &Plan,
        cond: &Cond,
        places: &mut impl Iterator<Item = Place>,
        fallback: Place,
        owner: &str,
    ) {
        match cond {
            Cond::And(items) | Cond::Or(items) => {
                let or = matches!(cond, Cond::Or(_));
                let block = self.block();
                for (n, item) in items.iter().enumerate() {
                    let place = places.next().unwrap_or(fallback);
                    let (kind, what) = if or {
                        (
                            Kind::OrBranch,
                            format!(
                                "`{}` is true (an `or` branch in `{owner}`)",
                                show(plan, item)
                            ),
                        )
                    } else {
                        (
                            Kind::AndOperand,
                            format!(
                                "`{}` is false (an `and` operand in `{owner}`)",
                                show(plan, item)
                            ),
                        )
                    };
                    self.push(kind, place, what, block, n);
                    self.subtree(plan, item, places, fallback, owner);
                }
            }
            Cond::Not(inner) => self.subtree(plan, inner, places, fallback, owner),
            Cond::True | Cond::Test(..) | Cond::Compare(_) | Cond::Ref(_) => {}
        }
    }
}

impl Layout {
    /// Counts what one test's listing exercises.
    fn exercise_case(&mut self, plan: &Plan, case: &TestCase, today: NaiveDate) {
        let date = case.at.unwrap_or(today);
        let listing = &case.given;
        let decision: Result<Decision, EvalError> = Decider::new(plan, date).decide_json(listing);
        let mut hit: Vec<usize> = Vec::new();
        for (index, rule) in plan.rules().iter().enumerate() {
            let Some(items) = self.rules.get(index) else {
                continue;
            };
            if let Ok(decision) = &decision {
                let fires = decision.rules.contains(&index);
                hit.push(if fires { items.fires } else { items.fires + 1 });
                for (target, item) in &items.overrides {
                    if decision.suppressed.contains(&(*target, index)) {
                        hit.push(*item);
                    }
                }
            }
            if !rule.in_force(date) {
                continue;
            }
            let parts = &rule.parts;
            if let (Some(cond), Some(start)) = (&parts.condition, items.condition) {
                exercise(plan, cond, listing, &mut start.clone(), &mut hit);
            }
            if let (Some(cond), Some((item, tree))) = (&parts.unless, items.unless) {
                let holds = |c: &Cond| eval::eval(plan, c, listing).is_ok_and(|b| b);
                let rest = holds(&parts.subject) && parts.condition.as_ref().is_none_or(holds);
                if rest && holds(cond) {
                    hit.push(item);
                }
                if let Some(start) = tree {
                    exercise(plan, cond, listing, &mut start.clone(), &mut hit);
                }
            }
        }
        for (shared, start) in plan.shared().iter().zip(&self.shared) {
            if let Some(start) = start {
                exercise(plan, &shared.cond, listing, &mut start.clone(), &mut hit);
            }
        }
        let read = Listing::from_json(plan, listing);
        for (derived, arms) in plan.derived().iter().zip(&self.arms) {
            let value = read.field(derived.field.slot);
            let taken = match arm_key(derived, value) {
                Some(key) => arms.iter().find(|(_, keys)| keys.contains(&key)),
                // A value no key names takes the `else` arm (listed last, keyless).
                None if value.is_some() => arms.last().filter(|(_, keys)| keys.is_empty()),
                None => None,
            };
            hit.extend(taken.map(|(item, _)| *item));
        }
        hit.sort_unstable();
        hit.dedup();
        for item in hit {
            if let Some(item) = self.items.get_mut(item) {
                item.hits += 1;
            }
        }
    }
}

/// Walks a condition's branches in the order [`Layout::tree`] laid out their
/// items from `at`, noting the items the listing exercises.
fn exercise(plan: &Plan, cond: &Cond, listing: &Json, at: &mut usize, hit: &mut Vec<usize>) {
    match cond {
        Cond::And(items) | Cond::Or(items) => {
            let or = matches!(cond, Cond::Or(_));
            for item in items {
                let id = *at;
                *at += 1;
                match eval::eval(plan, item, listing) {
                    Ok(true) if or => hit.push(id),
                    Ok(false) if !or => hit.push(id),
                    _ => {}
                }
                exercise(plan, item, listing, at, hit);
            }
        }
        Cond::Not(inner) => exercise(plan, inner, listing, at, hit),
        Cond::True | Cond::Test(..) | Cond::Compare(_) | Cond::Ref(_) => {}
    }
}

impl Coverage {
    /// Runs every test of the plan (on its `at`, else on `today`) and counts
    /// what each exercises.
    pub fn measure(plan: &Plan, today: NaiveDate) -> Coverage {
        let mut layout = Layout::new(plan);
        for case in plan.tests() {
            layout.exercise_case(plan, case, today);
        }
        Coverage {
            items: layout.items,
            tests: plan.tests().len(),
        }
    }

    pub fn covered(&self) -> usize {
        self.items.iter().filter(|i| i.hits > 0).count()
    }

    /// Covered items as a percentage of all; 100 when there are none.
    pub fn percent(&self) -> f64 {
        match self.items.len() {
            0 => 100.0,
            total => self.covered() as f64 * 100.0 / total as f64,
        }
    }

    /// `(covered, total)` by group, in the summary's order.
    fn groups(&self) -> Vec<(&'static str, usize, usize)> {
        GROUPS
            .iter()
            .map(|group| {
                let items = self.items.iter().filter(|i| i.kind.group() == *group);
                let (covered, total) =
                    items.fold((0, 0), |(c, t), i| (c + usize::from(i.hits > 0), t + 1));
                (*group, covered, total)
            })
            .filter(|(_, _, total)| *total > 0)
            .collect()
    }

    /// `coverage: 41 of 58 (70.7%) by 65 tests — rules fired 11/13, rules not fired 13/13, …`
    pub fn summary(&self) -> String {
        let groups: Vec<String> = self
            .groups()
            .iter()
            .map(|(group, covered, total)| format!("{group} {covered}/{total}"))
            .collect();
        format!(
            "coverage: {} of {} ({:.1}%) by {} {} — {}",
            self.covered(),
            self.items.len(),
            self.percent(),
            self.tests,
            if self.tests == 1 { "test" } else { "tests" },
            groups.join(", ")
        )
    }

    /// The summary, then each item no test exercises, where it is written.
    pub fn text(&self, sources: &Sources) -> String {
        let mut out = format!("{}\n", self.summary());
        let mut missed: Vec<&Item> = self.items.iter().filter(|i| i.hits == 0).collect();
        missed.sort_by_key(|i| (i.place.file, i.place.line));
        if missed.is_empty() {
            return out;
        }
        out.push_str("not exercised by any test:\n");
        let places: Vec<String> = missed.iter().map(|i| place(sources, i.place)).collect();
        let width = places.iter().map(String::len).max().unwrap_or(0);
        for (item, at) in missed.iter().zip(&places) {
            let _ = writeln!(out, "  {at:<width$}  {}", item.what);
        }
        out
    }

    /// The whole coverage as JSON: the counts, by group, and every item with
    /// its file, line and hits.
    pub fn json(&self, sources: &Sources) -> Json {
        let groups: serde_json::Map<String, Json> = self
            .groups()
            .into_iter()
            .map(|(group, covered, total)| {
                (
                    group.to_string(),
                    serde_json::json!({"covered": covered, "total": total}),
                )
            })
            .collect();
        let items: Vec<Json> = self
            .items
            .iter()
            .map(|item| {
                let mut json = serde_json::to_value(item).unwrap_or_default();
                if let Json::Object(map) = &mut json {
                    map.insert(
                        "file".into(),
                        Json::String(sources.name(item.place.file).to_string()),
                    );
                    map.insert("line".into(), Json::from(item.place.line));
                }
                json
            })
            .collect();
        serde_json::json!({
            "covered": self.covered(),
            "total": self.items.len(),
            "percent": (self.percent() * 10.0).round() / 10.0,
            "tests": self.tests,
            "groups": groups,
            "items": items,
        })
    }

    /// The coverage in lcov's tracefile format, keyed by the policy's lines, so
    /// that coverage services read it: a line per rule, `unless`, override and
    /// `match` arm (its hits: the tests that exercised it), and a branch per
    /// rule outcome and per `and` and `or` operand.
    pub fn lcov(&self, sources: &Sources) -> String {
        let mut files: BTreeMap<usize, Vec<&Item>> = BTreeMap::new();
        for item in &self.items {
            files.entry(item.place.file).or_default().push(item);
        }
        let mut out = String::from("TN:akar\n");
        for (file, items) in files {
            let _ = writeln!(out, "SF:{}", sources.name(file));
            let mut lines: BTreeMap<usize, usize> = BTreeMap::new();
            let mut branches: Vec<&Item> = Vec::new();
            for item in items {
                match item.kind {
                    Kind::Fires | Kind::DoesNotFire | Kind::OrBranch | Kind::AndOperand => {
                        branches.push(item)
                    }
                    Kind::Unless | Kind::Overrides | Kind::MatchArm => {}
                }
                // A line counts as run by the tests that exercised anything on it.
                let line = lines.entry(item.place.line).or_default();
                *line = (*line).max(item.hits);
            }
            branches.sort_by_key(|i| (i.place.line, i.block, i.branch));
            for item in &branches {
                let taken = if item.hits == 0 {
                    "-".to_string()
                } else {
                    item.hits.to_string()
                };
                let _ = writeln!(
                    out,
                    "BRDA:{},{},{},{taken}",
                    item.place.line, item.block, item.branch
                );
            }
            let hit_branches = branches.iter().filter(|i| i.hits > 0).count();
            let _ = writeln!(out, "BRF:{}\nBRH:{hit_branches}", branches.len());
            for (line, hits) in &lines {
                let _ = writeln!(out, "DA:{line},{hits}");
            }
            let hit_lines = lines.values().filter(|h| **h > 0).count();
            let _ = writeln!(out, "LF:{}\nLH:{hit_lines}\nend_of_record", lines.len());
        }
        out
    }
}

fn place(sources: &Sources, place: Place) -> String {
    format!("{}:{}", sources.name(place.file), place.line)
}
