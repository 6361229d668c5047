//! A policy set as one SQL query, for catalogues that live in a warehouse or
//! a data lake: `SELECT`ed over the listings table, it gives every listing the
//! decision `akar eval` gives, with the same rules, reasons, suppressions,
//! notices and error messages.
//!
//! The plan lowers to a small typed form ([`expr`], by [`lower`]) that each
//! dialect renders ([`render`]). The table's columns are typed by the
//! policies' schema (nested fields as structs, money as
//! `STRUCT(amount DECIMAL, currency)`); [`columns`] writes them out for
//! loading NDJSON. A form that a dialect cannot decide exactly as akar does is
//! a diagnostic, never SQL that decides differently.

mod compute;
mod error;
mod expr;
mod lower;
mod pattern;
mod render;

use chrono::NaiveDate;

pub use error::{SqlError, SqlProblem};

use crate::Sources;
use crate::plan::{Action, FieldKind, Plan};
use crate::zone::Zone;
use expr::Expr;
use lower::Lower;
use render::{DECIMAL, Render, TABLE};

/// The SQL engines akar writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Duckdb,
    Spark,
}

/// What to compile for.
#[derive(Debug, Clone)]
pub struct Options {
    pub dialect: Dialect,
    /// The evaluation date: the rules in force on it are compiled.
    pub at: NaiveDate,
    /// The listings table (or any relation: a view, `read_json(...)`).
    pub table: String,
    /// A column numbering the records, given back as `line`.
    pub line: Option<String>,
}

/// Compiles `plan` into one query whose rows are `id`, `line` (with
/// [`Options::line`]), `decision`, `rules`, `reasons`, `suppressed`,
/// `notices` and `error`.
pub fn compile(plan: &Plan, sources: &Sources, options: &Options) -> Result<String, Vec<SqlError>> {
    let render = Render {
        dialect: options.dialect,
    };
    let mut lower = Lower {
        plan,
        sources,
        zone: zone_name(plan.zone()),
        fixed_zone: matches!(plan.zone(), Zone::Fixed(_)),
        problems: Vec::new(),
    };
    let in_force: Vec<usize> = (0..plan.rules().len())
        .filter(|i| plan.rule(*i).is_some_and(|r| r.in_force(options.at)))
        .collect();
    let mut errors: Vec<Expr> = plan
        .fields()
        .iter()
        .filter_map(|path| lower.conform(path))
        .collect();
    let mut matched = Vec::new();
    for &index in &in_force {
        let Some(rule) = plan.rule(index) else {
            continue;
        };
        let lowered = lower.rule(rule);
        if let Some(error) = lowered.error {
            errors.push(error);
        }
        matched.push((index, lowered.value));
    }
    if !lower.problems.is_empty() {
        return Err(lower.problems);
    }
    Ok(query(plan, &render, options, &errors, &matched))
}

/// The zone as both engines' zone functions name it.
fn zone_name(zone: Zone) -> String {
    match zone {
        Zone::Utc => "UTC".to_string(),
        Zone::Named(tz) => tz.name().to_string(),
        Zone::Fixed(offset) => offset.to_string(),
    }
}

