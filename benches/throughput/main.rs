//! The throughput benchmark (issue: speed). Run with
//!
//! ```sh
//! cargo bench --bench throughput            # 1,000,000 listings, 5 runs each
//! cargo bench --bench throughput -- --quick # 200,000 listings, 3 runs each
//! cargo bench --bench throughput -- --eval  # evaluation alone, nothing else;
//!                                           # `--eval four` or `--eval policies`: one set
//! cargo bench --bench throughput -- --diff  # akar diff against akar eval, alternated
//! cargo bench --bench throughput -- --scale # the scaling table alone
//! cargo bench --bench throughput -- --sql   # `akar sql` on DuckDB and Spark against akar eval
//! ```
//!
//! It generates seeded synthetic catalogues (see `akar::synth`), then reports the
//! median of repeated runs for: the floor (parsing every line into
//! `serde_json::Value`), the hand-written reference (`reference.rs`), `akar eval`
//! end to end on one thread and on all, evaluation alone in ns per listing, and
//! peak memory at 100,000 and at the large size. Last, it checks that the fast
//! path's decisions equal a straightforward evaluation over `serde_json::Value`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod reference;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use akar::Sources;
use akar::check::check_sources;
use akar::eval::{Decider, Listing, decide_plain};
use akar::input::projection::Projection;
use akar::output::Outcome;
use akar::plan::Plan;

const AKAR: &str = env!("CARGO_BIN_EXE_akar");
const AT: &str = "2026-11-01";
const SEED: u64 = 2021;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (large, runs) = if quick { (200_000, 3) } else { (1_000_000, 5) };
    let dir = std::env::temp_dir().join("akar-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let small_file = catalogue(&dir, 100_000);
    let large_file = catalogue(&dir, large);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if std::env::args().any(|a| a == "--eval") {
        return evaluation_alone(runs, &large_file);
    }
    if std::env::args().any(|a| a == "--diff") {
        return review_loop_alone(runs, &dir, &large_file, cores);
    }
    if std::env::args().any(|a| a == "--scale") {
        return scaling(runs, &dir, cores);
    }
    if std::env::args().any(|a| a == "--sql") {
        return warehouse(runs, &dir, &large_file, cores);
    }
    println!(
        "akar throughput benchmark: {large} listings (~{} bytes each), {runs} runs, median; {cores} cores\n",
        size(&large_file) / large
    );

    let floor = median(runs, || rate(large, || floor_parse(&large_file)));
    let reference = median(runs, || {
        rate(large, || {
            reference_run(&large_file, &output_dir().join("reference.out"))
        })
    });
    println!("| measurement | listings/s | vs floor | vs reference |");
    println!("|---|---:|---:|---:|");
    row(
        "floor: parse each line into serde_json::Value, 1 thread",
        floor,
        floor,
        reference,
    );
    row(
        "hand-written reference (four rules), 1 thread",
        reference,
        floor,
        reference,
    );
    for (name, policy) in [
        ("four rules", "benches/four-rules.policy"),
        ("policies/", "policies"),
    ] {
        let one = median(runs, || akar_eval(policy, &large_file, Some(1)).0);
        let all = median(runs, || akar_eval(policy, &large_file, None).0);
        row(
            &format!("akar eval {name}, 1 thread"),
            one,
            floor,
            reference,
        );
        row(
            &format!(
                "akar eval {name}, {cores} threads ({:.2}x 1 thread)",
                all / one
            ),
            all,
            floor,
            reference,
        );
    }
    // The review loop: both sides decided per listing, each listing parsed once.
    let changed = changed_policies(&dir);
    let eval_one = median(runs, || akar_eval("policies", &large_file, Some(1)).0);
    let diff_one = median(runs, || {
        akar_diff("policies", &changed, &large_file, Some(1)).0
    });
    let diff_all = median(runs, || {
        akar_diff("policies", &changed, &large_file, None).0
    });
    row(
        &format!(
            "akar diff policies/ and a change, 1 thread ({:.2}x akar eval policies/, 1 thread)",
            diff_one / eval_one
        ),
        diff_one,
        floor,
        reference,
    );
    row(
        &format!(
            "akar diff policies/ and a change, {cores} threads ({:.2}x 1 thread)",
            diff_all / diff_one
        ),
        diff_all,
        floor,
        reference,
    );
    println!();
    evaluation_alone(runs, &large_file);
    println!();
    scaling(runs, &dir, cores);
    println!();
    let small_rss = akar_eval("policies", &small_file, None).1;
    let large_rss = akar_eval("policies", &large_file, None).1;
    println!(
        "peak memory, akar eval policies/: {small_rss:.1} MiB at 100000, {large_rss:.1} MiB at {large} ({:.2}x)",
        large_rss / small_rss
    );
    for policy in ["benches/four-rules.policy", "policies"] {
        let same = same_decisions(policy, &large_file, &output_dir().join("fast.out"));
        println!(
            "fast path equals serde_json::Value evaluation, {policy}: {same} records identical"
        );
    }
}

