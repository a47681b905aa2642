//! `facestore serve`: an HTTP server speaking the AWS JSON 1.1 protocol of Rekognition, so that
//! unmodified AWS SDKs and the AWS CLI work against a facestore database.
//!
//! Every request is `POST /` with `Content-Type: application/x-amz-json-1.1` and
//! `X-Amz-Target: RekognitionService.<Operation>`, and runs through [`crate::dispatch::call`]
//! on a blocking thread. `FaceStoreService.ImportFaces` inserts faces detected elsewhere.
//! Requests are not authenticated: SigV4 signatures are accepted without being checked, which
//! is why the default address is loopback only.

mod body;
mod config;
mod error;
mod routing;
mod run;
mod shutdown;
mod target;

pub use config::{DEFAULT_LISTEN, DEFAULT_MAX_BODY_BYTES, ServerConfig};
pub use routing::router;
pub use run::{ServerError, run};
