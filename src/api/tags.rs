//! TagResource, UntagResource and ListTagsForResource on a collection's ARN.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Request of TagResource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceRequest {
    /// The collection's ARN, with or without the `arn:` prefix.
    pub resource_arn: String,
    /// Tags to add; an existing key gets the new value.
    pub tags: BTreeMap<String, String>,
}

/// Response of TagResource, an empty object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TagResourceResponse {}

/// Request of UntagResource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResourceRequest {
    /// The collection's ARN, with or without the `arn:` prefix.
    pub resource_arn: String,
    /// Keys of the tags to remove; absent keys are ignored.
    pub tag_keys: Vec<String>,
}

/// Response of UntagResource, an empty object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UntagResourceResponse {}

/// Request of ListTagsForResource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceRequest {
    /// The collection's ARN, with or without the `arn:` prefix.
    pub resource_arn: String,
}

/// Response of ListTagsForResource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsForResourceResponse {
    /// The collection's tags.
    pub tags: BTreeMap<String, String>,
}
