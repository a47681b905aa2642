//! The router: `POST /` runs the operation named by `X-Amz-Target` through
//! [`dispatch::call`] on a blocking thread.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

use super::body::{parse_json, read_limited};
use super::error::ApiError;
use super::target;
use crate::Store;
use crate::dispatch;

/// Media type of AWS JSON 1.1 requests and responses.
pub(crate) const AMZ_JSON: &str = "application/x-amz-json-1.1";

#[derive(Clone)]
struct ServerState {
    store: Arc<Store>,
    max_body_bytes: usize,
}

/// Builds the router serving `store`, rejecting request bodies over `max_body_bytes` bytes.
///
/// Serve it with `axum::serve`, or drive it in tests with `tower::ServiceExt::oneshot`.
pub fn router(store: Arc<Store>, max_body_bytes: usize) -> Router {
    let state = ServerState {
        store,
        max_body_bytes,
    };
    Router::new()
        .route("/", post(handle).fallback(wrong_route))
        .fallback(wrong_route)
        .with_state(state)
        .layer(middleware::map_response(add_request_id))
}

async fn handle(State(state): State<ServerState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let operation = match target::operation(&parts.headers) {
        Ok(operation) => operation,
        Err(error) => {
            tracing::warn!(
                amz_target = %target::printable(&parts.headers),
                exception = error.exception,
                "request failed"
            );
            return error.into_response();
        }
    };

    tracing::debug!(operation, "request received");

    match run_operation(state, operation, &parts.headers, body).await {
        Ok(response) => {
            tracing::debug!(operation, "request succeeded");
            json_response(&response)
        }
        Err(error) => {
            log_failure(operation, &error);
            error.into_response()
        }
    }
}

async fn run_operation(
    state: ServerState,
    operation: &'static str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, ApiError> {
    check_content_type(headers)?;
    let body = read_limited(headers, body, state.max_body_bytes).await?;
    let request = parse_json(&body)?;
    drop(body);

    // The store runs blocking redb transactions, which must not stall the async workers.
    let store = state.store;
    let outcome =
        tokio::task::spawn_blocking(move || dispatch::call(&store, operation, request)).await;
    match outcome {
        Ok(result) => result.map_err(ApiError::from),
        Err(join_error) => Err(ApiError::internal(format!(
            "{operation} stopped before finishing: {join_error}"
        ))),
    }
}

/// Accepts `application/x-amz-json-1.1`, with or without parameters such as `charset`, which
/// is what every AWS SDK sends to a JSON 1.1 service.
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let value = headers.get(header::CONTENT_TYPE);
    let media_type = value
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    if media_type.is_some_and(|media_type| media_type.eq_ignore_ascii_case(AMZ_JSON)) {
        return Ok(());
    }
    let found = match value {
        Some(value) => format!("'{}'", value.as_bytes().escape_ascii()),
        None => "none".to_owned(),
    };
    Err(ApiError::unsupported_media_type(format!(
        "unsupported Content-Type {found}; send Content-Type: {AMZ_JSON}"
    )))
}

fn json_response(value: &Value) -> Response {
    let mut response = (StatusCode::OK, value.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON));
    response
}

fn log_failure(operation: &str, error: &ApiError) {
    if error.status.is_server_error() {
        // Internal messages describe storage failures, never the request's content.
        tracing::error!(
            operation,
            exception = error.exception,
            error = %error.message,
            "request failed"
        );
    } else {
        tracing::warn!(operation, exception = error.exception, "request failed");
    }
}

async fn wrong_route(method: Method, uri: Uri) -> Response {
    let status = if uri.path() == "/" {
        StatusCode::METHOD_NOT_ALLOWED
    } else {
        StatusCode::NOT_FOUND
    };
    tracing::warn!(%method, path = uri.path(), "request failed: not POST /");
    ApiError::wrong_route(
        status,
        format!(
            "no operation at {method} {}; send operations as POST / with an X-Amz-Target header",
            uri.path()
        ),
    )
    .into_response()
}

/// Adds the `x-amzn-RequestId` header that AWS services send and SDKs report as the request
/// ID of a response or error.
async fn add_request_id(mut response: Response) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-amzn-RequestId", value);
    }
    response
}
