//! The HTTP fuzz target: request bytes through the server's router.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::fixture;
use crate::dispatch;

/// Targets the first input byte chooses from, beyond the operations of [`dispatch::OPERATIONS`].
const EXTRA_TARGETS: &[&str] = &[
    "FaceStoreService.ImportFaces",
    "RekognitionService.IndexFaces",
    "RekognitionService.SearchFacesByImage",
    "RekognitionService.NoSuchOperation",
    "OtherService.DeleteFaces",
    "",
];

/// Largest body the fuzzed router accepts, small so that the limit itself is reached.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Sends one request to the server's router on a populated in-memory store.
///
/// The first byte picks the `X-Amz-Target` (an operation, or a target the server must reject)
/// and the rest is the body, sent as it is. The response must be a status below 500 with a
/// JSON body, and an error body must name its exception in `__type`.
pub fn http_request(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let target = target(selector);

    let response = runtime().block_on(async {
        let store = Arc::new(fixture::populated_store());
        let request = Request::post("/")
            .header(header::CONTENT_TYPE, "application/x-amz-json-1.1")
            .header("x-amz-target", &target)
            .body(Body::from(body.to_vec()))
            .expect("a request with a valid method, URI and headers");
        let response = crate::server::router(store, MAX_BODY_BYTES)
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a response body held in memory")
            .to_bytes();
        (status, bytes)
    });

    let (status, bytes) = response;
    assert!(
        status.as_u16() < 500,
        "{target} returned {status}: {}",
        String::from_utf8_lossy(&bytes)
    );
    let json: Value = serde_json::from_slice(&bytes).expect("every response body is JSON");
    if status != StatusCode::OK {
        assert!(
            json["__type"].is_string(),
            "{target} error without __type: {json}"
        );
    }
}

fn target(selector: u8) -> String {
    let index = usize::from(selector) % (dispatch::OPERATIONS.len() + EXTRA_TARGETS.len());
    match dispatch::OPERATIONS.get(index) {
        Some((operation, _)) => format!("RekognitionService.{operation}"),
        None => EXTRA_TARGETS[index - dispatch::OPERATIONS.len()].to_owned(),
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime starts")
    })
}
