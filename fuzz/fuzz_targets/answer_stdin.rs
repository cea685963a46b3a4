//! cargo-fuzz target `answer_stdin`: see `massage_triage::fuzz::answer_stdin`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    massage_triage::fuzz::answer_stdin(data);
});
