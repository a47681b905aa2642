//! Runs the facestore HTTP server: `serve --db PATH [--listen ADDR] [--max-body-bytes N]`.
//!
//! The process tests start the server through this program.

use std::process::ExitCode;

use facestore::server::{ServerConfig, run};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let config = match parse_arguments(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("serve: {message}");
            eprintln!("usage: serve --db PATH [--listen ADDR] [--max-body-bytes N]");
            return ExitCode::from(2);
        }
    };
    match run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("serve: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse_arguments(mut arguments: impl Iterator<Item = String>) -> Result<ServerConfig, String> {
    let mut config = ServerConfig::default();
    while let Some(flag) = arguments.next() {
        let value = arguments
            .next()
            .ok_or_else(|| format!("missing value after {flag}"))?;
        match flag.as_str() {
            "--db" => config.db = value.into(),
            "--listen" => {
                config.listen = value
                    .parse()
                    .map_err(|error| format!("invalid --listen '{value}': {error}"))?;
            }
            "--max-body-bytes" => {
                config.max_body_bytes = value
                    .parse()
                    .map_err(|error| format!("invalid --max-body-bytes '{value}': {error}"))?;
            }
            _ => return Err(format!("unknown flag '{flag}'")),
        }
    }
    Ok(config)
}
