//! pest's expected-rule lists, said in words; the token that was found instead;
//! and did-you-mean help for misspelt keywords.

use super::keywords;
use super::lex;
use super::parser::{Rule, skip_trivia};
use super::span::Span;
use crate::fuzzy;

/// What the parser met where it failed.
pub(super) struct Found {
    /// A string opened but not closed on its line.
    pub unclosed_string: bool,
    pub text: String,
    pub span: Span,
    pub is_end: bool,
    /// The bare word found, if it was one.
    pub word: Option<String>,
    /// It follows a number: a currency would stand here.
    pub after_number: bool,
}

/// Describes the token at `at` for a message: `` `blok` ``, `a string`, `end of input`.
pub(super) fn found_at(src: &str, at: usize) -> Found {
    let at = skip_trivia(src, at.min(src.len()));
    let rest = &src[at..];
    let Some(first) = rest.chars().next() else {
        return Found {
            text: "the end of the policy".into(),
            span: last_token(src),
            is_end: true,
            word: None,
            unclosed_string: false,
            after_number: false,
        };
    };
    let word_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    if word_len > 0 {
        let word = &rest[..word_len];
        let text = format!("`{word}`");
        return Found {
            text,
            span: Span::new(at, at + word_len),
            is_end: false,
            word: Some(word.into()),
            unclosed_string: false,
            after_number: src.get(..at).is_some_and(|b| {
                b.trim_end()
                    .ends_with(|c: char| c.is_ascii_digit() || c == '_')
            }),
        };
    }
    let after = first.len_utf8();
    let closed = rest[after..]
        .find(['"', '\n'])
        .filter(|n| rest[after + n..].starts_with('"'));
    let (text, len) = match first {
        '"' => match closed {
            Some(n) => ("a string".to_string(), n + 2),
            None => (
                "a string that is never closed".to_string(),
                rest.find('\n').unwrap_or(rest.len()),
            ),
        },
        _ => {
            let op_len = ["==", "!=", "<=", ">=", "=>"]
                .iter()
                .find(|op| rest.starts_with(**op))
                .map_or(first.len_utf8(), |op| op.len());
            (format!("`{}`", &rest[..op_len]), op_len)
        }
    };
    Found {
        text,
        span: Span::new(at, at + len),
        is_end: false,
        word: None,
        unclosed_string: first == '"' && closed.is_none(),
        after_number: false,
    }
}

/// The last token of the input: where a label saying "the policy ends here" can
/// point (miette draws nothing at an offset past the last line).
fn last_token(src: &str) -> Span {
    let content = src.trim_end();
    let start = lex::trailing_run(content, |c| !c.is_whitespace());
    Span::new(start, content.len())
}

/// The phrases for what the parser expected, in a stable order.
pub(super) struct Expected {
    phrases: Vec<&'static str>,
    /// Keywords among the expected tokens, for did-you-mean.
    keywords: Vec<&'static str>,
}

impl Expected {
    /// Whether `phrase` is among what was expected.
    pub fn has(&self, phrase: &str) -> bool {
        self.phrases.contains(&phrase)
    }

    pub fn phrase(&self) -> String {
        match self.phrases.as_slice() {
            [] => "something else".into(),
            [one] => (*one).into(),
            [init @ .., last] => format!("{} or {}", init.join(", "), last),
        }
    }
}

const CONDITION: &str = "a condition";
const VALUE: &str = "a value";
const NAME: &str = "a name";
const CURRENCY: &str = "a currency code such as `IDR`";
const NEXT_ITEM: &str = "the next rule";
const ACTION: &str = "an action (`block`, `flag`, `allow` or `notice`)";
const TEST: &str = "a test such as `==`, `<`, `in`, `contains` or `is missing`";

