//! Money compared exactly across currencies, with the declared rates.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::plan::{Money, Rates};

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

/// Orders `a` against `b`, converting with the rates: `a.amount * worth(a)` against
/// `b.amount * worth(b)`, cross-multiplied so nothing is divided or rounded.
pub fn compare(rates: &Rates, a: &Money, b: &Money) -> Result<Ordering, MoneyError> {
    if a.currency == b.currency {
        return Ok(a.amount.cmp(&b.amount));
    }
    let no_rate = || MoneyError::NoRate {
        from: a.currency.clone(),
        to: b.currency.clone(),
    };
    let (wa, wb) = match (rates.worth.get(&a.currency), rates.worth.get(&b.currency)) {
        (Some(wa), Some(wb)) if wa.group == wb.group => (wa, wb),
        _ => return Err(no_rate()),
    };
    let left = mul(&[a.amount, wa.num, wb.den])?;
    let right = mul(&[b.amount, wb.num, wa.den])?;
    Ok(left.cmp(&right))
}

fn mul(factors: &[Decimal]) -> Result<Decimal, MoneyError> {
    factors.iter().try_fold(Decimal::ONE, |acc, f| {
        acc.checked_mul(*f).ok_or(MoneyError::Overflow)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Worth;

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
        Money {
            amount: Decimal::from(amount),
            currency: currency.into(),
        }
    }

    #[test]
    fn compares_exactly_across_currencies() {
        let rates = usd_idr();
        assert_eq!(
            compare(&rates, &money(1_550_000, "IDR"), &money(100, "USD")),
            Ok(Ordering::Equal)
        );
        assert_eq!(
            compare(&rates, &money(1_549_999, "IDR"), &money(100, "USD")),
            Ok(Ordering::Less)
        );
        assert!(matches!(
            compare(&rates, &money(1, "EUR"), &money(1, "USD")),
            Err(MoneyError::NoRate { .. })
        ));
    }
}
