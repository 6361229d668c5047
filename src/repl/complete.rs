//! What Tab offers and what the grey hint suggests: keywords, commands, names from
//! the policies, fields and symbols seen in the listings. Pure functions over a
//! [`Vocabulary`], so they are tested without a terminal.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::commands::COMMANDS;
use super::help::TOPICS;
use super::listings::Listings;
use crate::plan::{Cond, Plan, Test, Value};
use crate::source::Sources;
use crate::syntax::{self, ast, lex};

/// Every word of the language and the built-in subjects.
pub fn keywords() -> impl Iterator<Item = &'static str> {
    crate::syntax::keywords::all().chain(["listing", "import", "domestic"])
}

/// How many listings are looked at for field names and symbols: enough to see a
/// catalogue's shape without walking all of a large one.
const SAMPLE: usize = 500;

/// The words known to a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    pub rules: Vec<String>,
    pub lets: Vec<String>,
    pub subjects: Vec<String>,
    /// Dotted field paths named in the policies or seen in the listings.
    pub fields: Vec<String>,
    /// Symbols and currencies used in the policies, and short word-like values
    /// seen in the listings.
    pub symbols: Vec<String>,
}

impl Vocabulary {
    pub fn gather(plan: &Plan, sources: &Sources, listings: &Listings) -> Vocabulary {
        let mut words = Words::default();
        for file in sources.files() {
            for item in syntax::parse(&file.text).file.items {
                words.item(&item);
            }
        }
        for rule in plan.rules() {
            words.cond(&rule.when);
        }
        for shared in plan.shared() {
            words.cond(&shared.cond);
        }
        words.symbols.extend(plan.rates().worth.keys().cloned());
        for listing in listings.all().iter().take(SAMPLE) {
            if let Ok(json) = &listing.json {
                words.json("", json);
            }
        }
        Vocabulary {
            rules: words.rules.into_iter().collect(),
            lets: words.lets.into_iter().collect(),
            subjects: words.subjects.into_iter().collect(),
            fields: words.fields.into_iter().collect(),
            symbols: words.symbols.into_iter().collect(),
        }
    }

    /// Everything a word in a policy line may complete to.
    fn words(&self) -> BTreeSet<&str> {
        let mut all: BTreeSet<&str> = keywords().collect();
        for list in [
            &self.rules,
            &self.lets,
            &self.subjects,
            &self.fields,
            &self.symbols,
        ] {
            all.extend(list.iter().map(String::as_str));
        }
        all
    }
}

#[derive(Default)]
struct Words {
    rules: BTreeSet<String>,
    lets: BTreeSet<String>,
    subjects: BTreeSet<String>,
    fields: BTreeSet<String>,
    symbols: BTreeSet<String>,
}

impl Words {
    fn item(&mut self, item: &ast::Item) {
        match item {
            ast::Item::Rule(rule) => {
                if let Some(name) = &rule.name {
                    self.rules.insert(name.name.clone());
                }
            }
            ast::Item::Let(decl) => {
                self.lets.insert(decl.name.name.clone());
            }
            ast::Item::Subject(decl) => {
                self.subjects.insert(decl.name.name.clone());
            }
            _ => {}
        }
    }

    fn cond(&mut self, cond: &Cond) {
        match cond {
            Cond::True => {}
            Cond::And(items) | Cond::Or(items) => items.iter().for_each(|c| self.cond(c)),
            // Named conditions are gathered once, from the plan's list of them.
            Cond::Ref(_) => {}
            Cond::Not(inner) => self.cond(inner),
            Cond::Test(operand, test) => {
                if let crate::plan::Operand::Field(path) = operand {
                    self.fields.insert(path.dotted.clone());
                }
                self.test(test);
            }
            Cond::Compare(comparison) => {
                for term in [&comparison.left, &comparison.right] {
                    term.visit(&mut |t| {
                        if let crate::plan::Term::Field(path) = t {
                            self.fields.insert(path.dotted.clone());
                        }
                    });
                }
            }
        }
    }

    fn test(&mut self, test: &Test) {
        match test {
            Test::Compare(_, Value::Text(t)) => self.symbol(t),
            Test::In(set) => set.texts.iter().for_each(|t| self.symbol(t)),
            _ => {}
        }
    }

    fn symbol(&mut self, text: &str) {
        if is_word(text) {
            self.symbols.insert(text.to_string());
        }
    }

    fn json(&mut self, prefix: &str, value: &Json) {
        match value {
            Json::Object(fields) => {
                for (key, inner) in fields {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    self.json(&path, inner);
                    self.fields.insert(path);
                }
            }
            Json::String(s) if s.len() <= 24 => self.symbol(s),
            _ => {}
        }
    }
}

