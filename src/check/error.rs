//! Check errors: problems with a policy that parses but cannot mean what it says.

use std::sync::Arc;

use miette::{Diagnostic, NamedSource};
use thiserror::Error;

use crate::syntax::Span;

/// The other place a problem involves, in another file: drawn after the
/// problem, against its own file.
#[derive(Debug, Clone, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(severity(Advice))]
pub struct Elsewhere {
    pub message: String,
    #[source_code]
    pub code: NamedSource<Arc<str>>,
    #[label("{label}")]
    pub span: Span,
    pub label: String,
}

#[derive(Debug, Clone, Error, Diagnostic)]
pub enum CheckError {
    #[error("unknown {kind} `{name}`")]
    #[diagnostic(code(akar::check::unknown_name))]
    UnknownName {
        kind: &'static str,
        name: String,
        #[label("not defined")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("{kind} `{name}` is defined twice")]
    #[diagnostic(code(akar::check::duplicate_name))]
    Duplicate {
        kind: &'static str,
        name: String,
        #[label("defined again here")]
        span: Span,
        #[label("first defined here")]
        first: Option<Span>,
        #[help]
        help: Option<String>,
    },

    #[error("invalid number `{text}`")]
    #[diagnostic(
        code(akar::check::invalid_number),
        help(
            "write digits with an optional `.` decimal part; `_` may only separate digits, as in `1_500_000`"
        )
    )]
    InvalidNumber {
        text: String,
        #[label("not a number")]
        span: Span,
    },

    #[error("unknown time zone `{name}`")]
    #[diagnostic(code(akar::check::unknown_zone))]
    UnknownZone {
        name: String,
        #[label("not a time zone")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("a second time zone `{name}`, after `{first}`")]
    #[diagnostic(code(akar::check::two_zones))]
    TwoZones {
        name: String,
        first: String,
        #[label("another zone")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("a notice is not a decision")]
    #[diagnostic(
        code(akar::check::expect_notice),
        help(
            "a `notice` rule does not change the decision: write `expect RULE applies` (or `does not apply`)"
        )
    )]
    ExpectNotice {
        #[label("`expect notice`")]
        span: Span,
    },

    #[error("`{text}` is not a word")]
    #[diagnostic(
        code(akar::check::not_a_word),
        help(
            "`contains word` looks for letters or digits between word boundaries; for punctuation use `contains`"
        )
    )]
    NotAWord {
        text: String,
        #[label("no letter or digit")]
        span: Span,
    },

    #[error("invalid pattern `{pattern}`: {problem}")]
    #[diagnostic(
        code(akar::check::invalid_pattern),
        help(
            "patterns are regular expressions in the syntax of Rust's `regex` crate, e.g. `\"^(MD|ML) [0-9]{{12}}$\"`; a backslash in a string is written `\\\\`"
        )
    )]
    BadPattern {
        pattern: String,
        problem: String,
        #[label("{problem}")]
        span: Span,
    },

    #[error("invalid date `{text}`")]
    #[diagnostic(
        code(akar::check::invalid_date),
        help("dates are `YYYY-MM-DD` and must exist in the calendar, e.g. `2023-09-26`")
    )]
    InvalidDate {
        text: String,
        #[label("no such date")]
        span: Span,
    },

    #[error("`until` must come after `effective`")]
    #[diagnostic(
        code(akar::check::empty_period),
        help("a rule is in force on dates `effective <= d < until`; with these dates it never is")
    )]
    EmptyPeriod {
        #[label("effective from here")]
        effective: Span,
        #[label("until this date")]
        until: Span,
    },

    #[error("no rate converts `{from}` to `{to}`")]
    #[diagnostic(code(akar::check::no_rate))]
    NoRate {
        from: String,
        to: String,
        #[label("money in `{from}`")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("rates for `{currency}` disagree")]
    #[diagnostic(
        code(akar::check::conflicting_rates),
        help("declare each exchange rate once; akar derives the others from it")
    )]
    ConflictingRates {
        currency: String,
        #[label("this rate contradicts the ones before it")]
        span: Span,
    },

    #[error("the rates reaching `{currency}` are too large or too small to compare money exactly")]
    #[diagnostic(
        code(akar::check::inexact_rates),
        help(
            "akar compares money in decimals of up to 28 places and about 7.9e28; declare rates between currencies of closer value"
        )
    )]
    InexactRates {
        currency: String,
        #[label("this rate, chained with the others, leaves that range")]
        span: Span,
    },

    #[error("a rate must be positive")]
    #[diagnostic(
        code(akar::check::bad_rate),
        help(
            "write how much of the second currency one unit of the first is worth, e.g. `rate USD = 15_500 IDR`"
        )
    )]
    BadRate {
        #[label("not a positive amount")]
        span: Span,
    },

    #[error("{problem}")]
    #[diagnostic(code(akar::check::type_mismatch))]
    TypeMismatch {
        problem: String,
        #[label("{label}")]
        span: Span,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("{problem}")]
    #[diagnostic(code(akar::check::kind_clash))]
    KindClash {
        problem: String,
        #[label("{label}")]
        span: Span,
        label: String,
        #[label("{first_label}")]
        first: Option<Span>,
        first_label: String,
        #[related]
        elsewhere: Vec<Elsewhere>,
        #[help]
        help: String,
    },

    #[error("unknown field `{field}`")]
    #[diagnostic(code(akar::check::unknown_field))]
    UnknownField {
        field: String,
        #[label("not in the schema")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{value}` is not a value `{field}` can have")]
    #[diagnostic(code(akar::check::unknown_value))]
    UnknownValue {
        value: String,
        field: String,
        #[label("not one of `{field}`'s values")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("`{name}` is {what}, not {expected}")]
    #[diagnostic(code(akar::check::wrong_kind))]
    WrongKind {
        name: String,
        what: &'static str,
        expected: &'static str,
        #[label("used as {expected} here")]
        span: Span,
        #[label("defined here")]
        defined: Option<Span>,
        #[help]
        help: Option<String>,
    },

    #[error("`{name}` is defined through more than 64 other definitions")]
    #[diagnostic(
        code(akar::check::too_deep),
        help(
            "`let`s and subjects may be defined in terms of each other 64 deep; flatten the chain"
        )
    )]
    TooDeep {
        name: String,
        #[label("64 definitions deep here")]
        span: Span,
    },

    #[error("`{name}` is defined in terms of itself")]
    #[diagnostic(code(akar::check::cycle), help("break the cycle: {cycle}"))]
    Cycle {
        name: String,
        cycle: String,
        #[label("refers back to itself")]
        span: Span,
    },

    #[error("rule `{name}` overrides itself")]
    #[diagnostic(
        code(akar::check::self_override),
        help("a rule may only override other rules")
    )]
    SelfOverride {
        name: String,
        #[label("names its own rule")]
        span: Span,
    },

    #[error("rules override each other in a cycle: {cycle}")]
    #[diagnostic(
        code(akar::check::override_cycle),
        help(
            "an exception must be more specific than what it overrides; remove one of the `overrides`"
        )
    )]
    OverrideCycle {
        cycle: String,
        #[label("this override closes the cycle")]
        span: Span,
    },

    #[error("the match key {key} appears twice")]
    #[diagnostic(
        code(akar::check::duplicate_key),
        help("each key may lead to one value only; remove one")
    )]
    DuplicateKey {
        key: String,
        #[label("again here")]
        span: Span,
        #[label("first here")]
        first: Span,
    },

    #[error("this match arm can never be reached")]
    #[diagnostic(
        code(akar::check::unreachable_arm),
        help("`else` catches everything; put it last")
    )]
    UnreachableArm {
        #[label("after `else`")]
        span: Span,
        #[label("`else` here")]
        else_arm: Span,
    },

    #[error("the listing in this test is not a JSON object: {reason}")]
    #[diagnostic(
        code(akar::check::bad_test_listing),
        help("write the listing as JSON, e.g. `given {{\"cluster\": \"fashion\"}}`")
    )]
    BadTestListing {
        reason: String,
        #[label("invalid listing")]
        span: Span,
    },

    /// The checked policy broke an invariant of the plan: a bug in akar.
    #[error("internal error: the checked plan is inconsistent: {problem}")]
    #[diagnostic(
        code(akar::internal::plan),
        help("this is a bug in akar; please report it with the policy that caused it")
    )]
    Internal { problem: String },

    #[error("`let {name}` is never used")]
    #[diagnostic(
        code(akar::check::unused_let),
        severity(Warning),
        help("remove it, or use it in a rule")
    )]
    UnusedLet {
        name: String,
        #[label("defined here, used nowhere")]
        span: Span,
    },

    #[error("`let {name}` hides the listing field `{name}`")]
    #[diagnostic(
        code(akar::check::let_hides_field),
        severity(Warning),
        help(
            "rename the `let`: wherever `{name}` is read, it means the `let`, never the listing's own field"
        )
    )]
    LetHidesField {
        name: String,
        #[label("the schema declares a field of this name")]
        span: Span,
    },

    #[error("rule `{rule}` gives no reason")]
    #[diagnostic(
        code(akar::check::no_because),
        severity(Warning),
        help(
            "add `because \"...\"` naming its source: every decision the rule takes part in shows it"
        )
    )]
    NoBecause {
        rule: String,
        #[label("no `because`")]
        span: Span,
    },

    #[error("test \"{name}\" has no date")]
    #[diagnostic(
        code(akar::check::test_without_at),
        severity(Warning),
        help(
            "add `at YYYY-MM-DD`: without it the test runs on today's date, and its outcome changes as rules come into force"
        )
    )]
    TestWithoutAt {
        name: String,
        #[label("runs on today's date")]
        span: Span,
    },

    #[error("the condition of rule `{rule}` can never hold")]
    #[diagnostic(code(akar::check::never_holds), severity(Warning))]
    NeverHolds {
        rule: String,
        #[label("{why}")]
        span: Span,
        why: String,
        #[help]
        help: String,
    },

    #[error("the rate between `{pair}` is declared twice")]
    #[diagnostic(
        code(akar::check::duplicate_rate),
        severity(Warning),
        help("the two agree; keep one")
    )]
    SameRate {
        pair: String,
        #[label("declared again here")]
        span: Span,
        #[label("first declared here")]
        first: Option<Span>,
        #[related]
        elsewhere: Vec<Elsewhere>,
    },

    #[error("rates for `{pair}` disagree")]
    #[diagnostic(
        code(akar::check::conflicting_rates),
        help("declare each exchange rate once; akar derives the others from it")
    )]
    RateConflict {
        pair: String,
        #[label("contradicts the first")]
        span: Span,
        #[label("first declared here")]
        first: Option<Span>,
        #[related]
        elsewhere: Vec<Elsewhere>,
    },

    #[error("{message}")]
    #[diagnostic(code(akar::check::invalid))]
    Invalid {
        message: String,
        #[label("{label}")]
        span: Span,
        label: String,
        #[help]
        help: Option<String>,
    },
}
