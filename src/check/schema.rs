//! The listing schema (`schema { ... }` items, in any file of the set): with one,
//! every field a policy reads must be declared, every test must read a kind the
//! field has, and every value compared with a closed field must be one of its
//! values, each with did-you-mean. A `match`-derived field is closed too: the
//! values compared with it must be ones its arms give.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;

use super::types::Kind;
use super::values::{At, LetValue};
use super::{CheckError, Checker};
use crate::fuzzy::did_you_mean;
use crate::plan::{FieldKind, Operand, Schema, SchemaField, Value, list_values};
use crate::syntax::{Span, ast};

/// The schema's fields by dotted path, each with where it was declared.
#[derive(Default)]
pub struct Declared {
    pub fields: BTreeMap<String, (FieldKind, At)>,
    /// Whether any file declares a schema.
    pub present: bool,
}

impl Checker<'_> {
    /// Reads every `schema` item of the set; a field declared twice is an error.
    pub(super) fn collect_schema(&mut self) {
        let files = self.files;
        for (file, parsed) in files.iter().enumerate() {
            self.file = file;
            for item in &parsed.items {
                let ast::Item::Schema(schema) = item else {
                    continue;
                };
                self.schema.present = true;
                for field in &schema.fields {
                    self.declare_field(file, field);
                }
            }
        }
        let declared: Vec<(String, Kind, At)> = self
            .schema
            .fields
            .iter()
            .map(|(path, (kind, at))| (path.clone(), Kind::of_field(kind), *at))
            .collect();
        for (path, kind, at) in declared {
            self.types
                .declare(path, kind, at, "declared in the schema as");
        }
    }

    fn declare_field(&mut self, file: usize, field: &ast::SchemaField) {
        let path: Vec<&str> = field.path.iter().map(|i| i.name.as_str()).collect();
        let path = path.join(".");
        let kind = match &field.kind {
            ast::FieldKind::Text => FieldKind::Text,
            ast::FieldKind::Number => FieldKind::Number,
            ast::FieldKind::Boolean => FieldKind::Boolean,
            ast::FieldKind::Date => FieldKind::Date,
            ast::FieldKind::Money => FieldKind::Money,
            ast::FieldKind::Object => FieldKind::Object,
            ast::FieldKind::ListOfText => FieldKind::ListOfText,
            ast::FieldKind::OneOf(items) => FieldKind::OneOf(self.closed_set(items)),
        };
        if let Some((_, first)) = self.schema.fields.get(&path) {
            let first = *first;
            let (label, help) = self.first_place(first, "declare each field once");
            self.error(CheckError::Duplicate {
                kind: "schema field",
                name: path,
                span: field.span,
                first: label,
                help: Some(help),
            });
            return;
        }
        self.schema.fields.insert(path, (kind, (file, field.span)));
    }

    /// The values of `one of [...]`: text, symbols and all.
    fn closed_set(&mut self, items: &[ast::Expr]) -> FxHashSet<String> {
        let mut set = FxHashSet::default();
        for item in items {
            match self.rhs(item) {
                LetValue::Scalar(Value::Text(text), _) => {
                    set.insert(text);
                }
                LetValue::Invalid => {}
                _ => self.error(CheckError::Invalid {
                    message: "`one of` lists text values".into(),
                    span: item.span,
                    label: "not text".into(),
                    help: Some("write the values as bare words or strings: `one of [fashion, \"Muslim Fashion\"]`".into()),
                }),
            }
        }
        set
    }

    /// The label for a first place in this file, or the help naming it elsewhere.
    pub(super) fn first_place(&self, first: At, help: &str) -> (Option<Span>, String) {
        if first.0 == self.file {
            (Some(first.1), help.to_string())
        } else {
            let place = self.location(first.0, first.1);
            (None, format!("the first is at {place}; {help}"))
        }
    }

    /// The schema as the plan holds it, if there is one.
    pub(super) fn plan_schema(&self) -> Option<Schema> {
        self.schema.present.then(|| Schema {
            fields: self
                .schema
                .fields
                .iter()
                .map(|(path, (kind, _))| SchemaField {
                    path: path.clone(),
                    kind: kind.clone(),
                })
                .collect(),
        })
    }

    /// With a schema, a field path read at `span` must be declared.
    pub(super) fn known_field(&mut self, path: &[ast::Ident], span: Span) {
        if !self.schema.present {
            return;
        }
        let dotted: Vec<&str> = path.iter().map(|i| i.name.as_str()).collect();
        let dotted = dotted.join(".");
        let schema = self.plan_schema().unwrap_or_default();
        if schema.knows(&dotted) {
            return;
        }
        let near = did_you_mean(&dotted, self.schema.fields.keys().map(String::as_str));
        let help = match near {
            Some(near) => format!("did you mean `{near}`?"),
            None => "declare it in the schema, e.g. `schema { FIELD: text }`, if listings have it"
                .into(),
        };
        self.error(CheckError::UnknownField {
            field: dotted,
            span,
            help,
        });
    }

    /// Values compared with a closed field (`one of` in the schema, or derived by
    /// a `match` whose values are text) must be among its values.
    pub(super) fn closed_values(&mut self, operand: &Operand, values: &[(Value, At)]) {
        let (field, allowed): (String, Vec<String>) = match operand {
            Operand::Field(path) => match self.schema.fields.get(&path.dotted) {
                Some((FieldKind::OneOf(set), _)) => {
                    (path.dotted.clone(), set.iter().cloned().collect())
                }
                _ => return,
            },
            Operand::Derived(index) => match self.derived.get(*index) {
                Some(d) if d.values.iter().all(serde_json::Value::is_string) => (
                    d.name.clone(),
                    d.values
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                ),
                _ => return,
            },
        };
        for (value, at) in values {
            let Value::Text(text) = value else { continue };
            if allowed.contains(text) {
                continue;
            }
            let listed = list_values(allowed.iter().map(String::as_str), 12);
            let help = match did_you_mean(text, allowed.iter().map(String::as_str)) {
                Some(near) => format!("did you mean `{near}`? `{field}` is one of {listed}"),
                None => format!("`{field}` is one of {listed}"),
            };
            self.error_in(
                at.0,
                CheckError::UnknownValue {
                    value: text.clone(),
                    field: field.clone(),
                    span: at.1,
                    help,
                },
            );
        }
    }
}
