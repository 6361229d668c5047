//! The abstract syntax tree of one policy file.
//!
//! It holds what was written, with spans, and nothing of pest. Literals keep their
//! source text: the checker validates and converts them, so a bad date or number is
//! reported with every other check error instead of stopping the parse.

use super::span::Span;

/// One parsed `.policy` file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Header(Header),
    Rate(Rate),
    Timezone(Timezone),
    Let(Let),
    Subject(SubjectDecl),
    Schema(Schema),
    Rule(Box<Rule>),
    Test(TestBlock),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Header(h) => h.span,
            Item::Rate(r) => r.span,
            Item::Timezone(t) => t.span,
            Item::Let(l) => l.span,
            Item::Subject(s) => s.span,
            Item::Schema(s) => s.span,
            Item::Rule(r) => r.span,
            Item::Test(t) => t.span,
        }
    }
}

/// A name as written: a rule, a `let`, a subject, a field segment or a currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string literal, escapes resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub value: String,
    pub span: Span,
}

/// `policy "NAME" title "..." source "..."`
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub name: Text,
    pub title: Option<Text>,
    pub source: Option<Text>,
    pub span: Span,
}

/// `rate USD = 15_500 IDR`: one `currency` is worth `amount` of `per`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    pub currency: Ident,
    pub amount: Literal,
    pub per: Ident,
    pub span: Span,
}

/// `timezone "Asia/Jakarta"`: the zone local dates are taken in.
#[derive(Debug, Clone, PartialEq)]
pub struct Timezone {
    pub name: Text,
    pub span: Span,
}

/// `let NAME = VALUE | CONDITION | match ...`
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    pub name: Ident,
    pub value: LetValue,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LetValue {
    /// A literal, a list, or a bare word (another `let` or a symbol).
    Value(Expr),
    Condition(Cond),
    Match(Match),
}

/// `match category { "Batik", "Kebaya" => fashion, else => other }`
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub scrutinee: Expr,
    pub arms: Vec<Arm>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// `None` for the `else` arm.
    pub keys: Option<Vec<Expr>>,
    pub value: Expr,
    pub span: Span,
}

/// `subject import = seller.country != "ID"`
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectDecl {
    pub name: Ident,
    pub condition: Cond,
    pub span: Span,
}

/// `schema { FIELD: KIND, ... }`: the fields listings have, and their kinds.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub fields: Vec<SchemaField>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SchemaField {
    pub path: Vec<Ident>,
    pub kind: FieldKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text,
    Number,
    Boolean,
    Date,
    Money,
    Object,
    ListOfText,
    /// Text that is one of these values.
    OneOf(Vec<Expr>),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Below every decision: a notice never changes one.
    Notice,
    Allow,
    Flag,
    Block,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Notice => "notice",
            Action::Allow => "allow",
            Action::Flag => "flag",
            Action::Block => "block",
        }
    }
}

/// A named (`rule NAME ...`) or unnamed one-line rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: Option<Ident>,
    pub overrides: Vec<Ident>,
    pub action: Action,
    pub action_span: Span,
    pub subject: Ident,
    pub condition: Option<Cond>,
    pub unless: Option<Cond>,
    pub because: Option<Text>,
    pub effective: Option<Literal>,
    pub until: Option<Literal>,
    pub span: Span,
}

/// `test "NAME" { at DATE given {json} expect ... }`, with one or more `expect`s.
#[derive(Debug, Clone, PartialEq)]
pub struct TestBlock {
    pub name: Text,
    pub at: Option<Literal>,
    pub given: Text,
    pub expects: Vec<Expectation>,
    pub span: Span,
}

/// One `expect` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    pub kind: ExpectKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExpectKind {
    /// `expect ACTION [by RULE, ...]` or `expect error`: the decision.
    Decision { outcome: Expected, by: Vec<Ident> },
    /// `expect RULE applies` / `expect RULE does not apply`.
    Applies { rule: Ident, applies: bool },
    /// `expect RULE is suppressed [by RULE]`.
    Suppressed { rule: Ident, by: Option<Ident> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Action(Action),
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    pub kind: CondKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CondKind {
    Or(Vec<Cond>),
    And(Vec<Cond>),
    Not(Box<Cond>),
    /// `OPERAND TEST`, e.g. `price < 100 USD`.
    Test(Expr, Test),
    /// A lone operand: a condition `let`, a subject or a boolean field.
    Bare(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Compare(CmpOp, Expr),
    In(Expr),
    NotIn(Expr),
    IsMissing,
    IsPresent,
    Contains(Expr),
    ContainsAny(Expr),
    StartsWith(Expr),
    StartsWithAny(Expr),
    EndsWith(Expr),
    EndsWithAny(Expr),
    /// `contains word "x"`: `x` as a whole word (see the reference, "Words").
    ContainsWord(Expr),
    ContainsAnyWord(Expr),
    /// `matches "PATTERN"`: a regular expression, checked when the policy is.
    Matches(Expr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `seller.country`, or a bare word that names a `let`, a subject or a symbol.
    Path(Vec<Ident>),
    /// A bare word inside a list: always a symbol.
    Symbol(String),
    Literal(Literal),
    List(Vec<Expr>),
    /// `a * b`, `a + b`, ...: grouped by precedence when read.
    Arith(Box<Expr>, ArithOp, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

/// A literal with its source text; the checker converts it.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub kind: LiteralKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LiteralKind {
    Str(String),
    /// Digits as written, `_` included.
    Number(String),
    Money {
        amount: String,
        currency: String,
    },
    Date(String),
    Bool(bool),
    /// `7.5%`: the number as written, without the `%`.
    Percent(String),
}
