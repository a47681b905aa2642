//! CreateCollection, DeleteCollection, DescribeCollection and ListCollections.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Request of CreateCollection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateCollectionRequest {
    /// ID of the new collection: 1 to 255 characters of `[a-zA-Z0-9_.-]`.
    pub collection_id: String,
    /// Tags stored with the collection in the same transaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
}

/// Response of CreateCollection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateCollectionResponse {
    /// Always 200, as the AWS service returns it.
    pub status_code: u32,
    /// The collection's ARN without the `arn:` prefix, as the AWS service returns it here.
    pub collection_arn: String,
    /// The store's face model version.
    pub face_model_version: String,
}

/// Request of DeleteCollection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteCollectionRequest {
    /// ID of the collection to delete.
    pub collection_id: String,
}

/// Response of DeleteCollection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteCollectionResponse {
    /// Always 200, as the AWS service returns it.
    pub status_code: u32,
}

/// Request of DescribeCollection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeCollectionRequest {
    /// ID of the collection to describe.
    pub collection_id: String,
}

/// Response of DescribeCollection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeCollectionResponse {
    /// Number of faces in the collection, kept exact by every change.
    pub face_count: u64,
    /// The store's face model version when the collection was created.
    pub face_model_version: String,
    /// The collection's ARN, with the `arn:` prefix.
    #[serde(rename = "CollectionARN")]
    pub collection_arn: String,
    /// Creation time in seconds since the Unix epoch, with a fraction. It is written as an
    /// `f64`, so a whole second still shows one (`1733318400.0`).
    pub creation_timestamp: f64,
    /// Number of users in the collection, kept exact by every change.
    pub user_count: u64,
}

/// Request of ListCollections.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListCollectionsRequest {
    /// Token from the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Page size; absent or 0 means 1000, the maximum is 4096.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<i64>,
}

/// Response of ListCollections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListCollectionsResponse {
    /// Collection IDs in the order the collections were created.
    pub collection_ids: Vec<String>,
    /// Token for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Face model version of each collection, parallel to `CollectionIds`.
    pub face_model_versions: Vec<String>,
}
