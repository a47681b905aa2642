//! Tests of the embedding blocks and the erasure of deleted faces' embeddings.

use std::time::Duration;

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata};

use crate::Store;
use crate::api::{
    AssociateFacesRequest, CreateCollectionRequest, CreateUserRequest, DeleteCollectionRequest,
    DeleteFacesRequest, DisassociateFacesRequest, FaceInput, ImportFacesRequest, ListFacesRequest,
    UnsuccessfulFaceAssociationReason,
};
use crate::storage::block;
use crate::storage::embedding_codec::SlotEncoding;
use crate::storage::record::{self, FaceRecord};
use crate::storage::tables::{EMBEDDING_BLOCKS_TABLE, FACES_TABLE, PENDING_ERASURE_TABLE};
use crate::validation::format_face_id;

/// A value that no test embedding holds elsewhere, so that its bytes in the file mark an
/// embedding that is not erased. Its magnitude needs `f32` slots, whose bytes are the
/// values' own little-endian bytes.
const MARKER: f32 = 1_234.567_8;

/// Embedding size of the `f32` tests: seven slots fit in a block.
const DIMENSION: usize = 128;

fn face_id(index: u128) -> String {
    format_face_id(0x1111_1111_0000_4000_8000_0000_0000_0000 + index)
}

/// An embedding whose every value is `MARKER` plus `index`, distinct per face.
fn embedding(index: usize, marker: f32) -> Vec<f32> {
    #[expect(clippy::cast_precision_loss, reason = "test indices are small")]
    let value = marker + index as f32;
    vec![value; DIMENSION]
}

fn create(store: &Store, collection_id: &str) {
    store
        .create_collection(&CreateCollectionRequest {
            collection_id: collection_id.into(),
            tags: None,
        })
        .unwrap();
}

fn import(store: &Store, collection_id: &str, faces: impl IntoIterator<Item = (usize, f32)>) {
    let faces = faces
        .into_iter()
        .map(|(index, marker)| (index, embedding(index, marker)));
    import_embeddings(store, collection_id, faces);
}

fn import_embeddings(
    store: &Store,
    collection_id: &str,
    faces: impl IntoIterator<Item = (usize, Vec<f32>)>,
) {
    let faces = faces
        .into_iter()
        .map(|(index, embedding)| FaceInput {
            face_id: Some(face_id(index as u128)),
            embedding: Some(embedding),
            ..FaceInput::default()
        })
        .collect();
    store
        .import_faces(&ImportFacesRequest {
            collection_id: collection_id.into(),
            faces,
        })
        .unwrap();
}

fn delete(store: &Store, collection_id: &str, indices: impl IntoIterator<Item = usize>) {
    let response = store
        .delete_faces(&DeleteFacesRequest {
            collection_id: collection_id.into(),
            face_ids: indices
                .into_iter()
                .map(|index| face_id(index as u128))
                .collect(),
        })
        .unwrap();
    assert!(response.unsuccessful_face_deletions.is_empty());
}

/// A store whose background eraser never runs while a test looks.
fn quiet_store() -> Store {
    Store::builder()
        .erasure_delay(Duration::from_secs(3600))
        .max_erasure_delay(Duration::from_secs(3600))
        .open_in_memory()
        .unwrap()
}

fn pending_count(store: &Store) -> u64 {
    let transaction = store.database.begin_read().unwrap();
    transaction
        .open_table(PENDING_ERASURE_TABLE)
        .unwrap()
        .len()
        .unwrap()
}

/// Returns every block value of every collection.
fn blocks(store: &Store) -> Vec<((u64, u64), Vec<u8>)> {
    let transaction = store.database.begin_read().unwrap();
    let table = transaction.open_table(EMBEDDING_BLOCKS_TABLE).unwrap();
    table
        .iter()
        .unwrap()
        .map(|entry| {
            let (key, value) = entry.unwrap();
            (key.value(), value.value().to_vec())
        })
        .collect()
}

fn contains_float(bytes: &[u8], value: f32) -> bool {
    let pattern = [value.to_le_bytes(); 4].concat();
    bytes.windows(pattern.len()).any(|window| window == pattern)
}

