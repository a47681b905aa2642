//! ImportFaces: insertion of faces detected elsewhere, the library's counterpart of IndexFaces.

use redb::{ReadableTable, Table, WriteTransaction};

use super::Store;
use super::embeddings::{EmbeddingAppender, stored_dimension};
use super::faces::face_from_record;
use super::transaction::{load_collection_for_write, save_collection};
use super::users::{MAX_FACES_PER_USER, load_user, save_user};
use crate::api::{FaceInput, ImportFacesRequest, ImportFacesResponse};
use crate::error::{Error, Result};
use crate::storage::record::{self, CollectionRecord, FaceRecord, UserRecord};
use crate::storage::tables::{FACES_TABLE, USER_FACES_TABLE};
use crate::validation::{Validate, check_face_input, format_face_id, parse_face_id};

/// An import failure and the position of the face it is about, if it is about one.
#[derive(Debug)]
pub(crate) struct ImportFailure {
    /// Index of the failing face in the request.
    pub(crate) index: Option<usize>,
    pub(crate) error: Error,
}

impl From<Error> for ImportFailure {
    fn from(error: Error) -> Self {
        Self { index: None, error }
    }
}

impl Store {
    /// Inserts faces that the caller has already detected, all in one transaction.
    ///
    /// A missing `FaceId` or `ImageId` is generated. A face whose ID is stored with an
    /// identical record is skipped, so an import can be run again. A `UserId` creates that
    /// user if needed and associates the face with it. The first embedding stored in a
    /// collection fixes the length of all of its embeddings.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for a field that breaks the service model,
    /// [`Error::ResourceNotFound`] when the collection does not exist,
    /// [`Error::InvalidParameter`] for a face ID stored with a different record, an embedding
    /// of the wrong length or a value that is not finite, [`Error::ServiceQuotaExceeded`] when
    /// a user would have more than 100 faces. On any error nothing of the request is stored,
    /// except that after a failed final sync of the commit the request may be stored whole.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> facestore::Result<()> {
    /// use facestore::api::{CreateCollectionRequest, FaceInput, ImportFacesRequest};
    ///
    /// let store = facestore::Store::builder().open_in_memory()?;
    /// store.create_collection(&CreateCollectionRequest { collection_id: "c1".into(), tags: None })?;
    /// let face = FaceInput { embedding: Some(vec![0.1, 0.2, 0.3]), ..FaceInput::default() };
    /// let response = store.import_faces(&ImportFacesRequest {
    ///     collection_id: "c1".into(),
    ///     faces: vec![face],
    /// })?;
    /// assert_eq!(response.faces.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn import_faces(&self, request: &ImportFacesRequest) -> Result<ImportFacesResponse> {
        self.import_faces_located(request)
            .map_err(|failure| failure.error)
    }

    /// Runs [`Store::import_faces`] and returns the index of the face an error is about.
    pub(crate) fn import_faces_located(
        &self,
        request: &ImportFacesRequest,
    ) -> std::result::Result<ImportFacesResponse, ImportFailure> {
        request.validate()?;
        for (index, face) in request.faces.iter().enumerate() {
            check_face_input(face, index).map_err(|error| ImportFailure {
                index: Some(index),
                error,
            })?;
        }

        self.write_located(|transaction| {
            let collection = load_collection_for_write(transaction, &request.collection_id)?;
            let mut import = Import {
                transaction,
                faces: transaction.open_table(FACES_TABLE).map_err(Error::from)?,
                collection_id: &request.collection_id,
                collection,
                appender: None,
            };
            let mut response = ImportFacesResponse::default();
            for (index, face) in request.faces.iter().enumerate() {
                import
                    .insert_face(face, &mut response)
                    .map_err(|error| ImportFailure {
                        index: Some(index),
                        error,
                    })?;
            }
            if let Some(appender) = import.appender {
                appender.finish(transaction)?;
            }
            save_collection(transaction, &request.collection_id, &import.collection)?;
            Ok(response)
        })
    }

    fn write_located<T>(
        &self,
        operation: impl FnOnce(&WriteTransaction) -> std::result::Result<T, ImportFailure>,
    ) -> std::result::Result<T, ImportFailure> {
        let mut failure = None;
        let result = self.write(|transaction| {
            operation(transaction).map_err(|located| {
                failure = located.index;
                located.error
            })
        });
        result.map_err(|error| ImportFailure {
            index: failure,
            error,
        })
    }
}

/// The state of one import transaction.
struct Import<'a> {
    transaction: &'a WriteTransaction,
    /// The faces table, opened once for the whole request.
    faces: Table<'a, (u64, u128), &'static [u8]>,
    collection_id: &'a str,
    collection: CollectionRecord,
    /// Created at the first embedding, once the collection's dimension is known.
    appender: Option<EmbeddingAppender>,
}

