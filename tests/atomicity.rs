//! All-or-nothing DeleteFaces on a storage backend that fails on command.
//!
//! [`FailingBackend`] wraps an in-memory redb backend and, once armed, fails the N-th `write`
//! or `sync_data` call and every later call of that kind until it is disarmed. Each test
//! populates a store, takes a snapshot of everything the API shows, fails a large DeleteFaces
//! somewhere inside its commit, and checks that the call reports `InternalServerError` and
//! that the state is the snapshot, on the same store and on a new store opened over the same
//! bytes. The one exception is a failed final sync, after which the bytes may hold the whole
//! new commit.

mod common;

use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use common::{TestResult, associate, call, create_user, face, face_id, import, snapshot};
use facestore::Store;
use redb::backends::InMemoryBackend;
use redb::{BackendError, StorageBackend};
use serde_json::{Value, json};

/// The backend calls that a [`Fault`] can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Write,
    SyncData,
}

/// The shared switch of a [`FailingBackend`]: which call fails, counted from arming.
#[derive(Debug, Default)]
struct Fault {
    armed: AtomicBool,
    /// True to fail writes, false to fail `sync_data`.
    on_write: AtomicBool,
    /// Calls of the armed kind seen since arming.
    seen: AtomicU64,
    /// The 1-based call number that fails first.
    fail_at: AtomicU64,
    /// Calls failed since arming.
    failed: AtomicU64,
}

impl Fault {
    /// Fails the `n`-th call of `kind` from now on, and every later one.
    fn arm(&self, kind: Call, n: u64) {
        self.on_write.store(kind == Call::Write, Ordering::SeqCst);
        self.seen.store(0, Ordering::SeqCst);
        self.failed.store(0, Ordering::SeqCst);
        self.fail_at.store(n, Ordering::SeqCst);
        self.armed.store(true, Ordering::SeqCst);
    }

    /// Counts calls of `kind` without failing any.
    fn count(&self, kind: Call) {
        self.arm(kind, u64::MAX);
    }

    fn disarm(&self) {
        self.armed.store(false, Ordering::SeqCst);
    }

    fn seen(&self) -> u64 {
        self.seen.load(Ordering::SeqCst)
    }

    fn failed(&self) -> u64 {
        self.failed.load(Ordering::SeqCst)
    }

    /// Returns an error when this call of `kind` has to fail.
    fn check(&self, kind: Call) -> Result<(), BackendError> {
        if !self.armed.load(Ordering::SeqCst)
            || self.on_write.load(Ordering::SeqCst) != (kind == Call::Write)
        {
            return Ok(());
        }
        let number = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        if number < self.fail_at.load(Ordering::SeqCst) {
            return Ok(());
        }
        self.failed.fetch_add(1, Ordering::SeqCst);
        Err(BackendError::Io(std::io::Error::other(format!(
            "injected failure of {kind:?} call {number}"
        ))))
    }
}

/// An in-memory backend whose writes or syncs fail while its [`Fault`] is armed. The bytes
/// live in an `Arc`, so a second store can open them after the first is dropped.
#[derive(Debug)]
struct FailingBackend {
    bytes: Arc<InMemoryBackend>,
    fault: Arc<Fault>,
}

impl StorageBackend for FailingBackend {
    fn len(&self) -> Result<u64, BackendError> {
        self.bytes.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), BackendError> {
        self.bytes.read(offset, out)
    }

    fn set_len(&self, len: u64) -> Result<(), BackendError> {
        self.bytes.set_len(len)
    }

    fn sync_data(&self) -> Result<(), BackendError> {
        self.fault.check(Call::SyncData)?;
        self.bytes.sync_data()
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), BackendError> {
        self.fault.check(Call::Write)?;
        self.bytes.write(offset, data)
    }

    fn close(&self) -> Result<(), BackendError> {
        self.bytes.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.bytes.try_lock_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.bytes.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.bytes.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.bytes.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.bytes.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.bytes.query_lock_range(start, end)
    }
}

