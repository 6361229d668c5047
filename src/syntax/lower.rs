//! Lowering: one small function per grammar rule, from pest pairs to the AST.
//!
//! The grammar guarantees the shape of each pair; a shape it does not allow is an
//! internal error ([`SyntaxError::Internal`]), never a panic.

use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::error::SyntaxError;
use super::parser::Rule;
use super::span::Span;

type Result<T> = std::result::Result<T, Vec<SyntaxError>>;

/// Where the pairs of one item sit in the file: pest saw only the item's text.
#[derive(Clone, Copy)]
struct Ctx {
    base: usize,
}

impl Ctx {
    fn span(self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.base + s.start(), self.base + s.end())
    }

    fn internal(self, pair: &Pair<Rule>) -> Vec<SyntaxError> {
        vec![SyntaxError::Internal {
            rule: format!("{:?}", pair.as_rule()),
            span: self.span(pair),
        }]
    }

    fn missing(self, span: Span, what: &str) -> Vec<SyntaxError> {
        vec![SyntaxError::Internal {
            rule: what.to_string(),
            span,
        }]
    }
}

/// Lowers one `item` pair read at byte `base` of its file.
pub(super) fn item(pair: Pair<Rule>, base: usize) -> Result<Item> {
    let cx = Ctx { base };
    let span = cx.span(&pair);
    let inner = next(cx, &mut pair.into_inner(), span, "item")?;
    match inner.as_rule() {
        Rule::policy_header => header(cx, inner).map(Item::Header),
        Rule::rate_decl => rate(cx, inner).map(Item::Rate),
        Rule::timezone_decl => {
            let span = cx.span(&inner);
            let mut pairs = inner.into_inner();
            let name = text(cx, next(cx, &mut pairs, span, "time zone")?)?;
            Ok(Item::Timezone(Timezone { name, span }))
        }
        Rule::let_decl => let_decl(cx, inner).map(Item::Let),
        Rule::subject_decl => subject(cx, inner).map(Item::Subject),
        Rule::schema_decl => schema(cx, inner).map(Item::Schema),
        Rule::named_rule | Rule::unnamed_rule => rule(cx, inner).map(|r| Item::Rule(Box::new(r))),
        Rule::test_block => test_block(cx, inner).map(Item::Test),
        _ => Err(cx.internal(&inner)),
    }
}

/// The next pair that is not a keyword: keywords only guide the grammar.
fn next<'i>(
    cx: Ctx,
    pairs: &mut Pairs<'i, Rule>,
    span: Span,
    what: &str,
) -> Result<Pair<'i, Rule>> {
    pairs
        .find(|p| !is_keyword(p.as_rule()))
        .ok_or_else(|| cx.missing(span, what))
}

/// Keywords and closing brackets only guide the grammar; they carry no meaning.
fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::close_paren | Rule::close_bracket | Rule::close_brace | Rule::assign | Rule::arrow
    ) || format!("{rule:?}").starts_with("kw_")
}

fn header(cx: Ctx, pair: Pair<Rule>) -> Result<Header> {
    let span = cx.span(&pair);
    let mut pairs = pair.into_inner();
    let name = text(cx, next(cx, &mut pairs, span, "policy name")?)?;
    let (mut title, mut source) = (None::<Text>, None::<Text>);
    for field in pairs.filter(|p| p.as_rule() == Rule::header_field) {
        let mut inner = field.into_inner();
        let key = inner.next().map(|p| p.as_rule());
        let value = text(cx, next(cx, &mut inner, span, "header value")?)?;
        let (slot, label) = match key {
            Some(Rule::kw_title) => (&mut title, "title"),
            _ => (&mut source, "source"),
        };
        if let Some(first) = slot {
            let (first, second) = (first.span, value.span);
            return Err(vec![SyntaxError::DuplicateField {
                field: label,
                first,
                second,
            }]);
        }
        *slot = Some(value);
    }
    Ok(Header {
        name,
        title,
        source,
        span,
    })
}

