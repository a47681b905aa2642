//! DeleteFaces: per-ID outcomes, request-order reporting, the 4096-ID limit, validation that
//! changes nothing, and deletion on a database file.

mod common;

use common::{
    TestResult, all_face_ids, all_faces, associate, call, call_err, collection_with_faces,
    create_collection, create_user, describe, face, face_id, face_with_embedding, import, number,
    store,
};
use facestore::Store;
use serde_json::{Value, json};

const AWS_EXAMPLES: &str = include_str!("data/aws-examples.json");
const LIST_FACES_EXAMPLE: &str = include_str!("data/listfaces-example.json");

fn delete(store: &Store, collection_id: &str, face_ids: &[String]) -> Value {
    call(
        store,
        "DeleteFaces",
        json!({"CollectionId": collection_id, "FaceIds": face_ids}),
    )
    .expect("DeleteFaces succeeds")
}

fn not_found(id: &str) -> Value {
    json!({"FaceId": id, "Reasons": ["FACE_NOT_FOUND"]})
}

/// Returns the faces and description of `collection_id`, to compare before and after a call.
fn state(store: &Store, collection_id: &str) -> Result<Value, facestore::Error> {
    Ok(json!({
        "faces": all_faces(store, collection_id)?,
        "describe": describe(store, collection_id)?,
    }))
}

#[test]
fn aws_example_deletes_one_face() -> TestResult {
    let store = store();
    let examples: Value = serde_json::from_str(AWS_EXAMPLES)?;
    let listed: Value = serde_json::from_str(LIST_FACES_EXAMPLE)?;
    let example = &examples["DeleteFaces"][0];
    create_collection(&store, "myphotos");
    import(
        &store,
        "myphotos",
        listed["Faces"].as_array().ok_or("no Faces")?.clone(),
    );

    let response = call(&store, "DeleteFaces", example["input"].clone())?;

    assert_eq!(response["DeletedFaces"], example["output"]["DeletedFaces"]);
    assert_eq!(response["UnsuccessfulFaceDeletions"], json!([]));
    assert_eq!(number(&describe(&store, "myphotos")?, "FaceCount"), 10);
    Ok(())
}

#[test]
fn mixed_ids_keep_request_order() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 4);
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&ids[1]]);
    let missing = face_id(99);
    let request = vec![
        ids[3].clone(),
        missing.clone(),
        ids[1].clone(),
        ids[0].clone(),
    ];

    let response = delete(&store, "c1", &request);

    assert_eq!(response["DeletedFaces"], json!([ids[3], ids[0]]));
    assert_eq!(
        response["UnsuccessfulFaceDeletions"],
        json!([
            not_found(&missing),
            {"FaceId": ids[1], "UserId": "u1", "Reasons": ["ASSOCIATED_TO_AN_EXISTING_USER"]},
        ])
    );
    assert_eq!(
        all_face_ids(&store, "c1")?,
        [ids[1].clone(), ids[2].clone()]
    );
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 2);
    assert_eq!(number(&describe(&store, "c1")?, "UserCount"), 1);
    Ok(())
}

#[test]
fn associated_face_keeps_its_user() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 1);
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&ids[0]]);

    delete(&store, "c1", &ids);

    let faces = all_faces(&store, "c1")?;
    assert_eq!(faces[0]["UserId"], "u1");
    let users = call(&store, "ListUsers", json!({"CollectionId": "c1"}))?;
    assert_eq!(
        users["Users"],
        json!([{"UserId": "u1", "UserStatus": "ACTIVE"}])
    );
    Ok(())
}

#[test]
fn repeated_id_reported_once() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 2);
    let missing = face_id(50);
    let request = vec![
        ids[0].clone(),
        missing.clone(),
        ids[0].clone(),
        missing.clone(),
    ];

    let response = delete(&store, "c1", &request);

    assert_eq!(response["DeletedFaces"], json!([ids[0]]));
    assert_eq!(
        response["UnsuccessfulFaceDeletions"],
        json!([not_found(&missing)])
    );
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 1);
    Ok(())
}

#[test]
fn other_collection_ids_not_found() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 3);
    create_collection(&store, "c2");

    let response = delete(&store, "c2", &ids);

    assert_eq!(response["DeletedFaces"], json!([]));
    assert_eq!(
        response["UnsuccessfulFaceDeletions"],
        json!(ids.iter().map(|id| not_found(id)).collect::<Vec<_>>())
    );
    assert_eq!(all_face_ids(&store, "c1")?, ids);
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 3);
    Ok(())
}

