//! The signals that stop the server: SIGINT (Ctrl-C) and, on Unix, SIGTERM.

/// Completes when the process receives SIGINT or SIGTERM.
///
/// A signal whose handler cannot be installed is logged and ignored, so the other one still
/// stops the server.
pub(crate) async fn signal() {
    let interrupt = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "SIGINT",
            Err(error) => {
                tracing::error!(%error, "listening for SIGINT failed");
                std::future::pending().await
            }
        }
    };

    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
                "SIGTERM"
            }
            Err(error) => {
                tracing::error!(%error, "listening for SIGTERM failed");
                std::future::pending().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<&str>();

    let name = tokio::select! {
        name = interrupt => name,
        name = terminate => name,
    };
    tracing::info!(signal = name, "shutting down: finishing in-flight requests");
}
