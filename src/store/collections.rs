//! CreateCollection, DeleteCollection, DescribeCollection and ListCollections.

use redb::{ReadableTable, WriteTransaction};

use super::pagination::{DEFAULT_PAGE_SIZE, page_size};
use super::transaction::{load_collection, load_collection_for_read, now_micros};
use super::{Store, embeddings, tags};
use crate::api::{
    CreateCollectionRequest, CreateCollectionResponse, DeleteCollectionRequest,
    DeleteCollectionResponse, DescribeCollectionRequest, DescribeCollectionResponse,
    ListCollectionsRequest, ListCollectionsResponse,
};
use crate::error::{Error, Result};
use crate::storage::record::{self, CollectionRecord};
use crate::storage::tables::{
    COLLECTION_NUMBERS_TABLE, COLLECTIONS_TABLE, FACES_TABLE, META_TABLE,
    NEXT_COLLECTION_NUMBER_KEY, TOKENS_TABLE, USER_FACES_TABLE, USERS_TABLE,
};
use crate::validation::Validate;

const LIST_COLLECTIONS: &str = "ListCollections";

impl Store {
    /// Creates an empty collection, with its tags if the request has any.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for an invalid ID or tag, [`Error::ResourceAlreadyExists`] when
    /// the ID is taken, [`Error::ServiceQuotaExceeded`] for more than 50 tags.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> facestore::Result<()> {
    /// use facestore::api::CreateCollectionRequest;
    ///
    /// let store = facestore::Store::builder().open_in_memory()?;
    /// let request = CreateCollectionRequest { collection_id: "myphotos".into(), tags: None };
    /// let response = store.create_collection(&request)?;
    /// assert_eq!(response.collection_arn, "aws:rekognition:us-east-1:000000000000:collection/myphotos");
    /// # Ok(())
    /// # }
    /// ```
    pub fn create_collection(
        &self,
        request: &CreateCollectionRequest,
    ) -> Result<CreateCollectionResponse> {
        request.validate()?;
        let tags = request.tags.clone().unwrap_or_default();
        tags::check_tag_quota(&request.collection_id, tags.len())?;

        self.write(|transaction| {
            let mut collections = transaction.open_table(COLLECTIONS_TABLE)?;
            if collections.get(request.collection_id.as_str())?.is_some() {
                return Err(Error::ResourceAlreadyExists(format!(
                    "collection '{}' already exists; choose another ID or delete it first",
                    request.collection_id
                )));
            }

            let collection = CollectionRecord {
                number: take_collection_number(transaction)?,
                created_micros: now_micros(),
                face_model_version: self.settings.face_model_version.clone(),
                face_count: 0,
                user_count: 0,
                embedding_dimension: None,
                tags,
            };
            collections.insert(
                request.collection_id.as_str(),
                record::encode(&collection)?.as_slice(),
            )?;
            transaction
                .open_table(COLLECTION_NUMBERS_TABLE)?
                .insert(collection.number, request.collection_id.as_str())?;
            Ok(())
        })?;

        tracing::debug!(collection_id = %request.collection_id, "created collection");
        Ok(CreateCollectionResponse {
            status_code: 200,
            collection_arn: self.collection_arn(&request.collection_id),
            face_model_version: self.settings.face_model_version.clone(),
        })
    }

    /// Deletes a collection with every face, embedding, user, association, tag and request
    /// token in it, in one transaction.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for an invalid ID, [`Error::ResourceNotFound`] when the
    /// collection does not exist.
    pub fn delete_collection(
        &self,
        request: &DeleteCollectionRequest,
    ) -> Result<DeleteCollectionResponse> {
        request.validate()?;

        self.write(|transaction| {
            let mut collections = transaction.open_table(COLLECTIONS_TABLE)?;
            let collection = load_collection(&collections, &request.collection_id)?;
            collections.remove(request.collection_id.as_str())?;
            transaction
                .open_table(COLLECTION_NUMBERS_TABLE)?
                .remove(collection.number)?;
            delete_collection_rows(transaction, collection.number)
        })?;

        tracing::debug!(collection_id = %request.collection_id, "deleted collection");
        Ok(DeleteCollectionResponse { status_code: 200 })
    }

