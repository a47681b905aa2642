//! `ClientRequestToken`: replay without redoing the work, mismatch, failures not remembered,
//! scope per collection and operation, and expiry.

mod common;

use std::time::Duration;

use common::{
    TestResult, all_faces, associate, call, call_err, collection_with_faces, create_collection,
    create_user, describe, number, store,
};
use facestore::Store;
use serde_json::json;

#[test]
fn associate_replay_does_not_redo() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 2);
    create_user(&store, "c1", "u1");
    let request = json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [ids[0]],
                         "ClientRequestToken": "assoc-1"});
    let first = call(&store, "AssociateFaces", request.clone())?;
    call(
        &store,
        "DisassociateFaces",
        json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [ids[0]]}),
    )?;

    let replay = call(&store, "AssociateFaces", request)?;

    assert_eq!(replay, first);
    let faces = all_faces(&store, "c1")?;
    assert!(
        faces[0].get("UserId").is_none(),
        "the replay associated again"
    );
    Ok(())
}

#[test]
fn create_user_replay_returns_same() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let request = json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "t1"});
    call(&store, "CreateUser", request.clone())?;

    let replay = call(&store, "CreateUser", request)?;

    assert_eq!(replay, json!({}));
    assert_eq!(number(&describe(&store, "c1")?, "UserCount"), 1);
    Ok(())
}

#[test]
fn delete_user_replay_returns_same() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    create_user(&store, "c1", "u1");
    let request = json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "del-1"});
    call(&store, "DeleteUser", request.clone())?;

    let replay = call(&store, "DeleteUser", request)?;
    let fresh = call_err(
        &store,
        "DeleteUser",
        json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "del-2"}),
    );

    assert_eq!(replay, json!({}));
    assert_eq!(fresh.exception_name(), "ResourceNotFoundException");
    Ok(())
}

#[test]
fn disassociate_replay_returns_same() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 1);
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&ids[0]]);
    let request = json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [ids[0]],
                         "ClientRequestToken": "dis-1"});
    let first = call(&store, "DisassociateFaces", request.clone())?;
    associate(&store, "c1", "u1", &[&ids[0]]);

    let replay = call(&store, "DisassociateFaces", request)?;

    assert_eq!(replay, first);
    assert_eq!(replay["UserStatus"], "CREATED");
    let faces = all_faces(&store, "c1")?;
    assert_eq!(faces[0]["UserId"], "u1", "the replay disassociated again");
    Ok(())
}

#[test]
fn other_request_same_token_mismatch() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 2);
    create_user(&store, "c1", "u1");
    call(
        &store,
        "AssociateFaces",
        json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [ids[0]], "ClientRequestToken": "t"}),
    )?;

    let error = call_err(
        &store,
        "AssociateFaces",
        json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [ids[1]], "ClientRequestToken": "t"}),
    );
    let threshold_changed = call_err(
        &store,
        "AssociateFaces",
        json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [ids[0]],
               "UserMatchThreshold": 10, "ClientRequestToken": "t"}),
    );

    assert_eq!(
        error.exception_name(),
        "IdempotentParameterMismatchException"
    );
    assert!(error.to_string().contains("'t'"));
    assert_eq!(
        threshold_changed.exception_name(),
        "IdempotentParameterMismatchException"
    );
    let faces = all_faces(&store, "c1")?;
    assert!(faces[1].get("UserId").is_none());
    Ok(())
}

#[test]
fn failed_call_not_remembered() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let request = json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "t1"});
    let failed = call_err(&store, "DeleteUser", request.clone());
    create_user(&store, "c1", "u1");

    let retried = call(&store, "DeleteUser", request)?;

    assert_eq!(failed.exception_name(), "ResourceNotFoundException");
    assert_eq!(retried, json!({}));
    assert_eq!(number(&describe(&store, "c1")?, "UserCount"), 0);
    Ok(())
}

#[test]
fn quota_failure_not_remembered() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 101);
    create_user(&store, "c1", "u1");
    let first: Vec<&str> = ids[..100].iter().map(String::as_str).collect();
    associate(&store, "c1", "u1", &first);
    let request = json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [ids[100]],
                         "ClientRequestToken": "t1"});
    let failed = call_err(&store, "AssociateFaces", request.clone());
    call(
        &store,
        "DisassociateFaces",
        json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [ids[0]]}),
    )?;

    let retried = call(&store, "AssociateFaces", request)?;

    assert_eq!(failed.exception_name(), "ServiceQuotaExceededException");
    assert_eq!(retried["AssociatedFaces"], json!([{"FaceId": ids[100]}]));
    Ok(())
}

#[test]
fn tokens_scoped_by_operation() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    call(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "shared"}),
    )?;

    let deleted = call(
        &store,
        "DeleteUser",
        json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "shared"}),
    )?;

    assert_eq!(deleted, json!({}));
    assert_eq!(number(&describe(&store, "c1")?, "UserCount"), 0);
    Ok(())
}

#[test]
fn tokens_scoped_by_collection() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    create_collection(&store, "c2");
    call(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "shared"}),
    )?;

    call(
        &store,
        "CreateUser",
        json!({"CollectionId": "c2", "UserId": "u2", "ClientRequestToken": "shared"}),
    )?;

    assert_eq!(number(&describe(&store, "c2")?, "UserCount"), 1);
    Ok(())
}

#[test]
fn expired_token_runs_again() -> TestResult {
    let store = Store::builder()
        .token_lifetime(Duration::ZERO)
        .open_in_memory()?;
    create_collection(&store, "c1");
    call(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "t1"}),
    )?;
    // The token is remembered with a microsecond timestamp; a lifetime of zero lets it
    // expire as soon as the clock moves on.
    std::thread::sleep(Duration::from_millis(5));

    let same = call_err(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "t1"}),
    );
    let other = call(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "u2", "ClientRequestToken": "t1"}),
    )?;

    assert_eq!(same.exception_name(), "ConflictException");
    assert_eq!(other, json!({}));
    assert_eq!(number(&describe(&store, "c1")?, "UserCount"), 2);
    Ok(())
}

#[test]
fn live_token_within_lifetime() -> TestResult {
    let store = Store::builder()
        .token_lifetime(Duration::from_secs(3600))
        .open_in_memory()?;
    create_collection(&store, "c1");
    let request = json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "t1"});
    call(&store, "CreateUser", request.clone())?;

    let replay = call(&store, "CreateUser", request)?;

    assert_eq!(replay, json!({}));
    Ok(())
}

#[test]
fn invalid_token_fails_validation() {
    let store = store();
    create_collection(&store, "c1");

    let error = call_err(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "bad token!"}),
    );

    assert_eq!(
        error.to_string(),
        "1 validation error detected: Value 'bad token!' at 'clientRequestToken' failed to \
         satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_]+$"
    );
}

#[test]
fn tokens_survive_a_reopen() -> TestResult {
    let directory = tempfile::tempdir()?;
    let path = directory.path().join("faces.redb");
    let request = json!({"CollectionId": "c1", "UserId": "u1", "ClientRequestToken": "t1"});
    {
        let store = Store::open(&path)?;
        create_collection(&store, "c1");
        call(&store, "CreateUser", request.clone())?;
    }

    let store = Store::open(&path)?;
    let replay = call(&store, "CreateUser", request)?;

    assert_eq!(replay, json!({}));
    Ok(())
}
