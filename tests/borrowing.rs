//! `akar diff` decides a rule both sides share once: the before side takes its
//! match from the after side's decision. These tests hold that to deciding the
//! before side in full, over real and adversarial records, and pin down which
//! rules count as shared.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[allow(dead_code)] // the stress policies are for other tests
mod generated;

use akar::eval::{Decider, Decision, Listing};
use akar::plan::{Plan, counterparts};
use common::{date, plan_of_path, plan_of_text, root};

/// `policies/` with the README's pull request applied: the USD 100 floor raised
/// to USD 150, `electronics` added to the AKAR clusters, the Shopee rule deleted.
fn changed_policies() -> (tempfile::TempDir, Plan) {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("policies")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name == "shopee-2021.policy" || !name.ends_with(".policy") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("price < 100 USD", "price < 150 USD")
            .replace(
                "[fashion, culinary, craft]",
                "[fashion, culinary, craft, electronics]",
            )
            .replace("shopee_muslim_fashion_closed, ", "");
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let plan = plan_of_path(dir.path().to_str().unwrap());
    (dir, plan)
}

/// Every line of `catalogue` is decided the same by `before` alone and by
/// `before` borrowing from `after`; returns how many borrowed a decision.
fn borrowing_agrees(before: &Decider<'_>, after: &Decider<'_>, catalogue: &str) -> usize {
    let borrowed = before.borrowing(after);
    let mut borrowing = 0;
    for (i, text) in catalogue.lines().enumerate() {
        let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
            continue;
        };
        if !json.is_object() {
            continue;
        }
        let old = Listing::from_json(before.plan(), &json);
        let new = Listing::from_json(after.plan(), &json);
        let alone = before.decide(&old).map_err(|e| e.to_string());
        let Ok(theirs) = after.decide(&new) else {
            continue;
        };
        let mut decision = Decision::default();
        let lent = before
            .decide_borrowing(&old, &borrowed, &theirs, &mut decision)
            .map(|()| decision)
            .map_err(|e| e.to_string());
        assert_eq!(lent, alone, "line {}: {text}", i + 1);
        borrowing += 1;
    }
    borrowing
}

fn catalogues() -> String {
    let real = std::fs::read_to_string(root().join("data/prdect-id/listings.ndjson")).unwrap();
    real + &generated::records(11, 4_000)
}

#[test]
fn a_change_decides_as_the_before_side_alone_in_both_directions() {
    let plan = plan_of_path("policies");
    let (_dir, changed) = changed_policies();
    let shared = counterparts(&plan, &changed);
    let kept = shared.iter().filter(|c| c.is_some()).count();
    // Most rules are shared; the changed floor, the clusters' rules and the
    // deleted rule are not.
    assert!(kept > plan.rules().len() / 2, "{kept} shared");
    assert!(kept < plan.rules().len(), "every rule shared");
    let data = catalogues();
    for at in ["2021-09-01", "2024-01-01", "2026-11-01"] {
        let (old, new) = (
            Decider::new(&plan, date(at)),
            Decider::new(&changed, date(at)),
        );
        assert!(borrowing_agrees(&old, &new, &data) > 1_000);
        assert!(borrowing_agrees(&new, &old, &data) > 1_000);
    }
}

#[test]
fn one_policy_set_on_two_dates_borrows_the_rules_in_force_on_both() {
    let plan = plan_of_path("policies");
    let shared = counterparts(&plan, &plan);
    // A rule is its own counterpart unless an earlier rule says the same.
    for (index, other) in shared.iter().enumerate() {
        let other = other.expect("every rule has a counterpart in its own plan");
        assert!(other <= index);
    }
    let data = catalogues();
    let dates = ["2023-09-25", "2023-09-26", "2024-10-17", "2026-10-17"];
    for pair in dates.windows(2) {
        let (old, new) = (
            Decider::new(&plan, date(pair[0])),
            Decider::new(&plan, date(pair[1])),
        );
        assert!(borrowing_agrees(&old, &new, &data) > 1_000);
    }
}

