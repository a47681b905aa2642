//! Creating the tables of a new database and checking the schema version of an old one.

use redb::{ReadableTable, WriteTransaction};

use crate::error::{Error, Result};
use crate::storage::tables::{
    COLLECTION_NUMBERS_TABLE, COLLECTIONS_TABLE, EMBEDDING_BLOCKS_TABLE, FACES_TABLE, META_TABLE,
    PAGINATION_KEY_KEY, PENDING_ERASURE_TABLE, SCHEMA_VERSION, SCHEMA_VERSION_KEY, TOKENS_TABLE,
    USER_FACES_TABLE, USERS_TABLE,
};

/// Creates every table, records or checks the schema version, and returns the pagination
/// key, generating it on first open.
pub(super) fn prepare(database: &redb::Database) -> Result<[u8; 32]> {
    let transaction = database.begin_write()?;

    create_tables(&transaction)?;
    check_schema_version(&transaction)?;
    let key = pagination_key(&transaction)?;

    transaction.commit()?;
    Ok(key)
}

fn create_tables(transaction: &WriteTransaction) -> Result<()> {
    transaction.open_table(COLLECTIONS_TABLE)?;
    transaction.open_table(COLLECTION_NUMBERS_TABLE)?;
    transaction.open_table(FACES_TABLE)?;
    transaction.open_table(EMBEDDING_BLOCKS_TABLE)?;
    transaction.open_table(PENDING_ERASURE_TABLE)?;
    transaction.open_table(USERS_TABLE)?;
    transaction.open_table(USER_FACES_TABLE)?;
    transaction.open_table(TOKENS_TABLE)?;
    transaction.open_table(META_TABLE)?;
    Ok(())
}

fn check_schema_version(transaction: &WriteTransaction) -> Result<()> {
    let mut meta = transaction.open_table(META_TABLE)?;
    let stored = meta
        .get(SCHEMA_VERSION_KEY)?
        .map(|value| value.value().to_vec());
    let Some(stored) = stored else {
        tracing::debug!(
            version = SCHEMA_VERSION,
            "new database, recording schema version"
        );
        meta.insert(SCHEMA_VERSION_KEY, SCHEMA_VERSION.to_le_bytes().as_slice())?;
        return Ok(());
    };

    let version = <[u8; 4]>::try_from(stored.as_slice())
        .map(u32::from_le_bytes)
        .map_err(|_| unreadable(format!("schema version of {} bytes", stored.len())))?;
    if version > SCHEMA_VERSION {
        return Err(unreadable(format!(
            "schema version {version} is newer than {SCHEMA_VERSION}, the newest this build \
             reads; open it with a newer facestore"
        )));
    }
    if version < SCHEMA_VERSION {
        // The tables of the newer schema were created above, and faces changed from now on
        // are written in a format that older builds cannot read.
        tracing::info!(
            from = version,
            to = SCHEMA_VERSION,
            "upgrading database schema"
        );
        meta.insert(SCHEMA_VERSION_KEY, SCHEMA_VERSION.to_le_bytes().as_slice())?;
    }
    Ok(())
}

fn pagination_key(transaction: &WriteTransaction) -> Result<[u8; 32]> {
    let mut meta = transaction.open_table(META_TABLE)?;
    let stored = meta
        .get(PAGINATION_KEY_KEY)?
        .map(|value| value.value().to_vec());
    if let Some(stored) = stored {
        return <[u8; 32]>::try_from(stored.as_slice())
            .map_err(|_| unreadable(format!("pagination key of {} bytes", stored.len())));
    }

    let mut key = [0_u8; 32];
    key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    meta.insert(PAGINATION_KEY_KEY, key.as_slice())?;
    Ok(key)
}

fn unreadable(detail: String) -> Error {
    Error::InternalServer {
        message: format!("database is not a readable facestore database: {detail}"),
        source: None,
    }
}
