//! AssociateFaces and DisassociateFaces.

use std::collections::HashSet;

use redb::{ReadableTable, WriteTransaction};

use super::Store;
use super::embeddings::face_embedding;
use super::idempotency::RequestToken;
use super::transaction::load_collection_for_write;
use super::users::{MAX_FACES_PER_USER, require_user, save_user, set_face_user};
use crate::api::{
    AssociateFacesRequest, AssociateFacesResponse, AssociatedFace, DisassociateFacesRequest,
    DisassociateFacesResponse, DisassociatedFace, UnsuccessfulFaceAssociation,
    UnsuccessfulFaceAssociationReason, UnsuccessfulFaceDisassociation,
    UnsuccessfulFaceDisassociationReason, UserStatus,
};
use crate::error::{Error, Result};
use crate::similarity::{normalised_mean, similarity};
use crate::storage::record::{self, CollectionRecord, FaceRecord};
use crate::storage::tables::{FACES_TABLE, USER_FACES_TABLE};
use crate::validation::{Validate, parse_face_id};

/// `UserMatchThreshold` of AssociateFaces when the request has none, in percent.
const DEFAULT_USER_MATCH_THRESHOLD: f64 = 75.0;

impl Store {
    /// Associates faces with a user. Each distinct ID is associated, ignored when the user
    /// already has it, or reported with its reason: `FACE_NOT_FOUND`,
    /// `ASSOCIATED_TO_A_DIFFERENT_USER`, or `LOW_MATCH_CONFIDENCE` when its similarity to the
    /// user's existing faces is below `UserMatchThreshold`.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for a request that breaks the service model,
    /// [`Error::ResourceNotFound`] when the collection or user does not exist,
    /// [`Error::ServiceQuotaExceeded`] when the user would have more than 100 faces (nothing
    /// is changed), [`Error::IdempotentParameterMismatch`] when the token was used for another
    /// request.
    pub fn associate_faces(
        &self,
        request: &AssociateFacesRequest,
    ) -> Result<AssociateFacesResponse> {
        request.validate()?;
        let fingerprint = AssociateFacesRequest {
            client_request_token: None,
            ..request.clone()
        };
        let threshold = request
            .user_match_threshold
            .unwrap_or(DEFAULT_USER_MATCH_THRESHOLD);

        self.write(|transaction| {
            let collection = load_collection_for_write(transaction, &request.collection_id)?;
            let number = collection.number;
            let token = RequestToken::new(
                "AssociateFaces",
                request.client_request_token.as_ref(),
                number,
                &fingerprint,
            )?;
            if let Some(token) = &token
                && let Some(response) = token.replay(transaction, self.settings.token_lifetime)?
            {
                return Ok(response);
            }
            let mut user = require_user(
                transaction,
                number,
                &request.collection_id,
                &request.user_id,
            )?;
            let user_embedding = user_embedding(transaction, &collection, &request.user_id)?;

            let mut response = AssociateFacesResponse {
                associated_faces: Vec::new(),
                unsuccessful_face_associations: Vec::new(),
                user_status: UserStatus::Created,
            };
            let mut to_associate = Vec::new();
            for (key, face_id) in distinct_faces(&request.face_ids) {
                let Some((face, embedding)) =
                    load_face(transaction, &collection, key, user_embedding.is_some())?
                else {
                    response.unsuccessful_face_associations.push(not_associated(
                        face_id,
                        None,
                        None,
                        UnsuccessfulFaceAssociationReason::FaceNotFound,
                    ));
                    continue;
                };
                match face.user_id {
                    Some(owner) if owner == request.user_id => continue,
                    Some(owner) => {
                        response.unsuccessful_face_associations.push(not_associated(
                            face_id,
                            Some(owner),
                            None,
                            UnsuccessfulFaceAssociationReason::AssociatedToADifferentUser,
                        ));
                        continue;
                    }
                    None => {}
                }
                if let (Some(user_embedding), Some(embedding)) = (&user_embedding, &embedding) {
                    let score = similarity(user_embedding, embedding);
                    if score < threshold {
                        response.unsuccessful_face_associations.push(not_associated(
                            face_id,
                            None,
                            Some(score),
                            UnsuccessfulFaceAssociationReason::LowMatchConfidence,
                        ));
                        continue;
                    }
                }
                to_associate.push((key, face_id));
            }

            let new_count = user.face_count + u32::try_from(to_associate.len()).unwrap_or(u32::MAX);
            if new_count > MAX_FACES_PER_USER {
                return Err(Error::ServiceQuotaExceeded(format!(
                    "user '{}' has {} faces and this call would add {}; a user has at most \
                     {MAX_FACES_PER_USER} faces, so disassociate some first",
                    request.user_id,
                    user.face_count,
                    to_associate.len()
                )));
            }
            for (key, face_id) in to_associate {
                set_face_user(transaction, number, key, Some(&request.user_id))?;
                transaction
                    .open_table(USER_FACES_TABLE)?
                    .insert((number, request.user_id.as_str(), key), ())?;
                response.associated_faces.push(AssociatedFace {
                    face_id: face_id.clone(),
                });
            }
            user.face_count = new_count;
            save_user(transaction, number, &request.user_id, user)?;

            response.user_status = UserStatus::for_face_count(user.face_count);
            if let Some(token) = token {
                token.remember(transaction, &response)?;
            }
            Ok(response)
        })
    }

