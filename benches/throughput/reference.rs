//! The reference: what a careful engineer would write by hand for the four rules
//! of `benches/four-rules.policy` — serde derive over borrowed strings, only the
//! needed fields, the rest skipped, the rules as plain Rust — writing the same
//! output records as akar.

use std::borrow::Cow;
use std::io::Write;

use serde::Deserialize;

#[derive(Deserialize)]
struct Listing<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow)]
    cluster: Option<Cow<'a, str>>,
    cross_border: Option<bool>,
    #[serde(borrow)]
    price: Option<Price<'a>>,
    #[serde(borrow)]
    certifications: Option<Certifications<'a>>,
}

#[derive(Deserialize)]
struct Price<'a> {
    amount: u64,
    #[serde(borrow)]
    currency: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Certifications<'a> {
    #[serde(borrow)]
    halal: Option<Cow<'a, str>>,
}

const RULES: [(&str, &str); 4] = [
    (
        "akar_clusters",
        "Cross-border imports closed for fashion, culinary and craft (Gerakan AKAR)",
    ),
    (
        "min_price",
        "Permendag 31/2023 art. 19: goods sold directly from abroad must cost at least FOB USD 100",
    ),
    (
        "halal_missing",
        "Halal certificate number required (UU 33/2014, PP 42/2024)",
    ),
    (
        "keyword_hijab",
        "Cross-border Muslim clothing under Rp30,000 closed",
    ),
];

/// Price in rupiah; this catalogue only has IDR.
fn idr(listing: &Listing) -> Option<u64> {
    listing
        .price
        .as_ref()
        .filter(|p| p.currency == "IDR")
        .map(|p| p.amount)
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn matches(listing: &Listing) -> [bool; 4] {
    let import = listing.cross_border == Some(true);
    let cluster = listing.cluster.as_deref().unwrap_or("");
    let price = idr(listing);
    let title = listing.title.as_deref().unwrap_or("");
    let halal_missing = listing
        .certifications
        .as_ref()
        .is_none_or(|c| c.halal.is_none());
    [
        import && matches!(cluster, "fashion" | "culinary" | "craft"),
        import
            && price.is_some_and(|p| p < 1_550_000)
            && !matches!(cluster, "books" | "films" | "software" | "music"),
        cluster == "culinary" && halal_missing,
        import
            && ["hijab", "gamis", "mukena"]
                .iter()
                .any(|n| contains_ci(title, n))
            && price.is_some_and(|p| p < 30_000),
    ]
}

/// Decides one NDJSON line and writes its output record.
pub fn decide_line(line_no: usize, bytes: &[u8], out: &mut Vec<u8>) {
    let listing: Listing = match serde_json::from_slice(bytes) {
        Ok(listing) => listing,
        Err(e) => {
            let _ = writeln!(
                out,
                "{{\"line\":{line_no},\"decision\":\"error\",\"error\":{}}}",
                serde_json::json!(e.to_string())
            );
            return;
        }
    };
    let matched = matches(&listing);
    let decision = if matched[0] || matched[1] || matched[3] {
        "block"
    } else if matched[2] {
        "flag"
    } else {
        "allow"
    };
    let _ = write!(out, "{{\"line\":{line_no}");
    if let Some(id) = &listing.id {
        let _ = write!(out, ",\"id\":{}", serde_json::json!(id));
    }
    let _ = write!(out, ",\"decision\":\"{decision}\",\"rules\":[");
    let applied: Vec<usize> = (0..4).filter(|i| matched[*i]).collect();
    for (n, i) in applied.iter().enumerate() {
        let _ = write!(out, "{}\"{}\"", if n > 0 { "," } else { "" }, RULES[*i].0);
    }
    out.extend_from_slice(b"],\"reasons\":[");
    for (n, i) in applied.iter().enumerate() {
        let _ = write!(out, "{}\"{}\"", if n > 0 { "," } else { "" }, RULES[*i].1);
    }
    out.extend_from_slice(b"]}\n");
}
