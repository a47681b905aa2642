//! CreateCollection, DeleteCollection, DescribeCollection and ListCollections.

mod common;

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{
    TestResult, all_face_ids, all_users, associate, call, call_err, collection_with_faces,
    create_collection, create_user, describe, number, store,
};
use facestore::Store;
use facestore::api::CreateCollectionRequest;
use serde_json::{Value, json};

fn list(store: &Store, request: Value) -> Value {
    call(store, "ListCollections", request).expect("ListCollections succeeds")
}

#[test]
fn create_returns_aws_response() -> TestResult {
    let store = store();

    let response = call(&store, "CreateCollection", json!({"CollectionId": "c1"}))?;

    assert_eq!(
        response,
        json!({
            "StatusCode": 200,
            "CollectionArn": "aws:rekognition:us-east-1:000000000000:collection/c1",
            "FaceModelVersion": "7.0",
        })
    );
    Ok(())
}

#[test]
fn builder_settings_shape_arn() -> TestResult {
    let store = Store::builder()
        .region("us-west-2")
        .account_id("123456789012")
        .face_model_version("6.0")
        .open_in_memory()?;

    let response = call(
        &store,
        "CreateCollection",
        json!({"CollectionId": "myphotos"}),
    )?;

    assert_eq!(
        response["CollectionArn"],
        "aws:rekognition:us-west-2:123456789012:collection/myphotos"
    );
    assert_eq!(response["FaceModelVersion"], "6.0");
    assert_eq!(describe(&store, "myphotos")?["FaceModelVersion"], "6.0");
    Ok(())
}

#[test]
fn existing_id_already_exists() {
    let store = store();
    create_collection(&store, "c1");

    let error = call_err(&store, "CreateCollection", json!({"CollectionId": "c1"}));

    assert_eq!(error.exception_name(), "ResourceAlreadyExistsException");
    assert!(error.to_string().contains("'c1'"));
}

#[test]
fn ids_are_case_sensitive() -> TestResult {
    let store = store();
    create_collection(&store, "photos");

    call(
        &store,
        "CreateCollection",
        json!({"CollectionId": "Photos"}),
    )?;

    let listed = list(&store, json!({}));
    assert_eq!(listed["CollectionIds"], json!(["photos", "Photos"]));
    Ok(())
}

#[test]
fn invalid_id_fails_validation() {
    let store = store();

    let error = call_err(
        &store,
        "CreateCollection",
        json!({"CollectionId": "my photos"}),
    );

    assert_eq!(error.exception_name(), "ValidationException");
    assert_eq!(
        error.to_string(),
        "1 validation error detected: Value 'my photos' at 'collectionId' failed to satisfy \
         constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.\\-]+"
    );
    assert_eq!(list(&store, json!({}))["CollectionIds"], json!([]));
}

#[test]
fn empty_id_lists_two_errors() {
    let store = store();

    let error = call_err(&store, "CreateCollection", json!({"CollectionId": ""}));

    let message = error.to_string();
    assert!(message.starts_with(
        "2 validation errors detected: Value '' at 'collectionId' failed to satisfy \
         constraint: Member must have length greater than or equal to 1; "
    ));
    assert!(message.contains("Member must satisfy regular expression pattern"));
}

#[test]
fn overlong_id_fails_validation() {
    let store = store();
    let id = "a".repeat(256);

    let error = call_err(&store, "CreateCollection", json!({"CollectionId": id}));

    assert_eq!(error.exception_name(), "ValidationException");
    assert!(
        error
            .to_string()
            .contains("Member must have length less than or equal to 255")
    );
}

#[test]
fn missing_id_is_null() {
    let store = store();

    let error = call_err(&store, "CreateCollection", json!({}));

    assert_eq!(
        error.to_string(),
        "1 validation error detected: Value null at 'collectionId' failed to satisfy \
         constraint: Member must not be null"
    );
}

#[test]
fn digit_one_is_valid_id() -> TestResult {
    let store = store();

    call(&store, "CreateCollection", json!({"CollectionId": "1"}))?;

    assert_eq!(number(&describe(&store, "1")?, "FaceCount"), 0);
    Ok(())
}

