//! Parse, check, format and draw any policy text: nothing panics, every JSON
//! diagnostic is JSON, formatting keeps the tree and is idempotent.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        props::policy_drawn(text);
    }
});
