//! What a piece of input is, and whether it is finished: the multi-line decision.
//!
//! Completeness is the parser's call, not a count of brackets: the input is
//! parsed as what it is (an item, a clause continuing a rule, a condition) and it
//! continues on the next line exactly when [`crate::syntax::Parsed::is_incomplete`]
//! says the input stopped in the middle of something.

use crate::syntax;

/// What the first word of the input makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Nothing but blanks and comments.
    Blank,
    /// `:name ...`
    Command,
    /// A policy item: a rule, `let`, `rate`, `subject`, `policy` header or `test`.
    Item,
    /// `where`, `because`, `unless`, `effective` or `until`: more of the last rule
    /// typed.
    Clause,
    /// Anything else is a condition, evaluated against the current listing.
    Condition,
}

/// Words that begin an item in the grammar (`item_start` in `grammar/akar.pest`).
pub(super) use crate::syntax::keywords::ITEM_STARTS;

/// Words that begin a rule's clause (`clause` in the grammar), and `where`, which
/// may follow an action line typed without a condition.
const CLAUSE_STARTS: &[&str] = &["where", "because", "unless", "effective", "until"];

/// A condition is checked as the `where` of this rule, which the session hides.
pub const CONDITION_RULE: &str = "__repl_condition";
pub const CONDITION_PREFIX: &str = "rule __repl_condition flag listing where ";

/// A clause alone is checked for completeness after a rule like this one.
const CLAUSE_PREFIX: &str = "rule __repl_clause flag listing ";

pub fn classify(input: &str) -> Kind {
    let rest = skip_comments(input);
    if rest.is_empty() {
        return Kind::Blank;
    }
    if rest.starts_with(':') {
        return Kind::Command;
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if ITEM_STARTS.contains(&word.as_str()) {
        Kind::Item
    } else if CLAUSE_STARTS.contains(&word.as_str()) {
        Kind::Clause
    } else {
        Kind::Condition
    }
}

/// The input after leading blanks and `//` comment lines.
fn skip_comments(input: &str) -> &str {
    let mut rest = input.trim_start();
    while rest.starts_with("//") {
        rest = rest.find('\n').map_or("", |n| &rest[n + 1..]).trim_start();
    }
    rest
}

/// True when the input stopped in the middle of something and the next line may
/// finish it: an unfinished rule, an open bracket or string, or an open JSON
/// object after `:listing`.
pub fn is_incomplete(input: &str) -> bool {
    match classify(input) {
        Kind::Blank => false,
        Kind::Command => command_is_incomplete(input),
        Kind::Item => syntax::parse(input).is_incomplete(),
        Kind::Clause => syntax::parse(&format!("{CLAUSE_PREFIX}{input}")).is_incomplete(),
        Kind::Condition => syntax::parse(&format!("{CONDITION_PREFIX}{input}")).is_incomplete(),
    }
}

/// Only `:listing {` spans lines: its JSON is incomplete when serde says the input
/// ended early.
fn command_is_incomplete(input: &str) -> bool {
    let rest = input.trim_start();
    let Some(json) = rest.strip_prefix(":listing") else {
        return false;
    };
    let json = json.trim();
    if json.is_empty() {
        return false;
    }
    serde_json::from_str::<serde_json::Value>(json).is_err_and(|e| e.is_eof())
}

/// What pressing Enter does with the input so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enter {
    /// Run the input.
    Submit,
    /// Start a new line of the same input.
    Continue,
}

/// Enter submits unless the input is incomplete; a blank last line submits
/// whatever is there, so an unfinished item can always be abandoned to its error.
pub fn on_enter(buffer: &str) -> Enter {
    let last_line_blank = buffer.contains('\n')
        && buffer
            .rsplit('\n')
            .next()
            .is_some_and(|l| l.trim().is_empty());
    if last_line_blank || !is_incomplete(buffer) {
        Enter::Submit
    } else {
        Enter::Continue
    }
}

/// Gathers lines into inputs the way the editor does, for reading without a
/// terminal: a line is added to the input while [`on_enter`] says to continue.
#[derive(Debug, Default)]
pub struct Lines {
    buffer: Option<String>,
    /// Brackets left open by the lines so far, and how many lines there are.
    open: i64,
    lines: usize,
}

/// Lines past which an input inside an open bracket is not parsed at each line.
const LONG_INPUT: usize = 100;

impl Lines {
    /// Adds a line; returns the finished input, if this line finished one.
    pub fn push(&mut self, line: &str) -> Option<String> {
        let buffer = match self.buffer.take() {
            Some(mut buffer) => {
                buffer.push('\n');
                buffer.push_str(line);
                buffer
            }
            None => {
                self.open = 0;
                self.lines = 0;
                line.to_string()
            }
        };
        // Only the new line is read to keep the count. A long input inside an
        // open bracket goes on (a blank line aside) without a parse of all of it,
        // so a long list pasted line by line costs its length, not its square;
        // a short one is parsed each line, as the editor does.
        // A line too long to read is not lexed either: the checker refuses it.
        if line.len() <= crate::syntax::limits::MAX_LINE {
            self.open += crate::syntax::lex::balance(line);
        }
        self.lines += 1;
        if self.open > 0 && self.lines > LONG_INPUT && !line.trim().is_empty() {
            self.buffer = Some(buffer);
            return None;
        }
        match on_enter(&buffer) {
            Enter::Submit => Some(buffer),
            Enter::Continue => {
                self.buffer = Some(buffer);
                None
            }
        }
    }

    /// True while an input is waiting for more lines.
    pub fn is_pending(&self) -> bool {
        self.buffer.is_some()
    }

    /// What is left when the input ends.
    pub fn finish(&mut self) -> Option<String> {
        self.buffer.take()
    }
}