pub(super) fn expected(positives: &[Rule]) -> Expected {
    let mut phrases: Vec<&'static str> = Vec::new();
    let mut keywords = Vec::new();
    for rule in positives {
        if let Some(word) = keyword(*rule) {
            keywords.push(word);
        }
        keywords.extend(words_of(*rule));
        let phrase = match rule {
            // An operator may follow any value; naming it after every value is noise.
            Rule::EOI | Rule::arith_op => continue,
            rule if is_item_start(*rule) => NEXT_ITEM,
            rule => phrase(*rule),
        };
        if !phrases.contains(&phrase) {
            phrases.push(phrase);
        }
    }
    if phrases.len() > 1 {
        // A number may always be followed by a currency; saying so is noise.
        phrases.retain(|p| *p != CURRENCY);
    }
    phrases.sort_by_key(|p| *p == NEXT_ITEM);
    // The words that begin a test are in its phrase already.
    if phrases.contains(&TEST) {
        phrases.retain(|p| {
            ![
                "`in`",
                "`is`",
                "`contains`",
                "`starts with`",
                "`ends with`",
                "`not`",
                "`matches`",
            ]
            .contains(p)
        });
    }
    // A condition or a value subsumes the narrower phrases that begin one.
    if phrases.contains(&CONDITION) {
        phrases.retain(|p| *p == CONDITION || !is_value_start(p));
    } else if phrases.iter().filter(|p| is_value_start(p)).count() > 2 {
        phrases.retain(|p| !is_value_start(p) && *p != NAME);
        phrases.insert(0, VALUE);
    }
    Expected { phrases, keywords }
}

fn is_value_start(phrase: &str) -> bool {
    [
        "a list",
        "money",
        "a date",
        "a number",
        "a string",
        "`true` or `false`",
        "a field",
        "`not`",
        "`(`",
        VALUE,
    ]
    .contains(&phrase)
}

fn phrase(rule: Rule) -> &'static str {
    match rule {
        Rule::item => "a rule, `let`, `rate`, `subject`, `test` or `policy` header",
        Rule::named_rule | Rule::unnamed_rule | Rule::action_line | Rule::action => ACTION,
        Rule::header_field => "`title` or `source`",
        Rule::overrides => "`overrides`",
        Rule::condition | Rule::disjunct | Rule::conjunct | Rule::negation | Rule::group => {
            CONDITION
        }
        Rule::comparison => CONDITION,
        rule if is_test(rule) => TEST,
        Rule::unless => "`unless`",
        Rule::because => "`because`",
        Rule::effective => "`effective`",
        Rule::until => "`until`",
        Rule::list => "a list",
        Rule::sum | Rule::percent => VALUE,
        Rule::money => "money",
        Rule::date => "a date",
        Rule::number => "a number",
        Rule::string | Rule::string_body => "a string",
        Rule::boolean => "`true` or `false`",
        Rule::path => "a field",
        Rule::ident | Rule::rule_ref => NAME,
        Rule::currency => CURRENCY,
        Rule::close_paren => "`)`",
        Rule::close_bracket => "`]`",
        Rule::match_expr => "`match`",
        Rule::match_arm | Rule::match_keys => "a match arm such as `\"Batik\" => fashion`",
        Rule::else_pattern => "`else`",
        Rule::json_object => "a JSON object",
        Rule::test_at => "`at`",
        Rule::schema_field => "a field and its kind, such as `price: money`",
        Rule::field_kind | Rule::kind_list | Rule::kind_one_of => {
            "a kind: `text`, `number`, `boolean`, `date`, `money`, `object`, `list of text` or `one of [...]`"
        }
        Rule::close_brace => "`}`",
        Rule::assign => "`=`",
        Rule::arrow => "`=>`",
        Rule::test_given => "`given`",
        Rule::test_expect => "`expect`",
        Rule::expect_decision => "a decision such as `block by RULE`, or `error`",
        Rule::expect_rule => "a rule and `applies`, `does not apply` or `is suppressed`",
        Rule::applies | Rule::does_not_apply | Rule::is_suppressed => {
            "`applies`, `does not apply` or `is suppressed`"
        }
        other => keyword(other).map_or("something else", keyword_phrase),
    }
}

/// The grammar's tests (`test` in `grammar/akar.pest`) and their parts.
fn is_test(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::compare
            | Rule::cmp_op
            | Rule::in_test
            | Rule::not_in
            | Rule::is_missing
            | Rule::is_present
            | Rule::contains_any
            | Rule::contains_any_word
            | Rule::contains
            | Rule::contains_word
            | Rule::starts_with
            | Rule::starts_with_any
            | Rule::ends_with
            | Rule::ends_with_any
            | Rule::matches
    )
}

