//! The operations of a generated test sequence, their proptest strategies and their JSON
//! requests.
//!
//! IDs come from small pools so that sequences collide: three collection IDs, twelve face IDs,
//! four user IDs and two request tokens. A DeleteFaces request draws from the whole face pool,
//! so it mixes faces that exist, never existed, were deleted, are associated, repeat within
//! the request or live only in another collection; now and then it carries an invalid ID.

use std::collections::BTreeMap;

use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::reference::ARN_PREFIX;

/// Collection IDs.
pub const COLLECTIONS: [&str; 3] = ["c1", "c2", "Photos.2024"];

/// Face IDs, listed in no particular order so that ListFaces' order is not the pool's.
pub const FACES: [&str; 12] = [
    "f1e2d3c4-0000-4000-8000-000000000001",
    "0a1b2c3d-0000-4000-8000-000000000002",
    "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "ffffffff-ffff-4fff-bfff-ffffffffffff",
    "00000000-0000-4000-8000-000000000000",
    "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
    "9b2d5c1e-1111-4222-8333-444455556666",
    "5a5a5a5a-5a5a-45a5-a5a5-a5a5a5a5a5a5",
    "c0ffee00-1234-4567-89ab-cdef01234567",
    "12345678-9abc-4def-8123-456789abcdef",
    "deadbeef-0000-4000-8000-00000000beef",
    "8e8e8e8e-0000-4000-8000-000000000008",
];

/// User IDs; their byte order is `U3`, `u-4`, `u1`, `u2`.
pub const USERS: [&str; 4] = ["u1", "u2", "U3", "u-4"];

/// `ClientRequestToken`s.
pub const TOKENS: [&str; 2] = ["token-a", "token-b"];

/// Embeddings whose pairwise similarities are far from the thresholds used (75 and 99.5),
/// plus one of another dimension, which an import of it into a collection of 3-dimensional
/// embeddings must reject.
const EMBEDDINGS: [&[f32]; 5] = [
    &[1.0, 0.0, 0.0],
    &[0.0, 1.0, 0.0],
    &[1.0, 1.0, 0.0],
    &[0.0, 0.0, 2.0],
    &[0.5, 0.5],
];

/// A face ID of a request: one of the pool, or an upper-case UUID, which validation rejects.
#[derive(Debug, Clone, Copy)]
pub enum FaceRef {
    /// `FACES[index]`.
    Pool(usize),
    /// An ID that is not a lower-case UUID.
    Invalid,
}

impl FaceRef {
    /// Returns the ID text.
    pub fn id(self) -> String {
        match self {
            Self::Pool(index) => FACES[index].to_owned(),
            Self::Invalid => FACES[0].to_uppercase(),
        }
    }
}

/// One face of an import. The record is a function of the face and the variant, so that a
/// face imported twice with the same variant and user is identical, hence skipped, and with
/// another is a different record, hence rejected.
#[derive(Debug, Clone, Copy)]
pub struct FaceSpec {
    /// Index into [`FACES`].
    pub face: usize,
    /// 0 to 3; see [`FaceSpec::to_json`].
    pub variant: u8,
    /// Index into [`USERS`] of a user to associate the face with.
    pub user: Option<usize>,
}

impl FaceSpec {
    /// Returns the import JSON of this face.
    pub fn to_json(self) -> Value {
        let mut face = json!({
            "FaceId": FACES[self.face],
            "ImageId": FACES[(self.face + 1 + usize::from(self.variant)) % FACES.len()],
            "IndexFacesModelVersion": "7.0",
        });
        match self.variant {
            0 => {
                face["Embedding"] = json!(EMBEDDINGS[self.face % 4]);
                face["Confidence"] = json!(99.25);
                face["BoundingBox"] =
                    json!({"Width": 0.25, "Height": 0.5, "Left": 0.125, "Top": 0.0625});
            }
            1 => {
                face["ExternalImageId"] = json!(format!("img-{}", self.face));
                face["Confidence"] = json!(87.5);
            }
            2 => face["Embedding"] = json!(EMBEDDINGS[(self.face + 1) % 4]),
            _ => face["Embedding"] = json!(EMBEDDINGS[4]),
        }
        if let Some(user) = self.user {
            face["UserId"] = json!(USERS[user]);
        }
        face
    }
}

