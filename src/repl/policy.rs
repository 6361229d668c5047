//! The session's policy set: loaded files and typed snippets, in the order they
//! came, where the newest definition of a name replaces the older one.
//!
//! A replaced definition is blanked out of its source (its characters turned to
//! spaces, newlines kept) rather than cut, so every other span and line number in
//! that source stays where it was and diagnostics still point at the right place.

use std::collections::HashSet;

use crate::source::{LineIndex, Sources};
use crate::syntax::{self, Span, ast};

/// What a definition defines: two with the same key cannot both be in the set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Rule(String),
    Let(String),
    Subject(String),
    /// The two currencies, in alphabetical order: `rate A = n B` and
    /// `rate B = n A` declare the same rate.
    Rate(String, String),
    Test(String),
    /// A set has one time zone: a new one replaces the old.
    Timezone,
}

impl Key {
    pub fn of(item: &ast::Item) -> Option<Key> {
        match item {
            ast::Item::Rule(rule) => rule.name.as_ref().map(|n| Key::Rule(n.name.clone())),
            ast::Item::Let(decl) => Some(Key::Let(decl.name.name.clone())),
            ast::Item::Subject(decl) => Some(Key::Subject(decl.name.name.clone())),
            ast::Item::Rate(rate) => {
                let (a, b) = (rate.currency.name.clone(), rate.per.name.clone());
                Some(if a <= b {
                    Key::Rate(a, b)
                } else {
                    Key::Rate(b, a)
                })
            }
            ast::Item::Test(test) => Some(Key::Test(test.name.value.clone())),
            ast::Item::Timezone(_) => Some(Key::Timezone),
            ast::Item::Header(_) | ast::Item::Schema(_) => None,
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Rule(name) => write!(f, "rule `{name}`"),
            Key::Let(name) => write!(f, "let `{name}`"),
            Key::Subject(name) => write!(f, "subject `{name}`"),
            Key::Rate(a, b) => write!(f, "rate {a}/{b}"),
            Key::Test(name) => write!(f, "test \"{name}\""),
            Key::Timezone => f.write_str("the time zone"),
        }
    }
}

/// A definition pushed out by a newer one, and where it was (`FILE:LINE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    pub key: Key,
    pub at: String,
}

#[derive(Debug, Clone)]
struct Entry {
    /// The path as given, or `<repl:N>` for input number N.
    name: String,
    /// The text checked: `original` less the definitions replaced since.
    text: String,
    original: String,
    typed: bool,
}

#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    entries: Vec<Entry>,
}

impl PolicySet {
    /// The set as checkable sources, in order.
    pub fn sources(&self) -> Sources {
        let mut sources = Sources::default();
        for entry in &self.entries {
            sources.add(entry.name.clone(), entry.text.clone());
        }
        sources
    }

    /// Adds a file or a snippet; a file already loaded under the same name is read
    /// anew in its place. Older definitions of the names it defines are replaced.
    pub fn add(&mut self, name: &str, text: &str, typed: bool) -> Vec<Replaced> {
        let entry = Entry {
            name: name.to_string(),
            text: text.to_string(),
            original: text.to_string(),
            typed,
        };
        let index = match self.entries.iter().position(|e| !typed && e.name == name) {
            Some(index) => {
                if let Some(old) = self.entries.get_mut(index) {
                    *old = entry;
                }
                index
            }
            None => {
                self.entries.push(entry);
                self.entries.len() - 1
            }
        };
        self.replace_older(index)
    }

    /// Gives entry `index` a new text (a rule continued by a clause).
    pub fn set_text(&mut self, index: usize, text: &str) -> Vec<Replaced> {
        if let Some(entry) = self.entries.get_mut(index) {
            entry.text = text.to_string();
            entry.original = text.to_string();
        }
        self.replace_older(index)
    }

    /// The text of entry `index`.
    pub fn text(&self, index: usize) -> Option<&str> {
        self.entries.get(index).map(|e| e.text.as_str())
    }

    /// The index of the last entry, if it was typed.
    pub fn last_typed(&self) -> Option<usize> {
        let last = self.entries.len().checked_sub(1)?;
        self.entries.get(last)?.typed.then_some(last)
    }

