//! ListFaces, and the conversion of stored face rows into the AWS `Face` shape.

use redb::{ReadOnlyTable, ReadableTable};

use super::Store;
use super::pagination::{DEFAULT_PAGE_SIZE, page_size};
use super::transaction::load_collection_for_read;
use crate::api::{BoundingBox, Face, ListFacesRequest, ListFacesResponse};
use crate::error::{Error, Result};
use crate::storage::record::{self, FaceRecord};
use crate::storage::tables::{FACES_TABLE, USER_FACES_TABLE};
use crate::validation::{Validate, format_face_id, parse_face_id};

const LIST_FACES: &str = "ListFaces";

impl Store {
    /// Lists a collection's faces in ascending `FaceId` order, a page at a time, optionally
    /// only those of one user or only those among given IDs.
    ///
    /// An unknown `UserId` or unknown `FaceIds` give fewer faces, not an error.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for a request that breaks the service model,
    /// [`Error::ResourceNotFound`] when the collection does not exist,
    /// [`Error::InvalidPaginationToken`] for a token this store did not make for this call.
    pub fn list_faces(&self, request: &ListFacesRequest) -> Result<ListFacesResponse> {
        request.validate()?;
        let limit = page_size(request.max_results, DEFAULT_PAGE_SIZE);

        let transaction = self.read()?;
        let collection = load_collection_for_read(&transaction, &request.collection_id)?;
        let after = match &request.next_token {
            Some(token) => Some(self.decode_face_token(token, collection.number)?),
            None => None,
        };
        let faces = transaction.open_table(FACES_TABLE)?;

        // Reading one face more than the page size shows whether another page follows.
        let mut page = match (&request.user_id, &request.face_ids) {
            (Some(user_id), _) => {
                let wanted = request.face_ids.as_deref().map(face_keys);
                let user_faces = transaction.open_table(USER_FACES_TABLE)?;
                let start = after.map_or(0, |key| key.saturating_add(1));
                let mut keys = Vec::new();
                if after != Some(u128::MAX) {
                    for entry in user_faces.range(
                        (collection.number, user_id.as_str(), start)
                            ..=(collection.number, user_id.as_str(), u128::MAX),
                    )? {
                        let key = entry?.0.value().2;
                        if wanted
                            .as_ref()
                            .is_none_or(|wanted| wanted.binary_search(&key).is_ok())
                        {
                            keys.push(key);
                            if keys.len() > limit {
                                break;
                            }
                        }
                    }
                }
                load_faces(&faces, collection.number, &keys)?
            }
            (None, Some(face_ids)) => {
                let keys: Vec<u128> = face_keys(face_ids)
                    .into_iter()
                    .filter(|key| after.is_none_or(|after| *key > after))
                    .collect();
                let mut page = Vec::new();
                for key in keys {
                    if let Some(face) = load_face(&faces, collection.number, key)? {
                        page.push(face);
                        if page.len() > limit {
                            break;
                        }
                    }
                }
                page
            }
            (None, None) => scan_faces(&faces, collection.number, after, limit + 1)?,
        };

        let next_token = if page.len() > limit {
            page.truncate(limit);
            let last = page
                .last()
                .map(|face| &face.face_id)
                .and_then(|id| parse_face_id(id));
            last.map(|key| {
                self.encode_page_token(LIST_FACES, collection.number, &key.to_be_bytes())
            })
        } else {
            None
        };
        Ok(ListFacesResponse {
            faces: page,
            next_token,
            face_model_version: collection.face_model_version,
        })
    }

    fn decode_face_token(&self, token: &str, collection_number: u64) -> Result<u128> {
        let last = self.decode_page_token(token, LIST_FACES, collection_number)?;
        <[u8; 16]>::try_from(last.as_slice())
            .map(u128::from_be_bytes)
            .map_err(|_| {
                Error::InvalidPaginationToken(format!("invalid NextToken '{token}' for ListFaces"))
            })
    }
}

/// Parses, sorts and deduplicates validated face IDs.
fn face_keys(face_ids: &[String]) -> Vec<u128> {
    let mut keys: Vec<u128> = face_ids.iter().filter_map(|id| parse_face_id(id)).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn scan_faces(
    faces: &ReadOnlyTable<(u64, u128), &[u8]>,
    collection_number: u64,
    after: Option<u128>,
    count: usize,
) -> Result<Vec<Face>> {
    let start = match after {
        Some(u128::MAX) => return Ok(Vec::new()),
        Some(key) => key + 1,
        None => 0,
    };
    let mut page = Vec::new();
    for entry in faces.range((collection_number, start)..=(collection_number, u128::MAX))? {
        let (key, value) = entry?;
        page.push(face_from_record(
            key.value().1,
            record::decode_face(value.value())?.record,
        ));
        if page.len() == count {
            break;
        }
    }
    Ok(page)
}

fn load_faces(
    faces: &ReadOnlyTable<(u64, u128), &[u8]>,
    collection_number: u64,
    keys: &[u128],
) -> Result<Vec<Face>> {
    let mut page = Vec::with_capacity(keys.len());
    for key in keys {
        let face =
            load_face(faces, collection_number, *key)?.ok_or_else(|| Error::InternalServer {
                message: format!(
                    "user index names face {} that is not stored; run `facestore check`",
                    format_face_id(*key)
                ),
                source: None,
            })?;
        page.push(face);
    }
    Ok(page)
}

fn load_face(
    faces: &ReadOnlyTable<(u64, u128), &[u8]>,
    collection_number: u64,
    key: u128,
) -> Result<Option<Face>> {
    match faces.get((collection_number, key))? {
        Some(value) => Ok(Some(face_from_record(
            key,
            record::decode_face(value.value())?.record,
        ))),
        None => Ok(None),
    }
}

/// Converts a stored face row into the AWS `Face` shape.
pub(crate) fn face_from_record(key: u128, face: FaceRecord) -> Face {
    Face {
        face_id: format_face_id(key),
        bounding_box: face
            .bounding_box
            .map(|[width, height, left, top]| BoundingBox {
                width,
                height,
                left,
                top,
            }),
        image_id: Some(format_face_id(face.image_id)),
        external_image_id: face.external_image_id,
        confidence: face.confidence,
        index_faces_model_version: face.index_faces_model_version,
        user_id: face.user_id,
    }
}
