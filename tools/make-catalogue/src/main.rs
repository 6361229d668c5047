//! make-catalogue: derive a listing-level catalogue from PRDECT-ID (Sutoyo et al. 2022,
//! CC BY 4.0) with some fields SIMULATED. See data/prdect-id/README.md.
//!
//! Usage: make-catalogue <prdect-id.csv> <output-dir>

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

const SEED: u64 = 20210809;

/// One review row of PRDECT-ID; only the product-level columns are read.
#[derive(Deserialize)]
struct Row {
    #[serde(rename = "Category")]
    category: String,
    #[serde(rename = "Product Name")]
    name: String,
    #[serde(rename = "Location")]
    location: String,
    #[serde(rename = "Price")]
    price: u64,
    #[serde(rename = "Overall Rating")]
    rating: f64,
    #[serde(rename = "Number Sold")]
    sold: u64,
    #[serde(rename = "Total Review")]
    reviews: u64,
}

#[derive(Serialize)]
struct Listing {
    id: String,
    title: String,
    category: String,
    price: Price,
    rating: f64,
    sold: u64,
    reviews: u64,
    cross_border: bool,
    origin_country: &'static str,
    seller: Seller,
    certifications: Certifications,
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
struct Price {
    amount: u64,
    currency: &'static str,
}

#[derive(Serialize, Clone)]
struct Seller {
    id: String,
    country: &'static str,
    city: String,
    size: &'static str,
}

#[derive(Serialize)]
struct Certifications {
    halal: Option<String>,
    sni: Option<String>,
    bpom: Option<String>,
}

/// What a random draw is for; each purpose gets its own independent stream.
#[derive(Clone, Copy)]
enum Draw {
    CrossBorder = 1,
    Country = 2,
    City = 3,
    Size = 4,
    Halal = 5,
    HalalNumber = 6,
    Bpom = 7,
    BpomNumber = 8,
    Sni = 9,
}

// Hand-written splitmix64 rather than the `rand` crate: output must stay byte-identical
// across crate versions and platforms so the bundled files can be regenerated exactly.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// 64 random bits for (key, purpose): a pure function, so no draw depends on another.
fn bits(key: u64, draw: Draw) -> u64 {
    splitmix64(splitmix64(SEED ^ splitmix64(key)) ^ draw as u64)
}

/// Uniform in [0, 1) for (key, purpose).
fn unit(key: u64, draw: Draw) -> f64 {
    (bits(key, draw) >> 11) as f64 / (1u64 << 53) as f64
}

/// Weighted choice; weights need not sum to exactly 1 (the last entry absorbs the rest).
fn pick<T: Copy>(u: f64, table: &[(T, f64)]) -> T {
    let mut acc = 0.0;
    for &(value, weight) in table {
        acc += weight;
        if u < acc {
            return value;
        }
    }
    table[table.len() - 1].0
}

/// `digits` random decimal digits, zero-padded (digits <= 19).
fn number(key: u64, draw: Draw, digits: u32) -> String {
    let n = bits(key, draw) % 10u64.pow(digits);
    format!("{n:0width$}", width = digits as usize)
}

const FOREIGN: &[(&str, f64)] = &[
    ("CN", 0.60),
    ("SG", 0.15),
    ("MY", 0.10),
    ("TH", 0.10),
    ("KR", 0.05),
];

fn foreign_cities(country: &str) -> &'static [&'static str] {
    match country {
        "CN" => &[
            "Guangzhou",
            "Shenzhen",
            "Yiwu",
            "Hangzhou",
            "Shanghai",
            "Dongguan",
        ],
        "SG" => &["Singapore"],
        "MY" => &[
            "Kuala Lumpur",
            "Petaling Jaya",
            "Johor Bahru",
            "George Town",
        ],
        "TH" => &["Bangkok", "Chiang Mai", "Nonthaburi"],
        _ => &["Seoul", "Busan", "Incheon"],
    }
}

fn seller_size(cross_border: bool, u: f64) -> &'static str {
    if cross_border {
        pick(u, &[("medium", 0.40), ("large", 0.60)])
    } else {
        pick(
            u,
            &[
                ("micro", 0.55),
                ("small", 0.25),
                ("medium", 0.12),
                ("large", 0.08),
            ],
        )
    }
}

