#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| facestore::fuzzing::import_line(data));
