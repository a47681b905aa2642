//! The engines compared: facestore, the raw redb floor, a straightforward two-table redb
//! layout, LMDB through heed, and SQLite through rusqlite.

use std::path::{Path, PathBuf};

use facestore::Store;
use facestore::api::{
    BoundingBox, CreateCollectionRequest, DeleteFacesRequest, FaceInput, ImportFacesRequest,
};
use redb::{ReadableTable, TableDefinition};

use super::{COLLECTION_ID, Dataset, peer_record_user};

/// Collection number that the peer engines key their rows with.
const COLLECTION_NUMBER: u64 = 1;

/// A DeleteFaces request prepared outside the timed part.
pub enum Prepared {
    /// The face IDs as keys.
    Keys(Vec<u128>),
    /// A facestore request, with the IDs as lower-case UUID text.
    Facestore(DeleteFacesRequest),
}

/// A storage engine that runs the benchmark's operations.
pub trait Engine {
    /// Name in tables and benchmark IDs.
    fn name(&self) -> &'static str;
    /// Inserts the faces with these dataset indices in one durable transaction.
    fn insert(&mut self, indices: &[usize]);
    /// Turns face IDs into this engine's request.
    fn prepare(&self, ids: &[u128]) -> Prepared {
        Prepared::Keys(ids.to_vec())
    }
    /// Runs one DeleteFaces call in one durable transaction and returns how many faces it
    /// deleted.
    fn delete(&mut self, request: &Prepared) -> usize;
    /// Finishes the work that deletions left for later, such as facestore's erasure of
    /// deleted embeddings, and returns how many items it finished.
    fn finish_deletions(&mut self) -> u64 {
        0
    }
    /// Whether [`Engine::delete`] keeps associated faces; the floor removes them blindly.
    fn checks_association(&self) -> bool {
        true
    }
    /// Compacts the engine's file and returns whether the engine can; only facestore can.
    fn compact(&mut self) -> bool {
        false
    }
    /// Path of the engine's files, for their size.
    fn path(&self) -> &Path;
    /// The facestore store, for the benchmarks of its other operations.
    fn store(&self) -> Option<&Store> {
        None
    }
}

/// Opens the engine `name` on new files under `directory`.
///
/// # Panics
///
/// On an unknown name or a storage error: a benchmark has no way to go on.
pub fn open_engine(name: &str, directory: &Path) -> Box<dyn Engine> {
    match name {
        "facestore" => Box::new(FacestoreEngine::open(directory.join("facestore.redb"))),
        "redb-floor" => Box::new(RedbFloor::open(directory.join("floor.redb"))),
        "redb-2table" => Box::new(RedbTwoTable::open(directory.join("two-table.redb"))),
        "lmdb" => Box::new(Lmdb::open(directory.join("lmdb"))),
        "sqlite" => Box::new(Sqlite::open(directory.join("faces.sqlite"))),
        other => panic!(
            "unknown engine '{other}'; use one of {}",
            super::ENGINE_NAMES.join(", ")
        ),
    }
}

fn face_key(id: u128) -> [u8; 24] {
    let mut key = [0_u8; 24];
    key[..8].copy_from_slice(&COLLECTION_NUMBER.to_be_bytes());
    key[8..].copy_from_slice(&id.to_be_bytes());
    key
}

fn embedding_bytes(index: usize, floats: &mut Vec<f32>) -> Vec<u8> {
    Dataset::embedding(index, floats);
    floats
        .iter()
        .flat_map(|value| value.to_le_bytes())
        .collect()
}

fn keys(request: &Prepared) -> &[u128] {
    match request {
        Prepared::Keys(keys) => keys,
        Prepared::Facestore(_) => panic!("a peer engine got a facestore request"),
    }
}

/// facestore through its public API.
pub struct FacestoreEngine {
    store: Store,
    path: PathBuf,
}

impl FacestoreEngine {
    fn open(path: PathBuf) -> Self {
        let store = Store::open(&path).expect("open the facestore database");
        store
            .create_collection(&CreateCollectionRequest {
                collection_id: COLLECTION_ID.to_owned(),
                tags: None,
            })
            .expect("create the collection");
        Self { store, path }
    }
}

/// Formats a face ID as facestore's requests carry it.
pub fn face_id_text(id: u128) -> String {
    uuid::Uuid::from_u128(id).hyphenated().to_string()
}

