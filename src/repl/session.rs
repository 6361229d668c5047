//! A REPL session without a terminal: input in, text out.
//!
//! The session holds a policy set (files loaded and snippets typed), the listings
//! loaded and the evaluation date. Every change to the policy set is checked as a
//! whole before it is kept: on errors the diagnostics are the reply and the
//! session stays as it was.

use std::path::PathBuf;

use chrono::NaiveDate;
use miette::Diagnostic;

use super::complete::Vocabulary;
use super::condition;
use super::error::ReplError;
use super::input::{self, CONDITION_PREFIX, CONDITION_RULE, Kind};
use super::listings::Listings;
use super::policy::{Key, PolicySet, Replaced};
use crate::check::check_sources;
use crate::diagnostics::{Problem, Style, render, render_all};
use crate::eval::explain;
use crate::plan::Plan;
use crate::source::Sources;
use crate::syntax::{self, ast};

/// What the session answers to one input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    /// Text to show, ending in a newline unless empty.
    pub text: String,
    /// The input asked to leave.
    pub quit: bool,
    /// The input was refused: a diagnostic is the text.
    pub failed: bool,
}

impl Reply {
    pub(super) fn ok(text: impl Into<String>) -> Reply {
        let mut text = text.into();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        Reply {
            text,
            ..Reply::default()
        }
    }

    pub(super) fn failed(text: String) -> Reply {
        Reply {
            failed: true,
            ..Reply::ok(text)
        }
    }
}

pub struct Session {
    pub(super) policy: PolicySet,
    pub(super) plan: Plan,
    pub(super) listings: Listings,
    pub(super) date: NaiveDate,
    pub(super) style: Style,
    /// Inputs read so far; typed snippets are named `<repl:N>` after it.
    inputs: usize,
}

impl Session {
    /// An empty session evaluating on `date`, rendering diagnostics in `style`.
    pub fn new(date: NaiveDate, style: Style) -> Session {
        Session {
            policy: PolicySet::default(),
            plan: Plan::default(),
            listings: Listings::default(),
            date,
            style,
            inputs: 0,
        }
    }

    /// Runs one input: a command, policy items, a clause for the last rule, or a
    /// condition.
    pub fn submit(&mut self, input: &str) -> Reply {
        self.inputs += 1;
        // A blank line that ended the input is not part of it: errors at the end
        // then point at the last word typed.
        let input = input.trim_end();
        match input::classify(input) {
            Kind::Blank => Reply::default(),
            Kind::Command => self.command(input.trim()),
            Kind::Item => self.add_items(input),
            Kind::Clause => self.add_clause(input),
            Kind::Condition => self.condition(input),
        }
    }

    /// Loads policy files or directories, as `:load` does.
    pub fn load(&mut self, paths: &[PathBuf]) -> Reply {
        let loaded = match Sources::load(paths) {
            Ok(loaded) => loaded,
            Err(e) => return self.error(e),
        };
        let mut candidate = self.policy.clone();
        let mut lines = Vec::new();
        let mut replaced = Vec::new();
        for file in loaded.files() {
            let verb = if candidate.file_names().contains(&file.name.as_str()) {
                "reloaded"
            } else {
                "loaded"
            };
            replaced.extend(candidate.add(&file.name, &file.text, false));
            let rules = syntax::parse(&file.text)
                .file
                .items
                .iter()
                .filter(|i| matches!(i, ast::Item::Rule(_)))
                .count();
            lines.push(format!("{verb} {} ({})", file.name, count(rules, "rule")));
        }
        if let Err(text) = self.recheck(candidate) {
            return Reply::failed(text);
        }
        lines.extend(replaced.iter().map(replaced_line));
        Reply::ok(lines.join("\n"))
    }

