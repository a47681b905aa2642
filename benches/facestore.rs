//! Criterion benchmarks of DeleteFaces against its peers, and of import, ListFaces and
//! DescribeCollection.
//!
//! Collections hold 100,000 faces; `FACESTORE_BENCH_LARGE=1` adds 1,000,000-face runs.
//! `FACESTORE_BENCH_ENGINES=facestore,lmdb` limits the engines loaded (all by default).
//! Each engine loads its dataset once per process. Every timed DeleteFaces call deletes faces
//! that exist, and the faces it deletes are put back outside the timed part.

mod common;

use std::time::{Duration, Instant};

use common::{Dataset, ENGINE_NAMES, Engine, Workload, load, open_engine, size_label, timed_call};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use facestore::api::{DescribeCollectionRequest, ListFacesRequest};

/// IDs per DeleteFaces call.
const CALL_SIZES: [usize; 3] = [1, 64, 4096];

/// Faces per import call in the import benchmark.
const IMPORT_SIZE: usize = 1000;

fn engine_names() -> Vec<String> {
    match std::env::var("FACESTORE_BENCH_ENGINES") {
        Ok(list) => list
            .split(',')
            .filter(|name| ENGINE_NAMES.contains(name))
            .map(str::to_owned)
            .collect(),
        Err(_) => ENGINE_NAMES.iter().map(|name| (*name).to_owned()).collect(),
    }
}

fn dataset_sizes() -> Vec<usize> {
    let mut sizes = vec![100_000];
    if std::env::var("FACESTORE_BENCH_LARGE").is_ok_and(|value| value == "1") {
        sizes.push(1_000_000);
    }
    sizes
}

/// One engine with its loaded dataset and the state of its DeleteFaces workload.
struct Loaded {
    engine: Box<dyn Engine>,
    workload: Workload,
    /// Dataset index of the next face the import benchmark inserts.
    next_import: usize,
}

fn bench_delete_faces(criterion: &mut Criterion, label: &str, loaded: &mut [Loaded]) {
    let mut group = criterion.benchmark_group(format!("delete_faces/{label}"));
    group.sampling_mode(SamplingMode::Flat);
    for count in CALL_SIZES {
        group.throughput(Throughput::Elements(count as u64));
        if count >= 4096 {
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(8));
        } else {
            group.sample_size(30);
            group.measurement_time(Duration::from_secs(4));
        }
        for entry in loaded.iter_mut() {
            let name = entry.engine.name();
            group.bench_function(BenchmarkId::new(name, count), |bencher| {
                bencher.iter_custom(|iterations| {
                    (0..iterations)
                        .map(|_| timed_call(entry.engine.as_mut(), &mut entry.workload, count))
                        .sum()
                });
            });
        }
    }
    group.finish();
}

fn bench_import(criterion: &mut Criterion, label: &str, loaded: &mut [Loaded]) {
    let mut group = criterion.benchmark_group(format!("import/{label}"));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.throughput(Throughput::Elements(IMPORT_SIZE as u64));
    for entry in loaded.iter_mut() {
        let name = entry.engine.name();
        group.bench_function(BenchmarkId::new(name, IMPORT_SIZE), |bencher| {
            bencher.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    // Faces beyond the loaded dataset, so every insert is new.
                    let indices: Vec<usize> =
                        (entry.next_import..entry.next_import + IMPORT_SIZE).collect();
                    entry.next_import += IMPORT_SIZE;
                    let start = Instant::now();
                    entry.engine.insert(&indices);
                    total += start.elapsed();
                }
                total
            });
        });
    }
    group.finish();
}

fn bench_reads(criterion: &mut Criterion, label: &str, loaded: &[Loaded]) {
    let Some(store) = loaded.iter().find_map(|entry| entry.engine.store()) else {
        return;
    };
    let mut group = criterion.benchmark_group(format!("list_faces/{label}"));
    group.throughput(Throughput::Elements(1000));
    group.bench_function("page_1000", |bencher| {
        let mut next_token = None;
        bencher.iter(|| {
            let response = store
                .list_faces(&ListFacesRequest {
                    collection_id: common::COLLECTION_ID.to_owned(),
                    next_token: next_token.take(),
                    max_results: Some(1000),
                    ..ListFacesRequest::default()
                })
                .expect("ListFaces");
            next_token = response.next_token;
            response.faces.len()
        });
    });
    group.finish();

    criterion.bench_function(&format!("describe_collection/{label}"), |bencher| {
        bencher.iter(|| {
            store
                .describe_collection(&DescribeCollectionRequest {
                    collection_id: common::COLLECTION_ID.to_owned(),
                })
                .expect("DescribeCollection")
                .face_count
        });
    });
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    let names = engine_names();
    for faces in dataset_sizes() {
        let dataset = Dataset { faces };
        let label = size_label(faces);
        let directory = tempfile::tempdir().expect("create a temporary directory");
        let mut loaded: Vec<Loaded> = names
            .iter()
            .map(|name| {
                let mut engine = open_engine(name, directory.path());
                let elapsed = load(engine.as_mut(), dataset);
                eprintln!("loaded {faces} faces into {name} in {elapsed:.1?}");
                Loaded {
                    engine,
                    workload: Workload::new(dataset),
                    next_import: faces,
                }
            })
            .collect();
        bench_delete_faces(&mut criterion, &label, &mut loaded);
        bench_reads(&mut criterion, &label, &loaded);
        bench_import(&mut criterion, &label, &mut loaded);
    }
    criterion.final_summary();
}
