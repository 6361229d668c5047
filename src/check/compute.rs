//! Comparisons of computed values: arithmetic, a field against another field,
//! a `match` yielding a number or money. The checker catches what it can know
//! (arithmetic on text, money times money, a kind that clashes with the
//! field's), the evaluator the rest, as `error` decisions.

use super::types::Kind;
use super::values::LetValue;
use super::{CheckError, Checker};
use crate::plan::{ArithOp, CmpOp, Comparison, Cond, Operand, Term, Value};
use crate::syntax::{Span, ast};

/// What the checker knows of a computed value's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Number,
    Money,
    /// A number or money, as a field the checker knows no more of.
    Amount,
    Text,
    Date,
    Bool,
    Unknown,
}

impl Shape {
    fn of(value: &Value) -> Shape {
        match value {
            Value::Number(_) => Shape::Number,
            Value::Money(_) => Shape::Money,
            Value::Text(_) => Shape::Text,
            Value::Date(_) => Shape::Date,
            Value::Bool(_) => Shape::Bool,
        }
    }

    fn phrase(self) -> &'static str {
        match self {
            Shape::Number => "a number",
            Shape::Money => "money",
            Shape::Amount => "a number or money",
            Shape::Text => "text",
            Shape::Date => "a date",
            Shape::Bool => "a boolean",
            Shape::Unknown => "a value",
        }
    }
}

