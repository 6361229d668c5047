//! `akar sql` against the real engines: the query it writes, run by DuckDB and
//! by Spark (local mode) over a catalogue, gives every listing the record
//! `akar eval` gives — decision, rules, reasons, suppressions, notices and
//! error message. The engines are driven by `tests/sql/run.py` (the `duckdb`
//! and `pyspark` Python packages; Spark needs a Java runtime). In CI
//! (`CI=true`) a missing engine fails the test; elsewhere it is skipped with a
//! message saying how to install it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::root;
use serde_json::Value;

const AKAR: &str = env!("CARGO_BIN_EXE_akar");

#[derive(Clone, Copy, Debug)]
enum Engine {
    Duckdb,
    Spark,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Duckdb => "duckdb",
            Engine::Spark => "spark",
        }
    }

    /// Whether the engine can run here; in CI it must.
    fn ready(self) -> bool {
        let module = match self {
            Engine::Duckdb => "duckdb",
            Engine::Spark => "pyspark",
        };
        let python = Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success());
        let java = matches!(self, Engine::Duckdb)
            || Command::new("java")
                .arg("-version")
                .output()
                .is_ok_and(|o| o.status.success());
        if python && java {
            return true;
        }
        let missing = format!(
            "{} is not installed (pip install duckdb pyspark; Spark needs Java 17)",
            self.name()
        );
        assert!(
            std::env::var("CI").is_err(),
            "in CI every engine must run: {missing}"
        );
        eprintln!("skipped: {missing}");
        false
    }
}

fn run(args: &[&str]) -> String {
    let output = Command::new(AKAR).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "akar {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A record as both sides write it: empty lists and absent ones alike.
fn normal(record: &Value) -> Value {
    let list = |key: &str| match record.get(key) {
        Some(Value::Array(items)) => Value::Array(items.clone()),
        _ => Value::Array(Vec::new()),
    };
    serde_json::json!({
        "line": record["line"],
        "id": record.get("id").cloned().unwrap_or(Value::Null),
        "decision": record["decision"],
        "rules": list("rules"),
        "reasons": list("reasons"),
        "suppressed": list("suppressed"),
        "notices": list("notices"),
        "error": record.get("error").cloned().unwrap_or(Value::Null),
    })
}

fn records(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| normal(&serde_json::from_str(l).unwrap()))
        .collect()
}

/// Runs `policy` on `engine` over `listings` and compares every record with
/// `akar eval`; returns how many listings were compared.
fn agree(engine: Engine, policy: &Path, at: &str, listings: &Path) -> usize {
    agree_all(
        engine,
        &[(policy.to_path_buf(), at.to_string(), listings.to_path_buf())],
    )
}

fn traps() -> PathBuf {
    root().join("tests/sql/traps")
}

/// The four rules of the design document, with a schema for their fields.
fn four_rules() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let rules = std::fs::read_to_string(root().join("benches/four-rules.policy")).unwrap();
    std::fs::write(dir.path().join("four-rules.policy"), rules).unwrap();
    let schema = "schema {\n  id: text\n  cluster: text\n  cross_border: boolean\n  \
                  price: money\n  title: text\n  certifications.halal: text\n}\n";
    std::fs::write(dir.path().join("schema.policy"), schema).unwrap();
    dir
}

fn bundled() -> PathBuf {
    root().join("data/prdect-id/listings.ndjson")
}

/// `akar generate` listings.
fn generated(count: usize) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    let text = run(&["generate", "--count", &count.to_string(), "--seed", "7"]);
    std::fs::write(file.path(), text).unwrap();
    file
}

#[test]
fn duckdb_decides_the_traps_as_akar_eval() {
    if !Engine::Duckdb.ready() {
        return;
    }
    for at in ["2019-06-01", "2024-03-01", "2031-01-01"] {
        assert_eq!(
            agree(
                Engine::Duckdb,
                &traps(),
                at,
                &traps().join("listings.ndjson")
            ),
            76
        );
    }
}

