//! The `X-Amz-Target` header: which operation a request runs.

use axum::http::HeaderMap;

use super::error::ApiError;
use crate::dispatch;

/// Target prefix of the operations of the AWS Rekognition API.
const REKOGNITION: &str = "RekognitionService";

/// Target prefix of the operations facestore adds to the AWS API.
const FACESTORE: &str = "FaceStoreService";

/// Operations served under [`FACESTORE`] only, because the AWS API has no such operation.
const FACESTORE_OPERATIONS: &[&str] = &["ImportFaces"];

/// Rekognition operations that take an image. This server detects no faces, so it rejects
/// them with a pointer to `FaceStoreService.ImportFaces`.
const IMAGE_OPERATIONS: &[&str] = &["IndexFaces", "SearchFacesByImage", "SearchUsersByImage"];

/// Returns the operation name that `headers` target, as [`dispatch::call`] takes it.
pub(crate) fn operation(headers: &HeaderMap) -> Result<&'static str, ApiError> {
    let Some(value) = headers.get("x-amz-target") else {
        return Err(ApiError::unknown_operation(format!(
            "missing X-Amz-Target header; send X-Amz-Target: {REKOGNITION}.<Operation>, such as \
             {REKOGNITION}.ListCollections"
        )));
    };
    let target = value.to_str().unwrap_or_default();
    let (prefix, name) = target.split_once('.').unwrap_or((target, ""));

    if prefix == REKOGNITION && IMAGE_OPERATIONS.contains(&name) {
        return Err(ApiError::from(crate::Error::InvalidParameter(format!(
            "{target} is not supported: this server stores faces detected elsewhere and detects \
             none in images; insert detected faces with {FACESTORE}.ImportFaces"
        ))));
    }
    let served = match prefix {
        REKOGNITION => !FACESTORE_OPERATIONS.contains(&name),
        FACESTORE => FACESTORE_OPERATIONS.contains(&name),
        _ => false,
    };
    match dispatch::OPERATIONS
        .iter()
        .find(|(operation, _)| *operation == name)
    {
        Some((operation, _)) if served => Ok(*operation),
        _ => Err(ApiError::unknown_operation(format!(
            "unknown operation target '{}'; this server serves {}",
            printable(headers),
            served_targets().join(", ")
        ))),
    }
}

/// Lists every target this server serves, for error messages.
fn served_targets() -> Vec<String> {
    dispatch::OPERATIONS
        .iter()
        .map(|(name, _)| {
            let prefix = if FACESTORE_OPERATIONS.contains(name) {
                FACESTORE
            } else {
                REKOGNITION
            };
            format!("{prefix}.{name}")
        })
        .collect()
}

/// Returns the `X-Amz-Target` header for messages and logs, escaped where it is not visible
/// ASCII, and cut to 200 characters so that a long header cannot inflate responses and logs.
pub(crate) fn printable(headers: &HeaderMap) -> String {
    let Some(value) = headers.get("x-amz-target") else {
        return "(none)".to_owned();
    };
    value
        .as_bytes()
        .escape_ascii()
        .to_string()
        .chars()
        .take(200)
        .collect()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn target(value: &str) -> Result<&'static str, ApiError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amz-target",
            HeaderValue::from_str(value).expect("header"),
        );
        operation(&headers)
    }

    #[test]
    fn rekognition_target_names_operation() {
        assert_eq!(
            target("RekognitionService.DeleteFaces").ok(),
            Some("DeleteFaces")
        );
        assert_eq!(
            target("FaceStoreService.ImportFaces").ok(),
            Some("ImportFaces")
        );
    }

    #[test]
    fn import_needs_facestore_prefix() {
        let error = target("RekognitionService.ImportFaces").expect_err("not an AWS operation");
        assert_eq!(error.exception, "UnknownOperationException");
        let error = target("FaceStoreService.ListFaces").expect_err("not an extension");
        assert_eq!(error.exception, "UnknownOperationException");
    }

    #[test]
    fn unknown_target_is_named() {
        for value in [
            "RekognitionService.DetectFaces",
            "Other.ListFaces",
            "ListFaces",
            "",
        ] {
            let error = target(value).expect_err("unknown");
            assert_eq!(error.exception, "UnknownOperationException");
            assert!(
                error.message.contains(&format!("'{value}'")),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn image_operations_point_to_import() {
        for name in IMAGE_OPERATIONS {
            let error = target(&format!("RekognitionService.{name}")).expect_err("image");
            assert_eq!(error.exception, "InvalidParameterException");
            assert!(error.message.contains("FaceStoreService.ImportFaces"));
        }
    }

    #[test]
    fn missing_target_explains_header() {
        let error = operation(&HeaderMap::new()).expect_err("missing");
        assert_eq!(error.exception, "UnknownOperationException");
        assert!(error.message.contains("X-Amz-Target"));
    }
}
