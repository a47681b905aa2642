//! A reference model of facestore's collection semantics and the harness that compares it
//! with the engine, shared by the model-based and fault-injection tests.

pub mod disk;
pub mod fuzz;
pub mod harness;
pub mod ops;
pub mod reference;