#[test]
fn duckdb_decides_the_bundled_and_a_generated_catalogue_as_akar_eval() {
    if !Engine::Duckdb.ready() {
        return;
    }
    let four = four_rules();
    assert_eq!(
        agree(Engine::Duckdb, four.path(), "2024-01-01", &bundled()),
        1_323
    );
    let catalogue = generated(100_000);
    assert_eq!(
        agree(Engine::Duckdb, four.path(), "2024-01-01", catalogue.path()),
        100_000
    );
    assert_eq!(
        agree(Engine::Duckdb, &traps(), "2024-03-01", catalogue.path()),
        100_000
    );
}

#[test]
fn spark_decides_the_traps_and_the_catalogues_as_akar_eval() {
    if !Engine::Spark.ready() {
        return;
    }
    assert_eq!(
        agree(
            Engine::Spark,
            &traps(),
            "2024-03-01",
            &traps().join("listings.ndjson")
        ),
        76
    );
    let four = four_rules();
    assert_eq!(
        agree(Engine::Spark, four.path(), "2024-01-01", &bundled()),
        1_323
    );
    let catalogue = generated(100_000);
    assert_eq!(
        agree(Engine::Spark, &traps(), "2024-03-01", catalogue.path()),
        100_000
    );
}

#[test]
fn the_readme_shows_the_sql_the_example_compiles_to() {
    let sql = run(&[
        "sql",
        "examples/warehouse",
        "--dialect",
        "duckdb",
        "--at",
        "2026-11-01",
    ]);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```sql\n{sql}```")),
        "README.md's SQL is not what `akar sql examples/warehouse` writes:\n{sql}"
    );
    let policy = std::fs::read_to_string(root().join("examples/warehouse/akar.policy")).unwrap();
    assert!(readme.contains(&format!("```policy\n{policy}```")));
}

#[test]
fn the_example_decides_the_bundled_catalogue_on_duckdb_as_akar_eval() {
    if !Engine::Duckdb.ready() {
        return;
    }
    let example = root().join("examples/warehouse");
    assert_eq!(
        agree(Engine::Duckdb, &example, "2026-11-01", &bundled()),
        1_323
    );
}

