//! Store::compact: the file shrinks after a mass deletion, and the data and the background
//! eraser survive it.

mod common;

use std::time::Duration;

use common::{
    TestResult, all_face_ids, call, create_collection, face_id, face_with_embedding, import,
    snapshot,
};
use facestore::Store;
use serde_json::json;

const FACES: u32 = 3000;

/// Returns a 512-float embedding of values below 1 in magnitude, distinct per face.
fn embedding(index: u32) -> Vec<f32> {
    (0..512_u32)
        .map(|position| {
            let value = f64::from((index * 512 + position) % 997) / 997.0;
            #[expect(clippy::cast_possible_truncation, reason = "values are below 1")]
            let value = value as f32;
            value - 0.5
        })
        .collect()
}

fn delete(store: &Store, face_ids: &[String]) -> TestResult {
    for chunk in face_ids.chunks(4096) {
        call(
            store,
            "DeleteFaces",
            json!({"CollectionId": "c1", "FaceIds": chunk}),
        )?;
    }
    Ok(())
}

#[test]
fn compact_shrinks_file_after_deletion() -> TestResult {
    let directory = tempfile::tempdir()?;
    let path = directory.path().join("faces.redb");
    let mut store = Store::open(&path)?;
    create_collection(&store, "c1");
    let faces = (0..FACES)
        .map(|index| face_with_embedding(&face_id(index), &embedding(index)))
        .collect();
    import(&store, "c1", faces);
    let ids = all_face_ids(&store, "c1")?;
    delete(&store, &ids[100..])?;
    let before_compaction = snapshot(&store)?;
    let length_before = std::fs::metadata(&path)?.len();

    assert!(store.compact()?);

    let length_after = std::fs::metadata(&path)?.len();
    assert!(
        length_after * 2 < length_before,
        "{length_before} bytes before, {length_after} after"
    );
    assert_eq!(snapshot(&store)?, before_compaction);
    let report = store.check()?;
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.pending_erasures, 0);
    drop(store);

    let store = Store::open(&path)?;
    assert_eq!(snapshot(&store)?, before_compaction);
    Ok(())
}

#[test]
fn eraser_runs_after_compaction() -> TestResult {
    let directory = tempfile::tempdir()?;
    let mut store = Store::builder()
        .erasure_delay(Duration::from_millis(10))
        .max_erasure_delay(Duration::from_millis(10))
        .open(directory.path().join("faces.redb"))?;
    create_collection(&store, "c1");
    let faces = (0..10)
        .map(|index| face_with_embedding(&face_id(index), &embedding(index)))
        .collect();
    import(&store, "c1", faces);
    store.compact()?;

    let ids = all_face_ids(&store, "c1")?;
    delete(&store, &ids[..5])?;
    // Bounded wait: the pass starts 10 ms after the commit; 500 checks 10 ms apart give it
    // five seconds on a loaded machine.
    for _ in 0..500 {
        if store.check()?.pending_erasures == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(store.check()?.pending_erasures, 0);
    Ok(())
}
