//! Consistency checks of a whole store through its public API.

use std::collections::{BTreeMap, BTreeSet};

use crate::Store;
use crate::api::{
    DescribeCollectionRequest, Face, ListCollectionsRequest, ListFacesRequest, ListUsersRequest,
};

/// Page sizes of the listings below. They are small so that every listing of more than a few
/// items also follows `NextToken`s.
const COLLECTION_PAGE: i64 = 2;
const FACE_PAGE: i64 = 3;
const USER_PAGE: i64 = 2;

/// Most faces a user may have.
const MAX_FACES_PER_USER: usize = 100;

/// Checks that the counters, listings and user associations of every collection agree.
///
/// For each collection: DescribeCollection's `FaceCount` equals the number of faces ListFaces
/// returns across its pages, in strictly ascending `FaceId` order, and `UserCount` equals the
/// number of users ListUsers returns. Every face with a `UserId` names a listed user, and
/// ListFaces filtered by a user returns exactly the faces that name it, at most 100.
///
/// Before those checks, [`Store::check`] must find no violation in the stored rows.
///
/// # Panics
///
/// On the first broken invariant or failed listing, with the collection and values involved.
pub(crate) fn check_store(store: &Store) {
    let report = store
        .check()
        .unwrap_or_else(|error| panic!("Store::check failed: {error}"));
    assert!(report.is_ok(), "Store::check found violations: {report}");

    for collection_id in list_collections(store) {
        check_collection(store, &collection_id);
    }
}

fn check_collection(store: &Store, collection_id: &str) {
    let description = store
        .describe_collection(&DescribeCollectionRequest {
            collection_id: collection_id.to_owned(),
        })
        .unwrap_or_else(|error| panic!("DescribeCollection of listed '{collection_id}': {error}"));

    let faces = list_faces(store, collection_id, None);
    assert_eq!(
        description.face_count,
        faces.len() as u64,
        "FaceCount of '{collection_id}' differs from the faces ListFaces returns"
    );
    for pair in faces.windows(2) {
        assert!(
            pair[0].face_id < pair[1].face_id,
            "ListFaces of '{collection_id}' is not in ascending FaceId order: {} then {}",
            pair[0].face_id,
            pair[1].face_id
        );
    }

    let users = list_users(store, collection_id);
    assert_eq!(
        description.user_count,
        users.len() as u64,
        "UserCount of '{collection_id}' differs from the users ListUsers returns"
    );

    let mut faces_by_user: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for face in &faces {
        if let Some(user_id) = &face.user_id {
            assert!(
                users.contains(user_id),
                "face {} of '{collection_id}' names user '{user_id}', which ListUsers lacks",
                face.face_id
            );
            faces_by_user
                .entry(user_id)
                .or_default()
                .insert(&face.face_id);
        }
    }
    for user_id in &users {
        let listed = list_faces(store, collection_id, Some(user_id));
        let listed: BTreeSet<&str> = listed.iter().map(|face| face.face_id.as_str()).collect();
        let expected = faces_by_user.remove(user_id.as_str()).unwrap_or_default();
        assert_eq!(
            listed, expected,
            "ListFaces of user '{user_id}' in '{collection_id}' differs from the faces naming it"
        );
        assert!(
            listed.len() <= MAX_FACES_PER_USER,
            "user '{user_id}' of '{collection_id}' has {} faces",
            listed.len()
        );
    }
}

fn list_collections(store: &Store) -> Vec<String> {
    let mut collection_ids = Vec::new();
    let mut next_token = None;
    loop {
        let page = store
            .list_collections(&ListCollectionsRequest {
                next_token,
                max_results: Some(COLLECTION_PAGE),
            })
            .unwrap_or_else(|error| panic!("ListCollections failed: {error}"));
        collection_ids.extend(page.collection_ids);
        next_token = page.next_token;
        if next_token.is_none() {
            return collection_ids;
        }
    }
}

fn list_faces(store: &Store, collection_id: &str, user_id: Option<&str>) -> Vec<Face> {
    let mut faces = Vec::new();
    let mut next_token = None;
    loop {
        let page = store
            .list_faces(&ListFacesRequest {
                collection_id: collection_id.to_owned(),
                next_token,
                max_results: Some(FACE_PAGE),
                user_id: user_id.map(str::to_owned),
                face_ids: None,
            })
            .unwrap_or_else(|error| panic!("ListFaces of '{collection_id}' failed: {error}"));
        faces.extend(page.faces);
        next_token = page.next_token;
        if next_token.is_none() {
            return faces;
        }
    }
}

fn list_users(store: &Store, collection_id: &str) -> BTreeSet<String> {
    let mut users = BTreeSet::new();
    let mut next_token = None;
    loop {
        let page = store
            .list_users(&ListUsersRequest {
                collection_id: collection_id.to_owned(),
                max_results: Some(USER_PAGE),
                next_token,
            })
            .unwrap_or_else(|error| panic!("ListUsers of '{collection_id}' failed: {error}"));
        for user in page.users {
            let user_id = user.user_id;
            assert!(
                users.insert(user_id.clone()),
                "ListUsers of '{collection_id}' returns user '{user_id}' twice"
            );
        }
        next_token = page.next_token;
        if next_token.is_none() {
            return users;
        }
    }
}
