//! Crash tests with real processes: a child process runs a stream of operations on a redb
//! file and is killed with SIGKILL at a random moment; the parent then opens the file, runs
//! `Store::check` and compares the full state with the reference model.
//!
//! The child is this test binary run again with `FACESTORE_CRASH_CHILD_DB` set. Before each
//! call it prints `BEGIN\t<operation>\t<request>`, and after the call returns it prints
//! `DONE\t<response or exception name>`, flushing both. The parent replays every completed
//! call on the model, comparing each response, so every acknowledged change must be in the
//! file. The call in flight at the kill must be wholly applied or not at all: the file must
//! equal the model with or without it. The file carries over from one kill to the next.
//!
//! `FACESTORE_CRASH_KILLS` sets the number of kills (default 200).

#[allow(dead_code)]
mod model;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use facestore::{Store, dispatch};
use serde_json::{Value, json};

use model::harness::{check, compare, dump, same};
use model::reference::Model;

const CHILD_DB_VARIABLE: &str = "FACESTORE_CRASH_CHILD_DB";
const CHILD_SEED_VARIABLE: &str = "FACESTORE_CRASH_CHILD_SEED";
const CHILD_TEST_NAME: &str = "crash_child_process";

/// Default number of kills.
const DEFAULT_KILLS: u64 = 200;

/// Most operations one child runs before it exits by itself.
const MAX_CHILD_OPERATIONS: u64 = 3000;

/// Maximum time a child runs before the kill, in milliseconds.
const MAX_RUN_MILLIS: u64 = 60;

const COLLECTIONS: [&str; 2] = ["c1", "c2"];
const USERS: [&str; 4] = ["u1", "u2", "u3", "u4"];
const FACE_POOL: u64 = 40;

/// A xorshift64 generator: deterministic per seed and enough to pick operations.
struct Random(u64);

impl Random {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.below(items.len() as u64)).expect("small index")]
    }
}

fn face_id(index: u64) -> String {
    format!("a0a0a0a0-0000-4000-8000-{index:012x}")
}

fn face_ids(random: &mut Random, max: u64) -> Vec<String> {
    (0..=random.below(max))
        .map(|_| face_id(random.below(FACE_POOL)))
        .collect()
}

/// Returns the next operation of a child's stream.
fn next_operation(random: &mut Random) -> (&'static str, Value) {
    let collection = random.pick(&COLLECTIONS);
    let user = random.pick(&USERS);
    match random.below(100) {
        0..30 => {
            let faces: Vec<Value> = (0..=random.below(4))
                .map(|_| {
                    let index = random.below(FACE_POOL);
                    let mut face = json!({
                        "FaceId": face_id(index),
                        "ImageId": face_id(index + 1000),
                        "Embedding": [1.0, index as f32, 0.5],
                    });
                    if random.below(4) == 0 {
                        face["UserId"] = json!(user);
                    }
                    face
                })
                .collect();
            (
                "ImportFaces",
                json!({"CollectionId": collection, "Faces": faces}),
            )
        }
        30..55 => (
            "DeleteFaces",
            json!({"CollectionId": collection, "FaceIds": face_ids(random, 8)}),
        ),
        55..70 => (
            "AssociateFaces",
            json!({"CollectionId": collection, "UserId": user, "UserMatchThreshold": 0,
                   "FaceIds": face_ids(random, 5)}),
        ),
        70..78 => (
            "DisassociateFaces",
            json!({"CollectionId": collection, "UserId": user, "FaceIds": face_ids(random, 5)}),
        ),
        78..88 => (
            "CreateUser",
            json!({"CollectionId": collection, "UserId": user}),
        ),
        88..95 => (
            "DeleteUser",
            json!({"CollectionId": collection, "UserId": user}),
        ),
        95..97 => ("DeleteCollection", json!({"CollectionId": collection})),
        _ => ("CreateCollection", json!({"CollectionId": collection})),
    }
}

/// The child's side: runs when this binary is started with the child variables set, and
/// does nothing in a normal test run.
#[test]
fn crash_child_process() {
    let Ok(path) = std::env::var(CHILD_DB_VARIABLE) else {
        return;
    };
    let seed: u64 = std::env::var(CHILD_SEED_VARIABLE)
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(1);
    let store = Store::open(&path).expect("the child opens the database");
    let mut random = Random::new(seed);
    let mut stdout = std::io::stdout().lock();
    for _ in 0..MAX_CHILD_OPERATIONS {
        let (operation, request) = next_operation(&mut random);
        writeln!(stdout, "BEGIN\t{operation}\t{request}").expect("write to the parent");
        stdout.flush().expect("flush to the parent");
        let outcome = match dispatch::call(&store, operation, request) {
            Ok(response) => response.to_string(),
            Err(error) => error.exception_name().to_owned(),
        };
        writeln!(stdout, "DONE\t{outcome}").expect("write to the parent");
        stdout.flush().expect("flush to the parent");
    }
}

fn kills() -> u64 {
    std::env::var("FACESTORE_CRASH_KILLS")
        .ok()
        .and_then(|kills| kills.parse().ok())
        .unwrap_or(DEFAULT_KILLS)
}

/// A call the child started, with its outcome if it printed one.
struct Call {
    operation: String,
    request: Value,
    outcome: Option<String>,
}

