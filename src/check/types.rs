//! Field types inferred from use: without a schema, the first comparison of a field
//! with a literal fixes its kind, and a later comparison with another kind is an
//! error, since one of the two can never match.

use std::collections::HashMap;

use super::{CheckError, Checker};
use crate::plan::Value;
use crate::source::FileId;
use crate::syntax::Span;

#[derive(Default)]
pub struct FieldTypes {
    seen: HashMap<String, (&'static str, FileId, Span)>,
}

/// Numbers and money compare with each other (a plain number field is taken in the
/// money's currency), so they are one class.
fn class(value: &Value) -> &'static str {
    match value {
        Value::Number(_) | Value::Money(_) => "a number or money",
        other => other.kind(),
    }
}

impl Checker<'_> {
    /// Records that field `name` is compared with `value` at `span`.
    pub(super) fn infer(&mut self, name: &str, value: &Value, span: Span) {
        let class = class(value);
        let Some(&(before, file, at)) = self.types.seen.get(name) else {
            self.types
                .seen
                .insert(name.to_string(), (class, self.file, span));
            return;
        };
        if before == class {
            return;
        }
        let place = self.location(file, at);
        self.error(CheckError::TypeMismatch {
            problem: format!("`{name}` is compared with {} here, but with {before} elsewhere", value.kind()),
            span,
            label: format!("{} compared with {}", name, value.kind()),
            help: Some(format!(
                "a field holds one kind of value; at {place} `{name}` is compared with {before}, so one of the two can never match"
            )),
        });
    }
}
