//! [`Store::check`]: a full scan of every table that verifies the invariants the operations
//! keep, for tests, for `facestore check`, and for an operator who suspects corruption.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use redb::{ReadOnlyTable, ReadTransaction, ReadableTable, ReadableTableMetadata};

use super::Store;
use super::users::MAX_FACES_PER_USER;
use crate::error::Result;
use crate::storage::block::{self, MAX_SLOTS_PER_BLOCK};
use crate::storage::record::{self, CollectionRecord, EmbeddingSlot, TokenRecord, UserRecord};
use crate::storage::tables::{
    COLLECTION_NUMBERS_TABLE, COLLECTIONS_TABLE, EMBEDDING_BLOCKS_TABLE, FACES_TABLE, META_TABLE,
    NEXT_COLLECTION_NUMBER_KEY, PAGINATION_KEY_KEY, PENDING_ERASURE_TABLE, SCHEMA_VERSION,
    SCHEMA_VERSION_KEY, TOKENS_TABLE, USER_FACES_TABLE, USERS_TABLE,
};
use crate::validation::format_face_id;

/// The kind of a broken invariant that [`Store::check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ViolationKind {
    /// A stored value does not decode, or decodes to an impossible value.
    Unreadable,
    /// A stored counter differs from the number of rows it counts.
    CountMismatch,
    /// Two tables that index each other disagree.
    IndexMismatch,
    /// A row belongs to a collection number that no live collection has.
    Orphan,
    /// A user has more faces than the 100 a user may have.
    QuotaExceeded,
    /// An embedding that no face owns is stored unerased and is not pending erasure, or an
    /// erased slot still holds nonzero bytes.
    Unerased,
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Unreadable => "unreadable record",
            Self::CountMismatch => "count mismatch",
            Self::IndexMismatch => "index mismatch",
            Self::Orphan => "orphan row",
            Self::QuotaExceeded => "quota exceeded",
            Self::Unerased => "unerased embedding",
        })
    }
}

/// One broken invariant, with a message naming the collection, face or user it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The kind of invariant broken.
    pub kind: ViolationKind,
    /// The rows involved and how they disagree.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.kind, self.message)
    }
}

/// The result of [`Store::check`]: how many rows were scanned and every violation found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct CheckReport {
    /// Number of collections scanned.
    pub collections: u64,
    /// Number of face rows scanned, in all collections.
    pub faces: u64,
    /// Number of user rows scanned, in all collections.
    pub users: u64,
    /// Number of face-to-user index rows scanned.
    pub associations: u64,
    /// Number of remembered request tokens scanned.
    pub request_tokens: u64,
    /// Number of embedding blocks scanned.
    pub embedding_blocks: u64,
    /// Number of embedding slots waiting for erasure.
    pub pending_erasures: u64,
    /// Every broken invariant, in the order found.
    pub violations: Vec<Violation>,
}

impl CheckReport {
    /// Returns true when no invariant is broken.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }

    fn add(&mut self, kind: ViolationKind, message: String) {
        self.violations.push(Violation { kind, message });
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            formatter,
            "checked {} collections, {} faces, {} users, {} associations, {} request tokens, \
             {} embedding blocks, {} embeddings pending erasure",
            self.collections,
            self.faces,
            self.users,
            self.associations,
            self.request_tokens,
            self.embedding_blocks,
            self.pending_erasures
        )?;
        if self.is_ok() {
            return write!(formatter, "no violations");
        }
        write!(formatter, "{} violations:", self.violations.len())?;
        for violation in &self.violations {
            write!(formatter, "\n  {violation}")?;
        }
        Ok(())
    }
}

/// The live collections by number, with the counts found for each.
struct Collections {
    by_number: BTreeMap<u64, LiveCollection>,
}

struct LiveCollection {
    id: String,
    record: CollectionRecord,
    face_rows: u64,
    user_rows: u64,
}

