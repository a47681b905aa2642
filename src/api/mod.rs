//! Request and response types of every operation, in the AWS Rekognition JSON shape.
//!
//! Field names are PascalCase on the wire and absent optional fields are omitted, so the JSON
//! form of each type is the document that the AWS service and the AWS CLI exchange.

mod collections;
mod face;
mod faces;
mod number;
mod tags;
mod users;

pub use collections::{
    CreateCollectionRequest, CreateCollectionResponse, DeleteCollectionRequest,
    DeleteCollectionResponse, DescribeCollectionRequest, DescribeCollectionResponse,
    ListCollectionsRequest, ListCollectionsResponse,
};
pub use face::{BoundingBox, Face, FaceInput};
pub use faces::{
    DeleteFacesRequest, DeleteFacesResponse, ImportFacesRequest, ImportFacesResponse,
    ListFacesRequest, ListFacesResponse, UnsuccessfulFaceDeletion, UnsuccessfulFaceDeletionReason,
};
pub use tags::{
    ListTagsForResourceRequest, ListTagsForResourceResponse, TagResourceRequest,
    TagResourceResponse, UntagResourceRequest, UntagResourceResponse,
};
pub use users::{
    AssociateFacesRequest, AssociateFacesResponse, AssociatedFace, CreateUserRequest,
    CreateUserResponse, DeleteUserRequest, DeleteUserResponse, DisassociateFacesRequest,
    DisassociateFacesResponse, DisassociatedFace, ListUsersRequest, ListUsersResponse,
    UnsuccessfulFaceAssociation, UnsuccessfulFaceAssociationReason, UnsuccessfulFaceDisassociation,
    UnsuccessfulFaceDisassociationReason, User, UserStatus,
};
