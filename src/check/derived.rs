//! `let NAME = match FIELD { ... }`: values derived from a field, per listing.

use std::collections::HashMap;

use super::cond::field_path;
use super::values::LetValue;
use super::{CheckError, Checker};
use crate::plan::{Derived, Value};
use crate::syntax::{Span, ast};

impl Checker<'_> {
    /// The index of a derived value in the plan, resolving it on first use.
    pub(super) fn derived_operand(&mut self, name: &str) -> Option<usize> {
        let &(file, decl) = self.names.lets.get(name)?;
        if let Some(index) = self.derived_index.get(decl.name.name.as_str()) {
            return Some(*index);
        }
        let ast::LetValue::Match(m) = &decl.value else {
            return None;
        };
        let outer = std::mem::replace(&mut self.file, file);
        let derived = self.match_table(&decl.name.name, m);
        self.file = outer;
        let index = self.derived.len();
        self.derived.push(derived?);
        self.derived_index.insert(&decl.name.name, index);
        Some(index)
    }

    fn match_table(&mut self, name: &str, m: &ast::Match) -> Option<Derived> {
        let ast::ExprKind::Path(path) = &m.scrutinee.kind else {
            return None;
        };
        let mut derived = Derived {
            name: name.to_string(),
            field: field_path(path),
            arms: rustc_hash::FxHashMap::default(),
            default: None,
            values: Vec::new(),
            arm_places: Vec::new(),
            else_place: None,
        };
        let mut key_spans: HashMap<String, Span> = HashMap::new();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut else_span: Option<Span> = None;
        let mut first_kind: Option<&'static str> = None;
        for arm in &m.arms {
            if let Some(else_arm) = else_span {
                self.error(CheckError::UnreachableArm {
                    span: arm.span,
                    else_arm,
                });
                continue;
            }
            let value = self.arm_value(&arm.value, &mut first_kind)?;
            // Values by their JSON text, so that many arms number theirs in linear time.
            let value = match ids.get(&value.to_string()) {
                Some(id) => *id,
                None => {
                    let id = derived.push_value(value.clone());
                    ids.insert(value.to_string(), id);
                    id
                }
            };
            let place = self.place(self.file, arm.span);
            let Some(keys) = &arm.keys else {
                else_span = Some(arm.span);
                derived.default = Some(value);
                derived.else_place = Some(place);
                continue;
            };
            let mut texts = Vec::with_capacity(keys.len());
            for key in keys {
                let Some(text) = self.key_text(key) else {
                    continue;
                };
                if let Some(first) = key_spans.get(&text) {
                    self.error(CheckError::DuplicateKey {
                        key: format!("`{text}`"),
                        span: key.span,
                        first: *first,
                    });
                    continue;
                }
                key_spans.insert(text.clone(), key.span);
                texts.push(text.clone());
                derived.arms.insert(text, value);
            }
            derived.arm_places.push((texts, place));
        }
        Some(derived)
    }

    fn arm_value(
        &mut self,
        expr: &ast::Expr,
        first_kind: &mut Option<&'static str>,
    ) -> Option<serde_json::Value> {
        let value = match self.rhs(expr) {
            LetValue::Scalar(v, _) => v,
            LetValue::List(_) => {
                self.error(CheckError::Invalid {
                    message: "a match arm gives one value, not a list".into(),
                    span: expr.span,
                    label: "a list".into(),
                    help: Some("write one value, e.g. `=> fashion`".into()),
                });
                return None;
            }
            LetValue::Invalid => return None,
        };
        let kind = value.kind();
        if let Some(first) = *first_kind
            && first != kind
        {
            self.error(CheckError::TypeMismatch {
                problem: format!("the arms of a match give {first} and {kind}"),
                span: expr.span,
                label: kind.to_string(),
                help: Some("every arm must give the same kind of value".into()),
            });
            return None;
        }
        *first_kind = Some(kind);
        Some(to_json(&value))
    }

    /// A key as the text a listing's value is looked up by.
    fn key_text(&mut self, key: &ast::Expr) -> Option<String> {
        match self.rhs(key) {
            LetValue::Scalar(Value::Text(t), _) => Some(t),
            LetValue::Scalar(Value::Number(n), _) => Some(n.normalize().to_string()),
            LetValue::Scalar(Value::Bool(b), _) => Some(b.to_string()),
            LetValue::Scalar(other, _) => {
                self.error(CheckError::TypeMismatch {
                    problem: format!(
                        "a match key must be text, a number or a boolean, not {}",
                        other.kind()
                    ),
                    span: key.span,
                    label: other.kind().to_string(),
                    help: None,
                });
                None
            }
            _ => None,
        }
    }
}

/// A derived value as the JSON a listing field would hold.
fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Text(t) => serde_json::Value::String(t.clone()),
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::from_str(&n.to_string()).unwrap_or(serde_json::Value::Null),
        Value::Date(d) => serde_json::Value::String(d.to_string()),
        Value::Money(m) => serde_json::json!({
            "amount": serde_json::from_str::<serde_json::Value>(&m.amount.to_string()).unwrap_or(serde_json::Value::Null),
            "currency": m.currency,
        }),
    }
}
