//! The `facestore` command; [`facestore::cli`] documents its subcommands and exit codes.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with code 2.
    let cli = facestore::cli::Cli::parse();
    facestore::cli::init_logging(&cli.command);

    match facestore::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(),
    }
}
