//! Conditions resolved: names of `let`s and subjects inlined, tests typed.

use super::types::Kind;
use super::values::LetValue;
use super::{CheckError, Checker};
use crate::fuzzy::did_you_mean;
use crate::plan::{Cond, FieldPath, Needle, Operand, Pattern, Shared, Test, Value, ValueSet};

/// The most a compiled pattern may take (the `regex` crate's own default is 10 MiB).
const PATTERN_SIZE: usize = 1 << 20;
use crate::source::FileId;
use crate::syntax::Span;
use crate::syntax::ast::{self, CmpOp};

impl<'a> Checker<'a> {
    pub(super) fn condition(&mut self, cond: &ast::Cond) -> Cond {
        match &cond.kind {
            ast::CondKind::Or(items) => Cond::Or(self.operands(items)),
            ast::CondKind::And(items) => Cond::And(self.operands(items)),
            ast::CondKind::Not(inner) => Cond::Not(Box::new(self.condition(inner))),
            ast::CondKind::Bare(expr) => self.bare(expr),
            ast::CondKind::Test(subject, test) if self.is_computed(subject, test) => {
                self.computed(subject, test)
            }
            ast::CondKind::Test(subject, test) => match self.operand(subject) {
                Some(operand) => self.test(operand, test),
                None => Cond::True,
            },
        }
    }

    /// The operands of an `and` or `or`, each noted where it is written.
    fn operands(&mut self, items: &[ast::Cond]) -> Vec<Cond> {
        items
            .iter()
            .map(|item| {
                let place = self.place(self.file, item.span);
                if let Some(places) = self.branches.last_mut() {
                    places.push(place);
                }
                self.condition(item)
            })
            .collect()
    }

    /// A lone word or field used as a condition.
    fn bare(&mut self, expr: &ast::Expr) -> Cond {
        let path = match &expr.kind {
            ast::ExprKind::Path(path) => path,
            _ => {
                self.error(CheckError::Invalid {
                    message: "a value is not a condition".into(),
                    span: expr.span,
                    label: "a value".into(),
                    help: Some("compare a field with it, e.g. `cluster == fashion`".into()),
                });
                return Cond::True;
            }
        };
        if let [word] = path.as_slice()
            && let Some(cond) = self.named_condition(word)
        {
            return cond;
        }
        self.known_field(path, expr.span);
        let operand = Operand::Field(field_path(path));
        self.infer_kind(&operand, Kind::Bool, expr.span);
        Cond::Test(operand, Test::IsTrue)
    }

    /// A word that names a condition `let` or a subject; an error for other names
    /// and for near misses of known names.
    fn named_condition(&mut self, word: &ast::Ident) -> Option<Cond> {
        let name = word.name.as_str();
        if self.names.is_subject(name) {
            return Some(self.subject_condition(name, word.span));
        }
        if let Some(&(file, decl)) = self.names.lets.get(name) {
            return Some(match &decl.value {
                ast::LetValue::Condition(_) => self.let_condition(name, word.span),
                ast::LetValue::Value(_) => {
                    self.wrong_kind(
                        name,
                        "a value",
                        "a condition",
                        word.span,
                        Some((file, decl.name.span)),
                    );
                    Cond::True
                }
                ast::LetValue::Match(_) => {
                    self.wrong_kind(
                        name,
                        "a derived field",
                        "a condition",
                        word.span,
                        Some((file, decl.name.span)),
                    );
                    Cond::True
                }
            });
        }
        let names = self.names.all_names();
        let near = did_you_mean(name, names.iter().copied())?.to_string();
        self.error(CheckError::UnknownName {
            kind: "name",
            name: name.to_string(),
            span: word.span,
            help: Some(format!(
                "did you mean `{near}`? (to test a boolean field called `{name}`, write `{name} == true`)"
            )),
        });
        Some(Cond::True)
    }

