//! Opaque, signed `NextToken`s.
//!
//! A token is the URL-safe base64 text of the last key a page returned followed by a 16-byte
//! HMAC-SHA256 tag over the operation name, the collection number and that key. Another
//! operation's or collection's token, a token of a collection deleted and created again, or
//! an edited token fails the tag check.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::Store;
use crate::error::{Error, Result};

const TAG_BYTES: usize = 16;

/// Page size of ListFaces and ListCollections when `MaxResults` is absent or 0.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 1000;

/// Page size of ListUsers when `MaxResults` is absent.
pub(crate) const DEFAULT_USER_PAGE_SIZE: usize = 500;

/// Returns the page size a request's `MaxResults` asks for; validation has bounded it.
pub(crate) fn page_size(max_results: Option<i64>, default: usize) -> usize {
    match max_results {
        None | Some(0) => default,
        Some(size) => usize::try_from(size).unwrap_or(default),
    }
}

impl Store {
    /// Returns the token that resumes `operation` on `collection_number` after `last_key`.
    pub(crate) fn encode_page_token(
        &self,
        operation: &str,
        collection_number: u64,
        last_key: &[u8],
    ) -> String {
        let tag = self.page_token_tag(operation, collection_number, last_key);
        let mut bytes = last_key.to_vec();
        bytes.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Returns the last key of the previous page, after checking that `token` was made by
    /// this store for `operation` on `collection_number`.
    pub(crate) fn decode_page_token(
        &self,
        token: &str,
        operation: &str,
        collection_number: u64,
    ) -> Result<Vec<u8>> {
        let invalid = || {
            Error::InvalidPaginationToken(format!(
                "invalid NextToken '{token}' for {operation}: pass the NextToken of the previous \
                 {operation} page of the same collection unchanged, or omit it to start over"
            ))
        };
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        if bytes.len() < TAG_BYTES {
            return Err(invalid());
        }

        let (last_key, tag) = bytes.split_at(bytes.len() - TAG_BYTES);
        let mut mac = self.page_token_mac(operation, collection_number, last_key);
        mac.update(&[]);
        mac.verify_truncated_left(tag).map_err(|_| invalid())?;
        Ok(last_key.to_vec())
    }

    fn page_token_tag(&self, operation: &str, collection_number: u64, last_key: &[u8]) -> Vec<u8> {
        let mac = self.page_token_mac(operation, collection_number, last_key);
        mac.finalize().into_bytes()[..TAG_BYTES].to_vec()
    }

    fn page_token_mac(
        &self,
        operation: &str,
        collection_number: u64,
        last_key: &[u8],
    ) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.pagination_key)
            .expect("HMAC accepts a key of any length");
        // The operation name's length first, so that no two (operation, key) pairs sign the
        // same bytes.
        mac.update(&(operation.len() as u64).to_le_bytes());
        mac.update(operation.as_bytes());
        mac.update(&collection_number.to_le_bytes());
        mac.update(last_key);
        mac
    }
}
