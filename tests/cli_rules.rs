//! `akar rules`: every rule of `policies/`, where it is written and when it is
//! in force, and over the bundled catalogue what each does, the rules that
//! never fire called out (README, "Reviewing a change").
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use serde_json::Value;

const CATALOGUE: &str = "data/prdect-id/listings.ndjson";

#[test]
fn over_the_catalogue_every_rule_is_counted() {
    let output = akar(
        &root(),
        &[
            "rules",
            "policies",
            "--listings",
            CATALOGUE,
            "--at",
            "2026-11-01",
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn without_a_catalogue_it_says_when_each_rule_is_in_force() {
    let output = akar(&root(), &["rules", "policies", "--at", "2021-06-01"], "");
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn json_holds_the_counts_and_the_rules_that_never_fire() {
    let output = akar(
        &root(),
        &[
            "rules",
            "policies",
            "--listings",
            CATALOGUE,
            "--at",
            "2026-11-01",
            "--format",
            "json",
        ],
        "",
    );
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["decisions"]["block"], 399);
    // Rules whose fields the catalogue does not carry (brands, HS codes, medians, drug
    // classes, licences), and the products no listing names: prohibited items, drugs,
    // protected animals, alcohol, banknotes, copies. The three handsets state their IMEI.
    assert_eq!(
        report["never_fire"],
        serde_json::json!([
            "current_banknotes_for_sale",
            "unclassified_listing",
            "counterfeit_title",
            "brand_unauthorised_seller",
            "hazardous_substance_unlicensed",
            "imei_not_registered",
            "imei_statement_missing",
            "bpom_online_without_izin_edar",
            "prescription_drug_direct_to_consumer",
            "alcohol_unlicensed_seller",
            "alcohol_without_age_verification",
            "platform_selling_own_products",
            "label_importer_missing",
            "mfn_duty_bags",
            "mfn_duty_textiles",
            "mfn_duty_footwear",
            "mfn_duty_cosmetics",
            "mfn_duty_iron_steel",
            "mfn_duty_bicycles",
            "mfn_duty_watches",
            "tobacco_single_sticks",
            "price_far_from_category_median",
            "prohibited_narcotics",
            "prohibited_adult",
            "prohibited_pirated_media",
            "prohibited_personal_data",
            "prohibited_government_military",
            "protected_wildlife"
        ])
    );
    let below = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "below_fob_usd_100")
        .unwrap();
    assert_eq!(
        (
            &below["fired"],
            &below["alone"],
            &below["suppressed"],
            &below["errors"]
        ),
        (
            &Value::from(392),
            // Alone for 235: the rest are also closed by AKAR, or break art. 5.
            &Value::from(235),
            &Value::from(35),
            &Value::from(0)
        )
    );
    let positive = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "positive_list")
        .unwrap();
    assert_eq!(
        positive["overrides"],
        serde_json::json!(["below_fob_usd_100"])
    );
}

#[test]
fn fail_on_idle_fails_when_a_rule_in_force_never_fires() {
    let idle = akar(
        &root(),
        &[
            "rules",
            "policies",
            "--listings",
            CATALOGUE,
            "--at",
            "2026-11-01",
            "--fail-on-idle",
        ],
        "",
    );
    assert_eq!(idle.status.code(), Some(1));
    assert!(stderr(&idle).contains("a rule in force never fires"));
    let dir = folder(&[(
        "a.policy",
        "rule all\n  flag listing where id is present\n  because \"x\"\n",
    )]);
    let catalogue = root().join(CATALOGUE).display().to_string();
    let busy = akar(
        dir.path(),
        &[
            "rules",
            "a.policy",
            "--listings",
            &catalogue,
            "--fail-on-idle",
        ],
        "",
    );
    assert_eq!(busy.status.code(), Some(0), "{}", stderr(&busy));
}