fn rate(cx: Ctx, pair: Pair<Rule>) -> Result<Rate> {
    let span = cx.span(&pair);
    let mut pairs = pair.into_inner();
    let currency = ident(cx, next(cx, &mut pairs, span, "currency")?);
    let amount = literal(cx, next(cx, &mut pairs, span, "rate amount")?)?;
    let per = ident(cx, next(cx, &mut pairs, span, "currency")?);
    Ok(Rate {
        currency,
        amount,
        per,
        span,
    })
}

fn let_decl(cx: Ctx, pair: Pair<Rule>) -> Result<Let> {
    let span = cx.span(&pair);
    let mut pairs = pair.into_inner();
    let name = ident(cx, next(cx, &mut pairs, span, "let name")?);
    let value_pair = next(cx, &mut pairs, span, "let value")?;
    let value = match value_pair.as_rule() {
        Rule::match_expr => LetValue::Match(match_expr(cx, value_pair)?),
        _ => match condition(cx, value_pair)? {
            Cond {
                kind: CondKind::Bare(expr),
                ..
            } => LetValue::Value(expr),
            cond => LetValue::Condition(cond),
        },
    };
    Ok(Let { name, value, span })
}

fn match_expr(cx: Ctx, pair: Pair<Rule>) -> Result<Match> {
    let span = cx.span(&pair);
    let mut pairs = pair.into_inner();
    let scrutinee = expr(cx, next(cx, &mut pairs, span, "match field")?)?;
    if !matches!(scrutinee.kind, ExprKind::Path(_)) {
        return Err(vec![SyntaxError::MatchOnValue {
            span: scrutinee.span,
        }]);
    }
    let arms = pairs
        .map(|arm| match_arm(cx, arm))
        .collect::<Result<Vec<_>>>()?;
    Ok(Match {
        scrutinee,
        arms,
        span,
    })
}

fn match_arm(cx: Ctx, pair: Pair<Rule>) -> Result<Arm> {
    let span = cx.span(&pair);
    let mut pairs = pair.into_inner();
    let pattern = next(cx, &mut pairs, span, "match pattern")?;
    let keys = match pattern.as_rule() {
        Rule::else_pattern => None,
        _ => Some(
            pattern
                .into_inner()
                .map(|k| list_item(cx, k))
                .collect::<Result<Vec<_>>>()?,
        ),
    };
    let value = expr(cx, next(cx, &mut pairs, span, "match value")?)?;
    Ok(Arm { keys, value, span })
}

fn subject(cx: Ctx, pair: Pair<Rule>) -> Result<SubjectDecl> {
    let span = cx.span(&pair);
    let mut pairs = pair.into_inner();
    let name = ident(cx, next(cx, &mut pairs, span, "subject name")?);
    let condition = condition(cx, next(cx, &mut pairs, span, "subject condition")?)?;
    Ok(SubjectDecl {
        name,
        condition,
        span,
    })
}

fn schema(cx: Ctx, pair: Pair<Rule>) -> Result<Schema> {
    let span = cx.span(&pair);
    let fields = pair
        .into_inner()
        .filter(|p| p.as_rule() == Rule::schema_field)
        .map(|field| schema_field(cx, field))
        .collect::<Result<Vec<_>>>()?;
    Ok(Schema { fields, span })
}

fn schema_field(cx: Ctx, pair: Pair<Rule>) -> Result<SchemaField> {
    let span = cx.span(&pair);
    let mut pairs = pair.into_inner();
    let path = match expr(cx, next(cx, &mut pairs, span, "field")?)?.kind {
        ExprKind::Path(path) => path,
        _ => return Err(cx.missing(span, "field")),
    };
    let kind_pair = next(cx, &mut pairs, span, "kind")?;
    let word = kind_pair
        .into_inner()
        .next()
        .ok_or_else(|| cx.missing(span, "kind"))?;
    let kind = match word.as_rule() {
        Rule::kw_text => FieldKind::Text,
        Rule::kw_number => FieldKind::Number,
        Rule::kw_boolean => FieldKind::Boolean,
        Rule::kw_date => FieldKind::Date,
        Rule::kw_money => FieldKind::Money,
        Rule::kw_object => FieldKind::Object,
        Rule::kind_list => FieldKind::ListOfText,
        Rule::kind_one_of => {
            let list = word
                .into_inner()
                .find(|p| p.as_rule() == Rule::list)
                .ok_or_else(|| cx.missing(span, "list"))?;
            match expr(cx, list)?.kind {
                ExprKind::List(items) => FieldKind::OneOf(items),
                _ => return Err(cx.missing(span, "list")),
            }
        }
        _ => return Err(cx.internal(&word)),
    };
    Ok(SchemaField { path, kind, span })
}

