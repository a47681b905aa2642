//! The in-memory store that the request targets start from.

use std::collections::BTreeMap;

use crate::Store;
use crate::api::{
    AssociateFacesRequest, CreateCollectionRequest, CreateUserRequest, FaceInput,
    ImportFacesRequest,
};

/// Collections of the fixture, in creation order.
pub(crate) const COLLECTIONS: [&str; 2] = ["c1", "c2"];

/// Face IDs stored in the first collection, in ascending order.
pub(crate) const FACE_IDS: [&str; 4] = [
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
    "33333333-3333-4333-8333-333333333333",
    "44444444-4444-4444-8444-444444444444",
];

/// Users of the first collection: the first has faces 0 and 2 of [`FACE_IDS`], the second
/// has face 1.
pub(crate) const USERS: [&str; 2] = ["u1", "u2"];

/// Opens an in-memory store holding two collections, four faces with 3-float embeddings in
/// the first, and two users there that have three of those faces.
///
/// # Panics
///
/// If an operation on the fresh store fails, which is a bug of the store.
pub(crate) fn populated_store() -> Store {
    let store = Store::builder()
        .open_in_memory()
        .expect("an in-memory store opens");
    for collection_id in COLLECTIONS {
        let tags = BTreeMap::from([("team".to_owned(), "vision".to_owned())]);
        store
            .create_collection(&CreateCollectionRequest {
                collection_id: collection_id.to_owned(),
                tags: Some(tags),
            })
            .expect("a new collection is created");
    }

    let faces = FACE_IDS
        .iter()
        .zip([0.1_f32, 0.2, 0.3, 0.4])
        .map(|(face_id, value)| FaceInput {
            face_id: Some((*face_id).to_owned()),
            external_image_id: Some("photo.jpg".to_owned()),
            confidence: Some(99.5),
            user_id: [FACE_IDS[0], FACE_IDS[2]]
                .contains(face_id)
                .then(|| USERS[0].to_owned()),
            embedding: Some(vec![value, 1.0 - value, 0.5]),
            ..FaceInput::default()
        })
        .collect();
    store
        .import_faces(&ImportFacesRequest {
            collection_id: COLLECTIONS[0].to_owned(),
            faces,
        })
        .expect("valid faces are imported");

    store
        .create_user(&CreateUserRequest {
            collection_id: COLLECTIONS[0].to_owned(),
            user_id: USERS[1].to_owned(),
            client_request_token: None,
        })
        .expect("a new user is created");
    store
        .associate_faces(&AssociateFacesRequest {
            collection_id: COLLECTIONS[0].to_owned(),
            user_id: USERS[1].to_owned(),
            face_ids: vec![FACE_IDS[1].to_owned()],
            user_match_threshold: None,
            client_request_token: None,
        })
        .expect("a free face is associated");
    store
}
