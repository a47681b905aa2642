//! Fault injection: every I/O call during an operation fails in turn, and the database must
//! then hold exactly the state before or after the operation.
//!
//! For each operation and each N from 1 until the operation completes without reaching its
//! Nth call, the Nth `read`, `write`, `set_len` or `sync_data` call fails, or a write is torn
//! (half its buffer written, then an error). Reads that redb serves from its page cache make
//! no call, so they cannot fail. Two ways to go on from the fault:
//!
//! - crash: every later call fails too, the store is dropped, and a new store is opened on
//!   each disk a crash could leave behind: the bytes as of the last sync plus each prefix of
//!   the writes made since;
//! - transient: later calls succeed, the same store is checked and used on, then dropped and
//!   opened again.
//!
//! Each opened state must pass `Store::check` and equal the before-state or the after-state of
//! the operation, compared by a full dump through the API; an operation that reported success
//! must show the after-state.

#[allow(dead_code)]
mod model;

use facestore::{Store, dispatch};
use serde_json::{Value, json};

use model::disk::{Disk, Fault};
use model::harness::{check, dump, same};

/// Faces in each collection of the starting state.
const FACES_PER_COLLECTION: usize = 40;

/// Length of each stored embedding; 40 faces of 64 floats fill several redb pages.
const EMBEDDING_DIMENSION: usize = 64;

/// Upper bound on N, far above the calls any operation here makes.
const MAX_CALLS: u64 = 10_000;

fn face_id(collection: usize, index: usize) -> String {
    format!("{:08x}-0000-4000-8000-{index:012x}", collection + 1)
}

fn embedding(index: usize) -> Vec<f32> {
    (0..EMBEDDING_DIMENSION)
        .map(|position| {
            if position == index % EMBEDDING_DIMENSION {
                1.0
            } else {
                0.01
            }
        })
        .collect()
}

/// The starting state: collections `c1` and `c2` with 40 faces each; in `c1`, user `u1`
/// has faces 0 to 4, user `u2` has face 5, and user `u3` has none.
fn setup() -> Vec<(&'static str, Value)> {
    let mut steps = Vec::new();
    for (collection, collection_id) in ["c1", "c2"].into_iter().enumerate() {
        steps.push(("CreateCollection", json!({"CollectionId": collection_id})));
        let faces: Vec<Value> = (0..FACES_PER_COLLECTION)
            .map(|index| {
                let mut face = json!({
                    "FaceId": face_id(collection, index),
                    "ImageId": face_id(collection, index + 1000),
                    "Confidence": 99.5,
                    "Embedding": embedding(index),
                });
                if collection == 0 && index < 6 {
                    face["UserId"] = json!(if index < 5 { "u1" } else { "u2" });
                }
                face
            })
            .collect();
        steps.push((
            "ImportFaces",
            json!({"CollectionId": collection_id, "Faces": faces}),
        ));
    }
    steps.push(("CreateUser", json!({"CollectionId": "c1", "UserId": "u3"})));
    steps
}

/// Returns the operations under test, each run on the starting state.
fn operations() -> Vec<(&'static str, &'static str, Value)> {
    let c1 = |index| face_id(0, index);
    vec![
        (
            "DeleteFaces of free, associated, missing, repeated and foreign faces",
            "DeleteFaces",
            json!({"CollectionId": "c1", "FaceIds": [
                c1(10), c1(0), face_id(5, 1), c1(11), c1(10), face_id(1, 12), c1(5), c1(12),
            ]}),
        ),
        (
            "DeleteFaces of 30 faces",
            "DeleteFaces",
            json!({"CollectionId": "c1", "FaceIds": (6..36).map(c1).collect::<Vec<_>>()}),
        ),
        (
            "AssociateFaces",
            "AssociateFaces",
            json!({"CollectionId": "c1", "UserId": "u3", "UserMatchThreshold": 0,
                   "FaceIds": [c1(20), c1(21), c1(0), c1(22)]}),
        ),
        (
            "DisassociateFaces",
            "DisassociateFaces",
            json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [c1(1), c1(2), c1(5)]}),
        ),
        (
            "DeleteUser",
            "DeleteUser",
            json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "retry-1"}),
        ),
        (
            "DeleteCollection",
            "DeleteCollection",
            json!({"CollectionId": "c1"}),
        ),
        (
            "ImportFaces",
            "ImportFaces",
            json!({"CollectionId": "c2", "Faces": (40..44).map(|index| json!({
                "FaceId": face_id(1, index),
                "ImageId": face_id(1, index + 1000),
                "UserId": "new-user",
                "Embedding": embedding(index),
            })).collect::<Vec<_>>()}),
        ),
    ]
}

fn open(disk: &Disk) -> Store {
    Store::builder()
        .open_with_backend(disk.backend())
        .expect("open the store")
}

fn call(store: &Store, operation: &str, request: Value) -> Result<Value, &'static str> {
    dispatch::call(store, operation, request).map_err(|error| error.exception_name())
}

