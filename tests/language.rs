#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The design's examples, run: every **(normative)** form of LANGUAGE.md sections 3
//! (the language), 4 (decisions) and 5 (the command line), written with small
//! helpers so that each test reads like the sentence it checks.

mod common;
use common::{akar, stdout};

use std::process::Output;

use akar::Sources;
use akar::check::check_sources;
use akar::diagnostics::{Style, render_all};
use akar::output::Outcome;
use akar::plan::Plan;
use chrono::NaiveDate;
use serde_json::{Value, json};

// ================================================================ helpers

/// The date examples are decided at, unless they say otherwise.
const AT: &str = "2024-06-01";

/// The name every one-file policy below is checked under: unnamed rules are
/// labelled `akar.policy:LINE`.
const FILE: &str = "akar.policy";

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a YYYY-MM-DD date")
}

fn sources(policy: &str) -> Sources {
    let mut sources = Sources::default();
    sources.add(FILE, policy);
    sources
}

/// The checked plan; a policy that does not check fails the test with its diagnostics.
fn plan(policy: &str) -> Plan {
    let sources = sources(policy);
    check_sources(&sources).unwrap_or_else(|problems| {
        panic!(
            "the policy does not check:\n{}",
            render_all(problems, &sources, Style::plain())
        )
    })
}

/// What `akar eval` writes for one listing, as a JSON value.
fn outcome_at(policy: &str, listing: Value, at: &str) -> Value {
    let plan = plan(policy);
    let decision = akar::eval::decide(&plan, &listing, date(at));
    let outcome = Outcome::new(&plan, 1, listing.get("id"), decision.as_ref());
    serde_json::to_value(outcome).unwrap()
}

