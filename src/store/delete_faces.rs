//! DeleteFaces: the unassociated faces among up to 4096 IDs, deleted in one transaction.

use std::collections::HashSet;

use redb::{ReadableTable, Table};

use super::Store;
use super::transaction::{load_collection_for_write, save_collection};
use crate::api::{
    DeleteFacesRequest, DeleteFacesResponse, UnsuccessfulFaceDeletion,
    UnsuccessfulFaceDeletionReason,
};
use crate::error::{Error, Result};
use crate::storage::record;
use crate::storage::tables::FACES_TABLE;
use crate::validation::{Validate, parse_face_id};

/// What DeleteFaces does with one requested face.
enum Outcome {
    Deleted,
    NotFound,
    Associated(String),
}

impl Store {
    /// Deletes the faces among `FaceIds` that are in the collection and not associated with a
    /// user, with their embeddings, in one transaction.
    ///
    /// Each distinct ID is reported once, at its first position: in `DeletedFaces`, or in
    /// `UnsuccessfulFaceDeletions` as `FACE_NOT_FOUND` or as `ASSOCIATED_TO_AN_EXISTING_USER`
    /// with the user's ID. The collection's face count drops in the same transaction, so the
    /// whole call is written or none of it is. The work is one lookup per ID, whatever the
    /// collection's size.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for an empty list, more than 4096 IDs, or an ID that is not a
    /// lower-case UUID, before anything is read; [`Error::ResourceNotFound`] when the
    /// collection does not exist; [`Error::InternalServer`] when storage fails. Then nothing
    /// was deleted, unless the commit's final sync failed: its outcome is unknown, as a failed
    /// fsync's is, so the call took effect whole or not at all, and a retry tells which.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> facestore::Result<()> {
    /// use facestore::api::{CreateCollectionRequest, DeleteFacesRequest};
    ///
    /// let store = facestore::Store::builder().open_in_memory()?;
    /// store.create_collection(&CreateCollectionRequest { collection_id: "c1".into(), tags: None })?;
    /// let response = store.delete_faces(&DeleteFacesRequest {
    ///     collection_id: "c1".into(),
    ///     face_ids: vec!["ff43d742-0c13-5d16-a3e8-03d3f58e980b".into()],
    /// })?;
    /// assert!(response.deleted_faces.is_empty());
    /// assert_eq!(response.unsuccessful_face_deletions.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn delete_faces(&self, request: &DeleteFacesRequest) -> Result<DeleteFacesResponse> {
        request.validate()?;

        self.write(|transaction| {
            let mut collection = load_collection_for_write(transaction, &request.collection_id)?;
            let mut faces = transaction.open_table(FACES_TABLE)?;
            let mut response = DeleteFacesResponse::default();
            let mut seen = HashSet::with_capacity(request.face_ids.len());

            for face_id in &request.face_ids {
                let key = parse_face_id(face_id).expect("validation accepted only face UUIDs");
                if !seen.insert(key) {
                    continue;
                }
                match delete_face(&mut faces, collection.number, key)? {
                    Outcome::Deleted => response.deleted_faces.push(face_id.clone()),
                    Outcome::NotFound => response.unsuccessful_face_deletions.push(
                        UnsuccessfulFaceDeletion {
                            face_id: face_id.clone(),
                            user_id: None,
                            reasons: vec![UnsuccessfulFaceDeletionReason::FaceNotFound],
                        },
                    ),
                    Outcome::Associated(user_id) => response.unsuccessful_face_deletions.push(
                        UnsuccessfulFaceDeletion {
                            face_id: face_id.clone(),
                            user_id: Some(user_id),
                            reasons: vec![UnsuccessfulFaceDeletionReason::AssociatedToAnExistingUser],
                        },
                    ),
                }
            }

            if !response.deleted_faces.is_empty() {
                let deleted = response.deleted_faces.len() as u64;
                collection.face_count = collection.face_count.checked_sub(deleted).ok_or_else(|| {
                    Error::InternalServer {
                        message: format!(
                            "face count {} of collection '{}' is below the {deleted} faces deleted; \
                             run `facestore check`",
                            collection.face_count, request.collection_id
                        ),
                        source: None,
                    }
                })?;
                drop(faces);
                save_collection(transaction, &request.collection_id, &collection)?;
            }
            Ok(response)
        })
    }
}

/// Deletes one face unless it is missing or associated with a user.
fn delete_face(
    faces: &mut Table<(u64, u128), &[u8]>,
    collection_number: u64,
    key: u128,
) -> Result<Outcome> {
    let user_id = match faces.get((collection_number, key))? {
        None => return Ok(Outcome::NotFound),
        Some(value) => record::decode_face(value.value())?.user_id,
    };
    if let Some(user_id) = user_id {
        return Ok(Outcome::Associated(user_id));
    }
    faces.remove((collection_number, key))?;
    Ok(Outcome::Deleted)
}
