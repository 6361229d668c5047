//! grammar/REFERENCE.md, "Decisions" and "Tests", run: one decision per listing,
//! the most severe action of the rules in force, every applying rule named with its
//! reason; and the fuller file of the project's design, rule by rule, on the
//! listings it was written for. Each test reads like the sentence it checks (the
//! helpers are in `common`).
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

/// A typical listing, the first of `examples/listings.ndjson` laid over lines: a
/// cross-border snack from China, under USD 100, without a halal number.
const TYPICAL_LISTING: &str = r#"{"id":"LZ-000000001","title":"Bakpia Pathok Kacang Hijau 500gr Oleh-oleh Khas Jogja",
 "cluster":"culinary","category":"culinary/cakes/traditional",
 "price":{"amount":51500,"currency":"IDR"},"price_usd":3.32,
 "origin_country":"CN","cross_border":true,
 "seller":{"id":"S-18061","country":"CN","city":"Guangzhou","umkm":false,"verified":true,"rating":4.7},
 "certifications":{"halal":null,"sni":null,"bpom":"BPOM RI MD 761228754616"},
 "tags":["frozen","oleh-oleh"],"listed_at":"2025-04-11T14:41:49Z","stock":285}"#;

fn typical_listing() -> Value {
    serde_json::from_str(TYPICAL_LISTING).expect("the typical listing is JSON")
}

/// [`FULLER`], rule by rule.
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
    fn the_typical_listing_breaks_three_rules() {
        assert_eq!(
            decide(FULLER, typical_listing()),
            (
                "block".into(),
                strings(&["akar_clusters", "min_price", "halal_missing"])
            )
        );
        assert_eq!(
            reasons(FULLER, typical_listing()),
            strings(&[
                "Cross-border imports closed for fashion, culinary and craft (Gerakan AKAR)",
                "Permendag 31/2023 art. 19: goods sold directly from abroad must cost at least FOB USD 100",
                "Halal certificate number required (UU 33/2014, PP 42/2024)",
            ])
        );
    }

    #[test]
    fn the_typical_listing_before_any_rule_was_in_force_is_only_flagged() {
        assert_eq!(
            decide_at(FULLER, typical_listing(), "2021-01-01"),
            ("flag".into(), strings(&["halal_missing"]))
        );
    }
}

/// "Decisions": the most severe action wins, and every rule that applies is named.
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
}

/// "Tests": a `test` block is a listing, a date and the decision expected.
mod test_blocks {
    use super::*;

    #[test]
    fn a_test_block_added_to_the_fuller_file_passes() {
        let policy = format!(
            "{FULLER}\n{}",
            r#"test "cross-border batik is blocked" {
  at 2024-01-01
  given {"cluster": "fashion", "cross_border": true, "price": {"amount": 20, "currency": "USD"}}
  expect block by akar_clusters
}
"#
        );
        let plan = plan_of_text(&policy);
        assert_eq!(plan.tests().len(), 1);
        let case = &plan.tests()[0];
        let decision = akar::eval::decide(&plan, &case.given, case.at.unwrap()).unwrap();
        let akar::plan::Expect::Decision { action, by } = &case.expects[0] else {
            panic!("a decision is expected");
        };
        assert_eq!(Some(decision.action), *action);
        assert!(decision.rules.contains(&by[0]));
        assert!(akar::testing::run_case(&plan, case).is_ok());
    }
}

mod test_semantics {
    use super::*;

    fn outcomes(policy: &str) -> Vec<Result<(), String>> {
        let plan = plan_of_text(policy);
        akar::testing::run_all(&plan, date("2024-01-01"))
            .into_iter()
            .map(|ran| ran.result)
            .collect()
    }

    const RULES: &str = r#"
rule a
  block import
  because "a"
rule b
  flag import where cluster == fashion
  because "b"
rule c overrides b
  allow import where title contains "handmade"
  because "c"
"#;

    #[test]
    fn by_names_rules_that_gave_the_decisions_action() {
        let given = r#"{"cross_border": true, "cluster": "fashion"}"#;
        let policy = format!(
            "{RULES}\ntest \"t1\" {{\n  at 2024-01-01\n  given {given}\n  expect block by a\n}}\ntest \"t2\" {{\n  at 2024-01-01\n  given {given}\n  expect block by b\n}}\n"
        );
        let results = outcomes(&policy);
        assert_eq!(results[0], Ok(()));
        // `b` applies, but it flags: it did not give the block.
        let why = results[1].clone().unwrap_err();
        assert!(
            why.contains("expected block by [b], got block by [a, b]"),
            "{why}"
        );
    }

    #[test]
    fn one_rule_can_be_asserted_whatever_the_rest_decides() {
        let policy = format!(
            "{RULES}\ntest \"t\" {{\n  at 2024-01-01\n  given {{\"cross_border\": true, \"cluster\": \"fashion\", \"title\": \"Handmade\"}}\n  expect a applies\n  expect b does not apply\n  expect b is suppressed by c\n  expect c applies\n}}\n"
        );
        assert_eq!(outcomes(&policy), [Ok(())]);
        let failing = policy.replace("expect b does not apply", "expect b applies");
        let why = outcomes(&failing)[0].clone().unwrap_err();
        assert!(why.contains("expected `b` to apply"), "{why}");
    }

    #[test]
    fn a_failing_test_names_the_fields_no_rule_reads() {
        let policy = format!(
            "{RULES}\ntest \"t\" {{\n  at 2024-01-01\n  given {{\"cross_border\": true, \"titel\": \"Handmade\", \"cluster\": \"fashion\"}}\n  expect c applies\n}}\n"
        );
        let why = outcomes(&policy)[0].clone().unwrap_err();
        assert!(
            why.contains("no rule reads `titel` (did you mean `title`?)"),
            "{why}"
        );
    }
}