#[test]
fn forms_sql_cannot_say_exactly_are_diagnostics_with_their_place() {
    let dir = common::folder(&[(
        "akar.policy",
        "schema {\n  id: text\n  title: text\n  price: money\n  cost: money\n}\n\n\
         rule lines\n  flag listing where title matches \"(?m)^kw\"\n  because \"lines\"\n\n\
         rule sum\n  flag listing where price + cost > 100 USD\n  because \"sum\"\n",
    )]);
    let output = common::akar(
        dir.path(),
        &["sql", "akar.policy", "--dialect", "duckdb"],
        "",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "SQL written despite the problems");
    let stderr = common::stderr(&output);
    for expected in [
        "akar::sql::unsupported",
        "rule `lines` uses `matches` with `(?m) line anchors`",
        "akar.policy:8",
        "rule `sum` uses a computed comparison beyond what SQL says exactly",
        "2 forms cannot be said in SQL; nothing written",
    ] {
        assert!(stderr.contains(expected), "no {expected:?} in:\n{stderr}");
    }
    let offset = common::folder(&[(
        "akar.policy",
        "timezone \"+07:00\"\nschema {\n  id: text\n  listed_at: date\n}\n\n\
         rule new_year\n  flag listing where listed_at == 2024-01-01\n  because \"new year\"\n",
    )]);
    let output = common::akar(
        offset.path(),
        &["sql", "akar.policy", "--dialect", "spark"],
        "",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        common::stderr(&output).contains("a `timezone` given as an offset"),
        "{}",
        common::stderr(&output)
    );
    let untyped = Command::new(AKAR)
        .args(["sql", "benches/four-rules.policy", "--dialect", "spark"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&untyped.stderr);
    assert_eq!(untyped.status.code(), Some(1));
    assert!(stderr.contains("akar::sql::untyped"), "{stderr}");
    assert!(stderr.contains("field `cluster` has no kind"), "{stderr}");
}

#[test]
fn sql_diagnostics_as_a_person_sees_them() {
    let dir = common::folder(&[(
        "akar.policy",
        "schema {\n  id: text\n  title: text\n  price: money\n  cost: money\n}\n\n\
         rule replica\n  flag listing where title matches \"(?i)kw\\\\b-\"\n  because \"replicas\"\n\n\
         rule at_a_loss\n  flag listing where price - cost < 0 USD\n  because \"sold below cost\"\n",
    )]);
    let output = common::akar(
        dir.path(),
        &["sql", "akar.policy", "--dialect", "duckdb"],
        "",
    );
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("sql_diagnostics", common::stderr(&output));
}

#[test]
fn the_example_in_spark_sql() {
    let sql = run(&[
        "sql",
        "examples/warehouse",
        "--dialect",
        "spark",
        "--at",
        "2026-11-01",
    ]);
    insta::assert_snapshot!("sql_example_spark", sql);
}

#[test]
fn policies_decide_the_bundled_and_a_generated_catalogue_on_duckdb_as_akar_eval() {
    if !Engine::Duckdb.ready() {
        return;
    }
    let policies = root().join("policies");
    for at in ["2021-09-01", "2024-06-01", "2026-11-01"] {
        assert_eq!(agree(Engine::Duckdb, &policies, at, &bundled()), 1_323);
    }
    let catalogue = generated(100_000);
    assert_eq!(
        agree(Engine::Duckdb, &policies, "2026-11-01", catalogue.path()),
        100_000
    );
}

#[test]
fn policies_decide_the_bundled_and_a_generated_catalogue_on_spark_as_akar_eval() {
    if !Engine::Spark.ready() {
        return;
    }
    let policies = root().join("policies");
    assert_eq!(
        agree(Engine::Spark, &policies, "2026-11-01", &bundled()),
        1_323
    );
    let catalogue = generated(100_000);
    assert_eq!(
        agree(Engine::Spark, &policies, "2026-11-01", catalogue.path()),
        100_000
    );
}

/// Every `test` block's listing in `policies/` and in the documents' policy
/// blocks that compile to SQL, by the test's date: those a typed table can
/// hold (a test may give a field a value of the wrong kind, which no column
/// of the schema's type can hold).
fn test_listings() -> Vec<(PathBuf, String, Vec<String>)> {
    use std::collections::BTreeMap;
    let mut sets: Vec<(PathBuf, akar::plan::Plan)> =
        vec![(root().join("policies"), common::plan_of_path("policies"))];
    let docs = tempfile::tempdir().unwrap().keep();
    for document in ["README.md", "grammar/REFERENCE.md"] {
        let markdown = std::fs::read_to_string(root().join(document)).unwrap();
        for (line, text) in common::policy_blocks(&markdown) {
            if !text.contains("schema") || !text.contains("test ") {
                continue;
            }
            let dir = docs.join(format!("{}-{line}", document.replace('/', "-")));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("doc.policy"), &text).unwrap();
            let plan = common::plan_of_path(dir.to_str().unwrap());
            sets.push((dir, plan));
        }
    }
    let mut out = Vec::new();
    for (path, plan) in sets {
        let mut by_date: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for case in plan.tests() {
            if !fits(&plan, &case.given) {
                continue;
            }
            let at = case
                .at
                .map_or_else(|| "2026-11-01".to_string(), |d| d.to_string());
            by_date.entry(at).or_default().push(case.given.to_string());
        }
        for (at, listings) in by_date {
            out.push((path.clone(), at, listings));
        }
    }
    out
}

