//! TagResource, UntagResource and ListTagsForResource, on a collection's ARN.

use super::Store;
use super::transaction::{load_collection_for_read, load_collection_for_write, save_collection};
use crate::api::{
    ListTagsForResourceRequest, ListTagsForResourceResponse, TagResourceRequest,
    TagResourceResponse, UntagResourceRequest, UntagResourceResponse,
};
use crate::error::{Error, Result};
use crate::validation::Validate;

/// Most tags one collection may have.
pub const MAX_TAGS_PER_COLLECTION: usize = 50;

impl Store {
    /// Adds tags to a collection, replacing the values of keys it already has.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for an invalid ARN, key or value, [`Error::ResourceNotFound`]
    /// when the ARN names no collection of this store, [`Error::ServiceQuotaExceeded`] when
    /// the collection would have more than 50 tags.
    pub fn tag_resource(&self, request: &TagResourceRequest) -> Result<TagResourceResponse> {
        request.validate()?;
        let collection_id = self.collection_id_from_arn(&request.resource_arn)?;

        self.write(|transaction| {
            let mut collection = load_collection_for_write(transaction, collection_id)
                .map_err(|error| arn_not_found(error, &request.resource_arn))?;
            collection.tags.extend(
                request
                    .tags
                    .iter()
                    .map(|(key, value)| (key.clone(), value.clone())),
            );
            check_tag_quota(collection_id, collection.tags.len())?;
            save_collection(transaction, collection_id, &collection)
        })?;
        Ok(TagResourceResponse {})
    }

    /// Removes tags from a collection; keys it does not have are ignored.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for an invalid ARN or key, [`Error::ResourceNotFound`] when the
    /// ARN names no collection of this store.
    pub fn untag_resource(&self, request: &UntagResourceRequest) -> Result<UntagResourceResponse> {
        request.validate()?;
        let collection_id = self.collection_id_from_arn(&request.resource_arn)?;

        self.write(|transaction| {
            let mut collection = load_collection_for_write(transaction, collection_id)
                .map_err(|error| arn_not_found(error, &request.resource_arn))?;
            for key in &request.tag_keys {
                collection.tags.remove(key);
            }
            save_collection(transaction, collection_id, &collection)
        })?;
        Ok(UntagResourceResponse {})
    }

    /// Returns a collection's tags.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for an invalid ARN, [`Error::ResourceNotFound`] when the ARN
    /// names no collection of this store.
    pub fn list_tags_for_resource(
        &self,
        request: &ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse> {
        request.validate()?;
        let collection_id = self.collection_id_from_arn(&request.resource_arn)?;

        let collection = load_collection_for_read(&self.read()?, collection_id)
            .map_err(|error| arn_not_found(error, &request.resource_arn))?;
        Ok(ListTagsForResourceResponse {
            tags: collection.tags,
        })
    }

    /// Returns the collection ID in `arn`, which may have the `arn:` prefix or not.
    fn collection_id_from_arn<'a>(&self, arn: &'a str) -> Result<&'a str> {
        let prefix = self.collection_arn("");
        let without_arn = arn.strip_prefix("arn:").unwrap_or(arn);
        without_arn
            .strip_prefix(prefix.as_str())
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                Error::ResourceNotFound(format!(
                    "resource '{arn}' not found; expected a collection ARN of the form \
                     arn:{prefix}<collection ID>"
                ))
            })
    }
}

fn arn_not_found(error: Error, arn: &str) -> Error {
    match error {
        Error::ResourceNotFound(_) => Error::ResourceNotFound(format!(
            "resource '{arn}' not found: no collection has this ARN"
        )),
        other => other,
    }
}

/// Checks that a collection may hold `count` tags.
pub(crate) fn check_tag_quota(collection_id: &str, count: usize) -> Result<()> {
    if count > MAX_TAGS_PER_COLLECTION {
        return Err(Error::ServiceQuotaExceeded(format!(
            "collection '{collection_id}' would have {count} tags; a collection has at most \
             {MAX_TAGS_PER_COLLECTION}, so remove some with UntagResource first"
        )));
    }
    Ok(())
}
