//! Field kinds: declared by the schema, or inferred from use. Every test says
//! what kind of value it reads (`<` a number, money or a date; `contains` text or
//! a list of text; a bare field a boolean; ...); the first use of a field (or its
//! schema declaration) fixes its kind, and a later use of another kind is an
//! error labelled at both places, since one of the two can never hold.

use std::collections::HashMap;

use super::error::Elsewhere;
use super::values::At;
use super::{CheckError, Checker};
use crate::plan::{FieldKind, Operand, Value};

/// What a test needs a field to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A number or money: a plain number is taken in the money's currency.
    Number,
    Date,
    Bool,
    List,
    /// `contains`: text, or a list of text.
    TextOrList,
    Object,
}

impl Kind {
    pub fn of_value(value: &Value) -> Kind {
        match value {
            Value::Text(_) => Kind::Text,
            Value::Number(_) | Value::Money(_) => Kind::Number,
            Value::Date(_) => Kind::Date,
            Value::Bool(_) => Kind::Bool,
        }
    }

    pub fn of_field(kind: &FieldKind) -> Kind {
        match kind {
            FieldKind::Text | FieldKind::OneOf(_) => Kind::Text,
            FieldKind::Number | FieldKind::Money => Kind::Number,
            FieldKind::Boolean => Kind::Bool,
            FieldKind::Date => Kind::Date,
            FieldKind::Object => Kind::Object,
            FieldKind::ListOfText => Kind::List,
        }
    }

    fn phrase(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "a number or money",
            Kind::Date => "a date",
            Kind::Bool => "a boolean",
            Kind::List => "a list of text",
            Kind::TextOrList => "text or a list of text",
            Kind::Object => "an object",
        }
    }

    /// The kind both uses allow, if there is one.
    fn meet(self, other: Kind) -> Option<Kind> {
        match (self, other) {
            (a, b) if a == b => Some(a),
            (Kind::TextOrList, k @ (Kind::Text | Kind::List))
            | (k @ (Kind::Text | Kind::List), Kind::TextOrList) => Some(k),
            _ => None,
        }
    }
}

/// The first use of each field: its kind, where, and how it was fixed.
#[derive(Default)]
pub struct FieldTypes {
    seen: HashMap<String, (Kind, At, &'static str)>,
}

impl FieldTypes {
    /// Fixes `name`'s kind from its declaration (the schema, a `match`).
    pub fn declare(&mut self, name: String, kind: Kind, at: At, how: &'static str) {
        self.seen.entry(name).or_insert((kind, at, how));
    }
}

impl Checker<'_> {
    /// Records that the operand is read as `kind` by a test at `span`.
    pub(super) fn infer_kind(&mut self, operand: &Operand, kind: Kind, span: crate::syntax::Span) {
        let name = match operand {
            Operand::Field(path) => path.dotted.clone(),
            Operand::Derived(index) => match self.derived.get(*index) {
                Some(d) => format!("let:{}", d.name),
                None => return,
            },
        };
        let here = (self.file, span);
        let Some(&(before, first, how)) = self.types.seen.get(&name) else {
            self.types.seen.insert(name, (kind, here, "read as"));
            return;
        };
        match before.meet(kind) {
            Some(kind) => {
                if let Some(entry) = self.types.seen.get_mut(&name) {
                    entry.0 = kind;
                }
            }
            None => self.kind_clash(
                name.trim_start_matches("let:"),
                kind,
                before,
                first,
                how,
                span,
            ),
        }
    }

    fn kind_clash(
        &mut self,
        name: &str,
        here: Kind,
        before: Kind,
        first: At,
        how: &'static str,
        span: crate::syntax::Span,
    ) {
        let there = format!("{how} {} here", before.phrase());
        let message = format!("`{name}` is {how} {}", before.phrase());
        let (label, elsewhere) = self.other_place(first, &there, &message);
        self.error(CheckError::KindClash {
            problem: format!(
                "`{name}` is read as {} here, but as {} elsewhere",
                here.phrase(),
                before.phrase()
            ),
            span,
            label: format!("read as {}", here.phrase()),
            first: label,
            first_label: there,
            elsewhere,
            help: "a field holds one kind of value: one of the two can never hold".into(),
        });
    }

    /// Another place a problem involves: a label if it is in the current file,
    /// else a related diagnostic drawn against its own file (a label can only
    /// point into the file its diagnostic is drawn against).
    pub(super) fn other_place(
        &self,
        at: At,
        label: &str,
        message: &str,
    ) -> (Option<crate::syntax::Span>, Vec<Elsewhere>) {
        if at.0 == self.file {
            return (Some(at.1), Vec::new());
        }
        let place = self.location(at.0, at.1);
        let elsewhere = Elsewhere {
            message: format!("{message}, at {place}"),
            code: self.sources.named_source(at.0),
            span: at.1,
            label: label.to_string(),
        };
        (None, vec![elsewhere])
    }

    /// Records the kind of a comparison's value.
    pub(super) fn infer_operand(
        &mut self,
        operand: &Operand,
        value: &Value,
        span: crate::syntax::Span,
    ) {
        self.infer_kind(operand, Kind::of_value(value), span);
    }
}
