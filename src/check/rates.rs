//! Exchange rates: each currency's worth in its group's reference currency, as an
//! exact fraction (see [`Rates`]).

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{CheckError, Checker};
use crate::money::{Rates, Worth, convertible, exact_mul};
use crate::source::FileId;
use crate::syntax::{Span, ast};
use crate::zone::Zone;

struct Edge {
    from: String,
    to: String,
    /// One `from` is worth `amount` of `to`.
    amount: Decimal,
    file: FileId,
    span: Span,
}

impl Checker<'_> {
    pub(super) fn rates(&mut self) -> Rates {
        let edges = self.rate_edges();
        let mut rates = Rates::default();
        let mut group = 0;
        for edge in &edges {
            for start in [&edge.from, &edge.to] {
                if !rates.worth.contains_key(start) {
                    rates.worth.insert(
                        start.clone(),
                        Worth {
                            group,
                            num: Decimal::ONE,
                            den: Decimal::ONE,
                        },
                    );
                    self.spread(&mut rates, &edges, group);
                    group += 1;
                }
            }
        }
        rates
    }

    /// The set's time zone: declared at most once (the same zone twice is
    /// fine), a known IANA name or a `+HH:MM` offset; UTC when none is.
    pub(super) fn zone(&mut self) -> Zone {
        let mut found: Option<(Zone, FileId, Span, String)> = None;
        for (file, parsed) in self.files.iter().enumerate() {
            for item in &parsed.items {
                let ast::Item::Timezone(decl) = item else {
                    continue;
                };
                let name = decl.name.value.as_str();
                self.file = file;
                let Some(zone) = Zone::parse(name) else {
                    let near = crate::fuzzy::did_you_mean(name, Zone::KNOWN.iter().copied());
                    self.error(CheckError::UnknownZone {
                        name: name.to_string(),
                        span: decl.name.span,
                        help: match near {
                            Some(near) => format!("did you mean `{near}`? Zones are IANA names such as `Asia/Jakarta` (WIB), `Asia/Makassar` (WITA), `Asia/Jayapura` (WIT), or offsets such as `+07:00`"),
                            None => "zones are IANA names such as `Asia/Jakarta` (WIB), `Asia/Makassar` (WITA), `Asia/Jayapura` (WIT), or offsets such as `+07:00`".into(),
                        },
                    });
                    continue;
                };
                match &found {
                    Some((first, first_file, _, first_name)) if *first != zone => {
                        let place = self.sources.location(*first_file, 0);
                        self.error(CheckError::TwoZones {
                            name: name.to_string(),
                            first: first_name.clone(),
                            span: decl.name.span,
                            help: format!(
                                "a policy set reads dates in one zone; `{first_name}` is declared in {}",
                                place.split(':').next().unwrap_or_default()
                            ),
                        });
                    }
                    Some(_) => {}
                    None => found = Some((zone, file, decl.name.span, name.to_string())),
                }
            }
        }
        found.map_or(Zone::Utc, |(zone, ..)| zone)
    }

    fn rate_edges(&mut self) -> Vec<Edge> {
        let mut edges: Vec<Edge> = Vec::new();
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for (file, parsed) in self.files.iter().enumerate() {
            self.file = file;
            for item in &parsed.items {
                let ast::Item::Rate(rate) = item else {
                    continue;
                };
                let Some(edge) = self.edge(file, rate) else {
                    continue;
                };
                let key = pair_key(&edge.from, &edge.to);
                match seen.get(&key).and_then(|i| edges.get(*i)) {
                    Some(first) => self.rate_again(first.file, first, &edge),
                    None => {
                        seen.insert(key, edges.len());
                        edges.push(edge);
                    }
                }
            }
        }
        edges
    }

    /// A rate between two currencies declared again: a warning if the two agree
    /// (either way round), an error if they do not.
    fn rate_again(&mut self, file: FileId, first: &Edge, again: &Edge) {
        let agree = if first.from == again.from {
            first.amount == again.amount
        } else {
            exact_mul(first.amount, again.amount) == Some(Decimal::ONE)
        };
        let pair = format!("{} and {}", again.from, again.to);
        let message = format!("the rate between `{pair}` is first declared");
        let (label, elsewhere) =
            self.other_place((file, first.span), "first declared here", &message);
        let error = if agree {
            CheckError::SameRate {
                pair,
                span: again.span,
                first: label,
                elsewhere,
            }
        } else {
            CheckError::RateConflict {
                pair,
                span: again.span,
                first: label,
                elsewhere,
            }
        };
        self.error(error);
    }

    fn edge(&mut self, file: FileId, rate: &ast::Rate) -> Option<Edge> {
        let ast::LiteralKind::Number(text) = &rate.amount.kind else {
            return None;
        };
        let amount = self.number(text, rate.amount.span)?;
        if amount <= Decimal::ZERO || rate.currency.name == rate.per.name {
            self.error(CheckError::BadRate { span: rate.span });
            return None;
        }
        Some(Edge {
            from: rate.currency.name.clone(),
            to: rate.per.name.clone(),
            amount,
            file,
            span: rate.span,
        })
    }

    /// Gives every currency reachable in `group` its worth, checking that rates
    /// closing a cycle agree with the worth already derived.
    fn spread(&mut self, rates: &mut Rates, edges: &[Edge], group: usize) {
        let mut changed = true;
        let mut inexact = vec![false; edges.len()];
        while changed {
            changed = false;
            for (at, edge) in edges.iter().enumerate() {
                let from = rates.worth.get(&edge.from).copied();
                let to = rates.worth.get(&edge.to).copied();
                let (currency, worth) = match (from, to) {
                    // worth(to) = worth(from) / amount
                    (Some(f), None) if f.group == group => (
                        &edge.to,
                        exact_mul(f.den, edge.amount).map(|den| Worth { den, ..f }),
                    ),
                    // worth(from) = amount * worth(to)
                    (None, Some(t)) if t.group == group => (
                        &edge.from,
                        exact_mul(edge.amount, t.num).map(|num| Worth { num, ..t }),
                    ),
                    _ => continue,
                };
                let Some(worth) = worth else {
                    if inexact
                        .get_mut(at)
                        .is_some_and(|seen| !std::mem::replace(seen, true))
                    {
                        let currency = currency.clone();
                        self.error_in(
                            edge.file,
                            CheckError::InexactRates {
                                currency,
                                span: edge.span,
                            },
                        );
                    }
                    continue;
                };
                rates.worth.insert(currency.clone(), worth);
                changed = true;
            }
        }
        for edge in edges {
            let (Some(f), Some(t)) = (rates.worth.get(&edge.from), rates.worth.get(&edge.to))
            else {
                continue;
            };
            if f.group == group && !agrees(*f, *t, edge.amount) {
                self.error_in(
                    edge.file,
                    CheckError::ConflictingRates {
                        currency: edge.from.clone(),
                        span: edge.span,
                    },
                );
            }
        }
    }

    /// Every currency used in money literals must convert to the reference
    /// currency (see [`reference_currency`]); each that cannot is reported.
    pub(super) fn check_money(&mut self, rates: &Rates) {
        let used = std::mem::take(&mut self.money_used);
        let Some(reference) = reference_currency(rates, &used) else {
            return;
        };
        for (file, currency, span) in used {
            if convertible(rates, &currency, &reference) {
                continue;
            }
            let help = format!("declare how they relate, e.g. `rate {currency} = ... {reference}`");
            self.error_in(
                file,
                CheckError::NoRate {
                    from: currency,
                    to: reference.clone(),
                    span,
                    help,
                },
            );
        }
    }
}

