//! Hostile inputs to the library: a database file already open elsewhere, and requests whose
//! members have the wrong JSON type. Each must fail with a message naming the value and the
//! fix, and write nothing.

use facestore::api::{CreateCollectionRequest, ListFacesRequest};
use facestore::{Error, Store, dispatch};
use serde_json::json;

#[test]
fn second_open_names_path_and_fix() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let path = directory.path().join("faces.redb");
    let _first = Store::open(&path).expect("first open");

    let error = match Store::open(&path) {
        Ok(_) => panic!("a second open of {} succeeded", path.display()),
        Err(error) => error,
    };
    let message = error.to_string();

    assert!(
        message.contains(&path.display().to_string()),
        "the message does not name the file: {message}"
    );
    assert!(
        message.contains("another process"),
        "the message does not say who holds the file: {message}"
    );
    assert!(
        message.contains("facestore serve"),
        "the message does not say how to proceed: {message}"
    );
}

#[test]
fn wrong_type_in_list_uses_aws_path() {
    let store = Store::builder().open_in_memory().expect("store");
    store
        .create_collection(&CreateCollectionRequest {
            collection_id: "c".into(),
            tags: None,
        })
        .expect("create collection");
    let face_id = "11111111-1111-4111-8111-111111111111";

    let error = dispatch::call(
        &store,
        "DeleteFaces",
        json!({"CollectionId": "c", "FaceIds": [face_id, null]}),
    )
    .expect_err("a null face ID is invalid");
    let message = error.to_string();

    assert!(matches!(error, Error::Validation(_)), "{error:?}");
    assert!(
        message.contains("'faceIds.2.member'"),
        "the path is not in the AWS form of other validation errors: {message}"
    );
}

#[test]
fn wrong_type_in_import_names_face() {
    let store = Store::builder().open_in_memory().expect("store");
    store
        .create_collection(&CreateCollectionRequest {
            collection_id: "c".into(),
            tags: None,
        })
        .expect("create collection");

    let error = dispatch::call(
        &store,
        "ImportFaces",
        json!({"CollectionId": "c", "Faces": [{}, {"BoundingBox": {"Width": 1}}]}),
    )
    .expect_err("a bounding box without Height is invalid");
    let message = error.to_string();

    assert!(
        message.contains("'faces.2.member.boundingBox'"),
        "the path does not name the second face: {message}"
    );
    let listed = store
        .list_faces(&ListFacesRequest {
            collection_id: "c".into(),
            ..Default::default()
        })
        .expect("list faces");
    assert!(listed.faces.is_empty(), "the rejected import stored faces");
}