/// One step of a test sequence.
#[derive(Debug, Clone)]
pub enum Op {
    CreateCollection {
        collection: usize,
        tags: Option<BTreeMap<String, String>>,
    },
    DeleteCollection {
        collection: usize,
    },
    DescribeCollection {
        collection: usize,
    },
    ListCollections {
        max_results: Option<i64>,
    },
    ImportFaces {
        collection: usize,
        faces: Vec<FaceSpec>,
    },
    DeleteFaces {
        collection: usize,
        faces: Vec<FaceRef>,
    },
    CreateUser {
        collection: usize,
        user: usize,
        token: Option<usize>,
    },
    DeleteUser {
        collection: usize,
        user: usize,
        token: Option<usize>,
    },
    AssociateFaces {
        collection: usize,
        user: usize,
        faces: Vec<FaceRef>,
        threshold: Option<f64>,
        token: Option<usize>,
    },
    DisassociateFaces {
        collection: usize,
        user: usize,
        faces: Vec<FaceRef>,
        token: Option<usize>,
    },
    /// Every page of ListFaces, each compared.
    ListFaces {
        collection: usize,
        max_results: Option<i64>,
        user: Option<usize>,
        faces: Option<Vec<FaceRef>>,
    },
    /// The first page of ListFaces, whose `NextToken` later steps resume.
    StartListFaces {
        collection: usize,
        max_results: i64,
    },
    /// The next page after the last [`Op::StartListFaces`] or [`Op::ResumeListFaces`].
    ResumeListFaces,
    /// ListFaces with a `NextToken` that no store made.
    ListFacesForgedToken {
        collection: usize,
    },
    ListUsers {
        collection: usize,
        max_results: Option<i64>,
    },
    TagResource {
        collection: usize,
        tags: BTreeMap<String, String>,
        arn_prefix: bool,
    },
    UntagResource {
        collection: usize,
        keys: Vec<String>,
    },
    ListTags {
        collection: usize,
    },
    /// Drop the store and open the same database again.
    Reopen,
}

fn collection() -> impl Strategy<Value = usize> {
    prop_oneof![4 => Just(0_usize), 3 => Just(1_usize), 1 => Just(2_usize)]
}

/// Returns a face index, biased to the first four so that steps meet each other's faces.
fn face_index() -> impl Strategy<Value = usize> {
    prop_oneof![2 => 0_usize..4, 1 => 0..FACES.len()]
}

fn face_ref() -> impl Strategy<Value = FaceRef> {
    prop_oneof![100 => face_index().prop_map(FaceRef::Pool), 1 => Just(FaceRef::Invalid)]
}

fn face_refs(max: usize) -> impl Strategy<Value = Vec<FaceRef>> {
    vec(face_ref(), 1..=max)
}

/// Returns a user index, biased to the first two.
fn user() -> impl Strategy<Value = usize> {
    prop_oneof![2 => 0_usize..2, 1 => 0..USERS.len()]
}

fn token() -> impl Strategy<Value = Option<usize>> {
    prop_oneof![4 => Just(None), 1 => (0..TOKENS.len()).prop_map(Some)]
}

fn face_spec() -> impl Strategy<Value = FaceSpec> {
    (
        face_index(),
        prop_oneof![20 => Just(0_u8), 3 => Just(1_u8), 2 => Just(2_u8), 1 => Just(3_u8)],
        prop_oneof![5 => Just(None), 1 => user().prop_map(Some)],
    )
        .prop_map(|(face, variant, user)| FaceSpec {
            face,
            variant,
            user,
        })
}

