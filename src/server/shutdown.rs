//! The signals that stop the server: SIGINT (Ctrl-C) and, on Unix, SIGTERM.

/// Handlers for the stop signals, installed before the server reports that it listens, so a
/// signal sent right after that report shuts the server down instead of killing it.
pub(crate) struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    /// Installs the handlers. Must run inside the tokio runtime.
    pub(crate) fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Completes when the process receives SIGINT or SIGTERM.
    pub(crate) async fn received(self) {
        let name = self.wait().await;
        tracing::info!(signal = name, "shutting down: finishing in-flight requests");
    }

    #[cfg(unix)]
    async fn wait(mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    // NOTE: outside Unix the Ctrl-C handler is installed only here, when the server already
    // listens, so a Ctrl-C during start-up ends the process at once.
    #[cfg(not(unix))]
    async fn wait(self) -> &'static str {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "listening for Ctrl-C failed; stop the server by ending the process");
            std::future::pending::<()>().await;
        }
        "Ctrl-C"
    }
}
