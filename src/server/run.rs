//! [`run`]: open the database, serve until SIGINT or SIGTERM, close the database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;

use super::config::ServerConfig;
use super::routing::router;
use super::shutdown::StopSignals;
use crate::Store;

/// An error that kept the server from starting or stopped it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The database file could not be opened or created.
    #[error("opening the database {} failed: {source}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// The storage error.
        #[source]
        source: crate::Error,
    },

    /// The listening address could not be bound.
    #[error(
        "listening on {address} failed: {source}; choose another address with --listen, such \
         as 127.0.0.1:0 for any free port"
    )]
    Bind {
        /// The address from [`ServerConfig::listen`].
        address: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The async runtime or the signal handlers could not be set up, or accepting connections
    /// failed.
    #[error("running the server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves the database `config.db` over HTTP until the process receives SIGINT or SIGTERM.
///
/// Blocks the calling thread: it builds its own multi-threaded tokio runtime. On a signal it
/// stops accepting connections, finishes the requests in flight, then closes the database.
/// The address actually bound (useful with port 0) is logged at info level as `address`.
///
/// # Errors
///
/// [`ServerError::Open`] when the database cannot be opened, [`ServerError::Bind`] when the
/// address is taken or not local, and [`ServerError::Io`] when the runtime, the signal
/// handlers or the listener fail.
pub fn run(config: ServerConfig) -> Result<(), ServerError> {
    let store = Store::open(&config.db).map_err(|source| ServerError::Open {
        path: config.db.clone(),
        source,
    })?;
    let store = Arc::new(store);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(serve(&config, Arc::clone(&store)));
    // Dropping the runtime waits for blocking store calls still running, so afterwards this
    // is the last reference to the store.
    drop(runtime);

    close(store, &config);
    served
}

async fn serve(config: &ServerConfig, store: Arc<Store>) -> Result<(), ServerError> {
    let stop_signals = StopSignals::install()?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServerError::Bind {
            address: config.listen,
            source,
        })?;
    let address = listener.local_addr()?;
    if !address.ip().is_loopback() {
        tracing::warn!(
            %address,
            "listening beyond loopback: requests are not authenticated, so anyone who can \
             reach this address can read and change the database"
        );
    }
    tracing::info!(
        %address,
        db = %config.db.display(),
        max_body_bytes = config.max_body_bytes,
        "facestore server listening"
    );

    axum::serve(listener, router(store, config.max_body_bytes))
        .with_graceful_shutdown(stop_signals.received())
        .await?;
    tracing::info!(%address, "facestore server stopped");
    Ok(())
}

fn close(store: Arc<Store>, config: &ServerConfig) {
    if let Ok(store) = Arc::try_unwrap(store) {
        drop(store);
        tracing::info!(db = %config.db.display(), "database closed");
    } else {
        tracing::warn!(
            db = %config.db.display(),
            "database still in use at shutdown; it closes when the process exits"
        );
    }
}
