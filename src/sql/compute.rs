//! Computed comparisons (`price / pack_size < fob_floor`, `price < median * 20%`,
//! `brand_owner == seller.group`) in SQL, exactly: every constant factor and
//! exchange rate is multiplied out when compiling, so the query multiplies a
//! column by one small integer-like constant at most and never divides (a
//! division by a field becomes a multiplication on the other side, by the
//! sign of the divisor). Forms past that are diagnostics.

use rust_decimal::Decimal;

use super::expr::Expr;
use super::lower::{Lower, Lowered};
use crate::money::{Worth, exact_mul};
use crate::plan::{ArithOp, CmpOp, Comparison, FieldKind, Rule, Term, Value};

/// `base × num / den`, divided by `div` when there is one (`den > 0`).
#[derive(Clone)]
struct Lin {
    base: Option<Expr>,
    num: Decimal,
    den: Decimal,
    div: Option<Expr>,
}

impl Lin {
    fn of(base: Expr) -> Self {
        Lin {
            base: Some(base),
            num: Decimal::ONE,
            den: Decimal::ONE,
            div: None,
        }
    }

    fn constant(value: Decimal) -> Self {
        Lin {
            base: None,
            num: value,
            den: Decimal::ONE,
            div: None,
        }
    }

    fn is_constant(&self) -> bool {
        self.base.is_none() && self.div.is_none()
    }

    /// Times the constant `by`.
    fn times(mut self, by: Decimal) -> Option<Self> {
        self.num = exact_mul(self.num, by)?;
        Some(self)
    }

    /// Divided by the constant `by` (not zero).
    fn over(mut self, by: Decimal) -> Option<Self> {
        self.den = exact_mul(self.den, by)?;
        if self.den.is_sign_negative() {
            self.num = -self.num;
            self.den = -self.den;
        }
        Some(self)
    }
}

/// A computed value, and the fields it reads (all present, or it is missing).
enum Val {
    Number(Lin),
    Money(Lin, Expr),
    Text(Expr),
    Bool(Expr),
}

struct Computed {
    val: Val,
    reads: Vec<Expr>,
}