impl Engine for FacestoreEngine {
    fn name(&self) -> &'static str {
        "facestore"
    }

    fn insert(&mut self, indices: &[usize]) {
        let mut floats = Vec::new();
        let faces = indices
            .iter()
            .map(|index| {
                let meta = Dataset::meta(*index);
                Dataset::embedding(*index, &mut floats);
                let [width, height, left, top] = meta.bounding_box;
                FaceInput {
                    face_id: Some(face_id_text(Dataset::face_id(*index))),
                    bounding_box: Some(BoundingBox {
                        width,
                        height,
                        left,
                        top,
                    }),
                    image_id: Some(face_id_text(meta.image_id)),
                    external_image_id: Some(meta.external_image_id),
                    confidence: Some(meta.confidence),
                    index_faces_model_version: Some("7.0".to_owned()),
                    user_id: meta.user_id,
                    embedding: Some(floats.clone()),
                }
            })
            .collect();
        self.store
            .import_faces(&ImportFacesRequest {
                collection_id: COLLECTION_ID.to_owned(),
                faces,
            })
            .expect("import faces");
    }

    fn prepare(&self, ids: &[u128]) -> Prepared {
        Prepared::Facestore(DeleteFacesRequest {
            collection_id: COLLECTION_ID.to_owned(),
            face_ids: ids.iter().map(|id| face_id_text(*id)).collect(),
        })
    }

    fn delete(&mut self, request: &Prepared) -> usize {
        let Prepared::Facestore(request) = request else {
            panic!("facestore got a peer request");
        };
        self.store
            .delete_faces(request)
            .expect("DeleteFaces")
            .deleted_faces
            .len()
    }

    fn finish_deletions(&mut self) -> u64 {
        self.store
            .erase_deleted_embeddings()
            .expect("erase deleted embeddings")
    }

    fn compact(&mut self) -> bool {
        self.store.compact().expect("compact the database");
        true
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn store(&self) -> Option<&Store> {
        Some(&self.store)
    }
}

const FLOOR_TABLE: TableDefinition<(u64, u128), &[u8]> = TableDefinition::new("faces");
const RECORDS_TABLE: TableDefinition<(u64, u128), &[u8]> = TableDefinition::new("records");
const EMBEDDINGS_TABLE: TableDefinition<(u64, u128), &[u8]> = TableDefinition::new("embeddings");
const COUNTERS_TABLE: TableDefinition<u64, u64> = TableDefinition::new("face_counts");

/// The lower bound of any redb layout: one table of metadata records only, blind removes
/// that check nothing, one durable commit per call.
pub struct RedbFloor {
    database: redb::Database,
    path: PathBuf,
}

impl RedbFloor {
    fn open(path: PathBuf) -> Self {
        let database = redb::Database::create(&path).expect("create the redb file");
        Self { database, path }
    }
}

