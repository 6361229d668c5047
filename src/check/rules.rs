//! Rules, their exceptions (`overrides`), and the tests written beside them.

use std::collections::HashMap;

use super::{CheckError, Checker};
use crate::fuzzy::did_you_mean;
use crate::plan::{Cond, Expect, Rule, RuleParts, TestCase};
use crate::syntax::ast;

impl<'a> Checker<'a> {
    pub(super) fn rules(&mut self) -> Vec<Rule> {
        let mut rules = Vec::new();
        for (file, parsed) in self.files.iter().enumerate() {
            self.file = file;
            for item in &parsed.items {
                if let ast::Item::Rule(rule) = item {
                    rules.push(self.rule(rule));
                }
            }
        }
        rules
    }

    fn rule(&mut self, rule: &ast::Rule) -> Rule {
        let subject = self.rule_subject(&rule.subject);
        let (condition, condition_branches) = match &rule.condition {
            Some(c) => {
                let (cond, branches) = self.condition_with_branches(c);
                (Some(cond), branches)
            }
            None => (None, Vec::new()),
        };
        let (unless, unless_branches) = match &rule.unless {
            Some(c) => {
                let (cond, branches) = self.condition_with_branches(c);
                (Some(cond), branches)
            }
            None => (None, Vec::new()),
        };
        let mut parts = vec![subject.clone()];
        parts.extend(condition.clone());
        parts.extend(unless.clone().map(|u| Cond::Not(Box::new(u))));
        parts.retain(|c| *c != Cond::True);
        let when = match parts.len() {
            0 => Cond::True,
            1 => parts.pop().unwrap_or(Cond::True),
            _ => Cond::And(parts),
        };
        let head = rule.name.as_ref().map_or(rule.action_span, |n| n.span);
        let label = match &rule.name {
            Some(name) => name.name.clone(),
            None => self.location(self.file, rule.span),
        };
        if rule.because.is_none() {
            self.error(CheckError::NoBecause {
                rule: label.clone(),
                span: head,
            });
        }
        self.never_holds(&label, &when, head);
        let effective = rule.effective.as_ref().and_then(|d| self.date(d));
        let until = rule.until.as_ref().and_then(|d| self.date(d));
        if let (Some(e), Some(u), Some(es), Some(us)) =
            (effective, until, &rule.effective, &rule.until)
            && u <= e
        {
            self.error(CheckError::EmptyPeriod {
                effective: es.span,
                until: us.span,
            });
        }
        let text = self.sources.file(self.file).map_or("", |f| &*f.text);
        let location = self.location(self.file, rule.span);
        Rule {
            label: match &rule.name {
                Some(name) => name.name.clone(),
                None => location.clone(),
            },
            name: rule.name.as_ref().map(|n| n.name.clone()),
            location,
            place: self.place(self.file, rule.span),
            unless_place: rule.unless.as_ref().map(|u| self.place(self.file, u.span)),
            override_places: Vec::new(),
            action: rule.action,
            when,
            parts: RuleParts {
                subject,
                subject_name: rule.subject.name.clone(),
                condition,
                unless,
                condition_branches,
                unless_branches,
            },
            because: rule.because.as_ref().map(|b| b.value.clone()),
            effective,
            until,
            overrides: Vec::new(),
            overridden_by: Vec::new(),
            source: text.get(rule.span.range()).unwrap_or_default().to_string(),
            summary: summary(text, rule),
        }
    }

