#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| facestore::fuzzing::http_request(data));
