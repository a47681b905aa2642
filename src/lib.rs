//! facestore is an embedded, transactional store for face collections with the semantics of
//! the AWS Rekognition collection API.
//!
//! One redb file holds collections, faces (the AWS `Face` record plus the caller's embedding)
//! and users that faces are associated with. [`Store`] has one method per operation, taking
//! and returning the types of [`api`], whose JSON form is the AWS one. Every change runs in one
//! redb write transaction: it is written whole or not at all.
//!
//! ```
//! # fn main() -> facestore::Result<()> {
//! use facestore::api::{
//!     CreateCollectionRequest, DeleteFacesRequest, FaceInput, ImportFacesRequest,
//! };
//!
//! let store = facestore::Store::builder().open_in_memory()?;
//! store.create_collection(&CreateCollectionRequest { collection_id: "myphotos".into(), tags: None })?;
//!
//! let face = FaceInput {
//!     face_id: Some("ff43d742-0c13-5d16-a3e8-03d3f58e980b".into()),
//!     embedding: Some(vec![0.12, -0.4, 0.93]),
//!     ..FaceInput::default()
//! };
//! store.import_faces(&ImportFacesRequest { collection_id: "myphotos".into(), faces: vec![face] })?;
//!
//! let response = store.delete_faces(&DeleteFacesRequest {
//!     collection_id: "myphotos".into(),
//!     face_ids: vec!["ff43d742-0c13-5d16-a3e8-03d3f58e980b".into()],
//! })?;
//! assert_eq!(response.deleted_faces, ["ff43d742-0c13-5d16-a3e8-03d3f58e980b"]);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

pub mod api;
#[cfg(feature = "cli")]
pub mod cli;
pub mod dispatch;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod import_file;
#[cfg(feature = "server")]
pub mod server;
mod similarity;
mod storage;
mod store;
mod validation;

pub use error::{Error, Result};
pub use store::{CheckReport, DEFAULT_CACHE_SIZE, Store, StoreBuilder, Violation, ViolationKind};
pub use validation::MAX_EMBEDDING_DIMENSION;
