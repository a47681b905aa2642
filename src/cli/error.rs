//! Failures of a command, how they are printed and the exit code of each.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::import_file::ImportFileError;

/// A failed command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The operation failed, in the AWS CLI's wording; exit code 254.
    #[error("An error occurred ({exception}) when calling the {operation} operation: {message}")]
    Service {
        /// AWS name of the operation, such as `DescribeCollection`.
        operation: &'static str,
        /// AWS exception name, such as `ResourceNotFoundException`.
        exception: &'static str,
        /// Error message, naming the offending value.
        message: String,
    },

    /// The import input cannot be opened; exit code 252.
    #[error("Error parsing parameter '--file': cannot open {}: {source}", path.display())]
    OpenInput {
        /// The `--file` value.
        path: PathBuf,
        /// Cause of the failure.
        #[source]
        source: io::Error,
    },

    /// The import input cannot be read or is not JSON of faces; exit code 252.
    #[error("Error parsing parameter '--file': {}: {source}", path.display())]
    Input {
        /// The `--file` value.
        path: PathBuf,
        /// Position and cause of the failure.
        #[source]
        source: ImportFileError,
    },

    /// Writing the response to standard output failed; exit code 255.
    #[error("writing the output failed: {0}")]
    Output(#[source] io::Error),

    /// `check` found violations, listed on standard output; exit code 1.
    #[error("facestore check found {0} violations; the list is on standard output")]
    Violations(usize),

    /// The server could not start or stopped with an error; exit code 255.
    #[cfg(feature = "server")]
    #[error("{0}")]
    Server(#[source] crate::server::ServerError),
}

impl CliError {
    /// Builds the error of `operation` failing with `error`.
    #[must_use]
    pub fn service(operation: &'static str, error: &crate::Error) -> Self {
        Self::Service {
            operation,
            exception: error.exception_name(),
            message: error.to_string(),
        }
    }

    /// Returns the exit code: 254 as the AWS CLI uses for service errors, 252 as it uses for
    /// a parameter value that keeps the command from running, 255 for anything else.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Service { .. } => 254,
            Self::OpenInput { .. } | Self::Input { .. } => 252,
            Self::Output(_) => 255,
            Self::Violations(_) => 1,
            #[cfg(feature = "server")]
            Self::Server(_) => 255,
        }
    }

    /// Prints the error on standard error and returns the exit code.
    #[must_use]
    pub fn report(&self) -> ExitCode {
        // Standard error may be closed too, and the exit code still reports the failure.
        let _ = writeln!(io::stderr().lock(), "{self}");
        ExitCode::from(self.exit_code())
    }
}