    /// The reply to input line `number` that is not UTF-8 text.
    pub fn unreadable_line(&self, number: usize) -> Reply {
        self.error(ReplError::NotText { line: number })
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The words completion offers: names, fields and symbols known so far.
    pub fn vocabulary(&self) -> Vocabulary {
        Vocabulary::gather(&self.plan, &self.policy.sources(), &self.listings)
    }

    /// Keeps `candidate` if the whole set checks; otherwise the rendered problems.
    pub(super) fn recheck(&mut self, candidate: PolicySet) -> Result<(), String> {
        let sources = candidate.sources();
        match check_sources(&sources) {
            Ok(plan) => {
                self.policy = candidate;
                self.plan = plan;
                Ok(())
            }
            Err(problems) => Err(render_all(problems, &sources, self.style)),
        }
    }

    pub(super) fn error(&self, error: impl Diagnostic + Send + Sync + 'static) -> Reply {
        Reply::failed(render(&miette::Report::new(error), self.style))
    }

    fn snippet_name(&self) -> String {
        format!("<repl:{}>", self.inputs)
    }

    fn add_items(&mut self, text: &str) -> Reply {
        let name = self.snippet_name();
        let mut candidate = self.policy.clone();
        let replaced = candidate.add(&name, text, true);
        if let Err(problems) = self.recheck(candidate) {
            return Reply::failed(problems);
        }
        Reply::ok(describe_items(text, &name, &replaced).join("\n"))
    }

    /// `because`, `unless`, `effective` or `until` typed after a rule: the rule
    /// typed last, continued.
    fn add_clause(&mut self, clause: &str) -> Reply {
        let last = self.policy.last_typed().and_then(|index| {
            let text = self.policy.text(index)?;
            let items = syntax::parse(text).file.items;
            match items.last() {
                Some(ast::Item::Rule(rule)) => Some((index, text.to_string(), rule.clone())),
                _ => None,
            }
        });
        let Some((index, text, rule)) = last else {
            let word = clause.split_whitespace().next().unwrap_or_default();
            return self.error(ReplError::LoneClause {
                clause: word.to_string(),
            });
        };
        let mut candidate = self.policy.clone();
        // Indented under the rule, as it would be written in a file.
        let indent = if clause.starts_with(char::is_whitespace) {
            ""
        } else {
            "  "
        };
        candidate.set_text(index, &format!("{}\n{indent}{clause}", text.trim_end()));
        if let Err(problems) = self.recheck(candidate) {
            return Reply::failed(problems);
        }
        Reply::ok(match &rule.name {
            Some(name) => format!("updated rule `{}`", name.name),
            None => "updated the rule".to_string(),
        })
    }

    fn condition(&mut self, text: &str) -> Reply {
        if let Some(reply) = self.show_definition(text.trim()) {
            return reply;
        }
        let (plan, when) = match self.check_condition(text) {
            Ok(checked) => checked,
            Err(reply) => return reply,
        };
        let listing = match self.current_listing() {
            Ok(listing) => listing,
            Err(e) => return self.error(e),
        };
        let trace = explain::trace(&plan, &when, listing);
        let value = match &trace.result {
            Ok(b) => b.to_string(),
            Err(e) => return Reply::failed(format!("error: {e}\n")),
        };
        let seen = seen_values(&trace);
        if seen.is_empty() {
            Reply::ok(value)
        } else {
            Reply::ok(format!("{value}   ({})", seen.join(", ")))
        }
    }

    /// Checks a condition with the session's policies, as the `where` of a hidden
    /// rule; returns the plan it was checked in and the compiled condition.
    fn check_condition(&self, text: &str) -> Result<(Plan, crate::plan::Cond), Reply> {
        let name = self.snippet_name();
        let mut sources = self.policy.sources();
        let file = sources.add(name.clone(), format!("{CONDITION_PREFIX}{text}"));
        match check_sources(&sources) {
            Ok(plan) => {
                // The hidden rule stays in the plan the condition is evaluated
                // with; only its condition is used.
                let index = plan.rule_index(CONDITION_RULE).ok_or_else(Reply::default)?;
                let when = plan
                    .rule(index)
                    .map(|r| r.when.clone())
                    .unwrap_or(crate::plan::Cond::True);
                Ok((plan, when))
            }
            Err(problems) => Err(self.misspelt_item(text, &name).unwrap_or_else(|| {
                Reply::failed(condition::render_problems(
                    problems, &sources, file, text, &name, self.style,
                ))
            })),
        }
    }

    /// `blok import where ...` is a rule with a misspelt action, not a broken
    /// condition: its errors as an item (with did-you-mean) say more.
    fn misspelt_item(&self, text: &str, name: &str) -> Option<Reply> {
        let word: String = text
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        crate::fuzzy::did_you_mean(&word, input::ITEM_STARTS.iter().copied())?;
        let mut sources = Sources::default();
        let file = sources.add(name, text);
        let errors = syntax::parse(text).errors;
        let problems: Vec<Problem> = errors.into_iter().map(|e| Problem::new(file, e)).collect();
        (!problems.is_empty()).then(|| Reply::failed(render_all(problems, &sources, self.style)))
    }

    /// A lone word naming a rule or a value `let` shows its definition (a
    /// condition `let` is evaluated like any condition).
    fn show_definition(&self, word: &str) -> Option<Reply> {
        if !word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let rule = self.policy.definition(&Key::Rule(word.to_string()));
        let (text, at) = rule.or_else(|| {
            let (text, at) = self.policy.definition(&Key::Let(word.to_string()))?;
            let is_condition = syntax::parse(&text).file.items.iter().any(|i| {
                matches!(i, ast::Item::Let(l) if matches!(l.value, ast::LetValue::Condition(_)))
            });
            (!is_condition).then_some((text, at))
        })?;
        Some(Reply::ok(format!("// {at}\n{}", text.trim_end())))
    }

    /// The current listing, or why there is none to use.
    pub(super) fn current_listing(&self) -> Result<&serde_json::Value, ReplError> {
        let (_, listing) = self.listings.current().ok_or(ReplError::NoListing)?;
        listing
            .json
            .as_ref()
            .map_err(|reason| ReplError::BadListing {
                reason: reason.clone(),
            })
    }
}

/// The fields a condition read, and their values, in order and once each.
fn seen_values(trace: &explain::Trace) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    collect_seen(trace, &mut names, &mut seen);
    seen
}

fn collect_seen<'t>(trace: &'t explain::Trace, names: &mut Vec<&'t str>, seen: &mut Vec<String>) {
    if let Some((name, value)) = &trace.seen
        && !names.contains(&name.as_str())
    {
        names.push(name);
        seen.push(match value {
            Some(v) => format!("{name} = {}", super::listings::one_line(v, 60)),
            None => format!("{name} is missing"),
        });
    }
    for part in &trace.parts {
        collect_seen(part, names, seen);
    }
}

/// `added rule `x``, or `replaced ... (was at FILE:LINE)`, for each item typed.
fn describe_items(text: &str, name: &str, replaced: &[Replaced]) -> Vec<String> {
    let mut lines = Vec::new();
    let index = crate::source::LineIndex::new(text);
    for item in syntax::parse(text).file.items {
        let line = match (Key::of(&item), &item) {
            (Some(key), _) => match replaced.iter().find(|r| r.key == key) {
                Some(old) => format!("replaced {key} (was at {})", old.at),
                None => format!("added {key}"),
            },
            (None, ast::Item::Rule(rule)) => {
                let line = index.line(rule.span.start);
                format!("added rule {name}:{line}")
            }
            (None, _) => "read the policy header".to_string(),
        };
        lines.push(line);
    }
    lines
}

fn replaced_line(old: &Replaced) -> String {
    format!("replaced {} (was at {})", old.key, old.at)
}

pub(super) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