/// Sellers, one per (cleaned Location, country); city and size are drawn once per seller,
/// keyed by the seller's number, so a seller id always has the same city and size.
#[derive(Default)]
struct Sellers {
    by_key: HashMap<(String, &'static str), Seller>,
}

impl Sellers {
    fn get(&mut self, location: &str, country: &'static str) -> Seller {
        let next = self.by_key.len() as u64 + 1;
        let key = (location.to_string(), country);
        let seller = self.by_key.entry(key).or_insert_with(|| {
            let cross_border = country != "ID";
            let city = if cross_border {
                let cities = foreign_cities(country);
                cities[(bits(next, Draw::City) % cities.len() as u64) as usize].to_string()
            } else {
                location.to_string()
            };
            let size = seller_size(cross_border, unit(next, Draw::Size));
            Seller {
                id: format!("S-{next:04}"),
                country,
                city,
                size,
            }
        });
        seller.clone()
    }
}

/// The source has stray spaces and one U+FFFD (a lost byte) in `Location`.
fn clean_location(raw: &str) -> String {
    raw.replace('\u{FFFD}', " ").trim().to_string()
}

fn certifications(key: u64, category: &str, cross_border: bool) -> Certifications {
    let halal_rate = match category {
        "Food and Drink" if cross_border => 0.40,
        "Food and Drink" => 0.70,
        "Beauty" | "Body Care" | "Health" => 0.40,
        _ => 0.0,
    };
    let halal = (unit(key, Draw::Halal) < halal_rate)
        .then(|| format!("ID{}", number(key, Draw::HalalNumber, 17)));
    let bpom_spec = match category {
        "Food and Drink" if cross_border => Some((0.75, "BPOM RI ML ", 12)),
        "Food and Drink" => Some((0.75, "BPOM RI MD ", 12)),
        "Beauty" | "Body Care" => Some((0.70, "BPOM NA18", 9)),
        "Health" => Some((0.60, "BPOM TR", 9)),
        _ => None,
    };
    let bpom = bpom_spec
        .filter(|&(rate, _, _)| unit(key, Draw::Bpom) < rate)
        .map(|(_, prefix, digits)| format!("{prefix}{}", number(key, Draw::BpomNumber, digits)));
    let sni_code = match category {
        "Toys and Hobbies" => Some("SNI ISO 8124-1:2010"),
        "Mother and Baby" => Some("SNI 7617:2013"),
        "Electronics" => Some("SNI IEC 60335-1:2009"),
        _ => None,
    };
    let sni = sni_code
        .filter(|_| unit(key, Draw::Sni) < 0.50)
        .map(String::from);
    Certifications { halal, sni, bpom }
}

fn tags(row: &Row, cross_border: bool) -> Vec<&'static str> {
    let mut tags = Vec::new();
    if row.sold >= 1000 {
        tags.push("best-seller");
    }
    if (row.rating * 10.0).round() >= 49.0 {
        tags.push("top-rated");
    }
    if cross_border {
        tags.push("import");
    }
    tags
}

fn make_listing(n: u64, row: Row, sellers: &mut Sellers) -> Listing {
    let cross_border = unit(n, Draw::CrossBorder) < 0.30;
    let country = if cross_border {
        pick(unit(n, Draw::Country), FOREIGN)
    } else {
        "ID"
    };
    Listing {
        id: format!("TP-{n:04}"),
        seller: sellers.get(&clean_location(&row.location), country),
        certifications: certifications(n, &row.category, cross_border),
        tags: tags(&row, cross_border),
        price: Price {
            amount: row.price,
            currency: "IDR",
        },
        rating: row.rating,
        sold: row.sold,
        reviews: row.reviews,
        cross_border,
        origin_country: country,
        title: row.name,
        category: row.category,
    }
}

/// Distinct products (raw Category, Product Name, Location, Price), first appearance wins.
fn read_products(path: &Path) -> Result<Vec<Row>, Box<dyn Error>> {
    let mut seen = HashSet::new();
    let mut products = Vec::new();
    for row in csv::Reader::from_path(path)?.deserialize() {
        let row: Row = row?;
        let key = (
            row.category.clone(),
            row.name.clone(),
            row.location.clone(),
            row.price,
        );
        if seen.insert(key) {
            products.push(row);
        }
    }
    Ok(products)
}

fn write_ndjson(path: &Path, listings: &[Listing]) -> Result<(), Box<dyn Error>> {
    let mut out = BufWriter::new(File::create(path)?);
    for listing in listings {
        serde_json::to_writer(&mut out, listing)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

const CSV_HEADER: [&str; 17] = [
    "id",
    "title",
    "category",
    "price.amount",
    "price.currency",
    "rating",
    "sold",
    "reviews",
    "cross_border",
    "origin_country",
    "seller.id",
    "seller.country",
    "seller.city",
    "seller.size",
    "certifications.halal",
    "certifications.sni",
    "certifications.bpom",
];

fn csv_record(l: &Listing) -> [String; 17] {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        l.id.clone(),
        l.title.clone(),
        l.category.clone(),
        l.price.amount.to_string(),
        l.price.currency.to_string(),
        l.rating.to_string(),
        l.sold.to_string(),
        l.reviews.to_string(),
        l.cross_border.to_string(),
        l.origin_country.to_string(),
        l.seller.id.clone(),
        l.seller.country.to_string(),
        l.seller.city.clone(),
        l.seller.size.to_string(),
        opt(&l.certifications.halal),
        opt(&l.certifications.sni),
        opt(&l.certifications.bpom),
    ]
}

fn write_csv(path: &Path, listings: &[Listing]) -> Result<(), Box<dyn Error>> {
    let mut out = csv::Writer::from_path(path)?;
    out.write_record(CSV_HEADER)?;
    for listing in listings {
        out.write_record(csv_record(listing))?;
    }
    out.flush()?;
    Ok(())
}

fn print_summary(listings: &[Listing], sellers: &Sellers) {
    let mut countries: BTreeMap<&str, usize> = BTreeMap::new();
    for l in listings {
        *countries.entry(l.origin_country).or_default() += 1;
    }
    let foreign = listings.iter().filter(|l| l.cross_border).count();
    let pct = 100.0 * foreign as f64 / listings.len() as f64;
    eprintln!(
        "listings: {}, sellers: {}",
        listings.len(),
        sellers.by_key.len()
    );
    eprintln!("cross-border: {foreign} ({pct:.1}%), by origin: {countries:?}");
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, out_dir] = args.as_slice() else {
        return Err("usage: make-catalogue <prdect-id.csv> <output-dir>".into());
    };
    let mut sellers = Sellers::default();
    let listings: Vec<Listing> = (1..)
        .zip(read_products(Path::new(input))?)
        .map(|(n, row)| make_listing(n, row, &mut sellers))
        .collect();
    let out_dir = Path::new(out_dir);
    std::fs::create_dir_all(out_dir)?;
    write_ndjson(&out_dir.join("listings.ndjson"), &listings)?;
    write_csv(&out_dir.join("listings.csv"), &listings)?;
    print_summary(&listings, &sellers);
    Ok(())
}