/// Returns the store's dump after checking its invariants.
fn checked_dump(store: &Store) -> Result<Value, String> {
    check(store)?;
    dump(|operation, request| call(store, operation, request))
}

fn base_image() -> Vec<u8> {
    let disk = Disk::default();
    let store = open(&disk);
    for (operation, request) in setup() {
        call(&store, operation, request).expect("the setup succeeds");
    }
    drop(store);
    disk.bytes()
}

/// The states a faulty run may end in.
struct Expected {
    before: Value,
    after: Value,
}

impl Expected {
    fn new(base: &[u8], operation: &str, request: &Value) -> Self {
        let store = open(&Disk::from_bytes(base.to_vec()));
        let before = checked_dump(&store).expect("the starting state is clean");
        call(&store, operation, request.clone()).expect("the operation succeeds without faults");
        let after = checked_dump(&store).expect("the state after the operation is clean");
        assert!(!same(&before, &after), "the operation changes nothing");
        Self { before, after }
    }

    /// Checks one state found after a fault.
    fn verify(&self, state: &Value, succeeded: bool) -> Result<(), String> {
        if same(state, &self.after) || (!succeeded && same(state, &self.before)) {
            return Ok(());
        }
        Err(format!(
            "state is neither before nor after (operation succeeded: {succeeded}): {state}"
        ))
    }
}

/// Runs the operation with the Nth call failing and a crash right after; returns whether
/// the fault was reached.
fn crash_at(
    base: &[u8],
    operation: &str,
    request: &Value,
    call_number: u64,
    fault: Fault,
    expected: &Expected,
) -> Result<bool, String> {
    let disk = Disk::from_bytes(base.to_vec());
    let store = open(&disk);
    disk.arm(call_number, fault, true);
    let outcome = call(&store, operation, request.clone());
    let hit = disk.fault_hit();
    if hit && outcome.is_ok() {
        return Err("the operation succeeded although a write failed".to_owned());
    }
    if let Err(name) = outcome
        && name != "InternalServerError"
    {
        return Err(format!("a storage fault surfaced as {name}"));
    }
    disk.kill();
    drop(store);

    for (index, image) in disk.crash_images().into_iter().enumerate() {
        let reopened = Store::builder()
            .open_with_backend(Disk::from_bytes(image).backend())
            .map_err(|error| format!("crash image {index} does not open: {error}"))?;
        let state =
            checked_dump(&reopened).map_err(|error| format!("crash image {index}: {error}"))?;
        expected
            .verify(&state, outcome.is_ok())
            .map_err(|error| format!("crash image {index}: {error}"))?;
    }
    Ok(hit)
}

/// Runs the operation with only the Nth call failing, then goes on with the same store and
/// after a reopen; returns whether the fault was reached.
fn transient_at(
    base: &[u8],
    operation: &str,
    request: &Value,
    call_number: u64,
    fault: Fault,
    expected: &Expected,
) -> Result<bool, String> {
    let disk = Disk::from_bytes(base.to_vec());
    let store = open(&disk);
    disk.arm(call_number, fault, false);
    let outcome = call(&store, operation, request.clone());
    let hit = disk.fault_hit();
    if hit && outcome.is_ok() {
        return Err("the operation succeeded although a write failed".to_owned());
    }

    // redb may reject further transactions after a failed commit. A store that still
    // returns a state must return a consistent one.
    if let Ok(state) = checked_dump(&store) {
        expected
            .verify(&state, outcome.is_ok())
            .map_err(|error| format!("live store: {error}"))?;
    }
    drop(store);

    let reopened = Store::builder()
        .open_with_backend(disk.backend())
        .map_err(|error| format!("the disk does not open again: {error}"))?;
    let state = checked_dump(&reopened).map_err(|error| format!("after reopen: {error}"))?;
    expected
        .verify(&state, outcome.is_ok())
        .map_err(|error| format!("after reopen: {error}"))?;
    Ok(hit)
}

type Run = fn(&[u8], &str, &Value, u64, Fault, &Expected) -> Result<bool, String>;

#[test]
fn every_io_fault_leaves_before_or_after_state() {
    let base = base_image();
    let mut failures = Vec::new();
    for (name, operation, request) in operations() {
        let expected = Expected::new(&base, operation, &request);
        let runs: [(&str, Run); 2] = [("crash", crash_at), ("transient", transient_at)];
        for (mode, run) in runs {
            for fault in [Fault::Fail, Fault::Tear] {
                let mut last = 0;
                for call_number in 1..=MAX_CALLS {
                    last = call_number;
                    match run(&base, operation, &request, call_number, fault, &expected) {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(error) => {
                            failures.push(format!(
                                "{name}, {mode}, {fault:?} at call {call_number}: {error}"
                            ));
                        }
                    }
                }
                assert!(last < MAX_CALLS, "{name} never completed");
                println!("{name}: {mode} {fault:?} at calls 1 to {}", last - 1);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} faults broke the store:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
