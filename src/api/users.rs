//! CreateUser, DeleteUser, ListUsers, AssociateFaces and DisassociateFaces.

use serde::{Deserialize, Serialize};

use super::number::serialize_optional_float;

/// Request of CreateUser.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserRequest {
    /// ID of the collection.
    pub collection_id: String,
    /// ID of the new user.
    pub user_id: String,
    /// Idempotency token: a retry with the same token and request returns the first response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
}

/// Response of CreateUser, an empty object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateUserResponse {}

/// Request of DeleteUser.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteUserRequest {
    /// ID of the collection.
    pub collection_id: String,
    /// ID of the user to delete; its faces stay in the collection, unassociated.
    pub user_id: String,
    /// Idempotency token: a retry with the same token and request returns the first response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
}

/// Response of DeleteUser, an empty object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeleteUserResponse {}

/// Request of ListUsers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersRequest {
    /// ID of the collection.
    pub collection_id: String,
    /// Page size from 1 to 500; absent means 500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    /// Token from the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Response of ListUsers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersResponse {
    /// Users in ascending byte order of `UserId`.
    pub users: Vec<User>,
    /// Token for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// A user as ListUsers returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    /// ID of the user.
    pub user_id: String,
    /// `CREATED` without faces, `ACTIVE` with at least one.
    pub user_status: UserStatus,
}

/// State of a user. facestore applies every change at once, so it never reports `UPDATING`
/// or `CREATING`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    /// The user has at least one face.
    Active,
    /// The AWS service reports this while it applies a change; facestore never does.
    Updating,
    /// The AWS service reports this while it creates a user; facestore never does.
    Creating,
    /// The user has no faces.
    Created,
}

impl UserStatus {
    /// Returns the status of a user with `face_count` associated faces.
    #[must_use]
    pub fn for_face_count(face_count: u32) -> Self {
        if face_count == 0 {
            Self::Created
        } else {
            Self::Active
        }
    }
}

/// Request of AssociateFaces.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateFacesRequest {
    /// ID of the collection.
    pub collection_id: String,
    /// ID of the user.
    pub user_id: String,
    /// 1 to 100 lower-case face UUIDs.
    pub face_ids: Vec<String>,
    /// Minimum similarity, in percent, of a face to the user's other faces; default 75.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_match_threshold: Option<f64>,
    /// Idempotency token: a retry with the same token and request returns the first response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
}

/// Response of AssociateFaces. Both lists are always present and keep request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateFacesResponse {
    /// Faces associated by this call.
    pub associated_faces: Vec<AssociatedFace>,
    /// Faces not associated, each with its reason.
    pub unsuccessful_face_associations: Vec<UnsuccessfulFaceAssociation>,
    /// The user's status after the call.
    pub user_status: UserStatus,
}

/// A face associated by AssociateFaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociatedFace {
    /// ID of the face.
    pub face_id: String,
}

/// A face that AssociateFaces did not associate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnsuccessfulFaceAssociation {
    /// ID of the face.
    pub face_id: String,
    /// The other user the face belongs to, for `ASSOCIATED_TO_A_DIFFERENT_USER`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Similarity of the face to the user, for `LOW_MATCH_CONFIDENCE`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_optional_float"
    )]
    pub confidence: Option<f64>,
    /// Reason the face was not associated.
    pub reasons: Vec<UnsuccessfulFaceAssociationReason>,
}

/// Reason AssociateFaces did not associate a face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnsuccessfulFaceAssociationReason {
    /// No face with this ID is in the collection.
    FaceNotFound,
    /// The face belongs to another user.
    AssociatedToADifferentUser,
    /// The face's similarity to the user is below `UserMatchThreshold`.
    LowMatchConfidence,
}

/// Request of DisassociateFaces.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DisassociateFacesRequest {
    /// ID of the collection.
    pub collection_id: String,
    /// ID of the user.
    pub user_id: String,
    /// Idempotency token: a retry with the same token and request returns the first response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    /// 1 to 100 lower-case face UUIDs.
    pub face_ids: Vec<String>,
}

/// Response of DisassociateFaces. Both lists are always present and keep request order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DisassociateFacesResponse {
    /// Faces disassociated by this call.
    pub disassociated_faces: Vec<DisassociatedFace>,
    /// Faces not disassociated, each with its reason.
    pub unsuccessful_face_disassociations: Vec<UnsuccessfulFaceDisassociation>,
    /// The user's status after the call.
    pub user_status: UserStatus,
}

/// A face disassociated by DisassociateFaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DisassociatedFace {
    /// ID of the face.
    pub face_id: String,
}

/// A face that DisassociateFaces did not disassociate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnsuccessfulFaceDisassociation {
    /// ID of the face.
    pub face_id: String,
    /// The other user the face belongs to, for `ASSOCIATED_TO_A_DIFFERENT_USER`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Reason the face was not disassociated.
    pub reasons: Vec<UnsuccessfulFaceDisassociationReason>,
}

/// Reason DisassociateFaces did not disassociate a face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnsuccessfulFaceDisassociationReason {
    /// No face with this ID is in the collection.
    FaceNotFound,
    /// The face belongs to another user.
    AssociatedToADifferentUser,
}
