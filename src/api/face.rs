//! The face record as AWS returns it, and as the import path accepts it.

use serde::{Deserialize, Serialize};

use super::number::{serialize_float, serialize_optional_float};

/// Position of a face in its image, each value a ratio of the image's width or height.
///
/// Values may fall outside `0..=1` for a face at the edge of an image, as in the AWS service.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BoundingBox {
    /// Width of the box as a ratio of the image width.
    #[serde(serialize_with = "serialize_float")]
    pub width: f64,
    /// Height of the box as a ratio of the image height.
    #[serde(serialize_with = "serialize_float")]
    pub height: f64,
    /// Left edge as a ratio of the image width.
    #[serde(serialize_with = "serialize_float")]
    pub left: f64,
    /// Top edge as a ratio of the image height.
    #[serde(serialize_with = "serialize_float")]
    pub top: f64,
}

/// A stored face in the AWS `Face` shape, without its embedding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Face {
    /// Lower-case UUID of the face.
    pub face_id: String,
    /// Position of the face in its image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounding_box: Option<BoundingBox>,
    /// Lower-case UUID of the image the face was detected in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// The caller's own identifier of the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_image_id: Option<String>,
    /// Detection confidence as a percentage.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_optional_float"
    )]
    pub confidence: Option<f64>,
    /// Version of the model that detected the face.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_faces_model_version: Option<String>,
    /// The user the face is associated with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// A face the caller has already detected, as the import path takes it.
///
/// It is the AWS `Face` shape plus `Embedding`. A missing `FaceId` or `ImageId` is generated,
/// and a `UserId` creates that user if needed and associates the face with it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FaceInput {
    /// Lower-case UUID of the face; generated when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_id: Option<String>,
    /// Position of the face in its image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounding_box: Option<BoundingBox>,
    /// Lower-case UUID of the image; generated when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// The caller's own identifier of the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_image_id: Option<String>,
    /// Detection confidence as a percentage.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_optional_float"
    )]
    pub confidence: Option<f64>,
    /// Version of the model that detected the face.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_faces_model_version: Option<String>,
    /// A user to associate the face with, created if it does not exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The face's embedding from the caller's face model. Its length must equal the
    /// collection's embedding dimension, which the first stored embedding fixes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embedding: Option<Vec<f32>>,
}
