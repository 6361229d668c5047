//! The language's words, listed once for every part of akar that needs them
//! (did-you-mean, completion, highlighting, quoting symbols). A test checks the
//! list of reserved words against the grammar's `keyword` rule.

/// Words the grammar reserves: they cannot name a field, a `let` or a rule.
pub const RESERVED: &[&str] = &[
    "policy",
    "rate",
    "timezone",
    "let",
    "subject",
    "schema",
    "rule",
    "block",
    "flag",
    "allow",
    "notice",
    "where",
    "unless",
    "because",
    "effective",
    "until",
    "overrides",
    "and",
    "or",
    "not",
    "in",
    "is",
    "contains",
    "starts",
    "ends",
    "match",
    "else",
    "test",
    "true",
    "false",
];

/// Words with a meaning in one place only; they stay free for names, so a listing
/// may have a field called `title`.
pub const CONTEXTUAL: &[&str] = &[
    "title",
    "source",
    "missing",
    "present",
    "any",
    "word",
    "matches",
    "with",
    "at",
    "given",
    "expect",
    "by",
    "error",
    "text",
    "number",
    "boolean",
    "date",
    "money",
    "object",
    "list",
    "of",
    "one",
    "applies",
    "apply",
    "does",
    "suppressed",
];

/// Words that begin an item (`item_start` in the grammar).
pub const ITEM_STARTS: &[&str] = &[
    "policy", "rate", "timezone", "let", "subject", "schema", "rule", "block", "flag", "allow",
    "notice", "test",
];

/// The actions a rule may take.
pub const ACTIONS: &[&str] = &["block", "flag", "allow", "notice"];

/// Every word of the language, reserved or not.
pub fn all() -> impl Iterator<Item = &'static str> {
    RESERVED.iter().chain(CONTEXTUAL).copied()
}

#[cfg(test)]
mod tests {
    use super::{CONTEXTUAL, RESERVED};
    use crate::syntax::parse;

    #[test]
    fn reserved_words_are_exactly_those_the_grammar_refuses_as_names() {
        for word in RESERVED {
            assert!(
                !parse(&format!("let {word} = 1")).errors.is_empty(),
                "`{word}` is accepted as a name"
            );
        }
        for word in CONTEXTUAL {
            assert!(
                parse(&format!("let {word} = 1")).errors.is_empty(),
                "`{word}` is refused as a name"
            );
        }
    }
}
