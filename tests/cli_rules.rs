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
    assert_eq!(report["decisions"]["block"], 443);
    // The fields the newer rules read are missing from every catalogue listing, and no
    // listing names a prohibited item, a drug, a protected animal or alcohol.
    assert_eq!(
        report["never_fire"],
        serde_json::json!([
            "unclassified_listing",
            "hazardous_substance_unlicensed",
            "imei_not_registered",
            "bpom_online_without_izin_edar",
            "prescription_drug_direct_to_consumer",
            "alcohol_unlicensed_seller",
            "alcohol_without_age_verification",
            "platform_selling_own_products",
            "label_importer_missing",
            "tobacco_single_sticks",
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
            // Never alone: every cross-border listing also breaks art. 5 (the catalogue
            // has no merchant identity or ship-from country).
            &Value::from(0),
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