impl Engine for RedbFloor {
    fn name(&self) -> &'static str {
        "redb-floor"
    }

    fn insert(&mut self, indices: &[usize]) {
        let transaction = self.database.begin_write().expect("begin write");
        {
            let mut table = transaction.open_table(FLOOR_TABLE).expect("open table");
            for index in indices {
                let record = Dataset::meta(*index).encode();
                table
                    .insert(
                        (COLLECTION_NUMBER, Dataset::face_id(*index)),
                        record.as_slice(),
                    )
                    .expect("insert");
            }
        }
        transaction.commit().expect("commit");
    }

    fn delete(&mut self, request: &Prepared) -> usize {
        let transaction = self.database.begin_write().expect("begin write");
        let mut deleted = 0;
        {
            let mut table = transaction.open_table(FLOOR_TABLE).expect("open table");
            for id in keys(request) {
                if table
                    .remove((COLLECTION_NUMBER, *id))
                    .expect("remove")
                    .is_some()
                {
                    deleted += 1;
                }
            }
        }
        transaction.commit().expect("commit");
        deleted
    }

    fn checks_association(&self) -> bool {
        false
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

/// A straightforward redb layout: records and embeddings in two tables, one `get`, decode
/// and two `remove`s per face, and a counter row.
pub struct RedbTwoTable {
    database: redb::Database,
    path: PathBuf,
}

impl RedbTwoTable {
    fn open(path: PathBuf) -> Self {
        let database = redb::Database::create(&path).expect("create the redb file");
        Self { database, path }
    }
}

impl Engine for RedbTwoTable {
    fn name(&self) -> &'static str {
        "redb-2table"
    }

    fn insert(&mut self, indices: &[usize]) {
        let transaction = self.database.begin_write().expect("begin write");
        {
            let mut records = transaction.open_table(RECORDS_TABLE).expect("open table");
            let mut embeddings = transaction
                .open_table(EMBEDDINGS_TABLE)
                .expect("open table");
            let mut counters = transaction.open_table(COUNTERS_TABLE).expect("open table");
            let mut floats = Vec::new();
            for index in indices {
                let key = (COLLECTION_NUMBER, Dataset::face_id(*index));
                let record = Dataset::meta(*index).encode();
                records.insert(key, record.as_slice()).expect("insert");
                let embedding = embedding_bytes(*index, &mut floats);
                embeddings
                    .insert(key, embedding.as_slice())
                    .expect("insert");
            }
            let count = counters
                .get(COLLECTION_NUMBER)
                .expect("get")
                .map_or(0, |value| value.value());
            counters
                .insert(COLLECTION_NUMBER, count + indices.len() as u64)
                .expect("insert");
        }
        transaction.commit().expect("commit");
    }

    fn delete(&mut self, request: &Prepared) -> usize {
        let transaction = self.database.begin_write().expect("begin write");
        let mut deleted = 0;
        {
            let mut records = transaction.open_table(RECORDS_TABLE).expect("open table");
            let mut embeddings = transaction
                .open_table(EMBEDDINGS_TABLE)
                .expect("open table");
            for id in keys(request) {
                let key = (COLLECTION_NUMBER, *id);
                let associated = match records.get(key).expect("get") {
                    None => continue,
                    Some(value) => peer_record_user(value.value()).is_some(),
                };
                if associated {
                    continue;
                }
                records.remove(key).expect("remove");
                embeddings.remove(key).expect("remove");
                deleted += 1;
            }
            let mut counters = transaction.open_table(COUNTERS_TABLE).expect("open table");
            let count = counters
                .get(COLLECTION_NUMBER)
                .expect("get")
                .map_or(0, |value| value.value());
            counters
                .insert(COLLECTION_NUMBER, count - deleted as u64)
                .expect("insert");
        }
        transaction.commit().expect("commit");
        deleted
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

type Bytes = heed::types::Bytes;

/// LMDB through heed: a records database, an embeddings database and a counter, with
/// LMDB's default durable commits.
pub struct Lmdb {
    env: heed::Env,
    records: heed::Database<Bytes, Bytes>,
    embeddings: heed::Database<Bytes, Bytes>,
    counters: heed::Database<Bytes, Bytes>,
    path: PathBuf,
}

impl Lmdb {
    fn open(path: PathBuf) -> Self {
        std::fs::create_dir_all(&path).expect("create the LMDB directory");
        // SAFETY: the environment is opened once, by this process only, on a new directory
        // that nothing else writes.
        #[allow(unsafe_code)]
        let env = unsafe {
            heed::EnvOpenOptions::new()
                .map_size(64 << 30)
                .max_dbs(4)
                .open(&path)
                .expect("open the LMDB environment")
        };
        let mut transaction = env.write_txn().expect("begin write");
        let records = env
            .create_database(&mut transaction, Some("records"))
            .expect("create database");
        let embeddings = env
            .create_database(&mut transaction, Some("embeddings"))
            .expect("create database");
        let counters = env
            .create_database(&mut transaction, Some("face_counts"))
            .expect("create database");
        transaction.commit().expect("commit");
        Self {
            env,
            records,
            embeddings,
            counters,
            path,
        }
    }

    fn adjust_count(&self, transaction: &mut heed::RwTxn, change: i64) {
        let key = COLLECTION_NUMBER.to_be_bytes();
        let count = self
            .counters
            .get(transaction, &key)
            .expect("get")
            .map_or(0, |value| {
                i64::from_le_bytes(value.try_into().expect("8-byte counter"))
            });
        self.counters
            .put(transaction, &key, &(count + change).to_le_bytes())
            .expect("put");
    }
}

impl Engine for Lmdb {
    fn name(&self) -> &'static str {
        "lmdb"
    }

    fn insert(&mut self, indices: &[usize]) {
        let mut transaction = self.env.write_txn().expect("begin write");
        let mut floats = Vec::new();
        for index in indices {
            let key = face_key(Dataset::face_id(*index));
            let record = Dataset::meta(*index).encode();
            self.records
                .put(&mut transaction, &key, &record)
                .expect("put");
            let embedding = embedding_bytes(*index, &mut floats);
            self.embeddings
                .put(&mut transaction, &key, &embedding)
                .expect("put");
        }
        self.adjust_count(&mut transaction, indices.len() as i64);
        transaction.commit().expect("commit");
    }

    fn delete(&mut self, request: &Prepared) -> usize {
        let mut transaction = self.env.write_txn().expect("begin write");
        let mut deleted = 0;
        for id in keys(request) {
            let key = face_key(*id);
            let associated = match self.records.get(&transaction, &key).expect("get") {
                None => continue,
                Some(value) => peer_record_user(value).is_some(),
            };
            if associated {
                continue;
            }
            self.records.delete(&mut transaction, &key).expect("delete");
            self.embeddings
                .delete(&mut transaction, &key)
                .expect("delete");
            deleted += 1;
        }
        self.adjust_count(&mut transaction, -(deleted as i64));
        transaction.commit().expect("commit");
        deleted
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

/// SQLite in WAL mode with `synchronous=FULL`: a rowid table of faces with a unique index on
/// (collection, face ID), the embedding and user ID as columns, and a counter row.
pub struct Sqlite {
    connection: rusqlite::Connection,
    path: PathBuf,
}

impl Sqlite {
    fn open(path: PathBuf) -> Self {
        let connection = rusqlite::Connection::open(&path).expect("open the SQLite file");
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 CREATE TABLE faces (
                     id INTEGER PRIMARY KEY,
                     collection INTEGER NOT NULL,
                     face_id BLOB NOT NULL,
                     user_id TEXT,
                     record BLOB NOT NULL,
                     embedding BLOB,
                     UNIQUE (collection, face_id)
                 );
                 CREATE TABLE face_counts (
                     collection INTEGER PRIMARY KEY,
                     face_count INTEGER NOT NULL
                 );
                 INSERT INTO face_counts VALUES (1, 0);",
            )
            .expect("create the SQLite schema");
        Self { connection, path }
    }
}

impl Engine for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn insert(&mut self, indices: &[usize]) {
        let transaction = self.connection.transaction().expect("begin");
        {
            let mut statement = transaction
                .prepare_cached(
                    "INSERT INTO faces (collection, face_id, user_id, record, embedding)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .expect("prepare");
            let mut floats = Vec::new();
            for index in indices {
                let meta = Dataset::meta(*index);
                let embedding = embedding_bytes(*index, &mut floats);
                statement
                    .execute(rusqlite::params![
                        COLLECTION_NUMBER as i64,
                        Dataset::face_id(*index).to_be_bytes().as_slice(),
                        meta.user_id,
                        meta.encode(),
                        embedding,
                    ])
                    .expect("insert");
            }
            transaction
                .execute(
                    "UPDATE face_counts SET face_count = face_count + ?1 WHERE collection = 1",
                    [indices.len() as i64],
                )
                .expect("update");
        }
        transaction.commit().expect("commit");
    }

    fn delete(&mut self, request: &Prepared) -> usize {
        let transaction = self.connection.transaction().expect("begin");
        let mut deleted = 0;
        {
            let mut delete = transaction
                .prepare_cached(
                    "DELETE FROM faces
                     WHERE collection = ?1 AND face_id = ?2 AND user_id IS NULL",
                )
                .expect("prepare");
            let mut lookup = transaction
                .prepare_cached("SELECT user_id FROM faces WHERE collection = ?1 AND face_id = ?2")
                .expect("prepare");
            for id in keys(request) {
                let key = id.to_be_bytes();
                let params = rusqlite::params![COLLECTION_NUMBER as i64, key.as_slice()];
                if delete.execute(params).expect("delete") == 1 {
                    deleted += 1;
                    continue;
                }
                // Not deleted: tell a missing face from an associated one, as DeleteFaces
                // reports the user.
                let mut rows = lookup.query(params).expect("select");
                let _user: Option<String> = rows
                    .next()
                    .expect("step")
                    .map(|row| row.get(0).expect("user_id"));
            }
            transaction
                .execute(
                    "UPDATE face_counts SET face_count = face_count - ?1 WHERE collection = 1",
                    [deleted as i64],
                )
                .expect("update");
        }
        transaction.commit().expect("commit");
        deleted
    }

    fn path(&self) -> &Path {
        &self.path
    }
}