#[test]
fn tags_stored_with_collection() -> TestResult {
    let store = store();
    call(
        &store,
        "CreateCollection",
        json!({"CollectionId": "c1", "Tags": {"team": "vision", "stage": "test"}}),
    )?;

    let tags = call(
        &store,
        "ListTagsForResource",
        json!({"ResourceArn": "arn:aws:rekognition:us-east-1:000000000000:collection/c1"}),
    )?;

    assert_eq!(tags, json!({"Tags": {"team": "vision", "stage": "test"}}));
    Ok(())
}

#[test]
fn fifty_one_tags_exceed_quota() {
    let store = store();
    let tags: BTreeMap<String, String> = (0..51)
        .map(|n| (format!("key{n}"), format!("value{n}")))
        .collect();
    let fifty: BTreeMap<String, String> = tags.clone().into_iter().take(50).collect();

    let error = store
        .create_collection(&CreateCollectionRequest {
            collection_id: "c1".into(),
            tags: Some(tags),
        })
        .expect_err("51 tags exceed the quota");
    let created = store.create_collection(&CreateCollectionRequest {
        collection_id: "c2".into(),
        tags: Some(fifty),
    });

    assert_eq!(error.exception_name(), "ServiceQuotaExceededException");
    assert!(error.to_string().contains("'c1'"));
    assert!(created.is_ok());
    assert_eq!(list(&store, json!({}))["CollectionIds"], json!(["c2"]));
}

#[test]
fn aws_prefixed_tag_key_invalid() {
    let store = store();

    let error = call_err(
        &store,
        "CreateCollection",
        json!({"CollectionId": "c1", "Tags": {"aws:owner": "me"}}),
    );

    assert_eq!(error.exception_name(), "ValidationException");
    assert!(error.to_string().contains("'aws:owner' at 'tags.key'"));
}

#[test]
fn delete_returns_status_code() -> TestResult {
    let store = store();
    create_collection(&store, "c1");

    let response = call(&store, "DeleteCollection", json!({"CollectionId": "c1"}))?;

    assert_eq!(response, json!({"StatusCode": 200}));
    assert_eq!(
        describe(&store, "c1").map_err(|e| e.exception_name()),
        Err("ResourceNotFoundException")
    );
    Ok(())
}

#[test]
fn delete_missing_is_not_found() {
    let store = store();

    let error = call_err(&store, "DeleteCollection", json!({"CollectionId": "ghost"}));

    assert_eq!(error.exception_name(), "ResourceNotFoundException");
    assert!(error.to_string().contains("'ghost'"));
}

#[test]
fn recreated_collection_starts_empty() -> TestResult {
    let store = store();
    call(
        &store,
        "CreateCollection",
        json!({"CollectionId": "c1", "Tags": {"team": "vision"}}),
    )?;
    let ids = {
        let ids: Vec<String> = (1..=5).map(common::face_id).collect();
        common::import(
            &store,
            "c1",
            ids.iter().map(|id| common::face(id)).collect(),
        );
        ids
    };
    call(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "token1"}),
    )?;
    associate(&store, "c1", "u1", &[&ids[0]]);
    call(&store, "DeleteCollection", json!({"CollectionId": "c1"}))?;

    create_collection(&store, "c1");

    let described = describe(&store, "c1")?;
    assert_eq!(number(&described, "FaceCount"), 0);
    assert_eq!(number(&described, "UserCount"), 0);
    assert_eq!(all_face_ids(&store, "c1")?, Vec::<String>::new());
    assert_eq!(all_users(&store, "c1")?, Vec::<Value>::new());
    let tags = call(
        &store,
        "ListTagsForResource",
        json!({"ResourceArn": described["CollectionARN"]}),
    )?;
    assert_eq!(tags, json!({"Tags": {}}));
    // The old token is gone: the same token with another request is a new call.
    let other = call(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "u9", "ClientRequestToken": "token1"}),
    )?;
    assert_eq!(other, json!({}));
    // A face ID of the old collection can be imported again as a new face.
    let imported = common::import(&store, "c1", vec![common::face(&ids[0])]);
    assert_eq!(imported["SkippedFaceIds"], json!([]));
    Ok(())
}