impl Collections {
    /// Returns a description of collection `number` for messages.
    fn name(&self, number: u64) -> String {
        match self.by_number.get(&number) {
            Some(collection) => format!("collection '{}'", collection.id),
            None => format!("collection number {number}"),
        }
    }
}

impl Store {
    /// Scans every table in one read transaction and reports each broken invariant.
    ///
    /// It verifies that:
    ///
    /// - every record decodes, and every embedding has its collection's dimension;
    /// - every face's embedding slot is a live slot of a stored block, and no two faces
    ///   share a slot;
    /// - every slot pending erasure is a live slot that no face names, every other live slot
    ///   belongs to a face, and every erased slot is zero, so that a block whose slots are
    ///   all dead is pending erasure or removed;
    /// - each collection's `FaceCount` and `UserCount` equal its face and user rows;
    /// - the collection-number index and the collections agree both ways;
    /// - every face-to-user index row names an existing user and a stored face whose record
    ///   names that user, and every face that names a user has its index row;
    /// - each user's face count equals its index rows and is at most 100;
    /// - no row belongs to a deleted collection.
    ///
    /// Writers are not blocked while it runs.
    ///
    /// # Errors
    ///
    /// [`Error::InternalServer`](crate::Error::InternalServer) when storage fails while
    /// reading. Content that does not decode is a [`Violation`], not an error.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn main() -> facestore::Result<()> {
    /// let store = facestore::Store::builder().open_in_memory()?;
    /// let report = store.check()?;
    /// assert!(report.is_ok(), "{report}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn check(&self) -> Result<CheckReport> {
        let transaction = self.read()?;
        let mut report = CheckReport::default();

        check_meta(&transaction, &mut report)?;
        let mut collections = check_collections(&transaction, &mut report)?;
        check_next_collection_number(&transaction, &collections, &mut report)?;
        let face_slots = check_faces(&transaction, &mut collections, &mut report)?;
        check_embedding_blocks(&transaction, &collections, &face_slots, &mut report)?;
        let user_face_counts = check_user_faces(&transaction, &collections, &mut report)?;
        check_users(
            &transaction,
            &mut collections,
            &user_face_counts,
            &mut report,
        )?;
        check_tokens(&transaction, &collections, &mut report)?;
        check_collection_counts(&collections, &mut report);

        if !report.is_ok() {
            tracing::warn!(
                violations = report.violations.len(),
                "database check found violations"
            );
        }
        Ok(report)
    }
}

fn check_meta(transaction: &ReadTransaction, report: &mut CheckReport) -> Result<()> {
    let meta = transaction.open_table(META_TABLE)?;
    match meta.get(SCHEMA_VERSION_KEY)? {
        None => report.add(
            ViolationKind::Unreadable,
            "schema version is missing".to_owned(),
        ),
        Some(value) => match <[u8; 4]>::try_from(value.value()).map(u32::from_le_bytes) {
            Ok(version) if version <= SCHEMA_VERSION => {}
            Ok(version) => report.add(
                ViolationKind::Unreadable,
                format!("schema version {version} is newer than {SCHEMA_VERSION}"),
            ),
            Err(_) => report.add(
                ViolationKind::Unreadable,
                format!("schema version is {} bytes, not 4", value.value().len()),
            ),
        },
    }
    match meta.get(PAGINATION_KEY_KEY)? {
        Some(value) if value.value().len() == 32 => {}
        Some(value) => report.add(
            ViolationKind::Unreadable,
            format!("pagination key is {} bytes, not 32", value.value().len()),
        ),
        None => report.add(
            ViolationKind::Unreadable,
            "pagination key is missing".to_owned(),
        ),
    }
    Ok(())
}