/// The clauses of a rule as they are read, each at most once.
#[derive(Default)]
struct Clauses {
    unless: Option<Cond>,
    because: Option<Text>,
    effective: Option<Literal>,
    until: Option<Literal>,
}

fn rule(cx: Ctx, pair: Pair<Rule>) -> Result<Rule_> {
    let span = cx.span(&pair);
    let mut name = None;
    let mut overrides = Vec::new();
    let mut head = None;
    let mut clauses = Clauses::default();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::kw_rule => {}
            Rule::ident => name = Some(ident(cx, part)),
            Rule::overrides => overrides = idents(cx, part),
            Rule::action_line => head = Some(action_line(cx, part)?),
            _ => clause(cx, part, &mut clauses)?,
        }
    }
    let (action, action_span, subject, condition) =
        head.ok_or_else(|| cx.missing(span, "action"))?;
    let Clauses {
        unless,
        because,
        effective,
        until,
    } = clauses;
    Ok(Rule_ {
        name,
        overrides,
        action,
        action_span,
        subject,
        condition,
        unless,
        because,
        effective,
        until,
        span,
    })
}

type Rule_ = super::ast::Rule;

fn idents(cx: Ctx, pair: Pair<Rule>) -> Vec<Ident> {
    pair.into_inner()
        .filter(|p| p.as_rule() == Rule::ident)
        .map(|p| ident(cx, p))
        .collect()
}

fn action_line(cx: Ctx, pair: Pair<Rule>) -> Result<(Action, Span, Ident, Option<Cond>)> {
    let span = cx.span(&pair);
    let mut pairs = pair.into_inner();
    let action_pair = next(cx, &mut pairs, span, "action")?;
    let action_span = cx.span(&action_pair);
    let action = action_of(cx, action_pair)?;
    let subject = ident(cx, next(cx, &mut pairs, span, "subject")?);
    let condition = match pairs.find(|p| p.as_rule() == Rule::condition) {
        Some(c) => Some(condition(cx, c)?),
        None => None,
    };
    Ok((action, action_span, subject, condition))
}

fn action_of(cx: Ctx, pair: Pair<Rule>) -> Result<Action> {
    let span = cx.span(&pair);
    let word = pair
        .into_inner()
        .next()
        .ok_or_else(|| cx.missing(span, "action"))?;
    match word.as_rule() {
        Rule::kw_block => Ok(Action::Block),
        Rule::kw_flag => Ok(Action::Flag),
        Rule::kw_allow => Ok(Action::Allow),
        Rule::kw_notice => Ok(Action::Notice),
        _ => Err(cx.internal(&word)),
    }
}

fn clause(cx: Ctx, pair: Pair<Rule>, clauses: &mut Clauses) -> Result<()> {
    let span = cx.span(&pair);
    let rule = pair.as_rule();
    let value = next(cx, &mut pair.into_inner(), span, "clause value")?;
    match rule {
        Rule::unless => set(&mut clauses.unless, condition(cx, value)?, "unless", |c| {
            c.span
        }),
        Rule::because => set(&mut clauses.because, text(cx, value)?, "because", |t| {
            t.span
        }),
        Rule::effective => set(
            &mut clauses.effective,
            literal(cx, value)?,
            "effective",
            |l| l.span,
        ),
        Rule::until => set(&mut clauses.until, literal(cx, value)?, "until", |l| l.span),
        _ => Err(cx.missing(span, "clause")),
    }
}

