#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]
//! The real policies in `policies/`: their own `test` blocks, their decision counts on
//! the bundled catalogue at fixed dates, and a few real listings checked by hand.

mod common;
use common::{date, plan_of_path, root};

use akar::Sources;
use akar::check::check_sources;
use akar::diagnostics::{Style, render_all};

use std::collections::BTreeMap;
use std::fmt::Write as _;

use akar::eval::{Decider, decide};
use akar::plan::{Action, Plan, TestCase};
use serde_json::Value as Json;

/// `policies/` loaded and checked; a check error fails with the rendered diagnostics.
fn plan() -> Plan {
    plan_of_path("policies")
}

fn labels(plan: &Plan, rules: &[usize]) -> Vec<String> {
    rules
        .iter()
        .map(|i| plan.rules()[*i].label.clone())
        .collect()
}

/// Runs one `test` block as `akar test` does: `Err` says how the decision differed.
fn run_case(plan: &Plan, case: &TestCase) -> Result<(), String> {
    // Every test in policies/ must pin its date, or it would change with the calendar.
    if case.at.is_none() {
        return Err("no `at DATE`: a policy test must not depend on today's date".into());
    }
    akar::testing::run_case(plan, case)
}

#[test]
fn every_policy_test_block_passes() {
    let plan = plan();
    assert!(
        plan.tests().len() >= 40,
        "expected the policy files to carry their tests, found {}",
        plan.tests().len()
    );
    let failures: Vec<String> = plan
        .tests()
        .iter()
        .filter_map(|case| {
            run_case(&plan, case)
                .err()
                .map(|why| format!("{} ({}): {why}", case.name, case.location))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} policy tests failed:\n  {}",
        failures.len(),
        plan.tests().len(),
        failures.join("\n  ")
    );
}

