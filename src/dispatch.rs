//! Runs an operation named as in the AWS API on a JSON request, for the server, the CLI and
//! tests that replay recorded requests.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::store::Store;
use crate::validation::Violations;

/// Every operation [`call`] runs, by its AWS name, with the request members it requires.
pub const OPERATIONS: &[(&str, &[&str])] = &[
    ("CreateCollection", &["CollectionId"]),
    ("DeleteCollection", &["CollectionId"]),
    ("DescribeCollection", &["CollectionId"]),
    ("ListCollections", &[]),
    ("ListFaces", &["CollectionId"]),
    ("DeleteFaces", &["CollectionId", "FaceIds"]),
    ("ImportFaces", &["CollectionId", "Faces"]),
    ("CreateUser", &["CollectionId", "UserId"]),
    ("DeleteUser", &["CollectionId", "UserId"]),
    ("ListUsers", &["CollectionId"]),
    ("AssociateFaces", &["CollectionId", "UserId", "FaceIds"]),
    ("DisassociateFaces", &["CollectionId", "UserId", "FaceIds"]),
    ("TagResource", &["ResourceArn", "Tags"]),
    ("UntagResource", &["ResourceArn", "TagKeys"]),
    ("ListTagsForResource", &["ResourceArn"]),
];

/// Returns true when [`call`] runs `operation`.
#[must_use]
pub fn is_operation(operation: &str) -> bool {
    OPERATIONS.iter().any(|(name, _)| *name == operation)
}

/// Runs `operation` on `request`, a JSON object in the AWS shape, and returns the response in
/// the AWS shape.
///
/// Unknown members are ignored, as the AWS service ignores them.
///
/// # Errors
///
/// [`Error::Validation`] when `request` is not an object, lacks a required member or has a
/// member of the wrong JSON type; [`Error::InvalidParameter`] for an unknown operation; and
/// every error of the operation itself.
pub fn call(store: &Store, operation: &str, request: Value) -> Result<Value> {
    let Some((_, required)) = OPERATIONS.iter().find(|(name, _)| *name == operation) else {
        return Err(Error::InvalidParameter(format!(
            "unknown operation '{operation}'; the operations are {}",
            OPERATIONS
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    check_required(&request, required)?;

    match operation {
        "CreateCollection" => run(request, |r| store.create_collection(&r)),
        "DeleteCollection" => run(request, |r| store.delete_collection(&r)),
        "DescribeCollection" => run(request, |r| store.describe_collection(&r)),
        "ListCollections" => run(request, |r| store.list_collections(&r)),
        "ListFaces" => run(request, |r| store.list_faces(&r)),
        "DeleteFaces" => run(request, |r| store.delete_faces(&r)),
        "ImportFaces" => run(request, |r| store.import_faces(&r)),
        "CreateUser" => run(request, |r| store.create_user(&r)),
        "DeleteUser" => run(request, |r| store.delete_user(&r)),
        "ListUsers" => run(request, |r| store.list_users(&r)),
        "AssociateFaces" => run(request, |r| store.associate_faces(&r)),
        "DisassociateFaces" => run(request, |r| store.disassociate_faces(&r)),
        "TagResource" => run(request, |r| store.tag_resource(&r)),
        "UntagResource" => run(request, |r| store.untag_resource(&r)),
        "ListTagsForResource" => run(request, |r| store.list_tags_for_resource(&r)),
        _ => unreachable!("every name in OPERATIONS has an arm"),
    }
}

fn run<Request: DeserializeOwned, Response: Serialize>(
    request: Value,
    operation: impl FnOnce(Request) -> Result<Response>,
) -> Result<Value> {
    let request = decode(request)?;
    let response = operation(request)?;
    serde_json::to_value(response)
        .map_err(|source| Error::internal("encoding the response failed", source))
}

/// Decodes a JSON request into its type, naming the member whose JSON type is wrong.
fn decode<Request: DeserializeOwned>(request: Value) -> Result<Request> {
    serde_path_to_error::deserialize(request).map_err(|error| {
        Error::Validation(format!(
            "1 validation error detected: Value at '{}' failed to satisfy constraint: Member \
             must be of the type the API defines: {}",
            aws_member_path(error.path()),
            error.inner()
        ))
    })
}

/// Checks that `request` is an object with every member in `required`, not null.
fn check_required(request: &Value, required: &[&str]) -> Result<()> {
    let Some(object) = request.as_object() else {
        return Err(Error::Validation(format!(
            "1 validation error detected: the request body must be a JSON object, not {request}"
        )));
    };
    let mut violations = Violations::default();
    for member in required {
        if object.get(*member).is_none_or(Value::is_null) {
            violations.add_missing(&camel_case_path(member));
        }
    }
    violations.into_result()
}

/// Writes a decoding path such as `Faces[1].BoundingBox` in the form of the other validation
/// messages, `faces.2.member.boundingBox`, where list positions count from 1.
fn aws_member_path(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path {
        if !out.is_empty() {
            out.push('.');
        }
        match segment {
            serde_path_to_error::Segment::Seq { index } => {
                out.push_str(&format!("{}.member", index + 1));
            }
            other => out.push_str(&camel_case_path(&other.to_string())),
        }
    }
    out
}

/// Turns a PascalCase member path such as `Faces[2].FaceId` into the camelCase form of AWS
/// messages.
fn camel_case_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut at_word_start = true;
    for character in path.chars() {
        if at_word_start && character.is_ascii_uppercase() {
            out.push(character.to_ascii_lowercase());
        } else {
            out.push(character);
        }
        at_word_start = matches!(character, '.' | '[' | ']');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_path_lowers_each_member() {
        assert_eq!(camel_case_path("Faces[2].FaceId"), "faces[2].faceId");
        assert_eq!(camel_case_path("CollectionId"), "collectionId");
    }
}
