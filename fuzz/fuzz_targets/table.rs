#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| stance_fuzz::checks::table(data));