#[test]
fn delete_leaves_other_collections() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "keep", 3);
    collection_with_faces(&store, "drop", 3);
    create_user(&store, "keep", "u1");

    call(&store, "DeleteCollection", json!({"CollectionId": "drop"}))?;

    assert_eq!(all_face_ids(&store, "keep")?, ids);
    assert_eq!(number(&describe(&store, "keep")?, "UserCount"), 1);
    Ok(())
}

#[test]
fn describe_counters_are_exact() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 7);
    create_user(&store, "c1", "u1");
    create_user(&store, "c1", "u2");
    associate(&store, "c1", "u1", &[&ids[0], &ids[1]]);
    call(
        &store,
        "DeleteFaces",
        json!({"CollectionId": "c1", "FaceIds": [ids[2], ids[3], ids[0]]}),
    )?;
    call(
        &store,
        "DeleteUser",
        json!({"CollectionId": "c1", "UserId": "u2"}),
    )?;

    let described = describe(&store, "c1")?;

    assert_eq!(number(&described, "FaceCount"), 5);
    assert_eq!(number(&described, "UserCount"), 1);
    Ok(())
}

#[test]
fn describe_has_arn_prefix() -> TestResult {
    let store = store();
    create_collection(&store, "c1");

    let described = describe(&store, "c1")?;

    assert_eq!(
        described["CollectionARN"],
        "arn:aws:rekognition:us-east-1:000000000000:collection/c1"
    );
    assert_eq!(described["FaceModelVersion"], "7.0");
    Ok(())
}

#[test]
fn creation_timestamp_is_epoch_seconds() -> TestResult {
    let store = store();
    let before = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs_f64();
    create_collection(&store, "c1");
    let after = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs_f64();

    let described = describe(&store, "c1")?;
    let timestamp = &described["CreationTimestamp"];

    assert!(timestamp.is_number(), "{timestamp} is not a JSON number");
    let seconds = timestamp.as_f64().ok_or("not a number")?;
    assert!(seconds >= before.floor(), "{seconds} is before {before}");
    assert!(
        seconds <= after.ceil(),
        "{seconds} is after {after}: milliseconds?"
    );
    // Microsecond precision: the text has a fraction unless the time fell on a whole second.
    let text = timestamp.to_string();
    assert!(text.contains('.') || seconds.fract() == 0.0, "{text}");
    Ok(())
}

#[test]
fn describe_missing_names_collection() {
    let store = store();

    let error = call_err(
        &store,
        "DescribeCollection",
        json!({"CollectionId": "family"}),
    );

    assert_eq!(error.exception_name(), "ResourceNotFoundException");
    assert!(error.to_string().contains("family"));
}

#[test]
fn list_keeps_creation_order() -> TestResult {
    let store = store();
    for id in ["zeta", "alpha", "Mid", "1"] {
        create_collection(&store, id);
    }

    let listed = list(&store, json!({}));

    assert_eq!(
        listed["CollectionIds"],
        json!(["zeta", "alpha", "Mid", "1"])
    );
    assert_eq!(
        listed["FaceModelVersions"],
        json!(["7.0", "7.0", "7.0", "7.0"])
    );
    assert!(listed.get("NextToken").is_none());
    Ok(())
}

#[test]
fn list_pages_with_next_token() -> TestResult {
    let store = store();
    let ids: Vec<String> = (0..5).map(|n| format!("c{n}")).collect();
    for id in &ids {
        create_collection(&store, id);
    }

    let first = list(&store, json!({"MaxResults": 2}));
    let second = list(
        &store,
        json!({"MaxResults": 2, "NextToken": first["NextToken"]}),
    );
    let third = list(
        &store,
        json!({"MaxResults": 2, "NextToken": second["NextToken"]}),
    );

    assert_eq!(first["CollectionIds"], json!(ids[..2]));
    assert_eq!(second["CollectionIds"], json!(ids[2..4]));
    assert_eq!(third["CollectionIds"], json!(ids[4..]));
    assert_eq!(third["FaceModelVersions"], json!(["7.0"]));
    assert!(third.get("NextToken").is_none());
    assert!(first["NextToken"].as_str().is_some_and(|t| t.len() <= 255));
    Ok(())
}

#[test]
fn full_last_page_has_no_token() {
    let store = store();
    for id in ["a", "b"] {
        create_collection(&store, id);
    }

    let page = list(&store, json!({"MaxResults": 2}));

    assert_eq!(page["CollectionIds"], json!(["a", "b"]));
    assert!(page.get("NextToken").is_none());
}