    /// The operand on the left of a test: a field or a derived (`match`) value.
    pub(super) fn operand(&mut self, expr: &ast::Expr) -> Option<Operand> {
        let path = match &expr.kind {
            ast::ExprKind::Path(path) => path,
            _ => {
                self.error(CheckError::Invalid {
                    message: "a test starts with the field it looks at".into(),
                    span: expr.span,
                    label: "a value, not a field".into(),
                    help: Some("put the field on the left, e.g. `price < 100 USD` rather than `100 USD > price`".into()),
                });
                return None;
            }
        };
        if let [word] = path.as_slice() {
            let name = word.name.as_str();
            if let Some(&(file, decl)) = self.names.lets.get(name) {
                return match &decl.value {
                    ast::LetValue::Match(_) => self.derived_operand(name).map(Operand::Derived),
                    ast::LetValue::Value(_) => {
                        self.wrong_kind(
                            name,
                            "a value",
                            "a field",
                            word.span,
                            Some((file, decl.name.span)),
                        );
                        None
                    }
                    ast::LetValue::Condition(_) => {
                        self.wrong_kind(
                            name,
                            "a condition",
                            "a field",
                            word.span,
                            Some((file, decl.name.span)),
                        );
                        None
                    }
                };
            }
            if self.names.is_subject(name) {
                self.wrong_kind(name, "a subject", "a field", word.span, None);
                return None;
            }
        }
        self.known_field(path, expr.span);
        Some(Operand::Field(field_path(path)))
    }

    fn test(&mut self, operand: Operand, test: &ast::Test) -> Cond {
        let typed = match test {
            ast::Test::IsMissing => Some(Test::Missing),
            ast::Test::IsPresent => return Cond::Not(Box::new(Cond::Test(operand, Test::Missing))),
            ast::Test::Compare(op, rhs) => {
                let test = self.compare(&operand, *op, rhs);
                if *op == CmpOp::Ne {
                    return test
                        .map_or(Cond::True, |t| Cond::Not(Box::new(Cond::Test(operand, t))));
                }
                test
            }
            ast::Test::In(rhs) => self.membership(&operand, rhs),
            ast::Test::NotIn(rhs) => {
                let test = self.membership(&operand, rhs);
                return test.map_or(Cond::True, |t| Cond::Not(Box::new(Cond::Test(operand, t))));
            }
            ast::Test::Contains(rhs) => {
                self.infer_kind(&operand, Kind::TextOrList, rhs.span);
                self.text_needle(rhs, "contains").map(Test::Contains)
            }
            ast::Test::StartsWith(rhs) => {
                self.infer_kind(&operand, Kind::Text, rhs.span);
                self.text_needle(rhs, "starts with").map(Test::StartsWith)
            }
            ast::Test::ContainsAny(rhs) => {
                self.infer_kind(&operand, Kind::TextOrList, rhs.span);
                self.needles(rhs, "contains any").map(Test::ContainsAny)
            }
            ast::Test::StartsWithAny(rhs) => {
                self.infer_kind(&operand, Kind::Text, rhs.span);
                self.needles(rhs, "starts with any")
                    .map(Test::StartsWithAny)
            }
            ast::Test::EndsWith(rhs) => {
                self.infer_kind(&operand, Kind::Text, rhs.span);
                self.text_needle(rhs, "ends with").map(Test::EndsWith)
            }
            ast::Test::EndsWithAny(rhs) => {
                self.infer_kind(&operand, Kind::Text, rhs.span);
                self.needles(rhs, "ends with any").map(Test::EndsWithAny)
            }
            ast::Test::ContainsWord(rhs) => {
                self.infer_kind(&operand, Kind::Text, rhs.span);
                let needle = self.text_needle(rhs, "contains word");
                needle
                    .filter(|n| self.is_word(n, rhs.span))
                    .map(Test::ContainsWord)
            }
            ast::Test::ContainsAnyWord(rhs) => {
                self.infer_kind(&operand, Kind::Text, rhs.span);
                let needles = self.needles(rhs, "contains any word");
                needles
                    .filter(|needles| needles.iter().all(|n| self.is_word(n, rhs.span)))
                    .map(Test::ContainsAnyWord)
            }
            ast::Test::Matches(rhs) => {
                self.infer_kind(&operand, Kind::Text, rhs.span);
                self.pattern(rhs).map(Test::Matches)
            }
        };
        typed.map_or(Cond::True, |t| Cond::Test(operand, t))
    }

