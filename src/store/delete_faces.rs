//! DeleteFaces: the unassociated faces among up to 4096 IDs, deleted in one transaction.

use std::ops::Bound;

use redb::Table;

use super::Store;
use super::embeddings::mark_pending;
use super::transaction::{load_collection_for_write, save_collection};
use crate::api::{
    DeleteFacesRequest, DeleteFacesResponse, UnsuccessfulFaceDeletion,
    UnsuccessfulFaceDeletionReason,
};
use crate::error::{Error, Result};
use crate::storage::record::{self, EmbeddingSlot};
use crate::storage::tables::FACES_TABLE;
use crate::validation::{Validate, parse_face_id};

/// Outcome of DeleteFaces for one requested face.
enum Outcome {
    Deleted,
    NotFound,
    Associated(String),
}

impl Store {
    /// Deletes the faces among `FaceIds` that are in the collection and not associated with a
    /// user, in one transaction.
    ///
    /// A deleted face is gone from every later read at once. Its embedding slot is listed for
    /// erasure in the same transaction, and the store's background eraser zeroes or removes
    /// the embedding soon after the commit (see [`Store::erase_deleted_embeddings`]).
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
    /// fsync's is, so the call took effect whole or not at all, and a retry shows which.
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

        let response = self.write(|transaction| {
            let mut collection = load_collection_for_write(transaction, &request.collection_id)?;
            let mut faces = transaction.open_table(FACES_TABLE)?;

            let mut outcomes: Vec<Option<Outcome>> = Vec::new();
            outcomes.resize_with(request.face_ids.len(), || None);
            let mut freed_slots = Vec::new();
            for (key, position) in sorted_distinct_keys(&request.face_ids) {
                let outcome = delete_face(&mut faces, collection.number, key, &mut freed_slots)?;
                outcomes[position] = Some(outcome);
            }
            drop(faces);
            let response = response_in_request_order(&request.face_ids, outcomes);

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
                save_collection(transaction, &request.collection_id, &collection)?;
                mark_pending(transaction, collection.number, &mut freed_slots)?;
            }
            Ok((response, !freed_slots.is_empty()))
        });
        let (response, left_pending) = response?;
        if left_pending {
            self.eraser.schedule();
        }
        Ok(response)
    }
}

/// Returns each distinct requested face key with the position of its first occurrence, in
/// ascending key order.
///
/// Visiting the keys in ascending order walks the B-tree front to back, so neighbouring
/// lookups share cached pages. Sorting (key, position) pairs keeps each key's first position,
/// where the response reports it.
fn sorted_distinct_keys(face_ids: &[String]) -> Vec<(u128, usize)> {
    let mut keys: Vec<(u128, usize)> = face_ids
        .iter()
        .enumerate()
        .map(|(position, face_id)| {
            let key = parse_face_id(face_id).expect("validation accepted only face UUIDs");
            (key, position)
        })
        .collect();
    keys.sort_unstable();
    keys.dedup_by_key(|(key, _)| *key);
    keys
}

/// Builds the response from each request position's outcome, in request order. A position
/// without an outcome repeats an earlier ID and is left out.
fn response_in_request_order(
    face_ids: &[String],
    outcomes: Vec<Option<Outcome>>,
) -> DeleteFacesResponse {
    let mut response = DeleteFacesResponse::default();
    for (face_id, outcome) in face_ids.iter().zip(outcomes) {
        let (user_id, reason) = match outcome {
            None => continue,
            Some(Outcome::Deleted) => {
                response.deleted_faces.push(face_id.clone());
                continue;
            }
            Some(Outcome::NotFound) => (None, UnsuccessfulFaceDeletionReason::FaceNotFound),
            Some(Outcome::Associated(user_id)) => (
                Some(user_id),
                UnsuccessfulFaceDeletionReason::AssociatedToAnExistingUser,
            ),
        };
        response
            .unsuccessful_face_deletions
            .push(UnsuccessfulFaceDeletion {
                face_id: face_id.clone(),
                user_id,
                reasons: vec![reason],
            });
    }
    response
}

