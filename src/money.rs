//! Exact money: amounts in currencies, the declared exchange rates, and
//! comparisons across currencies that never divide or round. Below the
//! pipeline's stages: the checker builds [`Rates`], the plan holds [`Money`]
//! literals, the evaluator compares with them.

use std::cmp::Ordering;

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// An amount in a currency, as a policy writes it: `100 USD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub amount: Decimal,
    pub currency: String,
}

impl Money {
    pub fn new(amount: Decimal, currency: impl Into<String>) -> Self {
        Money {
            amount,
            currency: currency.into(),
        }
    }
}

/// Exchange rates, as each currency's worth in a reference currency of its group.
///
/// Every currency connected by `rate` declarations gets a fraction `num / den` of
/// the group's reference currency; two amounts compare by cross-multiplying, so no
/// division and no rounding ever happens.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rates {
    pub worth: FxHashMap<String, Worth>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Worth {
    pub group: usize,
    pub num: Decimal,
    pub den: Decimal,
}

/// The same amount in another currency, as the exact fraction `num / den`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    pub currency: String,
    pub num: Decimal,
    pub den: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    NoRate { from: String, to: String },
    Overflow,
}

/// True if amounts in `a` and `b` can be compared.
pub fn convertible(rates: &Rates, a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (rates.worth.get(a), rates.worth.get(b)) {
        (Some(x), Some(y)) => x.group == y.group,
        _ => false,
    }
}

/// Orders a listing's `amount` in `currency` against a money literal, converting
/// with the rates: by one of the literal's `conversions` (see [`conversions`])
/// when one is for `currency`, else `amount * worth(currency)` against
/// `literal * worth(literal's currency)`, cross-multiplied so nothing is divided
/// or rounded.
pub fn compare(
    rates: &Rates,
    amount: Decimal,
    currency: &str,
    literal: &Money,
    conversions: &[Conversion],
) -> Result<Ordering, MoneyError> {
    if currency == literal.currency {
        return Ok(amount.cmp(&literal.amount));
    }
    if let Some(c) = conversions.iter().find(|c| c.currency == currency) {
        return Ok(if c.den == Decimal::ONE {
            amount.cmp(&c.num)
        } else {
            mul(&[amount, c.den])?.cmp(&c.num)
        });
    }
    let no_rate = || MoneyError::NoRate {
        from: currency.to_string(),
        to: literal.currency.clone(),
    };
    let (wa, wb) = match (
        rates.worth.get(currency),
        rates.worth.get(&literal.currency),
    ) {
        (Some(wa), Some(wb)) if wa.group == wb.group => (wa, wb),
        _ => return Err(no_rate()),
    };
    let left = mul(&[amount, wa.num, wb.den])?;
    let right = mul(&[literal.amount, wb.num, wa.den])?;
    Ok(left.cmp(&right))
}

/// `literal` in every currency of its rate group, so that a listing's price
/// compares with one multiplication at most.
pub fn conversions(rates: &Rates, literal: &Money) -> Vec<Conversion> {
    let Some(own) = rates.worth.get(&literal.currency) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (currency, worth) in &rates.worth {
        if worth.group != own.group || *currency == literal.currency {
            continue;
        }
        // literal * own / worth = (amount * own.num * worth.den) / (own.den * worth.num)
        let (Ok(num), Ok(den)) = (
            mul(&[literal.amount, own.num, worth.den]),
            mul(&[own.den, worth.num]),
        ) else {
            continue;
        };
        if den.is_zero() {
            continue;
        }
        let (num, den) = if (num % den).is_zero() {
            (num / den, Decimal::ONE)
        } else {
            (num, den)
        };
        out.push(Conversion {
            currency: currency.clone(),
            num: num.normalize(),
            den: den.normalize(),
        });
    }
    out
}

/// `a * b`, if it is exact: `None` when the product overflows or would need
/// more than the 28 decimal places a `Decimal` holds (it would be rounded).
pub fn exact_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (a, b) = (a.normalize(), b.normalize());
    if a.scale() + b.scale() > 28 {
        return None;
    }
    a.checked_mul(b)
}

fn mul(factors: &[Decimal]) -> Result<Decimal, MoneyError> {
    factors.iter().try_fold(Decimal::ONE, |acc, f| {
        exact_mul(acc, *f).ok_or(MoneyError::Overflow)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd_idr() -> Rates {
        let mut rates = Rates::default();
        rates.worth.insert(
            "IDR".into(),
            Worth {
                group: 0,
                num: Decimal::ONE,
                den: Decimal::ONE,
            },
        );
        rates.worth.insert(
            "USD".into(),
            Worth {
                group: 0,
                num: Decimal::from(15_500),
                den: Decimal::ONE,
            },
        );
        rates
    }

    fn money(amount: i64, currency: &str) -> Money {
        Money::new(Decimal::from(amount), currency)
    }

    #[test]
    fn compares_exactly_across_currencies() {
        let rates = usd_idr();
        let usd100 = money(100, "USD");
        let precomputed = conversions(&rates, &usd100);
        for converted in [&[][..], &precomputed] {
            assert_eq!(
                compare(&rates, Decimal::from(1_550_000), "IDR", &usd100, converted),
                Ok(Ordering::Equal)
            );
            assert_eq!(
                compare(&rates, Decimal::from(1_549_999), "IDR", &usd100, converted),
                Ok(Ordering::Less)
            );
            assert!(matches!(
                compare(&rates, Decimal::ONE, "EUR", &usd100, converted),
                Err(MoneyError::NoRate { .. })
            ));
        }
    }

    #[test]
    fn converts_literals_into_every_connected_currency() {
        let rates = usd_idr();
        let idr = money(1_550_000, "IDR");
        let precomputed = conversions(&rates, &idr);
        assert_eq!(
            precomputed,
            vec![Conversion {
                currency: "USD".into(),
                num: Decimal::from(100),
                den: Decimal::ONE
            }]
        );
        assert_eq!(
            compare(&rates, Decimal::from(100), "USD", &idr, &precomputed),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            compare(&rates, Decimal::new(9999, 2), "USD", &idr, &precomputed),
            Ok(Ordering::Less)
        );
    }
}
