//! CreateUser, DeleteUser and ListUsers.

mod common;

use common::{
    TestResult, all_faces, all_users, associate, call, call_err, collection_with_faces,
    create_collection, create_user, describe, number, store,
};
use facestore::Store;
use serde_json::{Value, json};

fn list_users(store: &Store, request: Value) -> Value {
    call(store, "ListUsers", request).expect("ListUsers succeeds")
}

#[test]
fn new_user_is_created_status() -> TestResult {
    let store = store();
    create_collection(&store, "c1");

    let response = call(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "alice"}),
    )?;

    assert_eq!(response, json!({}));
    assert_eq!(
        list_users(&store, json!({"CollectionId": "c1"})),
        json!({"Users": [{"UserId": "alice", "UserStatus": "CREATED"}]})
    );
    assert_eq!(number(&describe(&store, "c1")?, "UserCount"), 1);
    Ok(())
}

#[test]
fn user_with_face_is_active() {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 1);
    create_user(&store, "c1", "alice");

    associate(&store, "c1", "alice", &[&ids[0]]);

    assert_eq!(
        list_users(&store, json!({"CollectionId": "c1"}))["Users"],
        json!([{"UserId": "alice", "UserStatus": "ACTIVE"}])
    );
}

#[test]
fn existing_user_is_conflict() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    create_user(&store, "c1", "alice");

    let error = call_err(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "alice"}),
    );

    assert_eq!(error.exception_name(), "ConflictException");
    assert!(error.to_string().contains("'alice'"));
    assert_eq!(number(&describe(&store, "c1")?, "UserCount"), 1);
    Ok(())
}

#[test]
fn user_ids_are_case_sensitive() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    create_user(&store, "c1", "alice");

    call(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "Alice"}),
    )?;

    assert_eq!(number(&describe(&store, "c1")?, "UserCount"), 2);
    Ok(())
}

#[test]
fn create_in_missing_collection() {
    let store = store();

    let error = call_err(
        &store,
        "CreateUser",
        json!({"CollectionId": "ghost", "UserId": "alice"}),
    );

    assert_eq!(error.exception_name(), "ResourceNotFoundException");
    assert!(error.to_string().contains("ghost"));
}

#[test]
fn invalid_user_id_rejected() {
    let store = store();
    create_collection(&store, "c1");

    let error = call_err(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "al ice"}),
    );

    assert_eq!(
        error.to_string(),
        "1 validation error detected: Value 'al ice' at 'userId' failed to satisfy \
         constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.\\-:]+"
    );
}

#[test]
fn colon_user_id_is_valid() -> TestResult {
    let store = store();
    create_collection(&store, "c1");

    let response = call(
        &store,
        "CreateUser",
        json!({"CollectionId": "c1", "UserId": "dept:alice"}),
    )?;

    assert_eq!(response, json!({}));
    Ok(())
}

#[test]
fn delete_user_keeps_faces() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 3);
    create_user(&store, "c1", "alice");
    associate(&store, "c1", "alice", &[&ids[0], &ids[2]]);

    let response = call(
        &store,
        "DeleteUser",
        json!({"CollectionId": "c1", "UserId": "alice"}),
    )?;

    assert_eq!(response, json!({}));
    let faces = all_faces(&store, "c1")?;
    assert_eq!(faces.len(), 3);
    assert!(faces.iter().all(|face| face.get("UserId").is_none()));
    assert_eq!(all_users(&store, "c1")?, Vec::<Value>::new());
    let described = describe(&store, "c1")?;
    assert_eq!(number(&described, "UserCount"), 0);
    assert_eq!(number(&described, "FaceCount"), 3);
    let by_user = call(
        &store,
        "ListFaces",
        json!({"CollectionId": "c1", "UserId": "alice"}),
    )?;
    assert_eq!(by_user["Faces"], json!([]));
    Ok(())
}

#[test]
fn recreated_user_has_no_faces() {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 2);
    create_user(&store, "c1", "alice");
    associate(&store, "c1", "alice", &[&ids[0]]);
    call(
        &store,
        "DeleteUser",
        json!({"CollectionId": "c1", "UserId": "alice"}),
    )
    .expect("DeleteUser succeeds");

    create_user(&store, "c1", "alice");

    assert_eq!(
        list_users(&store, json!({"CollectionId": "c1"}))["Users"],
        json!([{"UserId": "alice", "UserStatus": "CREATED"}])
    );
}

