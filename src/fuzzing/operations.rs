//! Sequences of operations over small pools of IDs, so that random sequences hit the same
//! collections, faces and users again and again.

use std::collections::BTreeMap;

use arbitrary::Arbitrary;

use crate::api::{
    AssociateFacesRequest, CreateCollectionRequest, CreateUserRequest, DeleteCollectionRequest,
    DeleteFacesRequest, DeleteUserRequest, DisassociateFacesRequest, FaceInput, ImportFacesRequest,
    ListFacesRequest, ListUsersRequest, TagResourceRequest, UntagResourceRequest,
};
use crate::{Result, Store};

/// Maximum number of operations, and of IDs in one list, that one input runs, which keeps
/// each run short.
pub(crate) const MAX_OPERATIONS: usize = 64;
const MAX_LIST: usize = 8;

/// One of two collection IDs.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Collection {
    /// `"c1"`.
    First,
    /// `"c2"`.
    Second,
}

impl Collection {
    fn id(self) -> String {
        match self {
            Self::First => "c1".to_owned(),
            Self::Second => "c2".to_owned(),
        }
    }

    fn arn(self) -> String {
        format!(
            "arn:aws:rekognition:us-east-1:000000000000:collection/{}",
            self.id()
        )
    }
}

/// One of eight face IDs, by its index modulo 8.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct FaceSlot(u8);

impl FaceSlot {
    fn id(self) -> String {
        let digit = char::from(b'1' + self.0 % 8);
        let group = |length| std::iter::repeat_n(digit, length).collect::<String>();
        format!(
            "{}-{}-4{}-8{}-{}",
            group(8),
            group(4),
            group(3),
            group(3),
            group(12)
        )
    }
}

/// One of three user IDs, by its index modulo 3.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct UserSlot(u8);

impl UserSlot {
    fn id(self) -> String {
        format!("user-{}", self.0 % 3)
    }
}

/// One of two `ClientRequestToken`s, so that retries and mismatched reuses both occur.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct TokenSlot(bool);

impl TokenSlot {
    fn token(self) -> String {
        if self.0 { "token-a" } else { "token-b" }.to_owned()
    }
}

/// A face to import. The embedding length is 2 or 3, so that imports of the wrong length for
/// a collection also occur.
#[derive(Debug, Clone, Arbitrary)]
pub struct FaceSpec {
    face: FaceSlot,
    user: Option<UserSlot>,
    embedding: Option<(bool, i8)>,
    confidence: Option<u8>,
}

impl FaceSpec {
    fn input(&self) -> FaceInput {
        let embedding = self.embedding.map(|(long, value)| {
            let value = f32::from(value) / 128.0;
            let mut embedding = vec![value, 1.0 - value];
            if long {
                embedding.push(0.5);
            }
            embedding
        });
        FaceInput {
            face_id: Some(self.face.id()),
            user_id: self.user.map(UserSlot::id),
            embedding,
            confidence: self.confidence.map(f64::from),
            ..FaceInput::default()
        }
    }
}

/// One operation of a sequence.
#[derive(Debug, Clone, Arbitrary)]
#[expect(
    missing_docs,
    reason = "the variants are the store operations of the same names"
)]
pub enum Op {
    CreateCollection(Collection),
    DeleteCollection(Collection),
    ImportFaces(Collection, Vec<FaceSpec>),
    DeleteFaces(Collection, Vec<FaceSlot>),
    CreateUser(Collection, UserSlot, Option<TokenSlot>),
    DeleteUser(Collection, UserSlot, Option<TokenSlot>),
    AssociateFaces(
        Collection,
        UserSlot,
        Vec<FaceSlot>,
        Option<u8>,
        Option<TokenSlot>,
    ),
    DisassociateFaces(Collection, UserSlot, Vec<FaceSlot>, Option<TokenSlot>),
    ListFaces(Collection, Option<UserSlot>, Option<Vec<FaceSlot>>),
    ListUsers(Collection),
    TagResource(Collection, u8),
    UntagResource(Collection, u8),
}

fn face_ids(slots: &[FaceSlot]) -> Vec<String> {
    slots.iter().take(MAX_LIST).map(|slot| slot.id()).collect()
}

fn tag_key(index: u8) -> String {
    format!("key-{}", index % 4)
}

impl Op {
    /// Runs the operation on `store`, discarding the response.
    ///
    /// # Errors
    ///
    /// The operation's error, unchanged.
    pub fn apply(&self, store: &Store) -> Result<()> {
        match self {
            Self::CreateCollection(collection) => store
                .create_collection(&CreateCollectionRequest {
                    collection_id: collection.id(),
                    tags: None,
                })
                .map(drop),
            Self::DeleteCollection(collection) => store
                .delete_collection(&DeleteCollectionRequest {
                    collection_id: collection.id(),
                })
                .map(drop),
            Self::ImportFaces(collection, faces) => store
                .import_faces(&ImportFacesRequest {
                    collection_id: collection.id(),
                    faces: faces.iter().take(MAX_LIST).map(FaceSpec::input).collect(),
                })
                .map(drop),
            Self::DeleteFaces(collection, faces) => store
                .delete_faces(&DeleteFacesRequest {
                    collection_id: collection.id(),
                    face_ids: face_ids(faces),
                })
                .map(drop),
            Self::CreateUser(collection, user, token) => store
                .create_user(&CreateUserRequest {
                    collection_id: collection.id(),
                    user_id: user.id(),
                    client_request_token: token.map(TokenSlot::token),
                })
                .map(drop),
            Self::DeleteUser(collection, user, token) => store
                .delete_user(&DeleteUserRequest {
                    collection_id: collection.id(),
                    user_id: user.id(),
                    client_request_token: token.map(TokenSlot::token),
                })
                .map(drop),
            Self::AssociateFaces(collection, user, faces, threshold, token) => store
                .associate_faces(&AssociateFacesRequest {
                    collection_id: collection.id(),
                    user_id: user.id(),
                    face_ids: face_ids(faces),
                    user_match_threshold: threshold.map(|percent| f64::from(percent % 101)),
                    client_request_token: token.map(TokenSlot::token),
                })
                .map(drop),
            Self::DisassociateFaces(collection, user, faces, token) => store
                .disassociate_faces(&DisassociateFacesRequest {
                    collection_id: collection.id(),
                    user_id: user.id(),
                    client_request_token: token.map(TokenSlot::token),
                    face_ids: face_ids(faces),
                })
                .map(drop),
            Self::ListFaces(collection, user, faces) => store
                .list_faces(&ListFacesRequest {
                    collection_id: collection.id(),
                    next_token: None,
                    max_results: None,
                    user_id: user.map(UserSlot::id),
                    face_ids: faces.as_deref().map(face_ids),
                })
                .map(drop),
            Self::ListUsers(collection) => store
                .list_users(&ListUsersRequest {
                    collection_id: collection.id(),
                    max_results: None,
                    next_token: None,
                })
                .map(drop),
            Self::TagResource(collection, key) => store
                .tag_resource(&TagResourceRequest {
                    resource_arn: collection.arn(),
                    tags: BTreeMap::from([(tag_key(*key), "value".to_owned())]),
                })
                .map(drop),
            Self::UntagResource(collection, key) => store
                .untag_resource(&UntagResourceRequest {
                    resource_arn: collection.arn(),
                    tag_keys: vec![tag_key(*key)],
                })
                .map(drop),
        }
    }
}
