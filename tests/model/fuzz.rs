//! Body of the `model_sequence` fuzz target, shared with the corpus replay test.
//!
//! The fuzzer's input seeds the random choices of the model test's operation strategy, so each
//! input is one operation sequence, run on an in-memory engine and on the reference model with
//! every response and the final state compared.

use proptest::collection::vec;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::harness::{Engine, Harness};
use super::ops::op;

/// Maximum number of operations in one sequence.
const MAX_STEPS: usize = 40;

/// Runs the sequence that `data` seeds on the engine and the model; panics on any difference.
pub fn model_sequence(data: &[u8]) {
    let mut seed = [0_u8; 32];
    for (index, byte) in data.iter().enumerate() {
        seed[index % seed.len()] ^= byte.rotate_left((index / seed.len()) as u32);
    }
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    );
    let ops = vec(op(), 1..=MAX_STEPS)
        .new_tree(&mut runner)
        .expect("the operation strategy always generates")
        .current();

    if let Err(difference) = Harness::new(Engine::in_memory()).run(&ops) {
        panic!("engine and model differ: {difference}\nsequence: {ops:#?}");
    }
}