    /// Disassociates faces from a user. Each distinct ID is disassociated, ignored when it has
    /// no user, or reported with its reason: `FACE_NOT_FOUND` or
    /// `ASSOCIATED_TO_A_DIFFERENT_USER`.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] for a request that breaks the service model,
    /// [`Error::ResourceNotFound`] when the collection or user does not exist,
    /// [`Error::IdempotentParameterMismatch`] when the token was used for another request.
    pub fn disassociate_faces(
        &self,
        request: &DisassociateFacesRequest,
    ) -> Result<DisassociateFacesResponse> {
        request.validate()?;
        let fingerprint = DisassociateFacesRequest {
            client_request_token: None,
            ..request.clone()
        };

        self.write(|transaction| {
            let collection = load_collection_for_write(transaction, &request.collection_id)?;
            let number = collection.number;
            let token = RequestToken::new(
                "DisassociateFaces",
                request.client_request_token.as_ref(),
                number,
                &fingerprint,
            )?;
            if let Some(token) = &token
                && let Some(response) = token.replay(transaction, self.settings.token_lifetime)?
            {
                return Ok(response);
            }
            let mut user = require_user(
                transaction,
                number,
                &request.collection_id,
                &request.user_id,
            )?;

            let mut response = DisassociateFacesResponse {
                disassociated_faces: Vec::new(),
                unsuccessful_face_disassociations: Vec::new(),
                user_status: UserStatus::Created,
            };
            for (key, face_id) in distinct_faces(&request.face_ids) {
                let Some((face, _)) = load_face(transaction, &collection, key, false)? else {
                    response.unsuccessful_face_disassociations.push(
                        UnsuccessfulFaceDisassociation {
                            face_id: face_id.clone(),
                            user_id: None,
                            reasons: vec![UnsuccessfulFaceDisassociationReason::FaceNotFound],
                        },
                    );
                    continue;
                };
                match face.user_id {
                    None => {}
                    Some(owner) if owner == request.user_id => {
                        set_face_user(transaction, number, key, None)?;
                        transaction.open_table(USER_FACES_TABLE)?.remove((
                            number,
                            request.user_id.as_str(),
                            key,
                        ))?;
                        user.face_count = user.face_count.saturating_sub(1);
                        response.disassociated_faces.push(DisassociatedFace {
                            face_id: face_id.clone(),
                        });
                    }
                    Some(owner) => {
                        response.unsuccessful_face_disassociations.push(
                            UnsuccessfulFaceDisassociation {
                                face_id: face_id.clone(),
                                user_id: Some(owner),
                                reasons: vec![
                                UnsuccessfulFaceDisassociationReason::AssociatedToADifferentUser,
                            ],
                            },
                        );
                    }
                }
            }
            save_user(transaction, number, &request.user_id, user)?;

            response.user_status = UserStatus::for_face_count(user.face_count);
            if let Some(token) = token {
                token.remember(transaction, &response)?;
            }
            Ok(response)
        })
    }
}

/// Returns each distinct validated face ID once, at its first position, with its key.
fn distinct_faces(face_ids: &[String]) -> Vec<(u128, &String)> {
    let mut seen = HashSet::with_capacity(face_ids.len());
    face_ids
        .iter()
        .filter_map(|face_id| {
            let key = parse_face_id(face_id).expect("validation accepted only face UUIDs");
            seen.insert(key).then_some((key, face_id))
        })
        .collect()
}

/// Loads a face and, when `with_embedding` is set, its embedding.
fn load_face(
    transaction: &WriteTransaction,
    collection: &CollectionRecord,
    key: u128,
    with_embedding: bool,
) -> Result<Option<(FaceRecord, Option<Vec<f32>>)>> {
    let faces = transaction.open_table(FACES_TABLE)?;
    let Some(value) = faces.get((collection.number, key))? else {
        return Ok(None);
    };
    let stored = record::decode_face(value.value())?;
    let embedding = if with_embedding {
        face_embedding(transaction, collection, &stored)?
    } else {
        None
    };
    Ok(Some((stored.record, embedding)))
}

/// Returns the normalised mean embedding of a user's faces, or `None` when none of them has
/// an embedding.
fn user_embedding(
    transaction: &WriteTransaction,
    collection: &CollectionRecord,
    user_id: &str,
) -> Result<Option<Vec<f32>>> {
    let collection_number = collection.number;
    let user_faces = transaction.open_table(USER_FACES_TABLE)?;
    let mut embeddings = Vec::new();
    for entry in user_faces
        .range((collection_number, user_id, 0_u128)..=(collection_number, user_id, u128::MAX))?
    {
        let key = entry?.0.value().2;
        if let Some((_, Some(embedding))) = load_face(transaction, collection, key, true)? {
            embeddings.push(embedding);
        }
    }
    Ok(normalised_mean(embeddings.iter().map(Vec::as_slice)))
}

fn not_associated(
    face_id: &str,
    user_id: Option<String>,
    confidence: Option<f64>,
    reason: UnsuccessfulFaceAssociationReason,
) -> UnsuccessfulFaceAssociation {
    UnsuccessfulFaceAssociation {
        face_id: face_id.to_owned(),
        user_id,
        confidence,
        reasons: vec![reason],
    }
}