fn is_item_start(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_policy
            | Rule::kw_rate
            | Rule::kw_timezone
            | Rule::kw_let
            | Rule::kw_subject
            | Rule::kw_schema
            | Rule::kw_rule
            | Rule::kw_block
            | Rule::kw_flag
            | Rule::kw_allow
            | Rule::kw_notice
            | Rule::kw_test
    )
}

fn keyword_phrase(word: &'static str) -> &'static str {
    KEYWORDS
        .iter()
        .find(|(_, w, _)| *w == word)
        .map_or("a keyword", |(_, _, phrase)| *phrase)
}

/// Every keyword rule, its word and its phrase.
const KEYWORDS: &[(Rule, &str, &str)] = &[
    (Rule::kw_policy, "policy", "`policy`"),
    (Rule::kw_title, "title", "`title`"),
    (Rule::kw_source, "source", "`source`"),
    (Rule::kw_rate, "rate", "`rate`"),
    (Rule::kw_timezone, "timezone", "`timezone`"),
    (Rule::kw_let, "let", "`let`"),
    (Rule::kw_subject, "subject", "`subject`"),
    (Rule::kw_schema, "schema", "`schema`"),
    (Rule::kw_text, "text", "a kind"),
    (Rule::kw_number, "number", "a kind"),
    (Rule::kw_boolean, "boolean", "a kind"),
    (Rule::kw_date, "date", "a kind"),
    (Rule::kw_money, "money", "a kind"),
    (Rule::kw_object, "object", "a kind"),
    (Rule::kw_list, "list", "a kind"),
    (Rule::kw_of, "of", "`of`"),
    (Rule::kw_one, "one", "a kind"),
    (Rule::kw_rule, "rule", "`rule`"),
    (Rule::kw_overrides, "overrides", "`overrides`"),
    (Rule::kw_block, "block", ACTION),
    (Rule::kw_flag, "flag", ACTION),
    (Rule::kw_allow, "allow", ACTION),
    (Rule::kw_notice, "notice", ACTION),
    (Rule::kw_where, "where", "`where`"),
    (Rule::kw_unless, "unless", "`unless`"),
    (Rule::kw_because, "because", "`because`"),
    (Rule::kw_effective, "effective", "`effective`"),
    (Rule::kw_until, "until", "`until`"),
    (Rule::kw_and, "and", "`and`"),
    (Rule::kw_or, "or", "`or`"),
    (Rule::kw_not, "not", "`not`"),
    (Rule::kw_in, "in", "`in`"),
    (Rule::kw_is, "is", "`is`"),
    (Rule::kw_missing, "missing", "`missing` or `present`"),
    (Rule::kw_present, "present", "`missing` or `present`"),
    (Rule::kw_contains, "contains", "`contains`"),
    (Rule::kw_any, "any", "`any`"),
    (Rule::kw_word, "word", "`word`"),
    (Rule::kw_matches, "matches", "`matches`"),
    (Rule::kw_starts, "starts", "`starts with`"),
    (Rule::kw_ends, "ends", "`ends with`"),
    (Rule::kw_with, "with", "`with`"),
    (Rule::kw_match, "match", "`match`"),
    (Rule::kw_else, "else", "`else`"),
    (Rule::kw_true, "true", "`true` or `false`"),
    (Rule::kw_false, "false", "`true` or `false`"),
    (Rule::kw_test, "test", "`test`"),
    (Rule::kw_at, "at", "`at`"),
    (Rule::kw_given, "given", "`given`"),
    (Rule::kw_expect, "expect", "`expect`"),
    (Rule::kw_by, "by", "`by`"),
    (Rule::kw_error, "error", "`error`"),
    (Rule::kw_applies, "applies", "`applies`"),
    (Rule::kw_apply, "apply", "`apply`"),
    (Rule::kw_does, "does", "`does not apply`"),
    (Rule::kw_suppressed, "suppressed", "`suppressed`"),
];

/// The keywords a rule that is not itself a keyword begins with: what a
/// misspelt word there may have meant.
fn words_of(rule: Rule) -> &'static [&'static str] {
    match rule {
        Rule::item => super::keywords::ITEM_STARTS,
        Rule::named_rule | Rule::unnamed_rule | Rule::action_line | Rule::action => {
            super::keywords::ACTIONS
        }
        Rule::header_field => &["title", "source"],
        rule if is_test(rule) => &["in", "not", "is", "contains", "starts", "ends", "matches"],
        Rule::unless => &["unless"],
        Rule::because => &["because"],
        Rule::effective => &["effective"],
        Rule::until => &["until"],
        Rule::test_at => &["at"],
        Rule::test_given => &["given"],
        Rule::test_expect => &["expect"],
        Rule::field_kind => &[
            "text", "number", "boolean", "date", "money", "object", "list", "one",
        ],
        Rule::applies | Rule::does_not_apply | Rule::is_suppressed => &["applies", "does", "is"],
        _ => &[],
    }
}