impl Lower<'_> {
    pub fn computed(&mut self, comparison: &Comparison, rule: &Rule) -> Lowered {
        match self.try_computed(comparison, rule) {
            Some(lowered) => lowered,
            None => {
                self.unsupported_in(
                    rule,
                    "a computed comparison beyond what SQL says exactly (sums, products of two fields, dates)",
                );
                Lowered {
                    value: Expr::Bool(false),
                    error: None,
                }
            }
        }
    }

    fn try_computed(&mut self, c: &Comparison, rule: &Rule) -> Option<Lowered> {
        let left = self.term(&c.left, rule)?;
        let right = self.term(&c.right, rule)?;
        let name = self.plan.term_name(&c.left);
        let mut reads = left.reads;
        reads.extend(right.reads);
        let present = Expr::and(reads.into_iter().map(|r| r.null_test().not()).collect());
        let (value, error) = match (left.val, right.val) {
            (Val::Text(a), Val::Text(b)) => {
                self.zoned(rule);
                (self.texts(a, c.op, b)?, None)
            }
            (Val::Bool(a), Val::Bool(b)) => (bools(a, c.op, b)?, None),
            (Val::Number(a), Val::Number(b))
            | (Val::Number(a), Val::Money(b, _))
            | (Val::Money(a, _), Val::Number(b)) => {
                let one = (Decimal::ONE, Decimal::ONE);
                let value = by_sign(&a, &b, c.op, |op| order(&a, op, &b, one))?;
                (value, division_error(&a, &b, &name, rule))
            }
            (Val::Money(a, ca), Val::Money(b, cb)) => {
                let value = by_sign(&a, &b, c.op, |op| self.monies(&a, &ca, op, &b, &cb))?;
                let divided = division_error(&a, &b, &name, rule);
                let no_rate = self.no_rate(&ca, &cb, &name, rule);
                let error = match divided {
                    Some(d) => Some(Expr::Coalesce(vec![d, no_rate])),
                    None => Some(no_rate),
                };
                (value, error)
            }
            _ => return None,
        };
        let missing = Expr::Bool(c.op == CmpOp::Ne);
        Some(Lowered {
            value: Expr::when(present.clone(), value, missing),
            error: error.map(|e| Expr::when(present, e, Expr::Null)),
        })
    }

    fn term(&mut self, term: &Term, rule: &Rule) -> Option<Computed> {
        let sure = |val| {
            Some(Computed {
                val,
                reads: Vec::new(),
            })
        };
        match term {
            Term::Const(Value::Number(n)) => sure(Val::Number(Lin::constant(*n))),
            Term::Const(Value::Money(m)) => sure(Val::Money(
                Lin::constant(m.amount),
                Expr::text(m.currency.clone()),
            )),
            Term::Const(Value::Text(t)) => sure(Val::Text(Expr::text(t.clone()))),
            Term::Const(Value::Bool(b)) => sure(Val::Bool(Expr::Bool(*b))),
            Term::Const(Value::Date(_)) => None,
            Term::Field(path) => {
                let kind = self.kind_of(path, rule.place)?;
                let col = Expr::col(&path.segments);
                let part = |name: &str| {
                    let mut segments = path.segments.clone();
                    segments.push(name.to_string());
                    Expr::col(&segments)
                };
                let val = match kind {
                    FieldKind::Number => Val::Number(Lin::of(col.clone())),
                    FieldKind::Money => Val::Money(Lin::of(part("amount")), part("currency")),
                    FieldKind::Text | FieldKind::OneOf(_) => Val::Text(col.clone()),
                    FieldKind::Boolean => Val::Bool(col.clone()),
                    _ => return None,
                };
                Some(Computed {
                    val,
                    reads: vec![col],
                })
            }
            Term::Derived(index) => {
                let derived = self.plan.derived().get(*index)?;
                let (val, read) = self.derived_value(derived, rule)?;
                Some(Computed {
                    val,
                    reads: vec![read],
                })
            }
            Term::Arith(a, op, b) => {
                let (a, b) = (self.term(a, rule)?, self.term(b, rule)?);
                let mut reads = a.reads;
                reads.extend(b.reads);
                let val = arith(a.val, *op, b.val)?;
                Some(Computed { val, reads })
            }
        }
    }

    /// A `match` yielding numbers or money, as a computed value.
    fn derived_value(
        &mut self,
        derived: &crate::plan::Derived,
        rule: &Rule,
    ) -> Option<(Val, Expr)> {
        let money = derived.values.iter().all(|v| v.get("currency").is_some());
        let numbers = derived.values.iter().all(serde_json::Value::is_number);
        let pick = |v: &serde_json::Value, key: Option<&str>| -> Option<Expr> {
            let v = match key {
                Some(key) => v.get(key)?,
                None => v,
            };
            match v {
                serde_json::Value::Number(n) => Some(Expr::Number(n.to_string().parse().ok()?)),
                serde_json::Value::String(s) => Some(Expr::text(s.clone())),
                _ => None,
            }
        };
        let field = |this: &mut Self, key: Option<&str>| {
            this.derived_with(derived, rule, &|v| pick(v, key))
        };
        if money {
            let amount = field(self, Some("amount"))?;
            let currency = field(self, Some("currency"))?;
            Some((Val::Money(Lin::of(amount.clone()), currency), amount))
        } else if numbers {
            let value = field(self, None)?;
            Some((Val::Number(Lin::of(value.clone())), value))
        } else {
            let value = self.derived(derived, rule)?;
            Some((Val::Text(value.clone()), value))
        }
    }

    fn texts(&self, a: Expr, op: CmpOp, b: Expr) -> Option<Expr> {
        // Two texts that are both dates compare as days, as akar compares them.
        let is_date = |x: &Expr| Expr::IsDate(Box::new(x.clone())).or_false();
        let day = |x: &Expr| Expr::DayOf(Box::new(x.clone()), self.zone.clone());
        let eq = Expr::when(
            Expr::and(vec![is_date(&a), is_date(&b)]),
            Expr::compare(day(&a), CmpOp::Eq, day(&b)).or_false(),
            Expr::compare(a, CmpOp::Eq, b).or_false(),
        );
        match op {
            CmpOp::Eq => Some(eq),
            CmpOp::Ne => Some(eq.not()),
            _ => None,
        }
    }

    /// Money against money: converted by the rates when the currencies differ.
    fn monies(&self, a: &Lin, ca: &Expr, op: CmpOp, b: &Lin, cb: &Expr) -> Option<Expr> {
        let same = Expr::compare(ca.clone(), CmpOp::Eq, cb.clone()).or_false();
        let mut arms = vec![(same, order(a, op, b, (Decimal::ONE, Decimal::ONE))?)];
        for (x, wx) in &self.currencies() {
            for (y, wy) in &self.currencies() {
                if x == y || wx.group != wy.group || !can_be(ca, x) || !can_be(cb, y) {
                    continue;
                }
                // a in x against b in y: a·wx.num·wy.den against b·wy.num·wx.den.
                let factors = (exact_mul(wx.num, wy.den)?, exact_mul(wy.num, wx.den)?);
                let when = Expr::and(vec![
                    Expr::compare(ca.clone(), CmpOp::Eq, Expr::text(x.clone())).or_false(),
                    Expr::compare(cb.clone(), CmpOp::Eq, Expr::text(y.clone())).or_false(),
                ]);
                arms.push((when, order(a, op, b, factors)?));
            }
        }
        Some(Expr::case(arms, Expr::Bool(false)))
    }

    fn currencies(&self) -> Vec<(String, Worth)> {
        let mut all: Vec<(String, Worth)> = self
            .plan
            .rates()
            .worth
            .iter()
            .map(|(c, w)| (c.clone(), *w))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// The message when no rate converts the left currency to the right one.
    fn no_rate(&self, ca: &Expr, cb: &Expr, name: &str, rule: &Rule) -> Expr {
        let known: Vec<(String, Worth)> = self.currencies();
        let mut convertible = vec![Expr::compare(ca.clone(), CmpOp::Eq, cb.clone()).or_false()];
        for (x, wx) in &known {
            for (y, wy) in &known {
                if x != y && wx.group == wy.group && can_be(ca, x) && can_be(cb, y) {
                    convertible.push(Expr::and(vec![
                        Expr::compare(ca.clone(), CmpOp::Eq, Expr::text(x.clone())).or_false(),
                        Expr::compare(cb.clone(), CmpOp::Eq, Expr::text(y.clone())).or_false(),
                    ]));
                }
            }
        }
        let message = Expr::Concat(vec![
            Expr::text("no rate converts `"),
            ca.clone(),
            Expr::text("` to `"),
            cb.clone(),
            Expr::text(format!(
                "` (field `{name}`, rule `{}`); declare one with `rate ",
                rule.label
            )),
            ca.clone(),
            Expr::text(" = ... "),
            cb.clone(),
            Expr::text("`"),
        ]);
        Expr::when(Expr::or(convertible).not(), message, Expr::Null)
    }
}

