//! A schema inferred from a real catalogue (`akar schema --listings CAT`): every
//! field path its listings have, the kind its values hold, and, for text with few
//! distinct values over many listings, the closed set of them. Written as a
//! policy file's `schema { ... }` item, for a person to read, adjust and commit.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value as Json;

/// Distinct text values kept per field, past which it is open text.
const MAX_DISTINCT: usize = 40;
/// A field is closed when each of its values appears this often on average.
const PER_VALUE: usize = 5;

/// What one field's values have been so far.
#[derive(Debug)]
struct Seen {
    text: usize,
    dates: usize,
    numbers: usize,
    booleans: usize,
    money: usize,
    lists: usize,
    objects: usize,
    nulls: usize,
    /// Distinct texts, until there are too many to be a closed set.
    values: Option<BTreeSet<String>>,
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            text: 0,
            dates: 0,
            numbers: 0,
            booleans: 0,
            money: 0,
            lists: 0,
            objects: 0,
            nulls: 0,
            values: Some(BTreeSet::new()),
        }
    }
}

impl Seen {
    fn total(&self) -> usize {
        self.text + self.numbers + self.booleans + self.money + self.lists + self.objects
    }
}

/// Fields seen across a catalogue's listings.
#[derive(Debug, Default)]
pub struct Inference {
    fields: BTreeMap<String, Seen>,
    listings: usize,
    unreadable: usize,
    /// Fields kept open text, however few values the catalogue shows.
    open: BTreeSet<String>,
}

impl Inference {
    /// Takes one listing in.
    pub fn add(&mut self, listing: &Json) {
        self.listings += 1;
        if let Json::Object(fields) = listing {
            for (key, value) in fields {
                self.value(key.clone(), value);
            }
        }
    }

    /// Keeps `field` open text: its values are not a closed set, whatever the
    /// catalogue shows (countries, say, of which a catalogue holds a few).
    pub fn keep_open(&mut self, field: &str) {
        self.open.insert(field.to_string());
    }

    /// Counts a record that could not be read.
    pub fn unreadable(&mut self) {
        self.unreadable += 1;
    }

    fn value(&mut self, path: String, value: &Json) {
        if let Json::Object(fields) = value
            && !is_money(value)
        {
            self.seen(&path).objects += 1;
            for (key, inner) in fields {
                self.value(format!("{path}.{key}"), inner);
            }
            return;
        }
        let seen = self.seen(&path);
        match value {
            Json::Null => seen.nulls += 1,
            Json::Bool(_) => seen.booleans += 1,
            Json::Number(_) => seen.numbers += 1,
            Json::Array(items) if items.iter().all(Json::is_string) => seen.lists += 1,
            Json::Array(_) => seen.objects += 1,
            Json::Object(_) => seen.money += 1,
            Json::String(text) => {
                seen.text += 1;
                if crate::eval::is_listing_date(text) {
                    seen.dates += 1;
                }
                if let Some(values) = &mut seen.values {
                    values.insert(text.clone());
                    if values.len() > MAX_DISTINCT {
                        seen.values = None;
                    }
                }
            }
        }
    }

    fn seen(&mut self, path: &str) -> &mut Seen {
        self.fields.entry(path.to_string()).or_default()
    }

    /// The schema as a policy file; `command` is how it was made, for its header.
    pub fn to_policy(&self, command: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "// The listing schema, inferred by\n//   {command}\n// from {} listings{}. Review it: closed sets (`one of`) hold the values seen.",
            self.listings,
            match self.unreadable {
                0 => String::new(),
                n => format!(", {n} records unreadable and left out"),
            }
        );
        out.push_str("schema {\n");
        for (path, seen) in &self.fields {
            // An object with declared fields inside needs no line of its own.
            let inside = self.fields.keys().any(|k| {
                k.strip_prefix(path.as_str())
                    .is_some_and(|r| r.starts_with('.'))
            });
            if inside && seen.objects >= seen.total() {
                continue;
            }
            let Some(name) = field(path) else {
                let _ = writeln!(
                    out,
                    "  // {path:?}: not a field name a policy can write, left out"
                );
                continue;
            };
            let (mut kind, note) = self.kind(seen);
            if self.open.contains(path) && kind.starts_with("one of") {
                kind = "text".into();
            }
            match note {
                Some(note) => {
                    let _ = writeln!(out, "  {name}: {kind}  // {note}");
                }
                None => {
                    let _ = writeln!(out, "  {name}: {kind}");
                }
            }
        }
        out.push_str("}\n");
        // In the canonical layout, as `akar fmt` would write it.
        crate::fmt::format(&out).unwrap_or(out)
    }

    /// A field's kind as the schema writes it, and a note when its values disagree.
    fn kind(&self, seen: &Seen) -> (String, Option<String>) {
        let counts = [
            ("text", seen.text),
            ("number", seen.numbers),
            ("boolean", seen.booleans),
            ("money", seen.money),
            ("list of text", seen.lists),
            ("object", seen.objects),
        ];
        let Some(&(most, count)) = counts
            .iter()
            .max_by_key(|(_, n)| *n)
            .filter(|(_, n)| *n > 0)
        else {
            return (
                "text".into(),
                Some("always null or absent in the catalogue".into()),
            );
        };
        let others: Vec<String> = counts
            .iter()
            .filter(|(k, n)| *n > 0 && *k != most)
            .map(|(k, n)| format!("{k} {n} times"))
            .collect();
        let note = (!others.is_empty()).then(|| format!("also {}", others.join(", ")));
        if most != "text" {
            return (most.into(), note);
        }
        if seen.dates == count {
            return ("date".into(), note);
        }
        match &seen.values {
            // Values with digits are numbers of some register (certificates,
            // codes), never a closed set, however few a catalogue holds.
            Some(values)
                if values.len() * PER_VALUE <= count
                    && values.len() > 1
                    && !values
                        .iter()
                        .any(|v| v.contains(|c: char| c.is_ascii_digit())) =>
            {
                let items: Vec<String> = values.iter().map(|v| value(v)).collect();
                (format!("one of [{}]", items.join(", ")), note)
            }
            _ => ("text".into(), note),
        }
    }
}

/// `{"amount": <number>, "currency": "<text>"}`.
fn is_money(value: &Json) -> bool {
    let Json::Object(fields) = value else {
        return false;
    };
    fields.len() == 2
        && fields.get("amount").is_some_and(Json::is_number)
        && fields.get("currency").is_some_and(Json::is_string)
}

/// A field path as a policy writes it, if every key is a name that is not
/// reserved (a key like `price-usd` cannot be written in a policy).
fn field(path: &str) -> Option<&str> {
    path.split('.').all(is_name).then_some(path)
}

fn is_name(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !crate::syntax::keywords::RESERVED.contains(&text)
}

/// A value of a closed set: a bare word if it can be one, else a string.
fn value(text: &str) -> String {
    if is_name(text) {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}