/// The query: the working rows (each rule's match and the first error), then
/// which matched rules apply once `overrides` have spoken, then the record.
fn query(
    plan: &Plan,
    render: &Render,
    options: &Options,
    errors: &[Expr],
    matched: &[(usize, Expr)],
) -> String {
    let m = |i: usize| format!("m{i}");
    let a = |i: usize| format!("a{i}");
    let mut sql = String::new();
    sql.push_str(&header(plan, options));
    // Working rows: id, line, the error, each rule's match.
    let mut first = vec![format!("{TABLE}.{} AS id", render.ident("id"))];
    if let Some(line) = &options.line {
        first.push(format!("{TABLE}.{} AS line", render.ident(line)));
    }
    let error = match errors.len() {
        0 => Expr::Null,
        _ => Expr::Coalesce(errors.iter().cloned().chain([Expr::Null]).collect()),
    };
    first.push(format!("{} AS e", render.expr(&error)));
    for (index, value) in matched {
        first.push(format!("{} AS {}", render.expr(value), m(*index)));
    }
    // Applies: matched and not overridden by a rule that applies. Overriders
    // come first in override rank, so each refers only to ones before it.
    let in_force: std::collections::HashSet<usize> = matched.iter().map(|(i, _)| *i).collect();
    let mut order: Vec<usize> = matched.iter().map(|(i, _)| *i).collect();
    order.sort_by_key(|i| plan.override_rank(*i));
    let mut applies: std::collections::HashMap<usize, Expr> = Default::default();
    for &index in &order {
        let Some(rule) = plan.rule(index) else {
            continue;
        };
        let by = overriders(rule, &in_force);
        let beaten: Vec<Expr> = by.iter().filter_map(|b| applies.get(b).cloned()).collect();
        let own = Expr::Local(m(index));
        applies.insert(index, Expr::and(vec![own, Expr::or(beaten).not()]));
    }
    let mut second = vec!["w.*".to_string()];
    for (index, _) in matched {
        if let Some(value) = applies.get(index) {
            second.push(format!("{} AS {}", render.expr(value), a(*index)));
        }
    }
    // The record.
    let label = |i: usize| plan.rule(i).map_or(String::new(), |r| r.label.clone());
    let when_applies = |i: usize, then: Expr| Expr::when(Expr::Local(a(i)), then, Expr::Null);
    let listed = |items: Vec<Expr>| -> Expr {
        let list = if items.is_empty() {
            Expr::Null
        } else {
            Expr::ListOf(items)
        };
        Expr::when(Expr::Local("e".into()).null_test(), list, Expr::Null)
    };
    let mut decided = Vec::new();
    let mut rules = Vec::new();
    let mut reasons = Vec::new();
    let mut notices = Vec::new();
    let mut suppressed = Vec::new();
    for (index, _) in matched {
        let Some(rule) = plan.rule(*index) else {
            continue;
        };
        if rule.action == Action::Notice {
            notices.push(when_applies(
                *index,
                Expr::Record(vec![
                    ("rule".into(), Expr::text(rule.label.clone())),
                    ("notice".into(), Expr::text(rule.reason())),
                ]),
            ));
        } else {
            rules.push(when_applies(*index, Expr::text(rule.label.clone())));
            reasons.push(when_applies(*index, Expr::text(rule.reason())));
            decided.push((rule.action, *index));
        }
        let by = overriders(rule, &in_force);
        if !by.is_empty() {
            let arms = by
                .iter()
                .map(|b| {
                    let item = Expr::Record(vec![
                        ("rule".into(), Expr::text(label(*index))),
                        ("by".into(), Expr::text(label(*b))),
                    ]);
                    (Expr::Local(a(*b)), item)
                })
                .collect();
            let item = Expr::when(
                Expr::Local(m(*index)),
                Expr::case(arms, Expr::Null),
                Expr::Null,
            );
            suppressed.push(item);
        }
    }
    let severe = |action: Action| {
        Expr::or(
            decided
                .iter()
                .filter(|(a, _)| *a == action)
                .map(|(_, i)| Expr::Local(a(*i)))
                .collect(),
        )
    };
    let decision = Expr::case(
        vec![
            (
                Expr::Local("e".into()).null_test().not(),
                Expr::text("error"),
            ),
            (severe(Action::Block), Expr::text("block")),
            (severe(Action::Flag), Expr::text("flag")),
        ],
        Expr::text("allow"),
    );
    let mut last = vec!["id".to_string()];
    if options.line.is_some() {
        last.push("line".into());
    }
    let outputs = [
        ("decision", decision),
        ("rules", listed(rules)),
        ("reasons", listed(reasons)),
        ("suppressed", listed(suppressed)),
        ("notices", listed(notices)),
        ("error", Expr::Local("e".into())),
    ];
    for (name, value) in outputs {
        last.push(format!("{} AS {name}", render.expr(&value)));
    }
    let indent = |items: &[String]| items.join(",\n  ");
    sql.push_str(&format!(
        "SELECT\n  {}\nFROM (\nSELECT\n  {}\nFROM (\nSELECT\n  {}\nFROM {} AS {TABLE}\n) AS w\n) AS v\n",
        indent(&last),
        indent(&second),
        indent(&first),
        options.table
    ));
    sql
}