    /// Resolves `overrides` to rule indices; self-overrides, unknown targets and
    /// cycles are errors.
    pub(super) fn overrides(&mut self, rules: &mut [Rule]) {
        let index: HashMap<String, usize> = rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.name.clone().map(|n| (n, i)))
            .collect();
        let mut position = 0;
        let mut edges: Vec<Edge> = Vec::new();
        for (file, parsed) in self.files.iter().enumerate() {
            self.file = file;
            for item in &parsed.items {
                let ast::Item::Rule(rule) = item else {
                    continue;
                };
                for target in &rule.overrides {
                    if let Some(to) = self.override_target(rule, target, &index) {
                        edges.push(Edge {
                            from: position,
                            to,
                            file,
                            span: target.span,
                        });
                    }
                }
                position += 1;
            }
        }
        for edge in &edges {
            let place = self.place(edge.file, edge.span);
            if let Some(rule) = rules.get_mut(edge.from) {
                rule.overrides.push(edge.to);
                rule.override_places.push(place);
            }
        }
        if self.override_cycles(rules, &edges) {
            // A plan is never built from cyclic overrides; the errors say why.
            return;
        }
        for edge in &edges {
            if let Some(rule) = rules.get_mut(edge.to) {
                rule.overridden_by.push(edge.from);
            }
        }
    }

    fn override_target(
        &mut self,
        rule: &ast::Rule,
        target: &ast::Ident,
        index: &HashMap<String, usize>,
    ) -> Option<usize> {
        if rule.name.as_ref().is_some_and(|n| n.name == target.name) {
            self.error(CheckError::SelfOverride {
                name: target.name.clone(),
                span: target.span,
            });
            return None;
        }
        if let Some(to) = index.get(&target.name) {
            return Some(*to);
        }
        let near = did_you_mean(&target.name, index.keys().map(String::as_str));
        self.error(CheckError::UnknownName {
            kind: "rule",
            name: target.name.clone(),
            span: target.span,
            help: Some(near.map_or(
                "`overrides` names rules defined with `rule NAME`".into(),
                |n| format!("did you mean `{n}`?"),
            )),
        });
        None
    }

    /// Reports each cycle of overrides once, at the override leaving the cycle's
    /// first rule; true if there was one. One depth-first walk over the rules:
    /// linear in rules and overrides.
    fn override_cycles(&mut self, rules: &[Rule], edges: &[Edge]) -> bool {
        let at: HashMap<(usize, usize), &Edge> =
            edges.iter().map(|e| ((e.from, e.to), e)).collect();
        let mut found = false;
        for cycle in cycles(rules) {
            // The cycle as it reads from its first rule, and the override leaving it.
            let Some(first) = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, r)| **r)
                .map(|(i, _)| i)
            else {
                continue;
            };
            let mut order: Vec<usize> = cycle
                .iter()
                .cycle()
                .skip(first)
                .take(cycle.len())
                .copied()
                .collect();
            order.extend(order.first().copied());
            let Some(edge) = (order.first().zip(order.get(1))).and_then(|(a, b)| at.get(&(*a, *b)))
            else {
                continue;
            };
            let names: Vec<&str> = order
                .iter()
                .filter_map(|i| rules.get(*i))
                .map(|r| r.label.as_str())
                .collect();
            self.error_in(
                edge.file,
                CheckError::OverrideCycle {
                    cycle: names.join(" → "),
                    span: edge.span,
                },
            );
            found = true;
        }
        found
    }

    pub(super) fn tests(&mut self, rules: &[Rule]) -> Vec<TestCase> {
        let mut tests = Vec::new();
        for (file, parsed) in self.files.iter().enumerate() {
            self.file = file;
            for item in &parsed.items {
                if let ast::Item::Test(test) = item
                    && let Some(case) = self.test_case(test, rules)
                {
                    tests.push(case);
                }
            }
        }
        tests
    }

    fn test_case(&mut self, test: &ast::TestBlock, rules: &[Rule]) -> Option<TestCase> {
        let at = match &test.at {
            Some(date) => Some(self.date(date)?),
            None => {
                self.error(CheckError::TestWithoutAt {
                    name: test.name.value.clone(),
                    span: test.name.span,
                });
                None
            }
        };
        let given: serde_json::Value = match serde_json::from_str(&test.given.value) {
            Ok(value @ serde_json::Value::Object(_)) => value,
            Ok(_) => return self.bad_listing(test, "not an object".into()),
            Err(e) => return self.bad_listing(test, e.to_string()),
        };
        let expects = test
            .expects
            .iter()
            .map(|e| self.expectation(e, rules))
            .collect::<Option<Vec<_>>>()?;
        let location = self.location(self.file, test.span);
        Some(TestCase {
            name: test.name.value.clone(),
            at,
            given,
            expects,
            location,
        })
    }

    /// One `expect`, its rule names resolved; `None` (reported) if one is unknown.
    fn expectation(&mut self, expect: &ast::Expectation, rules: &[Rule]) -> Option<Expect> {
        Some(match &expect.kind {
            ast::ExpectKind::Decision {
                outcome: ast::Expected::Action(ast::Action::Notice),
                ..
            } => {
                self.error(CheckError::ExpectNotice { span: expect.span });
                return None;
            }
            ast::ExpectKind::Decision { outcome, by } => {
                let by = by
                    .iter()
                    .map(|name| self.test_rule(name, rules))
                    .collect::<Vec<_>>();
                Expect::Decision {
                    action: match outcome {
                        ast::Expected::Action(action) => Some(*action),
                        ast::Expected::Error => None,
                    },
                    by: by.into_iter().collect::<Option<Vec<_>>>()?,
                }
            }
            ast::ExpectKind::Applies { rule, applies } => Expect::Applies {
                rule: self.test_rule(rule, rules)?,
                applies: *applies,
            },
            ast::ExpectKind::Suppressed { rule, by } => {
                let rule = self.test_rule(rule, rules);
                let by = match by {
                    Some(name) => Some(self.test_rule(name, rules)?),
                    None => None,
                };
                Expect::Suppressed { rule: rule?, by }
            }
        })
    }

    /// A rule a test names, by its index; an unknown name is an error with
    /// did-you-mean among the rules' names.
    fn test_rule(&mut self, name: &ast::Ident, rules: &[Rule]) -> Option<usize> {
        if let Some(i) = rules
            .iter()
            .position(|r| r.name.as_deref() == Some(name.name.as_str()))
        {
            return Some(i);
        }
        let near = did_you_mean(&name.name, rules.iter().filter_map(|r| r.name.as_deref()));
        self.error(CheckError::UnknownName {
            kind: "rule",
            name: name.name.clone(),
            span: name.span,
            help: Some(match near {
                Some(n) => format!("did you mean `{n}`?"),
                None => {
                    "a test names rules defined with `rule NAME`, in any file of the set".into()
                }
            }),
        });
        None
    }

    fn bad_listing(&mut self, test: &ast::TestBlock, reason: String) -> Option<TestCase> {
        self.error(CheckError::BadTestListing {
            reason,
            span: test.given.span,
        });
        None
    }
}