#[test]
fn exactly_4096_ids_all_deleted() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 4100);

    let response = delete(&store, "c1", &ids[..4096]);

    assert_eq!(response["DeletedFaces"], json!(ids[..4096]));
    assert_eq!(response["UnsuccessfulFaceDeletions"], json!([]));
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 4);
    assert_eq!(all_face_ids(&store, "c1")?, ids[4096..]);
    Ok(())
}

#[test]
fn invalid_requests_change_nothing() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 5);
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&ids[0]]);
    let before = state(&store, "c1")?;
    let too_many: Vec<String> = (1..=4097).map(face_id).collect();
    let mut with_upper = ids.clone();
    with_upper.push("3333333A-3333-4333-8333-33333333333A".to_owned());
    let mut with_malformed = ids.clone();
    with_malformed.insert(1, "not-a-uuid".to_owned());
    let cases: [(&str, Vec<String>, &str); 4] = [
        (
            "4097 ids",
            too_many,
            "at 'faceIds' failed to satisfy constraint: Member must have length less than or \
             equal to 4096",
        ),
        (
            "empty list",
            Vec::new(),
            "1 validation error detected: Value '[]' at 'faceIds' failed to satisfy \
             constraint: Member must have length greater than or equal to 1",
        ),
        (
            "uppercase id",
            with_upper,
            "1 validation error detected: Value '3333333A-3333-4333-8333-33333333333A' at \
             'faceIds.6.member' failed to satisfy constraint: Member must satisfy regular \
             expression pattern: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        ),
        (
            "malformed id",
            with_malformed,
            "1 validation error detected: Value 'not-a-uuid' at 'faceIds.2.member' failed to \
             satisfy constraint: Member must satisfy regular expression pattern: ",
        ),
    ];

    for (case, face_ids, message) in cases {
        let error = call_err(
            &store,
            "DeleteFaces",
            json!({"CollectionId": "c1", "FaceIds": face_ids}),
        );
        assert_eq!(error.exception_name(), "ValidationException", "{case}");
        assert!(
            error.to_string().contains(message),
            "{case}: {error} lacks {message:?}"
        );
        assert_eq!(state(&store, "c1")?, before, "{case}");
    }
    Ok(())
}

#[test]
fn several_bad_ids_counted_together() {
    let store = store();
    collection_with_faces(&store, "c1", 1);

    let error = call_err(
        &store,
        "DeleteFaces",
        json!({"CollectionId": "c1", "FaceIds": [face_id(1), "A", "B"]}),
    );

    let message = error.to_string();
    assert!(message.starts_with("2 validation errors detected: Value 'A' at 'faceIds.2.member'"));
    assert!(message.contains("; Value 'B' at 'faceIds.3.member'"));
}

#[test]
fn missing_collection_is_not_found() {
    let store = store();

    let error = call_err(
        &store,
        "DeleteFaces",
        json!({"CollectionId": "nothing", "FaceIds": [face_id(1)]}),
    );

    assert_eq!(error.exception_name(), "ResourceNotFoundException");
    assert!(error.to_string().contains("nothing"));
}

#[test]
fn disassociated_face_becomes_deletable() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 2);
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&ids[0], &ids[1]]);
    call(
        &store,
        "DisassociateFaces",
        json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [ids[0]]}),
    )?;

    let response = delete(&store, "c1", &ids);

    assert_eq!(response["DeletedFaces"], json!([ids[0]]));
    assert_eq!(
        response["UnsuccessfulFaceDeletions"],
        json!([{"FaceId": ids[1], "UserId": "u1", "Reasons": ["ASSOCIATED_TO_AN_EXISTING_USER"]}])
    );
    Ok(())
}

#[test]
fn deleted_user_frees_faces() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 2);
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&ids[0], &ids[1]]);
    call(
        &store,
        "DeleteUser",
        json!({"CollectionId": "c1", "UserId": "u1"}),
    )?;

    let response = delete(&store, "c1", &ids);

    assert_eq!(response["DeletedFaces"], json!(ids));
    assert_eq!(response["UnsuccessfulFaceDeletions"], json!([]));
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 0);
    assert_eq!(number(&describe(&store, "c1")?, "UserCount"), 0);
    Ok(())
}

