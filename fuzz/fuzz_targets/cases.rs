//! cargo-fuzz target `cases`: see `massage_triage::fuzz::cases`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    massage_triage::fuzz::cases(data);
});
