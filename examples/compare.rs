//! Compares DeleteFaces in facestore with the raw redb floor, a straightforward redb layout,
//! LMDB and SQLite, all in one process and one run, and prints Markdown tables of medians
//! and ratios.
//!
//! ```text
//! cargo run --release --example compare -- --faces 100000 --plot docs/delete_faces.svg
//! ```
//!
//! Steps: load the same dataset into every engine (import time, file size, peak RSS), then
//! rounds of DeleteFaces calls of 1, 64 and 4096 IDs that visit the engines in turn so that
//! background load on the machine hits them alike, then a sustained run that deletes every
//! deletable face in 4096-ID calls, including facestore's erasure of the deleted embeddings.

#[path = "../benches/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::plot::{Series, log_log_svg};
use common::{
    Dataset, DiskUsage, ENGINE_NAMES, Engine, Workload, disk_usage, load, open_engine,
    payload_bytes, proc_status_kib, reset_peak_rss, size_label, timed_call,
};

const USAGE: &str = "usage: compare [--faces N] [--rounds N] [--engines a,b,...] [--dir DIR] \
[--plot FILE.svg] [--compact]
  --faces N      faces loaded into each engine (default 100000; at least 20000)
  --rounds N     rounds of DeleteFaces calls; each round makes 5 calls of 1 ID, 2 of 64 IDs
                 and 1 of 4096 IDs per engine (default 15)
  --engines LIST comma-separated subset of facestore,redb-floor,redb-2table,lmdb,sqlite
  --dir DIR      directory for the database files (default: the system temporary directory)
  --plot FILE    write an SVG plot of median DeleteFaces time against IDs per call
  --compact      compact facestore's file after the import, before the DeleteFaces calls";

/// IDs per call, with the calls made per engine in each round.
const CALL_SIZES: [(usize, usize); 3] = [(1, 5), (64, 2), (4096, 1)];