/// Decodes every collection and checks the collection-number index against them.
fn check_collections(
    transaction: &ReadTransaction,
    report: &mut CheckReport,
) -> Result<Collections> {
    let table = transaction.open_table(COLLECTIONS_TABLE)?;
    let mut by_number: BTreeMap<u64, LiveCollection> = BTreeMap::new();
    for entry in table.iter()? {
        let (id, value) = entry?;
        let id = id.value().to_owned();
        report.collections += 1;
        let record: CollectionRecord = match record::decode(value.value()) {
            Ok(record) => record,
            Err(error) => {
                report.add(
                    ViolationKind::Unreadable,
                    format!("collection '{id}': {error}"),
                );
                continue;
            }
        };
        if let Some(other) = by_number.get(&record.number) {
            report.add(
                ViolationKind::IndexMismatch,
                format!(
                    "collections '{}' and '{id}' have the same number {}",
                    other.id, record.number
                ),
            );
            continue;
        }
        by_number.insert(
            record.number,
            LiveCollection {
                id,
                record,
                face_rows: 0,
                user_rows: 0,
            },
        );
    }

    let numbers = transaction.open_table(COLLECTION_NUMBERS_TABLE)?;
    for entry in numbers.iter()? {
        let (number, id) = entry?;
        let (number, id) = (number.value(), id.value());
        match by_number.get(&number) {
            Some(collection) if collection.id == id => {}
            Some(collection) => report.add(
                ViolationKind::IndexMismatch,
                format!(
                    "collection number {number} is indexed as '{id}' but belongs to collection \
                     '{}'",
                    collection.id
                ),
            ),
            None => report.add(
                ViolationKind::Orphan,
                format!("collection number {number} is indexed as '{id}', which has no record"),
            ),
        }
    }
    for (number, collection) in &by_number {
        match numbers.get(*number)? {
            Some(id) if id.value() == collection.id => {}
            Some(_) => {} // Reported by the loop above.
            None => report.add(
                ViolationKind::IndexMismatch,
                format!(
                    "collection '{}' has number {number}, which the number index lacks",
                    collection.id
                ),
            ),
        }
    }
    Ok(Collections { by_number })
}

/// Checks that the counter that numbers new collections is above every used number.
fn check_next_collection_number(
    transaction: &ReadTransaction,
    collections: &Collections,
    report: &mut CheckReport,
) -> Result<()> {
    let Some(highest) = collections.by_number.keys().next_back() else {
        return Ok(());
    };
    let meta = transaction.open_table(META_TABLE)?;
    let next = meta
        .get(NEXT_COLLECTION_NUMBER_KEY)?
        .map(|value| <[u8; 8]>::try_from(value.value()).map(u64::from_le_bytes));
    match next {
        Some(Ok(next)) if next > *highest => {}
        Some(Ok(next)) => report.add(
            ViolationKind::CountMismatch,
            format!("next collection number {next} is not above the used number {highest}"),
        ),
        Some(Err(_)) => report.add(
            ViolationKind::Unreadable,
            "next collection number is not 8 bytes".to_owned(),
        ),
        None => report.add(
            ViolationKind::Unreadable,
            format!("next collection number is missing though number {highest} is used"),
        ),
    }
    Ok(())
}

