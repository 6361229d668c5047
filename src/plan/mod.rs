//! The plan: a checked policy set, and the one thing every later stage reads.
//!
//! Names are resolved (`let`s and subjects inlined), literals converted (exact
//! decimals, calendar dates), lists turned into sets and string needles
//! lower-cased, so that evaluating a listing does no lookups by name and no
//! parsing of the policy. The plan imports nothing from the stages after it
//! (evaluation, SQL, reports): each compiles what it needs from a `&Plan`.
//!
//! A plan cannot be edited once built: its fields are private, and [`Plan::new`]
//! checks the invariants every reader relies on (indices in range, overrides
//! without cycles, one slot per field path). So a compiled form made from a
//! `&Plan` can never disagree with the plan it was made from:
//!
//! ```compile_fail
//! # use akar::{Sources, check::check_sources, plan::Cond};
//! # let mut sources = Sources::default();
//! # sources.add("p.policy", "block import");
//! let mut plan = check_sources(&sources).unwrap();
//! plan.rules[0].when = Cond::True; // error: `rules` is private
//! ```

mod canon;
mod cond;
mod display;
mod schema;

use chrono::NaiveDate;
use miette::Diagnostic;
use thiserror::Error;

pub use crate::money::{Money, Rates, Worth};
pub use crate::syntax::ast::Action;
pub use crate::zone::Zone;
pub use canon::counterparts;
pub use cond::{
    ArithOp, CmpOp, Comparison, Cond, Derived, FieldPath, Needle, Operand, Pattern, Place, Shared,
    Term, Test, Value, ValueSet,
};
pub use display::{CondText, show};
pub use schema::{FieldKind, Schema, SchemaField, list_values};

/// A checked policy set, ready to evaluate.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    rules: Vec<Rule>,
    shared: Vec<Shared>,
    rates: Rates,
    zone: Zone,
    derived: Vec<Derived>,
    tests: Vec<TestCase>,
    schema: Option<Schema>,
    fields: Vec<FieldPath>,
    /// Each slot's kind in the schema, if there is one.
    slot_kinds: Vec<Option<FieldKind>>,
    id_slot: usize,
    /// For each rule, its place in an order where every rule comes after the
    /// rules that override it: deciding which matched rules are suppressed walks
    /// them in this order, without recursion.
    override_rank: Vec<u32>,
}

/// What a plan is built from (see [`Plan::new`]).
#[derive(Debug, Clone, Default)]
pub struct Parts {
    /// Rules in policy order: files in the order given, rules in file order.
    pub rules: Vec<Rule>,
    /// Named conditions, each using only those before it.
    pub shared: Vec<Shared>,
    pub rates: Rates,
    /// The zone listings' date-times are read in (`timezone`).
    pub zone: Zone,
    /// Values derived per listing by `let NAME = match ...`.
    pub derived: Vec<Derived>,
    /// Tests written in the policies, in order.
    pub tests: Vec<TestCase>,
    /// The listing schema, if the policies declare one.
    pub schema: Option<Schema>,
}

/// A plan that breaks an invariant: a bug in whatever built it, never a user error.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
#[error("internal error: the checked plan is inconsistent: {problem}")]
#[diagnostic(
    code(akar::internal::plan),
    help("this is a bug in akar; please report it with the policy that caused it")
)]
pub struct PlanError {
    pub problem: String,
}

impl Plan {
    /// Builds a plan, checking it: every rule and derived field a rule or test
    /// names exists, `overrides` and `overridden_by` agree and form no cycle.
    /// Numbers every distinct field path the plan reads (conditions, `match`
    /// fields, and `id`), so that a listing is read once into slots and each test
    /// finds its value by index.
    pub fn new(parts: Parts) -> Result<Plan, PlanError> {
        let Parts {
            mut rules,
            mut shared,
            rates,
            zone,
            mut derived,
            tests,
            schema,
        } = parts;
        check_indices(&rules, &shared, &derived, &tests)?;
        let override_rank = override_ranks(&rules)?;
        let (fields, id_slot) = assign_slots(&mut rules, &mut shared, &mut derived);
        let slot_kinds = fields
            .iter()
            .map(|f| schema.as_ref().and_then(|s| s.kind_of(&f.dotted)))
            .collect();
        Ok(Plan {
            schema,
            slot_kinds,
            rules,
            shared,
            rates,
            zone,
            derived,
            tests,
            fields,
            id_slot,
            override_rank,
        })
    }

