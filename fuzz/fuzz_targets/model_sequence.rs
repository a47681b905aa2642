#![no_main]

// The reference model and its harness live with the model-based tests.
#[allow(dead_code)]
#[path = "../../tests/model/mod.rs"]
mod model;

libfuzzer_sys::fuzz_target!(|data: &[u8]| model::fuzz::model_sequence(data));