/// Deletes one face unless it is missing or associated with a user, and adds the slot of a
/// deleted face's embedding to `freed_slots`.
///
/// A cursor finds the key once and removes the entry it points at, so a deleted face costs
/// one descent of the B-tree, not a `get` and a `remove`.
fn delete_face(
    faces: &mut Table<(u64, u128), &[u8]>,
    collection_number: u64,
    key: u128,
    freed_slots: &mut Vec<EmbeddingSlot>,
) -> Result<Outcome> {
    let mut cursor = faces.lower_bound_mut(Bound::Included((collection_number, key)))?;
    let (user_id, slot) = match cursor.peek_next()? {
        Some((stored_key, value)) if stored_key.value() == (collection_number, key) => {
            let (user_id, slot) = record::face_user_and_slot(value.value())?;
            (user_id.map(str::to_owned), slot)
        }
        _ => return Ok(Outcome::NotFound),
    };
    if let Some(user_id) = user_id {
        return Ok(Outcome::Associated(user_id));
    }
    freed_slots.extend(slot);
    cursor.remove_next()?;
    cursor.close()?;
    Ok(Outcome::Deleted)
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::api::{
        CreateCollectionRequest, DeleteFacesRequest, DescribeCollectionRequest, FaceInput,
        ImportFacesRequest, UnsuccessfulFaceDeletionReason,
    };

    const LOW: &str = "00000000-0000-4000-8000-000000000001";
    const MIDDLE: &str = "77777777-0000-4000-8000-000000000002";
    const HIGH: &str = "ffffffff-0000-4000-8000-000000000003";
    const MISSING: &str = "88888888-0000-4000-8000-000000000004";

    fn store_with_faces() -> Store {
        let store = Store::builder().open_in_memory().unwrap();
        store
            .create_collection(&CreateCollectionRequest {
                collection_id: "c1".into(),
                tags: None,
            })
            .unwrap();
        let face = |id: &str, user: Option<&str>| FaceInput {
            face_id: Some(id.into()),
            user_id: user.map(Into::into),
            embedding: Some(vec![0.5, -0.5]),
            ..FaceInput::default()
        };
        store
            .import_faces(&ImportFacesRequest {
                collection_id: "c1".into(),
                faces: vec![face(LOW, None), face(MIDDLE, Some("u1")), face(HIGH, None)],
            })
            .unwrap();
        store
    }

    #[test]
    fn delete_faces_keeps_request_order() {
        let store = store_with_faces();
        let response = store
            .delete_faces(&DeleteFacesRequest {
                collection_id: "c1".into(),
                face_ids: [HIGH, MISSING, LOW, MIDDLE, HIGH, LOW]
                    .map(String::from)
                    .to_vec(),
            })
            .unwrap();

        assert_eq!(response.deleted_faces, [HIGH, LOW]);
        let unsuccessful = &response.unsuccessful_face_deletions;
        assert_eq!(unsuccessful.len(), 2);
        assert_eq!(unsuccessful[0].face_id, MISSING);
        assert_eq!(
            unsuccessful[0].reasons,
            [UnsuccessfulFaceDeletionReason::FaceNotFound]
        );
        assert_eq!(unsuccessful[1].face_id, MIDDLE);
        assert_eq!(unsuccessful[1].user_id.as_deref(), Some("u1"));
        assert_eq!(
            unsuccessful[1].reasons,
            [UnsuccessfulFaceDeletionReason::AssociatedToAnExistingUser]
        );
    }

    #[test]
    fn delete_faces_updates_face_count() {
        let store = store_with_faces();
        store
            .delete_faces(&DeleteFacesRequest {
                collection_id: "c1".into(),
                face_ids: vec![HIGH.into(), MIDDLE.into()],
            })
            .unwrap();
        let described = store
            .describe_collection(&DescribeCollectionRequest {
                collection_id: "c1".into(),
            })
            .unwrap();
        assert_eq!(described.face_count, 2);

        let again = store
            .delete_faces(&DeleteFacesRequest {
                collection_id: "c1".into(),
                face_ids: vec![HIGH.into()],
            })
            .unwrap();
        assert!(again.deleted_faces.is_empty());
    }
}
