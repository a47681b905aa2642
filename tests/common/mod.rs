//! Helpers shared by the integration tests: a fresh store, JSON calls through
//! `facestore::dispatch`, synthetic face IDs and a full snapshot of a store's state.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use facestore::{Error, Store};
use serde_json::{Value, json};

/// Result of a test: any error fails it with its message.
pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Opens an empty in-memory store with the default settings.
pub fn store() -> Store {
    Store::builder()
        .open_in_memory()
        .expect("an in-memory store opens")
}

/// Runs `operation` on `request` through the JSON dispatcher.
pub fn call(store: &Store, operation: &str, request: Value) -> Result<Value, Error> {
    facestore::dispatch::call(store, operation, request)
}

/// Runs `operation` and returns the error it must fail with.
pub fn call_err(store: &Store, operation: &str, request: Value) -> Error {
    match call(store, operation, request) {
        Ok(response) => panic!("{operation} succeeded with {response} but had to fail"),
        Err(error) => error,
    }
}

/// Returns the lower-case face UUID numbered `n`; the IDs sort in the order of `n`.
pub fn face_id(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-{n:012x}")
}

/// Returns a face object for ImportFaces with a fixed image and bounding box.
pub fn face(id: &str) -> Value {
    json!({
        "FaceId": id,
        "ImageId": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
        "Confidence": 99.5,
        "BoundingBox": {"Width": 0.2, "Height": 0.3, "Left": 0.1, "Top": 0.1},
    })
}

/// Returns a face object with an embedding.
pub fn face_with_embedding(id: &str, embedding: &[f32]) -> Value {
    let mut face = face(id);
    face["Embedding"] = json!(embedding);
    face
}

/// Creates collection `collection_id`.
pub fn create_collection(store: &Store, collection_id: &str) {
    call(
        store,
        "CreateCollection",
        json!({"CollectionId": collection_id}),
    )
    .expect("CreateCollection succeeds");
}

/// Imports `faces` (face objects) into `collection_id`.
pub fn import(store: &Store, collection_id: &str, faces: Vec<Value>) -> Value {
    call(
        store,
        "ImportFaces",
        json!({"CollectionId": collection_id, "Faces": faces}),
    )
    .expect("ImportFaces succeeds")
}

/// Creates `collection_id` and imports faces numbered `1..=count` into it.
pub fn collection_with_faces(store: &Store, collection_id: &str, count: u32) -> Vec<String> {
    create_collection(store, collection_id);
    let ids: Vec<String> = (1..=count).map(face_id).collect();
    import(
        store,
        collection_id,
        ids.iter().map(|id| face(id)).collect(),
    );
    ids
}

/// Creates user `user_id` in `collection_id`.
pub fn create_user(store: &Store, collection_id: &str, user_id: &str) {
    call(
        store,
        "CreateUser",
        json!({"CollectionId": collection_id, "UserId": user_id}),
    )
    .expect("CreateUser succeeds");
}

/// Associates `face_ids` with `user_id` and returns the response.
pub fn associate(store: &Store, collection_id: &str, user_id: &str, face_ids: &[&str]) -> Value {
    call(
        store,
        "AssociateFaces",
        json!({"CollectionId": collection_id, "UserId": user_id, "FaceIds": face_ids}),
    )
    .expect("AssociateFaces succeeds")
}

/// Returns DescribeCollection of `collection_id`.
pub fn describe(store: &Store, collection_id: &str) -> Result<Value, Error> {
    call(
        store,
        "DescribeCollection",
        json!({"CollectionId": collection_id}),
    )
}

/// Returns every face of `collection_id`, following `NextToken` to the end.
pub fn all_faces(store: &Store, collection_id: &str) -> Result<Vec<Value>, Error> {
    let mut faces = Vec::new();
    let mut request = json!({"CollectionId": collection_id, "MaxResults": 4096});
    loop {
        let page = call(store, "ListFaces", request.clone())?;
        faces.extend(page["Faces"].as_array().cloned().unwrap_or_default());
        match page.get("NextToken") {
            Some(token) => request["NextToken"] = token.clone(),
            None => return Ok(faces),
        }
    }
}

/// Returns the face IDs of `collection_id` in ListFaces order.
pub fn all_face_ids(store: &Store, collection_id: &str) -> Result<Vec<String>, Error> {
    Ok(all_faces(store, collection_id)?
        .iter()
        .map(|face| face["FaceId"].as_str().unwrap_or_default().to_owned())
        .collect())
}

/// Returns every user of `collection_id`, following `NextToken` to the end.
pub fn all_users(store: &Store, collection_id: &str) -> Result<Vec<Value>, Error> {
    let mut users = Vec::new();
    let mut request = json!({"CollectionId": collection_id});
    loop {
        let page = call(store, "ListUsers", request.clone())?;
        users.extend(page["Users"].as_array().cloned().unwrap_or_default());
        match page.get("NextToken") {
            Some(token) => request["NextToken"] = token.clone(),
            None => return Ok(users),
        }
    }
}

/// Returns the whole visible state of `store`: for each collection, its description, faces,
/// users and tags.
pub fn snapshot(store: &Store) -> Result<Value, Error> {
    let mut collections = serde_json::Map::new();
    let mut request = json!({});
    loop {
        let page = call(store, "ListCollections", request.clone())?;
        for id in page["CollectionIds"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let id = id.as_str().unwrap_or_default().to_owned();
            let description = describe(store, &id)?;
            let tags = call(
                store,
                "ListTagsForResource",
                json!({"ResourceArn": description["CollectionARN"]}),
            )?;
            collections.insert(
                id.clone(),
                json!({
                    "describe": description,
                    "faces": all_faces(store, &id)?,
                    "users": all_users(store, &id)?,
                    "tags": tags["Tags"],
                }),
            );
        }
        match page.get("NextToken") {
            Some(token) => request["NextToken"] = token.clone(),
            None => return Ok(Value::Object(collections)),
        }
    }
}

/// Returns the number field `field` of `value`, failing the test when it is missing.
pub fn number(value: &Value, field: &str) -> u64 {
    value[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} is not an unsigned number in {value}"))
}
