//! The one error type of facestore, a variant per exception of the AWS service.

/// Result of every facestore operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failed operation. Each variant is one exception name of the AWS Rekognition service, and
/// its message names the offending value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks a constraint of the service model (required field, length, pattern,
    /// list size, range). Nothing was read or written.
    #[error("{0}")]
    Validation(String),

    /// The request is well formed but makes no sense for the stored state, such as an
    /// embedding of the wrong length.
    #[error("{0}")]
    InvalidParameter(String),

    /// The collection, or the user the operation needs, does not exist.
    #[error("{0}")]
    ResourceNotFound(String),

    /// A collection with this ID already exists.
    #[error("{0}")]
    ResourceAlreadyExists(String),

    /// The request conflicts with the stored state, such as a user that already exists.
    #[error("{0}")]
    Conflict(String),

    /// A `ClientRequestToken` was used before with a different request.
    #[error("{0}")]
    IdempotentParameterMismatch(String),

    /// The `NextToken` was not produced by this store for this operation and collection.
    #[error("{0}")]
    InvalidPaginationToken(String),

    /// The request would exceed a quota, such as 100 faces per user or 50 tags per collection.
    #[error("{0}")]
    ServiceQuotaExceeded(String),

    /// Storage or I/O failed; never caused by the request's content.
    #[error("{message}")]
    InternalServer {
        /// What failed.
        message: String,
        /// The underlying storage, I/O or codec error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl Error {
    /// Returns the exception name the AWS service sends for this error, such as
    /// `ResourceNotFoundException`.
    #[must_use]
    pub fn exception_name(&self) -> &'static str {
        match self {
            Self::Validation(_) => "ValidationException",
            Self::InvalidParameter(_) => "InvalidParameterException",
            Self::ResourceNotFound(_) => "ResourceNotFoundException",
            Self::ResourceAlreadyExists(_) => "ResourceAlreadyExistsException",
            Self::Conflict(_) => "ConflictException",
            Self::IdempotentParameterMismatch(_) => "IdempotentParameterMismatchException",
            Self::InvalidPaginationToken(_) => "InvalidPaginationTokenException",
            Self::ServiceQuotaExceeded(_) => "ServiceQuotaExceededException",
            Self::InternalServer { .. } => "InternalServerError",
        }
    }

    /// Returns true for storage and I/O failures, which the server sends as HTTP 500.
    #[must_use]
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::InternalServer { .. })
    }

    pub(crate) fn internal(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::InternalServer {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    pub(crate) fn collection_not_found(collection_id: &str) -> Self {
        Self::ResourceNotFound(format!(
            "collection '{collection_id}' not found; create it with CreateCollection or check the ID"
        ))
    }
}

macro_rules! storage_error {
    ($($source:ty => $what:literal),* $(,)?) => {
        $(
            impl From<$source> for Error {
                fn from(source: $source) -> Self {
                    Self::internal(format!("{} failed: {source}", $what), source)
                }
            }
        )*
    };
}

storage_error! {
    redb::DatabaseError => "opening the database",
    redb::TransactionError => "starting a transaction",
    redb::TableError => "opening a table",
    redb::StorageError => "reading or writing the database",
    redb::CommitError => "committing a transaction",
}
