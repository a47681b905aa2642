//! AssociateFaces and DisassociateFaces: each reason, the 100-face quota, similarity checks
//! and the user's status after each call.

mod common;

use common::{
    TestResult, all_faces, associate, call, call_err, collection_with_faces, create_collection,
    create_user, face_id, face_with_embedding, import, store,
};
use facestore::Store;
use serde_json::{Value, json};

fn disassociate(store: &Store, user_id: &str, face_ids: &[&str]) -> Value {
    call(
        store,
        "DisassociateFaces",
        json!({"CollectionId": "c1", "UserId": user_id, "FaceIds": face_ids}),
    )
    .expect("DisassociateFaces succeeds")
}

fn user_status(store: &Store, user_id: &str) -> Value {
    let users = call(store, "ListUsers", json!({"CollectionId": "c1"})).expect("ListUsers");
    users["Users"]
        .as_array()
        .and_then(|users| users.iter().find(|user| user["UserId"] == user_id))
        .map(|user| user["UserStatus"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn associate_reports_every_reason() {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 4);
    create_user(&store, "c1", "u1");
    create_user(&store, "c1", "u2");
    associate(&store, "c1", "u1", &[&ids[0]]);
    associate(&store, "c1", "u2", &[&ids[1]]);
    let missing = face_id(99);

    let response = associate(
        &store,
        "c1",
        "u2",
        &[&ids[2], &ids[0], &missing, &ids[1], &ids[2], &ids[3]],
    );

    assert_eq!(
        response,
        json!({
            "AssociatedFaces": [{"FaceId": ids[2]}, {"FaceId": ids[3]}],
            "UnsuccessfulFaceAssociations": [
                {"FaceId": ids[0], "UserId": "u1", "Reasons": ["ASSOCIATED_TO_A_DIFFERENT_USER"]},
                {"FaceId": missing, "Reasons": ["FACE_NOT_FOUND"]},
            ],
            "UserStatus": "ACTIVE",
        })
    );
}

#[test]
fn already_associated_is_ignored() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 2);
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&ids[0]]);

    let response = associate(&store, "c1", "u1", &[&ids[0], &ids[1]]);

    assert_eq!(response["AssociatedFaces"], json!([{"FaceId": ids[1]}]));
    assert_eq!(response["UnsuccessfulFaceAssociations"], json!([]));
    let faces = all_faces(&store, "c1")?;
    assert!(faces.iter().all(|face| face["UserId"] == "u1"));
    Ok(())
}

#[test]
fn missing_user_not_found() {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 1);

    let associate_error = call_err(
        &store,
        "AssociateFaces",
        json!({"CollectionId": "c1", "UserId": "ghost", "FaceIds": [ids[0]]}),
    );
    let disassociate_error = call_err(
        &store,
        "DisassociateFaces",
        json!({"CollectionId": "c1", "UserId": "ghost", "FaceIds": [ids[0]]}),
    );

    assert_eq!(
        associate_error.exception_name(),
        "ResourceNotFoundException"
    );
    assert!(associate_error.to_string().contains("'ghost'"));
    assert_eq!(
        disassociate_error.exception_name(),
        "ResourceNotFoundException"
    );
}

#[test]
fn missing_collection_not_found() {
    let store = store();

    let error = call_err(
        &store,
        "AssociateFaces",
        json!({"CollectionId": "ghost", "UserId": "u1", "FaceIds": [face_id(1)]}),
    );

    assert_eq!(error.exception_name(), "ResourceNotFoundException");
}

#[test]
fn face_id_list_limits_validated() {
    let store = store();
    collection_with_faces(&store, "c1", 1);
    create_user(&store, "c1", "u1");
    let too_many: Vec<String> = (1..=101).map(face_id).collect();

    for operation in ["AssociateFaces", "DisassociateFaces"] {
        let empty = call_err(
            &store,
            operation,
            json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": []}),
        );
        let long = call_err(
            &store,
            operation,
            json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": too_many}),
        );
        assert!(
            empty
                .to_string()
                .contains("Member must have length greater than or equal to 1"),
            "{operation}: {empty}"
        );
        assert!(
            long.to_string()
                .contains("Member must have length less than or equal to 100"),
            "{operation}"
        );
    }
}

