//! [`Store`], the handle of one facestore database, and one file of operations per area.

mod associations;
mod builder;
mod check;
mod collections;
mod delete_faces;
mod embeddings;
#[cfg(test)]
mod embeddings_tests;
mod eraser;
mod faces;
mod idempotency;
mod import;
mod pagination;
mod schema;
mod tags;
mod transaction;
mod users;

use std::sync::Arc;
use std::time::Duration;

pub use builder::{DEFAULT_CACHE_SIZE, StoreBuilder};
pub use check::{CheckReport, Violation, ViolationKind};
#[cfg(feature = "cli")]
pub(crate) use import::ImportFailure;

/// An open facestore database: every collection, face and user in one redb file.
///
/// A `Store` is `Send + Sync`; share it between threads with an `Arc`. Reads run in parallel
/// with each other and with the one write transaction that redb allows at a time.
///
/// Each store runs one background thread that erases the embeddings of deleted faces from
/// the file once DeleteFaces calls pause for [`StoreBuilder::erasure_delay`], and at most
/// [`StoreBuilder::max_erasure_delay`] after the commit that deleted them, plus the time to
/// take the write lock and write the pass. Dropping the store stops the thread and runs a
/// final pass before it returns.
#[derive(Debug)]
pub struct Store {
    database: Arc<redb::Database>,
    settings: Settings,
    /// Secret that signs pagination tokens, stored in the database so tokens outlive a reopen.
    pagination_key: [u8; 32],
    eraser: eraser::Eraser,
}

/// Store-wide settings, chosen with [`StoreBuilder`].
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) face_model_version: String,
    pub(crate) region: String,
    pub(crate) account_id: String,
    pub(crate) token_lifetime: Duration,
    pub(crate) erasure_delay: Duration,
    pub(crate) max_erasure_delay: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            face_model_version: "7.0".to_owned(),
            region: "us-east-1".to_owned(),
            account_id: "000000000000".to_owned(),
            token_lifetime: Duration::from_secs(24 * 60 * 60),
            erasure_delay: Duration::from_millis(250),
            max_erasure_delay: Duration::from_secs(2),
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

    /// Erases the embeddings of deleted faces from the database now, instead of waiting for
    /// the background pass, and returns how many embeddings it erased.
    ///
    /// A block of embeddings whose faces are all deleted is removed; any other block is
    /// rewritten with the deleted faces' embeddings zeroed. redb may keep the old bytes of a
    /// freed or rewritten page in the file until it reuses the page.
    ///
    /// # Errors
    ///
    /// [`Error::InternalServer`](crate::Error::InternalServer) when storage fails; the
    /// embeddings not yet erased stay pending and a later pass erases them.
    pub fn erase_deleted_embeddings(&self) -> crate::Result<u64> {
        embeddings::erase_pending(&self.database)
    }

    /// Erases the embeddings of deleted faces, then compacts the file: redb moves pages
    /// toward the start of the file and truncates the free space that this leaves at its
    /// end. Returns whether the file changed.
    ///
    /// redb 5.0 grows a file by doubling it until it reaches 4 GiB, and a deletion frees pages
    /// without shrinking the file, so after a large import or deletion the file can be up to
    /// twice the data it holds. Compaction also drops the old bytes of the freed pages that
    /// it truncates. It needs the store to itself: the background eraser is stopped while it
    /// runs and started again afterwards, and no read or write can run meanwhile.
    ///
    /// # Errors
    ///
    /// [`Error::InternalServer`](crate::Error::InternalServer) when storage fails or the
    /// eraser thread cannot be started again. A failed compaction leaves the file as its last
    /// commit left it, but after a failed write or sync redb rejects every later transaction
    /// of this `Store`, so drop it and open the file again.
    pub fn compact(&mut self) -> crate::Result<bool> {
        self.eraser.stop();
        let compacted = self.compact_without_eraser();
        self.eraser = eraser::Eraser::start(
            Arc::clone(&self.database),
            self.settings.erasure_delay,
            self.settings.max_erasure_delay,
        )?;
        compacted
    }

    fn compact_without_eraser(&mut self) -> crate::Result<bool> {
        embeddings::erase_pending(&self.database)?;
        // The eraser thread held the only other reference, and stopping it dropped that.
        let database =
            Arc::get_mut(&mut self.database).ok_or_else(|| crate::Error::InternalServer {
                message: "compacting the database failed: another handle to it is open".to_owned(),
                source: None,
            })?;
        database
            .compact(redb::CompactionMode::Balanced)
            .map_err(|error| {
                let message = format!("compacting the database failed: {error}");
                crate::Error::internal(message, error)
            })
    }

    /// Returns the collection ARN, without the `arn:` prefix, as CreateCollection returns it.
    pub(crate) fn collection_arn(&self, collection_id: &str) -> String {
        format!(
            "aws:rekognition:{}:{}:collection/{collection_id}",
            self.settings.region, self.settings.account_id
        )
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.eraser.stop();
        match embeddings::erase_pending(&self.database) {
            Ok(0) => {}
            Ok(erased) => tracing::debug!(erased, "erased embeddings of deleted faces at close"),
            Err(error) => tracing::warn!(
                %error,
                "erasing embeddings of deleted faces at close failed; the next open erases them"
            ),
        }
    }
}