struct Options {
    faces: usize,
    rounds: usize,
    engines: Vec<String>,
    dir: Option<PathBuf>,
    plot: Option<PathBuf>,
    compact: bool,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        faces: 100_000,
        rounds: 15,
        engines: ENGINE_NAMES.iter().map(|name| (*name).to_owned()).collect(),
        dir: None,
        plot: None,
        compact: false,
    };
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        let mut value = |name: &str| {
            arguments
                .next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match argument.as_str() {
            "--faces" => {
                let text = value("--faces")?;
                options.faces = text
                    .replace('_', "")
                    .parse()
                    .map_err(|_| format!("invalid --faces '{text}': give a whole number"))?;
            }
            "--rounds" => {
                let text = value("--rounds")?;
                options.rounds = text
                    .parse()
                    .map_err(|_| format!("invalid --rounds '{text}': give a whole number"))?;
            }
            "--engines" => {
                options.engines = value("--engines")?.split(',').map(str::to_owned).collect();
                if let Some(unknown) = options
                    .engines
                    .iter()
                    .find(|name| !ENGINE_NAMES.contains(&name.as_str()))
                {
                    return Err(format!(
                        "unknown engine '{unknown}'; use {}",
                        ENGINE_NAMES.join(",")
                    ));
                }
            }
            "--dir" => options.dir = Some(value("--dir")?.into()),
            "--plot" => options.plot = Some(value("--plot")?.into()),
            "--compact" => options.compact = true,
            "--help" | "-h" => return Err(USAGE.to_owned()),
            // cargo bench passes --bench to every target; ignore it.
            "--bench" => {}
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
    }
    if options.faces < 20_000 {
        return Err(format!(
            "--faces {} is too small: a 4096-ID call needs at least 20000 faces",
            options.faces
        ));
    }
    Ok(options)
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn milliseconds(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

struct LoadResult {
    seconds: f64,
    file: DiskUsage,
    peak_rss_kib: Option<u64>,
    rss_before_kib: Option<u64>,
    /// Seconds of the compaction after the import and the file after it, with `--compact`.
    compaction: Option<(f64, DiskUsage)>,
}

fn main() {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let dataset = Dataset {
        faces: options.faces,
    };
    let base = options.dir.clone().unwrap_or_else(std::env::temp_dir);
    let directory = tempfile::tempdir_in(&base).expect("create a temporary directory");
    println!(
        "# DeleteFaces comparison: {} faces, {} rounds, files in {}\n",
        options.faces,
        options.rounds,
        base.display()
    );

    let mut engines: Vec<Box<dyn Engine>> = Vec::new();
    let mut loads = Vec::new();
    for name in &options.engines {
        let rss_before_kib = proc_status_kib("VmRSS");
        let peak_reset = reset_peak_rss();
        let mut engine = open_engine(name, directory.path());
        let elapsed = load(engine.as_mut(), dataset);
        let mut result = LoadResult {
            seconds: elapsed.as_secs_f64(),
            file: disk_usage(engine.path()),
            peak_rss_kib: peak_reset.then(|| proc_status_kib("VmHWM")).flatten(),
            rss_before_kib,
            compaction: None,
        };
        if options.compact {
            let start = Instant::now();
            if engine.compact() {
                let seconds = start.elapsed().as_secs_f64();
                result.compaction = Some((seconds, disk_usage(engine.path())));
            }
        }
        eprintln!("loaded {name} in {:.1} s", result.seconds);
        loads.push(result);
        engines.push(engine);
    }

    let mut workloads: Vec<Workload> = engines.iter().map(|_| Workload::new(dataset)).collect();
    let mut samples = vec![vec![Vec::new(); CALL_SIZES.len()]; engines.len()];
    for round in 0..options.rounds {
        for (size_number, (count, calls)) in CALL_SIZES.iter().enumerate() {
            for _ in 0..*calls {
                for (number, engine) in engines.iter_mut().enumerate() {
                    let elapsed = timed_call(engine.as_mut(), &mut workloads[number], *count);
                    samples[number][size_number].push(elapsed);
                }
            }
        }
        eprintln!("round {} of {} done", round + 1, options.rounds);
    }
    let medians: Vec<Vec<Duration>> = samples
        .iter_mut()
        .map(|sizes| sizes.iter_mut().map(|runs| median(runs)).collect())
        .collect();

    let mut sustained = Vec::new();
    for (number, engine) in engines.iter_mut().enumerate() {
        let indices = workloads[number].take_all(engine.as_mut());
        let requests: Vec<_> = indices
            .chunks(4096)
            .map(|chunk| {
                let ids: Vec<u128> = chunk.iter().map(|index| Dataset::face_id(*index)).collect();
                engine.prepare(&ids)
            })
            .collect();
        let start = Instant::now();
        let mut deleted = 0;
        for request in &requests {
            deleted += engine.delete(request);
        }
        // The run ends when the deleted data is gone from the engine's tables, so
        // facestore's deferred erasure of embeddings counts.
        let finished = engine.finish_deletions();
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!(
            deleted,
            indices.len(),
            "{} left faces behind",
            engine.name()
        );
        eprintln!(
            "{} deleted {deleted} faces in {seconds:.1} s, finishing {finished} deferred items",
            engine.name()
        );
        sustained.push((deleted as f64 / seconds, seconds));
    }

    print_delete_table(&engines, &medians, options.rounds);
    print_sustained_table(&engines, &sustained);
    print_load_table(&engines, &loads, dataset);
    println!(
        "Process peak RSS (VmHWM) since the last reset: {} MiB.\n",
        proc_status_kib("VmHWM").map_or("unknown".to_owned(), |kib| (kib / 1024).to_string())
    );
    print_targets(&engines, &medians, &sustained, &loads, dataset);

    if let Some(path) = &options.plot {
        let series: Vec<Series> = engines
            .iter()
            .zip(&medians)
            .map(|(engine, sizes)| Series {
                name: engine.name().to_owned(),
                points: CALL_SIZES
                    .iter()
                    .zip(sizes)
                    .map(|((count, _), median)| (*count as f64, milliseconds(*median)))
                    .collect(),
            })
            .collect();
        let title = format!(
            "DeleteFaces, {} faces: median ms per durable call",
            size_label(dataset.faces)
        );
        let svg = log_log_svg(&title, "IDs per call", "milliseconds", &series);
        std::fs::write(path, svg).expect("write the plot");
        eprintln!("wrote {}", path.display());
    }
}

fn position(engines: &[Box<dyn Engine>], name: &str) -> Option<usize> {
    engines.iter().position(|engine| engine.name() == name)
}

fn print_delete_table(engines: &[Box<dyn Engine>], medians: &[Vec<Duration>], rounds: usize) {
    let floor = position(engines, "redb-floor");
    let facestore = position(engines, "facestore");
    println!("## DeleteFaces: median ms per call ({rounds} rounds)\n");
    println!("| engine | IDs | median ms | x floor | facestore / engine |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (size_number, (count, calls)) in CALL_SIZES.iter().enumerate() {
        let _ = calls;
        for (number, engine) in engines.iter().enumerate() {
            let value = milliseconds(medians[number][size_number]);
            let to_floor = floor.map_or("-".to_owned(), |floor| {
                format!("{:.2}", value / milliseconds(medians[floor][size_number]))
            });
            let facestore_ratio = facestore.map_or("-".to_owned(), |facestore| {
                format!(
                    "{:.2}",
                    milliseconds(medians[facestore][size_number]) / value
                )
            });
            println!(
                "| {} | {count} | {value:.3} | {to_floor} | {facestore_ratio} |",
                engine.name()
            );
        }
    }
    println!();
}

fn print_sustained_table(engines: &[Box<dyn Engine>], sustained: &[(f64, f64)]) {
    let facestore = position(engines, "facestore");
    println!("## Sustained deletion: every deletable face in 4096-ID calls\n");
    println!("| engine | faces/s | seconds | facestore / engine |");
    println!("| --- | ---: | ---: | ---: |");
    for (number, engine) in engines.iter().enumerate() {
        let (rate, seconds) = sustained[number];
        let ratio = facestore.map_or("-".to_owned(), |facestore| {
            format!("{:.2}", sustained[facestore].0 / rate)
        });
        println!("| {} | {rate:.0} | {seconds:.1} | {ratio} |", engine.name());
    }
    println!();
}

fn print_load_table(engines: &[Box<dyn Engine>], loads: &[LoadResult], dataset: Dataset) {
    let payload = payload_bytes(dataset);
    println!(
        "## Import: {} faces in {}-face transactions (payload {:.0} MiB)\n",
        dataset.faces,
        common::IMPORT_BATCH,
        payload as f64 / 1048576.0
    );
    println!(
        "| engine | seconds | faces/s | file MiB | file / payload | on disk MiB | on disk / payload \
         | RSS before MiB | peak RSS MiB |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (engine, result) in engines.iter().zip(loads) {
        let mib = |kib: Option<u64>| kib.map_or("-".to_owned(), |kib| (kib / 1024).to_string());
        println!(
            "| {} | {:.1} | {:.0} | {:.0} | {:.2} | {:.0} | {:.2} | {} | {} |",
            engine.name(),
            result.seconds,
            dataset.faces as f64 / result.seconds,
            result.file.length as f64 / 1048576.0,
            result.file.length as f64 / payload as f64,
            result.file.allocated as f64 / 1048576.0,
            result.file.allocated as f64 / payload as f64,
            mib(result.rss_before_kib),
            mib(result.peak_rss_kib),
        );
    }
    println!();

    for (engine, result) in engines.iter().zip(loads) {
        if let Some((seconds, file)) = result.compaction {
            println!(
                "{} compacted in {seconds:.1} s: file {:.0} MiB ({:.2}x the payload), {:.0} MiB \
                 allocated on disk.\n",
                engine.name(),
                file.length as f64 / 1048576.0,
                file.length as f64 / payload as f64,
                file.allocated as f64 / 1048576.0,
            );
        }
    }
}

fn print_targets(
    engines: &[Box<dyn Engine>],
    medians: &[Vec<Duration>],
    sustained: &[(f64, f64)],
    loads: &[LoadResult],
    dataset: Dataset,
) {
    let (Some(facestore), Some(floor)) = (
        position(engines, "facestore"),
        position(engines, "redb-floor"),
    ) else {
        return;
    };
    println!("## Targets\n");
    let large = CALL_SIZES.len() - 1;
    let ratio = milliseconds(medians[facestore][large]) / milliseconds(medians[floor][large]);
    println!("- 4096 IDs within 1.5x the floor: {ratio:.2}x");
    let ratio = milliseconds(medians[facestore][0]) / milliseconds(medians[floor][0]);
    println!("- 1 ID within 1.3x the floor: {ratio:.2}x");
    if let Some(lmdb) = position(engines, "lmdb") {
        println!(
            "- sustained deletion at least 1.3x LMDB: {:.2}x",
            sustained[facestore].0 / sustained[lmdb].0
        );
    }
    if let Some(straightforward) = position(engines, "redb-2table") {
        println!(
            "- import at least 2x the straightforward redb rate: {:.2}x",
            loads[straightforward].seconds / loads[facestore].seconds
        );
    }
    let payload = payload_bytes(dataset) as f64;
    let file = loads[facestore].file;
    println!(
        "- file at most 1.5x the payload: {:.2}x in length, {:.2}x allocated on disk",
        file.length as f64 / payload,
        file.allocated as f64 / payload
    );
    if let Some(kib) = loads[facestore].peak_rss_kib {
        println!("- import peak RSS under 512 MiB: {} MiB", kib / 1024);
    }
    println!();
}
