//! Helpers shared by the operations: running a write transaction, and loading and saving a
//! collection's record inside one.

use std::time::{SystemTime, UNIX_EPOCH};

use redb::{ReadTransaction, ReadableTable, WriteTransaction};

use super::Store;
use crate::error::{Error, Result};
use crate::storage::record::{self, CollectionRecord};
use crate::storage::tables::COLLECTIONS_TABLE;

impl Store {
    /// Runs `operation` in one write transaction and commits it if the operation returns
    /// `Ok`. On `Err` the transaction is aborted, so nothing of it is written.
    pub(crate) fn write<T>(
        &self,
        operation: impl FnOnce(&WriteTransaction) -> Result<T>,
    ) -> Result<T> {
        let transaction = self.database.begin_write()?;
        match operation(&transaction) {
            Ok(value) => {
                transaction.commit()?;
                Ok(value)
            }
            Err(error) => {
                if let Err(abort_error) = transaction.abort() {
                    tracing::warn!(%abort_error, "aborting a failed transaction failed");
                }
                Err(error)
            }
        }
    }

    /// Starts a read transaction: a consistent snapshot of the last commit.
    pub(crate) fn read(&self) -> Result<ReadTransaction> {
        Ok(redb::ReadableDatabase::begin_read(&*self.database)?)
    }
}

/// Loads the record of collection `collection_id`.
///
/// # Errors
///
/// [`Error::ResourceNotFound`] naming the collection when it does not exist.
pub(crate) fn load_collection(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    collection_id: &str,
) -> Result<CollectionRecord> {
    match table.get(collection_id)? {
        Some(bytes) => record::decode(bytes.value()),
        None => Err(Error::collection_not_found(collection_id)),
    }
}

/// Loads the record of a collection that must exist, from a write transaction.
pub(crate) fn load_collection_for_write(
    transaction: &WriteTransaction,
    collection_id: &str,
) -> Result<CollectionRecord> {
    let table = transaction.open_table(COLLECTIONS_TABLE)?;
    load_collection(&table, collection_id)
}

/// Loads the record of a collection that must exist, from a read transaction.
pub(crate) fn load_collection_for_read(
    transaction: &ReadTransaction,
    collection_id: &str,
) -> Result<CollectionRecord> {
    let table = transaction.open_table(COLLECTIONS_TABLE)?;
    load_collection(&table, collection_id)
}

/// Stores the record of collection `collection_id`.
pub(crate) fn save_collection(
    transaction: &WriteTransaction,
    collection_id: &str,
    collection: &CollectionRecord,
) -> Result<()> {
    let mut table = transaction.open_table(COLLECTIONS_TABLE)?;
    table.insert(collection_id, record::encode(collection)?.as_slice())?;
    Ok(())
}

/// Returns the current time in microseconds since the Unix epoch.
pub(crate) fn now_micros() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(elapsed.as_micros()).unwrap_or(i64::MAX)
}
