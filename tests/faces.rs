//! ListFaces (order, filters, pagination, tokens) and ImportFaces (generated IDs, re-import,
//! embeddings, users).

mod common;

use common::{
    TestResult, all_face_ids, all_faces, associate, call, call_err, collection_with_faces,
    create_collection, create_user, describe, face, face_id, face_with_embedding, import, number,
    store,
};
use facestore::Store;
use facestore::api::{FaceInput, ImportFacesRequest};
use serde_json::{Value, json};

fn list_faces(store: &Store, request: Value) -> Value {
    call(store, "ListFaces", request).expect("ListFaces succeeds")
}

fn ids_of(page: &Value) -> Vec<String> {
    page["Faces"]
        .as_array()
        .map(|faces| {
            faces
                .iter()
                .map(|face| face["FaceId"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn faces_listed_in_id_order() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let numbers = [9_u32, 0xfff, 3, 0xa0, 1];
    import(
        &store,
        "c1",
        numbers.iter().map(|n| face(&face_id(*n))).collect(),
    );

    let page = list_faces(&store, json!({"CollectionId": "c1"}));

    let mut expected: Vec<String> = numbers.iter().map(|n| face_id(*n)).collect();
    expected.sort();
    assert_eq!(ids_of(&page), expected);
    assert_eq!(page["FaceModelVersion"], "7.0");
    assert!(page.get("NextToken").is_none());
    Ok(())
}

#[test]
fn every_page_has_model_version() -> TestResult {
    let store = store();
    collection_with_faces(&store, "c1", 5);
    let mut request = json!({"CollectionId": "c1", "MaxResults": 2});
    let mut pages = 0;

    loop {
        let page = list_faces(&store, request.clone());
        pages += 1;
        assert_eq!(page["FaceModelVersion"], "7.0", "page {pages}");
        match page.get("NextToken") {
            Some(token) => request["NextToken"] = token.clone(),
            None => break,
        }
    }

    assert_eq!(pages, 3);
    Ok(())
}

#[test]
fn user_filter_keeps_their_faces() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 6);
    create_user(&store, "c1", "u1");
    create_user(&store, "c1", "u2");
    associate(&store, "c1", "u1", &[&ids[4], &ids[1]]);
    associate(&store, "c1", "u2", &[&ids[2]]);

    let page = list_faces(&store, json!({"CollectionId": "c1", "UserId": "u1"}));

    assert_eq!(ids_of(&page), [ids[1].clone(), ids[4].clone()]);
    assert_eq!(page["Faces"][0]["UserId"], "u1");
    Ok(())
}

#[test]
fn unknown_user_gives_empty_page() -> TestResult {
    let store = store();
    collection_with_faces(&store, "c1", 3);

    let page = list_faces(&store, json!({"CollectionId": "c1", "UserId": "nobody"}));

    assert_eq!(page, json!({"Faces": [], "FaceModelVersion": "7.0"}));
    Ok(())
}

#[test]
fn face_ids_filter_skips_unknown() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 5);

    let page = list_faces(
        &store,
        json!({"CollectionId": "c1", "FaceIds": [ids[3], face_id(77), ids[0], ids[3]]}),
    );

    assert_eq!(ids_of(&page), [ids[0].clone(), ids[3].clone()]);
    Ok(())
}

#[test]
fn both_filters_intersect() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 6);
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&ids[0], &ids[1], &ids[2]]);

    let page = list_faces(
        &store,
        json!({"CollectionId": "c1", "UserId": "u1", "FaceIds": [ids[1], ids[2], ids[5]]}),
    );

    assert_eq!(ids_of(&page), [ids[1].clone(), ids[2].clone()]);
    Ok(())
}

#[test]
fn filtered_lists_paginate_too() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 8);
    create_user(&store, "c1", "u1");
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    associate(&store, "c1", "u1", &refs[..5]);

    for filter in [
        json!({"UserId": "u1"}),
        json!({"FaceIds": ids[..5]}),
        json!({"UserId": "u1", "FaceIds": ids}),
    ] {
        let mut request = filter.clone();
        request["CollectionId"] = json!("c1");
        request["MaxResults"] = json!(2);
        let mut seen = Vec::new();
        loop {
            let page = list_faces(&store, request.clone());
            seen.extend(ids_of(&page));
            match page.get("NextToken") {
                Some(token) => request["NextToken"] = token.clone(),
                None => break,
            }
        }
        assert_eq!(seen, ids[..5], "filter {filter}");
    }
    Ok(())
}