    /// Returns a collection's counters, face model version, ARN and creation time. The
    /// counters are read from the collection's record, not counted.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for an invalid ID, [`Error::ResourceNotFound`] when the
    /// collection does not exist.
    pub fn describe_collection(
        &self,
        request: &DescribeCollectionRequest,
    ) -> Result<DescribeCollectionResponse> {
        request.validate()?;

        let collection = load_collection_for_read(&self.read()?, &request.collection_id)?;

        #[expect(
            clippy::cast_precision_loss,
            reason = "microseconds since 1970 fit in 53 bits until the year 2255"
        )]
        let creation_timestamp = collection.created_micros as f64 / 1_000_000.0;
        Ok(DescribeCollectionResponse {
            face_count: collection.face_count,
            face_model_version: collection.face_model_version,
            collection_arn: format!("arn:{}", self.collection_arn(&request.collection_id)),
            creation_timestamp,
            user_count: collection.user_count,
        })
    }

    /// Lists collection IDs in the order the collections were created, a page at a time.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for an out-of-range `MaxResults` or an overlong `NextToken`,
    /// [`Error::InvalidPaginationToken`] for a token this store did not make for this call.
    pub fn list_collections(
        &self,
        request: &ListCollectionsRequest,
    ) -> Result<ListCollectionsResponse> {
        request.validate()?;
        let limit = page_size(request.max_results, DEFAULT_PAGE_SIZE);
        let start = match &request.next_token {
            Some(token) => {
                let last = self.decode_page_token(token, LIST_COLLECTIONS, 0)?;
                let last = <[u8; 8]>::try_from(last.as_slice()).map_err(|_| {
                    Error::InvalidPaginationToken(format!(
                        "invalid NextToken '{token}' for ListCollections"
                    ))
                })?;
                u64::from_le_bytes(last).saturating_add(1)
            }
            None => 0,
        };

        let transaction = self.read()?;
        let numbers = transaction.open_table(COLLECTION_NUMBERS_TABLE)?;
        let collections = transaction.open_table(COLLECTIONS_TABLE)?;
        let mut response = ListCollectionsResponse {
            collection_ids: Vec::new(),
            next_token: None,
            face_model_versions: Vec::new(),
        };
        let mut last_number = None;
        for entry in numbers.range(start..)? {
            let (number, collection_id) = entry?;
            if response.collection_ids.len() == limit {
                let last: u64 = last_number.expect("a full page has a last collection");
                response.next_token =
                    Some(self.encode_page_token(LIST_COLLECTIONS, 0, &last.to_le_bytes()));
                break;
            }
            let collection = load_collection(&collections, collection_id.value())?;
            response
                .collection_ids
                .push(collection_id.value().to_owned());
            response
                .face_model_versions
                .push(collection.face_model_version);
            last_number = Some(number.value());
        }
        Ok(response)
    }
}

/// Takes the next collection number from the store's counter.
fn take_collection_number(transaction: &WriteTransaction) -> Result<u64> {
    let mut meta = transaction.open_table(META_TABLE)?;
    let next = match meta.get(NEXT_COLLECTION_NUMBER_KEY)? {
        Some(bytes) => <[u8; 8]>::try_from(bytes.value())
            .map(u64::from_le_bytes)
            .map_err(|_| Error::InternalServer {
                message: "stored next collection number is not 8 bytes".to_owned(),
                source: None,
            })?,
        None => 1,
    };
    meta.insert(
        NEXT_COLLECTION_NUMBER_KEY,
        (next + 1).to_le_bytes().as_slice(),
    )?;
    Ok(next)
}

/// Removes every face, embedding, pending erasure, user, association and token row of
/// collection `number`.
fn delete_collection_rows(transaction: &WriteTransaction, number: u64) -> Result<()> {
    embeddings::delete_collection_embeddings(transaction, number)?;
    transaction
        .open_table(FACES_TABLE)?
        .retain_in((number, 0_u128)..=(number, u128::MAX), |_, _| false)?;
    transaction
        .open_table(USERS_TABLE)?
        .retain_in((number, "")..(number + 1, ""), |_, _| false)?;
    transaction
        .open_table(USER_FACES_TABLE)?
        .retain_in((number, "", 0_u128)..(number + 1, "", 0_u128), |_, _| false)?;
    transaction
        .open_table(TOKENS_TABLE)?
        .retain_in((number, "", "")..(number + 1, "", ""), |_, _| false)?;
    Ok(())
}
