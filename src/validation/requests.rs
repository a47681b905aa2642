//! The constraints of each request type.

use super::MAX_EMBEDDING_DIMENSION;
use super::patterns::{
    CLIENT_REQUEST_TOKEN_PATTERN, COLLECTION_ID_PATTERN, EXTERNAL_IMAGE_ID_PATTERN,
    MODEL_VERSION_PATTERN, TAG_KEY_PATTERN, TAG_VALUE_PATTERN, USER_ID_PATTERN, UUID_PATTERN,
    is_client_request_token, is_collection_id, is_face_id, is_model_version, is_tag_key,
    is_tag_value, is_user_id,
};
use super::violations::Violations;
use crate::api::{
    AssociateFacesRequest, CreateCollectionRequest, CreateUserRequest, DeleteCollectionRequest,
    DeleteFacesRequest, DeleteUserRequest, DescribeCollectionRequest, DisassociateFacesRequest,
    FaceInput, ImportFacesRequest, ListCollectionsRequest, ListFacesRequest,
    ListTagsForResourceRequest, ListUsersRequest, TagResourceRequest, UntagResourceRequest,
};
use crate::error::{Error, Result};

/// Longest `NextToken` the service model allows, in characters.
const MAX_PAGINATION_TOKEN: usize = 255;

/// A request checked against the service model before the store touches storage.
pub(crate) trait Validate {
    /// Returns [`Error::Validation`] listing every violated constraint.
    fn validate(&self) -> Result<()> {
        let mut violations = Violations::default();
        self.check(&mut violations);
        violations.into_result()
    }

    /// Adds each violated constraint to `violations`.
    fn check(&self, violations: &mut Violations);
}

fn check_collection_id(violations: &mut Violations, value: &str) {
    violations.check_length("collectionId", value, 1, 255);
    violations.check_pattern(
        "collectionId",
        value,
        is_collection_id(value),
        COLLECTION_ID_PATTERN,
    );
}

fn check_user_id(violations: &mut Violations, path: &str, value: &str) {
    violations.check_length(path, value, 1, 128);
    violations.check_pattern(path, value, is_user_id(value), USER_ID_PATTERN);
}

fn check_face_ids(violations: &mut Violations, face_ids: &[String], max: usize) {
    violations.check_list_length("faceIds", face_ids, 1, max);
    for (index, face_id) in face_ids.iter().enumerate() {
        let path = format!("faceIds.{}.member", index + 1);
        violations.check_pattern(&path, face_id, is_face_id(face_id), UUID_PATTERN);
    }
}

fn check_token(violations: &mut Violations, token: Option<&String>) {
    if let Some(token) = token {
        violations.check_length("clientRequestToken", token, 1, 64);
        violations.check_pattern(
            "clientRequestToken",
            token,
            is_client_request_token(token),
            CLIENT_REQUEST_TOKEN_PATTERN,
        );
    }
}

fn check_next_token(violations: &mut Violations, token: Option<&String>) {
    if let Some(token) = token {
        violations.check_length("nextToken", token, 0, MAX_PAGINATION_TOKEN);
    }
}

fn check_resource_arn(violations: &mut Violations, arn: &str) {
    violations.check_length("resourceArn", arn, 20, 2048);
}

fn check_tag_key(violations: &mut Violations, path: &str, key: &str) {
    violations.check_length(path, key, 1, 128);
    violations.check_pattern(path, key, is_tag_key(key), TAG_KEY_PATTERN);
}

fn check_tags<'a>(
    violations: &mut Violations,
    tags: impl ExactSizeIterator<Item = (&'a String, &'a String)>,
) {
    if tags.len() > 200 {
        violations.add(
            "tags",
            &tags.len(),
            "Member must have length less than or equal to 200",
        );
    }
    for (key, value) in tags {
        check_tag_key(violations, "tags.key", key);
        violations.check_length("tags.value", value, 0, 256);
        violations.check_pattern("tags.value", value, is_tag_value(value), TAG_VALUE_PATTERN);
    }
}

