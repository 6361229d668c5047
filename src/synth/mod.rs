//! A seeded generator of realistic synthetic catalogues, for benchmarks and for
//! tests over more listings than the bundled ones.
//!
//! The shape follows the design document's typical listing: ~30% cross-border, IDR
//! prices spread log-normally from 5,000 to 50,000,000, certificate numbers present
//! at realistic rates, about 500 bytes per listing. Categories are the marketplace's
//! own (as in the bundled PRDECT-ID catalogue), with the regulator's cluster beside.

mod policy;

pub use policy::{Shape, policy};

use std::fmt::Write as _;

/// splitmix64, written out so that a seed gives the same catalogue whatever the
/// versions of the crates around it.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    #[allow(
        clippy::indexing_slicing,
        clippy::cast_possible_truncation,
        reason = "the remainder is below `items.len()`, a `usize`; callers pass this module's constant, non-empty tables"
    )]
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(f64::MIN_POSITIVE), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// (category, cluster, title words)
const CATEGORIES: &[(&str, &str, &[&str])] = &[
    (
        "Muslim Fashion",
        "fashion",
        &["Gamis", "Hijab Instan", "Mukena", "Baju Koko", "Kerudung"],
    ),
    (
        "Women's Fashion",
        "fashion",
        &["Blouse", "Kebaya Modern", "Rok Plisket", "Dress Batik"],
    ),
    (
        "Men's Fashion",
        "fashion",
        &["Kemeja Batik", "Kaos Polos", "Celana Chino", "Jaket Bomber"],
    ),
    (
        "Kids and Baby Fashion",
        "fashion",
        &["Setelan Anak", "Piyama Bayi", "Kaos Anak"],
    ),
    (
        "Food and Drink",
        "culinary",
        &["Keripik Tempe", "Bakpia Pathok", "Kopi Gayo", "Sambal Roa"],
    ),
    (
        "Party Supplies and Craft",
        "craft",
        &["Anyaman Rotan", "Balon Pesta", "Kerajinan Kayu"],
    ),
    (
        "Electronics",
        "electronics",
        &["Kipas Angin", "Rice Cooker", "Setrika Uap", "Blender"],
    ),
    (
        "Beauty",
        "beauty",
        &[
            "Serum Wajah",
            "Lipstik Matte",
            "Sunscreen SPF50",
            "Masker Wajah",
        ],
    ),
    (
        "Health",
        "health",
        &[
            "Vitamin C",
            "Minyak Kayu Putih",
            "Masker Medis",
            "Madu Herbal",
        ],
    ),
    (
        "Body Care",
        "beauty",
        &["Sabun Mandi", "Body Lotion", "Deodoran"],
    ),
    (
        "Toys and Hobbies",
        "toys",
        &["Mainan Edukasi", "Puzzle Kayu", "Mobil Remote", "Boneka"],
    ),
    (
        "Mother and Baby",
        "baby",
        &["Botol Susu", "Popok Bayi", "Stroller"],
    ),
    (
        "Books",
        "books",
        &["Novel Laskar Pelangi", "Buku Resep", "Komik Anak"],
    ),
    (
        "Movies and Music",
        "music",
        &["Vinyl Koes Plus", "DVD Film", "Gitar Akustik"],
    ),
    (
        "Automotive",
        "automotive",
        &["Oli Mesin", "Helm Full Face", "Cover Motor"],
    ),
    (
        "Sport",
        "sports",
        &["Sepatu Lari", "Raket Badminton", "Matras Yoga"],
    ),
    (
        "Household",
        "home",
        &["Sprei Katun", "Rak Piring", "Gorden Jendela"],
    ),
    (
        "Computers and Laptops",
        "electronics",
        &["Keyboard Wireless", "SSD 512GB", "Mouse Gaming"],
    ),
];

const ABROAD: &[(&str, &[&str])] = &[
    ("CN", &["Guangzhou", "Shenzhen", "Yiwu"]),
    ("SG", &["Singapore"]),
    ("MY", &["Kuala Lumpur", "Penang"]),
    ("TH", &["Bangkok"]),
    ("KR", &["Seoul"]),
];

