//! The HTTP layer driven in-process with `oneshot`: protocol errors, body limits, error
//! shapes, and overlapping DeleteFaces from many concurrent clients.

#![cfg(feature = "server")]

use std::collections::BTreeMap;
use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use facestore::Store;
use facestore::server::router;
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};
use tower::ServiceExt;

type TestResult = Result<(), Box<dyn Error>>;

const AMZ_JSON: &str = "application/x-amz-json-1.1";
const LIMIT: usize = 4096;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

fn memory_router() -> Result<Router, Box<dyn Error>> {
    let store = Store::builder().open_in_memory()?;
    Ok(router(Arc::new(store), LIMIT))
}

fn request(target: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post("/")
        .header(header::CONTENT_TYPE, AMZ_JSON)
        .header("X-Amz-Target", target)
        .body(body.into())
        .expect("valid request")
}

async fn send(router: &Router, request: Request<Body>) -> Result<Reply, Box<dyn Error>> {
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)?
    };
    Ok(Reply {
        status,
        headers,
        body,
    })
}

async fn call(router: &Router, operation: &str, body: Value) -> Result<Reply, Box<dyn Error>> {
    let target = if operation == "ImportFaces" {
        format!("FaceStoreService.{operation}")
    } else {
        format!("RekognitionService.{operation}")
    };
    send(router, request(&target, body.to_string())).await
}

fn face_id(n: usize) -> String {
    format!("{n:08x}-0000-4000-8000-000000000000")
}

async fn collection_with_faces(router: &Router, id: &str, count: usize) -> TestResult {
    let created = call(router, "CreateCollection", json!({ "CollectionId": id })).await?;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let faces: Vec<Value> = (0..count)
        .map(|n| json!({ "FaceId": face_id(n) }))
        .collect();
    let imported = call(
        router,
        "ImportFaces",
        json!({ "CollectionId": id, "Faces": faces }),
    )
    .await?;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    Ok(())
}

/// Asserts the AWS JSON 1.1 error shape and returns the message.
fn error_message(reply: &Reply, status: StatusCode, exception: &str) -> String {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.body["__type"], exception, "{}", reply.body);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        AMZ_JSON,
        "error content type"
    );
    let key = if exception == "ValidationException" {
        "message"
    } else {
        "Message"
    };
    let other = if key == "message" {
        "Message"
    } else {
        "message"
    };
    assert!(reply.body.get(other).is_none(), "{}", reply.body);
    reply.body[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {}", reply.body))
        .to_owned()
}

#[tokio::test]
async fn success_has_amz_json_and_request_id() -> TestResult {
    let router = memory_router()?;
    let reply = call(&router, "CreateCollection", json!({ "CollectionId": "c1" })).await?;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers[header::CONTENT_TYPE], AMZ_JSON);
    assert!(reply.headers.contains_key("x-amzn-requestid"));
    assert_eq!(
        reply.body,
        json!({
            "StatusCode": 200,
            "CollectionArn": "aws:rekognition:us-east-1:000000000000:collection/c1",
            "FaceModelVersion": "7.0"
        })
    );
    Ok(())
}

#[tokio::test]
async fn describe_timestamp_is_epoch_seconds() -> TestResult {
    let router = memory_router()?;
    call(&router, "CreateCollection", json!({ "CollectionId": "c1" })).await?;
    let reply = call(
        &router,
        "DescribeCollection",
        json!({ "CollectionId": "c1" }),
    )
    .await?;

    let timestamp = reply.body["CreationTimestamp"]
        .as_f64()
        .ok_or("CreationTimestamp is not a number")?;
    // Between 2020 and 2100 in seconds; milliseconds would be 1000 times larger.
    assert!(timestamp > 1.5e9, "{timestamp}");
    assert!(timestamp < 4.2e9, "{timestamp}");
    Ok(())
}