#[test]
fn changes_between_pages_keep_order() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let even: Vec<String> = (1..=10).map(|n| face_id(n * 2)).collect();
    import(&store, "c1", even.iter().map(|id| face(id)).collect());

    let first = list_faces(&store, json!({"CollectionId": "c1", "MaxResults": 4}));
    // Delete the next face and a later one, and insert one before the page's end and two
    // after it.
    call(
        &store,
        "DeleteFaces",
        json!({"CollectionId": "c1", "FaceIds": [face_id(10), face_id(16)]}),
    )?;
    import(
        &store,
        "c1",
        vec![face(&face_id(3)), face(&face_id(11)), face(&face_id(21))],
    );
    let mut request =
        json!({"CollectionId": "c1", "MaxResults": 4, "NextToken": first["NextToken"]});
    let mut rest = Vec::new();
    loop {
        let page = list_faces(&store, request.clone());
        rest.extend(ids_of(&page));
        match page.get("NextToken") {
            Some(token) => request["NextToken"] = token.clone(),
            None => break,
        }
    }

    assert_eq!(ids_of(&first), even[..4]);
    let expected: Vec<String> = [11, 12, 14, 18, 20, 21].map(face_id).to_vec();
    assert_eq!(rest, expected);
    Ok(())
}

#[test]
fn default_page_is_1000_faces() -> TestResult {
    let store = store();
    let ids = collection_with_faces(&store, "c1", 1001);

    let absent = list_faces(&store, json!({"CollectionId": "c1"}));
    let zero = list_faces(&store, json!({"CollectionId": "c1", "MaxResults": 0}));
    let rest = list_faces(
        &store,
        json!({"CollectionId": "c1", "NextToken": absent["NextToken"]}),
    );

    assert_eq!(ids_of(&absent), ids[..1000]);
    assert_eq!(ids_of(&zero), ids[..1000]);
    assert_eq!(ids_of(&rest), ids[1000..]);
    assert!(rest.get("NextToken").is_none());
    Ok(())
}

#[test]
fn other_collection_token_rejected() {
    let store = store();
    collection_with_faces(&store, "c1", 3);
    collection_with_faces(&store, "c2", 3);
    let page = list_faces(&store, json!({"CollectionId": "c1", "MaxResults": 1}));

    let error = call_err(
        &store,
        "ListFaces",
        json!({"CollectionId": "c2", "NextToken": page["NextToken"]}),
    );

    assert_eq!(error.exception_name(), "InvalidPaginationTokenException");
}

#[test]
fn recreated_collection_token_rejected() -> TestResult {
    let store = store();
    collection_with_faces(&store, "c1", 3);
    let page = list_faces(&store, json!({"CollectionId": "c1", "MaxResults": 1}));
    call(&store, "DeleteCollection", json!({"CollectionId": "c1"}))?;
    collection_with_faces(&store, "c1", 3);

    let error = call_err(
        &store,
        "ListFaces",
        json!({"CollectionId": "c1", "NextToken": page["NextToken"]}),
    );

    assert_eq!(error.exception_name(), "InvalidPaginationTokenException");
    Ok(())
}

#[test]
fn tampered_token_rejected() -> TestResult {
    let store = store();
    collection_with_faces(&store, "c1", 3);
    let page = list_faces(&store, json!({"CollectionId": "c1", "MaxResults": 1}));
    let token = page["NextToken"].as_str().ok_or("no token")?;

    for position in [0, token.len() / 2, token.len() - 1] {
        let mut characters: Vec<char> = token.chars().collect();
        characters[position] = if characters[position] == 'A' {
            'B'
        } else {
            'A'
        };
        let tampered: String = characters.into_iter().collect();
        let error = call_err(
            &store,
            "ListFaces",
            json!({"CollectionId": "c1", "NextToken": tampered}),
        );
        assert_eq!(
            error.exception_name(),
            "InvalidPaginationTokenException",
            "character {position}"
        );
    }
    let shortened = &token[..token.len() - 2];
    let error = call_err(
        &store,
        "ListFaces",
        json!({"CollectionId": "c1", "NextToken": shortened}),
    );
    assert_eq!(error.exception_name(), "InvalidPaginationTokenException");
    Ok(())
}

#[test]
fn list_users_token_rejected() {
    let store = store();
    collection_with_faces(&store, "c1", 3);
    create_user(&store, "c1", "u1");
    create_user(&store, "c1", "u2");
    let users = call(
        &store,
        "ListUsers",
        json!({"CollectionId": "c1", "MaxResults": 1}),
    )
    .expect("ListUsers succeeds");

    let error = call_err(
        &store,
        "ListFaces",
        json!({"CollectionId": "c1", "NextToken": users["NextToken"]}),
    );

    assert_eq!(error.exception_name(), "InvalidPaginationTokenException");
}

