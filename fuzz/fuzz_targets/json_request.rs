#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| facestore::fuzzing::json_request(data));