/// The rules in force that override `rule`, in policy order.
fn overriders(rule: &crate::plan::Rule, in_force: &std::collections::HashSet<usize>) -> Vec<usize> {
    let mut by: Vec<usize> = rule
        .overridden_by
        .iter()
        .copied()
        .filter(|b| in_force.contains(b))
        .collect();
    by.sort_unstable();
    by
}

fn header(plan: &Plan, options: &Options) -> String {
    let dialect = match options.dialect {
        Dialect::Duckdb => "duckdb",
        Dialect::Spark => "spark",
    };
    let in_force = plan
        .rules()
        .iter()
        .filter(|r| r.in_force(options.at))
        .count();
    format!(
        "-- akar sql --dialect {dialect} --at {}: {in_force} of {} rules in force\n-- columns read: {}\n",
        options.at,
        plan.rules().len(),
        columns(plan, options.dialect, options.line.as_deref())
    )
}

/// The listing table's columns the query reads, typed by the schema, in the
/// dialect's form for loading NDJSON: DuckDB's `read_json(..., columns = {...})`
/// struct, Spark's DDL schema string. Fields without a kind are missing from it
/// (compiling reports them).
pub fn columns(plan: &Plan, dialect: Dialect, line: Option<&str>) -> String {
    let mut tree = Tree::default();
    tree.add(&["id".to_string()], Some(&FieldKind::Text));
    for path in plan.fields() {
        if let Some(kind) = plan.slot_kind(path.slot) {
            tree.add(&path.segments, Some(kind));
        }
    }
    let render = Render { dialect };
    let mut items: Vec<String> = tree
        .children
        .iter()
        .map(|(name, node)| match dialect {
            Dialect::Duckdb => format!(
                "{}: {}",
                render.string(name),
                render.string(&node.ty(dialect))
            ),
            Dialect::Spark => format!("{} {}", render.ident(name), node.ty(dialect)),
        })
        .collect();
    if let Some(line) = line {
        items.push(match dialect {
            Dialect::Duckdb => format!("{}: 'BIGINT'", render.string(line)),
            Dialect::Spark => format!("{} BIGINT", render.ident(line)),
        });
    }
    match dialect {
        Dialect::Duckdb => format!("{{{}}}", items.join(", ")),
        Dialect::Spark => items.join(", "),
    }
}

/// Nested columns, in the order fields are first read.
#[derive(Default)]
struct Tree {
    kind: Option<FieldKind>,
    children: Vec<(String, Tree)>,
}

impl Tree {
    fn add(&mut self, path: &[String], kind: Option<&FieldKind>) {
        let Some((first, rest)) = path.split_first() else {
            if self.kind.is_none() {
                self.kind = kind.cloned();
            }
            return;
        };
        let at = match self.children.iter().position(|(n, _)| n == first) {
            Some(at) => at,
            None => {
                self.children.push((first.clone(), Tree::default()));
                self.children.len() - 1
            }
        };
        if let Some((_, child)) = self.children.get_mut(at) {
            child.add(rest, kind);
        }
    }

    fn ty(&self, dialect: Dialect) -> String {
        let duck = dialect == Dialect::Duckdb;
        let text = if duck { "VARCHAR" } else { "STRING" };
        if !self.children.is_empty() && self.kind != Some(FieldKind::Money) {
            let render = Render { dialect };
            let fields: Vec<String> = self
                .children
                .iter()
                .map(|(n, c)| {
                    if duck {
                        format!("{} {}", render.ident(n), c.ty(dialect))
                    } else {
                        format!("{}: {}", render.ident(n), c.ty(dialect))
                    }
                })
                .collect();
            return if duck {
                format!("STRUCT({})", fields.join(", "))
            } else {
                format!("STRUCT<{}>", fields.join(", "))
            };
        }
        match &self.kind {
            Some(FieldKind::Number) => DECIMAL.to_string(),
            Some(FieldKind::Boolean) => "BOOLEAN".to_string(),
            Some(FieldKind::Money) if duck => format!("STRUCT(amount {DECIMAL}, currency VARCHAR)"),
            Some(FieldKind::Money) => format!("STRUCT<amount: {DECIMAL}, currency: STRING>"),
            Some(FieldKind::ListOfText) if duck => "VARCHAR[]".to_string(),
            Some(FieldKind::ListOfText) => "ARRAY<STRING>".to_string(),
            _ => text.to_string(),
        }
    }
}