#[test]
fn import_packs_embeddings_into_blocks() {
    let store = quiet_store();
    create(&store, "c1");
    import(&store, "c1", (0..10).map(|index| (index, MARKER)));
    import(&store, "c1", (10..20).map(|index| (index, MARKER)));

    let per_block = block::slots_per_block(DIMENSION as u32, SlotEncoding::F32) as usize;
    let stored = blocks(&store);
    assert_eq!(stored.len(), 20_usize.div_ceil(per_block));
    for (number, (key, value)) in stored.iter().enumerate() {
        assert_eq!(*key, (1, number as u64));
        let view = block::split(value, DIMENSION as u32).unwrap();
        let count = view.slot_count();
        assert_eq!(view.encoding, SlotEncoding::F32);
        assert_eq!(count, per_block.min(20 - number * per_block));
        assert_eq!(view.live.count_ones() as usize, count);
    }
}

#[test]
fn erasure_zeroes_partly_dead_block() {
    let store = quiet_store();
    create(&store, "c1");
    import(&store, "c1", (0..3).map(|index| (index, MARKER)));
    delete(&store, "c1", [1]);
    assert_eq!(pending_count(&store), 1);

    assert_eq!(store.erase_deleted_embeddings().unwrap(), 1);
    assert_eq!(pending_count(&store), 0);
    let stored = blocks(&store);
    assert_eq!(stored.len(), 1);
    let value = &stored[0].1;
    assert!(contains_float(value, MARKER));
    assert!(contains_float(value, MARKER + 2.0));
    assert!(!contains_float(value, MARKER + 1.0));
    let view = block::split(value, DIMENSION as u32).unwrap();
    assert_eq!(view.live, 0b101);
}

#[test]
fn erasure_removes_dead_block() {
    let store = quiet_store();
    create(&store, "c1");
    let per_block = block::slots_per_block(DIMENSION as u32, SlotEncoding::F32) as usize;
    import(
        &store,
        "c1",
        (0..per_block + 1).map(|index| (index, MARKER)),
    );
    delete(&store, "c1", 0..per_block);

    assert_eq!(store.erase_deleted_embeddings().unwrap(), per_block as u64);
    let stored = blocks(&store);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0, (1, 1));
    assert_eq!(store.erase_deleted_embeddings().unwrap(), 0);
}

#[test]
fn erased_embedding_absent_after_reopen() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("faces.redb");
    let marker = -98_765.43_f32;
    {
        let store = Store::builder()
            .erasure_delay(Duration::from_secs(3600))
            .max_erasure_delay(Duration::from_secs(3600))
            .open(&path)
            .unwrap();
        create(&store, "c1");
        import(&store, "c1", [(0, MARKER), (1, marker)]);
        assert!(contains_float(&std::fs::read(&path).unwrap(), marker + 1.0));
        delete(&store, "c1", [1]);
        store.erase_deleted_embeddings().unwrap();
        // A second commit lets redb reuse the pages that the erasure freed.
        import(&store, "c1", [(2, MARKER)]);
        store.erase_deleted_embeddings().unwrap();
    }
    // redb may keep a freed page's old bytes until it reuses the page, so the check is on
    // the live tables, and the file is checked only for the old value in a live block.
    let store = Store::open(&path).unwrap();
    for (_, value) in blocks(&store) {
        assert!(!contains_float(&value, marker + 1.0));
    }
}