#[tokio::test]
async fn empty_face_ids_is_validation_error() -> TestResult {
    let router = memory_router()?;
    collection_with_faces(&router, "c1", 1).await?;
    let reply = call(
        &router,
        "DeleteFaces",
        json!({ "CollectionId": "c1", "FaceIds": [] }),
    )
    .await?;

    let message = error_message(&reply, StatusCode::BAD_REQUEST, "ValidationException");
    assert!(
        message.starts_with(
            "1 validation error detected: Value '[]' at 'faceIds' failed to satisfy \
             constraint: Member must have length greater than or equal to 1"
        ),
        "{message}"
    );
    Ok(())
}

#[tokio::test]
async fn missing_required_field_is_named() -> TestResult {
    let router = memory_router()?;
    let reply = call(&router, "DeleteFaces", json!({ "FaceIds": [face_id(1)] })).await?;

    let message = error_message(&reply, StatusCode::BAD_REQUEST, "ValidationException");
    assert!(message.contains("'collectionId'"), "{message}");
    assert!(message.contains("must not be null"), "{message}");
    Ok(())
}

#[tokio::test]
async fn wrong_field_type_is_named() -> TestResult {
    let router = memory_router()?;
    let reply = call(
        &router,
        "DeleteFaces",
        json!({ "CollectionId": "c1", "FaceIds": "not-a-list" }),
    )
    .await?;

    let message = error_message(&reply, StatusCode::BAD_REQUEST, "ValidationException");
    assert!(message.contains("faceIds"), "{message}");
    Ok(())
}

#[tokio::test]
async fn constraint_violation_is_named() -> TestResult {
    let router = memory_router()?;
    let reply = call(
        &router,
        "CreateCollection",
        json!({ "CollectionId": "my photos" }),
    )
    .await?;

    let message = error_message(&reply, StatusCode::BAD_REQUEST, "ValidationException");
    assert!(message.contains("'my photos'"), "{message}");
    assert!(message.contains("collectionId"), "{message}");
    Ok(())
}

#[tokio::test]
async fn malformed_json_is_serialization_error() -> TestResult {
    let router = memory_router()?;
    for body in [
        "{\"CollectionId\": ",
        "not json",
        "{\"CollectionId\": \"c1\",}",
    ] {
        let reply = send(
            &router,
            request("RekognitionService.CreateCollection", body),
        )
        .await?;
        let message = error_message(&reply, StatusCode::BAD_REQUEST, "SerializationException");
        assert!(message.contains("not valid JSON"), "{message}");
        assert!(message.contains("line 1 column"), "{message}");
    }
    Ok(())
}

#[tokio::test]
async fn non_object_body_is_validation_error() -> TestResult {
    let router = memory_router()?;
    let reply = send(
        &router,
        request("RekognitionService.ListCollections", "[1]"),
    )
    .await?;

    let message = error_message(&reply, StatusCode::BAD_REQUEST, "ValidationException");
    assert!(message.contains("JSON object"), "{message}");
    Ok(())
}

#[tokio::test]
async fn empty_body_is_empty_request() -> TestResult {
    let router = memory_router()?;
    let reply = send(&router, request("RekognitionService.ListCollections", "")).await?;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["CollectionIds"], json!([]));
    Ok(())
}

#[tokio::test]
async fn unknown_fields_are_ignored() -> TestResult {
    let router = memory_router()?;
    let reply = call(
        &router,
        "CreateCollection",
        json!({ "CollectionId": "c1", "Color": "blue", "Nested": { "A": [1] } }),
    )
    .await?;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    Ok(())
}

