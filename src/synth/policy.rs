//! Seeded synthetic policies of many rules, for the scaling benchmark and the
//! differential tests: what a marketplace's rule set looks like once category
//! closures, price floors per category and keyword bans add up.

use std::fmt::Write as _;

use super::{CATEGORIES, Rng};

/// The shape of a generated policy's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Every rule `block import where category == "…" and price < N USD and stock > M`.
    Gated,
    /// Cluster sets, missing certificates, keyword bans, domestic price caps and
    /// date tests, in turn, with effective dates on some.
    Mixed,
}

const CERTIFICATES: &[&str] = &["halal", "sni", "bpom"];
const COUNTRIES: &[&str] = &["CN", "SG", "MY", "TH", "KR", "ID"];

/// A policy of `rules` rules of `shape`; the same seed gives the same policy.
pub fn policy(shape: Shape, rules: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(rules.saturating_mul(160));
    let _ = writeln!(
        out,
        "// {rules} generated rules (akar generate --policy {} --rules {rules} --seed {seed})\n\
         rate USD = 15_500 IDR\n",
        match shape {
            Shape::Gated => "gated",
            Shape::Mixed => "mixed",
        }
    );
    for n in 0..rules {
        match shape {
            Shape::Gated => gated(&mut rng, n, &mut out),
            Shape::Mixed => mixed(&mut rng, n, &mut out),
        }
    }
    out
}

fn category(rng: &mut Rng) -> &'static str {
    rng.pick(CATEGORIES).0
}

fn gated(rng: &mut Rng, n: usize, out: &mut String) {
    let category = category(rng);
    let usd = 5 + rng.next_u64() % 300;
    let stock = rng.next_u64() % 2_000;
    let _ = write!(
        out,
        "rule gated_{n}\n  block import where category == \"{category}\" and price < {usd} USD and stock > {stock}\n  because \"{category}: imports under USD {usd} with more than {stock} in stock are closed\"\n\n"
    );
}

fn mixed(rng: &mut Rng, n: usize, out: &mut String) {
    let (action, subject, condition) = match n % 5 {
        0 => {
            let (a, b) = (rng.pick(CATEGORIES).1, rng.pick(CATEGORIES).1);
            let usd = 5 + rng.next_u64() % 300;
            (
                "block",
                "import",
                format!("cluster in [{a}, {b}] and price < {usd} USD"),
            )
        }
        1 => {
            let category = category(rng);
            let certificate = rng.pick(CERTIFICATES);
            (
                "flag",
                "listing",
                format!("category == \"{category}\" and certifications.{certificate} is missing"),
            )
        }
        2 => {
            // A word of the catalogue's titles, in turn, and a brand no title has.
            let words: Vec<&str> = CATEGORIES
                .iter()
                .flat_map(|(_, _, w)| w.iter().copied())
                .collect();
            let real = words.get(n / 5 % words.len().max(1)).unwrap_or(&"gamis");
            let idr = 10_000 + rng.next_u64() % 90 * 1_000;
            (
                "block",
                "import",
                format!(
                    "title contains any [\"{}\", \"merek{n}\"] and price < {idr} IDR",
                    real.to_lowercase()
                ),
            )
        }
        3 => {
            let category = category(rng);
            let idr = 1_000_000 + rng.next_u64() % 40 * 1_000_000;
            (
                "flag",
                "domestic",
                format!("category == \"{category}\" and price > {idr} IDR"),
            )
        }
        _ => {
            let country = rng.pick(COUNTRIES);
            let month = 1 + rng.next_u64() % 12;
            (
                "flag",
                "listing",
                format!("seller.country == \"{country}\" and listed_at < 2025-{month:02}-01"),
            )
        }
    };
    let _ = writeln!(
        out,
        "rule mixed_{n}\n  {action} {subject} where {condition}\n  because \"generated rule {n}\""
    );
    if rng.chance(0.2) {
        let _ = writeln!(out, "  effective 20{}-01-01", 20 + rng.next_u64() % 8);
    }
    out.push('\n');
}
