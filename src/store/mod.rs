//! [`Store`], the handle of one facestore database, and one file of operations per area.

mod associations;
mod builder;
mod check;
mod collections;
mod delete_faces;
mod faces;
mod idempotency;
mod import;
mod pagination;
mod schema;
mod tags;
mod transaction;
mod users;

use std::time::Duration;

pub use builder::StoreBuilder;
pub use check::{CheckReport, Violation, ViolationKind};
pub(crate) use import::ImportFailure;

/// An open facestore database: every collection, face and user in one redb file.
///
/// A `Store` is `Send + Sync`; share it between threads with an `Arc`. Reads run in parallel
/// with each other and with the one write transaction that redb allows at a time.
#[derive(Debug)]
pub struct Store {
    database: redb::Database,
    settings: Settings,
    /// Secret that signs pagination tokens, stored in the database so tokens outlive a reopen.
    pagination_key: [u8; 32],
}

/// Store-wide settings, chosen with [`StoreBuilder`].
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) face_model_version: String,
    pub(crate) region: String,
    pub(crate) account_id: String,
    pub(crate) token_lifetime: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            face_model_version: "7.0".to_owned(),
            region: "us-east-1".to_owned(),
            account_id: "000000000000".to_owned(),
            token_lifetime: Duration::from_secs(24 * 60 * 60),
        }
    }
}

impl Store {
    /// Opens the database at `path` with default settings, creating the file if it does not
    /// exist.
    ///
    /// # Errors
    ///
    /// [`Error::InternalServer`](crate::Error::InternalServer) when the file cannot be
    /// opened or created, is not a facestore database, or was written by a newer facestore.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> facestore::Result<()> {
    /// # let directory = tempfile::tempdir().expect("temporary directory");
    /// # let path = directory.path().join("faces.redb");
    /// let store = facestore::Store::open(&path)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn open(path: impl AsRef<std::path::Path>) -> crate::Result<Self> {
        StoreBuilder::new().open(path)
    }

    /// Returns a builder for a store with settings other than the defaults.
    pub fn builder() -> StoreBuilder {
        StoreBuilder::new()
    }

    /// Returns the face model version that new collections record.
    #[must_use]
    pub fn face_model_version(&self) -> &str {
        &self.settings.face_model_version
    }

    /// Returns the collection ARN, without the `arn:` prefix, as CreateCollection returns it.
    pub(crate) fn collection_arn(&self, collection_id: &str) -> String {
        format!(
            "aws:rekognition:{}:{}:collection/{collection_id}",
            self.settings.region, self.settings.account_id
        )
    }
}