/// Which rules of `a` have counterparts in `b`, by label.
fn shared_labels(a: &str, b: &str) -> Vec<String> {
    let (a, b) = (plan_of_text(a), plan_of_text(b));
    counterparts(&a, &b)
        .iter()
        .zip(a.rules())
        .filter(|(c, _)| c.is_some())
        .map(|(_, r)| r.label.clone())
        .collect()
}

#[test]
fn rules_are_shared_by_what_they_say_with_every_name_resolved() {
    let base = "let closed = [fashion, craft]\n\
                rule a\n  block import where cluster in closed\n\
                rule b\n  flag listing where price < 100 USD\n";
    // Order in a list, a `let` written inline, and names do not matter.
    let same = "rule x\n  flag listing where price < 100 USD\n\
                rule y\n  block import where cluster in [craft, fashion]\n";
    assert_eq!(shared_labels(base, same), ["a", "b"]);
    // A `let` changed changes every rule that uses it.
    let let_changed = base.replace("[fashion, craft]", "[fashion, craft, books]");
    assert_eq!(shared_labels(base, &let_changed), ["b"]);
    // Another action, or another amount, is another rule.
    let action = base.replace("flag listing", "block listing");
    assert_eq!(shared_labels(base, &action), ["a"]);
    // Other rates compare money differently: nothing is shared.
    let rated = format!("rate USD = 15_500 IDR\n{base}");
    let rerated = format!("rate USD = 16_000 IDR\n{base}");
    assert!(shared_labels(&rated, &rerated).is_empty());
    assert_eq!(shared_labels(&rated, &rated), ["a", "b"]);
}

#[test]
fn a_match_is_shared_by_its_arms_not_its_name() {
    let with = |arms: &str| {
        format!(
            "let cluster = match category {{ {arms}, else => other }}\n\
             rule a\n  block import where cluster == fashion\n"
        )
    };
    let base = with("\"Batik\", \"Kebaya\" => fashion");
    let reordered = with("\"Kebaya\", \"Batik\" => fashion");
    let changed = with("\"Batik\" => fashion");
    assert_eq!(shared_labels(&base, &reordered), ["a"]);
    assert!(shared_labels(&base, &changed).is_empty());
}

#[test]
fn notices_and_suppressed_rules_are_lent_too() {
    let base = "rule floor\n  block import where price < 100 USD\n\
                rule books overrides floor\n  allow import where cluster == books\n\
                rule duty\n  notice import where price > 3 USD\n\
                rule odd\n  flag listing where stock < 5\n";
    let changed = base.replace("stock < 5", "stock < 6");
    let (old, new) = (plan_of_text(base), plan_of_text(&changed));
    assert_eq!(counterparts(&old, &new), [Some(0), Some(1), Some(2), None]);
    let listings = [
        r#"{"cross_border": true, "cluster": "books", "price": {"amount": 50, "currency": "USD"}, "stock": 5}"#,
        r#"{"cross_border": true, "cluster": "toys", "price": {"amount": 50, "currency": "USD"}, "stock": 1}"#,
        r#"{"cross_border": false, "cluster": "toys", "price": {"amount": 2, "currency": "USD"}}"#,
        r#"{"cross_border": true, "price": {"amount": 2, "currency": "EUR"}, "stock": 1}"#,
        r#"{"cross_border": true, "price": "cheap", "stock": "many"}"#,
    ]
    .join("\n");
    let at = date("2024-01-01");
    let (old, new) = (Decider::new(&old, at), Decider::new(&new, at));
    // The last two are errors on the after side: nothing is lent for them.
    assert_eq!(borrowing_agrees(&old, &new, &listings), 3);
    assert_eq!(borrowing_agrees(&new, &old, &listings), 3);
}
