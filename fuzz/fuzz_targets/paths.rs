//! The fast path (projection, compiled rules, direct JSON output) against the
//! plain one (a whole `serde_json::Value`, conditions walked as written), on any
//! line, under every policy set the repository ships, on dates around their
//! deadlines.
#![no_main]

use std::sync::OnceLock;

#[path = "../../tests/props/mod.rs"]
mod props;

/// Each policy set on each date, compiled once.
fn deciders() -> &'static [akar::eval::Decider<'static>] {
    static DECIDERS: OnceLock<Vec<akar::eval::Decider<'static>>> = OnceLock::new();
    DECIDERS.get_or_init(|| {
        let dates = ["2021-08-08", "2023-12-19", "2024-10-17", "2026-11-01"];
        plans()
            .iter()
            .flat_map(|plan| {
                dates.iter().map(move |d| {
                    let date = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("a date");
                    akar::eval::Decider::new(plan, date)
                })
            })
            .collect()
    })
}

fn plans() -> &'static [akar::plan::Plan] {
    static PLANS: OnceLock<Vec<akar::plan::Plan>> = OnceLock::new();
    PLANS.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        ["policies", "benches/four-rules.policy", "examples/akar.policy"]
            .iter()
            .map(|p| {
                let sources = akar::Sources::load(&[root.join(p)]).expect("the policies load");
                akar::check::check_sources(&sources).expect("the policies check")
            })
            .collect()
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((choice, line)) = data.split_first() else {
        return;
    };
    let deciders = deciders();
    let decider = &deciders[usize::from(*choice) % deciders.len()];
    for part in line.split(|b| *b == b'\n') {
        props::paths_agree(decider, part);
    }
});