fn keyword(rule: Rule) -> Option<&'static str> {
    KEYWORDS
        .iter()
        .find(|(r, _, _)| *r == rule)
        .map(|(_, w, _)| *w)
}

pub(super) fn help(expected: &Expected, found: &Found) -> Option<String> {
    if let Some(word) = &found.word {
        if found_reserved(word) && expected.phrases.contains(&NAME) {
            return Some(format!("`{word}` is a reserved word; choose another name"));
        }
        // Only words that could stand here: `match` is no suggestion for
        // `matches` after a field, where a test is expected.
        let candidates: Vec<&str> = if expected.keywords.is_empty() {
            keywords::all().collect()
        } else {
            expected.keywords.clone()
        };
        if let Some(near) = fuzzy::did_you_mean(word, candidates.iter().copied()) {
            return Some(format!("did you mean `{near}`?"));
        }
        if found.after_number && word.chars().all(|c| c.is_ascii_alphabetic()) {
            let upper = word.to_ascii_uppercase();
            return Some(match upper.len() {
                3 => format!("currency codes are three capital letters: `{upper}`"),
                _ => "a currency code is three capital letters, e.g. `USD` or `IDR`".to_string(),
            });
        }
    }
    example_for(expected).map(str::to_string)
}

fn found_reserved(word: &str) -> bool {
    keywords::RESERVED.contains(&word)
}

fn example_for(expected: &Expected) -> Option<&'static str> {
    let first = *expected.phrases.first()?;
    Some(match first {
        CONDITION => "write a condition such as `cluster == fashion` or `price < 100 USD`",
        TEST => {
            "after a field comes a test, e.g. `title contains \"kw\"` or `price < 100 USD`; a field alone is a boolean"
        }
        VALUE => {
            "write a value: a string `\"x\"`, a number, money `100 USD`, a date `2024-01-01` or a list `[a, b]`"
        }
        ACTION => {
            "a rule reads `block SUBJECT where CONDITION`, e.g. `block import where cluster == fashion`"
        }
        "a string" => "strings are written in double quotes: `\"...\"`",
        "a date" => "dates are written as `YYYY-MM-DD`, e.g. `2023-09-26`",
        CURRENCY => "write a three-letter currency code in capitals, e.g. `rate USD = 15_500 IDR`",
        _ => return None,
    })
}

/// The keyword or operator just before `at`, to say where something was expected:
/// "expected a condition after `where`".
pub(super) fn keyword_before(src: &str, at: usize) -> Option<String> {
    let before = src.get(..at).unwrap_or(src).trim_end();
    let word_start = lex::trailing_run(before, |c| c.is_alphanumeric() || c == '_');
    let word = before.get(word_start..).unwrap_or_default();
    if !word.is_empty() {
        return keywords::all().any(|k| k == word).then(|| word.to_string());
    }
    ["==", "!=", "<=", ">=", "=>", "<", ">", "="]
        .iter()
        .find(|op| before.ends_with(**op))
        .map(|op| op.to_string())
}
