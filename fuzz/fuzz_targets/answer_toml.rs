//! cargo-fuzz target `answer_toml`: see `massage_triage::fuzz::answer_toml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    massage_triage::fuzz::answer_toml(data);
});
