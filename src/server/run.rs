//! [`run`]: open the database, serve until SIGINT or SIGTERM, close the database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use super::config::ServerConfig;
use super::routing::router;
use super::shutdown::StopSignals;
use crate::Store;

/// Time that requests in flight get to finish after SIGINT or SIGTERM. A client that stalls
/// mid-request would otherwise keep the server from stopping. Store calls already running
/// still complete, because the runtime waits for its blocking threads.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// An error that kept the server from starting or stopped it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The database file could not be opened or created. The message of `source` names the
    /// file.
    #[error("{source}")]
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
/// stops accepting connections, gives the requests in flight 10 seconds to finish, then
/// closes the database.
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

    let (stop_sender, stop_receiver) = tokio::sync::oneshot::channel();
    let stop = async move {
        stop_signals.received().await;
        // The receiver is gone only when the server already returned.
        let _ = stop_sender.send(());
    };
    let server = axum::serve(listener, router(store, config.max_body_bytes))
        .with_graceful_shutdown(stop)
        .into_future();
    tokio::select! {
        served = server => served?,
        () = grace_period_over(stop_receiver) => tracing::warn!(
            %address,
            grace_seconds = SHUTDOWN_GRACE.as_secs(),
            "requests still unfinished after the shutdown grace period; closing their \
             connections"
        ),
    }
    tracing::info!(%address, "facestore server stopped");
    Ok(())
}

/// Completes [`SHUTDOWN_GRACE`] after the stop signal, and never if the server returns first.
async fn grace_period_over(stop_receiver: tokio::sync::oneshot::Receiver<()>) {
    if stop_receiver.await.is_err() {
        std::future::pending::<()>().await;
    }
    tokio::time::sleep(SHUTDOWN_GRACE).await;
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