/// An `overrides` written in a rule, resolved.
struct Edge {
    from: usize,
    to: usize,
    file: usize,
    span: crate::syntax::Span,
}

/// Cycles of overrides, each once, as the rules on it in the order they
/// override each other: one depth-first walk (without recursion, so that long
/// chains of exceptions cannot overflow the stack); each edge back to a rule
/// still on the walk's path closes one.
fn cycles(rules: &[Rule]) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Seen {
        No,
        OnPath,
        Done,
    }
    let mut seen = vec![Seen::No; rules.len()];
    let mut found = Vec::new();
    for start in 0..rules.len() {
        if seen.get(start) != Some(&Seen::No) {
            continue;
        }
        // The path, each rule with the next of its overrides to follow.
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        if let Some(s) = seen.get_mut(start) {
            *s = Seen::OnPath;
        }
        while let Some((at, next)) = path.last_mut() {
            let at = *at;
            let Some(&to) = rules.get(at).and_then(|r| r.overrides.get(*next)) else {
                if let Some(s) = seen.get_mut(at) {
                    *s = Seen::Done;
                }
                path.pop();
                continue;
            };
            *next += 1;
            match seen.get(to) {
                Some(Seen::No) => {
                    if let Some(s) = seen.get_mut(to) {
                        *s = Seen::OnPath;
                    }
                    path.push((to, 0));
                }
                Some(Seen::OnPath) => {
                    let from = path.iter().position(|(r, _)| *r == to).unwrap_or(0);
                    found.push(path.iter().skip(from).map(|(r, _)| *r).collect());
                }
                _ => {}
            }
        }
    }
    found
}

/// The action line of a rule, whitespace collapsed: `block import where x == 1`.
fn summary(text: &str, rule: &ast::Rule) -> String {
    let end = rule
        .condition
        .as_ref()
        .map_or(rule.subject.span.end, |c| c.span.end);
    let line = text.get(rule.action_span.start..end).unwrap_or_default();
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}