fn is_word(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What Tab completes at a place in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Replace from this byte offset with one of these.
    Words(usize, Vec<String>),
    /// A file name (after `:load` and `:listings`).
    Files,
}

/// The candidates for the word before `pos` in `buffer`.
pub fn complete(vocab: &Vocabulary, buffer: &str, pos: usize) -> Completion {
    let before = buffer.get(..pos).unwrap_or(buffer);
    let start = lex::trailing_run(before, |c| {
        c.is_ascii_alphanumeric() || c == '_' || c == '.'
    });
    let word = before.get(start..).unwrap_or_default();
    let trimmed = before.trim_start();
    if let Some(command) = trimmed.strip_prefix(':') {
        return complete_command(vocab, command, start, word);
    }
    if word.is_empty() {
        return Completion::Words(start, Vec::new());
    }
    let words = if word.contains('.') {
        vocab.fields.iter().map(String::as_str).collect()
    } else {
        vocab.words()
    };
    let found = words
        .into_iter()
        .filter(|w| w.starts_with(word) && *w != word)
        .map(str::to_string)
        .collect();
    Completion::Words(start, found)
}

/// `:co` completes the command; after it, its argument.
fn complete_command(vocab: &Vocabulary, command: &str, start: usize, word: &str) -> Completion {
    let Some(space) = command.find(char::is_whitespace) else {
        let names = COMMANDS
            .iter()
            .filter(|c| c.name.starts_with(command))
            .map(|c| format!(":{}", c.name))
            .collect();
        return Completion::Words(start.saturating_sub(1), names);
    };
    let options: Vec<&str> = match &command[..space] {
        "load" | "l" | "listings" => return Completion::Files,
        "explain" => vocab.rules.iter().map(String::as_str).collect(),
        "help" | "h" => TOPICS
            .iter()
            .copied()
            .chain(COMMANDS.iter().map(|c| c.name))
            .collect(),
        "eval" | "reset" => vec!["all"],
        _ => Vec::new(),
    };
    let found = options
        .into_iter()
        .filter(|o| o.starts_with(word))
        .map(str::to_string)
        .collect();
    Completion::Words(start, found)
}

/// A grey suggestion after the cursor: the rest of the one command or word that
/// fits, and a command's arguments. `(shown, inserted by →)`.
pub fn hint(vocab: &Vocabulary, buffer: &str, pos: usize) -> Option<(String, Option<String>)> {
    if pos != buffer.len() || buffer.trim().is_empty() {
        return None;
    }
    if let Some(command) = buffer.trim_start().strip_prefix(':') {
        if command.contains(char::is_whitespace) {
            return None;
        }
        let mut fits = COMMANDS.iter().filter(|c| c.name.starts_with(command));
        let only = fits.next().filter(|_| fits.next().is_none())?;
        let rest = &only.name[command.len()..];
        let shown = if only.args.is_empty() {
            rest.to_string()
        } else {
            format!("{rest} {}", only.args)
        };
        return Some((shown, (!rest.is_empty()).then(|| rest.to_string())));
    }
    let Completion::Words(start, found) = complete(vocab, buffer, pos) else {
        return None;
    };
    let [only] = found.as_slice() else {
        return None;
    };
    let rest = only.get(pos - start..)?.to_string();
    (pos - start >= 2 && !rest.is_empty()).then(|| (rest.clone(), Some(rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary {
            rules: vec!["akar".into(), "min_price".into()],
            fields: vec!["seller".into(), "seller.country".into()],
            symbols: vec!["fashion".into()],
            ..Vocabulary::default()
        }
    }

    fn words(buffer: &str) -> Vec<String> {
        match complete(&vocab(), buffer, buffer.len()) {
            Completion::Words(_, words) => words,
            Completion::Files => vec!["<files>".into()],
        }
    }

    #[test]
    fn completes_by_context() {
        assert_eq!(words(":ex"), [":explain"]);
        assert_eq!(words(":explain m"), ["min_price"]);
        assert_eq!(words(":load po"), ["<files>"]);
        assert_eq!(words("block import where seller.c"), ["seller.country"]);
        assert_eq!(words("cluster == fa"), ["false", "fashion"]);
        assert_eq!(words("blo"), ["block"]);
    }

    #[test]
    fn hints_the_one_fit() {
        let v = vocab();
        assert_eq!(
            hint(&v, ":expl", 5),
            Some(("ain [RULE]".into(), Some("ain".into())))
        );
        assert_eq!(
            hint(&v, "x == fash", 9),
            Some(("ion".into(), Some("ion".into())))
        );
        assert_eq!(hint(&v, "f", 1), None);
    }
}