    fn compare(&mut self, operand: &Operand, op: CmpOp, rhs: &ast::Expr) -> Option<Test> {
        let (value, at) = match self.rhs(rhs) {
            LetValue::Scalar(value, at) => (value, at),
            LetValue::List(_) => {
                let fix = if op == CmpOp::Ne { "not in" } else { "in" };
                self.mismatch(
                    rhs.span,
                    format!("`{}` compares with one value, not a list", op.as_str()),
                    "a list",
                    Some(format!("to test membership write `{fix} [...]`")),
                );
                return None;
            }
            LetValue::Invalid => return None,
        };
        let ordered = matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge);
        if let (true, Value::Text(_), ast::ExprKind::Path(path)) = (ordered, &value, &rhs.kind)
            && let [word] = path.as_slice()
        {
            // No symbol is ordered: the word was meant as a `let` or a field.
            let names = self.names.all_names();
            let near = did_you_mean(&word.name, names.iter().copied()).map(str::to_string);
            self.error(CheckError::UnknownName {
                kind: "name",
                name: word.name.clone(),
                span: word.span,
                help: Some(match near {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!(
                        "after `{}` a bare word is a `let`, or a field the schema declares (`schema {{ {}: number }}`); a field elsewhere is written with its path",
                        op.as_str(),
                        word.name
                    ),
                }),
            });
            return None;
        }
        if ordered && matches!(value, Value::Text(_) | Value::Bool(_)) {
            self.mismatch(
                rhs.span,
                format!(
                    "`{}` compares numbers, money and dates, not {}",
                    op.as_str(),
                    value.kind()
                ),
                value.kind(),
                Some("compare text with `==`, `!=`, `in`, `contains` or `starts with`".into()),
            );
            return None;
        }
        self.infer_operand(operand, &value, rhs.span);
        if matches!(op, CmpOp::Eq | CmpOp::Ne) {
            self.closed_values(operand, std::slice::from_ref(&(value.clone(), at)));
        }
        let op = if op == CmpOp::Ne { CmpOp::Eq } else { op };
        Some(Test::Compare(op, value))
    }

    fn membership(&mut self, operand: &Operand, rhs: &ast::Expr) -> Option<Test> {
        if self.unknown_list(rhs) {
            return None;
        }
        match self.rhs(rhs) {
            LetValue::List(values) => {
                if let Some((first, _)) = values.first() {
                    self.infer_operand(operand, first, rhs.span);
                }
                self.closed_values(operand, &values);
                Some(Test::In(ValueSet::from_values(
                    values.into_iter().map(|(v, _)| v).collect(),
                )))
            }
            LetValue::Scalar(value, _) => {
                self.mismatch(
                    rhs.span,
                    format!("`in` needs a list, not {}", value.kind()),
                    "one value",
                    Some("write a list, e.g. `in [fashion, craft]`, or compare with `==`".into()),
                );
                None
            }
            LetValue::Invalid => None,
        }
    }

    fn text_needle(&mut self, rhs: &ast::Expr, test: &str) -> Option<Needle> {
        match self.rhs(rhs) {
            LetValue::Scalar(Value::Text(text), _) => Some(Needle::new(&text)),
            LetValue::Scalar(value, _) => {
                self.mismatch(
                    rhs.span,
                    format!("`{test}` looks for text, not {}", value.kind()),
                    value.kind(),
                    Some("write the text in quotes, e.g. `\"hijab\"`".into()),
                );
                None
            }
            LetValue::List(_) => {
                let help = if test == "contains" {
                    "to look for any of several, write `contains any [...]`"
                } else {
                    "write one text"
                };
                self.mismatch(
                    rhs.span,
                    format!("`{test}` looks for one text, not a list"),
                    "a list",
                    Some(help.into()),
                );
                None
            }
            LetValue::Invalid => None,
        }
    }

    /// A word to look for holds a letter or a digit: punctuation alone has no
    /// word boundaries to respect.
    fn is_word(&mut self, needle: &Needle, span: Span) -> bool {
        if needle.exact.chars().any(char::is_alphanumeric) {
            return true;
        }
        self.error(CheckError::NotAWord {
            text: needle.exact.clone(),
            span,
        });
        false
    }

    /// A regular expression, compiled now so that a mistake in it is a check
    /// error at its place; its size is bounded, so no pattern is costly to run.
    fn pattern(&mut self, rhs: &ast::Expr) -> Option<Pattern> {
        let source = match self.rhs(rhs) {
            LetValue::Scalar(Value::Text(text), _) => text,
            LetValue::Invalid => return None,
            _ => {
                self.mismatch(
                    rhs.span,
                    "`matches` takes a pattern in quotes".into(),
                    "not a pattern",
                    Some("write a regular expression as text, e.g. `\"^MD [0-9]{12}$\"`".into()),
                );
                return None;
            }
        };
        match regex::RegexBuilder::new(&source)
            .size_limit(PATTERN_SIZE)
            .build()
        {
            Ok(regex) => Some(Pattern { source, regex }),
            Err(e) => {
                let problem = match e {
                    regex::Error::CompiledTooBig(_) => "the pattern is too large".to_string(),
                    other => other
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or_default()
                        .trim_start_matches("error: ")
                        .to_string(),
                };
                self.error(CheckError::BadPattern {
                    pattern: source,
                    problem,
                    span: rhs.span,
                });
                None
            }
        }
    }

    fn needles(&mut self, rhs: &ast::Expr, test: &str) -> Option<Vec<Needle>> {
        if self.unknown_list(rhs) {
            return None;
        }
        match self.rhs(rhs) {
            LetValue::List(values) => {
                let mut needles = Vec::with_capacity(values.len());
                for (value, _) in values {
                    match value {
                        Value::Text(t) => needles.push(Needle::new(&t)),
                        other => {
                            self.mismatch(
                                rhs.span,
                                format!("`{test}` looks for text, not {}", other.kind()),
                                "not text",
                                None,
                            );
                            return None;
                        }
                    }
                }
                Some(needles)
            }
            LetValue::Scalar(..) => {
                self.mismatch(
                    rhs.span,
                    format!("`{test}` needs a list"),
                    "one value",
                    Some(format!(
                        "write a list `[\"a\", \"b\"]`, or `{} \"x\"` for one value",
                        test.trim_end_matches(" any")
                    )),
                );
                None
            }
            LetValue::Invalid => None,
        }
    }

    /// Where a list is needed, a bare word must name a `let`: report it if not.
    fn unknown_list(&mut self, rhs: &ast::Expr) -> bool {
        let ast::ExprKind::Path(path) = &rhs.kind else {
            return false;
        };
        let [word] = path.as_slice() else {
            return false;
        };
        if self.names.lets.contains_key(word.name.as_str()) || self.names.is_subject(&word.name) {
            return false;
        }
        let lets: Vec<&str> = self.names.lets.keys().copied().collect();
        let help = match did_you_mean(&word.name, lets) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "write a list, e.g. `[a, b]`, or define one with `let {} = [...]`",
                word.name
            ),
        };
        self.error(CheckError::UnknownName {
            kind: "list",
            name: word.name.clone(),
            span: word.span,
            help: Some(help),
        });
        true
    }

    pub(super) fn mismatch(
        &mut self,
        span: Span,
        problem: String,
        label: &str,
        help: Option<String>,
    ) {
        self.error(CheckError::TypeMismatch {
            problem,
            span,
            label: label.to_string(),
            help,
        });
    }

    /// Resolves a condition `let` by name, once.
    pub(super) fn let_condition(&mut self, name: &str, use_span: Span) -> Cond {
        let Some(&(file, decl)) = self.names.lets.get(name) else {
            return Cond::True;
        };
        let key = format!("let:{name}");
        if let Some(cond) = self.resolved_conds.get(&key) {
            return cond.clone();
        }
        let ast::LetValue::Condition(body) = &decl.value else {
            return Cond::True;
        };
        if self.enter(&decl.name.name, use_span) {
            return Cond::True;
        }
        let outer = std::mem::replace(&mut self.file, file);
        let (cond, branches) = self.condition_with_branches(body);
        self.file = outer;
        self.leave();
        self.share(key, name, (file, decl.name.span), cond, branches)
    }

    /// Keeps a named condition once, in the plan's shared conditions, and gives
    /// the reference every use of the name gets.
    fn share(
        &mut self,
        key: String,
        name: &str,
        at: (FileId, Span),
        cond: Cond,
        branches: Vec<crate::plan::Place>,
    ) -> Cond {
        // How many names deep the condition goes, whatever order they were
        // defined in: evaluating it goes as deep.
        let mut depth = 0;
        cond.visit_refs(&mut |id| {
            depth = depth.max(self.shared_depth.get(id).copied().unwrap_or(0));
        });
        if depth >= crate::syntax::limits::MAX_NESTING {
            let (file, span) = at;
            self.error_in(
                file,
                CheckError::TooDeep {
                    name: name.to_string(),
                    span,
                },
            );
            self.resolved_conds.insert(key, Cond::True);
            return Cond::True;
        }
        self.shared_depth.push(depth + 1);
        let reference = Cond::Ref(self.shared.len());
        self.shared.push(Shared {
            name: name.to_string(),
            cond,
            place: self.place(at.0, at.1),
            branches,
        });
        self.resolved_conds.insert(key, reference.clone());
        reference
    }

    /// The condition a subject stands for.
    pub(super) fn subject_condition(&mut self, name: &str, use_span: Span) -> Cond {
        match name {
            "listing" => return Cond::True,
            "domestic" => return Cond::Not(Box::new(self.subject_condition("import", use_span))),
            _ => {}
        }
        let Some(&(file, decl)) = self.names.subjects.get(name) else {
            // Only `import` is built in beyond `listing` and `domestic`.
            let path = FieldPath::new(vec!["cross_border".into()]);
            return Cond::Test(
                Operand::Field(path),
                Test::Compare(CmpOp::Eq, Value::Bool(true)),
            );
        };
        let key = format!("subject:{name}");
        if let Some(cond) = self.resolved_conds.get(&key) {
            return cond.clone();
        }
        if self.enter(&decl.name.name, use_span) {
            return Cond::True;
        }
        let outer = std::mem::replace(&mut self.file, file);
        let (cond, branches) = self.condition_with_branches(&decl.condition);
        self.file = outer;
        self.leave();
        self.share(key, name, (file, decl.name.span), cond, branches)
    }

    /// The subject of a rule, or an error naming the nearest known subject.
    pub(super) fn rule_subject(&mut self, subject: &ast::Ident) -> Cond {
        let name = subject.name.as_str();
        if self.names.is_subject(name) {
            return self.subject_condition(name, subject.span);
        }
        let mut known: Vec<&str> = super::names::BUILTIN_SUBJECTS.to_vec();
        known.extend(self.names.subjects.keys().copied());
        let help = match did_you_mean(name, known.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "the subjects are {}; declare another with `subject {name} = CONDITION`",
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.error(CheckError::UnknownName {
            kind: "subject",
            name: name.to_string(),
            span: subject.span,
            help: Some(help),
        });
        Cond::True
    }
}

pub(super) fn field_path(path: &[ast::Ident]) -> FieldPath {
    FieldPath::new(path.iter().map(|i| i.name.clone()).collect())
}
