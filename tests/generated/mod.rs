//! Deterministic inputs for `tests/fast_path.rs`: NDJSON records in which every
//! field a policy reads takes every kind of JSON value, and a large generated
//! policy that drives the compiled program past its fixed sizes. Both come from
//! `akar::synth::Rng`, so a seed always gives the same text.
// Test inputs: an index out of range or a truncated random number is a bug of the
// generator, found by the test that uses it.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::fmt::Write as _;

use akar::synth::Rng;

// ---------------------------------------------------------------------------
// Scrambled records
// ---------------------------------------------------------------------------

/// The platform's categories, as `policies/common.policy` maps them, and some it
/// does not (other case, a trailing space, unknown).
const CATEGORIES: &[&str] = &[
    "Muslim Fashion",
    "Men's Fashion",
    "Women's Fashion",
    "Kids and Baby Fashion",
    "Food and Drink",
    "Party Supplies and Craft",
    "Books",
    "Movies and Music",
    "Beauty",
    "Body Care",
    "Health",
    "Toys and Hobbies",
    "Mother and Baby",
    "Electronics",
    "Computers and Laptops",
    "Phones and Tablets",
    "Camera",
    "Gaming",
    "Household",
    "Kitchen",
    "Automotive",
    "Sport",
    "Office & Stationery",
    "Animal Care",
    "Carpentry",
    "Precious Metal",
    "Property",
    "Tour and Travel",
    "Other Products",
    "muslim fashion",
    "BOOKS",
    "Food and Drink ",
    "Kategori Baru",
    "Café & Bäckerei",
];

/// The `cluster` field that `benches/four-rules.policy` and `examples/akar.policy`
/// read as it is, with the lists they test it against.
const CLUSTERS: &[&str] = &[
    "fashion",
    "culinary",
    "craft",
    "books",
    "films",
    "software",
    "music",
    "toys",
    "electronics",
    "other",
    "Fashion",
    "CULINARY",
];

/// Every word of the shipped `contains any` lists.
const KEYWORDS: &[&str] = &[
    "batik",
    "kebaya",
    "hijab",
    "jilbab",
    "kerudung",
    "pashmina",
    "pasmina",
    "khimar",
    "bergo",
    "gamis",
    "mukena",
    "telekung",
    "baju koko",
    "baju muslim",
    "busana muslim",
    "sarung instan",
    "sarung tenun",
    "sajadah",
    "sejadah",
    "tasbih",
    "kopiah",
    "baju bayi",
    "pakaian bayi",
    "jumper bayi",
    "jumper panjang bayi",
    "singlet bayi",
    "topi bayi",
    "kupluk bayi",
    "celana bayi",
    "newborn",
    "lisensi",
    "license",
    "antivirus",
    "pc game",
    "pc original",
    "non halal",
    "non-halal",
    "nonhalal",
    "pork",
    "babi",
];

/// Near misses of the keywords (`policies/shopee-2021.policy` explains some).
const NEAR_MISSES: &[&str] = &[
    "sarung tangan",
    "special",
    "Surabaya",
    "kokoh",
    "hija",
    "baju  koko",
    "pcgame",
    "bab i",
    "non halal-",
    "gami s",
];

const FILLERS: &[&str] = &[
    "Premium", "Murah", "Original", "Terlaris", "Kemeja", "Kaos", "Sambal", "Keripik", "Mainan",
    "Serum", "Grosir", "500gr", "Asli", "Promo", "-", "/", "2in1",
];

/// Text that is not ASCII: lower-casing it is Unicode's work, and some of it
/// changes length when lower-cased.
const NOT_ASCII: &[&str] = &[
    "Café",
    "ñ",
    "Café HIJAB ñ",
    "ＨＩＪＡＢ",
    "HİJAB",
    "Straße",
    "🎁",
    "Ürün",
    "ñhijabñ",
    "BATİK",
    "Σίσυφος",
];

/// How often a record's values are of the expected kind: records differ, so
/// that some are decided in full (every value as expected) while others meet
/// a value of another kind at nearly every rule.
const EXPECTED: &[f64] = &[0.99, 0.95, 0.85, 0.62];