#[test]
fn background_eraser_drains_pending() {
    let store = Store::builder()
        .erasure_delay(Duration::from_millis(10))
        .open_in_memory()
        .unwrap();
    create(&store, "c1");
    import(&store, "c1", (0..3).map(|index| (index, MARKER)));
    delete(&store, "c1", [0, 2]);

    // Bounded wait: the eraser runs 10 ms after the commit; 500 checks 10 ms apart give it
    // five seconds on a loaded machine.
    for _ in 0..500 {
        if pending_count(&store) == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(pending_count(&store), 0);
    let stored = blocks(&store);
    assert_eq!(stored.len(), 1);
    assert!(!contains_float(&stored[0].1, MARKER));
    assert!(contains_float(&stored[0].1, MARKER + 1.0));
}

#[test]
fn max_delay_bounds_busy_store() {
    // The idle delay never passes, so only the maximum delay starts the pass.
    let store = Store::builder()
        .erasure_delay(Duration::from_secs(3600))
        .max_erasure_delay(Duration::from_millis(10))
        .open_in_memory()
        .unwrap();
    create(&store, "c1");
    import(&store, "c1", (0..3).map(|index| (index, MARKER)));
    delete(&store, "c1", [1]);

    // Bounded wait, as in background_eraser_drains_pending.
    for _ in 0..500 {
        if pending_count(&store) == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(pending_count(&store), 0);
}

#[test]
fn drop_runs_final_pass() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("faces.redb");
    {
        let store = Store::builder()
            .erasure_delay(Duration::from_secs(3600))
            .max_erasure_delay(Duration::from_secs(3600))
            .open(&path)
            .unwrap();
        create(&store, "c1");
        import(&store, "c1", (0..3).map(|index| (index, MARKER)));
        delete(&store, "c1", [1]);
        assert_eq!(pending_count(&store), 1);
    }
    let store = Store::builder()
        .erasure_delay(Duration::from_secs(3600))
        .max_erasure_delay(Duration::from_secs(3600))
        .open(&path)
        .unwrap();
    assert_eq!(pending_count(&store), 0);
    assert!(!contains_float(&blocks(&store)[0].1, MARKER + 1.0));
}

#[test]
fn deleted_face_never_returned() {
    let store = quiet_store();
    create(&store, "c1");
    import(&store, "c1", (0..3).map(|index| (index, MARKER)));
    delete(&store, "c1", [1]);

    let listed = store
        .list_faces(&ListFacesRequest {
            collection_id: "c1".into(),
            ..ListFacesRequest::default()
        })
        .unwrap();
    let ids: Vec<_> = listed
        .faces
        .iter()
        .map(|face| face.face_id.clone())
        .collect();
    assert_eq!(ids, [face_id(0), face_id(2)]);

    store
        .create_user(&CreateUserRequest {
            collection_id: "c1".into(),
            user_id: "u1".into(),
            client_request_token: None,
        })
        .unwrap();
    let response = store
        .associate_faces(&AssociateFacesRequest {
            collection_id: "c1".into(),
            user_id: "u1".into(),
            face_ids: vec![face_id(1)],
            user_match_threshold: None,
            client_request_token: None,
        })
        .unwrap();
    assert_eq!(
        response.unsuccessful_face_associations[0].reasons,
        [UnsuccessfulFaceAssociationReason::FaceNotFound]
    );

    // Importing the same ID again stores a new face with a new slot, not the pending one.
    import(&store, "c1", [(1, -MARKER)]);
    store.erase_deleted_embeddings().unwrap();
    let stored = blocks(&store);
    assert!(
        stored
            .iter()
            .any(|(_, value)| contains_float(value, 1.0 - MARKER))
    );
}

#[test]
fn low_match_reads_embedding_from_block() {
    let store = quiet_store();
    create(&store, "c1");
    let mut opposite = vec![0.0; DIMENSION];
    opposite[0] = -1.0;
    let mut same = vec![0.0; DIMENSION];
    same[0] = 1.0;
    import_embeddings(
        &store,
        "c1",
        [same.clone(), same, opposite].into_iter().enumerate(),
    );
    store
        .create_user(&CreateUserRequest {
            collection_id: "c1".into(),
            user_id: "u1".into(),
            client_request_token: None,
        })
        .unwrap();
    let associate = |index: u128| {
        store
            .associate_faces(&AssociateFacesRequest {
                collection_id: "c1".into(),
                user_id: "u1".into(),
                face_ids: vec![face_id(index)],
                user_match_threshold: None,
                client_request_token: None,
            })
            .unwrap()
    };
    assert_eq!(associate(0).associated_faces.len(), 1);
    assert_eq!(associate(1).associated_faces.len(), 1);
    let low = associate(2);
    assert_eq!(
        low.unsuccessful_face_associations[0].reasons,
        [UnsuccessfulFaceAssociationReason::LowMatchConfidence]
    );
}

#[test]
fn reimport_with_other_embedding_is_rejected() {
    let store = quiet_store();
    create(&store, "c1");
    import(&store, "c1", [(0, MARKER)]);
    // The same record and embedding are skipped, also within one request.
    import(&store, "c1", [(0, MARKER), (1, MARKER), (1, MARKER)]);

    let error = store
        .import_faces(&ImportFacesRequest {
            collection_id: "c1".into(),
            faces: vec![FaceInput {
                face_id: Some(face_id(0)),
                embedding: Some(embedding(0, -MARKER)),
                ..FaceInput::default()
            }],
        })
        .unwrap_err();
    assert!(error.to_string().contains("different record"), "{error}");
}

#[test]
fn delete_collection_removes_blocks_and_pending() {
    let store = quiet_store();
    create(&store, "c1");
    create(&store, "c2");
    import(&store, "c1", (0..10).map(|index| (index, MARKER)));
    import(&store, "c2", [(0, MARKER)]);
    delete(&store, "c1", [3]);

    store
        .delete_collection(&DeleteCollectionRequest {
            collection_id: "c1".into(),
        })
        .unwrap();
    assert_eq!(pending_count(&store), 0);
    let stored = blocks(&store);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0.0, 2);
}