/// `x OP y` on computed values: only what keeps one column per side.
fn arith(x: Val, op: ArithOp, y: Val) -> Option<Val> {
    let constant = |v: &Val| match v {
        Val::Number(l) if l.is_constant() => Some(l.num / l.den),
        _ => None,
    };
    let scale = |v: Val, by: Decimal, divide: bool| -> Option<Val> {
        let apply = |l: Lin| if divide { l.over(by) } else { l.times(by) };
        match v {
            Val::Number(l) => Some(Val::Number(apply(l)?)),
            Val::Money(l, c) => Some(Val::Money(apply(l)?, c)),
            _ => None,
        }
    };
    match op {
        ArithOp::Mul => {
            if let Some(k) = constant(&y).filter(|_| exact_ratio(&y)) {
                return scale(x, k, false);
            }
            if let Some(k) = constant(&x).filter(|_| exact_ratio(&x)) {
                return scale(y, k, false);
            }
            None
        }
        ArithOp::Div => {
            if let Some(k) = constant(&y).filter(|k| !k.is_zero() && exact_ratio(&y)) {
                return scale(x, k, true);
            }
            // Divided by a field: kept aside, multiplied out when compared.
            let divisor = match y {
                Val::Number(l) if l.num == l.den && l.div.is_none() => l.base?,
                _ => return None,
            };
            let with = |mut l: Lin| {
                if l.div.is_some() {
                    return None;
                }
                l.div = Some(divisor);
                Some(l)
            };
            match x {
                Val::Number(l) => Some(Val::Number(with(l)?)),
                Val::Money(l, c) => Some(Val::Money(with(l)?, c)),
                _ => None,
            }
        }
        ArithOp::Add | ArithOp::Sub => None,
    }
}

/// A constant held as a whole fraction (`den` of one).
fn exact_ratio(v: &Val) -> bool {
    matches!(v, Val::Number(l) if l.den == Decimal::ONE)
}

fn bools(a: Expr, op: CmpOp, b: Expr) -> Option<Expr> {
    let eq = Expr::compare(a, CmpOp::Eq, b).or_false();
    match op {
        CmpOp::Eq => Some(eq),
        CmpOp::Ne => Some(eq.not()),
        _ => None,
    }
}

