//! The catalogue readers on any bytes: one NDJSON record a line that is not
//! blank, CSV and JSON records in order, no panic.
#![no_main]

#[path = "../../tests/props/mod.rs"]
mod props;

libfuzzer_sys::fuzz_target!(|data: &[u8]| props::readers(data));