#[test]
fn version_1_face_reads_and_migrates() {
    let store = quiet_store();
    create(&store, "c1");
    // Version 2 faces fix the collection's dimension, as the older build did, and their
    // count covers the old face inserted below without updating the collection record.
    import(&store, "c1", [(0, MARKER), (5, MARKER)]);
    let old = FaceRecord {
        image_id: 9,
        bounding_box: None,
        external_image_id: Some("old".into()),
        confidence: None,
        index_faces_model_version: None,
        user_id: None,
        embedding: None,
    };
    let old_key = 0x2222_2222_0000_4000_8000_0000_0000_0001_u128;
    let transaction = store.database.begin_write().unwrap();
    transaction
        .open_table(FACES_TABLE)
        .unwrap()
        .insert(
            (1, old_key),
            record::encode_face_v1(&old, Some(&embedding(0, MARKER))).as_slice(),
        )
        .unwrap();
    transaction.commit().unwrap();

    let listed = store
        .list_faces(&ListFacesRequest {
            collection_id: "c1".into(),
            ..ListFacesRequest::default()
        })
        .unwrap();
    assert_eq!(listed.faces.len(), 3);
    assert_eq!(listed.faces[2].external_image_id.as_deref(), Some("old"));

    store
        .create_user(&CreateUserRequest {
            collection_id: "c1".into(),
            user_id: "u1".into(),
            client_request_token: None,
        })
        .unwrap();
    for face in [face_id(0), format_face_id(old_key)] {
        let response = store
            .associate_faces(&AssociateFacesRequest {
                collection_id: "c1".into(),
                user_id: "u1".into(),
                face_ids: vec![face],
                user_match_threshold: Some(99.0),
                client_request_token: None,
            })
            .unwrap();
        assert_eq!(response.associated_faces.len(), 1, "{response:?}");
    }
    store
        .disassociate_faces(&DisassociateFacesRequest {
            collection_id: "c1".into(),
            user_id: "u1".into(),
            face_ids: vec![face_id(0), format_face_id(old_key)],
            client_request_token: None,
        })
        .unwrap();

    // The association rewrote the old face as version 2 with its embedding in a block.
    let transaction = store.database.begin_read().unwrap();
    let faces = transaction.open_table(FACES_TABLE).unwrap();
    let value = faces.get((1, old_key)).unwrap().unwrap();
    assert_eq!(value.value()[0], 2);
    let stored = record::decode_face(value.value()).unwrap();
    assert!(stored.record.embedding.is_some());
    drop(value);
    drop(faces);
    drop(transaction);

    delete(&store, "c1", [0]);
    store
        .delete_faces(&DeleteFacesRequest {
            collection_id: "c1".into(),
            face_ids: vec![format_face_id(old_key)],
        })
        .unwrap();
    assert_eq!(store.erase_deleted_embeddings().unwrap(), 2);
    assert_eq!(pending_count(&store), 0);
}

