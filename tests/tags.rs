//! TagResource, UntagResource and ListTagsForResource on a collection's ARN.

mod common;

use common::{TestResult, call, call_err, create_collection, store};
use facestore::Store;
use serde_json::{Value, json};

const ARN: &str = "arn:aws:rekognition:us-east-1:000000000000:collection/c1";
const ARN_WITHOUT_PREFIX: &str = "aws:rekognition:us-east-1:000000000000:collection/c1";

fn tags(store: &Store, arn: &str) -> Value {
    call(store, "ListTagsForResource", json!({"ResourceArn": arn}))
        .expect("ListTagsForResource succeeds")["Tags"]
        .clone()
}

#[test]
fn tag_with_either_arn_form() -> TestResult {
    let store = store();
    create_collection(&store, "c1");

    let with_prefix = call(
        &store,
        "TagResource",
        json!({"ResourceArn": ARN, "Tags": {"team": "vision"}}),
    )?;
    let without_prefix = call(
        &store,
        "TagResource",
        json!({"ResourceArn": ARN_WITHOUT_PREFIX, "Tags": {"stage": "test"}}),
    )?;

    assert_eq!(with_prefix, json!({}));
    assert_eq!(without_prefix, json!({}));
    let expected = json!({"team": "vision", "stage": "test"});
    assert_eq!(tags(&store, ARN), expected);
    assert_eq!(tags(&store, ARN_WITHOUT_PREFIX), expected);
    Ok(())
}

#[test]
fn tagging_replaces_existing_value() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    call(
        &store,
        "TagResource",
        json!({"ResourceArn": ARN, "Tags": {"team": "vision"}}),
    )?;

    call(
        &store,
        "TagResource",
        json!({"ResourceArn": ARN, "Tags": {"team": "search"}}),
    )?;

    assert_eq!(tags(&store, ARN), json!({"team": "search"}));
    Ok(())
}

#[test]
fn untag_removes_named_keys() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    call(
        &store,
        "TagResource",
        json!({"ResourceArn": ARN, "Tags": {"a": "1", "b": "2", "c": "3"}}),
    )?;

    let response = call(
        &store,
        "UntagResource",
        json!({"ResourceArn": ARN_WITHOUT_PREFIX, "TagKeys": ["a", "c", "absent"]}),
    )?;

    assert_eq!(response, json!({}));
    assert_eq!(tags(&store, ARN), json!({"b": "2"}));
    Ok(())
}

#[test]
fn unknown_arn_is_not_found() {
    let store = store();
    create_collection(&store, "c1");
    let unknown = [
        "arn:aws:rekognition:us-east-1:000000000000:collection/c2",
        "arn:aws:rekognition:eu-west-1:000000000000:collection/c1",
        "arn:aws:rekognition:us-east-1:111111111111:collection/c1",
        "arn:aws:s3:::some-bucket-name",
    ];

    for arn in unknown {
        for (operation, request) in [
            ("ListTagsForResource", json!({"ResourceArn": arn})),
            (
                "TagResource",
                json!({"ResourceArn": arn, "Tags": {"k": "v"}}),
            ),
            (
                "UntagResource",
                json!({"ResourceArn": arn, "TagKeys": ["k"]}),
            ),
        ] {
            let error = call_err(&store, operation, request);
            assert_eq!(
                error.exception_name(),
                "ResourceNotFoundException",
                "{operation} {arn}"
            );
            assert!(error.to_string().contains(arn), "{operation}: {error}");
        }
    }
}

#[test]
fn aws_prefixed_key_is_invalid() {
    let store = store();
    create_collection(&store, "c1");

    let tag_error = call_err(
        &store,
        "TagResource",
        json!({"ResourceArn": ARN, "Tags": {"aws:created-by": "me"}}),
    );
    let untag_error = call_err(
        &store,
        "UntagResource",
        json!({"ResourceArn": ARN, "TagKeys": ["ok", "aws:created-by"]}),
    );

    assert_eq!(tag_error.exception_name(), "ValidationException");
    assert!(
        tag_error
            .to_string()
            .contains("'aws:created-by' at 'tags.key'")
    );
    assert_eq!(untag_error.exception_name(), "ValidationException");
    assert!(
        untag_error
            .to_string()
            .contains("'aws:created-by' at 'tagKeys.2.member'")
    );
    assert_eq!(tags(&store, ARN), json!({}));
}

#[test]
fn tag_quota_is_50() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let first: serde_json::Map<String, Value> =
        (0..49).map(|n| (format!("k{n}"), json!("v"))).collect();
    call(
        &store,
        "TagResource",
        json!({"ResourceArn": ARN, "Tags": first}),
    )?;

    let error = call_err(
        &store,
        "TagResource",
        json!({"ResourceArn": ARN, "Tags": {"x": "1", "y": "2"}}),
    );
    let fiftieth = call(
        &store,
        "TagResource",
        json!({"ResourceArn": ARN, "Tags": {"x": "1", "k0": "replaced"}}),
    );

    assert_eq!(error.exception_name(), "ServiceQuotaExceededException");
    assert!(fiftieth.is_ok());
    let stored = tags(&store, ARN);
    assert_eq!(stored.as_object().map(serde_json::Map::len), Some(50));
    assert_eq!(stored["k0"], "replaced");
    assert!(stored.get("y").is_none());
    Ok(())
}

#[test]
fn short_arn_fails_validation() {
    let store = store();

    let error = call_err(&store, "ListTagsForResource", json!({"ResourceArn": "c1"}));

    assert_eq!(error.exception_name(), "ValidationException");
    assert!(
        error
            .to_string()
            .contains("at 'resourceArn' failed to satisfy constraint: Member must have length greater than or equal to 20")
    );
}

#[test]
fn deleted_collection_arn_not_found() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    call(&store, "DeleteCollection", json!({"CollectionId": "c1"}))?;

    let error = call_err(&store, "ListTagsForResource", json!({"ResourceArn": ARN}));

    assert_eq!(error.exception_name(), "ResourceNotFoundException");
    Ok(())
}
