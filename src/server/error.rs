//! Failed requests as AWS JSON 1.1 error responses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::routing::AMZ_JSON;

/// A failed request: the HTTP status, the AWS exception name and its message.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) exception: &'static str,
    pub(crate) message: String,
}

impl ApiError {
    fn new(status: StatusCode, exception: &'static str, message: String) -> Self {
        Self {
            status,
            exception,
            message,
        }
    }

    /// Returns an `UnknownOperationException` for a target this server does not serve.
    pub(crate) fn unknown_operation(message: String) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "UnknownOperationException",
            message,
        )
    }

    /// Returns a `SerializationException` for a request body that is not valid JSON.
    pub(crate) fn serialization(message: String) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "SerializationException", message)
    }

    /// Returns an HTTP 413 error for a request body larger than the configured maximum.
    pub(crate) fn too_large(message: String) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLargeException",
            message,
        )
    }

    /// Returns an HTTP 415 error for a `Content-Type` other than the AWS JSON 1.1 media type.
    pub(crate) fn unsupported_media_type(message: String) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaTypeException",
            message,
        )
    }

    /// Returns an `UnknownOperationException` for a request that is not `POST /`.
    pub(crate) fn wrong_route(status: StatusCode, message: String) -> Self {
        Self::new(status, "UnknownOperationException", message)
    }

    /// Returns an `InternalServerError` for a failure that the request did not cause.
    pub(crate) fn internal(message: String) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            message,
        )
    }
}

impl From<crate::Error> for ApiError {
    fn from(error: crate::Error) -> Self {
        let status = if error.is_internal() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        Self::new(status, error.exception_name(), error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // AWS sends the message of a ValidationException as lower-case `message` and every
        // other one as `Message`. botocore reads either.
        let message_key = if self.exception == "ValidationException" {
            "message"
        } else {
            "Message"
        };
        let body = json!({ "__type": self.exception, message_key: self.message });

        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(AMZ_JSON));
        headers.insert("x-amzn-ErrorType", HeaderValue::from_static(self.exception));
        response
    }
}
