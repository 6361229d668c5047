//! grammar/REFERENCE.md, "Files and policy sets", "Rules" (with "Exceptions:
//! `overrides`") and "Subjects", run: what one rule says, when it is in force, how
//! an exception suppresses another rule, and which listings a subject means. Each
//! test reads like the sentence it checks (the helpers are in `common`).
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

/// The smallest policy as a file: a comment, a `policy` header ("The `policy`
/// header") and the rule, on line 6.
const AKAR_POLICY: &str = r#"// policies/akar.policy
policy "lazada-id/gerakan-akar"
  title "Close cross-border imports in clusters served by local UMKM"
  source "Kemenkop UKM press release, 9 Aug 2021"

block import where cluster in [fashion, culinary, craft]
"#;

/// "Files and policy sets": the smallest complete policy, one unnamed rule.
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

/// "Rules": the actions `block`, `flag` and `allow`.
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

/// "Rules": names, labels, clauses in any order, `unless`, `effective` and `until`.
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

/// "Exceptions: `overrides`": an applying rule suppresses the rules it names.
mod exceptions {
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
}

/// "Subjects": `listing`, `import`, `domestic`, and redefining `import`.
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
