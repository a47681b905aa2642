//! The `facestore` command line, a thin layer over [`Store`] shaped like `aws rekognition`.
//!
//! Each subcommand runs one operation and prints its response JSON on standard output,
//! indented by 4 spaces as the AWS CLI prints it. An empty response, such as CreateUser's,
//! prints nothing, as with the AWS CLI. A failure prints one line on standard error:
//! `An error occurred (ExceptionName) when calling the OperationName operation: message`.
//!
//! Exit codes:
//!
//! - 0: success.
//! - 1: `check` found violations; it lists them on standard output.
//! - 2: invalid command line (unknown flag, missing value), reported by clap.
//! - 252: the import input cannot be opened, read, or parsed as JSON of faces. The error
//!   names the line and column. The AWS CLI uses 252 for a parameter value that keeps the
//!   command from running.
//! - 254: the operation failed; the error names the AWS exception. A face of the import input
//!   that breaks a constraint is such an error, and its message starts with the line number.
//! - 255: writing the response failed. A closed pipe on standard output is not a failure.

mod args;
mod commands;
mod error;
mod import;
mod output;

pub use args::{
    AssociateFacesArgs, Cli, CollectionArgs, Command, CreateCollectionArgs, DeleteFacesArgs,
    DisassociateFacesArgs, ImportFacesArgs, ListCollectionsArgs, ListFacesArgs, ListUsersArgs,
    ResourceArgs, TagResourceArgs, Tags, UntagResourceArgs, UserArgs,
};
pub use error::CliError;
pub use output::print_json;

use std::io::IsTerminal;

use crate::Store;

/// Opens the database that `cli` names and runs its subcommand.
///
/// # Errors
///
/// [`CliError::Service`] when opening the database or the operation fails, and the other
/// [`CliError`] variants as listed there.
pub fn run(cli: Cli) -> Result<(), CliError> {
    #[cfg(feature = "server")]
    if let Command::Serve(args) = &cli.command {
        return serve(&cli.db, args);
    }

    if matches!(cli.command, Command::Check | Command::Compact) && !cli.db.exists() {
        // Maintenance of a mistyped path would otherwise create an empty database there.
        let error = crate::Error::ResourceNotFound(format!(
            "database file {} does not exist; give the path of an existing database with \
             --db or FACESTORE_DB",
            cli.db.display()
        ));
        return Err(CliError::service(cli.command.operation(), &error));
    }
    let store =
        Store::open(&cli.db).map_err(|error| CliError::service(cli.command.operation(), &error))?;
    if let Command::Compact = cli.command {
        return commands::compact(store, &cli.db);
    }
    commands::run(&store, cli.command)
}

#[cfg(feature = "server")]
fn serve(db: &std::path::Path, args: &args::ServeArgs) -> Result<(), CliError> {
    let mut config = crate::server::ServerConfig::new(db);
    config.listen = args.listen;
    config.max_body_bytes = args.max_body_bytes;
    crate::server::run(config).map_err(CliError::Server)
}

/// Sends `tracing` events to standard error, filtered by `RUST_LOG`. Without it, `serve` logs
/// at `info` (start, stop, failed requests) and every other subcommand at `warn`.
pub fn init_logging(command: &Command) {
    let default = match command {
        #[cfg(feature = "server")]
        Command::Serve(_) => "info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