#[test]
fn retry_reports_every_id_missing() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 3);
    delete(&store, "c1", &ids);

    let retry = delete(&store, "c1", &ids);

    assert_eq!(retry["DeletedFaces"], json!([]));
    assert_eq!(
        retry["UnsuccessfulFaceDeletions"],
        json!(ids.iter().map(|id| not_found(id)).collect::<Vec<_>>())
    );
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 0);
    Ok(())
}

#[test]
fn both_lists_always_present() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 1);

    let all_deleted = delete(&store, "c1", &ids);
    let none_deleted = delete(&store, "c1", &ids);

    let all_deleted = all_deleted.as_object().ok_or("not an object")?;
    let none_deleted = none_deleted.as_object().ok_or("not an object")?;
    assert_eq!(all_deleted["UnsuccessfulFaceDeletions"], json!([]));
    assert_eq!(none_deleted["DeletedFaces"], json!([]));
    assert_eq!(all_deleted.len(), 2);
    assert_eq!(none_deleted.len(), 2);
    Ok(())
}

#[test]
fn typed_response_serialises_empty_lists() -> TestResult {
    let store = store();
    create_collection(&store, "c1");

    let response = store.delete_faces(&facestore::api::DeleteFacesRequest {
        collection_id: "c1".into(),
        face_ids: vec![face_id(1)],
    })?;

    let encoded = serde_json::to_value(&response)?;
    assert_eq!(encoded["DeletedFaces"], json!([]));
    assert_eq!(
        encoded["UnsuccessfulFaceDeletions"],
        json!([not_found(&face_id(1))])
    );
    Ok(())
}

#[test]
fn reimport_after_delete_is_new() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let id = face_id(7);
    import(
        &store,
        "c1",
        vec![face_with_embedding(&id, &[1.0, 0.0, 0.0])],
    );
    delete(&store, "c1", std::slice::from_ref(&id));

    let reimported = import(
        &store,
        "c1",
        vec![face_with_embedding(&id, &[0.0, 1.0, 0.0])],
    );

    assert_eq!(reimported["Faces"][0]["FaceId"], json!(id));
    assert_eq!(reimported["SkippedFaceIds"], json!([]));
    assert_eq!(all_face_ids(&store, "c1")?, [id]);
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 1);
    Ok(())
}

#[test]
fn deleted_embedding_leaves_dimension() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let id = face_id(7);
    import(
        &store,
        "c1",
        vec![face_with_embedding(&id, &[1.0, 0.0, 0.0])],
    );
    delete(&store, "c1", std::slice::from_ref(&id));

    // The first embedding fixed the dimension at 3; deleting the face does not reset it.
    let error = call_err(
        &store,
        "ImportFaces",
        json!({"CollectionId": "c1", "Faces": [face_with_embedding(&face_id(8), &[1.0, 0.0])]}),
    );

    assert_eq!(error.exception_name(), "InvalidParameterException");
    Ok(())
}

#[test]
fn file_store_deletes_and_reopens() -> TestResult {
    let directory = tempfile::tempdir()?;
    let path = directory.path().join("faces.redb");
    let ids = {
        let store = Store::open(&path)?;
        let ids = collection_with_faces(&store, "c1", 10);
        let response = delete(&store, "c1", &ids[..4]);
        assert_eq!(response["DeletedFaces"], json!(ids[..4]));
        ids
    };

    let store = Store::open(&path)?;
    assert_eq!(all_face_ids(&store, "c1")?, ids[4..]);
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 6);

    let retry = delete(&store, "c1", &ids[..5]);
    assert_eq!(retry["DeletedFaces"], json!([ids[4]]));
    assert_eq!(retry["UnsuccessfulFaceDeletions"][3], not_found(&ids[3]));
    drop(store);

    let store = Store::open(&path)?;
    assert_eq!(all_face_ids(&store, "c1")?, ids[5..]);
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 5);
    Ok(())
}

#[test]
fn face_record_fields_survive_import() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    import(&store, "c1", vec![face(&face_id(1))]);

    let faces = all_faces(&store, "c1")?;

    assert_eq!(faces, [face(&face_id(1))]);
    Ok(())
}
