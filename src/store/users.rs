//! CreateUser, DeleteUser and ListUsers, and the user rows that the association operations
//! share.

use std::ops::Bound;

use redb::{ReadableTable, WriteTransaction};

use super::Store;
use super::embeddings::EmbeddingAppender;
use super::idempotency::RequestToken;
use super::pagination::{DEFAULT_USER_PAGE_SIZE, page_size};
use super::transaction::{load_collection_for_read, load_collection_for_write, save_collection};
use crate::api::{
    CreateUserRequest, CreateUserResponse, DeleteUserRequest, DeleteUserResponse, ListUsersRequest,
    ListUsersResponse, User, UserStatus,
};
use crate::error::{Error, Result};
use crate::storage::record::{self, UserRecord};
use crate::storage::tables::{FACES_TABLE, USER_FACES_TABLE, USERS_TABLE};
use crate::validation::Validate;

const LIST_USERS: &str = "ListUsers";

/// Most faces one user may have.
pub const MAX_FACES_PER_USER: u32 = 100;

impl Store {
    /// Creates a user with no faces, in status `CREATED`.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for an invalid ID or token, [`Error::ResourceNotFound`] when the
    /// collection does not exist, [`Error::Conflict`] when the user exists,
    /// [`Error::IdempotentParameterMismatch`] when the token was used for another request.
    pub fn create_user(&self, request: &CreateUserRequest) -> Result<CreateUserResponse> {
        request.validate()?;
        let fingerprint = CreateUserRequest {
            client_request_token: None,
            ..request.clone()
        };

        self.write(|transaction| {
            let mut collection = load_collection_for_write(transaction, &request.collection_id)?;
            let token = RequestToken::new(
                "CreateUser",
                request.client_request_token.as_ref(),
                collection.number,
                &fingerprint,
            )?;
            if let Some(token) = &token
                && let Some(response) = token.replay(transaction, self.settings.token_lifetime)?
            {
                return Ok(response);
            }

            if load_user(transaction, collection.number, &request.user_id)?.is_some() {
                return Err(Error::Conflict(format!(
                    "user '{}' already exists in collection '{}'",
                    request.user_id, request.collection_id
                )));
            }
            save_user(
                transaction,
                collection.number,
                &request.user_id,
                UserRecord { face_count: 0 },
            )?;
            collection.user_count += 1;
            save_collection(transaction, &request.collection_id, &collection)?;

            let response = CreateUserResponse {};
            if let Some(token) = token {
                token.remember(transaction, &response)?;
            }
            Ok(response)
        })
    }

    /// Deletes a user after disassociating its faces, which stay in the collection and can
    /// then be deleted, in one transaction.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for an invalid ID or token, [`Error::ResourceNotFound`] when the
    /// collection or the user does not exist, [`Error::IdempotentParameterMismatch`] when the
    /// token was used for another request.
    pub fn delete_user(&self, request: &DeleteUserRequest) -> Result<DeleteUserResponse> {
        request.validate()?;
        let fingerprint = DeleteUserRequest {
            client_request_token: None,
            ..request.clone()
        };

        self.write(|transaction| {
            let mut collection = load_collection_for_write(transaction, &request.collection_id)?;
            let token = RequestToken::new(
                "DeleteUser",
                request.client_request_token.as_ref(),
                collection.number,
                &fingerprint,
            )?;
            if let Some(token) = &token
                && let Some(response) = token.replay(transaction, self.settings.token_lifetime)?
            {
                return Ok(response);
            }

            require_user(
                transaction,
                collection.number,
                &request.collection_id,
                &request.user_id,
            )?;
            disassociate_all(transaction, collection.number, &request.user_id)?;
            transaction
                .open_table(USERS_TABLE)?
                .remove((collection.number, request.user_id.as_str()))?;
            collection.user_count = collection.user_count.saturating_sub(1);
            save_collection(transaction, &request.collection_id, &collection)?;

            let response = DeleteUserResponse {};
            if let Some(token) = token {
                token.remember(transaction, &response)?;
            }
            Ok(response)
        })
    }

