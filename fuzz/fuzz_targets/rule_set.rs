//! cargo-fuzz target `rule_set`: see `massage_triage::fuzz::rule_set`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    massage_triage::fuzz::rule_set(data);
});
