//! Every redb table of a facestore database, with the layout of its rows.
//!
//! Rows of a collection are keyed by its collection number, not its ID. A number is taken
//! from a counter and never reused, so a collection created again under a deleted ID can
//! never see a row of the old one. Face IDs are keys as the `u128` value of the UUID, whose
//! numeric order is the order of the lower-case text. The stored table names never change.

use redb::TableDefinition;

/// Collection ID to [`CollectionRecord`](super::record::CollectionRecord) bytes. Written by
/// every operation that changes a collection's counters, tags or embedding dimension.
pub(crate) const COLLECTIONS_TABLE: TableDefinition<&str, &[u8]> =
    TableDefinition::new("collections");

/// Collection number to collection ID, in creation order, for ListCollections. Written by
/// CreateCollection and DeleteCollection.
pub(crate) const COLLECTION_NUMBERS_TABLE: TableDefinition<u64, &str> =
    TableDefinition::new("collection_numbers");

/// (collection number, face key) to [`FaceRecord`](super::record::FaceRecord) bytes, which
/// name the face's embedding slot. Written by import, DeleteFaces, AssociateFaces,
/// DisassociateFaces, DeleteUser and DeleteCollection.
pub(crate) const FACES_TABLE: TableDefinition<(u64, u128), &[u8]> = TableDefinition::new("faces");

/// (collection number, block number) to a [`Block`](super::block::Block) value: up to 64
/// embeddings of the collection's dimension back to back. Written by import, the erasure
/// pass, and DeleteCollection.
pub(crate) const EMBEDDING_BLOCKS_TABLE: TableDefinition<(u64, u64), &[u8]> =
    TableDefinition::new("embedding_blocks");

/// (collection number, block number, slot) to nothing: embedding slots of deleted faces that
/// the erasure pass has yet to zero or remove. No face names a slot listed here. Written by
/// DeleteFaces, the erasure pass and DeleteCollection.
pub(crate) const PENDING_ERASURE_TABLE: TableDefinition<(u64, u64, u32), ()> =
    TableDefinition::new("pending_erasure");

/// (collection number, user ID) to [`UserRecord`](super::record::UserRecord) bytes. Written
/// by CreateUser, DeleteUser, the association operations, import and DeleteCollection.
pub(crate) const USERS_TABLE: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("users");

/// (collection number, user ID, face key) to nothing: the faces of each user, for ListFaces
/// by user and DeleteUser. It holds exactly one row per face whose record names a user.
pub(crate) const USER_FACES_TABLE: TableDefinition<(u64, &str, u128), ()> =
    TableDefinition::new("user_faces");

/// (collection number, operation name, client request token) to
/// [`TokenRecord`](super::record::TokenRecord) bytes. Written by the operations that take a
/// `ClientRequestToken`, in the transaction of their change.
pub(crate) const TOKENS_TABLE: TableDefinition<(u64, &str, &str), &[u8]> =
    TableDefinition::new("request_tokens");

/// Store-wide settings and counters, under the keys below.
pub(crate) const META_TABLE: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// [`META_TABLE`] key of the schema version, a `u32` in little-endian bytes.
pub(crate) const SCHEMA_VERSION_KEY: &str = "schema_version";

/// [`META_TABLE`] key of the next collection number, a `u64` in little-endian bytes.
pub(crate) const NEXT_COLLECTION_NUMBER_KEY: &str = "next_collection_number";

/// [`META_TABLE`] key of the 32-byte secret that signs pagination tokens.
pub(crate) const PAGINATION_KEY_KEY: &str = "pagination_key";

/// The schema this build writes. A database with a higher version is refused at open, and
/// one with a lower version is upgraded at open. Version 2 added the embedding blocks and
/// pending erasure tables.
pub(crate) const SCHEMA_VERSION: u32 = 2;