#[test]
fn threshold_above_100_invalid() {
    let store = store();
    collection_with_faces(&store, "c1", 1);
    create_user(&store, "c1", "u1");

    let error = call_err(
        &store,
        "AssociateFaces",
        json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [face_id(1)],
               "UserMatchThreshold": 101}),
    );

    assert_eq!(error.exception_name(), "ValidationException");
    assert!(error.to_string().contains("at 'userMatchThreshold'"));
}

#[test]
fn quota_failure_changes_nothing() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 101);
    create_user(&store, "c1", "u1");
    let first: Vec<&str> = ids[..60].iter().map(String::as_str).collect();
    let second: Vec<&str> = ids[60..].iter().map(String::as_str).collect();
    associate(&store, "c1", "u1", &first);
    let before = all_faces(&store, "c1")?;

    let error = call_err(
        &store,
        "AssociateFaces",
        json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": second}),
    );

    assert_eq!(error.exception_name(), "ServiceQuotaExceededException");
    assert!(error.to_string().contains("'u1'"));
    assert_eq!(all_faces(&store, "c1")?, before);
    let exactly_100 = associate(&store, "c1", "u1", &second[..40]);
    assert_eq!(
        exactly_100["AssociatedFaces"].as_array().map(Vec::len),
        Some(40)
    );
    let one_more = call_err(
        &store,
        "AssociateFaces",
        json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [ids[100]]}),
    );
    assert_eq!(one_more.exception_name(), "ServiceQuotaExceededException");
    Ok(())
}

#[test]
fn ignored_faces_do_not_count() {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 100);
    create_user(&store, "c1", "u1");
    let all: Vec<&str> = ids.iter().map(String::as_str).collect();
    associate(&store, "c1", "u1", &all);

    // The user is full, and every face of this call is already the user's or not found.
    let response = associate(&store, "c1", "u1", &[&ids[0], &face_id(500)]);

    assert_eq!(response["AssociatedFaces"], json!([]));
    assert_eq!(response["UserStatus"], "ACTIVE");
}

#[test]
fn low_similarity_is_low_confidence() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let (a, b, c) = (face_id(1), face_id(2), face_id(3));
    import(
        &store,
        "c1",
        vec![
            face_with_embedding(&a, &[1.0, 0.0]),
            face_with_embedding(&b, &[0.0, 1.0]),
            face_with_embedding(&c, &[1.0, 0.1]),
        ],
    );
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&a]);

    let response = associate(&store, "c1", "u1", &[&b, &c]);

    assert_eq!(response["AssociatedFaces"], json!([{"FaceId": c}]));
    let rejected = &response["UnsuccessfulFaceAssociations"][0];
    assert_eq!(rejected["FaceId"], json!(b));
    assert_eq!(rejected["Reasons"], json!(["LOW_MATCH_CONFIDENCE"]));
    assert_eq!(rejected["Confidence"], json!(0));
    assert!(rejected.get("UserId").is_none());
    Ok(())
}

#[test]
fn threshold_decides_low_confidence() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let (a, b) = (face_id(1), face_id(2));
    // cos(a, b) = 0.6, a similarity of 60.
    import(
        &store,
        "c1",
        vec![
            face_with_embedding(&a, &[1.0, 0.0]),
            face_with_embedding(&b, &[0.6, 0.8]),
        ],
    );
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&a]);

    let strict = associate(&store, "c1", "u1", &[&b]);
    let lenient = call(
        &store,
        "AssociateFaces",
        json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [b], "UserMatchThreshold": 50}),
    )?;

    let confidence = strict["UnsuccessfulFaceAssociations"][0]["Confidence"]
        .as_f64()
        .ok_or("no Confidence")?;
    assert!((confidence - 60.0).abs() < 1e-3, "{confidence}");
    assert_eq!(lenient["AssociatedFaces"], json!([{"FaceId": b}]));
    Ok(())
}