/// The decision (`block`, `flag`, `allow` or `error`) and the labels of the rules
/// that gave it, in policy order.
fn decide_at(policy: &str, listing: Value, at: &str) -> (String, Vec<String>) {
    let outcome = outcome_at(policy, listing, at);
    let action = outcome["decision"].as_str().unwrap().to_string();
    let rules = outcome["rules"]
        .as_array()
        .map(|r| r.iter().map(|l| l.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    (action, rules)
}

fn decide(policy: &str, listing: Value) -> (String, Vec<String>) {
    decide_at(policy, listing, AT)
}

fn action_at(policy: &str, listing: Value, at: &str) -> String {
    decide_at(policy, listing, at).0
}

fn action(policy: &str, listing: Value) -> String {
    action_at(policy, listing, AT)
}

fn reasons(policy: &str, listing: Value) -> Vec<String> {
    let outcome = outcome_at(policy, listing, AT);
    outcome["reasons"]
        .as_array()
        .expect("a decided listing")
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

#[track_caller]
fn assert_blocks(policy: &str, listing: Value) {
    assert_eq!(action(policy, listing), "block");
}

#[track_caller]
fn assert_flags(policy: &str, listing: Value) {
    assert_eq!(action(policy, listing), "flag");
}

#[track_caller]
fn assert_allows(policy: &str, listing: Value) {
    assert_eq!(action(policy, listing), "allow");
}

/// A condition holds for a listing: `flag listing where CONDITION` flags it.
#[track_caller]
fn holds(condition: &str, listing: Value) -> bool {
    let policy = format!("flag listing where {condition}");
    match action(&policy, listing).as_str() {
        "flag" => true,
        "allow" => false,
        other => panic!("`{condition}` gave {other}"),
    }
}

/// The error a listing's decision carries; fails if the listing was decided.
#[track_caller]
fn eval_error(policy: &str, listing: Value) -> String {
    let outcome = outcome_at(policy, listing, AT);
    assert_eq!(outcome["decision"], "error", "expected an error: {outcome}");
    outcome["error"].as_str().unwrap().to_string()
}

/// The listing's decision is `error`, and the message names every fragment.
#[track_caller]
fn assert_error(policy: &str, listing: Value, fragments: &[&str]) {
    let error = eval_error(policy, listing);
    for fragment in fragments {
        assert!(
            error.contains(fragment),
            "the error does not mention {fragment:?}: {error}"
        );
    }
}

/// The codes of the problems `akar check` reports, in order.
fn check_codes(policy: &str) -> Vec<String> {
    match check_sources(&sources(policy)) {
        Ok(_) => Vec::new(),
        Err(problems) => problems
            .iter()
            .map(|p| {
                p.diagnostic
                    .code()
                    .map(|c| c.to_string())
                    .unwrap_or_default()
            })
            .collect(),
    }
}

#[track_caller]
fn assert_check_error(policy: &str, code: &str) {
    let codes = check_codes(policy);
    assert!(
        codes.iter().any(|c| c == code),
        "expected {code}, got {codes:?} for:\n{policy}"
    );
}

#[track_caller]
fn assert_checks(policy: &str) {
    plan(policy);
}

/// The rendered diagnostics of a policy that does not check.
fn diagnostics(policy: &str) -> String {
    let sources = sources(policy);
    let problems = check_sources(&sources).expect_err("the policy has errors");
    render_all(problems, &sources, Style::plain())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// ================================================================ section 3

/// The smallest complete policy (normative).
const SMALLEST: &str = "block import where cluster in [fashion, culinary, craft]";

/// The first example of section 3, verbatim.
const AKAR_POLICY: &str = r#"// policies/akar.policy
policy "lazada-id/gerakan-akar"
  title "Close cross-border imports in clusters served by local UMKM"
  source "Kemenkop UKM press release, 9 Aug 2021"

block import where cluster in [fashion, culinary, craft]
"#;

/// "A fuller file (normative forms)", verbatim.
const FULLER: &str = r#"rate USD = 15_500 IDR                      // exchange rate used to compare money

let protected = [fashion, culinary, craft]
let positive_list = [books, films, software, music]

rule akar_clusters
  block import where cluster in protected
  because "Cross-border imports closed for fashion, culinary and craft (Gerakan AKAR)"
  effective 2021-08-09

rule min_price
  block import where price < 100 USD
  unless cluster in positive_list
  because "Permendag 31/2023 art. 19: goods sold directly from abroad must cost at least FOB USD 100"
  effective 2023-09-26

rule halal_missing
  flag listing where cluster == culinary and certifications.halal is missing
  because "Halal certificate number required (UU 33/2014, PP 42/2024)"

rule keyword_hijab
  block import where title contains any ["hijab", "gamis", "mukena"] and price < 30_000 IDR
  because "Cross-border Muslim clothing under Rp30,000 closed"
"#;

/// The typical listing of section 8, verbatim.
const SECTION_8_LISTING: &str = r#"{"id":"LZ-000000001","title":"Bakpia Pathok Kacang Hijau 500gr Oleh-oleh Khas Jogja",
 "cluster":"culinary","category":"culinary/cakes/traditional",
 "price":{"amount":51500,"currency":"IDR"},"price_usd":3.32,
 "origin_country":"CN","cross_border":true,
 "seller":{"id":"S-18061","country":"CN","city":"Guangzhou","umkm":false,"verified":true,"rating":4.7},
 "certifications":{"halal":null,"sni":null,"bpom":"BPOM RI MD 761228754616"},
 "tags":["frozen","oleh-oleh"],"listed_at":"2025-04-11T14:41:49Z","stock":285}"#;

fn section_8_listing() -> Value {
    serde_json::from_str(SECTION_8_LISTING).expect("the section 8 listing is JSON")
}

fn usd(amount: u64) -> Value {
    json!({"amount": amount, "currency": "USD"})
}

fn idr(amount: u64) -> Value {
    json!({"amount": amount, "currency": "IDR"})
}

mod smallest_policy {
    use super::*;

    #[test]
    fn blocks_cross_border_listings_in_each_protected_cluster() {
        for cluster in ["fashion", "culinary", "craft"] {
            assert_eq!(
                decide(SMALLEST, json!({"cluster": cluster, "cross_border": true})),
                ("block".into(), strings(&["akar.policy:1"])),
                "{cluster}"
            );
        }
    }

    #[test]
    fn import_means_cross_border_is_true() {
        assert_allows(
            SMALLEST,
            json!({"cluster": "fashion", "cross_border": false}),
        );
        assert_allows(SMALLEST, json!({"cluster": "fashion"}));
    }

    #[test]
    fn bare_words_are_compared_as_strings_with_the_cluster_field() {
        assert_allows(
            SMALLEST,
            json!({"cluster": "electronics", "cross_border": true}),
        );
        assert_allows(
            SMALLEST,
            json!({"cluster": "Fashion", "cross_border": true}),
        );
    }

    #[test]
    fn the_commented_file_with_a_policy_header_is_the_same_policy() {
        assert_eq!(
            decide(
                AKAR_POLICY,
                json!({"cluster": "craft", "cross_border": true})
            ),
            ("block".into(), strings(&["akar.policy:6"]))
        );
        assert_allows(
            AKAR_POLICY,
            json!({"cluster": "books", "cross_border": true}),
        );
    }
}

mod fuller_file {
    use super::*;

    #[test]
    fn checks() {
        assert_checks(FULLER);
    }

    #[test]
    fn akar_clusters_blocks_cross_border_protected_clusters_from_2021_08_09() {
        let batik = json!({"cluster": "fashion", "cross_border": true, "price": usd(250), "title": "Batik Tulis"});
        assert_eq!(
            decide(FULLER, batik.clone()),
            ("block".into(), strings(&["akar_clusters"]))
        );
        assert_eq!(
            reasons(FULLER, batik.clone()),
            strings(&[
                "Cross-border imports closed for fashion, culinary and craft (Gerakan AKAR)"
            ])
        );
        assert_eq!(action_at(FULLER, batik.clone(), "2021-08-09"), "block");
        assert_eq!(action_at(FULLER, batik, "2021-08-08"), "allow");
    }

    #[test]
    fn akar_clusters_leaves_domestic_sellers_alone() {
        let batik = json!({"cluster": "fashion", "cross_border": false, "price": idr(50_000)});
        assert_allows(FULLER, batik);
    }

    #[test]
    fn min_price_blocks_cheap_imports_from_2023_09_26() {
        let toy = json!({"cluster": "toys", "cross_border": true, "price": usd(99)});
        assert_eq!(
            decide(FULLER, toy.clone()),
            ("block".into(), strings(&["min_price"]))
        );
        assert_eq!(action_at(FULLER, toy.clone(), "2023-09-26"), "block");
        assert_eq!(action_at(FULLER, toy, "2023-09-25"), "allow");
    }

    #[test]
    fn min_price_spares_the_positive_list() {
        for cluster in ["books", "films", "software", "music"] {
            let cheap = json!({"cluster": cluster, "cross_border": true, "price": usd(5)});
            assert_allows(FULLER, cheap);
        }
    }

    #[test]
    fn min_price_lets_100_usd_and_more_through() {
        assert_allows(
            FULLER,
            json!({"cluster": "toys", "cross_border": true, "price": usd(100)}),
        );
        assert_allows(
            FULLER,
            json!({"cluster": "toys", "cross_border": true, "price": idr(1_550_000)}),
        );
        assert_blocks(
            FULLER,
            json!({"cluster": "toys", "cross_border": true, "price": idr(1_549_999)}),
        );
    }

    #[test]
    fn halal_missing_flags_culinary_listings_without_a_halal_number() {
        let keripik = json!({"cluster": "culinary", "cross_border": false, "certifications": {"bpom": "MD 1"}});
        assert_eq!(
            decide(FULLER, keripik),
            ("flag".into(), strings(&["halal_missing"]))
        );
        let null_halal = json!({"cluster": "culinary", "certifications": {"halal": null}});
        assert_flags(FULLER, null_halal);
        let certified =
            json!({"cluster": "culinary", "certifications": {"halal": "ID00110000123"}});
        assert_allows(FULLER, certified);
    }

    #[test]
    fn keyword_hijab_blocks_cheap_cross_border_muslim_clothing() {
        let book = |title: &str, price: u64| json!({"title": title, "cluster": "books", "cross_border": true, "price": idr(price)});
        assert_eq!(
            decide(FULLER, book("Buku Panduan HIJAB Syar'i", 29_999)),
            ("block".into(), strings(&["keyword_hijab"]))
        );
        assert_eq!(
            reasons(FULLER, book("Gamis Polos", 25_000)),
            strings(&["Cross-border Muslim clothing under Rp30,000 closed"])
        );
        assert_blocks(FULLER, book("Mukena Katun", 10_000));
        assert_allows(FULLER, book("Buku Hijab", 30_000));
        assert_allows(FULLER, book("Kemeja Pria", 10_000));
    }

    #[test]
    fn the_section_8_listing_breaks_three_rules() {
        assert_eq!(
            decide(FULLER, section_8_listing()),
            (
                "block".into(),
                strings(&["akar_clusters", "min_price", "halal_missing"])
            )
        );
        assert_eq!(
            reasons(FULLER, section_8_listing()),
            strings(&[
                "Cross-border imports closed for fashion, culinary and craft (Gerakan AKAR)",
                "Permendag 31/2023 art. 19: goods sold directly from abroad must cost at least FOB USD 100",
                "Halal certificate number required (UU 33/2014, PP 42/2024)",
            ])
        );
    }

    #[test]
    fn the_section_8_listing_before_any_rule_was_in_force_is_only_flagged() {
        assert_eq!(
            decide_at(FULLER, section_8_listing(), "2021-01-01"),
            ("flag".into(), strings(&["halal_missing"]))
        );
    }
}

mod actions {
    use super::*;

    #[test]
    fn block_flag_and_allow() {
        let listing = json!({"cluster": "toys"});
        assert_blocks("block listing where cluster == toys", listing.clone());
        assert_flags("flag listing where cluster == toys", listing.clone());
        assert_eq!(
            decide("allow listing where cluster == toys", listing),
            ("allow".into(), strings(&["akar.policy:1"]))
        );
    }
}

mod subjects {
    use super::*;

    #[test]
    fn listing_is_every_listing() {
        assert_flags("flag listing", json!({}));
        assert_flags("flag listing", json!({"cross_border": true}));
    }

    #[test]
    fn import_is_cross_border_true() {
        let policy = "flag import";
        assert_flags(policy, json!({"cross_border": true}));
        assert_allows(policy, json!({"cross_border": false}));
        assert_allows(policy, json!({}));
    }

    #[test]
    fn domestic_is_not_import() {
        let policy = "flag domestic";
        assert_allows(policy, json!({"cross_border": true}));
        assert_flags(policy, json!({"cross_border": false}));
    }

    #[test]
    fn a_policy_may_redefine_import() {
        let policy = "subject import = seller.country != \"ID\"\n\
                      block import where cluster == fashion\n\
                      flag domestic where cluster == fashion\n";
        let from = |country: &str, cross_border: bool| json!({"cluster": "fashion", "cross_border": cross_border, "seller": {"country": country}});
        assert_blocks(policy, from("CN", false));
        assert_flags(policy, from("ID", true));
    }

    #[test]
    fn listing_and_domestic_cannot_be_redefined() {
        assert_check_error("subject listing = stock > 0", "akar::check::invalid");
        assert_check_error(
            "subject domestic = seller.country == \"ID\"",
            "akar::check::invalid",
        );
    }

    #[test]
    fn an_unknown_subject_is_a_check_error_with_did_you_mean() {
        let policy = "block imports where cluster == fashion";
        assert_check_error(policy, "akar::check::unknown_name");
        assert!(diagnostics(policy).contains("did you mean `import`?"));
    }
}

mod rules {
    use super::*;

    #[test]
    fn an_unnamed_one_line_rule_is_labelled_by_file_and_line() {
        let policy = "// closed clusters\n\nblock import where cluster == fashion\n";
        assert_eq!(
            decide(policy, json!({"cluster": "fashion", "cross_border": true})),
            ("block".into(), strings(&["akar.policy:3"]))
        );
    }

    #[test]
    fn a_named_rule_takes_optional_clauses_in_any_order() {
        let policy = r#"
rule fashion_window
  flag listing where cluster == fashion
  until 2025-01-01
  because "Transition period"
  unless seller.umkm == true
  effective 2024-01-01
"#;
        let listing = json!({"cluster": "fashion", "seller": {"umkm": false}});
        assert_eq!(
            decide(policy, listing.clone()),
            ("flag".into(), strings(&["fashion_window"]))
        );
        assert_eq!(reasons(policy, listing), strings(&["Transition period"]));
    }

    #[test]
    fn unless_exempts_listings_where_its_condition_holds() {
        let policy = "rule r\n  block import where price < 100 USD\n  unless cluster in [books]";
        assert_blocks(
            policy,
            json!({"cross_border": true, "price": usd(5), "cluster": "toys"}),
        );
        assert_allows(
            policy,
            json!({"cross_border": true, "price": usd(5), "cluster": "books"}),
        );
    }

    #[test]
    fn a_rule_is_in_force_on_dates_effective_le_d_lt_until() {
        let policy = "rule window\n  flag listing\n  effective 2024-01-01\n  until 2024-02-01";
        let at = |d: &str| action_at(policy, json!({}), d);
        assert_eq!(at("2023-12-31"), "allow");
        assert_eq!(at("2024-01-01"), "flag");
        assert_eq!(at("2024-01-31"), "flag");
        assert_eq!(at("2024-02-01"), "allow");
    }

    #[test]
    fn until_must_come_after_effective() {
        let policy = "rule window\n  flag listing\n  effective 2024-02-01\n  until 2024-01-01";
        assert_check_error(policy, "akar::check::empty_period");
    }
}

mod conditions {
    use super::*;

    #[test]
    fn equality_and_inequality() {
        let listing = json!({"cluster": "fashion"});
        assert!(holds("cluster == fashion", listing.clone()));
        assert!(!holds("cluster == craft", listing.clone()));
        assert!(holds("cluster != craft", listing.clone()));
        assert!(!holds("cluster != fashion", listing));
    }

    #[test]
    fn ordering_of_numbers() {
        let listing = json!({"stock": 10});
        assert!(holds("stock < 11", listing.clone()));
        assert!(!holds("stock < 10", listing.clone()));
        assert!(holds("stock <= 10", listing.clone()));
        assert!(!holds("stock <= 9", listing.clone()));
        assert!(holds("stock > 9", listing.clone()));
        assert!(!holds("stock > 10", listing.clone()));
        assert!(holds("stock >= 10", listing.clone()));
        assert!(!holds("stock >= 11", listing));
    }

    #[test]
    fn in_and_not_in_a_list() {
        let listing = json!({"cluster": "craft"});
        assert!(holds(
            "cluster in [fashion, culinary, craft]",
            listing.clone()
        ));
        assert!(!holds("cluster in [books, films]", listing.clone()));
        assert!(holds("cluster not in [books, films]", listing.clone()));
        assert!(!holds("cluster not in [fashion, culinary, craft]", listing));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        // `a or b and c` is `a or (b and c)`.
        let condition = "cluster == books or cluster == toys and stock == 0";
        assert!(holds(condition, json!({"cluster": "books", "stock": 5})));
        assert!(!holds(condition, json!({"cluster": "toys", "stock": 5})));
        assert!(holds(condition, json!({"cluster": "toys", "stock": 0})));
    }

    #[test]
    fn parentheses_group() {
        let condition = "(cluster == books or cluster == toys) and stock == 0";
        assert!(!holds(condition, json!({"cluster": "books", "stock": 5})));
        assert!(holds(condition, json!({"cluster": "books", "stock": 0})));
    }

    #[test]
    fn not_negates() {
        assert!(holds("not cluster == books", json!({"cluster": "toys"})));
        assert!(!holds("not cluster == books", json!({"cluster": "books"})));
        assert!(holds("not (stock > 5 or stock < 1)", json!({"stock": 3})));
        // `not` applies to the test after it, before `and`.
        assert!(holds("not stock > 5 and stock > 1", json!({"stock": 3})));
    }

    #[test]
    fn is_missing_and_is_present() {
        assert!(holds("certifications.halal is missing", json!({})));
        assert!(holds(
            "certifications.halal is missing",
            json!({"certifications": {"halal": null}})
        ));
        assert!(!holds(
            "certifications.halal is missing",
            json!({"certifications": {"halal": "ID001"}})
        ));
        assert!(holds(
            "certifications.halal is present",
            json!({"certifications": {"halal": "ID001"}})
        ));
        assert!(!holds(
            "certifications.halal is present",
            json!({"certifications": {"halal": null}})
        ));
    }

    #[test]
    fn contains_on_a_string_ignores_case() {
        assert!(holds(
            "title contains \"hijab\"",
            json!({"title": "HIJAB Instan"})
        ));
        assert!(holds(
            "title contains \"HIJAB\"",
            json!({"title": "Jilbab hijab"})
        ));
        assert!(!holds(
            "title contains \"hijab\"",
            json!({"title": "Kemeja"})
        ));
    }

    #[test]
    fn contains_any_on_a_string_ignores_case() {
        let condition = "title contains any [\"hijab\", \"gamis\", \"mukena\"]";
        assert!(holds(condition, json!({"title": "Gamis Syar'i Premium"})));
        assert!(holds(condition, json!({"title": "MUKENA katun"})));
        assert!(!holds(condition, json!({"title": "Kemeja Pria"})));
    }

    #[test]
    fn starts_with_on_a_string() {
        let condition = "certifications.bpom starts with \"BPOM RI\"";
        assert!(holds(
            condition,
            json!({"certifications": {"bpom": "BPOM RI MD 761228754616"}})
        ));
        assert!(!holds(
            condition,
            json!({"certifications": {"bpom": "MD 761228754616 BPOM RI"}})
        ));
    }

    #[test]
    fn contains_on_a_list_is_membership() {
        let condition = "tags contains \"frozen\"";
        assert!(holds(condition, json!({"tags": ["frozen", "oleh-oleh"]})));
        assert!(!holds(condition, json!({"tags": ["frozen-food"]})));
        assert!(!holds(condition, json!({"tags": []})));
    }
}

mod values {
    use super::*;

    #[test]
    fn strings() {
        assert!(holds(
            "seller.country == \"ID\"",
            json!({"seller": {"country": "ID"}})
        ));
        assert!(holds(
            "title == \"Kain \\\"Batik\\\"\"",
            json!({"title": "Kain \"Batik\""})
        ));
    }

    #[test]
    fn numbers_with_decimals_and_underscores() {
        assert!(holds("stock == 12", json!({"stock": 12})));
        assert!(holds(
            "seller.rating >= 4.5",
            json!({"seller": {"rating": 4.5}})
        ));
        assert!(holds("price_usd < 12.5", json!({"price_usd": 12.49})));
        assert!(holds("stock == 1_500_000", json!({"stock": 1_500_000})));
        assert!(holds("stock == 12", json!({"stock": 12.0})));
    }

    #[test]
    fn an_underscore_not_between_digits_is_a_check_error() {
        assert_check_error(
            "flag listing where stock < 1__0",
            "akar::check::invalid_number",
        );
    }

    #[test]
    fn booleans() {
        assert!(holds(
            "seller.umkm == true",
            json!({"seller": {"umkm": true}})
        ));
        assert!(holds(
            "seller.umkm == false",
            json!({"seller": {"umkm": false}})
        ));
        assert!(!holds(
            "seller.umkm == false",
            json!({"seller": {"umkm": true}})
        ));
    }

    #[test]
    fn dates_compare_with_rfc_3339_dates_and_date_times() {
        let condition = "listed_at < 2023-09-26";
        assert!(holds(condition, json!({"listed_at": "2023-09-25"})));
        assert!(!holds(condition, json!({"listed_at": "2023-09-26"})));
        assert!(holds(
            condition,
            json!({"listed_at": "2023-09-25T23:59:59Z"})
        ));
        assert!(!holds(
            condition,
            json!({"listed_at": "2025-04-11T14:41:49Z"})
        ));
        assert!(holds(
            "listed_at == 2025-04-11",
            json!({"listed_at": "2025-04-11T14:41:49Z"})
        ));
    }

    #[test]
    fn a_date_that_is_not_in_the_calendar_is_a_check_error() {
        let policy = "rule r\n  flag listing\n  effective 2023-02-30";
        assert_check_error(policy, "akar::check::invalid_date");
    }

    #[test]
    fn money_in_usd_and_idr() {
        let policy = "rate USD = 15_500 IDR\nflag listing where price < 100 USD\n";
        assert_flags(policy, json!({"price": usd(99)}));
        let policy = "flag listing where price < 30_000 IDR";
        assert_flags(policy, json!({"price": idr(29_999)}));
        assert_allows(policy, json!({"price": idr(30_000)}));
    }

    #[test]
    fn lists_of_strings_and_of_numbers() {
        assert!(holds(
            "cluster in [\"fashion\", \"craft\"]",
            json!({"cluster": "craft"})
        ));
        assert!(holds("stock in [0, 1, 2]", json!({"stock": 1})));
        assert!(!holds("stock in [0, 1, 2]", json!({"stock": 3})));
    }

    #[test]
    fn bare_symbols_inside_lists_and_right_of_eq_ne_and_in() {
        let listing = json!({"cluster": "fashion"});
        assert!(holds("cluster == fashion", listing.clone()));
        assert!(holds("cluster != craft", listing.clone()));
        assert!(holds("cluster in [fashion, craft]", listing));
    }

    #[test]
    fn field_paths_reach_into_objects() {
        let listing = json!({"seller": {"country": "CN"}, "certifications": {"halal": "ID1"}});
        assert!(holds("seller.country == \"CN\"", listing.clone()));
        assert!(holds("certifications.halal is present", listing));
    }
}

mod money {
    use super::*;

    const MIN_PRICE: &str = "rate USD = 15_500 IDR\nblock import where price < 100 USD\n";

    fn import_priced(price: Value) -> Value {
        json!({"cross_border": true, "price": price})
    }

    #[test]
    fn a_money_field_is_an_amount_and_a_currency() {
        assert_blocks(MIN_PRICE, import_priced(usd(99)));
        assert_allows(MIN_PRICE, import_priced(usd(100)));
    }

    #[test]
    fn rupiah_compare_with_dollars_exactly_at_the_declared_rate() {
        // 100 USD = 1_550_000 IDR exactly: not less.
        assert_allows(MIN_PRICE, import_priced(idr(1_550_000)));
        assert_blocks(MIN_PRICE, import_priced(idr(1_549_999)));
        assert_blocks(
            MIN_PRICE,
            import_priced(json!({"amount": 1_549_999.99, "currency": "IDR"})),
        );
    }

    #[test]
    fn the_rate_works_both_ways() {
        let policy = "rate USD = 15_500 IDR\nblock import where price < 30_000 IDR\n";
        // 30_000 IDR = 1.935483... USD
        assert_blocks(
            policy,
            import_priced(json!({"amount": 1.93, "currency": "USD"})),
        );
        assert_allows(
            policy,
            import_priced(json!({"amount": 1.94, "currency": "USD"})),
        );
    }

    #[test]
    fn rates_chain_through_a_shared_currency() {
        // 100 EUR = 1_700_000 IDR and 100 USD = 1_550_000 IDR.
        let policy =
            "rate USD = 15_500 IDR\nrate EUR = 17_000 IDR\nblock import where price < 100 USD\n";
        let eur = |amount: f64| import_priced(json!({"amount": amount, "currency": "EUR"}));
        assert_allows(policy, eur(100.0));
        assert_blocks(policy, eur(91.17));
        assert_allows(policy, eur(91.18));
    }

    #[test]
    fn a_plain_number_field_is_taken_in_the_literal_s_currency() {
        assert_blocks(MIN_PRICE, import_priced(json!(99)));
        assert_allows(MIN_PRICE, import_priced(json!(100)));
        // Not in rupiah: 99 IDR would be far below 100 USD.
        assert_allows(MIN_PRICE, import_priced(json!(150)));
    }

    #[test]
    fn no_rate_makes_the_decision_an_error_naming_the_currencies() {
        assert_error(
            MIN_PRICE,
            import_priced(json!({"amount": 50, "currency": "EUR"})),
            &["EUR", "USD", "price"],
        );
    }

    #[test]
    fn money_in_a_currency_no_rate_reaches_is_a_check_error() {
        let policy = "rate USD = 15_500 IDR\nblock import where price < 100 EUR\n";
        assert_check_error(policy, "akar::check::no_rate");
    }

    #[test]
    fn money_in_two_currencies_without_a_rate_between_them_is_a_check_error() {
        let policy = "rate USD = 15_500 IDR\n\
                      block import where price < 100 EUR\n\
                      block import where price < 100 USD\n";
        assert_check_error(policy, "akar::check::no_rate");
    }
}

mod lets {
    use super::*;

    #[test]
    fn let_names_a_list() {
        let policy = "let protected = [fashion, culinary, craft]\n\
                      block import where cluster in protected\n";
        assert_blocks(policy, json!({"cluster": "craft", "cross_border": true}));
        assert_allows(policy, json!({"cluster": "toys", "cross_border": true}));
    }

    #[test]
    fn let_names_a_condition() {
        let policy = "rate USD = 15_500 IDR\n\
                      let cheap = price < 100 USD\n\
                      let cheap_fashion = cluster == fashion and cheap\n\
                      block import where cheap_fashion\n";
        assert_blocks(
            policy,
            json!({"cluster": "fashion", "cross_border": true, "price": usd(10)}),
        );
        assert_allows(
            policy,
            json!({"cluster": "fashion", "cross_border": true, "price": usd(100)}),
        );
    }

    #[test]
    fn a_let_may_be_used_before_it_is_defined() {
        let policy = "block import where cluster in protected\n\
                      let protected = [fashion]\n";
        assert_blocks(policy, json!({"cluster": "fashion", "cross_border": true}));
    }

    #[test]
    fn redefining_a_name_is_a_check_error_pointing_at_both_places() {
        let policy = "let protected = [fashion]\nlet protected = [craft]\n";
        assert_eq!(check_codes(policy), ["akar::check::duplicate_name"]);
        let problems = check_sources(&sources(policy)).expect_err("a duplicate");
        let labels: Vec<(usize, Option<String>)> = problems[0]
            .diagnostic
            .labels()
            .expect("labels")
            .map(|l| (l.offset(), l.label().map(str::to_string)))
            .collect();
        assert_eq!(
            labels,
            [
                (30, Some("defined again here".into())),
                (4, Some("first defined here".into()))
            ]
        );
    }

    #[test]
    fn redefining_a_rule_name_is_a_check_error() {
        let policy = "rule a\n  flag listing\nrule a\n  block listing\n";
        assert_eq!(check_codes(policy), ["akar::check::duplicate_name"]);
    }

    #[test]
    fn using_an_unknown_list_is_a_check_error_with_did_you_mean() {
        let policy = "let protected = [fashion]\nblock import where cluster in protectd\n";
        assert_eq!(check_codes(policy), ["akar::check::unknown_name"]);
        assert!(diagnostics(policy).contains("did you mean `protected`?"));
    }

    #[test]
    fn using_an_unknown_condition_is_a_check_error_with_did_you_mean() {
        let policy = "let cheap = price < 10 IDR\nblock import where cheep\n";
        assert_eq!(check_codes(policy), ["akar::check::unknown_name"]);
        assert!(diagnostics(policy).contains("did you mean `cheap`?"));
    }
}

/// Directions of section 3, as the project built them.
mod exceptions_and_derived_fields {
    use super::*;

    const POSITIVE_LIST: &str = r#"rate USD = 15_500 IDR

rule min_price
  block import where price < 100 USD

rule positive_list overrides min_price
  allow import where cluster in [books, films, software, music]
"#;

    #[test]
    fn an_allow_rule_that_matches_suppresses_the_rules_it_overrides() {
        let book = json!({"cluster": "books", "cross_border": true, "price": usd(5)});
        assert_eq!(
            decide(POSITIVE_LIST, book),
            ("allow".into(), strings(&["positive_list"]))
        );
        let toy = json!({"cluster": "toys", "cross_border": true, "price": usd(5)});
        assert_eq!(
            decide(POSITIVE_LIST, toy),
            ("block".into(), strings(&["min_price"]))
        );
    }

    #[test]
    fn override_cycles_and_unknown_targets_are_check_errors() {
        let cycle = "rule a overrides b\n  allow listing\nrule b overrides a\n  allow listing\n";
        assert_check_error(cycle, "akar::check::override_cycle");
        let unknown = "rule a overrides nothing_here\n  allow listing\n";
        assert_check_error(unknown, "akar::check::unknown_name");
        let itself = "rule a overrides a\n  allow listing\n";
        assert_check_error(itself, "akar::check::self_override");
    }

    #[test]
    fn a_match_derives_a_field_from_the_category_tree() {
        let policy = r#"
let cluster = match category { "Muslim Fashion", "Batik" => fashion, else => other }
block import where cluster in [fashion, culinary, craft]
"#;
        assert_blocks(policy, json!({"category": "Batik", "cross_border": true}));
        assert_blocks(
            policy,
            json!({"category": "Muslim Fashion", "cross_border": true}),
        );
        assert_allows(
            policy,
            json!({"category": "Handphone", "cross_border": true}),
        );
    }

    #[test]
    fn the_test_block_of_section_3_passes() {
        let policy = format!(
            "{FULLER}\n{}",
            r#"test "cross-border batik is blocked" {
  at 2024-01-01
  given {"cluster": "fashion", "cross_border": true, "price": {"amount": 20, "currency": "USD"}}
  expect block by akar_clusters
}
"#
        );
        let plan = plan(&policy);
        assert_eq!(plan.tests().len(), 1);
        let case = &plan.tests()[0];
        let decision = akar::eval::decide(&plan, &case.given, case.at.unwrap()).unwrap();
        assert_eq!(Some(decision.action), case.expect);
        assert!(decision.rules.contains(&case.by[0]));
    }
}

// ================================================================ section 4

mod decisions {
    use super::*;

    const THREE_ACTIONS: &str = r#"
rule review
  flag listing where stock == 0
  because "Out of stock"
rule closed
  block import where cluster == fashion
  because "Closed"
rule open
  allow listing where cluster == fashion
  because "Open"
"#;

    #[test]
    fn the_most_severe_action_wins_block_over_flag_over_allow() {
        let all = json!({"cluster": "fashion", "cross_border": true, "stock": 0});
        assert_eq!(
            decide(THREE_ACTIONS, all),
            ("block".into(), strings(&["review", "closed", "open"]))
        );
        let flag_and_allow = json!({"cluster": "fashion", "stock": 0});
        assert_eq!(
            decide(THREE_ACTIONS, flag_and_allow),
            ("flag".into(), strings(&["review", "open"]))
        );
        let allow_only = json!({"cluster": "fashion", "stock": 3});
        assert_eq!(
            decide(THREE_ACTIONS, allow_only),
            ("allow".into(), strings(&["open"]))
        );
    }

    #[test]
    fn no_rule_matching_is_allow() {
        assert_eq!(
            decide(THREE_ACTIONS, json!({"cluster": "toys", "stock": 4})),
            ("allow".into(), vec![])
        );
    }

    #[test]
    fn only_rules_in_force_at_the_evaluation_date_count() {
        let policy =
            "rule later\n  block listing\n  effective 2030-01-01\nrule now\n  flag listing\n";
        assert_eq!(
            decide(policy, json!({})),
            ("flag".into(), strings(&["now"]))
        );
        assert_eq!(
            decide_at(policy, json!({}), "2030-01-01"),
            ("block".into(), strings(&["later", "now"]))
        );
    }

    #[test]
    fn every_matching_rule_is_named_with_its_because_in_policy_order() {
        let all = json!({"cluster": "fashion", "cross_border": true, "stock": 0});
        assert_eq!(
            reasons(THREE_ACTIONS, all),
            strings(&["Out of stock", "Closed", "Open"])
        );
    }

    #[test]
    fn unnamed_rules_are_named_by_file_and_line() {
        let policy = "flag listing where stock == 0\n\nrule named\n  flag listing\n\nblock listing where stock == 0\n";
        assert_eq!(
            decide(policy, json!({"stock": 0})),
            (
                "block".into(),
                strings(&["akar.policy:1", "named", "akar.policy:6"])
            )
        );
    }

    #[test]
    fn a_missing_field_makes_a_comparison_false() {
        for condition in [
            "cluster == fashion",
            "stock < 10",
            "stock >= 10",
            "cluster in [fashion]",
            "title contains \"x\"",
            "title starts with \"x\"",
            "listed_at < 2024-01-01",
            "price < 100 IDR",
        ] {
            assert!(!holds(condition, json!({})), "{condition}");
            assert!(
                !holds(
                    condition,
                    json!({"cluster": null, "stock": null, "title": null})
                ),
                "{condition}"
            );
        }
    }

    #[test]
    fn not_equal_is_not_equal_so_a_missing_field_makes_it_true() {
        assert!(holds("cluster != fashion", json!({})));
        assert!(holds("cluster != fashion", json!({"cluster": null})));
        assert!(holds("cluster not in [fashion]", json!({})));
    }

    #[test]
    fn is_missing_tests_for_a_missing_field() {
        assert!(holds("cluster is missing", json!({})));
        assert!(holds("cluster is missing", json!({"cluster": null})));
        assert!(!holds("cluster is missing", json!({"cluster": ""})));
    }

    #[test]
    fn a_field_of_the_wrong_type_is_an_error_naming_field_expected_type_and_rule() {
        let policy = "rule low_stock\n  flag listing where stock < 10\n";
        assert_error(
            policy,
            json!({"stock": "ten"}),
            &["`stock`", "a number", "low_stock", "\"ten\""],
        );
        let policy =
            "rate USD = 15_500 IDR\nrule min_price\n  block import where price < 100 USD\n";
        assert_error(
            policy,
            json!({"cross_border": true, "price": "Rp 15.000"}),
            &["`price`", "money", "min_price"],
        );
        let policy = "rule fashion\n  flag listing where cluster == fashion\n";
        assert_error(
            policy,
            json!({"cluster": 7}),
            &["`cluster`", "text", "fashion"],
        );
        let policy = "rule umkm\n  flag listing where seller.umkm == true\n";
        assert_error(
            policy,
            json!({"seller": {"umkm": "yes"}}),
            &["`seller.umkm`", "a boolean", "umkm"],
        );
    }

    #[test]
    fn a_malformed_date_is_an_error() {
        let policy = "rule listed_before\n  flag listing where listed_at < 2023-09-26\n";
        assert_error(
            policy,
            json!({"listed_at": "26/09/2023"}),
            &["`listed_at`", "date", "listed_before", "26/09/2023"],
        );
        assert_error(
            policy,
            json!({"listed_at": 20230926}),
            &["`listed_at`", "a date"],
        );
    }

    #[test]
    fn a_wrong_type_is_never_a_silent_allow() {
        // The error wins even when other rules match: the decision is `error`.
        let policy = "flag listing\nblock listing where stock < 10\n";
        assert_eq!(action(policy, json!({"stock": "few"})), "error");
        // ... and where the comparison is negated.
        assert_eq!(
            action("flag listing where stock != 3", json!({"stock": "3"})),
            "error"
        );
        assert_eq!(
            action(
                "flag listing where cluster not in [fashion]",
                json!({"cluster": 1})
            ),
            "error"
        );
    }
}

// ================================================================ section 5

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8")
}

/// A temporary folder holding the given files.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("a file written");
    }
    dir
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

