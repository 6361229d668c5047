//! grammar/REFERENCE.md, "`let`" and "Derived fields: `match`", run: names for
//! lists and conditions, usable before they are defined; the check errors for a
//! name defined twice or not at all; and a field derived from the category tree.
//! Each test reads like the sentence it checks (the helpers are in `common`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;
use common::*;

use akar::check::check_sources;
use serde_json::json;

/// "`let`": a name for a value, a list or a condition.
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
        let problems = check_sources(&one_file(policy)).expect_err("a duplicate");
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

/// "Derived fields: `match`": a value derived from a field, used as a field.
mod derived_fields {
    use super::*;

    #[test]
    fn a_match_derives_a_field_from_the_category_tree() {
        let policy = r#"
let cluster = match category {
  "Muslim Fashion", "Batik" => fashion,
  "Food and Drink" => culinary,
  "Party Supplies and Craft" => craft,
  else => other
}
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
    fn a_value_no_arm_gives_is_a_check_error() {
        // The `match` is closed: a value none of its arms gives can never match.
        let policy = r#"
let cluster = match category { "Muslim Fashion", "Batik" => fashion, else => other }
let akar_clusters = [fashon, culinary]
block import where cluster in akar_clusters or cluster == fashion
"#;
        let rendered = diagnostics(policy);
        assert_eq!(check_codes(policy), ["akar::check::unknown_value"; 2]);
        assert!(rendered.contains("did you mean `fashion`?"), "{rendered}");
        assert!(
            rendered.contains("`cluster` is one of fashion, other"),
            "{rendered}"
        );
    }
}
