//! Replays the checked-in fuzz seeds and crash reproducers through the fuzz target bodies, so
//! that a plain `cargo test` keeps every past crash covered without a fuzzer.
//!
//! Inputs live in `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/`, one file each.

use std::fs;
use std::path::{Path, PathBuf};

use facestore::fuzzing;

#[allow(dead_code)]
mod model;

/// Returns every input file of `target`, seeds first, in name order.
fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for kind in ["seeds", "regressions"] {
        let directory = fuzz.join(kind).join(target);
        let Ok(entries) = fs::read_dir(&directory) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .map(|entry| entry.expect("readable directory entry").path())
            .filter(|path| path.is_file())
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// Runs `body` on every input of `target` and returns how many ran.
fn replay(target: &str, body: fn(&[u8])) -> usize {
    let files = inputs(target);
    for path in &files {
        let data = fs::read(path).expect("readable input file");
        eprintln!("replaying {}", path.display());
        body(&data);
    }
    files.len()
}

#[test]
fn json_request_inputs_replay() {
    assert!(replay("json_request", fuzzing::json_request) > 0);
}

#[test]
fn http_request_inputs_replay() {
    assert!(replay("http_request", fuzzing::http_request) > 0);
}

#[test]
fn record_decode_inputs_replay() {
    assert!(replay("record_decode", fuzzing::decode_records) > 0);
}

#[test]
fn pagination_token_inputs_replay() {
    assert!(replay("pagination_token", fuzzing::pagination_token) > 0);
}

#[test]
fn import_line_inputs_replay() {
    assert!(replay("import_line", fuzzing::import_line) > 0);
}

#[test]
fn operations_inputs_replay() {
    assert!(replay("operations", fuzzing::operations) > 0);
}

#[test]
fn model_sequence_inputs_replay() {
    assert!(replay("model_sequence", model::fuzz::model_sequence) > 0);
}
