//! Collects the names a policy set defines, reporting those defined twice.

use std::collections::HashMap;

use super::error::CheckError;
use crate::diagnostics::Problem;
use crate::source::{FileId, Sources};
use crate::syntax::{Span, ast};

/// Built-in subjects; `import` may be redefined, the others follow from it.
pub const BUILTIN_SUBJECTS: &[&str] = &["listing", "import", "domestic"];

#[derive(Default)]
pub struct Names<'a> {
    pub lets: HashMap<&'a str, (FileId, &'a ast::Let)>,
    pub subjects: HashMap<&'a str, (FileId, &'a ast::SubjectDecl)>,
    pub rules: HashMap<&'a str, (FileId, &'a ast::Rule)>,
}

impl<'a> Names<'a> {
    pub fn collect(files: &'a [ast::File], sources: &Sources, problems: &mut Vec<Problem>) -> Self {
        let mut names = Names::default();
        let at = |first: (FileId, Span)| sources.location(first.0, first.1.start);
        for (file, parsed) in files.iter().enumerate() {
            let mut header: Option<Span> = None;
            for item in &parsed.items {
                match item {
                    ast::Item::Let(decl) => {
                        let first = names
                            .lets
                            .get(decl.name.name.as_str())
                            .map(|(f, d)| (*f, d.name.span));
                        match first {
                            Some(first) => {
                                problems.push(duplicate("let", &decl.name, file, first, at(first)))
                            }
                            None => {
                                names.lets.insert(&decl.name.name, (file, decl));
                            }
                        }
                    }
                    ast::Item::Subject(decl) => names.subject(file, decl, problems, &at),
                    ast::Item::Rule(rule) => names.rule(file, rule, problems, &at),
                    ast::Item::Header(h) => {
                        if let Some(first) = header {
                            problems.push(Problem::new(
                                file,
                                CheckError::Duplicate {
                                    kind: "the `policy` header",
                                    name: h.name.value.clone(),
                                    span: h.span,
                                    first: Some(first),
                                    help: Some(
                                        "a file has one `policy` header; split the file in two"
                                            .into(),
                                    ),
                                },
                            ));
                        }
                        header = Some(h.span);
                    }
                    ast::Item::Rate(_)
                    | ast::Item::Timezone(_)
                    | ast::Item::Test(_)
                    | ast::Item::Schema(_) => {}
                }
            }
        }
        names
    }

    fn subject(
        &mut self,
        file: FileId,
        decl: &'a ast::SubjectDecl,
        problems: &mut Vec<Problem>,
        at: &dyn Fn((FileId, Span)) -> String,
    ) {
        let name = decl.name.name.as_str();
        if name == "listing" || name == "domestic" {
            problems.push(Problem::new(file, CheckError::Invalid {
                message: format!("the built-in subject `{name}` cannot be redefined"),
                span: decl.name.span,
                label: "built in".into(),
                help: Some(if name == "listing" {
                    "`listing` always means every listing; declare a subject with a new name".into()
                } else {
                    "`domestic` is every listing that is not an `import`; redefine `import` instead".into()
                }),
            }));
            return;
        }
        match self.subjects.get(name).map(|(f, d)| (*f, d.name.span)) {
            Some(first) => problems.push(duplicate("subject", &decl.name, file, first, at(first))),
            None => {
                self.subjects.insert(name, (file, decl));
            }
        }
    }

    fn rule(
        &mut self,
        file: FileId,
        rule: &'a ast::Rule,
        problems: &mut Vec<Problem>,
        at: &dyn Fn((FileId, Span)) -> String,
    ) {
        let Some(name) = &rule.name else { return };
        match self
            .rules
            .get(name.name.as_str())
            .map(|(f, r)| (*f, r.name.as_ref().map_or(r.span, |n| n.span)))
        {
            Some(first) => problems.push(duplicate("rule", name, file, first, at(first))),
            None => {
                self.rules.insert(&name.name, (file, rule));
            }
        }
    }

    pub fn is_subject(&self, name: &str) -> bool {
        BUILTIN_SUBJECTS.contains(&name) || self.subjects.contains_key(name)
    }

    /// Every name a bare word could mean, for did-you-mean.
    pub fn all_names(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self
            .lets
            .keys()
            .chain(self.subjects.keys())
            .copied()
            .collect();
        all.extend(BUILTIN_SUBJECTS);
        all.sort_unstable();
        all
    }
}

fn duplicate(
    kind: &'static str,
    name: &ast::Ident,
    file: FileId,
    first: (FileId, Span),
    first_at: String,
) -> Problem {
    let same_file = first.0 == file;
    Problem::new(
        file,
        CheckError::Duplicate {
            kind,
            name: name.name.clone(),
            span: name.span,
            first: same_file.then_some(first.1),
            help: Some(if same_file {
                "rename one of them, or remove the second".to_string()
            } else {
                format!("the first is at {first_at}; rename one of them")
            }),
        },
    )
}