/// Returns a 512-float embedding of values below 1 in magnitude, distinct per face, as a
/// normalized face embedding is.
fn normalized_embedding(index: usize) -> Vec<f32> {
    (0..512)
        .map(|position| {
            #[expect(clippy::cast_precision_loss, reason = "test indices are small")]
            let value = ((index * 512 + position) % 1999) as f32 / 1999.0;
            if position % 2 == 0 { value } else { -value }
        })
        .collect()
}

/// Returns the embedding that face `index` of collection number 1 names, read from its block.
fn stored_embedding(store: &Store, index: usize) -> Vec<f32> {
    let transaction = store.database.begin_read().unwrap();
    let faces = transaction.open_table(FACES_TABLE).unwrap();
    let value = faces.get((1, face_id_key(index))).unwrap().unwrap();
    let (_, slot) = record::face_user_and_slot(value.value()).unwrap();
    let slot = slot.unwrap();
    let blocks = transaction.open_table(EMBEDDING_BLOCKS_TABLE).unwrap();
    let block = blocks.get((1, slot.block)).unwrap().unwrap();
    block::slot_embedding(block.value(), 512, slot.slot).unwrap()
}

fn face_id_key(index: usize) -> u128 {
    0x1111_1111_0000_4000_8000_0000_0000_0000 + index as u128
}

fn encodings(store: &Store) -> Vec<(u64, SlotEncoding, usize)> {
    blocks(store)
        .iter()
        .map(|((_, number), value)| {
            let view = block::split(value, 512).unwrap();
            (*number, view.encoding, view.slot_count())
        })
        .collect()
}

#[test]
fn normalized_embeddings_pack_two_per_block() {
    let store = quiet_store();
    create(&store, "c1");
    import_embeddings(
        &store,
        "c1",
        (0..5).map(|index| (index, normalized_embedding(index))),
    );

    let packed = SlotEncoding::Packed31;
    assert_eq!(
        encodings(&store),
        [(0, packed, 2), (1, packed, 2), (2, packed, 1)]
    );
    for index in 0..5 {
        let bits = |values: &[f32]| {
            values
                .iter()
                .map(|value| value.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            bits(&stored_embedding(&store, index)),
            bits(&normalized_embedding(index))
        );
    }
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn encoding_change_starts_new_block() {
    let store = quiet_store();
    create(&store, "c1");
    let large = vec![MARKER; 512];
    import_embeddings(
        &store,
        "c1",
        [
            (0, normalized_embedding(0)),
            (1, large.clone()),
            (2, normalized_embedding(2)),
            (3, normalized_embedding(3)),
        ],
    );

    let packed = SlotEncoding::Packed31;
    assert_eq!(
        encodings(&store),
        [(0, packed, 1), (1, SlotEncoding::F32, 1), (2, packed, 2)]
    );
    assert_eq!(stored_embedding(&store, 1), large);
    assert_eq!(stored_embedding(&store, 3), normalized_embedding(3));
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn packed_erasure_zeroes_slot() {
    let store = quiet_store();
    create(&store, "c1");
    import_embeddings(
        &store,
        "c1",
        (0..2).map(|index| (index, normalized_embedding(index))),
    );
    delete(&store, "c1", [0]);

    assert_eq!(store.erase_deleted_embeddings().unwrap(), 1);
    let stored = blocks(&store);
    assert_eq!(stored.len(), 1);
    let view = block::split(&stored[0].1, 512).unwrap();
    assert_eq!(view.live, 0b10);
    let slot_size = SlotEncoding::Packed31.slot_bytes(512);
    assert!(view.slots[..slot_size].iter().all(|byte| *byte == 0));
    assert_eq!(stored_embedding(&store, 1), normalized_embedding(1));
    assert!(store.check().unwrap().is_ok());
}
