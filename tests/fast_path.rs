//! The fast path (projection parsing, compiled program, direct JSON output) must
//! decide exactly as the plain path (a whole `serde_json::Value` per listing, the
//! conditions walked as written). The benchmark checks a million listings; this
//! checks every policy set the project ships on synthetic and real catalogues, and
//! small policies on the records where the two paths could part: repeated keys,
//! escapes, broken text, deep nesting, wrong types, and sizes past the compiled
//! program's fixed ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;
mod generated;

use akar::eval::Decider;
use common::{both_paths, date, plan_of_path, plan_of_text};

/// Both paths give the same record for every line of `catalogue`, under the policy
/// file or folder `policy`, on each date; returns how many records were compared.
fn agree(policy: &str, catalogue: &str, dates: &[&str]) -> usize {
    let plan = plan_of_path(policy);
    let mut compared = 0;
    for at in dates {
        let decider = Decider::new(&plan, date(at));
        for (i, text) in catalogue.lines().enumerate() {
            let (fast, plain) = both_paths(&decider, i + 1, text.as_bytes());
            assert_eq!(fast, plain, "{policy} at {at}, line {}: {text}", i + 1);
            compared += 1;
        }
    }
    compared
}

/// Both paths give the same record for every line, under a policy text, on
/// 2024-01-01; returns the records, one per line.
fn agree_on_lines(policy: &str, lines: &[&[u8]]) -> Vec<String> {
    let plan = plan_of_text(policy);
    let decider = Decider::new(&plan, date("2024-01-01"));
    let mut records = Vec::new();
    for bytes in lines {
        let (fast, plain) = both_paths(&decider, 1, bytes);
        assert_eq!(
            fast,
            plain,
            "policy:\n{policy}\nline: {}",
            String::from_utf8_lossy(bytes)
        );
        records.push(fast);
    }
    records
}