#[test]
fn first_embedding_face_always_accepted() {
    let store = store();
    create_collection(&store, "c1");
    let (a, b) = (face_id(1), face_id(2));
    import(
        &store,
        "c1",
        vec![
            face_with_embedding(&a, &[1.0, 0.0]),
            face_with_embedding(&b, &[0.0, 1.0]),
        ],
    );
    create_user(&store, "c1", "u1");

    // The user has no face with an embedding yet, so no similarity is checked.
    let response = associate(&store, "c1", "u1", &[&a, &b]);

    assert_eq!(
        response["AssociatedFaces"],
        json!([{"FaceId": a}, {"FaceId": b}])
    );
}

#[test]
fn disassociate_reports_every_reason() {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 4);
    create_user(&store, "c1", "u1");
    create_user(&store, "c1", "u2");
    associate(&store, "c1", "u1", &[&ids[0], &ids[1]]);
    associate(&store, "c1", "u2", &[&ids[2]]);
    let missing = face_id(99);

    let response = disassociate(
        &store,
        "u1",
        &[&ids[1], &ids[2], &missing, &ids[3], &ids[1]],
    );

    assert_eq!(
        response,
        json!({
            "DisassociatedFaces": [{"FaceId": ids[1]}],
            "UnsuccessfulFaceDisassociations": [
                {"FaceId": ids[2], "UserId": "u2", "Reasons": ["ASSOCIATED_TO_A_DIFFERENT_USER"]},
                {"FaceId": missing, "Reasons": ["FACE_NOT_FOUND"]},
            ],
            "UserStatus": "ACTIVE",
        })
    );
}

#[test]
fn last_face_returns_to_created() {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 2);
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&ids[0], &ids[1]]);

    let partial = disassociate(&store, "u1", &[&ids[0]]);
    let last = disassociate(&store, "u1", &[&ids[1]]);
    let none_left = disassociate(&store, "u1", &[&ids[1]]);

    assert_eq!(partial["UserStatus"], "ACTIVE");
    assert_eq!(last["UserStatus"], "CREATED");
    assert_eq!(user_status(&store, "u1"), "CREATED");
    assert_eq!(
        none_left,
        json!({"DisassociatedFaces": [], "UnsuccessfulFaceDisassociations": [], "UserStatus": "CREATED"})
    );
}

#[test]
fn disassociated_face_loses_user() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 1);
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&ids[0]]);

    disassociate(&store, "u1", &[&ids[0]]);

    let faces = all_faces(&store, "c1")?;
    assert!(faces[0].get("UserId").is_none());
    let by_user = call(
        &store,
        "ListFaces",
        json!({"CollectionId": "c1", "UserId": "u1"}),
    )?;
    assert_eq!(by_user["Faces"], json!([]));
    Ok(())
}

#[test]
fn freed_slots_allow_new_faces() {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 101);
    create_user(&store, "c1", "u1");
    let first: Vec<&str> = ids[..100].iter().map(String::as_str).collect();
    associate(&store, "c1", "u1", &first);

    disassociate(&store, "u1", &[&ids[0]]);
    let response = associate(&store, "c1", "u1", &[&ids[100]]);

    assert_eq!(response["AssociatedFaces"], json!([{"FaceId": ids[100]}]));
}

#[test]
fn both_lists_present_when_empty() {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 1);
    create_user(&store, "c1", "u1");

    let associated = associate(&store, "c1", "u1", &[&ids[0]]);
    let disassociated = disassociate(&store, "u1", &[&face_id(42)]);

    assert_eq!(associated["UnsuccessfulFaceAssociations"], json!([]));
    assert_eq!(disassociated["DisassociatedFaces"], json!([]));
}