fn tags() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map(
        prop_oneof![Just("team".to_owned()), Just("env".to_owned())],
        prop_oneof![Just("a".to_owned()), Just("b".to_owned())],
        0..=2,
    )
}

/// Returns the strategy of one step; mutations are weighted above reads.
pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (collection(), proptest::option::of(tags()))
            .prop_map(|(collection, tags)| Op::CreateCollection { collection, tags }),
        1 => collection().prop_map(|collection| Op::DeleteCollection { collection }),
        1 => collection().prop_map(|collection| Op::DescribeCollection { collection }),
        1 => proptest::option::of(0_i64..3)
            .prop_map(|max_results| Op::ListCollections { max_results }),
        6 => (collection(), vec(face_spec(), 0..=4))
            .prop_map(|(collection, faces)| Op::ImportFaces { collection, faces }),
        6 => (collection(), face_refs(6))
            .prop_map(|(collection, faces)| Op::DeleteFaces { collection, faces }),
        4 => (collection(), user(), token())
            .prop_map(|(collection, user, token)| Op::CreateUser { collection, user, token }),
        1 => (collection(), user(), token())
            .prop_map(|(collection, user, token)| Op::DeleteUser { collection, user, token }),
        6 => (
            collection(),
            prop_oneof![3 => Just(0_usize), 1 => user()],
            face_refs(5),
            prop_oneof![3 => Just(None), 1 => Just(Some(0.0)), 1 => Just(Some(99.5))],
            token(),
        )
            .prop_map(|(collection, user, faces, threshold, token)| Op::AssociateFaces {
                collection,
                user,
                faces,
                threshold,
                token,
            }),
        2 => (collection(), user(), face_refs(5), token()).prop_map(
            |(collection, user, faces, token)| Op::DisassociateFaces {
                collection,
                user,
                faces,
                token,
            }
        ),
        3 => (
            collection(),
            proptest::option::of(prop_oneof![Just(0_i64), Just(1), Just(2), Just(5)]),
            proptest::option::of(user()),
            proptest::option::of(face_refs(4)),
        )
            .prop_map(|(collection, max_results, user, faces)| Op::ListFaces {
                collection,
                max_results,
                user,
                faces,
            }),
        1 => (collection(), 1_i64..3)
            .prop_map(|(collection, max_results)| Op::StartListFaces { collection, max_results }),
        2 => Just(Op::ResumeListFaces),
        1 => collection().prop_map(|collection| Op::ListFacesForgedToken { collection }),
        1 => (collection(), proptest::option::of(0_i64..3))
            .prop_map(|(collection, max_results)| Op::ListUsers { collection, max_results }),
        1 => (collection(), tags(), any::<bool>()).prop_map(|(collection, tags, arn_prefix)| {
            Op::TagResource { collection, tags, arn_prefix }
        }),
        1 => (collection(), vec(prop_oneof![Just("team"), Just("env"), Just("none")], 0..=2))
            .prop_map(|(collection, keys)| Op::UntagResource {
                collection,
                keys: keys.into_iter().map(str::to_owned).collect(),
            }),
        1 => collection().prop_map(|collection| Op::ListTags { collection }),
        1 => Just(Op::Reopen),
    ]
}

/// Returns the ID texts of `faces`.
pub fn ids(faces: &[FaceRef]) -> Vec<String> {
    faces.iter().map(|face| face.id()).collect()
}

fn with_token(mut request: Value, token: Option<usize>) -> Value {
    if let Some(token) = token {
        request["ClientRequestToken"] = json!(TOKENS[token]);
    }
    request
}

/// Returns the ARN of a collection, with or without the `arn:` prefix.
pub fn arn(collection: usize, with_prefix: bool) -> String {
    let arn = format!("{ARN_PREFIX}{}", COLLECTIONS[collection]);
    if with_prefix {
        format!("arn:{arn}")
    } else {
        arn
    }
}