impl Checker<'_> {
    /// Whether `subject OP rhs` needs computing: arithmetic on either side, or
    /// a field, or a derived value, on the right.
    pub(super) fn is_computed(&self, subject: &ast::Expr, test: &ast::Test) -> bool {
        if matches!(subject.kind, ast::ExprKind::Arith(..)) {
            return true;
        }
        let ast::Test::Compare(_, rhs) = test else {
            return false;
        };
        match &rhs.kind {
            ast::ExprKind::Arith(..) => true,
            ast::ExprKind::Path(path) => match path.as_slice() {
                [word] => {
                    let name = word.name.as_str();
                    match self.names.lets.get(name) {
                        Some((_, decl)) => matches!(decl.value, ast::LetValue::Match(_)),
                        // A bare word is a symbol, unless the schema declares a
                        // field of that name: a typo must not become a field.
                        None => {
                            !self.names.is_subject(name) && self.schema.fields.contains_key(name)
                        }
                    }
                }
                _ => true,
            },
            _ => false,
        }
    }

    /// `subject OP rhs` as a computed comparison; `Cond::True` (reported) when
    /// it cannot hold any meaning.
    pub(super) fn computed(&mut self, subject: &ast::Expr, test: &ast::Test) -> Cond {
        let ast::Test::Compare(op, rhs) = test else {
            self.error(CheckError::Invalid {
                message: "arithmetic is only compared, with `==`, `!=`, `<`, `<=`, `>` or `>=`"
                    .into(),
                span: subject.span,
                label: "arithmetic here".into(),
                help: Some("write a comparison, e.g. `price / pack_size < 100 USD`".into()),
            });
            return Cond::True;
        };
        let (Some((left, l)), Some((right, r))) = (self.term(subject), self.term(rhs)) else {
            return Cond::True;
        };
        let ordered = !matches!(op, CmpOp::Eq | CmpOp::Ne);
        let comparable = match (l, r) {
            (Shape::Unknown, _) | (_, Shape::Unknown) => true,
            (Shape::Amount, Shape::Number | Shape::Money | Shape::Amount)
            | (Shape::Number | Shape::Money, Shape::Amount) => true,
            (Shape::Text, Shape::Date) | (Shape::Date, Shape::Text) => true,
            (a, b) => a == b,
        };
        if !comparable {
            self.mismatch(
                rhs.span,
                format!(
                    "`{}` compares {} with {}",
                    op.as_str(),
                    l.phrase(),
                    r.phrase()
                ),
                r.phrase(),
                Some("compare values of one kind: money with money, numbers with numbers".into()),
            );
            return Cond::True;
        }
        if ordered && matches!((l, r), (Shape::Bool, _) | (_, Shape::Bool)) {
            self.mismatch(
                rhs.span,
                format!(
                    "`{}` compares numbers, money and dates, not booleans",
                    op.as_str()
                ),
                "a boolean",
                None,
            );
            return Cond::True;
        }
        Cond::Compare(Box::new(Comparison {
            left,
            op: *op,
            right,
        }))
    }

    fn term(&mut self, expr: &ast::Expr) -> Option<(Term, Shape)> {
        match &expr.kind {
            ast::ExprKind::Arith(a, op, b) => {
                let (a_term, a_shape) = self.term(a)?;
                let (b_term, b_shape) = self.term(b)?;
                let shape = self.arith_shape(a_shape, *op, b_shape, expr.span)?;
                for (term, part) in [(&a_term, a), (&b_term, b)] {
                    if let Term::Field(path) = term {
                        self.infer_kind(&Operand::Field(path.clone()), Kind::Number, part.span);
                    }
                }
                Some((Term::Arith(Box::new(a_term), *op, Box::new(b_term)), shape))
            }
            ast::ExprKind::Path(path) => {
                if let [word] = path.as_slice()
                    && self.names.lets.contains_key(word.name.as_str())
                {
                    return self.let_term(word);
                }
                let operand = self.operand(expr)?;
                Some(match operand {
                    Operand::Field(path) => {
                        let shape = self.field_shape(&path.dotted);
                        (Term::Field(path), shape)
                    }
                    Operand::Derived(index) => (Term::Derived(index), self.derived_shape(index)),
                })
            }
            _ => {
                let value = self.rhs(expr);
                self.constant(
                    value,
                    expr.span,
                    "a comparison is with one value, not a list",
                )
            }
        }
    }

    /// One value as a constant term; a list is not one.
    fn constant(&mut self, value: LetValue, span: Span, problem: &str) -> Option<(Term, Shape)> {
        match value {
            LetValue::Scalar(value, _) => {
                let shape = Shape::of(&value);
                Some((Term::Const(value), shape))
            }
            LetValue::List(_) => {
                self.mismatch(
                    span,
                    problem.to_string(),
                    "a list",
                    Some("to test membership write `in [...]`".into()),
                );
                None
            }
            LetValue::Invalid => None,
        }
    }

    /// A `let` in a computation: a derived value, or a value.
    fn let_term(&mut self, word: &ast::Ident) -> Option<(Term, Shape)> {
        let name = word.name.as_str();
        let is_match = self
            .names
            .lets
            .get(name)
            .is_some_and(|(_, decl)| matches!(decl.value, ast::LetValue::Match(_)));
        if is_match {
            let index = self.derived_operand(name)?;
            return Some((Term::Derived(index), self.derived_shape(index)));
        }
        let value = self.let_value(name, word.span);
        self.constant(
            value,
            word.span,
            &format!("`{name}` is a list, not one value"),
        )
    }

    fn field_shape(&self, dotted: &str) -> Shape {
        use crate::plan::FieldKind;
        match self.schema.fields.get(dotted).map(|(kind, _)| kind) {
            Some(FieldKind::Number) => Shape::Number,
            Some(FieldKind::Money) => Shape::Money,
            Some(FieldKind::Text | FieldKind::OneOf(_)) => Shape::Text,
            Some(FieldKind::Date) => Shape::Date,
            Some(FieldKind::Boolean) => Shape::Bool,
            _ => Shape::Unknown,
        }
    }

    /// The kind every arm of a `match` yields, if they agree.
    fn derived_shape(&self, index: usize) -> Shape {
        let Some(derived) = self.derived.get(index) else {
            return Shape::Unknown;
        };
        let shape = |v: &serde_json::Value| match v {
            serde_json::Value::Number(_) => Shape::Number,
            serde_json::Value::String(_) => Shape::Text,
            serde_json::Value::Bool(_) => Shape::Bool,
            serde_json::Value::Object(_) => Shape::Money,
            _ => Shape::Unknown,
        };
        let mut shapes = derived.values.iter().map(shape);
        let first = shapes.next().unwrap_or(Shape::Unknown);
        if shapes.all(|s| s == first) {
            first
        } else {
            Shape::Unknown
        }
    }

    /// The kind `a OP b` has, or a check error where it has none.
    fn arith_shape(&mut self, a: Shape, op: ArithOp, b: Shape, span: Span) -> Option<Shape> {
        use Shape::{Amount, Money, Number, Unknown};
        let shape = match (a, op, b) {
            (Number, _, Number) => Some(Number),
            (Money, ArithOp::Add | ArithOp::Sub, Money) => Some(Money),
            (Money, ArithOp::Div, Money) => Some(Number),
            (Money, ArithOp::Mul | ArithOp::Div, Number) | (Number, ArithOp::Mul, Money) => {
                Some(Money)
            }
            (Unknown | Amount, _, Number | Amount | Unknown) | (Number, _, Amount | Unknown) => {
                Some(Amount)
            }
            (Unknown | Amount, _, Money) | (Money, _, Unknown | Amount) => Some(Amount),
            _ => None,
        };
        if shape.is_none() {
            let help = match (a, op, b) {
                (Money, ArithOp::Add | ArithOp::Sub, Number)
                | (Number, ArithOp::Add | ArithOp::Sub, Money) => {
                    "add money to money: write the number with its currency, e.g. `5 USD`"
                }
                (Money, ArithOp::Mul, Money) => {
                    "money times money has no meaning: multiply by a number"
                }
                (Number, ArithOp::Div, Money) => "divide money by a number, or money by money",
                _ => "arithmetic is on numbers and money",
            };
            self.mismatch(
                span,
                format!(
                    "cannot compute {} {} {}",
                    a.phrase(),
                    op.as_str(),
                    b.phrase()
                ),
                "no such arithmetic",
                Some(help.into()),
            );
        }
        shape
    }
}