    /// Forgets what was typed and restores the loaded files as they were read.
    pub fn reset(&mut self) -> usize {
        let typed = self.entries.iter().filter(|e| e.typed).count();
        self.entries.retain(|e| !e.typed);
        for entry in &mut self.entries {
            entry.text = entry.original.clone();
        }
        typed
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn file_names(&self) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|e| !e.typed)
            .map(|e| e.name.as_str())
            .collect()
    }

    /// For each rule of the checked plan, in plan order, the source it comes from.
    pub fn rule_origins(&self) -> Vec<String> {
        let mut origins = Vec::new();
        for entry in &self.entries {
            let lines = LineIndex::new(&entry.text);
            for item in syntax::parse(&entry.text).file.items {
                if let ast::Item::Rule(rule) = item {
                    origins.push(location(&lines, &entry.name, rule.span));
                }
            }
        }
        origins
    }

    /// The text and place of the definition of `key`, if the set has one.
    pub fn definition(&self, key: &Key) -> Option<(String, String)> {
        for entry in &self.entries {
            for item in syntax::parse(&entry.text).file.items {
                if Key::of(&item).as_ref() == Some(key) {
                    let span = item.span();
                    let text = entry.text.get(span.range()).unwrap_or_default();
                    let lines = LineIndex::new(&entry.text);
                    return Some((text.to_string(), location(&lines, &entry.name, span)));
                }
            }
        }
        None
    }

    /// Blanks, in every other entry, the definitions entry `index` makes again;
    /// typed snippets left with nothing in them are dropped.
    fn replace_older(&mut self, index: usize) -> Vec<Replaced> {
        let Some(newest) = self.entries.get(index) else {
            return Vec::new();
        };
        let keys: HashSet<Key> = syntax::parse(&newest.text)
            .file
            .items
            .iter()
            .filter_map(Key::of)
            .collect();
        let mut replaced = Vec::new();
        for (i, entry) in self.entries.iter_mut().enumerate() {
            if i != index {
                replaced.extend(entry.blank(&keys));
            }
        }
        let mut i = 0;
        self.entries.retain(|e| {
            i += 1;
            !(e.typed && i - 1 != index && e.text.trim().is_empty())
        });
        replaced
    }
}

impl Entry {
    fn blank(&mut self, keys: &HashSet<Key>) -> Vec<Replaced> {
        let mut replaced = Vec::new();
        // Blanking keeps every offset and line, so one index serves them all.
        let lines = LineIndex::new(&self.text);
        for item in syntax::parse(&self.text).file.items {
            let Some(key) = Key::of(&item).filter(|k| keys.contains(k)) else {
                continue;
            };
            let span = item.span();
            replaced.push(Replaced {
                key,
                at: location(&lines, &self.name, span),
            });
            self.text = blanked(&self.text, span);
        }
        replaced
    }
}

/// `text` with the characters of `span` turned to spaces, byte for byte, so that
/// every offset after it stays valid.
fn blanked(text: &str, span: Span) -> String {
    let Some(inside) = text.get(span.range()) else {
        return text.to_string();
    };
    let spaces: String = inside
        .chars()
        .map(|c| {
            if c == '\n' {
                "\n".to_string()
            } else {
                " ".repeat(c.len_utf8())
            }
        })
        .collect();
    format!("{}{spaces}{}", &text[..span.start], &text[span.end..])
}

fn location(lines: &LineIndex, name: &str, span: Span) -> String {
    format!("{name}:{}", lines.line(span.start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_definition_wins_and_lines_stay() {
        let mut set = PolicySet::default();
        set.add(
            "a.policy",
            "let x = [a]\n\nrule r block import\nrule s flag import",
            false,
        );
        let replaced = set.add("<repl:1>", "rule r allow import", true);
        assert_eq!(
            replaced,
            vec![Replaced {
                key: Key::Rule("r".into()),
                at: "a.policy:3".into()
            }]
        );
        assert_eq!(set.rule_origins(), vec!["a.policy:4", "<repl:1>:1"]);
        set.add("<repl:2>", "rule r flag import", true);
        assert_eq!(
            set.sources().files().len(),
            2,
            "the emptied snippet is dropped"
        );
        assert_eq!(set.reset(), 1);
        assert_eq!(set.rule_origins(), vec!["a.policy:3", "a.policy:4"]);
    }
}