fn set<T>(
    slot: &mut Option<T>,
    value: T,
    clause: &'static str,
    span: fn(&T) -> Span,
) -> Result<()> {
    if let Some(first) = slot {
        let (first, second) = (span(first), span(&value));
        return Err(vec![SyntaxError::DuplicateClause {
            clause,
            first,
            second,
        }]);
    }
    *slot = Some(value);
    Ok(())
}

fn test_block(cx: Ctx, pair: Pair<Rule>) -> Result<TestBlock> {
    let span = cx.span(&pair);
    let mut pairs = pair.into_inner();
    let name = text(cx, next(cx, &mut pairs, span, "test name")?)?;
    let (mut at, mut given, mut expects) = (None, None, Vec::new());
    for part in pairs {
        let part_span = cx.span(&part);
        let mut inner = part.clone().into_inner();
        match part.as_rule() {
            Rule::test_at => at = Some(literal(cx, next(cx, &mut inner, part_span, "date")?)?),
            Rule::test_given => {
                let json = next(cx, &mut inner, part_span, "json")?;
                given = Some(Text {
                    value: json.as_str().to_string(),
                    span: cx.span(&json),
                });
            }
            Rule::test_expect => expects.push(Expectation {
                kind: expectation(cx, next(cx, &mut inner, part_span, "expect")?)?,
                span: part_span,
            }),
            _ => {}
        }
    }
    let given = given.ok_or_else(|| cx.missing(span, "given"))?;
    Ok(TestBlock {
        name,
        at,
        given,
        expects,
        span,
    })
}

fn expectation(cx: Ctx, pair: Pair<Rule>) -> Result<ExpectKind> {
    let span = cx.span(&pair);
    let rule = pair.as_rule();
    let parts: Vec<Pair<Rule>> = pair.into_inner().collect();
    let refs = |parts: &[Pair<Rule>]| -> Vec<Ident> {
        parts
            .iter()
            .filter(|p| p.as_rule() == Rule::rule_ref)
            .flat_map(|p| p.clone().into_inner().map(|i| ident(cx, i)))
            .collect()
    };
    if rule == Rule::expect_decision {
        let outcome = match parts.iter().find(|p| p.as_rule() == Rule::action) {
            Some(action) => Expected::Action(action_of(cx, action.clone())?),
            None => Expected::Error,
        };
        return Ok(ExpectKind::Decision {
            outcome,
            by: refs(&parts),
        });
    }
    let mut names = refs(&parts).into_iter();
    let subject = names.next().ok_or_else(|| cx.missing(span, "rule"))?;
    let how = parts
        .iter()
        .find(|p| p.as_rule() != Rule::rule_ref)
        .ok_or_else(|| cx.missing(span, "expectation"))?;
    Ok(match how.as_rule() {
        Rule::applies => ExpectKind::Applies {
            rule: subject,
            applies: true,
        },
        Rule::does_not_apply => ExpectKind::Applies {
            rule: subject,
            applies: false,
        },
        Rule::is_suppressed => {
            let by = how
                .clone()
                .into_inner()
                .filter(|p| p.as_rule() == Rule::rule_ref)
                .flat_map(|p| p.into_inner().map(|i| ident(cx, i)))
                .next();
            ExpectKind::Suppressed { rule: subject, by }
        }
        _ => return Err(cx.internal(how)),
    })
}

