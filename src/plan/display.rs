//! Plan conditions written back in policy syntax, for explanations, reports and
//! anything else that shows a condition to a person.

use std::fmt::{self, Display, Write as _};

use super::{CmpOp, Cond, Needle, Plan, Term, Test, Value, ValueSet};

/// Values as a policy writes them: symbols bare, other text quoted.
impl Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(t) if is_symbol(t) => f.write_str(t),
            Value::Text(t) => write_quoted(f, t),
            Value::Number(n) => write!(f, "{n}"),
            Value::Money(m) => write!(f, "{} {}", m.amount, m.currency),
            Value::Date(d) => write!(f, "{d}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// A list's values: text sorted (a set keeps no order), then the others as written.
impl Display for ValueSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut texts: Vec<&String> = self.texts.iter().collect();
        texts.sort();
        let items = texts
            .into_iter()
            .map(|t| Value::Text(t.clone()))
            .chain(self.others.iter().cloned());
        f.write_str("[")?;
        for (i, item) in items.enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{item}")?;
        }
        f.write_str("]")
    }
}

/// What follows the field in a test: `in [a, b]`, `< 100 USD`, `is missing`.
/// A bare boolean field (`Test::IsTrue`) has nothing after it.
impl Display for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Test::Compare(op, value) => write!(f, "{} {value}", op.as_str()),
            Test::In(set) => write!(f, "in {set}"),
            Test::Missing => f.write_str("is missing"),
            Test::Contains(needle) => write!(f, "contains {}", Quoted(needle)),
            Test::ContainsAny(needles) => write_needles(f, "contains any", needles),
            Test::StartsWith(needle) => write!(f, "starts with {}", Quoted(needle)),
            Test::StartsWithAny(needles) => write_needles(f, "starts with any", needles),
            Test::EndsWith(needle) => write!(f, "ends with {}", Quoted(needle)),
            Test::EndsWithAny(needles) => write_needles(f, "ends with any", needles),
            Test::ContainsWord(needle) => write!(f, "contains word {}", Quoted(needle)),
            Test::ContainsAnyWord(needles) => write_needles(f, "contains any word", needles),
            Test::Matches(pattern) => write!(f, "matches {:?}", pattern.source),
            Test::IsTrue => Ok(()),
        }
    }
}

fn write_needles(f: &mut fmt::Formatter<'_>, words: &str, needles: &[Needle]) -> fmt::Result {
    write!(f, "{words} [")?;
    for (i, needle) in needles.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}", Quoted(needle))?;
    }
    f.write_str("]")
}

struct Quoted<'a>(&'a Needle);

impl Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_quoted(f, &self.0.exact)
    }
}

fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

fn is_symbol(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !crate::syntax::keywords::RESERVED.contains(&text)
}

/// A plan condition in policy syntax. It needs the plan to name derived values.
pub struct CondText<'a> {
    plan: &'a Plan,
    cond: &'a Cond,
}

/// Shows `cond` as a policy would write it (`let`s and subjects already inlined).
pub fn show<'a>(plan: &'a Plan, cond: &'a Cond) -> CondText<'a> {
    CondText { plan, cond }
}

impl Display for CondText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plan = self.plan;
        match self.cond {
            // Only the subject `listing` compiles to an always-true condition.
            Cond::True => f.write_str("listing"),
            Cond::And(items) => join(f, plan, items, " and ", |c| matches!(c, Cond::Or(_))),
            Cond::Or(items) => join(f, plan, items, " or ", |_| false),
            Cond::Not(inner) => write_negated(f, plan, inner),
            Cond::Test(operand, Test::IsTrue) => f.write_str(plan.operand_name(operand)),
            Cond::Test(operand, test) => write!(f, "{} {test}", plan.operand_name(operand)),
            Cond::Compare(c) => write!(
                f,
                "{} {} {}",
                TermText {
                    plan,
                    term: &c.left
                },
                c.op.as_str(),
                TermText {
                    plan,
                    term: &c.right
                }
            ),
            Cond::Ref(id) => f.write_str(plan.shared_name(*id)),
        }
    }
}

/// A computed value as a policy writes it.
pub struct TermText<'a> {
    pub plan: &'a Plan,
    pub term: &'a Term,
}

impl Display for TermText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plan = self.plan;
        match self.term {
            Term::Field(path) => f.write_str(&path.dotted),
            Term::Derived(index) => {
                f.write_str(plan.derived().get(*index).map_or("?", |d| d.name.as_str()))
            }
            Term::Const(value) => write!(f, "{value}"),
            // The language has no parentheses for arithmetic: `*` and `/` bind
            // tighter than `+` and `-`, left to right, and the tree was read so.
            Term::Arith(a, op, b) => write!(
                f,
                "{} {} {}",
                TermText { plan, term: a },
                op.as_str(),
                TermText { plan, term: b }
            ),
        }
    }
}

fn join(
    f: &mut fmt::Formatter<'_>,
    plan: &Plan,
    items: &[Cond],
    separator: &str,
    needs_parens: impl Fn(&Cond) -> bool,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        if needs_parens(item) {
            write!(f, "({})", show(plan, item))?;
        } else {
            write!(f, "{}", show(plan, item))?;
        }
    }
    Ok(())
}

/// `not` written the way a policy would: `!=`, `is present`, `not in`.
fn write_negated(f: &mut fmt::Formatter<'_>, plan: &Plan, inner: &Cond) -> fmt::Result {
    match inner {
        Cond::Test(operand, test) => {
            let name = plan.operand_name(operand);
            match test {
                Test::Compare(CmpOp::Eq, value) => write!(f, "{name} != {value}"),
                Test::Missing => write!(f, "{name} is present"),
                Test::In(set) => write!(f, "{name} not in {set}"),
                Test::IsTrue => write!(f, "not {name}"),
                other => write!(f, "not {name} {other}"),
            }
        }
        Cond::And(_) | Cond::Or(_) | Cond::Not(_) => write!(f, "not ({})", show(plan, inner)),
        Cond::Ref(id) => write!(f, "not {}", plan.shared_name(*id)),
        Cond::Compare(_) => write!(f, "not ({})", show(plan, inner)),
        Cond::True => f.write_str("not listing"),
    }
}
