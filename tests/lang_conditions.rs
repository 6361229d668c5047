//! grammar/REFERENCE.md, "Conditions", run: each form of a condition, how `not`,
//! `and` and `or` bind, what a missing field makes of a comparison, and what a field
//! of the wrong type makes of a decision. Each test reads like the sentence it
//! checks (the helpers are in `common`; `holds(condition, listing)` asks whether
//! `flag listing where CONDITION` flags the listing).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;
use common::*;

use serde_json::json;

/// The table of forms: comparisons, lists, presence, text, and the connectives.
mod forms {
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

/// "Missing fields": a comparison with a missing field is false, `!=` is `not ==`.
mod missing_fields {
    use super::*;

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
}

/// "Types": a field holding the wrong kind of value makes the decision `error`.
mod types {
    use super::*;

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