fn evaluation_alone(runs: usize, listings: &Path) {
    for (name, policy) in [
        ("four rules", "benches/four-rules.policy"),
        ("policies/", "policies"),
    ] {
        // `--eval four` or `--eval policies` measures one set alone (for a profiler).
        let only = std::env::args().skip_while(|a| a != "--eval").nth(1);
        if only.is_some_and(|only| !name.starts_with(only.trim_end_matches('/'))) {
            continue;
        }
        let ns = median(runs, || eval_alone(policy, listings));
        println!("evaluation alone, {name}: {ns:.0} ns per listing");
    }
}

/// Listings in the scaling table's catalogue, and its seed (the issue's).
const SCALE_LISTINGS: u64 = 200_000;
const SCALE_SEED: u64 = 7;

/// Generated policies of 40, 400 and 4,000 rules of the gated and the mixed
/// shape (`akar generate --policy`), beside the four rules and `policies/`: the
/// cost of more rules. Each row also gives evaluation alone, and the bytes
/// written, since many rules firing make long records.
fn scaling(runs: usize, dir: &Path, cores: usize) {
    let path = dir.join(format!("synthetic-{SCALE_SEED}-{SCALE_LISTINGS}.ndjson"));
    if !path.exists() {
        let mut out = BufWriter::new(File::create(&path).unwrap());
        let mut line = String::new();
        for n in 1..=SCALE_LISTINGS {
            line.clear();
            akar::synth::listing(SCALE_SEED, n, &mut line);
            out.write_all(line.as_bytes()).unwrap();
        }
        out.flush().unwrap();
    }
    println!(
        "scaling: {SCALE_LISTINGS} listings (seed {SCALE_SEED}), {runs} runs, median; {cores} cores\n"
    );
    println!(
        "| policy | rules | 1 thread, listings/s | vs 40 of its shape | {cores} threads, listings/s | evaluation alone, ns/listing | output, bytes/listing |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut policies: Vec<(String, String, usize)> = vec![
        ("four rules".into(), "benches/four-rules.policy".into(), 4),
        (
            "policies/".into(),
            "policies".into(),
            plan("policies").rules().len(),
        ),
    ];
    for (shape, name) in [
        (akar::synth::Shape::Gated, "gated"),
        (akar::synth::Shape::Mixed, "mixed"),
    ] {
        for rules in [40, 400, 4000] {
            let file = dir.join(format!("{name}-{rules}.policy"));
            std::fs::write(&file, akar::synth::policy(shape, rules, SCALE_SEED)).unwrap();
            policies.push((name.into(), file.display().to_string(), rules));
        }
    }
    let mut forty = 0.0;
    for (name, policy, rules) in &policies {
        // Timed with the records written to /dev/null, as the issue measured;
        // one more run to a file counts their bytes.
        let null = Path::new("/dev/null");
        let one = median(runs, || {
            akar_stats_to(&["eval", policy], &path, Some(1), null).0
        });
        let all = median(runs, || {
            akar_stats_to(&["eval", policy], &path, None, null).0
        });
        akar_eval(policy, &path, Some(1));
        let bytes = size(&output_dir().join("akar.out")) / SCALE_LISTINGS;
        let ns = median(runs, || eval_alone(policy, &path));
        if *rules == 40 {
            forty = one;
        }
        let versus = if name == "gated" || name == "mixed" {
            format!("{:.0}%", 100.0 * one / forty)
        } else {
            String::new()
        };
        println!("| {name} | {rules} | {one:.0} | {versus} | {all:.0} | {ns:.0} | {bytes} |");
    }
}