#[test]
fn deletion_between_pages_skips_nothing() -> TestResult {
    let store = store();
    for id in ["a", "b", "c", "d"] {
        create_collection(&store, id);
    }

    let first = list(&store, json!({"MaxResults": 2}));
    call(&store, "DeleteCollection", json!({"CollectionId": "b"}))?;
    call(&store, "DeleteCollection", json!({"CollectionId": "c"}))?;
    create_collection(&store, "e");
    let second = list(
        &store,
        json!({"MaxResults": 2, "NextToken": first["NextToken"]}),
    );

    assert_eq!(first["CollectionIds"], json!(["a", "b"]));
    assert_eq!(second["CollectionIds"], json!(["d", "e"]));
    Ok(())
}

#[test]
fn default_page_is_1000() -> TestResult {
    let store = store();
    for n in 0..1001 {
        create_collection(&store, &format!("c{n:04}"));
    }

    let absent = list(&store, json!({}));
    let zero = list(&store, json!({"MaxResults": 0}));
    let rest = list(&store, json!({"NextToken": absent["NextToken"]}));

    let absent_ids = absent["CollectionIds"].as_array().ok_or("no ids")?;
    assert_eq!(absent_ids.len(), 1000);
    assert_eq!(zero["CollectionIds"], absent["CollectionIds"]);
    assert!(zero.get("NextToken").is_some());
    assert_eq!(rest["CollectionIds"], json!(["c1000"]));
    assert!(rest.get("NextToken").is_none());
    Ok(())
}

#[test]
fn max_results_over_4096_invalid() {
    let store = store();

    let error = call_err(&store, "ListCollections", json!({"MaxResults": 4097}));

    assert_eq!(
        error.to_string(),
        "1 validation error detected: Value '4097' at 'maxResults' failed to satisfy \
         constraint: Member must have value less than or equal to 4096"
    );
}

#[test]
fn garbage_token_is_rejected() {
    let store = store();
    create_collection(&store, "c1");

    let error = call_err(
        &store,
        "ListCollections",
        json!({"NextToken": "not a token"}),
    );

    assert_eq!(error.exception_name(), "InvalidPaginationTokenException");
    assert!(error.to_string().contains("not a token"));
}

#[test]
fn list_faces_token_is_rejected() {
    let store = store();
    collection_with_faces(&store, "c1", 3);
    let faces = call(
        &store,
        "ListFaces",
        json!({"CollectionId": "c1", "MaxResults": 1}),
    )
    .expect("ListFaces succeeds");

    let error = call_err(
        &store,
        "ListCollections",
        json!({"NextToken": faces["NextToken"]}),
    );

    assert_eq!(error.exception_name(), "InvalidPaginationTokenException");
}

#[test]
fn overlong_token_fails_validation() {
    let store = store();

    let error = call_err(
        &store,
        "ListCollections",
        json!({"NextToken": "x".repeat(256)}),
    );

    assert_eq!(error.exception_name(), "ValidationException");
    assert!(error.to_string().contains("at 'nextToken'"));
}

#[test]
fn tokens_outlive_a_reopen() -> TestResult {
    let directory = tempfile::tempdir()?;
    let path = directory.path().join("faces.redb");
    let token = {
        let store = Store::open(&path)?;
        for id in ["a", "b", "c"] {
            create_collection(&store, id);
        }
        list(&store, json!({"MaxResults": 1}))["NextToken"].clone()
    };

    let store = Store::open(&path)?;
    let page = list(&store, json!({"NextToken": token}));

    assert_eq!(page["CollectionIds"], json!(["b", "c"]));
    Ok(())
}

#[test]
fn whole_second_timestamp_keeps_fraction() -> TestResult {
    let response = facestore::api::DescribeCollectionResponse {
        face_count: 0,
        face_model_version: "7.0".into(),
        collection_arn: "arn:aws:rekognition:us-east-1:000000000000:collection/c1".into(),
        creation_timestamp: 1_733_318_400.0,
        user_count: 0,
    };

    let text = serde_json::to_string(&response)?;

    assert!(
        text.contains("\"CreationTimestamp\":1733318400.0"),
        "{text}"
    );
    Ok(())
}
