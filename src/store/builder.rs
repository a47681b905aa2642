//! [`StoreBuilder`]: settings applied when a database is opened.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::eraser::Eraser;
use super::{Settings, Store, embeddings, schema};
use crate::error::Result;

/// Default size of redb's page cache: 384 MiB, where redb 5.0's own default is 1 GiB. The
/// face records of a million faces take about 190 MiB of leaf pages, so they stay cached
/// beside the block pages that erasure and import go through. A process that imports a
/// million 512-float embeddings peaked at 445 MiB with this cache and 1,128 MiB with redb's.
pub const DEFAULT_CACHE_SIZE: usize = 384 * 1024 * 1024;

/// Opens a [`Store`] with settings other than the defaults.
///
/// # Examples
///
/// ```
/// # fn main() -> facestore::Result<()> {
/// let store = facestore::Store::builder()
///     .region("eu-west-1")
///     .account_id("123456789012")
///     .open_in_memory()?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct StoreBuilder {
    settings: Settings,
    cache_size: Option<usize>,
}

impl StoreBuilder {
    /// Returns a builder with the default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the face model version that new collections record. Default `"7.0"`.
    pub fn face_model_version(mut self, version: impl Into<String>) -> Self {
        self.settings.face_model_version = version.into();
        self
    }

    /// Sets the region in collection ARNs. Default `"us-east-1"`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.settings.region = region.into();
        self
    }

    /// Sets the account ID in collection ARNs. Default `"000000000000"`.
    pub fn account_id(mut self, account_id: impl Into<String>) -> Self {
        self.settings.account_id = account_id.into();
        self
    }

    /// Sets how long a `ClientRequestToken` is remembered. Default 24 hours.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.settings.token_lifetime = lifetime;
        self
    }

    /// Sets how long DeleteFaces commits must pause before the background eraser zeroes or
    /// removes the deleted faces' embeddings. Default 250 ms. Waiting for a pause lets one
    /// pass remove a block whose faces a burst of calls deleted, instead of rewriting it after
    /// each call.
    pub fn erasure_delay(mut self, delay: Duration) -> Self {
        self.settings.erasure_delay = delay;
        self
    }

    /// Sets the longest time from a DeleteFaces commit to the start of the pass that erases
    /// its embeddings, however busy the store is. Default 2 seconds. A value below
    /// [`erasure_delay`](Self::erasure_delay) makes it the delay of every pass.
    pub fn max_erasure_delay(mut self, delay: Duration) -> Self {
        self.settings.max_erasure_delay = delay;
        self
    }

    /// Sets the size in bytes of redb's page cache, which contains both pages read and pages
    /// written by the open write transaction. Default: [`DEFAULT_CACHE_SIZE`]. Pages beyond
    /// it are read through the operating system's file cache.
    pub fn cache_size(mut self, bytes: usize) -> Self {
        self.cache_size = Some(bytes);
        self
    }

    /// Opens the database file at `path`, creating it if it does not exist.
    ///
    /// # Errors
    ///
    /// [`Error::InternalServer`](crate::Error::InternalServer) when the file cannot be
    /// opened or created, is not a facestore database, or was written by a newer facestore.
    pub fn open(self, path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        tracing::debug!(path = %path.display(), "opening database");
        let database = self
            .redb_builder()
            .create(path)
            .map_err(|source| open_error(path, source))?;
        self.finish(database)
    }

    /// Opens a database held in memory only, lost when the store is dropped.
    ///
    /// # Errors
    ///
    /// [`Error::InternalServer`](crate::Error::InternalServer) if redb fails to set it up.
    pub fn open_in_memory(self) -> Result<Store> {
        self.open_with_backend(redb::backends::InMemoryBackend::new())
    }

    /// Opens a database on a custom redb storage backend, such as one that injects faults.
    ///
    /// # Errors
    ///
    /// [`Error::InternalServer`](crate::Error::InternalServer) when the backend fails or holds
    /// something other than a facestore database of this or an older version.
    pub fn open_with_backend(self, backend: impl redb::StorageBackend) -> Result<Store> {
        let database = self.redb_builder().create_with_backend(backend)?;
        self.finish(database)
    }

    fn redb_builder(&self) -> redb::Builder {
        let mut builder = redb::Database::builder();
        builder.set_cache_size(self.cache_size.unwrap_or(DEFAULT_CACHE_SIZE));
        builder
    }

    fn finish(self, database: redb::Database) -> Result<Store> {
        let pagination_key = schema::prepare(&database)?;
        let database = Arc::new(database);
        let eraser = Eraser::start(
            Arc::clone(&database),
            self.settings.erasure_delay,
            self.settings.max_erasure_delay,
        )?;
        // Slots left pending by a store that was not closed cleanly are erased soon.
        if embeddings::has_pending(&database)? {
            eraser.schedule();
        }
        Ok(Store {
            database,
            settings: self.settings,
            pagination_key,
            eraser,
        })
    }
}

/// Names the file in a failed open, and for a file locked by another open handle says how to
/// reach the data instead.
fn open_error(path: &Path, source: redb::DatabaseError) -> crate::Error {
    let message = if matches!(source, redb::DatabaseError::DatabaseAlreadyOpen) {
        format!(
            "opening the database {} failed: another process (or another Store in this \
             process) has it open; stop that process, or send requests to it if it is \
             `facestore serve`",
            path.display()
        )
    } else {
        format!("opening the database {} failed: {source}", path.display())
    };
    crate::Error::internal(message, source)
}