/// Decodes every face, counts each collection's faces, and checks inline embeddings and the
/// user each face names. Returns the embedding slot of every face, for
/// [`check_embedding_blocks`].
fn check_faces(
    transaction: &ReadTransaction,
    collections: &mut Collections,
    report: &mut CheckReport,
) -> Result<HashMap<(u64, EmbeddingSlot), u128>> {
    let mut face_slots = HashMap::new();
    let faces = transaction.open_table(FACES_TABLE)?;
    let users = transaction.open_table(USERS_TABLE)?;
    let user_faces = transaction.open_table(USER_FACES_TABLE)?;
    for entry in faces.iter()? {
        let (key, value) = entry?;
        let (number, face_key) = key.value();
        report.faces += 1;
        let face_name = format!(
            "face {} of {}",
            format_face_id(face_key),
            collections.name(number)
        );
        let Some(collection) = collections.by_number.get_mut(&number) else {
            report.add(ViolationKind::Orphan, face_name);
            continue;
        };
        collection.face_rows += 1;

        let stored = match record::decode_face(value.value()) {
            Ok(stored) => stored,
            Err(error) => {
                report.add(ViolationKind::Unreadable, format!("{face_name}: {error}"));
                continue;
            }
        };
        check_embedding(&face_name, collection, stored.inline_embedding, report);
        let face = stored.record;
        if let Some(slot) = face.embedding
            && let Some(other) = face_slots.insert((number, slot), face_key)
        {
            report.add(
                ViolationKind::IndexMismatch,
                format!(
                    "{face_name} and face {} share embedding slot {} of block {}",
                    format_face_id(other),
                    slot.slot,
                    slot.block
                ),
            );
        }

        let Some(user_id) = face.user_id else {
            continue;
        };
        if user_faces
            .get((number, user_id.as_str(), face_key))?
            .is_none()
        {
            report.add(
                ViolationKind::IndexMismatch,
                format!("{face_name} names user '{user_id}' but has no user index row"),
            );
        }
        if users.get((number, user_id.as_str()))?.is_none() {
            report.add(
                ViolationKind::IndexMismatch,
                format!("{face_name} names user '{user_id}', which does not exist"),
            );
        }
    }
    Ok(face_slots)
}

/// Checks every embedding block against the faces' slots and the pending erasures.
fn check_embedding_blocks(
    transaction: &ReadTransaction,
    collections: &Collections,
    face_slots: &HashMap<(u64, EmbeddingSlot), u128>,
    report: &mut CheckReport,
) -> Result<()> {
    let pending_table = transaction.open_table(PENDING_ERASURE_TABLE)?;
    let mut pending = HashSet::new();
    for entry in pending_table.iter()? {
        let (number, block, slot) = entry?.0.value();
        report.pending_erasures += 1;
        let slot = EmbeddingSlot { block, slot };
        if !collections.by_number.contains_key(&number) {
            report.add(
                ViolationKind::Orphan,
                format!(
                    "slot {} of embedding block {block} of {} is pending erasure",
                    slot.slot,
                    collections.name(number)
                ),
            );
        }
        if let Some(face_key) = face_slots.get(&(number, slot)) {
            report.add(
                ViolationKind::IndexMismatch,
                format!(
                    "slot {} of embedding block {block} of {} is pending erasure but face {} \
                     names it",
                    slot.slot,
                    collections.name(number),
                    format_face_id(*face_key)
                ),
            );
        }
        pending.insert((number, slot));
    }

    // Live slots seen in blocks; a face or pending slot missing from it names nothing.
    let mut live_slots = HashSet::new();
    let blocks = transaction.open_table(EMBEDDING_BLOCKS_TABLE)?;
    for entry in blocks.iter()? {
        let (key, value) = entry?;
        let (number, block_number) = key.value();
        report.embedding_blocks += 1;
        let block_name = format!(
            "embedding block {block_number} of {}",
            collections.name(number)
        );
        let Some(collection) = collections.by_number.get(&number) else {
            report.add(ViolationKind::Orphan, block_name);
            continue;
        };
        let Some(dimension) = collection.record.embedding_dimension else {
            report.add(
                ViolationKind::Unreadable,
                format!("{block_name} is stored but the collection has no embedding dimension"),
            );
            continue;
        };
        let view = match block::split(value.value(), dimension) {
            Ok(view) => view,
            Err(error) => {
                report.add(ViolationKind::Unreadable, format!("{block_name}: {error}"));
                continue;
            }
        };
        let live = view.live;
        let slot_count = view.slot_count();
        if slot_count > MAX_SLOTS_PER_BLOCK as usize || (slot_count < 64 && live >> slot_count != 0)
        {
            report.add(
                ViolationKind::Unreadable,
                format!("{block_name} has {slot_count} slots but live bitmap {live:#x}"),
            );
            continue;
        }
        if live == 0 {
            report.add(
                ViolationKind::Unerased,
                format!("{block_name} has no live slot but is stored"),
            );
        }
        for (index, bytes) in view.slots.chunks_exact(view.slot_size).enumerate() {
            let slot = EmbeddingSlot {
                block: block_number,
                slot: u32::try_from(index).expect("at most 64 slots"),
            };
            let slot_name = format!("slot {index} of {block_name}");
            if live & (1 << index) == 0 {
                if bytes.iter().any(|byte| *byte != 0) {
                    report.add(
                        ViolationKind::Unerased,
                        format!("{slot_name} is erased but holds nonzero bytes"),
                    );
                }
                continue;
            }
            live_slots.insert((number, slot));
            let owned = face_slots.contains_key(&(number, slot));
            if !owned && !pending.contains(&(number, slot)) {
                report.add(
                    ViolationKind::Unerased,
                    format!("{slot_name} belongs to no face and is not pending erasure"),
                );
            }
            let values = view.encoding.decode(bytes, dimension);
            if owned && values.iter().any(|value| !value.is_finite()) {
                report.add(
                    ViolationKind::Unreadable,
                    format!("{slot_name} holds a value that is not finite"),
                );
            }
        }
    }

    for (&(number, slot), face_key) in face_slots {
        if !live_slots.contains(&(number, slot)) {
            report.add(
                ViolationKind::IndexMismatch,
                format!(
                    "face {} of {} names slot {} of embedding block {}, which is not a live \
                     stored slot",
                    format_face_id(*face_key),
                    collections.name(number),
                    slot.slot,
                    slot.block
                ),
            );
        }
    }
    for (number, slot) in pending {
        if !live_slots.contains(&(number, slot)) && collections.by_number.contains_key(&number) {
            report.add(
                ViolationKind::IndexMismatch,
                format!(
                    "slot {} of embedding block {} of {} is pending erasure but is not a live \
                     stored slot",
                    slot.slot,
                    slot.block,
                    collections.name(number)
                ),
            );
        }
    }
    Ok(())
}

