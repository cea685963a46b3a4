//! cargo-fuzz target `answer_json`: see `massage_triage::fuzz::answer_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    massage_triage::fuzz::answer_json(data);
});
