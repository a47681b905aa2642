//! Versioned encodings of the stored records.
//!
//! Every value starts with one format version byte, followed by the record in bincode 2's
//! standard configuration (variable-length little-endian integers). A face record of version 2
//! names the slot of its embedding in the embedding blocks table; version 1, still read, kept
//! the embedding after the bincode part as raw little-endian `f32`s. A codec change adds a
//! version and keeps decoding the old ones.

use std::collections::BTreeMap;

use bincode::config::{Configuration, Limit, LittleEndian, Varint};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Largest bincode part of a record that decoding accepts. It bounds the memory a corrupt
/// length prefix can claim.
const MAX_RECORD_BYTES: usize = 1 << 20;

type Config = Configuration<LittleEndian, Varint, Limit<MAX_RECORD_BYTES>>;

const CONFIG: Config = bincode::config::standard().with_limit::<MAX_RECORD_BYTES>();

/// A record type stored with a leading format version byte.
pub(crate) trait Record: Serialize + DeserializeOwned {
    /// Name used in error messages.
    const NAME: &'static str;
    /// The format version this build writes.
    const VERSION: u8;
}

/// A collection's settings and exact counters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CollectionRecord {
    /// Key prefix of every row of this collection, never reused.
    pub(crate) number: u64,
    /// Creation time in microseconds since the Unix epoch.
    pub(crate) created_micros: i64,
    pub(crate) face_model_version: String,
    pub(crate) face_count: u64,
    pub(crate) user_count: u64,
    /// Length of every embedding in the collection, fixed by the first face stored with one.
    pub(crate) embedding_dimension: Option<u32>,
    pub(crate) tags: BTreeMap<String, String>,
}

impl Record for CollectionRecord {
    const NAME: &'static str = "collection";
    const VERSION: u8 = 1;
}

/// A user's association counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    /// Number of faces associated with the user, at most 100.
    pub(crate) face_count: u32,
}

impl Record for UserRecord {
    const NAME: &'static str = "user";
    const VERSION: u8 = 1;
}

/// An idempotency token's request and the response it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TokenRecord {
    /// When the token was first used, in microseconds since the Unix epoch.
    pub(crate) created_micros: i64,
    /// The request's canonical JSON without its token: the fingerprint that a retry must match.
    pub(crate) request: Vec<u8>,
    /// The response's JSON.
    pub(crate) response: Vec<u8>,
}

impl Record for TokenRecord {
    const NAME: &'static str = "request token";
    const VERSION: u8 = 1;
}

/// A face without its embedding. The face ID is the row's key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FaceRecord {
    pub(crate) image_id: u128,
    /// Width, height, left and top.
    pub(crate) bounding_box: Option<[f64; 4]>,
    pub(crate) external_image_id: Option<String>,
    pub(crate) confidence: Option<f64>,
    pub(crate) index_faces_model_version: Option<String>,
    pub(crate) user_id: Option<String>,
    /// Where the embedding is stored, or `None` for a face without one. Version 1 records
    /// have no such field: their embedding follows the record inline.
    pub(crate) embedding: Option<EmbeddingSlot>,
}

impl Record for FaceRecord {
    const NAME: &'static str = "face";
    const VERSION: u8 = 2;
}

/// The place of one embedding: a block of the collection in the embedding blocks table and
/// the index of the embedding within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) struct EmbeddingSlot {
    pub(crate) block: u64,
    pub(crate) slot: u32,
}

/// The face record as format version 1 stored it, followed inline by the embedding.
#[derive(Deserialize)]
struct FaceRecordV1 {
    image_id: u128,
    bounding_box: Option<[f64; 4]>,
    external_image_id: Option<String>,
    confidence: Option<f64>,
    index_faces_model_version: Option<String>,
    user_id: Option<String>,
}

/// The oldest face record format that [`decode_face`] reads.
const FACE_RECORD_V1: u8 = 1;

/// A decoded face value: the record, and for a version 1 value the embedding bytes that
/// follow it inline (empty otherwise).
#[derive(Debug)]
pub(crate) struct StoredFace<'a> {
    pub(crate) record: FaceRecord,
    pub(crate) inline_embedding: &'a [u8],
}

/// The fields of a stored [`FaceRecord`] borrowed from its bytes, in the same order, so a
/// reader that needs only the user ID allocates nothing. Versions 1 and 2 share these
/// leading fields, and decoding stops after the user ID.
#[derive(Deserialize)]
struct FaceRecordView<'a> {
    _image_id: u128,
    _bounding_box: Option<[f64; 4]>,
    #[serde(borrow)]
    _external_image_id: Option<&'a str>,
    _confidence: Option<f64>,
    #[serde(borrow)]
    _index_faces_model_version: Option<&'a str>,
    #[serde(borrow)]
    user_id: Option<&'a str>,
}