#[test]
fn list_missing_collection_not_found() {
    let store = store();

    let error = call_err(&store, "ListFaces", json!({"CollectionId": "ghost"}));

    assert_eq!(error.exception_name(), "ResourceNotFoundException");
}

#[test]
fn list_validation_names_member() {
    let store = store();
    create_collection(&store, "c1");

    let error = call_err(
        &store,
        "ListFaces",
        json!({"CollectionId": "c1", "MaxResults": 4097, "UserId": "bad user"}),
    );

    let message = error.to_string();
    assert!(message.starts_with(
        "2 validation errors detected: Value '4097' at 'maxResults' failed to satisfy \
         constraint: Member must have value less than or equal to 4096; Value 'bad user' at \
         'userId'"
    ));
}

#[test]
fn import_generates_missing_ids() -> TestResult {
    let store = store();
    create_collection(&store, "c1");

    let response = import(&store, "c1", vec![json!({"Confidence": 90})]);

    let face_id = response["Faces"][0]["FaceId"].as_str().ok_or("no FaceId")?;
    let image_id = response["Faces"][0]["ImageId"]
        .as_str()
        .ok_or("no ImageId")?;
    assert!(uuid::Uuid::parse_str(face_id).is_ok());
    assert_eq!(face_id, face_id.to_lowercase());
    assert!(uuid::Uuid::parse_str(image_id).is_ok());
    assert_eq!(all_face_ids(&store, "c1")?, [face_id]);
    Ok(())
}

#[test]
fn identical_reimport_is_skipped() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let faces = vec![face(&face_id(1)), face(&face_id(2))];
    import(&store, "c1", faces.clone());

    let again = import(&store, "c1", faces);

    assert_eq!(again["Faces"], json!([]));
    assert_eq!(again["SkippedFaceIds"], json!([face_id(1), face_id(2)]));
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 2);
    Ok(())
}

#[test]
fn different_record_same_id_rejected() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    import(&store, "c1", vec![face(&face_id(1))]);
    let mut changed = face(&face_id(1));
    changed["Confidence"] = json!(50.0);

    let error = call_err(
        &store,
        "ImportFaces",
        json!({"CollectionId": "c1", "Faces": [face(&face_id(2)), changed]}),
    );

    assert_eq!(error.exception_name(), "InvalidParameterException");
    assert!(error.to_string().contains(&face_id(1)));
    assert_eq!(all_face_ids(&store, "c1")?, [face_id(1)]);
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 1);
    Ok(())
}

#[test]
fn first_embedding_fixes_dimension() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    import(
        &store,
        "c1",
        vec![face_with_embedding(&face_id(1), &[0.1, 0.2, 0.3])],
    );

    let error = call_err(
        &store,
        "ImportFaces",
        json!({"CollectionId": "c1", "Faces": [face_with_embedding(&face_id(2), &[0.1, 0.2])]}),
    );
    let same = import(
        &store,
        "c1",
        vec![face_with_embedding(&face_id(3), &[0.3, 0.2, 0.1])],
    );

    assert_eq!(error.exception_name(), "InvalidParameterException");
    assert!(error.to_string().contains("2 values"));
    assert_eq!(same["Faces"][0]["FaceId"], json!(face_id(3)));
    assert_eq!(all_face_ids(&store, "c1")?, [face_id(1), face_id(3)]);
    Ok(())
}

#[test]
fn mixed_lengths_in_one_batch_rejected() -> TestResult {
    let store = store();
    create_collection(&store, "c1");

    let error = call_err(
        &store,
        "ImportFaces",
        json!({"CollectionId": "c1", "Faces": [
            face_with_embedding(&face_id(1), &[0.1, 0.2, 0.3]),
            face_with_embedding(&face_id(2), &[0.1, 0.2, 0.3, 0.4]),
        ]}),
    );

    assert_eq!(error.exception_name(), "InvalidParameterException");
    assert_eq!(all_face_ids(&store, "c1")?, Vec::<String>::new());
    Ok(())
}

#[test]
fn non_finite_embedding_rejected() -> TestResult {
    let store = store();
    create_collection(&store, "c1");

    for value in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let error = store
            .import_faces(&ImportFacesRequest {
                collection_id: "c1".into(),
                faces: vec![FaceInput {
                    embedding: Some(vec![0.5, value]),
                    ..FaceInput::default()
                }],
            })
            .expect_err("a non-finite embedding is rejected");
        assert_eq!(
            error.exception_name(),
            "InvalidParameterException",
            "{value}"
        );
        assert!(error.to_string().contains("position 1"), "{error}");
    }
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 0);
    Ok(())
}