/// Starts a child on `path`, kills it after `delay`, and returns the calls it reported.
fn run_child(path: &Path, seed: u64, delay: Duration) -> Vec<Call> {
    let mut child = Command::new(std::env::current_exe().expect("the test binary's path"))
        .args([
            CHILD_TEST_NAME,
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB_VARIABLE, path)
        .env(CHILD_SEED_VARIABLE, seed.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child");
    let stdout = child.stdout.take().expect("the child's stdout is piped");
    let reader = thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });
    thread::sleep(delay);
    // On Unix, kill sends SIGKILL: the child gets no chance to finish anything.
    child.kill().ok();
    child.wait().expect("reap the child");
    let lines = reader
        .join()
        .expect("the reader thread ends with the child");
    parse_calls(&lines)
}

fn parse_calls(lines: &[String]) -> Vec<Call> {
    let mut calls: Vec<Call> = Vec::new();
    for line in lines {
        // libtest prints "test crash_child_process ... " before the child's first line without
        // a line break, so a marker may follow other text. A line cut by the kill is skipped.
        if let Some((_, rest)) = line.split_once("BEGIN\t") {
            let Some((operation, request)) = rest.split_once('\t') else {
                continue;
            };
            let Ok(request) = serde_json::from_str(request) else {
                continue;
            };
            calls.push(Call {
                operation: operation.to_owned(),
                request,
                outcome: None,
            });
        } else if let Some((_, outcome)) = line.split_once("DONE\t") {
            let call = calls.last_mut().expect("DONE follows its BEGIN");
            call.outcome = Some(outcome.to_owned());
        }
    }
    calls
}

/// Parses a child's outcome line into the form the model returns.
fn child_outcome(outcome: &str) -> Result<Value, &'static str> {
    match serde_json::from_str::<Value>(outcome) {
        Ok(response) if response.is_object() => Ok(response),
        _ => Err(exception_name(outcome)),
    }
}

/// Returns the static exception name equal to `name`, for comparison with the model.
fn exception_name(name: &str) -> &'static str {
    [
        "ValidationException",
        "InvalidParameterException",
        "ResourceNotFoundException",
        "ResourceAlreadyExistsException",
        "ConflictException",
        "IdempotentParameterMismatchException",
        "InvalidPaginationTokenException",
        "ServiceQuotaExceededException",
        "InternalServerError",
    ]
    .into_iter()
    .find(|known| *known == name)
    .unwrap_or("unknown exception")
}

fn model_dump(model: &mut Model) -> Value {
    dump(|operation, request| model.call(operation, &request)).expect("the model dumps")
}

/// Replays one child's calls on the model and checks the file; returns the number of calls
/// the child completed.
fn verify_child(path: &Path, model: &mut Model, calls: &[Call], kill: u64) -> usize {
    let mut in_flight = None;
    for (index, call) in calls.iter().enumerate() {
        let Some(outcome) = &call.outcome else {
            in_flight = Some(call);
            assert_eq!(
                index + 1,
                calls.len(),
                "kill {kill}: a call without DONE before the last"
            );
            continue;
        };
        let expected = model.call(&call.operation, &call.request);
        let reported = child_outcome(outcome);
        assert_ne!(
            reported,
            Err("InternalServerError"),
            "kill {kill}: {}",
            call.request
        );
        if let Err(difference) = compare(&call.operation, &reported, &expected) {
            panic!("kill {kill}, call {index}: {difference}");
        }
    }

    let store = Store::open(path).expect("the file opens after a kill");
    if let Err(report) = check(&store) {
        panic!("kill {kill}: {report}");
    }
    let state = dump(|operation, request| {
        dispatch::call(&store, operation, request).map_err(|error| error.exception_name())
    })
    .expect("the store dumps");
    drop(store);

    let without = model_dump(model);
    if same(&state, &without) {
        return calls.len() - usize::from(in_flight.is_some());
    }
    let call = in_flight.unwrap_or_else(|| {
        panic!("kill {kill}: the file differs from the acknowledged calls\nfile:  {state}\nmodel: {without}")
    });
    let mut with = model.clone();
    with.call(&call.operation, &call.request).ok();
    let with_dump = model_dump(&mut with);
    assert!(
        same(&state, &with_dump),
        "kill {kill}: the call in flight ({} {}) is partly applied\nfile:    {state}\n\
         without: {without}\nwith:    {with_dump}",
        call.operation,
        call.request
    );
    *model = with;
    calls.len()
}

#[test]
fn killed_writer_leaves_acknowledged_state() {
    if std::env::var(CHILD_DB_VARIABLE).is_ok() {
        return;
    }
    let directory = tempfile::tempdir().expect("create a temporary directory");
    let path = directory.path().join("faces.redb");
    let mut model = Model::default();
    let mut random = Random::new(7);
    let (mut completed, mut in_flight_applied) = (0, 0);
    for kill in 0..kills() {
        let delay = Duration::from_millis(random.below(MAX_RUN_MILLIS + 1));
        let calls = run_child(&path, kill + 1, delay);
        let done = verify_child(&path, &mut model, &calls, kill);
        completed += done;
        in_flight_applied +=
            usize::from(done == calls.len() && calls.last().is_some_and(|c| c.outcome.is_none()));
    }
    println!(
        "{} kills, {completed} completed calls, {in_flight_applied} calls in flight found applied",
        kills()
    );
}