/// Opens a store over `bytes` with a fresh, disarmed fault switch.
fn open(bytes: &Arc<InMemoryBackend>) -> (Store, Arc<Fault>) {
    let fault = Arc::new(Fault::default());
    let backend = FailingBackend {
        bytes: Arc::clone(bytes),
        fault: Arc::clone(&fault),
    };
    let store = Store::builder()
        .open_with_backend(backend)
        .expect("the store opens over the shared bytes");
    (store, fault)
}

/// Number of faces in the large collection: the 4096 of the request plus some it leaves.
const FACES: u32 = 4200;

/// Replaces the content of `target` with that of `source`.
fn copy_bytes(
    source: &InMemoryBackend,
    target: &InMemoryBackend,
) -> Result<(), Box<dyn std::error::Error>> {
    let length = source.len()?;
    let mut content = vec![0; usize::try_from(length)?];
    source.read(0, &mut content)?;
    target.set_len(length)?;
    target.write(0, &content)?;
    Ok(())
}

/// Returns a new in-memory backend holding the same bytes as `bytes`.
fn copy_of(bytes: &InMemoryBackend) -> Result<Arc<InMemoryBackend>, Box<dyn std::error::Error>> {
    let copy = Arc::new(InMemoryBackend::new());
    copy_bytes(bytes, &copy)?;
    Ok(copy)
}

/// Fills two collections with faces, users, associations and tags, and returns the 4096 IDs
/// of the large DeleteFaces request.
fn populate(store: &Store) -> Vec<String> {
    call(
        store,
        "CreateCollection",
        json!({"CollectionId": "big", "Tags": {"team": "vision"}}),
    )
    .expect("CreateCollection succeeds");
    let ids: Vec<String> = (1..=FACES).map(face_id).collect();
    import(store, "big", ids.iter().map(|id| face(id)).collect());
    create_user(store, "big", "alice");
    let alice: Vec<&str> = ids[..40].iter().step_by(4).map(String::as_str).collect();
    associate(store, "big", "alice", &alice);
    create_user(store, "big", "bob");

    call(store, "CreateCollection", json!({"CollectionId": "small"}))
        .expect("CreateCollection succeeds");
    import(
        store,
        "small",
        (1..=20).map(|n| face(&face_id(n))).collect(),
    );

    ids[..4096].to_vec()
}