/// `count` NDJSON records (each line ends with `\n`). Every field a shipped
/// policy or the stress policy reads takes, independently: its expected kind with
/// realistic values most of the time, or missing, `null`, a number, a boolean, a
/// string, an array, an object, `"5"`, `5`, `""`; any key may appear twice (the
/// last counts) or be written with a `\u` escape.
pub fn records(seed: u64, count: u64) -> String {
    let mut out = String::new();
    for n in 1..=count {
        let mut rng = Rng::new(seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        out.push_str(&record(&mut rng, n));
        out.push('\n');
    }
    out
}

fn record(rng: &mut Rng, n: u64) -> String {
    let expected = *rng.pick(EXPECTED);
    // Inside `price`, `certifications` and `seller` values are scrambled less
    // often, or few prices would be whole.
    let inside = (1.0 + expected) / 2.0;
    let mut entries = Vec::new();
    let id = move |rng: &mut Rng| -> String {
        // The id is only written back: numbers of every form, and odd text.
        match rng.next_u64() % 10 {
            0 => rng
                .pick(&["1.50", "1e2", "-0", "12345678901234567890", "3.0"])
                .to_string(),
            1 => n.to_string(),
            2 => r#""SC-\u00e9\"q\"""#.to_string(),
            _ => format!("\"SC-{n:06}\""),
        }
    };
    field(rng, &mut entries, "id", expected, &id);
    field(rng, &mut entries, "category", expected, &|rng| {
        json(rng.pick(CATEGORIES))
    });
    field(rng, &mut entries, "cluster", expected, &|rng| {
        json(rng.pick(CLUSTERS))
    });
    field(rng, &mut entries, "cross_border", expected, &|rng| {
        rng.pick(&["true", "false"]).to_string()
    });
    field(rng, &mut entries, "title", expected, &title);
    field(rng, &mut entries, "price", expected, &|rng| {
        price(rng, inside)
    });
    field(rng, &mut entries, "certifications", expected, &|rng| {
        certifications(rng, inside)
    });
    field(rng, &mut entries, "seller", expected, &|rng| {
        seller(rng, inside)
    });
    field(rng, &mut entries, "origin_country", expected, &|rng| {
        json(rng.pick(&["ID", "ID", "CN", "SG", "MY", "KR", "id", "Indonesia"]))
    });
    // Read by the stress policy only.
    field(rng, &mut entries, "stock", expected, &|rng| {
        rng.pick(&["0", "1", "3", "9", "10", "250", "0.0", "2.5", "-1"])
            .to_string()
    });
    field(rng, &mut entries, "listed_at", expected, &|rng| {
        json(rng.pick(&[
            "2025-02-28",
            "2025-03-01",
            "2025-06-01",
            "2025-05-31T23:59:59Z",
            "2025-06-01T00:00:00+07:00",
            "2025-11-04T14:41:49Z",
            "2025-13-01",
            "yesterday",
        ]))
    });
    field(rng, &mut entries, "tags", expected, &|rng| {
        rng.pick(&[
            r#"["promo"]"#,
            r#"["PROMO","new"]"#,
            r#"["grosir",5,null]"#,
            r#"[]"#,
            r#""promo, new""#,
            r#""Promosi""#,
        ])
        .to_string()
    });
    // Keys the policies do not read, some with the name of one they do.
    if rng.chance(0.2) {
        entries.push(decoy(rng));
    }
    object(rng, entries)
}

/// Adds `key` to an object's entries: once (maybe not at all, maybe with a value
/// of another kind), and sometimes twice, with two values of which the one
/// that ends up last once [`object`] has shuffled the entries counts.
fn field(
    rng: &mut Rng,
    entries: &mut Vec<String>,
    key: &str,
    expected_rate: f64,
    expected: &dyn Fn(&mut Rng) -> String,
) {
    if rng.chance(0.1)
        && let Some(value) = value(rng, expected_rate, expected)
    {
        entries.push(entry(rng, key, &value));
    }
    if let Some(value) = value(rng, expected_rate, expected) {
        entries.push(entry(rng, key, &value));
    }
}

/// A value as JSON text: the expected kind at `expected_rate`, else any other;
/// `None` leaves the key out.
fn value(
    rng: &mut Rng,
    expected_rate: f64,
    expected: &dyn Fn(&mut Rng) -> String,
) -> Option<String> {
    if rng.chance(expected_rate) {
        return Some(expected(rng));
    }
    let text = match rng.next_u64() % 10 {
        0 => return None,
        1 => "null",
        2 => rng.pick(&[
            "0", "7", "-3", "2.5", "1e3", "100", "1549999", "0.1", "1E-2",
        ]),
        3 => rng.pick(&["true", "false"]),
        4 => rng.pick(&[
            r#""true""#,
            r#""yes""#,
            r#""Books""#,
            r#""fashion""#,
            r#""micro""#,
            r#""ID""#,
            r#""100 USD""#,
            r#""null""#,
        ]),
        5 => rng.pick(&[
            "[]",
            r#"["hijab"]"#,
            "[1,2]",
            r#"[{"amount":1,"currency":"USD"}]"#,
            "[true]",
            "[null]",
        ]),
        6 => rng.pick(&[
            "{}",
            r#"{"amount":5,"currency":"USD"}"#,
            r#"{"halal":"ID001","sni":null}"#,
            r#"{"size":"micro"}"#,
            r#"{"a":{"b":[1,{"c":null}]}}"#,
            r#"{"amount":5,"amount":null}"#,
        ]),
        7 => r#""5""#,
        8 => "5",
        _ => r#""""#,
    };
    Some(text.to_string())
}

fn entry(rng: &mut Rng, key: &str, value: &str) -> String {
    // A key written with an escape is the same key once read.
    let key = match key.char_indices().nth(1) {
        Some((at, _)) if rng.chance(0.02) => {
            format!("\"\\u{:04x}{}\"", u32::from(key.as_bytes()[0]), &key[at..])
        }
        _ => json(key),
    };
    format!("{key}:{value}")
}

/// The entries in a shuffled order, as an object.
fn object(rng: &mut Rng, mut entries: Vec<String>) -> String {
    for i in (1..entries.len()).rev() {
        entries.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    format!("{{{}}}", entries.join(","))
}

/// Text as a JSON string.
fn json<T: serde::Serialize + ?Sized>(text: &T) -> String {
    serde_json::to_string(text).unwrap()
}

fn mixed_case(rng: &mut Rng, text: &str) -> String {
    match rng.next_u64() % 4 {
        0 => text.to_string(),
        1 => text.to_uppercase(),
        2 => text
            .split(' ')
            .map(|w| {
                let mut chars = w.chars();
                chars.next().map_or_else(String::new, |c| {
                    c.to_uppercase().chain(chars).collect::<String>()
                })
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => text
            .chars()
            .map(|c| {
                if rng.chance(0.5) {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect(),
    }
}

/// A title of keywords, near misses, fillers and text that is not ASCII, in
/// mixed case; sometimes longer than 128 bytes (the searcher lower-cases shorter
/// text on the stack), with a keyword just across that length; sometimes with
/// JSON escapes.
fn title(rng: &mut Rng) -> String {
    let mut title = if rng.chance(0.06) {
        // A keyword ending at byte 127, 128 or 129, or starting at 128.
        let keyword = *rng.pick(KEYWORDS);
        let keyword = mixed_case(rng, keyword);
        let length = *rng.pick(&[127usize, 128, 129, 128 + keyword.len()]);
        let pad = length.saturating_sub(keyword.len());
        format!("{}{keyword}", "x".repeat(pad))
    } else {
        let mut words = Vec::new();
        for _ in 0..1 + rng.next_u64() % 5 {
            let roll = rng.unit();
            words.push(if roll < 0.35 {
                *rng.pick(KEYWORDS)
            } else if roll < 0.5 {
                *rng.pick(NEAR_MISSES)
            } else if roll < 0.62 {
                *rng.pick(NOT_ASCII)
            } else {
                *rng.pick(FILLERS)
            });
        }
        let mut title = mixed_case(rng, &words.join(" "));
        if rng.chance(0.15) {
            let target = 110 + (rng.next_u64() % 80) as usize;
            while title.len() < target {
                title.push(' ');
                let word = *rng.pick(FILLERS);
                title.push_str(word);
            }
            if rng.chance(0.5) {
                let keyword = *rng.pick(KEYWORDS);
                title.push(' ');
                title.push_str(&mixed_case(rng, keyword));
            }
        }
        title
    };
    if rng.chance(0.03) {
        let odd = *rng.pick(&["\"quoted\"", "back\\slash", "new\nline", "\ttab"]);
        title.push_str(odd);
    }
    let mut text = json(&title);
    match rng.next_u64() % 40 {
        // `a` as `\u0061`: the same text, read through the escape path.
        0 => text = text.replacen('a', "\\u0061", 1),
        1 => text = text.replacen('/', "\\/", 1),
        // A surrogate pair (🎁) and, rarely, a lone surrogate, which is not JSON.
        2 => text.insert_str(1, "\\ud83c\\udf81 "),
        3 if rng.chance(0.2) => text.insert_str(1, "\\ud800"),
        _ => {}
    }
    text
}

/// Money: mostly `{"amount": ..., "currency": ...}`, else a plain number.
fn price(rng: &mut Rng, expected: f64) -> String {
    if rng.chance(0.15) {
        return amount(rng);
    }
    let mut entries = Vec::new();
    field(rng, &mut entries, "amount", expected, &amount);
    field(rng, &mut entries, "currency", expected, &|rng| {
        json(rng.pick(&[
            "IDR", "IDR", "IDR", "IDR", "IDR", "IDR", "USD", "USD", "USD", "EUR", "idr", "",
        ]))
    });
    object(rng, entries)
}

/// Amounts about the shipped thresholds (USD 100 = IDR 1,550,000; IDR 30,000),
/// fractions, and a spread of ordinary prices.
fn amount(rng: &mut Rng) -> String {
    if rng.chance(0.5) {
        return rng
            .pick(&[
                "1549999",
                "1550000",
                "1550001",
                "1549999.99",
                "1550000.0",
                "29999",
                "30000",
                "30000.5",
                "99",
                "100",
                "99.99",
                "100.00",
                "100.001",
                "0.5",
                "0",
                "-5",
                "1.55e6",
                "1e30",
                "123456789012345678901234567890",
                "0.000000000000000000000000000001",
            ])
            .to_string();
    }
    let whole = rng.next_u64() % 3_000_000;
    if rng.chance(0.3) {
        format!("{whole}.{:02}", rng.next_u64() % 100)
    } else {
        whole.to_string()
    }
}

fn certifications(rng: &mut Rng, expected: f64) -> String {
    let mut entries = Vec::new();
    for (key, prefix) in [
        ("halal", "ID00410000"),
        ("bpom", "BPOM RI MD "),
        ("sni", "SNI 8124:"),
    ] {
        // A listing may show some numbers and leave the others out.
        if rng.chance(0.2) {
            continue;
        }
        field(rng, &mut entries, key, expected, &|rng| {
            if rng.chance(0.5) {
                json(&format!("{prefix}{:09}", rng.next_u64() % 1_000_000_000))
            } else {
                "null".to_string()
            }
        });
    }
    object(rng, entries)
}

fn seller(rng: &mut Rng, expected: f64) -> String {
    let mut entries = Vec::new();
    field(rng, &mut entries, "size", expected, &|rng| {
        json(rng.pick(&[
            "micro", "micro", "small", "medium", "large", "Micro", "LARGE", "tiny",
        ]))
    });
    field(rng, &mut entries, "country", expected, &|rng| {
        json(rng.pick(&["ID", "CN", "SG", "MY"]))
    });
    // Read by the stress policy only: a number a `match` has keys for (`5` and
    // `2.5`, which `"5"` and `5.0` must meet as a match does), and a boolean.
    field(rng, &mut entries, "tier", expected, &|rng| {
        rng.pick(&["1", "2", "3", "4", "5", "5.0", "2.5", "2.50", "-1"])
            .to_string()
    });
    field(rng, &mut entries, "verified", expected, &|rng| {
        rng.pick(&["true", "false"]).to_string()
    });
    if rng.chance(0.5) {
        entries.push(r#""city":"Kota Bandung""#.to_string());
    }
    object(rng, entries)
}

/// A key the policies do not read: a nested object holding names they do, a
/// key differing only in case or by a space, a dotted key (not a path), or
/// nesting deep enough that a full parse must check it (beyond 128 levels it
/// rejects the line).
fn decoy(rng: &mut Rng) -> String {
    match rng.next_u64() % 6 {
        0 => r#""extra":{"category":"Books","cross_border":true,"price":1}"#.to_string(),
        1 => r#""Category":"Books""#.to_string(),
        2 => r#""cross_border ":true"#.to_string(),
        3 => r#""seller.size":"micro""#.to_string(),
        4 => {
            let depth = 90 + (rng.next_u64() % 50) as usize;
            format!("\"deep\":{}{}", "[".repeat(depth), "]".repeat(depth))
        }
        _ => r#""notes":"{\"category\": \"Books\"}""#.to_string(),
    }
}

// ---------------------------------------------------------------------------
// The stress policy
// ---------------------------------------------------------------------------

/// What [`stress_policy`] wrote, to assert on.
pub struct Stress {
    pub text: String,
    pub rules: usize,
    /// Named condition `let`s, each used by two rules or more.
    pub shared_lets: usize,
    /// Compound conditions written out again in several rules.
    pub repeated: usize,
}

/// Derived fields, twelve, in this order in the plan. `cluster`, which most rules
/// test, comes after the first eight (the frame keeps those eight's values); the
/// first `match` on `category` and on `seller.size` has no `else`, so gates from
/// tests on those fields meet values with no derived value.
const MATCHES: &str = r#"
let cl_strict = match category {
  "Muslim Fashion", "Men's Fashion", "Women's Fashion" => fashion,
  "Food and Drink" => culinary,
  "Books" => books,
  "Beauty", "Body Care" => beauty,
}
let size_rank = match seller.size {
  micro => 1,
  small => 2,
  medium => 3,
  large => 4,
}
let border = match cross_border {
  true => abroad,
  false => home,
}
let food_kind = match category {
  "Food and Drink" => food,
  "Health" => health,
  "Beauty", "Body Care" => cosmetic,
}
let tier_name = match seller.tier {
  1 => bronze,
  2 => silver,
  3 => gold,
  5 => platinum,
  2.5 => odd,
}
let stock_band = match stock {
  0 => empty,
  1, 2, 3 => low,
  else => stocked,
}
let border_flag = match cross_border {
  true => 1,
  else => 0,
}
let origin_group = match origin_country {
  "ID" => local,
  "CN", "SG", "MY" => near,
  else => far,
}
let size_band = match seller.size {
  micro, small => umkm,
  medium, large => big,
  else => unknown,
}
let is_book = match category {
  "Books", "Movies and Music" => true,
  else => false,
}
let cluster = match category {
  "Muslim Fashion", "Men's Fashion", "Women's Fashion", "Kids and Baby Fashion" => fashion,
  "Food and Drink" => culinary,
  "Party Supplies and Craft" => craft,
  "Books" => books,
  "Movies and Music" => media,
  "Beauty" => beauty,
  "Body Care" => body_care,
  "Health" => health,
  "Toys and Hobbies" => toys,
  "Mother and Baby" => baby,
  "Electronics", "Computers and Laptops", "Phones and Tablets" => electronics,
  "Household", "Kitchen" => home,
  else => unmapped,
}
let verified_word = match seller.verified {
  true => yes,
  false => no,
}
let price_cap = match category {
  "Health" => 250_000 IDR,
  "Books" => 5 USD,
  else => 100_000_000 IDR,
}
"#;

const LISTS: &str = r#"
let closed = [fashion, culinary, craft]
let positive = [books, media]
let keywords_a = ["hijab", "gamis", "mukena", "batik", "kebaya"]
let keywords_b = ["baju bayi", "newborn", "singlet bayi", "topi bayi"]
let keywords_c = ["lisensi", "license", "pc game", "antivirus"]
let keywords_d = ["non halal", "pork", "babi"]
let keywords_u = ["café", "ñ", "straße", "hijab"]
let limit = 30_000 IDR

subject food_listing = cluster == culinary
subject umkm_seller = seller.size in [micro, small]
"#;

/// Single tests, by what they read. Each field is compared with one kind of
/// value throughout, as the checker requires.
const DERIVED_TESTS: &[&str] = &[
    "cluster == fashion",
    "cluster in [fashion, culinary, craft]",
    "cluster in closed",
    "cluster != books",
    "cluster not in positive",
    "cluster == unmapped",
    "cluster starts with \"b\"",
    "cluster contains \"ion\"",
    "cluster contains any word [\"care\", \"fashion\"]",
    "cl_strict is missing",
    "cl_strict is present",
    "cl_strict == fashion",
    "food_kind in [food, cosmetic]",
    "food_kind is missing",
    "size_rank >= 3",
    "size_rank == 1",
    "size_rank in [1, 2]",
    "border == abroad",
    "border_flag == 1",
    "tier_name in [gold, platinum]",
    "tier_name == odd",
    "stock_band == empty",
    "stock_band != stocked",
    "origin_group == far",
    "size_band == umkm",
    "size_band in [big, unknown]",
    "is_book == true",
    "is_book == false",
    "verified_word == yes",
];

const SOURCE_TESTS: &[&str] = &[
    "category is missing",
    "category is present",
    "category == \"Books\"",
    "category == \"Food and Drink\"",
    "category in [\"Beauty\", \"Health\", \"Nope\"]",
    "category in [\"Muslim Fashion\", \"Kategori Baru\"]",
    "category != \"Gaming\"",
    "category not in [\"Books\", \"Camera\"]",
    "category starts with \"food\"",
    "category contains \"fashion\"",
    "seller.size == micro",
    "seller.size in [medium, large]",
    "seller.size is missing",
    "cross_border == false",
    "stock == 0",
    "seller.tier == 5",
    // `origin_group`, the first (and only) `match` on `origin_country`, has an
    // `else`: values it has no key for still give a derived value.
    "origin_country == \"KR\"",
    "origin_country in [\"KR\", \"ID\", \"Indonesia\"]",
    "origin_country is missing",
    // `size_rank`, the first `match` on `seller.size`, has none: they give none.
    "seller.size == tiny",
    "seller.size in [tiny, micro]",
];

const OTHER_TESTS: &[&str] = &[
    "import",
    "domestic",
    "cross_border",
    "seller.verified",
    "seller.verified == false",
    "food_listing",
    "umkm_seller",
    "title contains any keywords_a",
    "title contains any keywords_b",
    "title contains any keywords_c",
    "title contains any keywords_d",
    "title contains any keywords_u",
    "title contains any [\"sarung instan\", \"tasbih\", \"kopiah\"]",
    "title contains \"hijab\"",
    "title contains word \"hijab\"",
    "title contains any word keywords_a",
    "title contains any word [\"kw\", \"tas\", \"batik\"]",
    "title matches \"[0-9]+ ?(gr|ml)\"",
    "title ends with any [\"kw\", \"ori\"]",
    "title starts with \"baju\"",
    "origin_country != \"ID\"",
    "origin_country in [\"CN\", \"SG\"]",
    "origin_country is present",
    "seller.country == \"CN\"",
    "certifications.halal is missing",
    "certifications.bpom is present",
    "certifications.sni starts with \"SNI\"",
    "certifications.halal contains \"ID00\"",
    "tags contains \"promo\"",
    "price < 100 USD",
    "price >= 1_550_000 IDR",
    "price < limit",
    "price <= 99.99 USD",
    "price > 0.5 USD",
    "stock < 10",
    "seller.tier >= 3",
    "seller.tier in [1, 2]",
    "seller.tier != 5",
    "listed_at >= 2025-06-01",
    "listed_at < 2025-03-01",
    // A field read whole and inside: the inner value is taken from the outer.
    "price.amount > 1_000_000",
    "price.currency == \"USD\"",
    "seller is present",
    // Computed comparisons: arithmetic, a field against a field, a derived money
    // threshold; wrong kinds, zero divisors and missing values on both paths.
    "price / stock < 1_000 IDR",
    "price * 7.5% > 10 USD",
    "price - 10 USD > 1_000_000 IDR",
    "stock + seller.tier > 5",
    "origin_country != seller.country",
    "price > price_cap",
    "price.amount / 2 >= seller.tier",
];

fn atom(rng: &mut Rng) -> String {
    let roll = rng.unit();
    let pool = if roll < 0.35 {
        DERIVED_TESTS
    } else if roll < 0.55 {
        SOURCE_TESTS
    } else {
        OTHER_TESTS
    };
    let test = rng.pick(pool).to_string();
    if rng.chance(0.12) {
        format!("not ({test})")
    } else {
        test
    }
}

/// Two or three tests with `and`/`or`, maybe `not` and parentheses.
fn compound(rng: &mut Rng) -> String {
    let (a, b) = (atom(rng), atom(rng));
    let op = if rng.chance(0.5) { "and" } else { "or" };
    let two = format!("{a} {op} {b}");
    match rng.next_u64() % 5 {
        0 => format!("not ({two})"),
        1 => {
            let other = if op == "and" { "or" } else { "and" };
            format!("({two}) {other} {}", atom(rng))
        }
        2 => format!("{} and ({two})", atom(rng)),
        _ => two,
    }
}

/// The first test of rule `r`, cycling through the kinds the index and the
/// compiler treat differently.
fn lead(rng: &mut Rng, r: usize, shared: usize, repeated: &[String]) -> String {
    let derived = |rng: &mut Rng| rng.pick(DERIVED_TESTS).to_string();
    match r % 16 {
        0 => derived(rng),
        1 => format!("({} or {})", derived(rng), derived(rng)),
        2 => "category is missing".to_string(),
        3 => format!(
            "category == {}",
            json(rng.pick(&["Books", "Food and Drink", "Muslim Fashion", "Nope"]))
        ),
        4 => "category in [\"Beauty\", \"Body Care\", \"Health\", \"Kategori Baru\"]".to_string(),
        5 => "import".to_string(),
        6 => format!("not ({})", atom(rng)),
        7 => format!(
            "title contains any {}",
            rng.pick(&["keywords_a", "keywords_b", "keywords_c", "keywords_u"])
        ),
        8 => rng
            .pick(&["price < 100 USD", "price >= 1_550_000 IDR", "price < limit"])
            .to_string(),
        9 => format!("s{}", (r * 11) % shared),
        10 => format!("({})", rng.pick(repeated)),
        11 => format!(
            "(category == \"Beauty\" or {})",
            rng.pick(&[
                "cluster == culinary",
                "cl_strict == books",
                "category is missing"
            ])
        ),
        12 => rng
            .pick(&[
                "seller.size == micro",
                "seller.size in [medium, large]",
                "seller.size == tiny",
                "origin_country == \"KR\"",
                "origin_country in [\"KR\", \"ID\", \"Indonesia\"]",
            ])
            .to_string(),
        13 => format!(
            "({} or {}) and {}",
            rng.pick(SOURCE_TESTS),
            rng.pick(DERIVED_TESTS),
            atom(rng)
        ),
        14 => rng
            .pick(&["seller.verified", "cross_border == false", "domestic"])
            .to_string(),
        _ => atom(rng),
    }
}

const DATES: &[&str] = &[
    "2021-08-09",
    "2023-09-26",
    "2023-10-01",
    "2024-10-17",
    "2026-10-17",
    "2030-01-01",
];

/// A policy that passes `akar check` and drives the compiled program past every
/// fixed size: `rules` generated rules and one for each test in [`DERIVED_TESTS`]
/// and [`SOURCE_TESTS`] (more than 256: rule sets of more than four words),
/// twelve derived fields (more than the eight a frame keeps), `shared` named
/// conditions and `repeated` compound conditions written again, each used by
/// several rules (more than the 64 a frame remembers), overrides, dates and all
/// three actions.
pub fn stress_policy(seed: u64, rules: usize, shared: usize, repeated: usize) -> Stress {
    // So that each named and each repeated condition is used by two rules or
    // more (see below).
    assert!(!shared.is_multiple_of(7) && rules >= 2 * shared && rules >= 4 * repeated);
    let mut rng = Rng::new(seed);
    let mut text = String::from(
        "// Generated by tests/generated/mod.rs for tests/fast_path.rs.\n\
         policy \"akar/stress\"\n  title \"Stress for the compiled program\"\n\n\
         rate USD = 15_500 IDR\n",
    );
    text.push_str(MATCHES);
    text.push_str(LISTS);
    for s in 0..shared {
        let _ = writeln!(text, "let s{s} = {}", compound(&mut rng));
    }
    let repeated: Vec<String> = (0..repeated).map(|_| compound(&mut rng)).collect();
    // Rules whose number is 7 more than a multiple of 25 are unnamed (labelled by
    // their place); the others may be overridden.
    let named = |r: usize| r % 25 != 7;
    for r in 0..rules {
        text.push('\n');
        let mut parts = vec![lead(&mut rng, r, shared, &repeated)];
        // Every named condition and every repeated one is used by two rules or
        // more: rule `r` uses `s[(7r) mod shared]` (7 and `shared` coprime) and,
        // every other rule, a repeated one in turn.
        parts.push(format!("s{}", (r * 7) % shared));
        if r % 2 == 0 {
            parts.push(format!("({})", repeated[(r / 2) % repeated.len()]));
        }
        for _ in 0..rng.next_u64() % 3 {
            parts.push(if rng.chance(0.7) {
                atom(&mut rng)
            } else {
                format!("({})", compound(&mut rng))
            });
        }
        // Few blocks, and those narrow, or nearly every listing would be blocked
        // by some rule.
        let action = *rng.pick(&["block", "flag", "flag", "flag", "allow", "allow", "allow"]);
        // The lead first; the rest with `and` or `or` (`and` binds tighter, so
        // `a and b or c and d` is two alternatives), so that rules match often
        // enough and not always.
        let mut condition = parts[0].clone();
        for part in &parts[1..] {
            let op = if action == "block" || rng.chance(0.6) {
                "and"
            } else {
                "or"
            };
            let _ = write!(condition, " {op} {part}");
        }
        let subject = rng.pick(&[
            "listing",
            "listing",
            "listing",
            "listing",
            "import",
            "domestic",
            "food_listing",
        ]);
        if named(r) {
            let _ = write!(text, "rule r{r}");
            // Exceptions to earlier rules only, so there is no cycle; some
            // override a rule that is itself an exception.
            let overridden: Vec<String> = [1, 5, 9]
                .iter()
                .filter(|back| r % 9 == 4 && r >= **back && named(r - **back))
                .map(|back| format!("r{}", r - back))
                .collect();
            if !overridden.is_empty() {
                let _ = write!(text, " overrides {}", overridden.join(", "));
            }
            text.push_str("\n  ");
        }
        let _ = writeln!(text, "{action} {subject} where {condition}");
        if rng.chance(0.25) {
            let _ = writeln!(text, "  unless {}", atom(&mut rng));
        }
        // A rule without `because` is explained by its action line, which the
        // output writer quotes for every listing: few, to keep the test quick.
        if r % 50 != 3 {
            let _ = writeln!(text, "  because \"g{r}\"");
        }
        if rng.chance(0.4) {
            let from = rng.next_u64() as usize % (DATES.len() - 1);
            let _ = writeln!(text, "  effective {}", DATES[from]);
            if rng.chance(0.4) {
                let until = from + 1 + rng.next_u64() as usize % (DATES.len() - from - 1);
                let _ = writeln!(text, "  until {}", DATES[until]);
            }
        } else if rng.chance(0.15) {
            let _ = writeln!(text, "  until {}", rng.pick(DATES));
        }
    }
    // One rule for each test on a derived field or on the field a `match` reads,
    // alone: each such test is then the whole of a rule the index may skip, and
    // decides it (the rules above add more tests after it, which often decide
    // first). Last, so their bits are past the fourth word.
    let mut probes = 0;
    for test in DERIVED_TESTS.iter().chain(SOURCE_TESTS) {
        let _ = writeln!(text, "\nrule probe{probes}\n  allow listing where {test}");
        probes += 1;
    }
    // A rule with no condition at all, in force on the first test date only.
    text.push_str("\nrule everything\n  allow listing\n  until 2021-06-01\n");
    Stress {
        text,
        rules: rules + probes + 1,
        shared_lets: shared,
        repeated: repeated.len(),
    }
}