fn catalogue(dir: &Path, count: u64) -> PathBuf {
    let path = dir.join(format!("synthetic-{SEED}-{count}.ndjson"));
    if !path.exists() {
        let mut out = BufWriter::new(File::create(&path).unwrap());
        let mut line = String::new();
        for n in 1..=count {
            line.clear();
            akar::synth::listing(SEED, n, &mut line);
            out.write_all(line.as_bytes()).unwrap();
        }
        out.flush().unwrap();
    }
    path
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

fn row(name: &str, rate: f64, floor: f64, reference: f64) {
    println!(
        "| {name} | {rate:.0} | {:.2}x | {:.2}x |",
        rate / floor,
        rate / reference
    );
}

fn median(runs: usize, mut measure: impl FnMut() -> f64) -> f64 {
    middle((0..runs).map(|_| measure()).collect())
}

fn rate(count: u64, work: impl FnOnce()) -> f64 {
    let started = Instant::now();
    work();
    count as f64 / started.elapsed().as_secs_f64()
}

fn lines(path: &Path, mut each: impl FnMut(usize, &[u8])) {
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path).unwrap());
    let (mut line, mut no) = (Vec::new(), 0);
    while reader.read_until(b'\n', &mut line).unwrap() > 0 {
        no += 1;
        each(no, &line);
        line.clear();
    }
}

fn floor_parse(path: &Path) {
    lines(path, |_, bytes| {
        let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        std::hint::black_box(value);
    });
}

fn reference_run(path: &Path, out_path: &Path) {
    let mut out = BufWriter::new(File::create(out_path).unwrap());
    let mut buffer = Vec::with_capacity(512);
    lines(path, |no, bytes| {
        buffer.clear();
        reference::decide_line(no, bytes, &mut buffer);
        out.write_all(&buffer).unwrap();
    });
    out.flush().unwrap();
}

/// `akar diff` against `akar eval` of one side, alternated run by run so that
/// both meet the same machine; medians.
fn review_loop_alone(runs: usize, dir: &Path, listings: &Path, cores: usize) {
    let changed = changed_policies(dir);
    let (mut eval, mut diff_one, mut diff_all) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        eval.push(akar_eval("policies", listings, Some(1)).0);
        diff_one.push(akar_diff("policies", &changed, listings, Some(1)).0);
        diff_all.push(akar_diff("policies", &changed, listings, None).0);
    }
    let (eval, one, all) = (middle(eval), middle(diff_one), middle(diff_all));
    println!("akar diff against akar eval, alternated, {runs} runs, median; {cores} cores\n");
    println!("| measurement | listings/s | vs akar eval, 1 thread |");
    println!("|---|---:|---:|");
    println!("| akar eval policies/, 1 thread | {eval:.0} | 1.00x |");
    println!(
        "| akar diff policies/ and a change, 1 thread | {one:.0} | {:.2}x |",
        one / eval
    );
    println!(
        "| akar diff policies/ and a change, {cores} threads | {all:.0} | {:.2}x |",
        all / eval
    );
}

