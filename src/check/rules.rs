//! Rules, their exceptions (`overrides`), and the tests written beside them.

use std::collections::HashMap;

use super::{CheckError, Checker};
use crate::fuzzy::did_you_mean;
use crate::plan::{Cond, Rule, TestCase};
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
        let mut parts = vec![self.rule_subject(&rule.subject)];
        if let Some(cond) = &rule.condition {
            parts.push(self.condition(cond));
        }
        if let Some(unless) = &rule.unless {
            parts.push(Cond::Not(Box::new(self.condition(unless))));
        }
        parts.retain(|c| *c != Cond::True);
        let when = match parts.len() {
            0 => Cond::True,
            1 => parts.pop().unwrap_or(Cond::True),
            _ => Cond::And(parts),
        };
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
        let text = &self.sources.files()[self.file].text;
        let location = self.location(self.file, rule.span);
        Rule {
            label: match &rule.name {
                Some(name) => name.name.clone(),
                None => location.clone(),
            },
            name: rule.name.as_ref().map(|n| n.name.clone()),
            location,
            action: rule.action,
            when,
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
        let mut edges: Vec<(usize, usize, usize, crate::syntax::Span)> = Vec::new();
        for (file, parsed) in self.files.iter().enumerate() {
            self.file = file;
            for item in &parsed.items {
                let ast::Item::Rule(rule) = item else {
                    continue;
                };
                for target in &rule.overrides {
                    if let Some(to) = self.override_target(rule, target, &index) {
                        edges.push((position, to, file, target.span));
                        rules[position].overrides.push(to);
                    }
                }
                position += 1;
            }
        }
        self.override_cycles(rules, &edges);
        for (from, to, _, _) in edges {
            rules[to].overridden_by.push(from);
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

    /// Reports each cycle of overrides once, at the override that closes it.
    fn override_cycles(
        &mut self,
        rules: &[Rule],
        edges: &[(usize, usize, usize, crate::syntax::Span)],
    ) {
        for &(from, to, file, span) in edges {
            if let Some(path) = find_path(rules, to, from) {
                // `path` runs from `to` back to `from`: report each cycle once, at the
                // edge leaving its first rule.
                if path.iter().min() != Some(&from) {
                    continue;
                }
                let mut names: Vec<&str> = vec![rules[from].label.as_str()];
                names.extend(path.iter().map(|i| rules[*i].label.as_str()));
                self.error_in(
                    file,
                    CheckError::OverrideCycle {
                        cycle: names.join(" → "),
                        span,
                    },
                );
            }
        }
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
            None => None,
        };
        let given: serde_json::Value = match serde_json::from_str(&test.given.value) {
            Ok(value @ serde_json::Value::Object(_)) => value,
            Ok(_) => return self.bad_listing(test, "not an object".into()),
            Err(e) => return self.bad_listing(test, e.to_string()),
        };
        let mut by = Vec::new();
        for name in &test.by {
            match rules
                .iter()
                .position(|r| r.name.as_deref() == Some(name.name.as_str()))
            {
                Some(i) => by.push(i),
                None => {
                    let near =
                        did_you_mean(&name.name, rules.iter().filter_map(|r| r.name.as_deref()));
                    self.error(CheckError::UnknownName {
                        kind: "rule",
                        name: name.name.clone(),
                        span: name.span,
                        help: near.map(|n| format!("did you mean `{n}`?")),
                    });
                }
            }
        }
        let expect = match test.expect {
            ast::Expected::Action(action) => Some(action),
            ast::Expected::Error => None,
        };
        let location = self.location(self.file, test.span);
        Some(TestCase {
            name: test.name.value.clone(),
            at,
            given,
            expect,
            by,
            location,
        })
    }

    fn bad_listing(&mut self, test: &ast::TestBlock, reason: String) -> Option<TestCase> {
        self.error(CheckError::BadTestListing {
            reason,
            span: test.given.span,
        });
        None
    }
}

/// A path of override edges from `start` to `goal`, if there is one.
fn find_path(rules: &[Rule], start: usize, goal: usize) -> Option<Vec<usize>> {
    let mut stack = vec![(start, vec![start])];
    let mut seen = vec![false; rules.len()];
    while let Some((at, path)) = stack.pop() {
        if at == goal {
            return Some(path);
        }
        if std::mem::replace(&mut seen[at], true) {
            continue;
        }
        for next in &rules[at].overrides {
            let mut longer = path.clone();
            longer.push(*next);
            stack.push((*next, longer));
        }
    }
    None
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