#[test]
fn delete_missing_user_not_found() {
    let store = store();
    create_collection(&store, "c1");

    let error = call_err(
        &store,
        "DeleteUser",
        json!({"CollectionId": "c1", "UserId": "alice"}),
    );

    assert_eq!(error.exception_name(), "ResourceNotFoundException");
    assert!(error.to_string().contains("'alice'"));
}

#[test]
fn users_in_byte_order() {
    let store = store();
    create_collection(&store, "c1");
    for user in ["b", "a", "B", "_", "a1", "0"] {
        create_user(&store, "c1", user);
    }

    let listed = list_users(&store, json!({"CollectionId": "c1"}));

    let ids: Vec<&str> = listed["Users"]
        .as_array()
        .map(|users| {
            users
                .iter()
                .filter_map(|user| user["UserId"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(ids, ["0", "B", "_", "a", "a1", "b"]);
}

#[test]
fn users_paginate_one_per_page() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    for user in ["u1", "u2", "u3"] {
        create_user(&store, "c1", user);
    }
    let mut request = json!({"CollectionId": "c1", "MaxResults": 1});
    let mut pages = Vec::new();

    loop {
        let page = list_users(&store, request.clone());
        pages.push(page["Users"].clone());
        match page.get("NextToken") {
            Some(token) => request["NextToken"] = token.clone(),
            None => break,
        }
    }

    assert_eq!(
        pages,
        [
            json!([{"UserId": "u1", "UserStatus": "CREATED"}]),
            json!([{"UserId": "u2", "UserStatus": "CREATED"}]),
            json!([{"UserId": "u3", "UserStatus": "CREATED"}]),
        ]
    );
    Ok(())
}

#[test]
fn user_deleted_between_pages() {
    let store = store();
    create_collection(&store, "c1");
    for user in ["u1", "u2", "u3", "u4"] {
        create_user(&store, "c1", user);
    }

    let first = list_users(&store, json!({"CollectionId": "c1", "MaxResults": 2}));
    call(
        &store,
        "DeleteUser",
        json!({"CollectionId": "c1", "UserId": "u3"}),
    )
    .expect("DeleteUser succeeds");
    let second = list_users(
        &store,
        json!({"CollectionId": "c1", "MaxResults": 2, "NextToken": first["NextToken"]}),
    );

    assert_eq!(
        second,
        json!({"Users": [{"UserId": "u4", "UserStatus": "CREATED"}]})
    );
}

#[test]
fn default_user_page_is_500() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    for n in 0..501 {
        create_user(&store, "c1", &format!("user{n:03}"));
    }

    let first = list_users(&store, json!({"CollectionId": "c1"}));
    let second = list_users(
        &store,
        json!({"CollectionId": "c1", "NextToken": first["NextToken"]}),
    );

    assert_eq!(first["Users"].as_array().map(Vec::len), Some(500));
    assert_eq!(
        second,
        json!({"Users": [{"UserId": "user500", "UserStatus": "CREATED"}]})
    );
    Ok(())
}

#[test]
fn max_results_range_is_1_to_500() {
    let store = store();
    create_collection(&store, "c1");
    let cases = [
        (0, "Member must have value greater than or equal to 1"),
        (501, "Member must have value less than or equal to 500"),
    ];

    for (max_results, rule) in cases {
        let error = call_err(
            &store,
            "ListUsers",
            json!({"CollectionId": "c1", "MaxResults": max_results}),
        );
        assert_eq!(
            error.to_string(),
            format!(
                "1 validation error detected: Value '{max_results}' at 'maxResults' failed to \
                 satisfy constraint: {rule}"
            )
        );
    }
    for max_results in [1, 500] {
        let page = call(
            &store,
            "ListUsers",
            json!({"CollectionId": "c1", "MaxResults": max_results}),
        );
        assert!(page.is_ok(), "MaxResults {max_results}");
    }
}

#[test]
fn list_users_rejects_faces_token() {
    let store = store();
    collection_with_faces(&store, "c1", 3);
    create_user(&store, "c1", "u1");
    let faces = call(
        &store,
        "ListFaces",
        json!({"CollectionId": "c1", "MaxResults": 1}),
    )
    .expect("ListFaces succeeds");

    let error = call_err(
        &store,
        "ListUsers",
        json!({"CollectionId": "c1", "NextToken": faces["NextToken"]}),
    );

    assert_eq!(error.exception_name(), "InvalidPaginationTokenException");
}

#[test]
fn list_users_missing_collection() {
    let store = store();

    let error = call_err(&store, "ListUsers", json!({"CollectionId": "ghost"}));

    assert_eq!(error.exception_name(), "ResourceNotFoundException");
}
