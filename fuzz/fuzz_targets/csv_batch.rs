//! cargo-fuzz target `csv_batch`: see `massage_triage::fuzz::csv_batch`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    massage_triage::fuzz::csv_batch(data);
});
