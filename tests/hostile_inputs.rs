//! Hostile inputs to the library: a database file already open elsewhere, requests whose
//! members have the wrong JSON type, and import lines with no face member. Each must fail with
//! a message naming the value and the fix, and write nothing.

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

#[test]
fn import_line_without_face_members() {
    // Lines from another operation's output, or with misspelt member names, share no member
    // with a face object. Ignoring every member would store an empty face with generated IDs.
    let lines: [&[u8]; 3] = [
        br#"{"faces": [{"FaceId": "11111111-1111-4111-8111-111111111111"}]}"#,
        br#"{"Similarity": 99.1, "Face": {"FaceId": "11111111-1111-4111-8111-111111111111"}}"#,
        br#"{"Foo": []}"#,
    ];
    for line in lines {
        let text = String::from_utf8_lossy(line);
        let result = facestore::import_file::parse_face_line(line, 3, 3);
        let error = match result {
            Ok(face) => panic!("{text} was read as the face {face:?}"),
            Err(error) => error.to_string(),
        };
        assert!(error.starts_with("line 3"), "{text}: {error}");
        assert!(
            error.contains("FaceId"),
            "{text}: the error does not list the face members: {error}"
        );
    }
}

#[test]
fn import_object_of_nulls_is_a_face() {
    for line in [&b"{}"[..], br#"{"UserId": null}"#] {
        let text = String::from_utf8_lossy(line);
        let face = facestore::import_file::parse_face_line(line, 1, 1);
        assert!(
            face.as_ref().is_ok_and(Option::is_some),
            "{text} is not read as a face: {face:?}"
        );
    }
}
