//! Warnings: what checks cleanly but is likely a mistake. `akar check` shows and
//! counts them, and fails on them with `--deny-warnings`.

use std::collections::HashSet;

use super::{CheckError, Checker};
use crate::plan::{CmpOp, Cond, Operand, Test, Value};
use crate::syntax::{Span, ast};

impl Checker<'_> {
    /// `let`s no condition, value, list, `match` or subject names.
    pub(super) fn unused_lets(&mut self) {
        let mut used: HashSet<&str> = HashSet::new();
        for parsed in self.files {
            for item in &parsed.items {
                words_of_item(item, &mut used);
            }
        }
        let mut unused: Vec<(usize, &ast::Let)> = self
            .names
            .lets
            .values()
            .filter(|(_, decl)| !used.contains(decl.name.name.as_str()))
            .copied()
            .collect();
        unused.sort_by_key(|(file, decl)| (*file, decl.span.start));
        for (file, decl) in unused {
            self.error_in(
                file,
                CheckError::UnusedLet {
                    name: decl.name.name.clone(),
                    span: decl.name.span,
                },
            );
        }
    }

    /// With a schema, a `let` named like a listing field hides that field.
    pub(super) fn lets_hiding_fields(&mut self) {
        if !self.schema.present {
            return;
        }
        let mut hiding: Vec<(usize, &ast::Let)> = self
            .names
            .lets
            .values()
            .filter(|(_, decl)| {
                let name = decl.name.name.as_str();
                self.schema.fields.keys().any(|path| {
                    path == name || path.strip_prefix(name).is_some_and(|r| r.starts_with('.'))
                })
            })
            .copied()
            .collect();
        hiding.sort_by_key(|(file, decl)| (*file, decl.span.start));
        for (file, decl) in hiding {
            self.error_in(
                file,
                CheckError::LetHidesField {
                    name: decl.name.name.clone(),
                    span: decl.name.span,
                },
            );
        }
    }

    /// Warns when a rule's condition can never hold: a test against an empty
    /// list, or, among the parts of an `and`, a test and its negation, two
    /// different values for one field, or a field both missing and tested.
    pub(super) fn never_holds(&mut self, rule: &str, when: &Cond, span: Span) {
        if let Some(why) = contradiction(when) {
            self.error(CheckError::NeverHolds {
                rule: rule.to_string(),
                span,
                why,
                help: "a rule that never matches decides nothing: remove or fix the condition"
                    .into(),
            });
        }
    }
}

/// Why `cond` can never hold, if it cannot.
fn contradiction(cond: &Cond) -> Option<String> {
    match cond {
        Cond::Test(_, Test::In(set)) if set.texts.is_empty() && set.others.is_empty() => {
            Some("`in []` holds for no value".into())
        }
        Cond::Test(_, Test::ContainsAny(needles)) if needles.is_empty() => {
            Some("`contains any []` holds for no value".into())
        }
        Cond::And(items) => items
            .iter()
            .find_map(contradiction)
            .or_else(|| clash(items)),
        Cond::Or(items) => {
            let all: Option<Vec<String>> = items.iter().map(contradiction).collect();
            all.and_then(|whys| whys.into_iter().next())
        }
        _ => None,
    }
}

/// Two parts of an `and` that cannot both hold.
fn clash(items: &[Cond]) -> Option<String> {
    for (i, a) in items.iter().enumerate() {
        for b in items.iter().skip(i + 1) {
            if let Some(why) = exclusive(a, b).or_else(|| exclusive(b, a)) {
                return Some(why);
            }
        }
    }
    None
}

fn exclusive(a: &Cond, b: &Cond) -> Option<String> {
    if let Cond::Not(inner) = b
        && **inner == *a
    {
        return Some("it requires something and its opposite".into());
    }
    let (Cond::Test(x, p), Cond::Test(y, q)) = (a, b) else {
        return None;
    };
    if x != y {
        return None;
    }
    let field = match x {
        Operand::Field(path) => path.dotted.clone(),
        Operand::Derived(_) => "the derived field".into(),
    };
    match (p, q) {
        (Test::Compare(CmpOp::Eq, Value::Text(a)), Test::Compare(CmpOp::Eq, Value::Text(b)))
            if a != b =>
        {
            Some(format!("`{field}` cannot be both `{a}` and `{b}`"))
        }
        (Test::Compare(CmpOp::Eq, Value::Bool(a)), Test::Compare(CmpOp::Eq, Value::Bool(b)))
            if a != b =>
        {
            Some(format!("`{field}` cannot be both `{a}` and `{b}`"))
        }
        (Test::Missing, other) if *other != Test::Missing => Some(format!(
            "`{field}` cannot be missing and tested: a test on a missing field is false"
        )),
        _ => None,
    }
}

fn words_of_item<'a>(item: &'a ast::Item, used: &mut HashSet<&'a str>) {
    match item {
        ast::Item::Let(decl) => match &decl.value {
            ast::LetValue::Value(expr) => words_of_expr(expr, used),
            ast::LetValue::Condition(cond) => words_of_cond(cond, used),
            ast::LetValue::Match(m) => {
                for arm in &m.arms {
                    words_of_expr(&arm.value, used);
                    for key in arm.keys.iter().flatten() {
                        words_of_expr(key, used);
                    }
                }
            }
        },
        ast::Item::Subject(decl) => words_of_cond(&decl.condition, used),
        ast::Item::Rule(rule) => {
            for cond in rule.condition.iter().chain(&rule.unless) {
                words_of_cond(cond, used);
            }
        }
        ast::Item::Header(_)
        | ast::Item::Rate(_)
        | ast::Item::Timezone(_)
        | ast::Item::Schema(_)
        | ast::Item::Test(_) => {}
    }
}

fn words_of_cond<'a>(cond: &'a ast::Cond, used: &mut HashSet<&'a str>) {
    match &cond.kind {
        ast::CondKind::Or(items) | ast::CondKind::And(items) => {
            items.iter().for_each(|c| words_of_cond(c, used))
        }
        ast::CondKind::Not(inner) => words_of_cond(inner, used),
        ast::CondKind::Bare(expr) => words_of_expr(expr, used),
        ast::CondKind::Test(operand, test) => {
            words_of_expr(operand, used);
            match test {
                ast::Test::Compare(_, rhs)
                | ast::Test::In(rhs)
                | ast::Test::NotIn(rhs)
                | ast::Test::Contains(rhs)
                | ast::Test::ContainsAny(rhs)
                | ast::Test::StartsWith(rhs)
                | ast::Test::StartsWithAny(rhs)
                | ast::Test::EndsWith(rhs)
                | ast::Test::EndsWithAny(rhs)
                | ast::Test::ContainsWord(rhs)
                | ast::Test::ContainsAnyWord(rhs)
                | ast::Test::Matches(rhs) => words_of_expr(rhs, used),
                ast::Test::IsMissing | ast::Test::IsPresent => {}
            }
        }
    }
}

fn words_of_expr<'a>(expr: &'a ast::Expr, used: &mut HashSet<&'a str>) {
    match &expr.kind {
        ast::ExprKind::Path(path) => {
            if let [word] = path.as_slice() {
                used.insert(word.name.as_str());
            }
        }
        ast::ExprKind::List(items) => items.iter().for_each(|i| words_of_expr(i, used)),
        ast::ExprKind::Arith(a, _, b) => {
            words_of_expr(a, used);
            words_of_expr(b, used);
        }
        ast::ExprKind::Symbol(_) | ast::ExprKind::Literal(_) => {}
    }
}
