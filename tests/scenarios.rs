//! Replays the step-by-step scenarios of `tests/data/scenarios.json`, each on a fresh
//! in-memory store, through the JSON dispatcher.
//!
//! A step's `expect` may give the whole `response`, some `fields` of it, or the `error` (the
//! exception name) with `message_starts_with` or `message_contains`.
//!
//! The data was corrected in one place: in the scenario "one uppercase id rejects the whole
//! call", the second face ID was `33333333-3333-4333-8333-333333333333`. It has no letters,
//! and digits have no case, so it is a valid lower-case UUID and the call could not fail on
//! it. The repository copy uses `3333333A-3333-4333-8333-33333333333A` instead.

mod common;

use common::{TestResult, call, store};
use serde_json::Value;

const SCENARIOS: &str = include_str!("data/scenarios.json");

/// Checks one step's outcome against its `expect`, naming the scenario and step on failure.
fn check_step(context: &str, step: &Value, outcome: Result<Value, facestore::Error>) {
    let expect = step.get("expect").cloned().unwrap_or(Value::Null);
    let expected_error = expect.get("error").and_then(Value::as_str);

    let response = match (outcome, expected_error) {
        (Ok(response), None) => response,
        (Ok(response), Some(name)) => panic!("{context}: expected {name}, got {response}"),
        (Err(error), None) => panic!("{context}: failed with {}: {error}", error.exception_name()),
        (Err(error), Some(name)) => {
            assert_eq!(error.exception_name(), name, "{context}: {error}");
            let message = error.to_string();
            if let Some(prefix) = expect.get("message_starts_with").and_then(Value::as_str) {
                assert!(
                    message.starts_with(prefix),
                    "{context}: message {message:?} does not start with {prefix:?}"
                );
            }
            if let Some(part) = expect.get("message_contains").and_then(Value::as_str) {
                assert!(
                    message.contains(part),
                    "{context}: message {message:?} does not contain {part:?}"
                );
            }
            return;
        }
    };

    if let Some(whole) = expect.get("response") {
        assert_eq!(&response, whole, "{context}: whole response");
    }
    if let Some(fields) = expect.get("fields").and_then(Value::as_object) {
        for (field, value) in fields {
            assert_eq!(
                response.get(field),
                Some(value),
                "{context}: field {field} of {response}"
            );
        }
    }
}

#[test]
fn every_scenario_replays_correctly() -> TestResult {
    let data: Value = serde_json::from_str(SCENARIOS)?;
    let scenarios = data["scenarios"].as_array().ok_or("no scenarios array")?;
    assert!(!scenarios.is_empty());

    for scenario in scenarios {
        let name = scenario["name"].as_str().unwrap_or("unnamed");
        let store = store();
        for (index, step) in scenario["steps"]
            .as_array()
            .ok_or("no steps")?
            .iter()
            .enumerate()
        {
            let operation = step["op"].as_str().ok_or("step without op")?;
            let context = format!("scenario {name:?}, step {} ({operation})", index + 1);
            let outcome = call(&store, operation, step["request"].clone());
            check_step(&context, step, outcome);
        }
    }
    Ok(())
}

#[test]
fn corrected_uppercase_id_has_letters() -> TestResult {
    let data: Value = serde_json::from_str(SCENARIOS)?;
    let scenario = data["scenarios"]
        .as_array()
        .ok_or("no scenarios array")?
        .iter()
        .find(|scenario| scenario["name"] == "one uppercase id rejects the whole call")
        .ok_or("scenario missing")?;
    let delete = scenario["steps"]
        .as_array()
        .ok_or("no steps")?
        .iter()
        .find(|step| step["op"] == "DeleteFaces")
        .ok_or("no DeleteFaces step")?;
    let id = delete["request"]["FaceIds"][1]
        .as_str()
        .ok_or("no second id")?;
    assert!(id.chars().any(|character| character.is_ascii_uppercase()));
    Ok(())
}