#[test]
fn every_rule_is_named_cited_dated_and_tested() {
    let plan = plan();
    let mut problems = Vec::new();
    for (index, rule) in plan.rules().iter().enumerate() {
        let label = &rule.label;
        if rule.name.is_none() {
            problems.push(format!("{label}: unnamed; decisions should read by name"));
        }
        if rule.because.as_deref().is_none_or(str::is_empty) {
            problems.push(format!("{label}: no `because` citing its source"));
        }
        // The data-quality rule of common.policy is not a regulation and has no date.
        if rule.effective.is_none() && label != "unclassified_listing" {
            problems.push(format!("{label}: no `effective` date"));
        }
        let tested = plan.tests().iter().any(|t| t.rules().any(|r| r == index));
        if !tested {
            problems.push(format!("{label}: no test names it after `by`"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn catalogue() -> Vec<Json> {
    let path = root().join("data/prdect-id/listings.ndjson");
    let text = std::fs::read_to_string(&path).expect("the bundled catalogue is readable");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("every catalogue line is JSON"))
        .collect()
}

/// Decision counts over the catalogue at `at`, as a small table: per decision, then per
/// rule (in policy order, with the rule's action), counting listings the rule applies to
/// (a notice included).
fn counts_table(plan: &Plan, listings: &[Json], at: &str) -> String {
    let mut decisions: BTreeMap<&str, usize> =
        [("block", 0), ("flag", 0), ("allow", 0), ("error", 0)].into();
    let mut per_rule = vec![0usize; plan.rules().len()];
    let decider = Decider::new(plan, date(at));
    for listing in listings {
        match decider.decide_json(listing) {
            Ok(d) => {
                *decisions.entry(d.action.as_str()).or_default() += 1;
                for r in d.rules.into_iter().chain(d.notices) {
                    per_rule[r] += 1;
                }
            }
            Err(_) => *decisions.entry("error").or_default() += 1,
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "policies/ on data/prdect-id/listings.ndjson at {at}: {} listings",
        listings.len()
    );
    let _ = writeln!(
        out,
        "block {}, flag {}, allow {}, error {}",
        decisions["block"], decisions["flag"], decisions["allow"], decisions["error"]
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<40} {:<6} {:>8}", "rule", "action", "listings");
    for (rule, count) in plan.rules().iter().zip(&per_rule) {
        let _ = writeln!(
            out,
            "{:<40} {:<6} {:>8}",
            rule.label,
            rule.action.as_str(),
            count
        );
    }
    out
}

#[test]
fn decision_counts_on_the_bundled_catalogue() {
    let plan = plan();
    let listings = catalogue();
    assert_eq!(listings.len(), 1323);
    insta::assert_snapshot!(
        "counts-2026-11-01",
        counts_table(&plan, &listings, "2026-11-01")
    );
    insta::assert_snapshot!(
        "counts-2024-01-01",
        counts_table(&plan, &listings, "2024-01-01")
    );
}

/// Real listings of the catalogue, read by hand: (id, date, decision, rules in policy
/// order). The comment on each says why. (The art. 5 identity, description language,
/// ship-from country, K3L, label, IMEI and age-gate fields are simulated:
/// data/prdect-id/README.md.)
const HAND_CHECKED: &[(&str, &str, &str, &[&str])] = &[
    // Hijab from a seller abroad (MY), IDR 13,500: fashion (AKAR), a merchant whose
    // address on file is in Singapore (art. 5), under USD 100, and Muslim Fashion
    // (Shopee).
    (
        "TP-0720",
        "2026-11-01",
        "block",
        &[
            "akar_closed_cluster",
            "foreign_merchant_identity_missing",
            "below_fob_usd_100",
            "shopee_muslim_fashion_closed",
        ],
    ),
    // Baju koko filed under Men's Fashion, cross-border: Shopee's list by title.
    (
        "TP-1153",
        "2026-11-01",
        "block",
        &[
            "akar_closed_cluster",
            "below_fob_usd_100",
            "shopee_muslim_fashion_closed",
        ],
    ),
    // Batik shirt from a domestic micro seller, its label stated in Indonesian: no
    // closure applies.
    ("TP-0736", "2026-11-01", "allow", &[]),
    // Cross-border book at IDR 75,000 from a merchant whose identity is on file: the
    // positive list lifts the USD 100 floor...
    ("TP-0551", "2026-11-01", "allow", &["positive_list"]),
    // ...and the positive list did not exist on 1 Dec 2023.
    ("TP-0551", "2023-12-01", "block", &["below_fob_usd_100"]),
    // Windows and Office licence from Shenzhen (shipped from Hong Kong): software, by
    // its title.
    ("TP-0002", "2026-11-01", "allow", &["positive_list"]),
    // Cross-border laptop at IDR 5,399,000, above the floor, in no protected cluster,
    // its merchant's identity and label on file.
    ("TP-0083", "2026-11-01", "allow", &[]),
    // A Japan Rail pass from a Thai merchant with no address on file: art. 5 alone.
    (
        "TP-0529",
        "2026-11-01",
        "block",
        &["foreign_merchant_identity_missing"],
    ),
    // A cross-border TV above the floor showing no K3L number.
    ("TP-1122", "2026-11-01", "flag", &["k3l_number_missing"]),
    // Cross-border ride-on toy at IDR 1,000,000 without SNI: under the floor, no proof
    // of the standard (art. 5), and no SNI on the listing.
    (
        "TP-0142",
        "2026-11-01",
        "block",
        &[
            "below_fob_usd_100",
            "foreign_seller_without_standard_proof",
            "sni_toys_missing",
        ],
    ),
    // Cross-border nail polish with neither number: after the cosmetics halal deadline.
    (
        "TP-0965",
        "2026-11-01",
        "block",
        &[
            "bpom_number_missing",
            "halal_cosmetics",
            "below_fob_usd_100",
            "foreign_seller_without_standard_proof",
        ],
    ),
    // Homemade kimchi from a domestic micro seller, no BPOM or halal number: the
    // micro deadline has passed on 1 Nov 2026...
    (
        "TP-0155",
        "2026-11-01",
        "flag",
        &["bpom_number_missing", "halal_food_micro_small_imports"],
    ),
    // ...but not on 1 Jan 2025.
    ("TP-0155", "2025-01-01", "flag", &["bpom_number_missing"]),
    // Instant noodles from a domestic medium seller with BPOM but no halal number:
    // the medium and large deadline was 17 Oct 2024.
    ("TP-0184", "2024-10-16", "allow", &[]),
    (
        "TP-0184",
        "2024-10-17",
        "flag",
        &["halal_food_medium_large"],
    ),
    // Pork luncheon meat, labelled non-halal: no halal rule applies.
    ("TP-0160", "2026-11-01", "allow", &[]),
    // Baby jumper from a domestic seller, no SNI 7617.
    (
        "TP-0673",
        "2026-11-01",
        "flag",
        &["sni_baby_clothing_missing"],
    ),
    // A memory card whose seller states the label is not in Indonesian.
    (
        "TP-0023",
        "2026-11-01",
        "flag",
        &["label_not_in_indonesian"],
    ),
    // Ball-pit balls whose title claims SNI, with no SNI certificate shown.
    (
        "TP-0147",
        "2026-11-01",
        "flag",
        &["sni_toys_missing", "sni_claimed_without_number"],
    ),
    // A vape liquid from a domestic shop without an age check.
    (
        "TP-0437",
        "2026-11-01",
        "block",
        &["tobacco_without_age_verification"],
    ),
];

#[test]
fn hand_checked_real_listings() {
    let plan = plan();
    let listings = catalogue();
    let mut failures = Vec::new();
    for (id, at, decision, rules) in HAND_CHECKED {
        let listing = listings
            .iter()
            .find(|l| l["id"] == *id)
            .unwrap_or_else(|| panic!("{id} is not in the catalogue"));
        match decide(&plan, listing, date(at)) {
            Ok(d) => {
                let got = labels(&plan, &d.rules);
                if d.action.as_str() != *decision || got != *rules {
                    failures.push(format!(
                        "{id} at {at}: expected {decision} by {rules:?}, got {} by {got:?}",
                        d.action.as_str()
                    ));
                }
            }
            Err(e) => failures.push(format!("{id} at {at}: error {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_catalogue_never_errors_at_any_date_of_interest() {
    let plan = plan();
    let listings = catalogue();
    for at in [
        "2021-05-17",
        "2021-08-09",
        "2023-09-26",
        "2023-12-19",
        "2024-10-17",
        "2026-10-17",
    ] {
        let decider = Decider::new(&plan, date(at));
        for listing in &listings {
            if let Err(e) = decider.decide_json(listing) {
                panic!("{} at {at}: {e}", listing["id"]);
            }
        }
    }
    // An empty listing has no category: only the data-quality rule fires, and flags it.
    let empty = serde_json::json!({});
    let d = decide(&plan, &empty, date("2026-11-01")).unwrap();
    assert_eq!(d.action, Action::Flag);
    assert_eq!(labels(&plan, &d.rules), ["unclassified_listing"]);
}

#[test]
fn the_readme_describes_every_policy_file() {
    let dir = root().join("policies");
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("policies/README.md");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".policy"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 7,
        "expected the seven policy files, found {files:?}"
    );
    for file in &files {
        assert!(
            readme.contains(file.as_str()),
            "policies/README.md does not describe {file}"
        );
    }
}

/// Each regulation's file stands with `common.policy` alone (and the files whose
/// names it reads): it checks, and its tests pass, whatever other files the set has.
#[test]
fn each_file_checks_and_passes_its_tests_with_common_policy_alone() {
    let dir = root().join("policies");
    let needs: &[(&str, &[&str])] = &[
        ("permendag-31-2023.policy", &["sni.policy"]),
        // A schema extending schema.policy's: with a schema, common.policy's fields must
        // be declared, and schema.policy declares them.
        ("fields.policy", &["schema.policy"]),
    ];
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".policy") && n != "common.policy" && n != "together.policy")
        .collect();
    files.sort();
    for file in files {
        let mut sources = Sources::default();
        let mut names = vec!["common.policy".to_string(), file.clone()];
        if let Some((_, more)) = needs.iter().find(|(f, _)| *f == file) {
            names.extend(more.iter().map(|m| m.to_string()));
        }
        for name in &names {
            let text = std::fs::read_to_string(dir.join(name)).unwrap();
            sources.add(format!("policies/{name}"), text);
        }
        let plan = match check_sources(&sources) {
            Ok(plan) => plan,
            Err(problems) => panic!(
                "{file} with {names:?}:\n{}",
                render_all(problems, &sources, Style::plain())
            ),
        };
        for ran in akar::testing::run_all(&plan, date("2026-11-01")) {
            assert!(
                ran.result.is_ok(),
                "{file}: {}: {:?}",
                ran.case.name,
                ran.result
            );
        }
    }
}

/// `policies/schema.policy` is what `akar schema` writes for the bundled catalogue,
/// with the command its header names.
#[test]
fn the_schema_is_the_one_akar_schema_infers_from_the_bundled_catalogue() {
    let run = common::akar(
        &root(),
        &[
            "schema",
            "--listings",
            "data/prdect-id/listings.ndjson",
            "--open",
            "category,origin_country,seller.country,seller.address_country,ship_from.country,ship_from.city,description_lang",
        ],
        "",
    );
    assert_eq!(run.status.code(), Some(0));
    let written = std::fs::read_to_string(root().join("policies/schema.policy")).unwrap();
    assert_eq!(common::stdout(&run), written);
}

/// A misspelt field, a misspelt value and a kind clash, each put into a copy of
/// `policies/`: each caught, at its place, the first two with the name meant.
#[test]
fn mistakes_in_a_copy_of_the_policies_are_caught_with_did_you_mean() {
    let edits: [(&str, &str, &str, &[&str]); 3] = [
        (
            "bpom.policy",
            "needs_bpom and certifications.bpom is missing",
            "needs_bpom and certifications.bpmo is missing",
            &[
                "akar::check::unknown_field",
                "did you mean `certifications.bpom`?",
            ],
        ),
        (
            "bpom.policy",
            "cluster in [culinary, beauty, body_care, health]",
            "cluster in [culinary, beuaty, body_care, health]",
            &["akar::check::unknown_value", "did you mean `beauty`?"],
        ),
        (
            "sni.policy",
            "flag listing where cluster == toys and certifications.sni is missing",
            "flag listing where cluster == toys and certifications.sni is missing and sold contains \"kw\"",
            &[
                "akar::check::kind_clash",
                "declared in the schema as a number or money here",
            ],
        ),
    ];
    for (file, before, after, expected) in edits {
        let copy = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(root().join("policies")).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = if name == file {
                assert!(text.contains(before), "{file} no longer has {before:?}");
                text.replace(before, after)
            } else {
                text
            };
            std::fs::write(copy.path().join(&name), text).unwrap();
        }
        let run = common::akar(copy.path(), &["check", "."], "");
        assert_eq!(run.status.code(), Some(1), "{file}: {after}");
        let stderr = common::stderr(&run);
        for fragment in expected {
            assert!(
                stderr.contains(fragment),
                "{file}: no {fragment:?} in:\n{stderr}"
            );
        }
    }
}