/// Returns the face count of each collection in a snapshot, short enough for a message.
fn summary(state: &Value) -> String {
    state
        .as_object()
        .map(|collections| {
            collections
                .iter()
                .map(|(id, collection)| {
                    format!("{id}: {} faces", collection["describe"]["FaceCount"])
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn delete_request(face_ids: &[String]) -> Value {
    json!({"CollectionId": "big", "FaceIds": face_ids})
}

/// Returns the call numbers to fail for a commit that makes `total` calls: each of them when
/// there are few, else the first, some in the middle and the last.
fn failure_points(total: u64) -> Vec<u64> {
    if total <= 32 {
        return (1..=total).collect();
    }
    let mut points = vec![1, 2, total / 4, total / 2, total * 3 / 4, total - 1, total];
    points.retain(|point| (1..=total).contains(point));
    points.sort_unstable();
    points.dedup();
    points
}

/// Fails the large DeleteFaces at each point of `failure_points` for calls of `kind`, and
/// checks after each that the store shows the snapshot taken before, or for a failed sync
/// possibly the whole state after the call.
fn check_failures_leave_snapshot(kind: Call) -> TestResult {
    let bytes = Arc::new(InMemoryBackend::new());
    let (store, _) = open(&bytes);
    let request_ids = populate(&store);
    let before = snapshot(&store)?;
    drop(store);

    let pristine = copy_of(&bytes)?;

    // The same delete on a copy of the bytes tells how many calls its commit makes, and
    // what the state is once it succeeds.
    let (total, after) = {
        let (counting, counter) = open(&copy_of(&bytes)?);
        counter.count(kind);
        call(&counting, "DeleteFaces", delete_request(&request_ids))?;
        counter.disarm();
        (counter.seen(), snapshot(&counting)?)
    };
    assert!(total > 0, "the delete made no {kind:?} call");

    let (mut store, mut fault) = open(&bytes);
    for point in failure_points(total) {
        let context = format!("{kind:?} call {point} of {total}");
        fault.arm(kind, point);
        let outcome = call(&store, "DeleteFaces", delete_request(&request_ids));
        fault.disarm();

        assert!(fault.failed() > 0, "{context}: no call failed");
        let error = match outcome {
            Ok(response) => panic!("{context}: DeleteFaces succeeded: {response:.200}"),
            Err(error) => error,
        };
        assert_eq!(error.exception_name(), "InternalServerError", "{context}");
        assert!(error.is_internal(), "{context}");

        // redb refuses every later operation on a database whose I/O failed, so the same
        // store either still shows the snapshot or reports InternalServerError.
        // The failed commit is rolled back in the open database, so it still reads the old
        // state.
        let same = snapshot(&store)?;
        assert!(
            same == before,
            "{context}: same store shows {}",
            summary(&same)
        );

        drop(store);
        (store, fault) = open(&bytes);
        let reopened = snapshot(&store)?;
        match kind {
            Call::Write => assert!(
                reopened == before,
                "{context}: reopened store shows {}",
                summary(&reopened)
            ),
            // A failing sync may come after the commit's header was written, and then the
            // bytes hold the new commit although the call failed: the outcome of a failed
            // fsync is unknown on a real disk too. Either whole state is correct, and a
            // retry of the call reports the deleted faces as FACE_NOT_FOUND.
            Call::SyncData => assert!(
                reopened == before || reopened == after,
                "{context}: reopened store shows {}",
                summary(&reopened)
            ),
        }
        if reopened != before {
            // Put the old state back so that the next failure point starts from it.
            drop(store);
            copy_bytes(&pristine, &bytes)?;
            (store, fault) = open(&bytes);
            assert!(snapshot(&store)? == before, "{context}: restored store");
        }
    }

    let response = call(&store, "DeleteFaces", delete_request(&request_ids))?;
    let unsuccessful = response["UnsuccessfulFaceDeletions"]
        .as_array()
        .ok_or("no UnsuccessfulFaceDeletions")?;
    assert_eq!(unsuccessful.len(), 10);
    let described = call(&store, "DescribeCollection", json!({"CollectionId": "big"}))?;
    assert_eq!(described["FaceCount"], json!(u64::from(FACES) - 4096 + 10));
    Ok(())
}

#[test]
fn failed_write_leaves_snapshot() -> TestResult {
    check_failures_leave_snapshot(Call::Write)
}

#[test]
fn failed_sync_leaves_whole_state() -> TestResult {
    check_failures_leave_snapshot(Call::SyncData)
}

#[test]
fn disarmed_backend_passes_through() -> TestResult {
    let bytes = Arc::new(InMemoryBackend::new());
    let (store, fault) = open(&bytes);
    let request_ids = populate(&store);

    fault.count(Call::Write);
    let response = call(&store, "DeleteFaces", delete_request(&request_ids[..100]))?;
    fault.disarm();

    assert!(fault.seen() > 0);
    assert_eq!(fault.failed(), 0);
    let deleted = response["DeletedFaces"]
        .as_array()
        .ok_or("no DeletedFaces")?;
    assert_eq!(deleted.len(), 90);
    drop(store);

    let (store, _) = open(&bytes);
    let described = call(&store, "DescribeCollection", json!({"CollectionId": "big"}))?;
    assert_eq!(described["FaceCount"], json!(u64::from(FACES) - 90));
    Ok(())
}