/// Returns the user ID of a stored face value without decoding the rest into owned values.
pub(crate) fn face_user_id(bytes: &[u8]) -> Result<Option<&str>> {
    let Some((&version, body)) = bytes.split_first() else {
        return Err(corrupt::<FaceRecord>("empty value".to_owned()));
    };
    if version != FaceRecord::VERSION && version != FACE_RECORD_V1 {
        return Err(unknown_face_version(version));
    }
    let (view, _): (FaceRecordView<'_>, usize) =
        bincode::serde::borrow_decode_from_slice(body, CONFIG)
            .map_err(|source| corrupt::<FaceRecord>(source.to_string()))?;
    Ok(view.user_id)
}

/// Returns the user ID and the embedding slot of a stored face value, decoding the rest
/// without allocating.
pub(crate) fn face_user_and_slot(bytes: &[u8]) -> Result<(Option<&str>, Option<EmbeddingSlot>)> {
    #[derive(Deserialize)]
    struct View<'a> {
        #[serde(borrow)]
        leading: FaceRecordView<'a>,
        embedding: Option<EmbeddingSlot>,
    }

    let Some((&version, body)) = bytes.split_first() else {
        return Err(corrupt::<FaceRecord>("empty value".to_owned()));
    };
    if version == FACE_RECORD_V1 {
        return face_user_id(bytes).map(|user_id| (user_id, None));
    }
    if version != FaceRecord::VERSION {
        return Err(unknown_face_version(version));
    }
    let (view, _): (View<'_>, usize) = bincode::serde::borrow_decode_from_slice(body, CONFIG)
        .map_err(|source| corrupt::<FaceRecord>(source.to_string()))?;
    Ok((view.leading.user_id, view.embedding))
}

fn unknown_face_version(version: u8) -> Error {
    corrupt::<FaceRecord>(format!(
        "format version {version}, but this build reads versions {FACE_RECORD_V1} and {}",
        FaceRecord::VERSION
    ))
}

/// Encodes `record` with its version byte.
pub(crate) fn encode<R: Record>(record: &R) -> Result<Vec<u8>> {
    let mut bytes = vec![R::VERSION];
    bincode::serde::encode_into_std_write(record, &mut bytes, CONFIG).map_err(|source| {
        Error::internal(format!("encoding a {} record failed", R::NAME), source)
    })?;
    Ok(bytes)
}

/// Decodes a record written by [`encode`]; trailing bytes are an error.
pub(crate) fn decode<R: Record>(bytes: &[u8]) -> Result<R> {
    let (record, used) = decode_prefix::<R>(bytes)?;
    if used != bytes.len() {
        return Err(corrupt::<R>(format!(
            "{} bytes after the record",
            bytes.len() - used
        )));
    }
    Ok(record)
}

/// Decodes the record at the start of `bytes` and returns it with the number of bytes used.
fn decode_prefix<R: Record>(bytes: &[u8]) -> Result<(R, usize)> {
    let Some((&version, body)) = bytes.split_first() else {
        return Err(corrupt::<R>("empty value".to_owned()));
    };
    if version != R::VERSION {
        return Err(corrupt::<R>(format!(
            "format version {version}, but this build reads version {}",
            R::VERSION
        )));
    }
    let (record, used) = bincode::serde::decode_from_slice(body, CONFIG)
        .map_err(|source| corrupt::<R>(source.to_string()))?;
    Ok((record, used + 1))
}

fn corrupt<R: Record>(detail: String) -> Error {
    Error::InternalServer {
        message: format!("stored {} record is unreadable: {detail}", R::NAME),
        source: None,
    }
}

/// Decodes a stored face value of format version 1 or 2.
pub(crate) fn decode_face(bytes: &[u8]) -> Result<StoredFace<'_>> {
    let Some((&version, body)) = bytes.split_first() else {
        return Err(corrupt::<FaceRecord>("empty value".to_owned()));
    };
    if version == FaceRecord::VERSION {
        return Ok(StoredFace {
            record: decode(bytes)?,
            inline_embedding: &[],
        });
    }
    if version != FACE_RECORD_V1 {
        return Err(unknown_face_version(version));
    }

    let (old, used): (FaceRecordV1, usize) = bincode::serde::decode_from_slice(body, CONFIG)
        .map_err(|source| corrupt::<FaceRecord>(source.to_string()))?;
    let inline_embedding = &body[used..];
    if inline_embedding.len() % 4 != 0 {
        return Err(corrupt::<FaceRecord>(format!(
            "embedding of {} bytes is not a whole number of f32 values",
            inline_embedding.len()
        )));
    }
    let record = FaceRecord {
        image_id: old.image_id,
        bounding_box: old.bounding_box,
        external_image_id: old.external_image_id,
        confidence: old.confidence,
        index_faces_model_version: old.index_faces_model_version,
        user_id: old.user_id,
        embedding: None,
    };
    Ok(StoredFace {
        record,
        inline_embedding,
    })
}

/// Decodes little-endian `f32` bytes into floats; a trailing partial value is ignored.
pub(crate) fn decode_embedding(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
        .collect()
}

