//! The background thread that erases the embeddings of deleted faces soon after the commit
//! that deleted them.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::embeddings;

/// Shortest wait before retrying a failed erasure pass.
const MIN_RETRY_DELAY: Duration = Duration::from_secs(1);

/// Handle of the eraser thread. Dropping it stops the thread and waits for it.
#[derive(Debug)]
pub(crate) struct Eraser {
    shared: Arc<Shared>,
    delay: Duration,
    thread: Option<JoinHandle<()>>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// When the next pass is due, or `None` when nothing waits for erasure.
    due: Option<Instant>,
    stopping: bool,
}

impl Shared {
    /// Locks the state. A panic while the lock was held cannot leave the state inconsistent
    /// (it is two plain fields), so a poisoned lock is used as it is.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Schedules a pass `delay` from now unless one is already scheduled.
    fn schedule(&self, delay: Duration) {
        let mut state = self.lock();
        if state.due.is_none() {
            state.due = Some(Instant::now() + delay);
            self.wake.notify_one();
        }
    }
}

impl Eraser {
    /// Starts the eraser thread of `database`, which runs a pass `delay` after each call to
    /// [`Eraser::schedule`].
    pub(crate) fn start(
        database: Arc<redb::Database>,
        delay: Duration,
    ) -> crate::error::Result<Self> {
        let shared = Arc::new(Shared::default());
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("facestore-eraser".to_owned())
            .spawn(move || run(&database, &thread_shared, delay))
            .map_err(|source| {
                crate::Error::internal("starting the embedding eraser thread failed", source)
            })?;
        Ok(Self {
            shared,
            delay,
            thread: Some(thread),
        })
    }

    /// Schedules a pass within the eraser's delay, after a commit that left pending slots.
    pub(crate) fn schedule(&self) {
        self.shared.schedule(self.delay);
    }

    /// Stops the thread and waits for it to finish its current pass.
    pub(crate) fn stop(&mut self) {
        {
            let mut state = self.shared.lock();
            state.stopping = true;
            self.shared.wake.notify_one();
        }
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::warn!("the embedding eraser thread panicked");
            }
        }
    }
}

impl Drop for Eraser {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits for due passes and runs them until the eraser stops.
fn run(database: &redb::Database, shared: &Shared, delay: Duration) {
    loop {
        {
            let mut state = shared.lock();
            loop {
                if state.stopping {
                    return;
                }
                match state.due {
                    None => {
                        state = shared
                            .wake
                            .wait(state)
                            .unwrap_or_else(PoisonError::into_inner);
                    }
                    Some(due) => {
                        let now = Instant::now();
                        if now >= due {
                            state.due = None;
                            break;
                        }
                        state = shared
                            .wake
                            .wait_timeout(state, due - now)
                            .unwrap_or_else(PoisonError::into_inner)
                            .0;
                    }
                }
            }
        }

        match embeddings::erase_pending(database) {
            Ok(0) => {}
            Ok(erased) => tracing::debug!(erased, "erased embeddings of deleted faces"),
            Err(error) => {
                let retry = delay.max(MIN_RETRY_DELAY);
                tracing::warn!(
                    %error,
                    retry_ms = retry.as_millis(),
                    "erasing embeddings of deleted faces failed; retrying"
                );
                shared.schedule(retry);
            }
        }
    }
}