/// Every record is decided `decision` (`"block"`, `"error"`...).
#[track_caller]
fn assert_all_decided(records: &[String], decision: &str) {
    let decided = format!(r#""decision":"{decision}""#);
    for record in records {
        assert!(record.contains(&decided), "not {decision}: {record}");
    }
}

const POLICIES: [&str; 3] = [
    "policies",
    "benches/four-rules.policy",
    "examples/akar.policy",
];
const DATES: [&str; 4] = ["2021-01-01", "2023-10-01", "2024-10-17", "2026-11-01"];

#[test]
fn fast_and_plain_paths_agree_on_a_synthetic_catalogue() {
    let catalogue = akar::synth::catalogue(7, 5_000);
    for policy in POLICIES {
        assert_eq!(agree(policy, &catalogue, &DATES), 20_000);
    }
}

#[test]
fn fast_and_plain_paths_agree_on_the_bundled_catalogues() {
    for file in ["data/prdect-id/listings.ndjson", "examples/listings.ndjson"] {
        let catalogue = std::fs::read_to_string(common::root().join(file)).unwrap();
        for policy in POLICIES {
            assert!(agree(policy, &catalogue, &DATES) > 0);
        }
    }
}

#[test]
fn fast_and_plain_paths_agree_on_awkward_records() {
    // Wrong types, nulls, nesting where a value is expected and the reverse,
    // duplicate keys, non-objects, broken JSON.
    let catalogue = [
        r#"{"id":"a","cross_border":"yes","category":"Food and Drink"}"#,
        r#"{"id":"b","cross_border":true,"category":"Books","price":"cheap"}"#,
        r#"{"id":"c","cross_border":true,"category":null,"price":{"amount":10,"currency":"EUR"}}"#,
        r#"{"id":"d","cross_border":true,"certifications":"none","category":"Beauty","title":7}"#,
        r#"{"id":"e","seller":5,"category":"Food and Drink","certifications":{"halal":null}}"#,
        r#"{"id":"f","category":"Toys and Hobbies","category":"Muslim Fashion","cross_border":true,"price":5}"#,
        r#"{"id":"g","price":{"amount":1549999,"currency":"IDR"},"cross_border":true,"category":"Camera"}"#,
        r#"{"id":7,"title":"HIJAB instan","cross_border":true,"category":"Muslim Fashion","cluster":"fashion"}"#,
        r#"[1,2]"#,
        r#"{"id":"broken""#,
        // Not here: a number beyond the range of f64 (`1e400`) in a field the policy
        // does not read. The plain path rejects the line (serde_json cannot hold the
        // number); the fast path skips the field unread and decides. README, "Speed".
    ]
    .join("\n");
    for policy in POLICIES {
        assert_eq!(agree(policy, &catalogue, &DATES), 40);
    }
}

#[test]
fn fast_and_plain_paths_agree_on_scrambled_records() {
    // The synthetic and real catalogues hold the expected kind of value in every
    // field, so they never reach the fast path's early answers for the other kinds:
    // the rule index declining to skip when a gated field is not text or a boolean
    // field is not a boolean, a derived value from a number or a boolean, money of
    // another shape, the projection parser meeting `null`, a repeated key or an
    // escaped one, or text longer than 128 bytes or not ASCII. Here every field
    // the shipped policies read takes every kind of value, independently (see
    // `generated::records`).
    let catalogue = generated::records(11, 3_000);
    for policy in POLICIES {
        assert_eq!(agree(policy, &catalogue, &DATES), 12_000, "{policy}");
    }
}

#[test]
fn fast_and_plain_paths_agree_on_a_generated_stress_policy() {
    // The shipped policies are small: a few rules (one word of rule bits), one
    // derived field, a handful of shared conditions. This policy goes past each
    // fixed size of the compiled program (rule sets on the stack up to 256 rules,
    // the values of the first 8 derived fields kept per listing, 64 remembered
    // shared conditions) and starts its rules with every kind of test the index
    // and the compiler treat apart. See `generated::stress_policy`; it is
    // deterministic, so a failure here can be reproduced by writing its text out.
    let stress = generated::stress_policy(5, 240, 80, 40);
    assert!(stress.shared_lets + stress.repeated > 64);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stress.policy");
    std::fs::write(&path, &stress.text).unwrap();
    let path = path.to_str().unwrap();
    // `plan_of_path` panics unless the policy checks cleanly, as `akar check` would.
    let checked = plan_of_path(path);
    assert_eq!(checked.rules().len(), stress.rules);
    assert!(checked.rules().len() > 256);
    assert!(checked.derived().len() > 8);
    let cluster = checked.derived().iter().position(|d| d.name == "cluster");
    assert!(cluster.is_some_and(|at| at >= 8), "{cluster:?}");
    // The scrambled records of the test above, and realistic ones, which meet
    // no wrong kind of value and so are decided by every rule in force.
    let mut catalogue = generated::records(11, 1_000);
    catalogue.push_str(&akar::synth::catalogue(13, 400));
    assert_eq!(agree(path, &catalogue, &DATES), 5_600);
}

#[test]
fn a_changed_plan_is_decided_as_it_now_reads() {
    // A plan cannot be edited in place: its fields are private (the
    // `compile_fail` example in `akar::plan` shows the edit refused). A changed
    // plan is a new one, built from changed parts and checked again, and a
    // decider compiles the plan it is given: the compiled rules can never be
    // those of another plan. Here the first rule's condition becomes `true`, the
    // edit that once made the compiled path allow where the plain path blocked.
    let plan = plan_of_path("benches/four-rules.policy");
    let mut rules = plan.rules().to_vec();
    rules[0].when = akar::plan::Cond::True;
    let parts = akar::plan::Parts {
        rules,
        shared: plan.shared().to_vec(),
        rates: plan.rates().clone(),
        zone: plan.zone(),
        derived: plan.derived().to_vec(),
        tests: Vec::new(),
        schema: plan.schema().cloned(),
    };
    let edited = akar::plan::Plan::new(parts).unwrap();
    let at = date("2024-01-01");
    let catalogue = akar::synth::catalogue(3, 300);
    for text in catalogue.lines() {
        let listing: serde_json::Value = serde_json::from_str(text).unwrap();
        let fast = akar::eval::decide(&edited, &listing, at);
        assert_eq!(fast, akar::eval::decide_plain(&edited, &listing, at));
        assert!(
            fast.unwrap().rules.contains(&0),
            "the edited rule always applies"
        );
    }
    let listing = serde_json::json!({"cluster": "books", "cross_border": false});
    assert_eq!(
        akar::eval::decide(&plan, &listing, at)
            .unwrap()
            .rules
            .as_slice(),
        [] as [usize; 0]
    );
}

#[test]
fn plans_that_break_an_invariant_are_refused() {
    // Overrides that disagree with overridden-by, or form a cycle, never reach a
    // decider: the walk over them could not end.
    let plan = plan_of_path("policies");
    let mut rules = plan.rules().to_vec();
    let (a, b) = (0, 1);
    rules[a].overrides.push(b);
    rules[b].overridden_by.push(a);
    rules[b].overrides.push(a);
    rules[a].overridden_by.push(b);
    let parts = akar::plan::Parts {
        rules,
        shared: plan.shared().to_vec(),
        rates: plan.rates().clone(),
        zone: plan.zone(),
        derived: plan.derived().to_vec(),
        tests: Vec::new(),
        schema: plan.schema().cloned(),
    };
    let error = akar::plan::Plan::new(parts).unwrap_err();
    assert!(error.problem.contains("cycle"), "{error}");
}

// ---------------------------------------------------------------- odd records

const SELLER_CN: &str = r#"block import where seller.country == "CN""#;

#[test]
fn a_repeated_enclosing_key_replaces_the_whole_object() {
    // As in serde_json, the last value of a repeated key is the key's value: in
    // these `seller.country` is missing, though the first `seller` had one...
    let lines: [&[u8]; 2] = [
        br#"{"cross_border":true,"seller":{"country":"CN"},"seller":{"city":"X"}}"#,
        br#"{"cross_border":true,"seller":{"country":"CN"},"seller":null}"#,
    ];
    assert_all_decided(&agree_on_lines(SELLER_CN, &lines), "allow");
    // ...and in these it cannot be read: the last `seller` is not an object.
    let lines: [&[u8]; 3] = [
        br#"{"cross_border":true,"seller":{"country":"CN"},"seller":5}"#,
        br#"{"cross_border":true,"seller":{"country":"CN"},"seller":[1]}"#,
        br#"{"cross_border":true,"seller":"ID","seller":{"country":"CN"},"seller":"x"}"#,
    ];
    let records = agree_on_lines(SELLER_CN, &lines);
    assert_all_decided(&records, "error");
    assert!(
        records.iter().all(|r| r.contains("`seller` is")),
        "{records:?}"
    );
    // A later object replaces an earlier value that was not one.
    let lines: [&[u8]; 1] = [br#"{"cross_border":true,"seller":"ID","seller":{"country":"CN"}}"#];
    assert_all_decided(&agree_on_lines(SELLER_CN, &lines), "block");
}

#[test]
fn a_path_through_a_value_that_is_not_an_object_is_an_error_not_missing() {
    let policy = "rule r\n  block import where seller.country != \"ID\"\nrule s\n  flag listing where price.amount is missing\n";
    let lines: [&[u8]; 5] = [
        br#"{"cross_border":true,"seller":"ID"}"#,
        br#"{"cross_border":true,"seller":[{"country":"ID"}]}"#,
        br#"{"cross_border":true,"seller":{"country":"ID"},"price":5}"#,
        br#"{"cross_border":true,"seller":{"country":"ID"},"price":{"amount":{"x":1}}}"#,
        br#"{"seller":true,"cross_border":true}"#,
    ];
    let records = agree_on_lines(policy, &lines);
    assert_all_decided(&records[..3], "error");
    assert!(
        records[0].contains("`seller` is the string \\\"ID\\\", not an object"),
        "{}",
        records[0]
    );
    assert!(
        records[2].contains("field `price.amount` cannot be read: `price` is the number 5"),
        "{}",
        records[2]
    );
    // `price.amount` is an object there: present, so `is missing` is false.
    assert_all_decided(&records[3..4], "allow");
    // Absent or `null` on the way is missing, as before: `seller.country != "ID"` holds.
    let lines: [&[u8]; 2] = [
        br#"{"cross_border":true}"#,
        br#"{"cross_border":true,"seller":null}"#,
    ];
    assert!(
        agree_on_lines(policy, &lines)
            .iter()
            .all(|r| r.contains("\"r\""))
    );
}

#[test]
fn a_lone_surrogate_in_a_field_no_rule_reads_makes_the_line_invalid_json() {
    let lines: [&[u8]; 2] = [
        br#"{"cross_border":true,"x":"\udc00\ud800","seller":{"country":"CN"}}"#,
        br#"{"cross_border":true,"x":"\ud800","seller":{"country":"CN"}}"#,
    ];
    assert_all_decided(&agree_on_lines(SELLER_CN, &lines), "error");
}

#[test]
fn bytes_that_are_not_utf8_in_a_field_no_rule_reads_make_the_line_invalid_json() {
    let lines: [&[u8]; 1] =
        [b"{\"cross_border\":true,\"x\":\"\xff\xfe\",\"seller\":{\"country\":\"CN\"}}"];
    assert_all_decided(&agree_on_lines(SELLER_CN, &lines), "error");
}

#[test]
fn nesting_too_deep_for_serde_json_in_a_field_no_rule_reads_makes_the_line_invalid_json() {
    // serde_json refuses nesting deeper than 128 levels; the projection, though it
    // skips the field unread, refuses it alike.
    let depth = 200;
    let line = format!(
        r#"{{"cross_border":true,"x":{}{},"seller":{{"country":"CN"}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    assert_all_decided(&agree_on_lines(SELLER_CN, &[line.as_bytes()]), "error");
}

#[test]
fn prefix_paths_escaped_keys_and_repeated_leaf_keys_are_read_alike() {
    let policy = "rate USD = 15_500 IDR\nblock import where price < 100 USD\nflag listing where price.amount > 5 and price.currency == \"USD\"\n";
    let lines: [&[u8]; 7] = [
        br#"{"cross_border":true,"price":{"amount":5,"currency":"USD"}}"#,
        br#"{"cross_border":true,"price":{"amount":6,"currency":"USD"},"price":{"currency":"USD"}}"#,
        br#"{"cross_border":true,"price":{"amount":6,"amount":"x","currency":"USD"}}"#,
        br#"{"cross_border":true,"price":null}"#,
        br#"{"cross_border":true,"price":{"amount":null,"currency":"U\u0053D"}}"#,
        br#"{"cross_b\u006frder":true,"pri\u0063e":{"amount":7,"currency":"USD"}}"#,
        br#"{"cross_border":true,"cross_border":"no","price":1}"#,
    ];
    assert_eq!(agree_on_lines(policy, &lines).len(), 7);
}

#[test]
fn fast_and_plain_paths_agree_on_generated_policies_of_thousands_of_rules() {
    // The scaling benchmark's policies (`akar generate --policy`): rules gated by
    // text equality and sets on any field, `is missing`, the subjects `import`
    // and `domestic`, keyword lists across rules, money, numbers and dates read
    // once per listing. The index lets a listing walk only the rules its values
    // can satisfy; over scrambled records (every kind of value in every field)
    // and realistic ones, the decisions must be those of walking every rule.
    let dir = tempfile::tempdir().unwrap();
    let mut catalogue = generated::records(17, 600);
    catalogue.push_str(&akar::synth::catalogue(19, 600));
    for (shape, name) in [
        (akar::synth::Shape::Gated, "gated"),
        (akar::synth::Shape::Mixed, "mixed"),
    ] {
        let path = dir.path().join(format!("{name}.policy"));
        std::fs::write(&path, akar::synth::policy(shape, 1_200, 7)).unwrap();
        let path = path.to_str().unwrap();
        assert_eq!(plan_of_path(path).rules().len(), 1_200);
        assert_eq!(agree(path, &catalogue, &DATES), 4_800, "{name}");
    }
}

#[test]
fn the_fast_reader_reads_every_line_as_the_serde_reader_does() {
    // The hand-written reader gives up on what it does not read the same way;
    // where it does not, its slots (and a line's rejection) must be the serde
    // reader's, byte for byte, on every kind of line.
    let mut lines: Vec<String> = generated::records(23, 3_000)
        .lines()
        .map(String::from)
        .collect();
    lines.extend(akar::synth::catalogue(29, 500).lines().map(String::from));
    lines.extend(awkward_catalogue());
    lines.extend(
        [
            r#"{"id":"a","price":{"amount":1e3,"currency":"IDR"},"stock":-0}"#,
            r#"{"id":"b","title":"tab\there","stock":01}"#,
            r#"{"id":"c","title":"bad \x escape"}"#,
            r#"{"id":"d","note":"\u00e9","title":"é ok"}"#,
            r#"{"id":"e","cross_border":tru}"#,
            r#"{"id":"f"} trailing"#,
            r#" {"id":"g" , "stock" : 12345678901234567890123 } "#,
            r#"{"id":"h","seller":{"country":"ID"},"seller":{"city":"x"}}"#,
            r#"{"id":"i","seller":"ID","certifications":[1]}"#,
            r#"{"id":"j","x":[1,2,{"a":[true,false,null]}],"y":-1.5e-3,"z":"\"\\\/\b\f\n\r\t"}"#,
            r#"{"id":"k","x":1.}"#,
            r#"{"id":"l","x":-}"#,
            "{\"id\":\"m\",\"x\":\"ctrl\u{1}char\"}",
            "{\"id\":\"m2\",\"title\":\"ctrl\u{1f}char\"}",
            r#"[{"id":"n"}]"#,
            r#"{"id":"o",}"#,
            r#"{"id":"p" "x":1}"#,
            r#"{"":1,"id":"q"}"#,
            r#"{"id":"r","price":{"amount":12.50,"currency":"USD"},"stock":-7}"#,
            r#"{"id":"s","title":"Kebaya \"asli\""}"#,
            r#"{"id":"t","title":"x","x":{"a":{"b":{"c":[[[]]]}}}}"#,
        ]
        .map(String::from),
    );
    let mut deep = String::from(r#"{"id":"u","x":"#);
    deep.push_str(&"[".repeat(120));
    deep.push_str(&"]".repeat(120));
    deep.push('}');
    lines.push(deep);
    for policy in POLICIES {
        let plan = plan_of_path(policy);
        let projection = akar::input::projection::Projection::new(&plan);
        for line in &lines {
            let fast = projection.parse(line.as_bytes()).map(|p| format!("{p:?}"));
            let serde = projection
                .parse_with_serde(line.as_bytes())
                .map(|p| format!("{p:?}"));
            assert_eq!(fast, serde, "{policy}: {line}");
        }
    }
}

#[test]
fn a_wrong_type_in_the_first_test_of_a_rule_is_an_error_not_a_skipped_rule() {
    // The rule index may skip a rule by its first test; a value of the wrong type
    // there must still make the decision `error`, naming the field.
    let policy = "rule a\n  block listing where cross_border == false and cluster == fashion\nrule b\n  flag import where cluster == fashion\n";
    let lines: [&[u8]; 2] = [
        br#"{"cross_border":"false","cluster":"fashion"}"#,
        br#"{"cross_border":0,"cluster":"fashion"}"#,
    ];
    let records = agree_on_lines(policy, &lines);
    assert_all_decided(&records, "error");
    for record in &records {
        assert!(record.contains("cross_border"), "{record}");
    }
}

// ---------------------------------------------------------------- small policies

/// A catalogue crossing wrong types, nulls, nesting and unicode in every field
/// the policies below read first.
fn awkward_catalogue() -> Vec<String> {
    let cross_border = ["true", "false", "null", "\"yes\"", "1", "[true]", "{}"];
    let category = [
        "\"Muslim Fashion\"",
        "\"Books\"",
        "\"Food and Drink\"",
        "5",
        "true",
        "null",
        "[\"Books\"]",
        "{\"a\":1}",
    ];
    let price = [
        "5",
        "{\"amount\":5,\"currency\":\"USD\"}",
        "{\"amount\":2000000,\"currency\":\"IDR\"}",
        "\"cheap\"",
        "{\"amount\":1,\"currency\":\"EUR\"}",
        "null",
        "{\"amount\":\"1\",\"currency\":\"USD\"}",
    ];
    let title = [
        "\"HIJAB murah\"",
        "\"\\u0130stanbul h\\u0069jab\"",
        "7",
        "[\"hijab\"]",
        "\"Kebaya \\\"asli\\\"\"",
        "null",
    ];
    let country = ["\"CN\"", "\"ID\"", "5", "null"];
    let mut out = Vec::new();
    let mut n = 0usize;
    for cb in cross_border {
        for cat in category {
            for p in price {
                for t in title {
                    for c in country {
                        n += 1;
                        if !n.is_multiple_of(4) && !matches!(cb, "true" | "false") {
                            continue;
                        }
                        out.push(format!(
                            r#"{{"id":"L{n}","cross_border":{cb},"category":{cat},"price":{p},"title":{t},"seller":{{"country":{c}}},"id":"L{n}"}}"#
                        ));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn fast_and_plain_paths_agree_on_not_or_overrides_unless_and_shared_lets() {
    let policies = [
        r#"
let cluster = match category { "Muslim Fashion" => fashion, "Food and Drink" => culinary, "Books" => books, else => other }
rate USD = 15_500 IDR
let cheap = price < 100 USD and not (cluster in [books])
let fashionish = cluster == fashion or title contains any ["hijab", "kebaya"]
rule a
  block import where cheap
rule b
  flag listing where fashionish and cheap
rule c overrides a
  allow import where cluster == books or cluster == other
rule d
  block listing where cross_border == false and fashionish
  unless seller.country == "ID"
rule e overrides d
  flag domestic where not fashionish and cheap
"#,
        r#"
subject import = seller.country != "ID"
let cluster = match category { "Muslim Fashion" => fashion, "Food and Drink" => culinary, else => other }
block import where cluster == fashion
flag import where cluster in [culinary] and title contains "hijab"
allow domestic where cross_border
block listing where not cross_border and cluster == fashion
"#,
        r#"
rate USD = 15_500 IDR
let cluster = match category { "Muslim Fashion" => fashion, "Food and Drink" => culinary }
block listing where cross_border == false and cluster == fashion
flag listing where cross_border == false and price < 1 USD
block listing where cluster is missing and cross_border
flag listing where (cluster == fashion or price > 1 USD) and cross_border
allow listing where cluster != fashion and not cross_border
"#,
        r#"
rate USD = 15_500 IDR
block import where title contains "hijab" and price < 100 USD
flag import where title contains "hijab" and price < 100 USD or seller.country == "CN"
block listing where title starts with "kebaya" and (title contains "hijab" and price < 100 USD)
"#,
    ];
    let catalogue = awkward_catalogue();
    let lines: Vec<&[u8]> = catalogue.iter().map(String::as_bytes).collect();
    for policy in policies {
        assert_eq!(agree_on_lines(policy, &lines).len(), lines.len());
    }
}

#[test]
fn fast_and_plain_paths_agree_beyond_64_rules_and_64_derived_values() {
    let mut policy = String::from("let v = match k {\n");
    for i in 0..100 {
        policy.push_str(&format!("  \"k{i}\" => v{i},\n"));
    }
    policy.push_str("}\n");
    for i in 0..150 {
        let cond = match i % 3 {
            0 => format!("v == v{}", i % 100),
            1 => format!("v in [v{}, v{}]", i % 100, (i * 7) % 100),
            _ => format!("f{} == false and v == v{}", i % 5, (i * 3) % 100),
        };
        let action = ["block", "flag", "allow"][i % 3];
        policy.push_str(&format!("rule r{i}\n  {action} listing where {cond}\n"));
    }
    let mut catalogue = Vec::new();
    for k in 0..105 {
        for f in ["true", "false", "null", "1"] {
            catalogue.push(format!(
                r#"{{"k":"k{k}","f0":{f},"f1":true,"f2":false,"f3":{f},"f4":false}}"#
            ));
        }
    }
    let lines: Vec<&[u8]> = catalogue.iter().map(String::as_bytes).collect();
    assert_eq!(agree_on_lines(&policy, &lines).len(), 420);
}
