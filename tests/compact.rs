//! Store::compact: the file shrinks after a mass deletion, the data and the background
//! eraser survive it, and a process killed during compaction leaves a file that opens with
//! the same data.
//!
//! `FACESTORE_COMPACT_KILLS` sets the number of kills of a compacting child process
//! (default 12). The child is this test binary run again with `FACESTORE_COMPACT_CHILD_DB`.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{
    TestResult, all_face_ids, call, create_collection, face_id, face_with_embedding, import,
    snapshot,
};
use facestore::Store;
use serde_json::json;

const FACES: u32 = 3000;

const CHILD_DB_VARIABLE: &str = "FACESTORE_COMPACT_CHILD_DB";
const CHILD_TEST_NAME: &str = "compact_child_process";
const DEFAULT_KILLS: u32 = 12;

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

/// Compacts the database that the parent names; does nothing in a normal test run.
#[test]
fn compact_child_process() -> TestResult {
    let Ok(path) = std::env::var(CHILD_DB_VARIABLE) else {
        return Ok(());
    };
    let mut store = Store::open(&path)?;
    store.compact()?;
    Ok(())
}

#[test]
fn kill_during_compaction_keeps_data() -> TestResult {
    let kills = std::env::var("FACESTORE_COMPACT_KILLS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(DEFAULT_KILLS);
    let directory = tempfile::tempdir()?;
    let path = directory.path().join("faces.redb");
    let mut surviving_faces = 0;

    for kill in 0..kills {
        // Each round stores 600 faces and deletes 500, so every compaction has pages to move.
        let expected = {
            let store = Store::open(&path)?;
            if kill == 0 {
                create_collection(&store, "c1");
            }
            let faces = (0..600)
                .map(|offset| {
                    let index = kill * 600 + offset;
                    face_with_embedding(&face_id(index), &embedding(index))
                })
                .collect();
            import(&store, "c1", faces);
            let doomed: Vec<String> = (100..600)
                .map(|offset| face_id(kill * 600 + offset))
                .collect();
            delete(&store, &doomed)?;
            surviving_faces += 100;
            snapshot(&store)?
        };

        let started = Instant::now();
        let mut child = Command::new(std::env::current_exe()?)
            .args([CHILD_TEST_NAME, "--exact", "--test-threads=1"])
            .env(CHILD_DB_VARIABLE, &path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        // Kill times from 5 ms to about 120 ms after the start cover the open, the erasure
        // pass and the compaction's commits.
        std::thread::sleep(Duration::from_millis(5 + u64::from(kill) * 10));
        child.kill().ok();
        child.wait()?;

        let store = Store::open(&path)?;
        let report = store.check()?;
        assert!(
            report.is_ok(),
            "kill {kill} after {:?}: {report}",
            started.elapsed()
        );
        assert_eq!(snapshot(&store)?, expected, "kill {kill}");
        assert_eq!(
            all_face_ids(&store, "c1")?.len(),
            surviving_faces,
            "kill {kill}"
        );
    }
    Ok(())
}
