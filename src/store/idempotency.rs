//! `ClientRequestToken`: a retried request returns the first response instead of running again.
//!
//! A token is remembered per collection and operation with the request's canonical JSON and
//! the response, in the transaction of the change, so a failed call is never remembered.

use std::time::Duration;

use redb::{ReadableTable, WriteTransaction};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::transaction::now_micros;
use crate::error::{Error, Result};
use crate::storage::record::{self, TokenRecord};
use crate::storage::tables::TOKENS_TABLE;

/// A request's token and fingerprint, for one operation on one collection.
pub(crate) struct RequestToken<'a> {
    operation: &'static str,
    token: &'a str,
    collection_number: u64,
    fingerprint: Vec<u8>,
}

impl<'a> RequestToken<'a> {
    /// Returns the token of `request`, or `None` when it carries no token. `request` must be
    /// given with its token field cleared, so that the fingerprint covers everything else.
    pub(crate) fn new(
        operation: &'static str,
        token: Option<&'a String>,
        collection_number: u64,
        request_without_token: &impl Serialize,
    ) -> Result<Option<Self>> {
        let Some(token) = token else {
            return Ok(None);
        };
        let fingerprint = serde_json::to_vec(request_without_token)
            .map_err(|source| Error::internal("encoding a request fingerprint failed", source))?;
        Ok(Some(Self {
            operation,
            token,
            collection_number,
            fingerprint,
        }))
    }

    /// Returns the remembered response when the token was used before for the same request.
    ///
    /// # Errors
    ///
    /// [`Error::IdempotentParameterMismatch`] when the token was used for another request.
    pub(crate) fn replay<R: DeserializeOwned>(
        &self,
        transaction: &WriteTransaction,
        lifetime: Duration,
    ) -> Result<Option<R>> {
        let table = transaction.open_table(TOKENS_TABLE)?;
        let Some(bytes) = table.get((self.collection_number, self.operation, self.token))? else {
            return Ok(None);
        };
        let remembered: TokenRecord = record::decode(bytes.value())?;

        let lifetime_micros = i64::try_from(lifetime.as_micros()).unwrap_or(i64::MAX);
        if remembered.created_micros.saturating_add(lifetime_micros) < now_micros() {
            return Ok(None);
        }
        if remembered.request != self.fingerprint {
            return Err(Error::IdempotentParameterMismatch(format!(
                "ClientRequestToken '{}' was already used for a different {} request; send a new \
                 token for a new request",
                self.token, self.operation
            )));
        }
        let response = serde_json::from_slice(&remembered.response)
            .map_err(|source| Error::internal("decoding a remembered response failed", source))?;
        Ok(Some(response))
    }

    /// Remembers `response` for this token, in the transaction of the change.
    pub(crate) fn remember(
        self,
        transaction: &WriteTransaction,
        response: &impl Serialize,
    ) -> Result<()> {
        let response = serde_json::to_vec(response)
            .map_err(|source| Error::internal("encoding a response to remember failed", source))?;
        let remembered = TokenRecord {
            created_micros: now_micros(),
            request: self.fingerprint,
            response,
        };
        let mut table = transaction.open_table(TOKENS_TABLE)?;
        table.insert(
            (self.collection_number, self.operation, self.token),
            record::encode(&remembered)?.as_slice(),
        )?;
        Ok(())
    }
}