fn check_embedding(
    face_name: &str,
    collection: &LiveCollection,
    embedding: &[u8],
    report: &mut CheckReport,
) {
    if embedding.is_empty() {
        return;
    }
    // decode_face has already checked that the length is a multiple of 4.
    let length = embedding.len() / 4;
    let dimension = collection.record.embedding_dimension;
    if dimension.and_then(|dimension| usize::try_from(dimension).ok()) != Some(length) {
        report.add(
            ViolationKind::Unreadable,
            format!(
                "{face_name} has an embedding of {length} values but the collection's embedding \
                 dimension is {dimension:?}"
            ),
        );
    }
    let values = record::decode_embedding(embedding);
    if let Some(position) = values.iter().position(|value| !value.is_finite()) {
        report.add(
            ViolationKind::Unreadable,
            format!("{face_name} has a value that is not finite at embedding index {position}"),
        );
    }
}

/// Checks every face-to-user index row and returns the number of rows of each user.
fn check_user_faces(
    transaction: &ReadTransaction,
    collections: &Collections,
    report: &mut CheckReport,
) -> Result<HashMap<(u64, String), u64>> {
    let faces = transaction.open_table(FACES_TABLE)?;
    let users = transaction.open_table(USERS_TABLE)?;
    let user_faces = transaction.open_table(USER_FACES_TABLE)?;
    let mut counts: HashMap<(u64, String), u64> = HashMap::new();
    for entry in user_faces.iter()? {
        let (key, _) = entry?;
        let (number, user_id, face_key) = key.value();
        report.associations += 1;
        let row_name = format!(
            "user index row (user '{user_id}', face {}) of {}",
            format_face_id(face_key),
            collections.name(number)
        );
        if !collections.by_number.contains_key(&number) {
            report.add(ViolationKind::Orphan, row_name);
            continue;
        }
        *counts.entry((number, user_id.to_owned())).or_default() += 1;

        if users.get((number, user_id))?.is_none() {
            report.add(
                ViolationKind::IndexMismatch,
                format!("{row_name} names a user that does not exist"),
            );
        }
        check_indexed_face(&faces, number, user_id, face_key, &row_name, report)?;
    }
    Ok(counts)
}