fn condition(cx: Ctx, pair: Pair<Rule>) -> Result<Cond> {
    let span = cx.span(&pair);
    let rule = pair.as_rule();
    let parts: Vec<Pair<Rule>> = pair
        .into_inner()
        .filter(|p| !is_keyword(p.as_rule()))
        .collect();
    match rule {
        Rule::condition | Rule::disjunct => {
            let mut conds = parts
                .into_iter()
                .map(|p| condition(cx, p))
                .collect::<Result<Vec<_>>>()?;
            if conds.len() == 1 {
                return conds.pop().ok_or_else(|| cx.missing(span, "condition"));
            }
            let kind = if rule == Rule::condition {
                CondKind::Or(conds)
            } else {
                CondKind::And(conds)
            };
            Ok(Cond { kind, span })
        }
        Rule::conjunct | Rule::group => {
            let inner = parts
                .into_iter()
                .next()
                .ok_or_else(|| cx.missing(span, "condition"))?;
            let mut cond = condition(cx, inner)?;
            if rule == Rule::group {
                cond.span = span;
            }
            Ok(cond)
        }
        Rule::negation => {
            let inner = parts
                .into_iter()
                .next()
                .ok_or_else(|| cx.missing(span, "condition"))?;
            Ok(Cond {
                kind: CondKind::Not(Box::new(condition(cx, inner)?)),
                span,
            })
        }
        Rule::comparison => comparison(cx, parts, span),
        _ => Err(vec![SyntaxError::Internal {
            rule: format!("{rule:?}"),
            span,
        }]),
    }
}

fn comparison(cx: Ctx, parts: Vec<Pair<Rule>>, span: Span) -> Result<Cond> {
    let mut parts = parts.into_iter();
    let subject = expr(cx, parts.next().ok_or_else(|| cx.missing(span, "operand"))?)?;
    let Some(test_pair) = parts.next() else {
        return Ok(Cond {
            kind: CondKind::Bare(subject),
            span,
        });
    };
    Ok(Cond {
        kind: CondKind::Test(subject, test(cx, test_pair)?),
        span,
    })
}

fn test(cx: Ctx, pair: Pair<Rule>) -> Result<Test> {
    let span = cx.span(&pair);
    let rule = pair.as_rule();
    let mut parts = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
    let operand = |parts: &mut dyn Iterator<Item = Pair<Rule>>| {
        parts
            .next()
            .ok_or_else(|| cx.missing(span, "operand"))
            .and_then(|p| expr(cx, p))
    };
    Ok(match rule {
        Rule::is_missing => Test::IsMissing,
        Rule::is_present => Test::IsPresent,
        Rule::in_test => Test::In(operand(&mut parts)?),
        Rule::not_in => Test::NotIn(operand(&mut parts)?),
        Rule::contains => Test::Contains(operand(&mut parts)?),
        Rule::contains_any => Test::ContainsAny(operand(&mut parts)?),
        Rule::starts_with => Test::StartsWith(operand(&mut parts)?),
        Rule::starts_with_any => Test::StartsWithAny(operand(&mut parts)?),
        Rule::ends_with => Test::EndsWith(operand(&mut parts)?),
        Rule::ends_with_any => Test::EndsWithAny(operand(&mut parts)?),
        Rule::contains_word => Test::ContainsWord(operand(&mut parts)?),
        Rule::contains_any_word => Test::ContainsAnyWord(operand(&mut parts)?),
        Rule::matches => Test::Matches(operand(&mut parts)?),
        Rule::compare => {
            let op_pair = parts.next().ok_or_else(|| cx.missing(span, "operator"))?;
            let op = cmp_op(op_pair.as_str()).ok_or_else(|| cx.internal(&op_pair))?;
            Test::Compare(op, operand(&mut parts)?)
        }
        _ => {
            return Err(vec![SyntaxError::Internal {
                rule: format!("{rule:?}"),
                span,
            }]);
        }
    })
}

fn cmp_op(text: &str) -> Option<CmpOp> {
    Some(match text {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        _ => return None,
    })
}

fn expr(cx: Ctx, pair: Pair<Rule>) -> Result<Expr> {
    let span = cx.span(&pair);
    let kind = match pair.as_rule() {
        Rule::path => {
            let segments: Vec<Ident> = pair.into_inner().map(|p| ident(cx, p)).collect();
            if segments.len() > super::limits::MAX_PATH {
                let path = segments
                    .iter()
                    .take(3)
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                return Err(vec![SyntaxError::PathTooLong {
                    path,
                    segments: segments.len(),
                    span,
                }]);
            }
            ExprKind::Path(segments)
        }
        Rule::list => ExprKind::List(
            pair.into_inner()
                .filter(|p| !is_keyword(p.as_rule()))
                .map(|p| list_item(cx, p))
                .collect::<Result<_>>()?,
        ),
        Rule::ident => ExprKind::Path(vec![ident(cx, pair)]),
        Rule::sum => return sum(cx, pair),
        _ => ExprKind::Literal(literal(cx, pair)?),
    };
    Ok(Expr { kind, span })
}