impl Validate for CreateCollectionRequest {
    fn check(&self, violations: &mut Violations) {
        check_collection_id(violations, &self.collection_id);
        if let Some(tags) = &self.tags {
            check_tags(violations, tags.iter());
        }
    }
}

impl Validate for DeleteCollectionRequest {
    fn check(&self, violations: &mut Violations) {
        check_collection_id(violations, &self.collection_id);
    }
}

impl Validate for DescribeCollectionRequest {
    fn check(&self, violations: &mut Violations) {
        check_collection_id(violations, &self.collection_id);
    }
}

impl Validate for ListCollectionsRequest {
    fn check(&self, violations: &mut Violations) {
        check_next_token(violations, self.next_token.as_ref());
        if let Some(max_results) = self.max_results {
            violations.check_range("maxResults", max_results, 0, Some(4096));
        }
    }
}

impl Validate for ListFacesRequest {
    fn check(&self, violations: &mut Violations) {
        check_collection_id(violations, &self.collection_id);
        check_next_token(violations, self.next_token.as_ref());
        if let Some(max_results) = self.max_results {
            violations.check_range("maxResults", max_results, 0, Some(4096));
        }
        if let Some(user_id) = &self.user_id {
            check_user_id(violations, "userId", user_id);
        }
        if let Some(face_ids) = &self.face_ids {
            check_face_ids(violations, face_ids, 4096);
        }
    }
}

impl Validate for DeleteFacesRequest {
    fn check(&self, violations: &mut Violations) {
        check_collection_id(violations, &self.collection_id);
        check_face_ids(violations, &self.face_ids, 4096);
    }
}

impl Validate for ImportFacesRequest {
    fn check(&self, violations: &mut Violations) {
        check_collection_id(violations, &self.collection_id);
        for (index, face) in self.faces.iter().enumerate() {
            check_face_fields(violations, &format!("faces.{}.member.", index + 1), face);
        }
    }
}

impl Validate for CreateUserRequest {
    fn check(&self, violations: &mut Violations) {
        check_collection_id(violations, &self.collection_id);
        check_user_id(violations, "userId", &self.user_id);
        check_token(violations, self.client_request_token.as_ref());
    }
}

impl Validate for DeleteUserRequest {
    fn check(&self, violations: &mut Violations) {
        check_collection_id(violations, &self.collection_id);
        check_user_id(violations, "userId", &self.user_id);
        check_token(violations, self.client_request_token.as_ref());
    }
}

impl Validate for ListUsersRequest {
    fn check(&self, violations: &mut Violations) {
        check_collection_id(violations, &self.collection_id);
        if let Some(max_results) = self.max_results {
            violations.check_range("maxResults", max_results, 1, Some(500));
        }
        check_next_token(violations, self.next_token.as_ref());
    }
}

impl Validate for AssociateFacesRequest {
    fn check(&self, violations: &mut Violations) {
        check_collection_id(violations, &self.collection_id);
        check_user_id(violations, "userId", &self.user_id);
        check_face_ids(violations, &self.face_ids, 100);
        if let Some(threshold) = self.user_match_threshold {
            violations.check_percent("userMatchThreshold", threshold);
        }
        check_token(violations, self.client_request_token.as_ref());
    }
}

impl Validate for DisassociateFacesRequest {
    fn check(&self, violations: &mut Violations) {
        check_collection_id(violations, &self.collection_id);
        check_user_id(violations, "userId", &self.user_id);
        check_token(violations, self.client_request_token.as_ref());
        check_face_ids(violations, &self.face_ids, 100);
    }
}

impl Validate for TagResourceRequest {
    fn check(&self, violations: &mut Violations) {
        check_resource_arn(violations, &self.resource_arn);
        check_tags(violations, self.tags.iter());
    }
}