impl Op {
    /// Returns the operation name and JSON request of a step that is one call, or `None`
    /// for the steps the harness runs itself.
    pub fn request(&self) -> Option<(&'static str, Value)> {
        let request = match self {
            Self::CreateCollection { collection, tags } => {
                let mut request = json!({"CollectionId": COLLECTIONS[*collection]});
                if let Some(tags) = tags {
                    request["Tags"] = json!(tags);
                }
                ("CreateCollection", request)
            }
            Self::DeleteCollection { collection } => (
                "DeleteCollection",
                json!({"CollectionId": COLLECTIONS[*collection]}),
            ),
            Self::DescribeCollection { collection } => (
                "DescribeCollection",
                json!({"CollectionId": COLLECTIONS[*collection]}),
            ),
            Self::ImportFaces { collection, faces } => (
                "ImportFaces",
                json!({
                    "CollectionId": COLLECTIONS[*collection],
                    "Faces": faces.iter().map(|face| face.to_json()).collect::<Vec<_>>(),
                }),
            ),
            Self::DeleteFaces { collection, faces } => (
                "DeleteFaces",
                json!({"CollectionId": COLLECTIONS[*collection], "FaceIds": ids(faces)}),
            ),
            Self::CreateUser {
                collection,
                user,
                token,
            } => (
                "CreateUser",
                with_token(
                    json!({"CollectionId": COLLECTIONS[*collection], "UserId": USERS[*user]}),
                    *token,
                ),
            ),
            Self::DeleteUser {
                collection,
                user,
                token,
            } => (
                "DeleteUser",
                with_token(
                    json!({"CollectionId": COLLECTIONS[*collection], "UserId": USERS[*user]}),
                    *token,
                ),
            ),
            Self::AssociateFaces {
                collection,
                user,
                faces,
                threshold,
                token,
            } => {
                let mut request = json!({
                    "CollectionId": COLLECTIONS[*collection],
                    "UserId": USERS[*user],
                    "FaceIds": ids(faces),
                });
                if let Some(threshold) = threshold {
                    request["UserMatchThreshold"] = json!(threshold);
                }
                ("AssociateFaces", with_token(request, *token))
            }
            Self::DisassociateFaces {
                collection,
                user,
                faces,
                token,
            } => (
                "DisassociateFaces",
                with_token(
                    json!({
                        "CollectionId": COLLECTIONS[*collection],
                        "UserId": USERS[*user],
                        "FaceIds": ids(faces),
                    }),
                    *token,
                ),
            ),
            Self::TagResource {
                collection,
                tags,
                arn_prefix,
            } => (
                "TagResource",
                json!({"ResourceArn": arn(*collection, *arn_prefix), "Tags": tags}),
            ),
            Self::UntagResource { collection, keys } => (
                "UntagResource",
                json!({"ResourceArn": arn(*collection, true), "TagKeys": keys}),
            ),
            Self::ListTags { collection } => (
                "ListTagsForResource",
                json!({"ResourceArn": arn(*collection, false)}),
            ),
            Self::ListCollections { .. }
            | Self::ListFaces { .. }
            | Self::StartListFaces { .. }
            | Self::ResumeListFaces
            | Self::ListFacesForgedToken { .. }
            | Self::ListUsers { .. }
            | Self::Reopen => return None,
        };
        Some(request)
    }

    /// Returns true for a step that may change the store.
    pub fn is_mutation(&self) -> bool {
        matches!(
            self,
            Self::CreateCollection { .. }
                | Self::DeleteCollection { .. }
                | Self::ImportFaces { .. }
                | Self::DeleteFaces { .. }
                | Self::CreateUser { .. }
                | Self::DeleteUser { .. }
                | Self::AssociateFaces { .. }
                | Self::DisassociateFaces { .. }
                | Self::TagResource { .. }
                | Self::UntagResource { .. }
        )
    }
}