/// Whether every field the plan reads holds a value of its schema kind (or
/// is missing), so that a typed table can hold the listing.
fn fits(plan: &akar::plan::Plan, listing: &Value) -> bool {
    use akar::plan::FieldKind;
    plan.fields().iter().all(|path| {
        let mut value = listing;
        for (i, segment) in path.segments.iter().enumerate() {
            match value.get(segment) {
                Some(Value::Null) | None => return true,
                Some(v) if i + 1 < path.segments.len() && !v.is_object() => return false,
                Some(v) => value = v,
            }
        }
        match plan.slot_kind(path.slot) {
            None => true,
            Some(FieldKind::Text | FieldKind::Date | FieldKind::OneOf(_)) => value.is_string(),
            Some(FieldKind::Number) => value.is_number(),
            Some(FieldKind::Boolean) => value.is_boolean(),
            Some(FieldKind::ListOfText) => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
            Some(FieldKind::Money) => value.is_object(),
            Some(FieldKind::Object) => value.is_object(),
        }
    })
}

/// As [`agree`] for many policy sets, dates and catalogues, in one engine
/// session (`run.py --jobs`); returns how many listings were compared.
fn agree_all(engine: Engine, jobs: &[(PathBuf, String, PathBuf)]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let mut list = Vec::new();
    for (n, (policy, at, listings)) in jobs.iter().enumerate() {
        let policy = policy.to_str().unwrap();
        let compile = |extra: &[&str]| {
            let mut args = vec!["sql", policy, "--dialect", engine.name(), "--at", at];
            args.extend(["--line-column", "_line"]);
            args.extend(extra);
            run(&args)
        };
        let (sql, columns) = (
            dir.path().join(format!("{n}.sql")),
            dir.path().join(format!("{n}.columns")),
        );
        std::fs::write(&sql, compile(&[])).unwrap();
        std::fs::write(&columns, compile(&["--columns"])).unwrap();
        list.push(serde_json::json!({
            "sql": sql, "columns": columns, "listings": listings,
            "out": dir.path().join(format!("{n}.rows")),
        }));
    }
    let jobs_file = dir.path().join("jobs.json");
    std::fs::write(&jobs_file, serde_json::to_string(&list).unwrap()).unwrap();
    let output = Command::new("python3")
        .arg(root().join("tests/sql/run.py"))
        .args(["--engine", engine.name(), "--jobs"])
        .arg(&jobs_file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} failed:\n{}",
        engine.name(),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut compared = 0;
    for (n, (policy, at, listings)) in jobs.iter().enumerate() {
        let (policy, listings) = (policy.to_str().unwrap(), listings.to_str().unwrap());
        let expected = records(&run(&["eval", policy, "--at", at, "--listings", listings]));
        let rows = std::fs::read_to_string(dir.path().join(format!("{n}.rows"))).unwrap();
        let got = records(&rows);
        assert_eq!(
            expected.len(),
            got.len(),
            "{policy} at {at}: another number of rows"
        );
        for (want, have) in expected.iter().zip(&got) {
            assert_eq!(
                have,
                want,
                "{} decides differently ({policy} at {at})",
                engine.name()
            );
        }
        compared += expected.len();
    }
    compared
}

/// The test-block listings as files, one per policy set and date.
fn test_listing_jobs(dir: &Path) -> Vec<(PathBuf, String, PathBuf)> {
    test_listings()
        .into_iter()
        .enumerate()
        .map(|(n, (policy, at, listings))| {
            let file = dir.join(format!("tests-{n}.ndjson"));
            std::fs::write(&file, listings.join("\n") + "\n").unwrap();
            (policy, at, file)
        })
        .collect()
}

#[test]
fn every_test_block_listing_is_decided_on_duckdb_as_akar_eval() {
    if !Engine::Duckdb.ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let compared = agree_all(Engine::Duckdb, &test_listing_jobs(dir.path()));
    assert!(compared >= 100, "only {compared} test listings compared");
}

#[test]
fn every_test_block_listing_is_decided_on_spark_as_akar_eval() {
    if !Engine::Spark.ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let compared = agree_all(Engine::Spark, &test_listing_jobs(dir.path()));
    assert!(compared >= 100, "only {compared} test listings compared");
}