impl Validate for UntagResourceRequest {
    fn check(&self, violations: &mut Violations) {
        check_resource_arn(violations, &self.resource_arn);
        violations.check_list_length("tagKeys", &self.tag_keys, 0, 200);
        for (index, key) in self.tag_keys.iter().enumerate() {
            check_tag_key(violations, &format!("tagKeys.{}.member", index + 1), key);
        }
    }
}

impl Validate for ListTagsForResourceRequest {
    fn check(&self, violations: &mut Violations) {
        check_resource_arn(violations, &self.resource_arn);
    }
}

/// Checks one face of an import on its own, with every check that ImportFaces runs on it
/// before storage: the service model's constraints, then finite numbers and embedding size.
/// `index` is the face's position in the whole import, counting from 0.
pub(crate) fn check_face(face: &FaceInput, index: usize) -> Result<()> {
    let mut violations = Violations::default();
    check_face_fields(
        &mut violations,
        &format!("faces.{}.member.", index + 1),
        face,
    );
    violations.into_result()?;
    check_face_input(face, index)
}

/// Checks one face of an import against the service model's `Face` constraints, with member
/// paths under `prefix` (such as `faces.3.member.`).
fn check_face_fields(violations: &mut Violations, prefix: &str, face: &FaceInput) {
    if let Some(face_id) = &face.face_id {
        let path = format!("{prefix}faceId");
        violations.check_pattern(&path, face_id, is_face_id(face_id), UUID_PATTERN);
    }
    if let Some(image_id) = &face.image_id {
        let path = format!("{prefix}imageId");
        violations.check_pattern(&path, image_id, is_face_id(image_id), UUID_PATTERN);
    }
    if let Some(external) = &face.external_image_id {
        let path = format!("{prefix}externalImageId");
        violations.check_length(&path, external, 1, 255);
        violations.check_pattern(
            &path,
            external,
            is_user_id(external),
            EXTERNAL_IMAGE_ID_PATTERN,
        );
    }
    if let Some(confidence) = face.confidence {
        violations.check_percent(&format!("{prefix}confidence"), confidence);
    }
    if let Some(version) = &face.index_faces_model_version {
        let path = format!("{prefix}indexFacesModelVersion");
        violations.check_pattern(
            &path,
            version,
            is_model_version(version),
            MODEL_VERSION_PATTERN,
        );
    }
    if let Some(user_id) = &face.user_id {
        check_user_id(violations, &format!("{prefix}userId"), user_id);
    }
}

/// Checks what the service model leaves open in one face of an import but storage and search
/// rely on: finite numbers and the embedding's size. `index` counts from 0.
pub(crate) fn check_face_input(face: &FaceInput, index: usize) -> Result<()> {
    if let Some(bounding_box) = &face.bounding_box {
        let values = [
            bounding_box.width,
            bounding_box.height,
            bounding_box.left,
            bounding_box.top,
        ];
        if values.iter().any(|value| !value.is_finite()) {
            return Err(Error::InvalidParameter(format!(
                "BoundingBox of face {} has a value that is not a finite number: {bounding_box:?}",
                index + 1
            )));
        }
    }
    if let Some(embedding) = &face.embedding {
        check_embedding(embedding, index)?;
    }
    Ok(())
}

fn check_embedding(embedding: &[f32], index: usize) -> Result<()> {
    if embedding.is_empty() || embedding.len() > MAX_EMBEDDING_DIMENSION {
        return Err(Error::InvalidParameter(format!(
            "Embedding of face {} has {} values; an embedding has 1 to {MAX_EMBEDDING_DIMENSION}",
            index + 1,
            embedding.len()
        )));
    }
    if let Some(position) = embedding.iter().position(|value| !value.is_finite()) {
        return Err(Error::InvalidParameter(format!(
            "Embedding of face {} has a value that is not a finite number at position {position}: {}",
            index + 1,
            embedding[position]
        )));
    }
    Ok(())
}