#[test]
fn empty_embedding_rejected() {
    let store = store();
    create_collection(&store, "c1");

    let error = call_err(
        &store,
        "ImportFaces",
        json!({"CollectionId": "c1", "Faces": [face_with_embedding(&face_id(1), &[])]}),
    );

    assert_eq!(error.exception_name(), "InvalidParameterException");
}

#[test]
fn import_user_id_creates_user() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let mut first = face(&face_id(1));
    first["UserId"] = json!("alice");
    let mut second = face(&face_id(2));
    second["UserId"] = json!("alice");

    import(&store, "c1", vec![first, second, face(&face_id(3))]);

    let users = call(&store, "ListUsers", json!({"CollectionId": "c1"}))?;
    assert_eq!(
        users["Users"],
        json!([{"UserId": "alice", "UserStatus": "ACTIVE"}])
    );
    assert_eq!(number(&describe(&store, "c1")?, "UserCount"), 1);
    let page = list_faces(&store, json!({"CollectionId": "c1", "UserId": "alice"}));
    assert_eq!(ids_of(&page), [face_id(1), face_id(2)]);
    Ok(())
}

#[test]
fn import_past_user_quota_fails() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let faces: Vec<Value> = (1..=101)
        .map(|n| {
            let mut face = face(&face_id(n));
            face["UserId"] = json!("alice");
            face
        })
        .collect();

    let error = call_err(
        &store,
        "ImportFaces",
        json!({"CollectionId": "c1", "Faces": faces[..101]}),
    );
    import(&store, "c1", faces[..100].to_vec());

    assert_eq!(error.exception_name(), "ServiceQuotaExceededException");
    assert!(error.to_string().contains("alice"));
    assert_eq!(number(&describe(&store, "c1")?, "FaceCount"), 100);
    Ok(())
}

#[test]
fn import_invalid_face_id_path() {
    let store = store();
    create_collection(&store, "c1");

    let error = call_err(
        &store,
        "ImportFaces",
        json!({"CollectionId": "c1", "Faces": [face(&face_id(1)), {"FaceId": "NOT-A-UUID"}]}),
    );

    assert_eq!(error.exception_name(), "ValidationException");
    assert!(error.to_string().contains("at 'faces.2.member.faceId'"));
}

#[test]
fn import_missing_collection_not_found() {
    let store = store();

    let error = call_err(
        &store,
        "ImportFaces",
        json!({"CollectionId": "ghost", "Faces": [face(&face_id(1))]}),
    );

    assert_eq!(error.exception_name(), "ResourceNotFoundException");
}

#[test]
fn listfaces_document_round_trips() -> TestResult {
    let store = store();
    let document: Value = serde_json::from_str(include_str!("data/listfaces-example.json"))?;
    create_collection(&store, "myphotos");
    import(
        &store,
        "myphotos",
        document["Faces"].as_array().ok_or("no Faces")?.clone(),
    );

    let page = list_faces(&store, json!({"CollectionId": "myphotos"}));

    assert_eq!(page["Faces"], document["Faces"]);
    Ok(())
}

#[test]
fn reimport_without_image_id_skipped() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let without_image = json!({"FaceId": face_id(1), "Confidence": 99.0});
    let first = import(&store, "c1", vec![without_image.clone()]);

    let again = import(&store, "c1", vec![without_image]);

    assert_eq!(again["SkippedFaceIds"], json!([face_id(1)]));
    let faces = all_faces(&store, "c1")?;
    assert_eq!(faces[0]["ImageId"], first["Faces"][0]["ImageId"]);
    Ok(())
}

#[test]
fn reimport_after_association_skipped() -> TestResult {
    let store = store();
    create_collection(&store, "c1");
    let line = face_with_embedding(&face_id(1), &[0.5, 0.25]);
    import(&store, "c1", vec![line.clone()]);
    create_user(&store, "c1", "u1");
    associate(&store, "c1", "u1", &[&face_id(1)]);

    let again = import(&store, "c1", vec![line]);

    assert_eq!(again["SkippedFaceIds"], json!([face_id(1)]));
    let faces = all_faces(&store, "c1")?;
    assert_eq!(faces[0]["UserId"], json!("u1"));
    Ok(())
}

#[test]
fn reimport_with_other_embedding_rejected() {
    let store = store();
    create_collection(&store, "c1");
    import(
        &store,
        "c1",
        vec![face_with_embedding(&face_id(1), &[0.5, 0.25])],
    );

    let error = call_err(
        &store,
        "ImportFaces",
        json!({"CollectionId": "c1", "Faces": [face_with_embedding(&face_id(1), &[0.5, 0.75])]}),
    );

    assert_eq!(error.exception_name(), "InvalidParameterException");
    assert!(error.to_string().contains(&face_id(1)));
}
