//! The listing schema as the plan holds it: each declared field's kind, and the
//! values of a closed field.

use rustc_hash::FxHashSet;

/// What a listing's field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Number,
    Boolean,
    /// Text that is an RFC 3339 date or date-time.
    Date,
    /// `{"amount": ..., "currency": "..."}`, or a plain number.
    Money,
    /// An object the schema does not describe inside.
    Object,
    ListOfText,
    /// Text that is one of these values.
    OneOf(FxHashSet<String>),
}

impl FieldKind {
    /// The kind as a schema writes it.
    pub fn name(&self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Boolean => "boolean",
            FieldKind::Date => "date",
            FieldKind::Money => "money",
            FieldKind::Object => "object",
            FieldKind::ListOfText => "list of text",
            FieldKind::OneOf(_) => "one of",
        }
    }
}

/// Values listed for a person, sorted: all of them, or the first `most` and
/// how many there are.
pub fn list_values<'v>(values: impl IntoIterator<Item = &'v str>, most: usize) -> String {
    let mut sorted: Vec<&str> = values.into_iter().collect();
    sorted.sort_unstable();
    if sorted.len() <= most {
        return sorted.join(", ");
    }
    let shown: Vec<&str> = sorted.iter().take(most).copied().collect();
    format!("{}, … ({} in all)", shown.join(", "), sorted.len())
}

/// A declared field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaField {
    /// The dotted path: `seller.country`.
    pub path: String,
    pub kind: FieldKind,
}

/// The fields listings have, as the policies declare them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub fields: Vec<SchemaField>,
}

impl Schema {
    /// The kind a path has: its own, or, inside money, `amount` a number and
    /// `currency` text.
    pub fn kind_of(&self, path: &str) -> Option<FieldKind> {
        if let Some(field) = self.fields.iter().find(|f| f.path == path) {
            return Some(field.kind.clone());
        }
        let (parent, last) = path.rsplit_once('.')?;
        let money = self
            .fields
            .iter()
            .any(|f| f.path == parent && f.kind == FieldKind::Money);
        match (money, last) {
            (true, "amount") => Some(FieldKind::Number),
            (true, "currency") => Some(FieldKind::Text),
            _ => None,
        }
    }

    /// Whether a path can be read: declared, inside money, above declared fields
    /// (an object), or inside a field declared `object`.
    pub fn knows(&self, path: &str) -> bool {
        self.kind_of(path).is_some()
            || self.fields.iter().any(|f| {
                f.path
                    .strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('.'))
                    || (f.kind == FieldKind::Object
                        && path
                            .strip_prefix(f.path.as_str())
                            .is_some_and(|r| r.starts_with('.')))
            })
    }
}