const CITIES: &[&str] = &[
    "Jakarta Barat",
    "Kota Bandung",
    "Surabaya",
    "Kota Malang",
    "Yogyakarta",
    "Medan",
];
const SIZES: &[&str] = &[
    "micro", "micro", "micro", "small", "small", "medium", "large",
];

/// Writes listing number `n` (from 1) of the catalogue for `seed` as one JSON line.
pub fn listing(seed: u64, n: u64, out: &mut String) {
    let mut rng = Rng::new(seed ^ n.wrapping_mul(0xA24B_AED4_963E_E407));
    let (category, cluster, words) = *rng.pick(CATEGORIES);
    let cross_border = rng.chance(0.3);
    let (country, city) = if cross_border {
        let (country, cities) = *rng.pick(ABROAD);
        (country, *rng.pick(cities))
    } else {
        ("ID", *rng.pick(CITIES))
    };
    let amount = price(&mut rng);
    let title = format!(
        "{} {} {}gr Original",
        rng.pick(words),
        rng.pick(&["Premium", "Murah", "Terlaris", "Asli"]),
        50 + rng.next_u64() % 950
    );
    let _ = write!(
        out,
        r#"{{"id":"SY-{n:09}","title":"{title}","cluster":"{cluster}","category":"{category}","price":{{"amount":{amount},"currency":"IDR"}},"price_usd":{usd:.2},"origin_country":"{country}","cross_border":{cross_border},"seller":{{"id":"S-{seller:05}","country":"{country}","city":"{city}","size":"{size}","umkm":{umkm},"verified":{verified},"rating":{rating:.1}}},"certifications":{{"halal":{halal},"sni":{sni},"bpom":{bpom}}},"tags":["{tag}"],"listed_at":"2025-{month:02}-{day:02}T{hour:02}:{minute:02}:00Z","stock":{stock}}}"#,
        usd = amount as f64 / 15_500.0,
        seller = rng.next_u64() % 20_000,
        size = if cross_border {
            *rng.pick(&["medium", "large"])
        } else {
            *rng.pick(SIZES)
        },
        umkm = !cross_border && rng.chance(0.7),
        verified = rng.chance(0.6),
        rating = 3.5 + rng.unit() * 1.5,
        halal = certificate(
            &mut rng,
            matches!(cluster, "culinary") || category == "Beauty",
            0.6,
            "ID00410000"
        ),
        sni = certificate(
            &mut rng,
            matches!(cluster, "toys" | "baby" | "electronics"),
            0.5,
            "SNI 8124:"
        ),
        bpom = certificate(
            &mut rng,
            matches!(cluster, "culinary" | "beauty" | "health"),
            0.7,
            "BPOM RI MD "
        ),
        tag = rng.pick(&["promo", "oleh-oleh", "best-seller", "new", "grosir"]),
        month = 1 + rng.next_u64() % 12,
        day = 1 + rng.next_u64() % 28,
        hour = rng.next_u64() % 24,
        minute = rng.next_u64() % 60,
        stock = rng.next_u64() % 2_000,
    );
    out.push('\n');
}

/// Log-normal around Rp 60,000, clamped to Rp 5,000 .. Rp 50,000,000, in hundreds.
fn price(rng: &mut Rng) -> u64 {
    let value = (60_000f64.ln() + 1.6 * rng.normal())
        .exp()
        .clamp(5_000.0, 50_000_000.0);
    #[allow(
        clippy::cast_possible_truncation,
        reason = "clamped to 5,000 ..= 50,000,000 above, well inside `u64`"
    )]
    let hundreds = (value / 100.0).round() as u64;
    hundreds * 100
}

fn certificate(rng: &mut Rng, relevant: bool, rate: f64, prefix: &str) -> String {
    if relevant && rng.chance(rate) {
        format!("\"{prefix}{:09}\"", rng.next_u64() % 1_000_000_000)
    } else {
        "null".into()
    }
}

/// A whole catalogue of `count` listings as NDJSON.
pub fn catalogue(seed: u64, count: u64) -> String {
    let capacity = usize::try_from(count).map_or(0, |n| n.saturating_mul(560));
    let mut out = String::with_capacity(capacity);
    for n in 1..=count {
        listing(seed, n, &mut out);
    }
    out
}