/// Encodes a face value of format version 1, which this build only reads, for tests of
/// files written by older builds.
#[cfg(test)]
pub(crate) fn encode_face_v1(face: &FaceRecord, embedding: Option<&[f32]>) -> Vec<u8> {
    #[derive(Serialize)]
    struct V1<'a> {
        image_id: u128,
        bounding_box: Option<[f64; 4]>,
        external_image_id: &'a Option<String>,
        confidence: Option<f64>,
        index_faces_model_version: &'a Option<String>,
        user_id: &'a Option<String>,
    }

    let mut bytes = vec![FACE_RECORD_V1];
    let old = V1 {
        image_id: face.image_id,
        bounding_box: face.bounding_box,
        external_image_id: &face.external_image_id,
        confidence: face.confidence,
        index_faces_model_version: &face.index_faces_model_version,
        user_id: &face.user_id,
    };
    bincode::serde::encode_into_std_write(&old, &mut bytes, CONFIG).expect("encode v1 face");
    for value in embedding.unwrap_or_default() {
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_face() -> FaceRecord {
        FaceRecord {
            image_id: 7,
            bounding_box: Some([0.25, 0.5, 0.125, 0.0625]),
            external_image_id: Some("photo-1".to_owned()),
            confidence: Some(99.5),
            index_faces_model_version: Some("7.0".to_owned()),
            user_id: None,
            embedding: Some(EmbeddingSlot { block: 3, slot: 5 }),
        }
    }

    #[test]
    fn face_round_trips_with_slot() {
        let bytes = encode(&sample_face()).unwrap();
        assert_eq!(bytes[0], 2);
        let stored = decode_face(&bytes).unwrap();
        assert_eq!(stored.record, sample_face());
        assert!(stored.inline_embedding.is_empty());
    }

    #[test]
    fn version_1_face_decodes_with_inline_embedding() {
        let face = FaceRecord {
            user_id: Some("user-1".to_owned()),
            embedding: None,
            ..sample_face()
        };
        let bytes = encode_face_v1(&face, Some(&[0.5, -1.0, 3.25]));
        assert_eq!(bytes[0], 1);
        let stored = decode_face(&bytes).unwrap();
        assert_eq!(stored.record, face);
        assert_eq!(decode_embedding(stored.inline_embedding), [0.5, -1.0, 3.25]);
        assert_eq!(face_user_id(&bytes).unwrap(), Some("user-1"));
        assert_eq!(face_user_and_slot(&bytes).unwrap(), (Some("user-1"), None));
    }

    #[test]
    fn version_1_face_with_partial_float_is_an_error() {
        let mut bytes = encode_face_v1(&sample_face(), Some(&[1.0]));
        bytes.push(0);
        assert!(decode_face(&bytes).is_err());
    }

    #[test]
    fn face_user_id_matches_full_decode() {
        for user_id in [None, Some("user-1".to_owned())] {
            let face = FaceRecord {
                user_id: user_id.clone(),
                ..sample_face()
            };
            let bytes = encode(&face).unwrap();
            assert_eq!(face_user_id(&bytes).unwrap(), user_id.as_deref());
            assert_eq!(
                face_user_and_slot(&bytes).unwrap(),
                (user_id.as_deref(), face.embedding)
            );
            assert_eq!(decode_face(&bytes).unwrap().record.user_id, user_id);
        }
    }

    #[test]
    fn face_user_id_rejects_garbage() {
        for bytes in [&[][..], &[1], &[3, 0], &[2], &[1, 0xff, 0xff, 0xff]] {
            assert!(face_user_id(bytes).is_err());
            assert!(face_user_and_slot(bytes).is_err());
        }
    }

    #[test]
    fn face_version_2_with_trailing_bytes_is_an_error() {
        let mut bytes = encode(&sample_face()).unwrap();
        bytes.extend_from_slice(&1.0_f32.to_le_bytes());
        assert!(decode_face(&bytes).is_err());
    }

    #[test]
    fn record_starts_with_version_byte() {
        let bytes = encode(&UserRecord { face_count: 3 }).unwrap();
        assert_eq!(bytes[0], UserRecord::VERSION);
        assert_eq!(
            decode::<UserRecord>(&bytes).unwrap(),
            UserRecord { face_count: 3 }
        );
    }

    #[test]
    fn unknown_version_is_an_error() {
        let mut bytes = encode(&UserRecord { face_count: 3 }).unwrap();
        bytes[0] = 99;
        let error = decode::<UserRecord>(&bytes).unwrap_err();
        assert!(error.to_string().contains("format version 99"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &[][..],
            &[1],
            &[1, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[1, 2, 3],
            &[2, 0xff],
        ] {
            assert!(decode::<CollectionRecord>(bytes).is_err());
            assert!(decode_face(bytes).is_err());
        }
    }

    #[test]
    fn trailing_bytes_are_an_error() {
        let mut bytes = encode(&UserRecord { face_count: 3 }).unwrap();
        bytes.push(0);
        assert!(decode::<UserRecord>(&bytes).is_err());
    }
}