impl Import<'_> {
    fn insert_face(&mut self, input: &FaceInput, response: &mut ImportFacesResponse) -> Result<()> {
        let transaction = self.transaction;
        let number = self.collection.number;
        let key = match &input.face_id {
            Some(face_id) => parse_face_id(face_id).expect("validation accepted only face UUIDs"),
            None => uuid::Uuid::new_v4().as_u128(),
        };
        let stored = self
            .faces
            .get((number, key))?
            .map(|value| value.value().to_vec());
        let image_id = match (&input.image_id, &stored) {
            (Some(image_id), _) => {
                parse_face_id(image_id).expect("validation accepted only image UUIDs")
            }
            // A re-run of an import without ImageId reuses the ID generated the first time, so
            // that the records compare equal.
            (None, Some(stored)) => record::decode_face(stored)?.record.image_id,
            (None, None) => uuid::Uuid::new_v4().as_u128(),
        };
        let mut face = FaceRecord {
            image_id,
            bounding_box: input.bounding_box.map(|bounding_box| {
                [
                    bounding_box.width,
                    bounding_box.height,
                    bounding_box.left,
                    bounding_box.top,
                ]
            }),
            external_image_id: input.external_image_id.clone(),
            confidence: input.confidence,
            index_faces_model_version: input.index_faces_model_version.clone(),
            user_id: input.user_id.clone(),
            embedding: None,
        };

        if let Some(stored) = stored {
            if self.is_same_face(&stored, &face, input)? {
                response.skipped_face_ids.push(format_face_id(key));
                return Ok(());
            }
            return Err(Error::InvalidParameter(format!(
                "face {} is already stored in collection '{}' with a different record; \
                 give the new face another FaceId or delete the stored one first",
                format_face_id(key),
                self.collection_id
            )));
        }
        check_embedding_dimension(
            self.collection_id,
            &mut self.collection,
            input.embedding.as_deref(),
        )?;
        if let Some(embedding) = input.embedding.as_deref() {
            let appender = match &mut self.appender {
                Some(appender) => appender,
                None => self.appender.insert(EmbeddingAppender::new(
                    number,
                    stored_dimension(&self.collection)?,
                )),
            };
            face.embedding = Some(appender.append(transaction, embedding)?);
        }
        self.faces
            .insert((number, key), record::encode(&face)?.as_slice())?;
        self.collection.face_count += 1;

        if let Some(user_id) = &face.user_id {
            associate_imported_face(transaction, &mut self.collection, user_id, key)?;
        }
        response.faces.push(face_from_record(key, face));
        Ok(())
    }

    /// Returns true when the stored face value is the face an import line describes,
    /// embedding values included. A line without `UserId` matches a face associated since
    /// the first import, so that re-running an import does not fail on faces that were
    /// associated in between.
    fn is_same_face(&self, stored: &[u8], face: &FaceRecord, input: &FaceInput) -> Result<bool> {
        let stored_face = record::decode_face(stored)?;
        let mut stored_record = stored_face.record.clone();
        if input.user_id.is_none() {
            stored_record.user_id = None;
        }
        let stored_slot = stored_record.embedding.take();
        if stored_record != *face {
            return Ok(false);
        }

        let embedding = input.embedding.as_deref().unwrap_or_default();
        let stored_embedding = match (stored_slot, &self.appender) {
            (None, _) => record::decode_embedding(stored_face.inline_embedding),
            (Some(slot), Some(appender)) => appender.read(self.transaction, slot)?,
            (Some(slot), None) => {
                let dimension = stored_dimension(&self.collection)?;
                EmbeddingAppender::new(self.collection.number, dimension)
                    .read(self.transaction, slot)?
            }
        };
        Ok(stored_embedding.len() == embedding.len()
            && stored_embedding
                .iter()
                .zip(embedding)
                .all(|(stored, value)| stored.to_bits() == value.to_bits()))
    }
}

/// Fixes the collection's embedding dimension with its first embedding, then holds every
/// later embedding to it.
fn check_embedding_dimension(
    collection_id: &str,
    collection: &mut CollectionRecord,
    embedding: Option<&[f32]>,
) -> Result<()> {
    let Some(embedding) = embedding else {
        return Ok(());
    };
    let length = u32::try_from(embedding.len()).expect("validation bounds the embedding length");
    match collection.embedding_dimension {
        None => collection.embedding_dimension = Some(length),
        Some(dimension) if dimension != length => {
            return Err(Error::InvalidParameter(format!(
                "embedding has {length} values but collection '{collection_id}' holds embeddings \
                 of {dimension}; compute it with the same face model as the stored faces"
            )));
        }
        Some(_) => {}
    }
    Ok(())
}

/// Associates an imported face with `user_id`, creating the user if it does not exist.
fn associate_imported_face(
    transaction: &WriteTransaction,
    collection: &mut CollectionRecord,
    user_id: &str,
    key: u128,
) -> Result<()> {
    let mut user = match load_user(transaction, collection.number, user_id)? {
        Some(user) => user,
        None => {
            collection.user_count += 1;
            UserRecord { face_count: 0 }
        }
    };
    if user.face_count >= MAX_FACES_PER_USER {
        return Err(Error::ServiceQuotaExceeded(format!(
            "user '{user_id}' already has {MAX_FACES_PER_USER} faces, the most a user may have; \
             import this face without UserId or for another user"
        )));
    }
    user.face_count += 1;
    save_user(transaction, collection.number, user_id, user)?;
    transaction
        .open_table(USER_FACES_TABLE)?
        .insert((collection.number, user_id, key), ())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::api::{CreateCollectionRequest, FaceInput, ImportFacesRequest};

    #[test]
    fn rerun_without_image_id_skips_faces() -> crate::Result<()> {
        let store = crate::Store::builder().open_in_memory()?;
        store.create_collection(&CreateCollectionRequest {
            collection_id: "c1".into(),
            tags: None,
        })?;
        let request = ImportFacesRequest {
            collection_id: "c1".into(),
            faces: vec![FaceInput {
                face_id: Some("11111111-1111-4111-8111-111111111111".into()),
                embedding: Some(vec![0.5, 0.5]),
                ..FaceInput::default()
            }],
        };

        let first = store.import_faces(&request)?;
        let second = store.import_faces(&request)?;
        assert_eq!(first.faces.len(), 1);
        assert!(second.faces.is_empty());
        assert_eq!(
            second.skipped_face_ids,
            ["11111111-1111-4111-8111-111111111111"]
        );
        Ok(())
    }
}
