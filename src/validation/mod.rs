//! Checks of each request against the constraints of the AWS service model.
//!
//! Every check runs before the store reads anything, and a request with one bad element is
//! rejected whole with [`Error::Validation`](crate::Error::Validation) in the AWS wording.

mod patterns;
mod requests;
mod violations;

pub(crate) use patterns::{format_face_id, parse_face_id};
pub(crate) use requests::{Validate, check_face, check_face_input};
pub(crate) use violations::Violations;

/// Most dimensions an embedding may have: 4096 floats, 16 KiB a face.
pub const MAX_EMBEDDING_DIMENSION: usize = 4096;
