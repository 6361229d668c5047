//! A REPL session on any inputs (one a line), with completion, hints, colours
//! and the multi-line decision at every character boundary of each.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        // Every character boundary of every input is tried, so inputs are kept
        // short: the fuzzer's time goes to more sessions, not longer ones.
        let inputs: Vec<&str> = text.split('\n').filter(|i| i.len() <= 256).take(16).collect();
        props::repl(&inputs);
    }
});