    /// Lists a collection's users in ascending byte order of `UserId`, a page at a time.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for an out-of-range `MaxResults` or an overlong `NextToken`,
    /// [`Error::ResourceNotFound`] when the collection does not exist,
    /// [`Error::InvalidPaginationToken`] for a token this store did not make for this call.
    pub fn list_users(&self, request: &ListUsersRequest) -> Result<ListUsersResponse> {
        request.validate()?;
        let limit = page_size(request.max_results, DEFAULT_USER_PAGE_SIZE);

        let transaction = self.read()?;
        let collection = load_collection_for_read(&transaction, &request.collection_id)?;
        let after = match &request.next_token {
            Some(token) => {
                let last = self.decode_page_token(token, LIST_USERS, collection.number)?;
                Some(String::from_utf8(last).map_err(|_| {
                    Error::InvalidPaginationToken(format!(
                        "invalid NextToken '{token}' for ListUsers"
                    ))
                })?)
            }
            None => None,
        };

        let users = transaction.open_table(USERS_TABLE)?;
        let number = collection.number;
        let start = match &after {
            Some(user_id) => Bound::Excluded((number, user_id.as_str())),
            None => Bound::Included((number, "")),
        };
        let mut response = ListUsersResponse {
            users: Vec::new(),
            next_token: None,
        };
        for entry in users.range((start, Bound::Excluded((number + 1, ""))))? {
            let (key, value) = entry?;
            if response.users.len() == limit {
                let last = response
                    .users
                    .last()
                    .map(|user| user.user_id.as_bytes())
                    .unwrap_or_default();
                response.next_token = Some(self.encode_page_token(LIST_USERS, number, last));
                break;
            }
            let user: UserRecord = record::decode(value.value())?;
            response.users.push(User {
                user_id: key.value().1.to_owned(),
                user_status: UserStatus::for_face_count(user.face_count),
            });
        }
        Ok(response)
    }
}

/// Loads a user's record, or `None` when the user does not exist.
pub(crate) fn load_user(
    transaction: &WriteTransaction,
    collection_number: u64,
    user_id: &str,
) -> Result<Option<UserRecord>> {
    let users = transaction.open_table(USERS_TABLE)?;
    let value = users.get((collection_number, user_id))?;
    value.map(|bytes| record::decode(bytes.value())).transpose()
}

/// Loads the record of a user that must exist.
///
/// # Errors
///
/// [`Error::ResourceNotFound`] naming the user and the collection.
pub(crate) fn require_user(
    transaction: &WriteTransaction,
    collection_number: u64,
    collection_id: &str,
    user_id: &str,
) -> Result<UserRecord> {
    load_user(transaction, collection_number, user_id)?.ok_or_else(|| {
        Error::ResourceNotFound(format!(
            "user '{user_id}' not found in collection '{collection_id}'; create it with CreateUser"
        ))
    })
}

pub(crate) fn save_user(
    transaction: &WriteTransaction,
    collection_number: u64,
    user_id: &str,
    user: UserRecord,
) -> Result<()> {
    let mut users = transaction.open_table(USERS_TABLE)?;
    users.insert(
        (collection_number, user_id),
        record::encode(&user)?.as_slice(),
    )?;
    Ok(())
}

/// Sets or clears the user of a stored face, keeping its embedding. Only the small face record
/// is rewritten, unless it is a version 1 record with an inline embedding.
pub(crate) fn set_face_user(
    transaction: &WriteTransaction,
    collection_number: u64,
    face_key: u128,
    user_id: Option<&str>,
) -> Result<()> {
    let mut faces = transaction.open_table(FACES_TABLE)?;
    let bytes = match faces.get((collection_number, face_key))? {
        Some(value) => value.value().to_vec(),
        None => {
            return Err(Error::InternalServer {
                message: format!(
                    "user index names face {} that is not stored; run `facestore check`",
                    crate::validation::format_face_id(face_key)
                ),
                source: None,
            });
        }
    };
    let stored = record::decode_face(&bytes)?;
    let mut face = stored.record;
    face.user_id = user_id.map(str::to_owned);
    if !stored.inline_embedding.is_empty() {
        // A version 1 face kept its embedding inline. This build writes version 2 only, so
        // the embedding moves into the collection's blocks.
        drop(faces);
        let embedding = record::decode_embedding(stored.inline_embedding);
        let dimension = u32::try_from(embedding.len()).unwrap_or(u32::MAX);
        let mut appender = EmbeddingAppender::new(collection_number, dimension);
        face.embedding = Some(appender.append(transaction, &embedding)?);
        appender.finish(transaction)?;
        faces = transaction.open_table(FACES_TABLE)?;
    }
    faces.insert(
        (collection_number, face_key),
        record::encode(&face)?.as_slice(),
    )?;
    Ok(())
}

/// Clears the user of every face of `user_id` and removes its index rows.
fn disassociate_all(
    transaction: &WriteTransaction,
    collection_number: u64,
    user_id: &str,
) -> Result<()> {
    let mut user_faces = transaction.open_table(USER_FACES_TABLE)?;
    let range = (collection_number, user_id, 0_u128)..=(collection_number, user_id, u128::MAX);
    let mut keys = Vec::new();
    for entry in user_faces.range(range.clone())? {
        keys.push(entry?.0.value().2);
    }
    user_faces.retain_in(range, |_, ()| false)?;
    drop(user_faces);

    for key in keys {
        set_face_user(transaction, collection_number, key, None)?;
    }
    Ok(())
}