/// Checks that the face of a user index row is stored and names that user.
fn check_indexed_face(
    faces: &ReadOnlyTable<(u64, u128), &[u8]>,
    number: u64,
    user_id: &str,
    face_key: u128,
    row_name: &str,
    report: &mut CheckReport,
) -> Result<()> {
    let Some(value) = faces.get((number, face_key))? else {
        report.add(
            ViolationKind::IndexMismatch,
            format!("{row_name} names a face that is not stored"),
        );
        return Ok(());
    };
    // An undecodable face is reported by check_faces.
    if let Ok(stored) = record::decode_face(value.value()) {
        let face = stored.record;
        if face.user_id.as_deref() != Some(user_id) {
            report.add(
                ViolationKind::IndexMismatch,
                format!(
                    "{row_name} names a face whose record has user {:?}",
                    face.user_id
                ),
            );
        }
    }
    Ok(())
}

/// Decodes every user, counts each collection's users and checks each user's face count.
fn check_users(
    transaction: &ReadTransaction,
    collections: &mut Collections,
    user_face_counts: &HashMap<(u64, String), u64>,
    report: &mut CheckReport,
) -> Result<()> {
    let users = transaction.open_table(USERS_TABLE)?;
    for entry in users.iter()? {
        let (key, value) = entry?;
        let (number, user_id) = key.value();
        report.users += 1;
        let user_name = format!("user '{user_id}' of {}", collections.name(number));
        let Some(collection) = collections.by_number.get_mut(&number) else {
            report.add(ViolationKind::Orphan, user_name);
            continue;
        };
        collection.user_rows += 1;

        let user: UserRecord = match record::decode(value.value()) {
            Ok(user) => user,
            Err(error) => {
                report.add(ViolationKind::Unreadable, format!("{user_name}: {error}"));
                continue;
            }
        };
        let rows = user_face_counts
            .get(&(number, user_id.to_owned()))
            .copied()
            .unwrap_or(0);
        if u64::from(user.face_count) != rows {
            report.add(
                ViolationKind::CountMismatch,
                format!(
                    "{user_name} has face count {} but {rows} user index rows",
                    user.face_count
                ),
            );
        }
        if user.face_count > MAX_FACES_PER_USER {
            report.add(
                ViolationKind::QuotaExceeded,
                format!(
                    "{user_name} has {} faces, more than {MAX_FACES_PER_USER}",
                    user.face_count
                ),
            );
        }
    }
    Ok(())
}

fn check_tokens(
    transaction: &ReadTransaction,
    collections: &Collections,
    report: &mut CheckReport,
) -> Result<()> {
    let tokens = transaction.open_table(TOKENS_TABLE)?;
    report.request_tokens = tokens.len()?;
    for entry in tokens.iter()? {
        let (key, value) = entry?;
        let (number, operation, token) = key.value();
        let token_name = format!(
            "{operation} request token '{token}' of {}",
            collections.name(number)
        );
        if !collections.by_number.contains_key(&number) {
            report.add(ViolationKind::Orphan, token_name);
            continue;
        }
        if let Err(error) = record::decode::<TokenRecord>(value.value()) {
            report.add(ViolationKind::Unreadable, format!("{token_name}: {error}"));
        }
    }
    Ok(())
}

