//! import-faces: streams faces from a file or standard input into the store in batches.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::args::ImportFacesArgs;
use super::error::CliError;
use super::output::print_json;
use crate::Store;
use crate::api::{DescribeCollectionRequest, FaceInput, ImportFacesRequest};
use crate::import_file::{self, ImportFileError, LocatedFace};
use crate::store::ImportFailure;

const OPERATION: &str = "ImportFaces";

/// Time between two progress lines on a terminal.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);

/// Summary that import-faces prints on success.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImportSummary<'a> {
    collection_id: &'a str,
    /// Faces stored by this run.
    imported_faces: u64,
    /// Faces already stored with an identical record.
    skipped_faces: u64,
}

/// Imports every face of `args.file` into the collection, one transaction per batch, and
/// prints a summary.
///
/// A bad face stops the import: the batches before its batch stay stored and nothing of its
/// batch is stored.
///
/// The import itself keeps one line (or one face) and the pending batch in memory. The
/// process still grows with the data written, up to the store's page cache size
/// ([`facestore::DEFAULT_CACHE_SIZE`] unless set), because written pages stay cached.
///
/// # Errors
///
/// [`CliError::OpenInput`] or [`CliError::Input`] when the input cannot be opened, read or
/// parsed; [`CliError::Service`] when the collection does not exist, a face breaks a
/// constraint or a batch fails to commit, with the face's line in the message.
pub fn run(store: &Store, args: &ImportFacesArgs) -> Result<(), CliError> {
    // Checked first so that a wrong collection ID fails before reading a long input.
    store
        .describe_collection(&DescribeCollectionRequest {
            collection_id: args.collection_id.clone(),
        })
        .map_err(|error| CliError::service(OPERATION, &error))?;

    let input: Box<dyn Read> = if args.file.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(&args.file).map_err(|source| CliError::OpenInput {
            path: args.file.clone(),
            source,
        })?;
        Box::new(file)
    };

    let mut batches = Batches::new(store, &args.collection_id, args.batch_size);
    let result = import_all(&mut batches, input, args);
    batches.progress.finish(batches.imported, batches.skipped);
    result?;

    print_json(&ImportSummary {
        collection_id: &args.collection_id,
        imported_faces: batches.imported,
        skipped_faces: batches.skipped,
    })
}

fn import_all(
    batches: &mut Batches<'_>,
    input: impl Read,
    args: &ImportFacesArgs,
) -> Result<(), CliError> {
    let flow = import_file::read_faces(input, |face| batches.add(face))
        .map_err(|error| input_error(args, error))?;
    if let ControlFlow::Break(error) = flow {
        return Err(error);
    }
    batches.commit()
}

/// Turns an input error into the CLI error: a face that breaks a constraint is the
/// operation's error, anything else is a bad `--file` value.
fn input_error(args: &ImportFacesArgs, error: ImportFileError) -> CliError {
    match error {
        ImportFileError::InvalidFace { line, source, .. } => CliError::Service {
            operation: OPERATION,
            exception: source.exception_name(),
            message: format!("line {line}: {source}"),
        },
        source => CliError::Input {
            path: args.file.clone(),
            source,
        },
    }
}

/// Faces read but not yet stored, with the line of each, and the totals so far.
struct Batches<'a> {
    store: &'a Store,
    collection_id: &'a str,
    size: usize,
    faces: Vec<FaceInput>,
    lines: Vec<u64>,
    imported: u64,
    skipped: u64,
    progress: Progress,
}

impl<'a> Batches<'a> {
    fn new(store: &'a Store, collection_id: &'a str, size: u32) -> Self {
        let size = usize::try_from(size).expect("a u32 fits in usize");
        Self {
            store,
            collection_id,
            size,
            faces: Vec::with_capacity(size.min(4096)),
            lines: Vec::with_capacity(size.min(4096)),
            imported: 0,
            skipped: 0,
            progress: Progress::new(),
        }
    }

    /// Adds a face and stores the batch once it is full; a failure stops the reading.
    fn add(&mut self, located: LocatedFace) -> ControlFlow<CliError> {
        self.faces.push(located.face);
        self.lines.push(located.line);
        if self.faces.len() < self.size {
            return ControlFlow::Continue(());
        }
        match self.commit() {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => ControlFlow::Break(error),
        }
    }

    /// Stores the pending faces in one transaction.
    fn commit(&mut self) -> Result<(), CliError> {
        if self.faces.is_empty() {
            return Ok(());
        }
        let request = ImportFacesRequest {
            collection_id: self.collection_id.to_owned(),
            faces: std::mem::take(&mut self.faces),
        };
        let lines = std::mem::take(&mut self.lines);

        let response = self
            .store
            .import_faces_located(&request)
            .map_err(|failure| located_error(failure, &lines))?;

        self.imported += response.faces.len() as u64;
        self.skipped += response.skipped_face_ids.len() as u64;
        self.progress.show(self.imported, self.skipped);
        Ok(())
    }
}

/// Builds the error of a failed batch, naming the line of the face it is about.
fn located_error(failure: ImportFailure, lines: &[u64]) -> CliError {
    let line = failure.index.and_then(|index| lines.get(index));
    let message = match line {
        Some(line) => format!("line {line}: {}", failure.error),
        None => failure.error.to_string(),
    };
    CliError::Service {
        operation: OPERATION,
        exception: failure.error.exception_name(),
        message,
    }
}

/// Progress lines on standard error, written only when it is a terminal.
struct Progress {
    enabled: bool,
    last_shown: Option<Instant>,
}

impl Progress {
    fn new() -> Self {
        Self {
            enabled: io::stderr().is_terminal(),
            last_shown: None,
        }
    }

    fn show(&mut self, imported: u64, skipped: u64) {
        if !self.enabled {
            return;
        }
        if self
            .last_shown
            .is_some_and(|shown| shown.elapsed() < PROGRESS_INTERVAL)
        {
            return;
        }
        self.last_shown = Some(Instant::now());
        Self::write(imported, skipped, "");
    }

    /// Shows the final counts and ends the progress line, so that later output starts on a
    /// line of its own.
    fn finish(&self, imported: u64, skipped: u64) {
        if self.enabled && self.last_shown.is_some() {
            Self::write(imported, skipped, "\n");
        }
    }

    fn write(imported: u64, skipped: u64, end: &str) {
        // Progress is a courtesy: a failed write must not stop the import.
        let _ = write!(
            io::stderr().lock(),
            "\rimported {imported} faces, skipped {skipped}{end}"
        );
    }
}
