//! ListFaces, DeleteFaces and ImportFaces.

use serde::{Deserialize, Serialize};

use super::face::{Face, FaceInput};

/// Request of ListFaces.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListFacesRequest {
    /// ID of the collection.
    pub collection_id: String,
    /// Token from the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Page size from 0 to 4096; absent or 0 means 1000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
    /// Keep only the faces of this user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Keep only these faces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_ids: Option<Vec<String>>,
}

/// Response of ListFaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListFacesResponse {
    /// Faces in ascending `FaceId` order.
    pub faces: Vec<Face>,
    /// Token for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// The collection's face model version.
    pub face_model_version: String,
}

/// Request of DeleteFaces.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteFacesRequest {
    /// ID of the collection.
    pub collection_id: String,
    /// 1 to 4096 lower-case face UUIDs.
    pub face_ids: Vec<String>,
}

/// Response of DeleteFaces. Both lists are always present and keep request order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteFacesResponse {
    /// IDs of the faces deleted.
    pub deleted_faces: Vec<String>,
    /// IDs that were not deleted, each with its reason.
    pub unsuccessful_face_deletions: Vec<UnsuccessfulFaceDeletion>,
}

/// A face that DeleteFaces did not delete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnsuccessfulFaceDeletion {
    /// ID of the face.
    pub face_id: String,
    /// The user the face is associated with, for `ASSOCIATED_TO_AN_EXISTING_USER`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Reason the face was not deleted.
    pub reasons: Vec<UnsuccessfulFaceDeletionReason>,
}

/// Reason DeleteFaces did not delete a face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnsuccessfulFaceDeletionReason {
    /// The face is associated with a user; disassociate it first.
    AssociatedToAnExistingUser,
    /// No face with this ID is in the collection.
    FaceNotFound,
}

/// Request of ImportFaces, facestore's insertion of faces detected elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportFacesRequest {
    /// ID of the collection.
    pub collection_id: String,
    /// The faces to insert, all in one transaction.
    pub faces: Vec<FaceInput>,
}

/// Response of ImportFaces.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportFacesResponse {
    /// The faces stored by this call, in request order, with generated IDs filled in.
    pub faces: Vec<Face>,
    /// IDs of the faces skipped because an identical record was already stored, so that an
    /// import can be run again.
    pub skipped_face_ids: Vec<String>,
}