#[tokio::test]
async fn unknown_targets_are_rejected() -> TestResult {
    let router = memory_router()?;
    let targets = [
        "RekognitionService.NoSuchOperation",
        "RekognitionService.DetectFaces",
        "RekognitionService.ImportFaces",
        "FaceStoreService.ListFaces",
        "OtherService.ListFaces",
        "ListFaces",
        "RekognitionService.",
    ];
    for target in targets {
        let reply = send(&router, request(target, "{}")).await?;
        let message = error_message(&reply, StatusCode::BAD_REQUEST, "UnknownOperationException");
        assert!(message.contains(&format!("'{target}'")), "{message}");
        assert!(
            message.contains("RekognitionService.ListFaces"),
            "{message}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn missing_target_is_rejected() -> TestResult {
    let router = memory_router()?;
    let request = Request::post("/")
        .header(header::CONTENT_TYPE, AMZ_JSON)
        .body(Body::from("{}"))?;
    let reply = send(&router, request).await?;

    let message = error_message(&reply, StatusCode::BAD_REQUEST, "UnknownOperationException");
    assert!(message.contains("X-Amz-Target"), "{message}");
    Ok(())
}

#[tokio::test]
async fn image_operations_point_to_import() -> TestResult {
    let router = memory_router()?;
    for operation in ["IndexFaces", "SearchFacesByImage", "SearchUsersByImage"] {
        let body = json!({ "CollectionId": "c1", "Image": { "Bytes": "AAAA" } });
        let reply = call(&router, operation, body).await?;
        let message = error_message(&reply, StatusCode::BAD_REQUEST, "InvalidParameterException");
        assert!(
            message.contains("FaceStoreService.ImportFaces"),
            "{message}"
        );
        assert!(message.contains(operation), "{message}");
    }
    Ok(())
}

#[tokio::test]
async fn wrong_content_type_is_rejected() -> TestResult {
    let router = memory_router()?;
    for content_type in [
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        None,
    ] {
        let mut builder =
            Request::post("/").header("X-Amz-Target", "RekognitionService.ListCollections");
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        let reply = send(&router, builder.body(Body::from("{}"))?).await?;
        let message = error_message(
            &reply,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaTypeException",
        );
        assert!(message.contains(AMZ_JSON), "{message}");
    }
    Ok(())
}

#[tokio::test]
async fn content_type_parameters_are_accepted() -> TestResult {
    let router = memory_router()?;
    let request = Request::post("/")
        .header(
            header::CONTENT_TYPE,
            "Application/X-Amz-Json-1.1; charset=utf-8",
        )
        .header("X-Amz-Target", "RekognitionService.ListCollections")
        .body(Body::from("{}"))?;
    let reply = send(&router, request).await?;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    Ok(())
}

#[tokio::test]
async fn other_routes_are_rejected() -> TestResult {
    let router = memory_router()?;
    let get = Request::get("/").body(Body::empty())?;
    let reply = send(&router, get).await?;
    error_message(
        &reply,
        StatusCode::METHOD_NOT_ALLOWED,
        "UnknownOperationException",
    );

    let other_path = request("RekognitionService.ListCollections", "{}");
    let (mut parts, body) = other_path.into_parts();
    parts.uri = "/collections".parse()?;
    let reply = send(&router, Request::from_parts(parts, body)).await?;
    error_message(&reply, StatusCode::NOT_FOUND, "UnknownOperationException");
    Ok(())
}

#[tokio::test]
async fn oversized_declared_body_is_not_read() -> TestResult {
    let router = memory_router()?;
    let polled = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&polled);
    let chunks = stream::iter([0]).map(move |_| {
        flag.store(true, Ordering::SeqCst);
        Ok::<_, std::io::Error>(Bytes::from(vec![b' '; LIMIT + 1]))
    });
    let request = Request::post("/")
        .header(header::CONTENT_TYPE, AMZ_JSON)
        .header("X-Amz-Target", "RekognitionService.ListCollections")
        .header(header::CONTENT_LENGTH, LIMIT + 1)
        .body(Body::from_stream(chunks))?;
    let reply = send(&router, request).await?;

    let message = error_message(
        &reply,
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLargeException",
    );
    assert!(message.contains(&LIMIT.to_string()), "{message}");
    assert!(!polled.load(Ordering::SeqCst), "the body was read");
    Ok(())
}

#[tokio::test]
async fn endless_chunked_body_is_cut_off() -> TestResult {
    let router = memory_router()?;
    // Without Content-Length; the stream never ends, so only the limit stops reading.
    let chunks = stream::repeat_with(|| Ok::<_, std::io::Error>(Bytes::from_static(b"[1,1,1,1,")));
    let request = request(
        "RekognitionService.ListCollections",
        Body::from_stream(chunks),
    );
    let reply = send(&router, request).await?;

    error_message(
        &reply,
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLargeException",
    );
    Ok(())
}

#[tokio::test]
async fn body_at_limit_is_accepted() -> TestResult {
    let router = memory_router()?;
    let mut body = String::from("{\"CollectionId\": \"c1\"");
    body.push_str(&" ".repeat(LIMIT - body.len() - 1));
    body.push('}');
    assert_eq!(body.len(), LIMIT);
    let reply = send(
        &router,
        request("RekognitionService.CreateCollection", body),
    )
    .await?;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    Ok(())
}

#[tokio::test]
async fn service_errors_use_capital_message() -> TestResult {
    let router = memory_router()?;
    let reply = call(
        &router,
        "DescribeCollection",
        json!({ "CollectionId": "family_faces" }),
    )
    .await?;

    let message = error_message(&reply, StatusCode::BAD_REQUEST, "ResourceNotFoundException");
    assert!(message.contains("family_faces"), "{message}");
    assert_eq!(
        reply.headers["x-amzn-errortype"],
        "ResourceNotFoundException"
    );
    Ok(())
}

#[tokio::test]
async fn import_then_list_round_trips() -> TestResult {
    let router = memory_router()?;
    collection_with_faces(&router, "c1", 3).await?;
    let reply = call(
        &router,
        "ListFaces",
        json!({ "CollectionId": "c1", "MaxResults": 2 }),
    )
    .await?;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let faces = reply.body["Faces"].as_array().ok_or("no Faces")?;
    assert_eq!(faces.len(), 2);
    assert_eq!(faces[0]["FaceId"], face_id(0));
    assert!(reply.body["NextToken"].is_string(), "{}", reply.body);
    Ok(())
}

/// Many clients delete overlapping ranges of the same faces at once. redb serializes write
/// transactions, so each face must be reported deleted by exactly one response.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_deletes_delete_each_face_once() -> TestResult {
    const FACES: usize = 200;
    const CLIENTS: usize = 24;
    const SPAN: usize = 40;

    let directory = tempfile::tempdir()?;
    let store = Store::open(directory.path().join("faces.redb"))?;
    let router = router(Arc::new(store), 1 << 20);
    collection_with_faces(&router, "c1", FACES).await?;

    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        // Client k deletes SPAN faces starting at 8k (wrapping), in reverse order for odd k,
        // so each face is requested by several clients in different orders.
        let mut ids: Vec<String> = (0..SPAN)
            .map(|i| face_id((client * 8 + i) % FACES))
            .collect();
        if client % 2 == 1 {
            ids.reverse();
        }
        let router = router.clone();
        clients.push(tokio::spawn(async move {
            let body = json!({ "CollectionId": "c1", "FaceIds": ids });
            call(&router, "DeleteFaces", body)
                .await
                .map(|reply| (ids, reply))
                .map_err(|error| error.to_string())
        }));
    }

    let mut deleted_by: BTreeMap<String, usize> = BTreeMap::new();
    for (client, handle) in clients.into_iter().enumerate() {
        let (ids, reply) = handle.await??;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let deleted = reply.body["DeletedFaces"]
            .as_array()
            .ok_or("no DeletedFaces")?;
        let failed = reply.body["UnsuccessfulFaceDeletions"]
            .as_array()
            .ok_or("no UnsuccessfulFaceDeletions")?;
        assert_eq!(deleted.len() + failed.len(), ids.len(), "client {client}");
        for entry in failed {
            assert_eq!(
                entry["Reasons"],
                json!(["FACE_NOT_FOUND"]),
                "client {client}"
            );
        }
        for id in deleted {
            *deleted_by
                .entry(id.as_str().ok_or("id")?.to_owned())
                .or_default() += 1;
        }
    }

    let requested: usize = (0..FACES)
        .filter(|n| (0..CLIENTS).any(|k| (0..SPAN).any(|i| (k * 8 + i) % FACES == *n)))
        .count();
    assert_eq!(deleted_by.len(), requested, "faces deleted");
    for (id, count) in &deleted_by {
        assert_eq!(*count, 1, "{id} deleted {count} times");
    }
    let described = call(
        &router,
        "DescribeCollection",
        json!({ "CollectionId": "c1" }),
    )
    .await?;
    assert_eq!(described.body["FaceCount"], FACES - requested);
    Ok(())
}
