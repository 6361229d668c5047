//! grammar/REFERENCE.md, "Values", run: strings, numbers, booleans, dates, lists,
//! symbols and field paths, and money: amounts compared across currencies exactly
//! at the declared rates, and what is refused rather than rounded. Each test reads
//! like the sentence it checks (the helpers are in `common`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;
use common::*;

use serde_json::{Value, json};

/// The table of values, and "Dates".
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

/// "Money": amounts and currencies, compared exactly at the declared rates.
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

    /// `akar check` on rates whose chain leaves a decimal's range: a check error
    /// that says so, not a crash.
    #[track_caller]
    fn assert_refused_as_inexact_rates(out: &std::process::Output) {
        let err = stderr(out);
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("akar::check::inexact_rates"), "{err}");
    }

    #[test]
    fn chained_rates_too_large_for_a_decimal_are_a_check_error_not_a_crash() {
        let dir = folder(&[(
            "r.policy",
            "rate AAA = 10_000_000_000_000_000 BBB\nrate BBB = 10_000_000_000_000_000 CCC\nblock listing where price < 1 AAA\n",
        )]);
        assert_refused_as_inexact_rates(&akar(dir.path(), &["check", "r.policy"], ""));
    }

    #[test]
    fn chained_rates_too_small_for_a_decimal_are_a_check_error_not_a_crash() {
        let dir = folder(&[(
            "r.policy",
            "rate AAA = 0.000000000000001 BBB\nrate BBB = 0.000000000000001 CCC\nblock listing where price > 1 CCC\n",
        )]);
        assert_refused_as_inexact_rates(&akar(dir.path(), &["check", "r.policy"], ""));
    }

    /// Rates whose chain would need more precision than a decimal holds are a check
    /// error, never a rounded (and so wrong) comparison.
    #[test]
    fn chained_tiny_rates_are_refused_rather_than_rounded() {
        let policy = "rate AAA = 0.000000000000001 BBB\nrate BBB = 0.000000000000001 CCC\nblock listing where price < 1 AAA\n";
        assert_eq!(check_codes(policy), ["akar::check::inexact_rates"]);
    }

    /// A listing's number beyond what a decimal holds exactly cannot be decided: an
    /// error that says so, never a rounded comparison.
    #[test]
    fn a_number_too_precise_for_a_decimal_is_an_error_that_says_why() {
        for x in ["1e-29", "0.00000000000000000000000000001", "1e-300"] {
            let listing: Value = serde_json::from_str(&format!(r#"{{"x":{x}}}"#)).unwrap();
            assert_error(
                "block listing where x > 0",
                listing,
                &["too large or too precise"],
            );
        }
    }
}