fn pair_key(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.into(), b.into())
    } else {
        (b.into(), a.into())
    }
}

/// worth(from) == amount * worth(to), cross-multiplied.
fn agrees(from: Worth, to: Worth, amount: Decimal) -> bool {
    match (
        exact_mul(from.num, to.den),
        exact_mul(amount, to.num).and_then(|x| exact_mul(x, from.den)),
    ) {
        (Some(left), Some(right)) => left == right,
        _ => false,
    }
}

/// The currency money literals are measured against: one from the group of
/// currencies used most often, preferring currencies that have rates. When rates
/// are declared, a literal must convert to them even if it is the only one (the
/// rates say which currencies listings are priced in).
fn reference_currency(rates: &Rates, used: &[(FileId, String, Span)]) -> Option<String> {
    let mut uses: Vec<(usize, bool, &str)> = Vec::new();
    for (_, currency, _) in used {
        let group = rates.worth.get(currency).map(|w| w.group);
        let in_group = |c: &str| {
            c == currency || (group.is_some() && rates.worth.get(c).map(|w| w.group) == group)
        };
        match uses.iter_mut().find(|(_, _, c)| in_group(c)) {
            Some(entry) => entry.0 += 1,
            None => uses.push((1, group.is_some(), currency)),
        }
    }
    let best = uses
        .iter()
        .max_by_key(|(n, has_rate, _)| (*n, *has_rate))
        .map(|(_, has_rate, c)| (*has_rate, c.to_string()));
    match best {
        Some((false, _)) | None if !rates.worth.is_empty() => {
            let mut known: Vec<&String> = rates.worth.keys().collect();
            known.sort();
            known.first().map(|c| c.to_string())
        }
        other => other.map(|(_, c)| c),
    }
}
