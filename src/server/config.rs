//! [`ServerConfig`]: where the server listens, which database it serves, how large a request
//! may be.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;

/// Default listening address: loopback only, because requests are not authenticated.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8085));

/// Default maximum request body size in bytes: 8 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Settings of [`run`](super::run).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Address to listen on. Default [`DEFAULT_LISTEN`]. Port 0 picks a free port, and the
    /// address actually bound is logged at start.
    pub listen: SocketAddr,
    /// Database file, created if missing. Default `facestore.redb` in the working directory.
    pub db: PathBuf,
    /// Maximum request body size in bytes; a larger request is rejected with HTTP 413 before
    /// its body is read. Default [`DEFAULT_MAX_BODY_BYTES`].
    pub max_body_bytes: usize,
}

impl ServerConfig {
    /// Returns the default settings with the database file `db`.
    #[must_use]
    pub fn new(db: impl Into<PathBuf>) -> Self {
        Self {
            db: db.into(),
            ..Self::default()
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN,
            db: PathBuf::from("facestore.redb"),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}