fn middle(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

/// Runs the real binary: (listings/s as it reports, peak memory in MiB).
fn akar_eval(policy: &str, listings: &Path, threads: Option<usize>) -> (f64, f64) {
    akar_stats(&["eval", policy], listings, threads)
}

/// `akar diff OLD NEW`, as [`akar_eval`] runs `akar eval`.
fn akar_diff(old: &str, new: &str, listings: &Path, threads: Option<usize>) -> (f64, f64) {
    akar_stats(&["diff", old, new], listings, threads)
}

/// A copy of `policies/` with a pull request's change (the one of the README's
/// "Reviewing a change"): the USD 100 floor raised to USD 150, `electronics`
/// added to the AKAR clusters, the Shopee rule deleted.
fn changed_policies(dir: &Path) -> String {
    let to = dir.join("changed-policies");
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name == "shopee-2021.policy" {
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
        std::fs::write(to.join(name), text).unwrap();
    }
    to.display().to_string()
}

fn akar_stats(args: &[&str], listings: &Path, threads: Option<usize>) -> (f64, f64) {
    akar_stats_to(args, listings, threads, &output_dir().join("akar.out"))
}

/// As [`akar_stats`], the records written to `out`.
fn akar_stats_to(args: &[&str], listings: &Path, threads: Option<usize>, out: &Path) -> (f64, f64) {
    let mut command = Command::new(AKAR);
    command
        .args(args)
        .args(["--at", AT, "--stats", "--listings"])
        .arg(listings);
    if let Some(n) = threads {
        command.args(["--threads", &n.to_string()]);
    }
    let output = command
        .stdout(
            File::options()
                .write(true)
                .create(true)
                .truncate(true)
                .open(out)
                .unwrap(),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "akar {args:?} failed: {stderr}");
    let number_before = |unit: &str| -> f64 {
        let end = stderr.find(unit).unwrap();
        stderr[..end]
            .trim_end()
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (number_before("listings/s"), number_before("MiB"))
}

/// Where outputs are written: memory (`/dev/shm`) where there is one, so that the
/// kernel writing a previous run's output to disk does not slow the next run.
fn output_dir() -> PathBuf {
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir() {
        shm
    } else {
        std::env::temp_dir().join("akar-bench")
    }
}

fn plan(policy: &str) -> Plan {
    let sources = Sources::load(&[PathBuf::from(policy)]).unwrap();
    check_sources(&sources).unwrap_or_else(|_| panic!("{policy} does not check"))
}

/// ns per listing for deciding listings already read into slots: 1,000 listings
/// decided 200 times over. In `akar eval` a listing is decided right after it is
/// parsed, while it is in the processor's cache; a set this small stays there too,
/// so the figure is the evaluator's own work rather than memory latency.
fn eval_alone(policy: &str, path: &Path) -> f64 {
    const LISTINGS: usize = 1_000;
    const ROUNDS: usize = 200;
    let plan = plan(policy);
    let projection = Projection::new(&plan);
    let texts: Vec<String> = BufReader::new(File::open(path).unwrap())
        .lines()
        .take(LISTINGS)
        .map(Result::unwrap)
        .collect();
    let parsed: Vec<_> = texts
        .iter()
        .map(|text| projection.parse(text.as_bytes()).unwrap())
        .collect();
    let at = chrono::NaiveDate::parse_from_str(AT, "%Y-%m-%d").unwrap();
    // The rules in force on the date are found once, as `akar eval` does, and
    // each decision is made into the same `Decision`.
    let decider = Decider::new(&plan, at);
    let mut decision = akar::eval::Decision::default();
    let started = Instant::now();
    for _ in 0..ROUNDS {
        for slots in &parsed {
            let listing = Listing::from_slots(slots);
            std::hint::black_box(decider.decide_into(&listing, &mut decision).is_ok());
            std::hint::black_box(&decision);
        }
    }
    started.elapsed().as_nanos() as f64 / (parsed.len() * ROUNDS) as f64
}

/// Compares the binary's output with the plain evaluation (a full
/// `serde_json::Value` per listing, the conditions walked as written), record by record.
fn same_decisions(policy: &str, path: &Path, out_path: &Path) -> usize {
    let status = Command::new(AKAR)
        .args(["eval", policy, "--at", AT, "--listings"])
        .arg(path)
        .stdout(File::create(out_path).unwrap())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let plan = plan(policy);
    let at = chrono::NaiveDate::parse_from_str(AT, "%Y-%m-%d").unwrap();
    let fast = std::fs::read_to_string(out_path).unwrap();
    let mut fast_lines = fast.lines();
    let mut count = 0;
    lines(path, |no, bytes| {
        let listing = akar::input::parse_object(bytes).unwrap();
        let decision = decide_plain(&plan, &listing, at).map_err(|e| e.to_string());
        let expected = Outcome::new(
            &plan,
            no,
            listing.get("id"),
            decision.as_ref().map_err(String::clone),
        )
        .to_json_line();
        assert_eq!(
            fast_lines.next().map(|l| format!("{l}\n")),
            Some(expected),
            "record {no} differs"
        );
        count += 1;
    });
    assert!(
        fast_lines.next().is_none(),
        "the fast path wrote extra records"
    );
    count
}

/// `akar sql`'s query run end to end by DuckDB and by Spark (local mode), each
/// reading the NDJSON catalogue and writing NDJSON, against `akar eval` on the
/// same file and machine: `policies/`, and the four rules with a schema for
/// their fields.
fn warehouse(runs: usize, dir: &Path, listings: &Path, cores: usize) {
    let four = dir.join("four-sql");
    std::fs::create_dir_all(&four).unwrap();
    std::fs::copy("benches/four-rules.policy", four.join("four-rules.policy")).unwrap();
    let schema = "schema {\n  id: text\n  cluster: text\n  cross_border: boolean\n  \
                  price: money\n  title: text\n  certifications.halal: text\n}\n";
    std::fs::write(four.join("schema.policy"), schema).unwrap();
    let count = lines_in(listings);
    println!(
        "akar sql against akar eval: {count} listings, NDJSON in and out, median of {runs} (Spark: 1); {cores} cores\n"
    );
    println!("| policy | measurement | listings/s | vs akar eval, {cores} threads |");
    println!("|---|---|---:|---:|");
    for (name, policy) in [
        ("`policies/`", "policies"),
        ("four rules", four.to_str().unwrap()),
    ] {
        let eval_one = median(runs, || akar_eval(policy, listings, Some(1)).0);
        let eval_all = median(runs, || akar_eval(policy, listings, None).0);
        println!(
            "| {name} | akar eval, 1 thread | {eval_one:.0} | {:.2}x |",
            eval_one / eval_all
        );
        println!("| {name} | akar eval, {cores} threads | {eval_all:.0} | 1.00x |");
        for (engine, engine_runs) in [("duckdb", runs), ("spark", 1)] {
            let Some(seconds) = engine_seconds(engine, policy, listings, dir, engine_runs) else {
                println!("| {name} | {engine}: not installed (pip install duckdb pyspark) | | |");
                continue;
            };
            let rate = count as f64 / seconds;
            println!(
                "| {name} | {engine}, the compiled query, all cores | {rate:.0} | {:.2}x |",
                rate / eval_all
            );
        }
    }
}

fn lines_in(path: &Path) -> u64 {
    let mut n = 0;
    lines(path, |_, _| n += 1);
    n
}

/// The median seconds `tests/sql/run.py --bench` reports, or `None` if the
/// engine cannot run here.
fn engine_seconds(
    engine: &str,
    policy: &str,
    listings: &Path,
    dir: &Path,
    runs: usize,
) -> Option<f64> {
    let compile = |extra: &[&str]| {
        let output = Command::new(AKAR)
            .args(["sql", policy, "--dialect", engine, "--at", AT])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let (sql, columns) = (
        dir.join(format!("{engine}.sql")),
        dir.join(format!("{engine}.columns")),
    );
    std::fs::write(&sql, compile(&[])).unwrap();
    std::fs::write(&columns, compile(&["--columns"])).unwrap();
    let mut times = Vec::new();
    for _ in 0..runs {
        let output = Command::new("python3")
            .arg("tests/sql/run.py")
            .args(["--engine", engine, "--sql"])
            .arg(&sql)
            .arg("--columns")
            .arg(&columns)
            .arg("--listings")
            .arg(listings)
            .arg("--bench")
            .arg(dir.join(format!("{engine}.out")))
            .output()
            .ok()?;
        if !output.status.success() {
            eprintln!(
                "{engine}: {}",
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            return None;
        }
        let text = String::from_utf8_lossy(&output.stdout);
        times.push(text.trim().lines().last()?.parse::<f64>().ok()?);
    }
    Some(middle(times))
}