    /// Rules in policy order: files in the order given, rules in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn rule(&self, index: usize) -> Option<&Rule> {
        self.rules.get(index)
    }

    /// Named conditions (condition `let`s and declared subjects), each using
    /// only those before it.
    pub fn shared(&self) -> &[Shared] {
        &self.shared
    }

    pub fn rates(&self) -> &Rates {
        &self.rates
    }

    /// The zone listings' date-times are read in: their day is the local one.
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// Values derived per listing by `let NAME = match ...`.
    pub fn derived(&self) -> &[Derived] {
        &self.derived
    }

    /// Tests written in the policies, in order.
    pub fn tests(&self) -> &[TestCase] {
        &self.tests
    }

    /// The listing schema, if the policies declare one.
    pub fn schema(&self) -> Option<&Schema> {
        self.schema.as_ref()
    }

    /// The schema's kind for slot `slot`, if the policies declare one.
    pub fn slot_kind(&self, slot: usize) -> Option<&FieldKind> {
        self.slot_kinds.get(slot)?.as_ref()
    }

    /// Every field the plan reads, by slot.
    pub fn fields(&self) -> &[FieldPath] {
        &self.fields
    }

    /// The slot of the listing's `id`, read for output.
    pub fn id_slot(&self) -> usize {
        self.id_slot
    }

    /// The rule's place in an order where every rule comes after the rules that
    /// override it.
    pub fn override_rank(&self, index: usize) -> u32 {
        self.override_rank.get(index).copied().unwrap_or(0)
    }

    /// Whether any rule overrides another.
    pub fn has_overrides(&self) -> bool {
        self.rules.iter().any(|r| !r.overrides.is_empty())
    }

    pub fn rule_index(&self, name: &str) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.name.as_deref() == Some(name))
    }

    /// The name of named condition `id`.
    pub fn shared_name(&self, id: usize) -> &str {
        self.shared.get(id).map_or("", |s| s.name.as_str())
    }

    /// The name a failure of a computed value reports: the first field or
    /// derived value the term reads.
    pub fn term_name(&self, term: &Term) -> String {
        let mut name = None;
        term.visit(&mut |t| {
            if name.is_some() {
                return;
            }
            name = match t {
                Term::Field(path) => Some(path.dotted.clone()),
                Term::Derived(index) => self.derived.get(*index).map(|d| d.name.clone()),
                _ => None,
            };
        });
        name.unwrap_or_default()
    }

    /// The name of what an operand reads: a field path or a derived field.
    pub fn operand_name<'a>(&'a self, operand: &'a Operand) -> &'a str {
        match operand {
            Operand::Field(path) => &path.dotted,
            Operand::Derived(index) => self.derived.get(*index).map_or("", |d| d.name.as_str()),
        }
    }
}

fn check_indices(
    rules: &[Rule],
    shared: &[Shared],
    derived: &[Derived],
    tests: &[TestCase],
) -> Result<(), PlanError> {
    let fail = |problem: String| Err(PlanError { problem });
    // A named condition may use only those before it, so none is its own part.
    let conditions = shared
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), &s.cond, i))
        .chain(
            rules
                .iter()
                .map(|r| (r.label.as_str(), &r.when, shared.len())),
        );
    for (name, cond, below) in conditions {
        let mut bad_derived = None;
        cond.visit_tests(&mut |operand, _| {
            if let Operand::Derived(i) = operand
                && *i >= derived.len()
            {
                bad_derived = Some(*i);
            }
        });
        if let Some(i) = bad_derived {
            return fail(format!("`{name}` reads derived field {i}"));
        }
        let mut bad_ref = None;
        cond.visit_refs(&mut |id| {
            if id >= below {
                bad_ref = Some(id);
            }
        });
        if let Some(id) = bad_ref {
            return fail(format!("`{name}` uses named condition {id}"));
        }
    }
    for rule in rules {
        for &other in rule.overrides.iter().chain(&rule.overridden_by) {
            if other >= rules.len() {
                return fail(format!("rule `{}` names rule {other}", rule.label));
            }
        }
    }
    let count = |list: fn(&Rule) -> &Vec<usize>| rules.iter().map(|r| list(r).len()).sum::<usize>();
    let same_count = count(|r| &r.overrides) == count(|r| &r.overridden_by);
    for (index, rule) in rules.iter().enumerate() {
        let forth = rule.overrides.iter().all(|to| {
            *to != index
                && rules
                    .get(*to)
                    .is_some_and(|r| r.overridden_by.contains(&index))
        });
        let back = rule.overridden_by.iter().all(|from| {
            rules
                .get(*from)
                .is_some_and(|r| r.overrides.contains(&index))
        });
        if !forth || !back || !same_count {
            return fail(format!("the overrides of rule `{}` disagree", rule.label));
        }
    }
    for test in tests {
        if let Some(by) = test.rules().find(|i| *i >= rules.len()) {
            return fail(format!("test \"{}\" names rule {by}", test.name));
        }
    }
    Ok(())
}

/// Each rule's rank in an order where overriding rules come first, or the error
/// of a cycle (the checker reports cycles to the author; this makes sure).
fn override_ranks(rules: &[Rule]) -> Result<Vec<u32>, PlanError> {
    // Kahn's algorithm over "overrider → overridden": linear in rules and edges.
    // (Indices were checked to be in range by `check_indices`.)
    let mut waiting: Vec<usize> = rules.iter().map(|r| r.overridden_by.len()).collect();
    let mut ready: Vec<usize> = (0..rules.len())
        .filter(|i| waiting.get(*i) == Some(&0))
        .collect();
    let mut rank = vec![u32::MAX; rules.len()];
    let mut next = 0u32;
    while let Some(at) = ready.pop() {
        if let Some(r) = rank.get_mut(at) {
            *r = next;
        }
        next += 1;
        for &to in rules.get(at).map_or(&[][..], |r| &r.overrides) {
            if let Some(w) = waiting.get_mut(to) {
                *w = w.saturating_sub(1);
                if *w == 0 {
                    ready.push(to);
                }
            }
        }
    }
    match rank.iter().zip(rules).find(|(r, _)| **r == u32::MAX) {
        Some((_, rule)) => Err(PlanError {
            problem: format!("rule `{}` is in a cycle of overrides", rule.label),
        }),
        None => Ok(rank),
    }
}