fn check_collection_counts(collections: &Collections, report: &mut CheckReport) {
    for collection in collections.by_number.values() {
        if collection.record.face_count != collection.face_rows {
            report.add(
                ViolationKind::CountMismatch,
                format!(
                    "collection '{}' has FaceCount {} but {} face rows",
                    collection.id, collection.record.face_count, collection.face_rows
                ),
            );
        }
        if collection.record.user_count != collection.user_rows {
            report.add(
                ViolationKind::CountMismatch,
                format!(
                    "collection '{}' has UserCount {} but {} user rows",
                    collection.id, collection.record.user_count, collection.user_rows
                ),
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on any error")]
mod tests {
    use super::*;
    use crate::api::{CreateCollectionRequest, FaceInput, ImportFacesRequest};
    use crate::validation::parse_face_id;

    const FACE: &str = "11111111-1111-4111-8111-111111111111";

    /// Returns a store with collection `c1` holding one face associated with user `u1`.
    fn store_with_user_face() -> Store {
        let store = Store::builder().open_in_memory().unwrap();
        store
            .create_collection(&CreateCollectionRequest {
                collection_id: "c1".into(),
                tags: None,
            })
            .unwrap();
        let face = FaceInput {
            face_id: Some(FACE.into()),
            user_id: Some("u1".into()),
            embedding: Some(vec![1.0, 0.0]),
            ..FaceInput::default()
        };
        store
            .import_faces(&ImportFacesRequest {
                collection_id: "c1".into(),
                faces: vec![face],
            })
            .unwrap();
        store
    }

    fn kinds(store: &Store) -> Vec<ViolationKind> {
        let report = store.check().unwrap();
        report.violations.iter().map(|v| v.kind).collect()
    }

    #[test]
    fn clean_store_passes() {
        let store = store_with_user_face();
        let report = store.check().unwrap();
        assert!(report.is_ok(), "{report}");
        assert_eq!(report.faces, 1);
        assert_eq!(report.users, 1);
        assert_eq!(report.associations, 1);
    }

    #[test]
    fn missing_user_index_row_is_found() {
        let store = store_with_user_face();
        let key = parse_face_id(FACE).unwrap();
        store
            .write(|transaction| {
                transaction
                    .open_table(USER_FACES_TABLE)?
                    .remove((1, "u1", key))?;
                Ok(())
            })
            .unwrap();
        let report = store.check().unwrap();
        assert!(
            report.to_string().contains("has no user index row"),
            "{report}"
        );
        assert!(kinds(&store).contains(&ViolationKind::CountMismatch));
    }

    #[test]
    fn orphan_rows_are_found() {
        let store = store_with_user_face();
        store
            .write(|transaction| {
                transaction.open_table(USERS_TABLE)?.insert(
                    (99, "ghost"),
                    record::encode(&UserRecord { face_count: 0 })?.as_slice(),
                )?;
                transaction
                    .open_table(USER_FACES_TABLE)?
                    .insert((99, "ghost", 5), ())?;
                Ok(())
            })
            .unwrap();
        let report = store.check().unwrap();
        assert_eq!(
            kinds(&store),
            [ViolationKind::Orphan, ViolationKind::Orphan],
            "{report}"
        );
        assert!(
            report.to_string().contains("collection number 99"),
            "{report}"
        );
    }

    #[test]
    fn wrong_face_count_is_found() {
        let store = store_with_user_face();
        store
            .write(|transaction| {
                let mut collection =
                    super::super::transaction::load_collection_for_write(transaction, "c1")?;
                collection.face_count = 5;
                super::super::transaction::save_collection(transaction, "c1", &collection)
            })
            .unwrap();
        let report = store.check().unwrap();
        assert_eq!(kinds(&store), [ViolationKind::CountMismatch], "{report}");
        assert!(
            report.to_string().contains("FaceCount 5 but 1 face rows"),
            "{report}"
        );
    }

    #[test]
    fn wrong_embedding_length_is_found() {
        let store = store_with_user_face();
        let key = parse_face_id(FACE).unwrap();
        store
            .write(|transaction| {
                let mut faces = transaction.open_table(FACES_TABLE)?;
                let mut value = faces.get((1, key))?.unwrap().value().to_vec();
                value.extend_from_slice(&[0, 0, 0]);
                faces.insert((1, key), value.as_slice())?;
                Ok(())
            })
            .unwrap();
        let report = store.check().unwrap();
        // The unreadable face's slot is then owned by no face, which is reported too.
        assert_eq!(
            kinds(&store),
            [ViolationKind::Unreadable, ViolationKind::Unerased],
            "{report}"
        );
        assert!(report.to_string().contains(FACE), "{report}");
    }

    /// Returns a store whose collection `c1` has faces 0 to 2 with embeddings, face 1
    /// deleted and its slot pending erasure.
    fn store_with_pending_slot() -> Store {
        let store = Store::builder()
            .erasure_delay(std::time::Duration::from_secs(3600))
            .max_erasure_delay(std::time::Duration::from_secs(3600))
            .open_in_memory()
            .unwrap();
        store
            .create_collection(&CreateCollectionRequest {
                collection_id: "c1".into(),
                tags: None,
            })
            .unwrap();
        let faces = (0..3_u128)
            .map(|index| FaceInput {
                face_id: Some(format_face_id(index + 1)),
                embedding: Some(vec![1.0, 2.0]),
                ..FaceInput::default()
            })
            .collect();
        store
            .import_faces(&ImportFacesRequest {
                collection_id: "c1".into(),
                faces,
            })
            .unwrap();
        store
            .delete_faces(&crate::api::DeleteFacesRequest {
                collection_id: "c1".into(),
                face_ids: vec![format_face_id(2)],
            })
            .unwrap();
        store
    }

    #[test]
    fn pending_erasure_passes() {
        let store = store_with_pending_slot();
        let report = store.check().unwrap();
        assert!(report.is_ok(), "{report}");
        assert_eq!(report.embedding_blocks, 1);
        assert_eq!(report.pending_erasures, 1);

        store.erase_deleted_embeddings().unwrap();
        let report = store.check().unwrap();
        assert!(report.is_ok(), "{report}");
        assert_eq!(report.pending_erasures, 0);
    }

    #[test]
    fn forgotten_pending_slot_is_found() {
        let store = store_with_pending_slot();
        store
            .write(|transaction| {
                transaction
                    .open_table(PENDING_ERASURE_TABLE)?
                    .remove((1, 0, 1))?;
                Ok(())
            })
            .unwrap();
        let report = store.check().unwrap();
        assert_eq!(kinds(&store), [ViolationKind::Unerased], "{report}");
        assert!(
            report.to_string().contains("slot 1 of embedding block 0"),
            "{report}"
        );
    }

    #[test]
    fn pending_slot_of_live_face_is_found() {
        let store = store_with_pending_slot();
        store
            .write(|transaction| {
                transaction
                    .open_table(PENDING_ERASURE_TABLE)?
                    .insert((1, 0, 2), ())?;
                Ok(())
            })
            .unwrap();
        let report = store.check().unwrap();
        assert_eq!(kinds(&store), [ViolationKind::IndexMismatch], "{report}");
        assert!(report.to_string().contains(&format_face_id(3)), "{report}");
    }

    #[test]
    fn missing_block_and_shared_slot_are_found() {
        let store = store_with_pending_slot();
        store
            .write(|transaction| {
                let mut faces = transaction.open_table(FACES_TABLE)?;
                let value = faces.get((1, 3))?.unwrap().value().to_vec();
                let mut face = record::decode_face(&value)?.record;
                face.embedding = Some(EmbeddingSlot { block: 0, slot: 0 });
                faces.insert((1, 3), record::encode(&face)?.as_slice())?;
                face.embedding = Some(EmbeddingSlot { block: 9, slot: 0 });
                faces.insert((1, 7), record::encode(&face)?.as_slice())?;
                Ok(())
            })
            .unwrap();
        let report = store.check().unwrap();
        let text = report.to_string();
        assert!(
            text.contains("share embedding slot 0 of block 0"),
            "{report}"
        );
        assert!(text.contains("embedding block 9"), "{report}");
        // Face 3's old slot is now owned by no face.
        assert!(text.contains("slot 2 of embedding block 0"), "{report}");
    }
}
