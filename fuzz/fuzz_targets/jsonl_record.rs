//! cargo-fuzz target `jsonl_record`: see `massage_triage::fuzz::jsonl_record`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    massage_triage::fuzz::jsonl_record(data);
});