/// `a OP b OP c ...`, grouped: `*` and `/` first, then `+` and `-`, each left to
/// right. A lone operand is itself.
fn sum(cx: Ctx, pair: Pair<Rule>) -> Result<Expr> {
    let mut operands = Vec::new();
    let mut ops = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::arith_op => ops.push(match part.as_str() {
                "+" => ArithOp::Add,
                "-" => ArithOp::Sub,
                "*" => ArithOp::Mul,
                _ => ArithOp::Div,
            }),
            _ => operands.push(expr(cx, part)?),
        }
    }
    let join = |a: Expr, op: ArithOp, b: Expr| Expr {
        span: a.span.to(b.span),
        kind: ExprKind::Arith(Box::new(a), op, Box::new(b)),
    };
    let mut operands = operands.into_iter();
    let Some(first) = operands.next() else {
        return Err(vec![SyntaxError::Internal {
            rule: "sum".into(),
            span: Span::default(),
        }]);
    };
    // Terms of the sum, each a product folded as it is read.
    let mut terms: Vec<(ArithOp, Expr)> = vec![(ArithOp::Add, first)];
    for (op, operand) in ops.into_iter().zip(operands) {
        match op {
            ArithOp::Mul | ArithOp::Div => {
                if let Some((lead, last)) = terms.pop() {
                    terms.push((lead, join(last, op, operand)));
                }
            }
            ArithOp::Add | ArithOp::Sub => terms.push((op, operand)),
        }
    }
    let mut terms = terms.into_iter();
    let (_, mut total) = terms.next().ok_or_else(|| {
        vec![SyntaxError::Internal {
            rule: "sum".into(),
            span: Span::default(),
        }]
    })?;
    for (op, term) in terms {
        total = join(total, op, term);
    }
    Ok(total)
}

fn list_item(cx: Ctx, pair: Pair<Rule>) -> Result<Expr> {
    match pair.as_rule() {
        Rule::ident => Ok(Expr {
            span: cx.span(&pair),
            kind: ExprKind::Symbol(pair.as_str().to_string()),
        }),
        _ => expr(cx, pair),
    }
}

fn literal(cx: Ctx, pair: Pair<Rule>) -> Result<Literal> {
    let span = cx.span(&pair);
    let kind = match pair.as_rule() {
        Rule::number => LiteralKind::Number(pair.as_str().to_string()),
        Rule::percent => LiteralKind::Percent(pair.as_str().trim_end_matches('%').to_string()),
        Rule::date => LiteralKind::Date(pair.as_str().to_string()),
        Rule::boolean => LiteralKind::Bool(pair.as_str() == "true"),
        Rule::string => LiteralKind::Str(text(cx, pair)?.value),
        Rule::money => {
            let mut parts = pair.into_inner();
            let amount = next(cx, &mut parts, span, "amount")?.as_str().to_string();
            let currency = next(cx, &mut parts, span, "currency")?.as_str().to_string();
            LiteralKind::Money { amount, currency }
        }
        _ => return Err(cx.internal(&pair)),
    };
    Ok(Literal { kind, span })
}

fn text(cx: Ctx, pair: Pair<Rule>) -> Result<Text> {
    let span = cx.span(&pair);
    let body = pair.into_inner().next().map_or("", |p| p.as_str());
    Ok(Text {
        value: unescape(body),
        span,
    })
}

/// Resolves `\"`, `\\`, `\n` and `\t`; any other escaped character stands for itself.
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn ident(cx: Ctx, pair: Pair<Rule>) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: cx.span(&pair),
    }
}