mod command_line {
    use super::*;

    #[test]
    fn check_exits_0_when_clean() {
        let dir = folder(&[("akar.policy", FULLER)]);
        let out = akar(dir.path(), &["check", "akar.policy"], "");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }

    #[test]
    fn check_exits_1_on_errors_with_labels_help_and_did_you_mean_on_stderr() {
        let dir = folder(&[(
            "akar.policy",
            "let protected = [fashion]\nblock imports where cluster in protected\n",
        )]);
        let out = akar(dir.path(), &["check", "akar.policy"], "");
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.contains("unknown subject `imports`"), "{err}");
        assert!(err.contains("not defined"), "a label: {err}");
        assert!(err.contains("help: did you mean `import`?"), "{err}");
        assert!(err.contains("akar.policy:2:7"), "the place: {err}");
        assert!(stdout(&out).is_empty());
    }

    #[test]
    fn eval_writes_one_json_object_per_listing_in_input_order() {
        let listings = [
            r#"{"id":"LZ-1","cluster":"fashion","cross_border":true,"price":{"amount":20,"currency":"USD"}}"#,
            r#"{"id":"LZ-2","cluster":"books","cross_border":true,"price":{"amount":20,"currency":"USD"}}"#,
            r#"{"id":"LZ-3","cluster":"culinary","cross_border":false}"#,
        ]
        .join("\n");
        let dir = folder(&[("akar.policy", FULLER), ("listings.ndjson", &listings)]);
        let out = akar(
            dir.path(),
            &[
                "eval",
                "akar.policy",
                "--listings",
                "listings.ndjson",
                "--at",
                AT,
            ],
            "",
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(
            json_lines(&stdout(&out)),
            [
                json!({"line": 1, "id": "LZ-1", "decision": "block",
                       "rules": ["akar_clusters", "min_price"],
                       "reasons": ["Cross-border imports closed for fashion, culinary and craft (Gerakan AKAR)",
                                   "Permendag 31/2023 art. 19: goods sold directly from abroad must cost at least FOB USD 100"]}),
                json!({"line": 2, "id": "LZ-2", "decision": "allow", "rules": [], "reasons": []}),
                json!({"line": 3, "id": "LZ-3", "decision": "flag", "rules": ["halal_missing"],
                       "reasons": ["Halal certificate number required (UU 33/2014, PP 42/2024)"]}),
            ]
        );
    }

    #[test]
    fn eval_writes_the_documented_record_shape() {
        // `{"line": 3, "id": "LZ-1", "decision": "block", "rules": [...], "reasons": [...]}`
        let listings = "{}\n{}\n{\"id\":\"LZ-1\",\"cluster\":\"fashion\",\"cross_border\":true}\n";
        let dir = folder(&[("akar.policy", FULLER), ("l.ndjson", listings)]);
        let out = akar(
            dir.path(),
            &["eval", "akar.policy", "-l", "l.ndjson", "--at", AT],
            "",
        );
        let line = stdout(&out).lines().nth(2).unwrap().to_string();
        assert_eq!(
            line,
            r#"{"line":3,"id":"LZ-1","decision":"block","rules":["akar_clusters"],"reasons":["Cross-border imports closed for fashion, culinary and craft (Gerakan AKAR)"]}"#
        );
    }

    #[test]
    fn a_bad_record_gets_an_error_record_and_the_run_goes_on() {
        let listings = "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n{\"id\":\"d\"}\n{\"id\":\"e\"}\n{\"id\":\"f\"}\n{not json\n{\"id\":\"h\"}\n";
        let dir = folder(&[("akar.policy", SMALLEST), ("l.ndjson", listings)]);
        let out = akar(
            dir.path(),
            &["eval", "akar.policy", "--listings", "l.ndjson", "--at", AT],
            "",
        );
        assert_eq!(out.status.code(), Some(0));
        let lines = json_lines(&stdout(&out));
        assert_eq!(lines.len(), 8);
        let bad = &lines[6];
        assert_eq!(bad["line"], 7);
        assert_eq!(bad["decision"], "error");
        assert!(bad["error"].as_str().is_some_and(|e| !e.is_empty()));
        assert_eq!(bad.as_object().unwrap().len(), 3, "{bad}");
        assert_eq!(lines[7]["id"], "h");
    }

    #[test]
    fn id_is_left_out_when_the_listing_has_none() {
        let dir = folder(&[
            ("akar.policy", SMALLEST),
            ("l.ndjson", "{\"cluster\":\"toys\"}\n"),
        ]);
        let out = akar(
            dir.path(),
            &["eval", "akar.policy", "--listings", "l.ndjson", "--at", AT],
            "",
        );
        assert_eq!(
            stdout(&out),
            "{\"line\":1,\"decision\":\"allow\",\"rules\":[],\"reasons\":[]}\n"
        );
    }

    #[test]
    fn eval_reads_stdin_as_dash() {
        let dir = folder(&[("akar.policy", SMALLEST)]);
        let out = akar(
            dir.path(),
            &["eval", "akar.policy", "--listings", "-", "--at", AT],
            "{\"id\":\"LZ-1\",\"cluster\":\"craft\",\"cross_border\":true}\n",
        );
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(json_lines(&stdout(&out))[0]["decision"], "block");
    }

    #[test]
    fn eval_reads_ndjson_a_json_array_or_csv_by_extension() {
        let ndjson = "{\"id\":\"LZ-1\",\"cluster\":\"craft\",\"cross_border\":true}\n";
        let array = "[{\"id\":\"LZ-1\",\"cluster\":\"craft\",\"cross_border\":true}]";
        let csv = "id,cluster,cross_border\nLZ-1,craft,true\n";
        let dir = folder(&[
            ("akar.policy", SMALLEST),
            ("l.ndjson", ndjson),
            ("l.json", array),
            ("l.csv", csv),
        ]);
        for file in ["l.ndjson", "l.json", "l.csv"] {
            let out = akar(
                dir.path(),
                &["eval", "akar.policy", "--listings", file, "--at", AT],
                "",
            );
            assert_eq!(
                json_lines(&stdout(&out)),
                [
                    json!({"line": 1, "id": "LZ-1", "decision": "block", "rules": ["akar.policy:1"],
                        "reasons": ["block import where cluster in [fashion, culinary, craft]"]})
                ],
                "{file}"
            );
        }
    }

    #[test]
    fn at_sets_the_evaluation_date() {
        let dir = folder(&[
            ("akar.policy", FULLER),
            (
                "l.ndjson",
                "{\"cluster\":\"toys\",\"cross_border\":true,\"price\":{\"amount\":5,\"currency\":\"USD\"}}\n",
            ),
        ]);
        let decision = |at: &str| {
            let out = akar(
                dir.path(),
                &["eval", "akar.policy", "--listings", "l.ndjson", "--at", at],
                "",
            );
            json_lines(&stdout(&out))[0]["decision"].clone()
        };
        assert_eq!(decision("2023-09-25"), "allow");
        assert_eq!(decision("2023-09-26"), "block");
    }

    #[test]
    fn the_evaluation_date_defaults_to_today_in_utc() {
        let today = chrono::Utc::now().date_naive();
        let tomorrow = today.succ_opt().unwrap();
        let policy = format!(
            "rule from_today\n  flag listing\n  effective {today}\nrule from_tomorrow\n  block listing\n  effective {tomorrow}\n"
        );
        let dir = folder(&[("akar.policy", &policy), ("l.ndjson", "{}\n")]);
        let out = akar(
            dir.path(),
            &["eval", "akar.policy", "--listings", "l.ndjson"],
            "",
        );
        assert_eq!(json_lines(&stdout(&out))[0]["rules"], json!(["from_today"]));
    }

    #[test]
    fn eval_writes_a_summary_of_counts_by_decision_to_stderr() {
        let listings = "{\"cluster\":\"craft\",\"cross_border\":true}\n{}\n{\"cluster\":1,\"cross_border\":true}\n";
        let dir = folder(&[("akar.policy", SMALLEST), ("l.ndjson", listings)]);
        let out = akar(
            dir.path(),
            &["eval", "akar.policy", "--listings", "l.ndjson", "--at", AT],
            "",
        );
        let err = stderr(&out);
        assert!(err.contains("3 listings"), "{err}");
        assert!(err.contains("1 block"), "{err}");
        assert!(err.contains("1 allow"), "{err}");
        assert!(err.contains("1 error"), "{err}");
    }

    #[test]
    fn test_ends_with_passed_and_failed_counts_and_exits_1_if_any_failed() {
        let passing = format!(
            "{FULLER}\n{}",
            r#"test "cross-border batik is blocked" {
  at 2024-01-01
  given {"cluster": "fashion", "cross_border": true, "price": {"amount": 20, "currency": "USD"}}
  expect block by akar_clusters
}
"#
        );
        let failing = format!(
            "{passing}\n{}",
            r#"test "a toy is blocked" {
  at 2021-01-01
  given {"cluster": "toys", "cross_border": true, "price": {"amount": 20, "currency": "USD"}}
  expect block by min_price
}
"#
        );
        let dir = folder(&[("pass.policy", &passing), ("fail.policy", &failing)]);
        let out = akar(dir.path(), &["test", "pass.policy"], "");
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(stdout(&out).lines().last(), Some("1 passed, 0 failed"));
        let out = akar(dir.path(), &["test", "fail.policy"], "");
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(stdout(&out).lines().last(), Some("1 passed, 1 failed"));
    }

    const MESSY: &str = "// closed clusters\nlet   protected=[fashion,culinary,craft]\nrule akar_clusters block import where cluster in protected   because \"Gerakan AKAR\"  // 2021\n";

    #[test]
    fn fmt_lays_out_canonically_keeps_comments_and_is_idempotent() {
        let dir = folder(&[("akar.policy", MESSY)]);
        let out = akar(dir.path(), &["fmt", "akar.policy"], "");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let once = std::fs::read_to_string(dir.path().join("akar.policy")).unwrap();
        assert_ne!(once, MESSY, "fmt changed nothing");
        assert!(once.contains("// closed clusters"), "{once}");
        assert!(once.contains("// 2021"), "{once}");
        let check = akar(dir.path(), &["fmt", "--check", "akar.policy"], "");
        assert_eq!(
            check.status.code(),
            Some(0),
            "not idempotent: {}",
            stderr(&check)
        );
        akar(dir.path(), &["fmt", "akar.policy"], "");
        let twice = std::fs::read_to_string(dir.path().join("akar.policy")).unwrap();
        assert_eq!(once, twice);
        assert_eq!(
            akar(dir.path(), &["check", "akar.policy"], "")
                .status
                .code(),
            Some(0)
        );
    }

    #[test]
    fn fmt_check_fails_on_a_file_that_is_not_laid_out() {
        let dir = folder(&[("akar.policy", MESSY)]);
        let out = akar(dir.path(), &["fmt", "--check", "akar.policy"], "");
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let after = std::fs::read_to_string(dir.path().join("akar.policy")).unwrap();
        assert_eq!(after, MESSY, "--check must not change the file");
    }

    #[test]
    fn repl_starts_with_files_and_quits() {
        let dir = folder(&[("akar.policy", FULLER)]);
        let out = akar(dir.path(), &["repl", "akar.policy"], ":quit\n");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}
