//! Reading a request body up to the configured maximum size.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::Value;

use super::error::ApiError;

/// Reads `body` whole, rejecting it once it exceeds `max_bytes`.
///
/// A declared `Content-Length` above the maximum is rejected before any byte is read, and a
/// body without one (chunked) is read only up to the first frame past the maximum.
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    body: Body,
    max_bytes: usize,
) -> Result<Bytes, ApiError> {
    if let Some(length) = declared_length(headers)
        && length > max_bytes as u64
    {
        return Err(too_large(max_bytes));
    }

    match Limited::new(body, max_bytes).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(too_large(max_bytes)),
        Err(error) => Err(ApiError::serialization(format!(
            "reading the request body failed: {error}"
        ))),
    }
}

/// Parses a request body as JSON; an empty body is the empty object `{}`.
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    if body.trim_ascii().is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    serde_json::from_slice(body).map_err(|error| {
        ApiError::serialization(format!(
            "the request body is not valid JSON: {error}; send a JSON object such as \
             {{\"CollectionId\": \"myphotos\"}}"
        ))
    })
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

fn too_large(max_bytes: usize) -> ApiError {
    ApiError::too_large(format!(
        "the request body exceeds the maximum of {max_bytes} bytes; send fewer faces per \
         request or start the server with a larger --max-body-bytes"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_is_empty_object() {
        assert_eq!(parse_json(b"").expect("empty body"), serde_json::json!({}));
        assert_eq!(
            parse_json(b" \n").expect("blank body"),
            serde_json::json!({})
        );
    }

    #[test]
    fn malformed_json_names_position() {
        let error = parse_json(b"{\"CollectionId\": ").expect_err("malformed");
        assert_eq!(error.exception, "SerializationException");
        assert!(error.message.contains("line 1 column"), "{}", error.message);
    }
}