/// The comparison with a divisor multiplied out: by its sign (a zero divisor
/// is an error, see [`division_error`]).
fn by_sign(a: &Lin, b: &Lin, op: CmpOp, compare: impl Fn(CmpOp) -> Option<Expr>) -> Option<Expr> {
    let divisor = match (&a.div, &b.div) {
        (None, None) => return compare(op),
        (Some(d), None) | (None, Some(d)) => d.clone(),
        (Some(_), Some(_)) => return None,
    };
    let zero = || Expr::Number(Decimal::ZERO);
    Some(Expr::case(
        vec![
            (
                Expr::compare(divisor.clone(), CmpOp::Gt, zero()).or_false(),
                compare(op)?,
            ),
            (
                Expr::compare(divisor, CmpOp::Lt, zero()).or_false(),
                compare(flip(op))?,
            ),
        ],
        Expr::Bool(false),
    ))
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

fn division_error(a: &Lin, b: &Lin, name: &str, rule: &Rule) -> Option<Expr> {
    let divisor = a.div.as_ref().or(b.div.as_ref())?;
    let zero = Expr::compare(divisor.clone(), CmpOp::Eq, Expr::Number(Decimal::ZERO)).or_false();
    let message = Expr::text(format!(
        "division by zero computing with field `{name}` in rule `{}`",
        rule.label
    ));
    Some(Expr::when(zero, message, Expr::Null))
}

/// `a·fa OP b·fb` with each side's divisor moved to the other, all constants
/// multiplied out: `a.base · (a.num·b.den·fa) [· b.div] OP b.base · (b.num·a.den·fb) [· a.div]`.
fn order(a: &Lin, op: CmpOp, b: &Lin, (fa, fb): (Decimal, Decimal)) -> Option<Expr> {
    let ka = exact_mul(exact_mul(a.num, b.den)?, fa)?;
    let kb = exact_mul(exact_mul(b.num, a.den)?, fb)?;
    // Both sides divided by what they share: the smallest constants say it.
    let (ka, kb) = reduce(ka, kb)?;
    let left = product(a.base.as_ref(), ka, b.div.as_ref())?;
    let right = product(b.base.as_ref(), kb, a.div.as_ref())?;
    let wide = |e: Expr| Expr::Wide(Box::new(e));
    Some(Expr::compare(wide(left), op, wide(right)).or_false())
}

/// One column times a constant at most, in a form whose precision no engine
/// rounds: the column narrowed to 28 digits, the constant at most 9.
fn product(base: Option<&Expr>, k: Decimal, div: Option<&Expr>) -> Option<Expr> {
    let column = match (base, div) {
        // A `match` of constants times a column: the column times each constant.
        (Some(Expr::Case(arms, default)), Some(d)) => {
            let each = |value: &Expr| match value {
                Expr::Number(n) => product(None, exact_mul(*n, k)?, Some(d)),
                Expr::Null => Some(Expr::Null),
                _ => None,
            };
            let arms = arms
                .iter()
                .map(|(when, then)| Some((when.clone(), each(then)?)))
                .collect::<Option<Vec<_>>>()?;
            return Some(Expr::Case(arms, Box::new(each(default)?)));
        }
        (Some(_), Some(_)) => return None,
        (Some(c), None) | (None, Some(c)) => Some(c.clone()),
        (None, None) => None,
    };
    let Some(column) = column else {
        // Held by DECIMAL(38,20): 18 digits before the point, 20 after.
        let k = k.normalize();
        if k.scale() > 20 || k.abs() >= Decimal::from(1_000_000_000_000_000_000_i64) {
            return None;
        }
        return Some(Expr::Number(k));
    };
    if k == Decimal::ONE {
        return Some(column);
    }
    let k = k.normalize();
    let digits = k.mantissa().unsigned_abs().to_string().len();
    if digits > 9 || k.scale() > 9 {
        return None;
    }
    Some(Expr::Times(Box::new(column), k))
}

/// `(a, b)` divided by their greatest common divisor (as whole numbers at a
/// common scale), signs kept: the same comparison in the fewest digits.
fn reduce(a: Decimal, b: Decimal) -> Option<(Decimal, Decimal)> {
    let scale = a.scale().max(b.scale());
    let whole = |d: Decimal| -> Option<i128> {
        let mut d = d;
        d.rescale(scale);
        (d.scale() == scale).then(|| d.mantissa())
    };
    let (x, y) = (whole(a)?, whole(b)?);
    let (mut m, mut n) = (x.unsigned_abs(), y.unsigned_abs());
    while n != 0 {
        (m, n) = (n, m % n);
    }
    if m <= 1 {
        return Some((a, b));
    }
    let g = i128::try_from(m).ok()?;
    let back = |v: i128| {
        Decimal::try_from_i128_with_scale(v / g, scale)
            .ok()
            .map(|d| d.normalize())
    };
    Some((back(x)?, back(y)?))
}

/// Whether a currency can be `code`: a column can be any, a literal only
/// itself, a `match` only the currencies of its arms.
fn can_be(currency: &Expr, code: &str) -> bool {
    match currency {
        Expr::Text(t) => t == code,
        Expr::Null => false,
        Expr::Case(arms, default) => {
            arms.iter().any(|(_, then)| can_be(then, code)) || can_be(default, code)
        }
        _ => true,
    }
}
