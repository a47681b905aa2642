//! Workload and storage engines shared by the criterion benchmarks and the comparison runner.
//!
//! Every engine stores the same deterministic dataset: faces with a 16-byte ID, a metadata
//! record of about 120 bytes and a 512-float embedding, 5% of them associated with a user.
//! A DeleteFaces call is one durable transaction that deletes the unassociated faces among the
//! requested IDs with their embeddings, reports the missing and associated ones, and updates
//! the collection's face counter once.

#![allow(dead_code)]

pub mod engines;
pub mod plot;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub use engines::{Engine, open_engine};

/// Number of floats in every embedding.
pub const EMBEDDING_DIMENSION: usize = 512;

/// Collection that every engine stores the dataset in.
pub const COLLECTION_ID: &str = "bench";

/// Faces per import transaction when loading a dataset.
pub const IMPORT_BATCH: usize = 10_000;

/// Engine names in the order tables list them.
pub const ENGINE_NAMES: [&str; 5] = ["facestore", "redb-floor", "redb-2table", "lmdb", "sqlite"];

/// One step of the SplitMix64 generator: a cheap, well-mixed hash of `state`.
pub fn splitmix64(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A random-looking version 4 UUID derived from `seed` and `index`.
fn uuid_from(seed: u64, index: u64) -> u128 {
    let high = splitmix64(seed ^ index.wrapping_mul(2));
    let low = splitmix64(seed ^ index.wrapping_mul(2).wrapping_add(1));
    let raw = (u128::from(high) << 64) | u128::from(low);
    // Version 4 and the RFC 4122 variant, as IndexFaces generates them.
    (raw & !(0xf_u128 << 76) & !(0x3_u128 << 62)) | (0x4_u128 << 76) | (0x2_u128 << 62)
}

/// The metadata of one face, as each engine stores it.
#[derive(Debug, Clone)]
pub struct FaceMeta {
    pub image_id: u128,
    /// Width, height, left and top.
    pub bounding_box: [f64; 4],
    pub external_image_id: String,
    pub confidence: f64,
    pub user_id: Option<String>,
}

impl FaceMeta {
    /// Encodes the record that the peer engines store: user ID length and bytes first, so a
    /// delete can read the association without parsing the rest.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(128);
        let user = self.user_id.as_deref().unwrap_or("");
        bytes.push(u8::try_from(user.len()).expect("user IDs are short"));
        bytes.extend_from_slice(user.as_bytes());
        bytes.extend_from_slice(&self.image_id.to_be_bytes());
        for value in self.bounding_box {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        bytes.extend_from_slice(&self.confidence.to_le_bytes());
        bytes.push(u8::try_from(self.external_image_id.len()).expect("external IDs are short"));
        bytes.extend_from_slice(self.external_image_id.as_bytes());
        bytes.push(3);
        bytes.extend_from_slice(b"7.0");
        bytes
    }
}

/// Returns the user ID stored at the start of a peer record, if any.
pub fn peer_record_user(bytes: &[u8]) -> Option<&[u8]> {
    let length = usize::from(*bytes.first()?);
    (length > 0).then(|| &bytes[1..=length])
}

/// The deterministic dataset: face `index` always has the same ID, record and embedding.
#[derive(Debug, Clone, Copy)]
pub struct Dataset {
    /// Number of faces loaded into each engine.
    pub faces: usize,
}

impl Dataset {
    /// ID of face `index`.
    pub fn face_id(index: usize) -> u128 {
        uuid_from(0x00fa_ce00, index as u64)
    }

    /// The `index`-th ID that no engine ever stores.
    pub fn missing_id(index: usize) -> u128 {
        uuid_from(0x0bad_f00d, index as u64)
    }

    /// Whether face `index` is associated with a user: one face in 20.
    pub fn is_associated(index: usize) -> bool {
        index % 20 == 7
    }

    /// Metadata of face `index`. Users get 50 faces each, below the limit of 100.
    pub fn meta(index: usize) -> FaceMeta {
        let hash = splitmix64(index as u64 ^ 0x5eed);
        let fraction = |shift: u32| f64::from(((hash >> shift) & 0xffff) as u32) / 65536.0;
        FaceMeta {
            image_id: uuid_from(0x01_1a6e_u64, (index / 3) as u64),
            bounding_box: [
                0.1 + fraction(0) * 0.3,
                0.1 + fraction(16) * 0.3,
                fraction(32) * 0.5,
                fraction(48) * 0.5,
            ],
            external_image_id: format!(
                "camera-{:03}_2024-06-15T10-{:02}-{:02}_frame-{index:010}.jpg",
                index % 997,
                (index / 60) % 60,
                index % 60
            ),
            confidence: 90.0 + fraction(8) * 9.99,
            user_id: Self::is_associated(index).then(|| format!("user-{:07}", index / 1000)),
        }
    }

    /// Writes the embedding of face `index` into `out`: values in [-1, 1).
    pub fn embedding(index: usize, out: &mut Vec<f32>) {
        out.clear();
        let mut state = index as u64 ^ 0xe4b3_dd16;
        for _ in 0..EMBEDDING_DIMENSION {
            state = splitmix64(state);
            out.push(((state >> 40) as f32 / 16_777_216.0) * 2.0 - 1.0);
        }
    }

    /// Indices of the faces that a DeleteFaces call may delete, in a fixed shuffled order.
    pub fn deletable(&self) -> Vec<usize> {
        let mut indices: Vec<usize> = (0..self.faces)
            .filter(|index| !Self::is_associated(*index))
            .collect();
        shuffle(&mut indices, 0xdec0de);
        indices
    }

    /// Indices of the associated faces.
    pub fn associated(&self) -> Vec<usize> {
        (0..self.faces)
            .filter(|index| Self::is_associated(*index))
            .collect()
    }
}

/// Fisher-Yates shuffle driven by SplitMix64.
pub fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    for i in (1..items.len()).rev() {
        state = splitmix64(state);
        let j = (state % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// One DeleteFaces request: the IDs in request order and how many of them must be deleted.
#[derive(Debug, Clone)]
pub struct DeleteCall {
    pub ids: Vec<u128>,
    /// Indices of the faces that the call deletes.
    pub fresh: Vec<usize>,
    /// Indices of the associated faces among the IDs.
    pub associated: Vec<usize>,
}

/// Picks the IDs of DeleteFaces calls so that each call deletes faces that exist, and puts
/// deleted faces back (outside any timing) so that the collection stays within 5% of its
/// loaded size.
#[derive(Debug)]
pub struct Workload {
    dataset: Dataset,
    /// Stored, unassociated faces, in the order calls take them.
    stored: VecDeque<usize>,
    associated: Vec<usize>,
    /// Faces deleted and not yet put back.
    deleted: Vec<usize>,
    /// Associated faces that an engine without association checks removed.
    removed_associated: Vec<usize>,
    next_missing: usize,
    state: u64,
}

impl Workload {
    /// Starts a workload over a freshly loaded `dataset`.
    pub fn new(dataset: Dataset) -> Self {
        Self {
            dataset,
            stored: dataset.deletable().into(),
            associated: dataset.associated(),
            deleted: Vec::new(),
            removed_associated: Vec::new(),
            next_missing: 0,
            state: 0x5757,
        }
    }

    /// Builds a call of `count` IDs: about 2% missing, 5% associated, the rest stored and
    /// unassociated, shuffled.
    pub fn next_call(&mut self, count: usize) -> DeleteCall {
        let missing = count * 2 / 100;
        let associated = (count * 5 / 100).min(self.associated.len());
        let fresh_count = count - missing - associated;
        assert!(
            self.stored.len() >= fresh_count,
            "only {} deletable faces are stored; load more faces",
            self.stored.len()
        );
        let fresh: Vec<usize> = self.stored.drain(..fresh_count).collect();
        let mut ids: Vec<u128> = fresh.iter().map(|index| Dataset::face_id(*index)).collect();
        for _ in 0..missing {
            ids.push(Dataset::missing_id(self.next_missing));
            self.next_missing += 1;
        }
        let mut picked = Vec::with_capacity(associated);
        for _ in 0..associated {
            self.state = splitmix64(self.state);
            let pick = self.associated[(self.state % self.associated.len() as u64) as usize];
            if !picked.contains(&pick) {
                picked.push(pick);
                ids.push(Dataset::face_id(pick));
            }
        }
        self.state = splitmix64(self.state);
        shuffle(&mut ids, self.state);
        DeleteCall {
            ids,
            fresh,
            associated: picked,
        }
    }

    /// Records a finished call and puts deleted faces back once 5% of the collection is gone.
    pub fn finish_call(&mut self, call: DeleteCall, engine: &mut dyn Engine) {
        self.deleted.extend(call.fresh);
        if !engine.checks_association() {
            for index in call.associated {
                if !self.removed_associated.contains(&index) {
                    self.removed_associated.push(index);
                }
            }
        }
        if self.deleted.len() * 20 >= self.dataset.faces {
            self.restore(engine);
        }
    }

    /// Re-inserts every deleted face, in batches of [`IMPORT_BATCH`].
    pub fn restore(&mut self, engine: &mut dyn Engine) {
        for batch in self.deleted.chunks(IMPORT_BATCH) {
            engine.insert(batch);
        }
        for batch in self.removed_associated.chunks(IMPORT_BATCH) {
            engine.insert(batch);
        }
        self.removed_associated.clear();
        self.stored.extend(self.deleted.drain(..));
    }

    /// Takes every stored deletable face, for a run that deletes them all.
    pub fn take_all(&mut self, engine: &mut dyn Engine) -> Vec<usize> {
        self.restore(engine);
        self.stored.drain(..).collect()
    }
}

/// Runs one DeleteFaces call and returns its duration; the preparation and the restoring of
/// deleted faces are outside the timed part.
pub fn timed_call(engine: &mut dyn Engine, workload: &mut Workload, count: usize) -> Duration {
    let call = workload.next_call(count);
    let prepared = engine.prepare(&call.ids);
    let start = Instant::now();
    let deleted = engine.delete(&prepared);
    let elapsed = start.elapsed();
    // The floor also removes the associated faces, which it cannot tell apart.
    let expected = if engine.checks_association() {
        call.fresh.len()
    } else {
        call.fresh.len() + call.associated.len()
    };
    assert!(
        deleted == expected || !engine.checks_association() && deleted >= call.fresh.len(),
        "{} deleted {deleted} faces of a call with {} stored, unassociated faces",
        engine.name(),
        call.fresh.len()
    );
    workload.finish_call(call, engine);
    elapsed
}

/// Loads faces `0..dataset.faces` in batches and returns the time taken.
pub fn load(engine: &mut dyn Engine, dataset: Dataset) -> Duration {
    let indices: Vec<usize> = (0..dataset.faces).collect();
    let start = Instant::now();
    for batch in indices.chunks(IMPORT_BATCH) {
        engine.insert(batch);
    }
    start.elapsed()
}

/// Short label of a dataset size: `100k`, `1m`.
pub fn size_label(faces: usize) -> String {
    if faces >= 1_000_000 && faces.is_multiple_of(1_000_000) {
        format!("{}m", faces / 1_000_000)
    } else if faces >= 1000 && faces.is_multiple_of(1000) {
        format!("{}k", faces / 1000)
    } else {
        faces.to_string()
    }
}

/// Bytes of the dataset's payload: IDs, peer records and embeddings.
pub fn payload_bytes(dataset: Dataset) -> u64 {
    let record: usize = (0..1000)
        .map(|index| Dataset::meta(index).encode().len())
        .sum::<usize>()
        / 1000;
    (dataset.faces * (16 + record + EMBEDDING_DIMENSION * 4)) as u64
}

/// Bytes of a file, or of every file under a directory.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiskUsage {
    /// Sum of the file lengths, as `ls -l` shows them.
    pub length: u64,
    /// Sum of the blocks allocated on disk, as `du` shows them. redb grows its file by
    /// doubling it and `set_len` leaves the new tail unallocated, so this can be much less
    /// than `length`.
    pub allocated: u64,
}

/// Returns the length and the allocated bytes of a file or of every file under a directory.
pub fn disk_usage(path: &std::path::Path) -> DiskUsage {
    use std::os::unix::fs::MetadataExt;

    let Ok(metadata) = std::fs::metadata(path) else {
        return DiskUsage::default();
    };
    if metadata.is_file() {
        return DiskUsage {
            length: metadata.len(),
            // st_blocks counts 512-byte units whatever the file system's block size.
            allocated: metadata.blocks() * 512,
        };
    }
    let mut total = DiskUsage::default();
    for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
        let usage = disk_usage(&entry.path());
        total.length += usage.length;
        total.allocated += usage.allocated;
    }
    total
}

/// Reads a `Vm*` line of /proc/self/status in KiB, e.g. `VmHWM` (peak resident set size).
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Resets the peak resident set size that `VmHWM` reports (Linux 4.0 and later).
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
