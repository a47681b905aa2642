//! Model-based tests: random sequences of every operation run against the engine and a plain
//! in-memory model of the semantics, comparing every response, the store's invariants after
//! every change, and the full state at the end.
//!
//! Most sequences run on an in-memory database, where `Reopen` drops the store and opens the
//! same bytes again. A tenth as many run on a redb file. The number of sequences comes from
//! `FACESTORE_PROPTEST_CASES` (default 2000 in memory, and a tenth of that on files). A long
//! campaign:
//!
//! ```text
//! FACESTORE_PROPTEST_CASES=200000 cargo test --release --test model_test -- --nocapture
//! ```
//!
//! A failing sequence is shrunk to a short one and saved under `proptest-regressions/`, which
//! is committed so that every later run replays it first.

#[allow(dead_code)]
mod model;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{
    Config, FileFailurePersistence, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner,
};

use model::harness::{Engine, Harness};
use model::ops::{Op, op};

/// Default number of in-memory sequences per run.
const DEFAULT_CASES: u32 = 2000;

/// Longest generated sequence.
const MAX_STEPS: usize = 40;

fn cases() -> u32 {
    std::env::var("FACESTORE_PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn sequences() -> impl Strategy<Value = Vec<Op>> {
    vec(op(), 1..=MAX_STEPS)
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        max_shrink_iters: 20_000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/model_test.txt",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(cases()))]

    #[test]
    fn in_memory_sequences_match_model(ops in sequences()) {
        Harness::new(Engine::in_memory()).run(&ops).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    #![proptest_config(config((cases() / 10).max(1)))]

    #[test]
    fn file_sequences_match_model(ops in sequences()) {
        Harness::new(Engine::in_file()).run(&ops).map_err(TestCaseError::fail)?;
    }
}

/// An engine whose DeleteFaces also deletes associated faces must fail the comparison, and
/// shrinking must bring the failing sequence down to the two steps that show the bug: import
/// a face with a user, then delete it (the harness has created the collection and user).
#[test]
fn faulty_delete_faces_is_caught_and_shrunk() {
    // A fixed seed: which sequence fails first, and so how far it shrinks, depends on the
    // random draws, and this test checks the shrinking, not the search.
    let config = Config {
        cases: 2000,
        failure_persistence: None,
        max_shrink_iters: 20_000,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let result = runner.run(&sequences(), |ops| {
        Harness::new(Engine::in_memory().with_delete_faces_bug())
            .run(&ops)
            .map_err(TestCaseError::fail)
    });
    let Err(TestError::Fail(reason, shrunk)) = result else {
        panic!("the faulty engine passed: {result:?}");
    };
    println!("shrunk to {} steps: {shrunk:#?}\n{reason}", shrunk.len());
    assert!(
        shrunk.len() <= 3,
        "shrunk sequence has {} steps: {shrunk:#?}",
        shrunk.len()
    );
    assert!(
        reason.to_string().contains("differ"),
        "unexpected failure: {reason}"
    );
}