fn assign_slots(
    rules: &mut [Rule],
    shared: &mut [Shared],
    derived: &mut [Derived],
) -> (Vec<FieldPath>, usize) {
    let mut fields: Vec<FieldPath> = Vec::new();
    let mut slots: rustc_hash::FxHashMap<Vec<String>, usize> = Default::default();
    let mut intern = |path: &mut FieldPath| {
        path.slot = *slots.entry(path.segments.clone()).or_insert_with(|| {
            fields.push(path.clone());
            fields.len() - 1
        });
    };
    for named in shared {
        named.cond.visit_fields_mut(&mut intern);
    }
    for rule in rules {
        rule.when.visit_fields_mut(&mut intern);
        // The parts are the same fields, read again for explanations and coverage.
        let parts = &mut rule.parts;
        parts.subject.visit_fields_mut(&mut intern);
        for part in [&mut parts.condition, &mut parts.unless]
            .into_iter()
            .flatten()
        {
            part.visit_fields_mut(&mut intern);
        }
    }
    for derived in derived {
        intern(&mut derived.field);
    }
    let mut id = FieldPath::new(vec!["id".into()]);
    intern(&mut id);
    for (slot, field) in fields.iter_mut().enumerate() {
        field.slot = slot;
    }
    (fields, id.slot)
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule's name, or `FILE:LINE` for an unnamed rule.
    pub label: String,
    pub name: Option<String>,
    /// `FILE:LINE` where the rule is written.
    pub location: String,
    /// The same, as a place; and where its `unless` and each of its
    /// `overrides` (in the order of `overrides`) are written.
    pub place: Place,
    pub unless_place: Option<Place>,
    pub override_places: Vec<Place>,
    pub action: Action,
    /// Subject, condition and `unless`, combined.
    pub when: Cond,
    /// The parts `when` combines, as written, for explanations and coverage:
    /// the subject, the `where` condition, and the `unless` condition.
    pub parts: RuleParts,
    pub because: Option<String>,
    pub effective: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// Indices of the rules this one suppresses where it matches.
    pub overrides: Vec<usize>,
    /// Indices of the rules that override this one.
    pub overridden_by: Vec<usize>,
    /// The rule as written, for explanations.
    pub source: String,
    /// Its action line (`block import where ...`) on one line: the reason given
    /// for a rule without `because`.
    pub summary: String,
}

/// A rule's condition in the parts it is written in.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleParts {
    /// `listing` is [`Cond::True`]; `import` and declared subjects are named
    /// conditions.
    pub subject: Cond,
    pub subject_name: String,
    pub condition: Option<Cond>,
    /// What saves a listing the rest matches.
    pub unless: Option<Cond>,
    /// Where each operand of the `and`s and `or`s of `condition` and `unless`
    /// is written (see [`Cond::visit_branches`]).
    pub condition_branches: Vec<Place>,
    pub unless_branches: Vec<Place>,
}

impl Rule {
    /// In force on `date`: `effective <= date < until`.
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.effective.is_none_or(|e| e <= date) && self.until.is_none_or(|u| date < u)
    }

    /// The reason given in decisions: its `because`, or its text when it gives none.
    pub fn reason(&self) -> &str {
        self.because.as_deref().unwrap_or(&self.summary)
    }
}

/// A `test` block, checked.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub name: String,
    pub at: Option<NaiveDate>,
    pub given: serde_json::Value,
    /// Its `expect` lines, each of which must hold.
    pub expects: Vec<Expect>,
    /// `FILE:LINE` of the test, for reports.
    pub location: String,
}

impl TestCase {
    /// Every rule the test names, in order.
    pub fn rules(&self) -> impl Iterator<Item = usize> + '_ {
        self.expects.iter().flat_map(|e| {
            let named: Vec<usize> = match e {
                Expect::Decision { by, .. } => by.clone(),
                Expect::Applies { rule, .. } => vec![*rule],
                Expect::Suppressed { rule, by } => std::iter::once(*rule).chain(*by).collect(),
            };
            named
        })
    }
}

/// What a test expects of its listing's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// `expect ACTION by RULES`: the decision's action, and, when rules are
    /// named, exactly the rules that gave that action. `expect error`: no
    /// decision (`action` is `None`).
    Decision {
        action: Option<Action>,
        by: Vec<usize>,
    },
    /// `expect RULE applies` (or `does not apply`): whatever else decides.
    Applies { rule: usize, applies: bool },
    /// `expect RULE is suppressed [by RULE]`: it matched, but an exception
    /// overrode it.
    Suppressed { rule: usize, by: Option<usize> },
}
