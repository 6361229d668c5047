//! The checker: turns parsed files into a [`Plan`], or reports every problem found.
//!
//! Several files form one policy set: names (`let`, subjects, rules, rates) are
//! shared across them and may be used before they are defined.

mod compute;
mod cond;
mod derived;
mod error;
mod names;
mod rates;
mod rules;
mod schema;
mod types;
mod values;
mod warnings;

use std::collections::HashMap;

pub use error::CheckError;

use crate::diagnostics::Problem;
use crate::plan::{Parts, Plan};
use crate::source::{FileId, Sources};
use crate::syntax::{self, Span, ast};

use names::Names;
use types::FieldTypes;

/// A policy set checked: its plan, unless it has errors, and every problem found
/// (errors and warnings), in reading order.
#[derive(Debug)]
pub struct Checked {
    pub plan: Option<Plan>,
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| !p.is_warning()).count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.iter().filter(|p| p.is_warning()).count()
    }
}

/// Parses and checks a set of policy files: the plan, or the errors (warnings
/// are not reported here: see [`check_all`]).
pub fn check_sources(sources: &Sources) -> Result<Plan, Vec<Problem>> {
    let checked = check_all(sources);
    match checked.plan {
        Some(plan) => Ok(plan),
        None => Err(checked
            .problems
            .into_iter()
            .filter(|p| !p.is_warning())
            .collect()),
    }
}

/// Parses and checks a set of policy files, keeping the warnings too.
pub fn check_all(sources: &Sources) -> Checked {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    let mut unfinished = std::collections::HashSet::new();
    for (id, file) in sources.files().iter().enumerate() {
        let parsed = syntax::parse(&file.text);
        problems.extend(parsed.errors.into_iter().map(|e| Problem::new(id, e)));
        unfinished.extend(parsed.unfinished);
        files.push(parsed.file);
    }
    let mut checker = Checker::new(sources, &files);
    checker.unfinished = unfinished;
    let checked = checker.finish();
    let syntax_errors = !problems.is_empty();
    problems.extend(checked.problems);
    // Reported in reading order, as a person goes through the file.
    problems.sort_by_key(|p| (p.file, p.offset()));
    Checked {
        plan: checked.plan.filter(|_| !syntax_errors),
        problems,
    }
}

/// Checks parsed files (one per entry of `sources`, in the same order).
pub fn check(sources: &Sources, files: &[ast::File]) -> Checked {
    Checker::new(sources, files).finish()
}

pub(crate) struct Checker<'a> {
    sources: &'a Sources,
    files: &'a [ast::File],
    problems: Vec<Problem>,
    names: Names<'a>,
    types: FieldTypes,
    schema: schema::Declared,
    /// The file being checked, for errors.
    file: FileId,
    resolved_values: HashMap<&'a str, values::LetValue>,
    resolved_conds: HashMap<String, crate::plan::Cond>,
    /// Named conditions, in the order they were resolved (each after those it uses).
    shared: Vec<crate::plan::Shared>,
    /// How many names deep each shared condition goes.
    shared_depth: Vec<usize>,
    resolving: Vec<(&'a str, Span)>,
    derived: Vec<crate::plan::Derived>,
    derived_index: HashMap<&'a str, usize>,
    money_used: Vec<(FileId, String, Span)>,
    /// Names of items that did not parse.
    unfinished: std::collections::HashSet<String>,
    /// Where each operand of an `and` or `or` is written, for the condition
    /// being resolved (innermost last): see [`crate::plan::Shared::branches`].
    branches: Vec<Vec<crate::plan::Place>>,
}

impl<'a> Checker<'a> {
    fn new(sources: &'a Sources, files: &'a [ast::File]) -> Self {
        Checker {
            sources,
            files,
            problems: Vec::new(),
            names: Names::default(),
            types: FieldTypes::default(),
            schema: schema::Declared::default(),
            file: 0,
            resolved_values: HashMap::new(),
            resolved_conds: HashMap::new(),
            shared: Vec::new(),
            shared_depth: Vec::new(),
            resolving: Vec::new(),
            derived: Vec::new(),
            derived_index: HashMap::new(),
            money_used: Vec::new(),
            branches: Vec::new(),
            unfinished: Default::default(),
        }
    }

    fn finish(mut self) -> Checked {
        self.names = Names::collect(self.files, self.sources, &mut self.problems);
        let plan = self.run();
        let clean = self.problems.iter().all(Problem::is_warning);
        Checked {
            plan: clean.then_some(plan),
            problems: self.problems,
        }
    }

    fn error(&mut self, error: CheckError) {
        self.error_in(self.file, error);
    }

    fn error_in(&mut self, file: FileId, error: CheckError) {
        // A name whose item did not parse is reported there, not at each use.
        if let CheckError::UnknownName { name, .. } = &error
            && self.unfinished.contains(name)
        {
            return;
        }
        self.problems.push(Problem::new(file, error));
    }

    fn run(&mut self) -> Plan {
        self.collect_schema();
        let rates = self.rates();
        self.check_lets();
        let mut rules = self.rules();
        self.overrides(&mut rules);
        self.check_money(&rates);
        let tests = self.tests(&rules);
        self.unused_lets();
        self.lets_hiding_fields();
        let derived = std::mem::take(&mut self.derived);
        let parts = Parts {
            rules,
            shared: std::mem::take(&mut self.shared),
            rates,
            zone: self.zone(),
            derived,
            tests,
            schema: self.plan_schema(),
        };
        match Plan::new(parts) {
            Ok(plan) => plan,
            Err(error) => {
                // Reported only if nothing else is: other errors explain the plan.
                if self.problems.is_empty() {
                    self.error(CheckError::Internal {
                        problem: error.problem,
                    });
                }
                Plan::default()
            }
        }
    }

    /// Resolves every `let` once, so that unused ones are checked too.
    fn check_lets(&mut self) {
        // In reading order, so that the same policy always gives the same report.
        let mut lets: Vec<(FileId, &'a ast::Let)> = self.names.lets.values().copied().collect();
        lets.sort_by_key(|(file, decl)| (*file, decl.span.start));
        for (file, decl) in lets {
            self.file = file;
            match &decl.value {
                ast::LetValue::Condition(_) => {
                    self.let_condition(&decl.name.name, decl.name.span);
                }
                ast::LetValue::Match(_) => {
                    self.derived_operand(&decl.name.name);
                }
                ast::LetValue::Value(_) => {
                    self.let_value(&decl.name.name, decl.name.span);
                }
            }
        }
    }

    /// `FILE:LINE` of a place in the current file.
    fn location(&self, file: FileId, span: Span) -> String {
        self.sources.location(file, span.start)
    }

    fn place(&self, file: FileId, span: Span) -> crate::plan::Place {
        crate::plan::Place {
            file,
            line: self.sources.line(file, span.start),
        }
    }

    /// Resolves a condition, noting where each of its `and` and `or` operands
    /// is written.
    fn condition_with_branches(
        &mut self,
        cond: &ast::Cond,
    ) -> (crate::plan::Cond, Vec<crate::plan::Place>) {
        self.branches.push(Vec::new());
        let resolved = self.condition(cond);
        (resolved, self.branches.pop().unwrap_or_default())
    }
}
