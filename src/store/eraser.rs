//! The background thread that erases the embeddings of deleted faces soon after the commit
//! that deleted them.
//!
//! A pass runs once DeleteFaces commits have paused for the idle delay, or at the latest the
//! maximum delay after the first commit that the pass will erase. Waiting for a pause lets
//! one pass remove a block whose faces a burst of calls deleted, instead of rewriting the
//! block after each call; the maximum delay bounds how long a deleted embedding stays.

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
    thread: Option<JoinHandle<()>>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    idle_delay: Duration,
    max_delay: Duration,
}

#[derive(Debug, Default)]
struct State {
    /// When the first commit not yet erased was seen, or `None` when nothing waits.
    first: Option<Instant>,
    /// When the last commit not yet erased was seen.
    last: Option<Instant>,
    /// A retry time after a failed pass, which replaces the delays above.
    retry: Option<Instant>,
    stopping: bool,
}

impl State {
    /// Returns when the next pass is due, or `None` when nothing waits for erasure.
    fn due(&self, idle_delay: Duration, max_delay: Duration) -> Option<Instant> {
        if let Some(retry) = self.retry {
            return Some(retry);
        }
        let first = self.first?;
        let last = self.last.unwrap_or(first);
        Some((last + idle_delay).min(first + max_delay))
    }
}

impl Shared {
    /// Locks the state. A panic while the lock was held cannot leave the state inconsistent
    /// (it is two plain fields), so a poisoned lock is used as it is.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a commit that left slots pending erasure.
    fn record_commit(&self) {
        let now = Instant::now();
        let mut state = self.lock();
        state.first.get_or_insert(now);
        state.last = Some(now);
        self.wake.notify_one();
    }

    /// Schedules a retry `delay` from now, after a failed pass.
    fn schedule_retry(&self, delay: Duration) {
        let mut state = self.lock();
        state.retry = Some(Instant::now() + delay);
        self.wake.notify_one();
    }
}

impl Eraser {
    /// Starts the eraser thread of `database`. After [`Eraser::schedule`] it runs a pass once
    /// no further call came for `idle_delay`, and at most `max_delay` after the first call.
    pub(crate) fn start(
        database: Arc<redb::Database>,
        idle_delay: Duration,
        max_delay: Duration,
    ) -> crate::error::Result<Self> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            idle_delay,
            max_delay,
        });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("facestore-eraser".to_owned())
            .spawn(move || run(&database, &thread_shared))
            .map_err(|source| {
                crate::Error::internal("starting the embedding eraser thread failed", source)
            })?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    /// Schedules a pass after a commit that left slots pending erasure.
    pub(crate) fn schedule(&self) {
        self.shared.record_commit();
    }

    /// Stops the thread and waits for it to finish its current pass.
    pub(crate) fn stop(&mut self) {
        {
            let mut state = self.shared.lock();
            state.stopping = true;
            self.shared.wake.notify_one();
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::warn!("the embedding eraser thread panicked");
        }
    }
}

impl Drop for Eraser {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits for due passes and runs them until the eraser stops.
fn run(database: &redb::Database, shared: &Shared) {
    loop {
        {
            let mut state = shared.lock();
            loop {
                if state.stopping {
                    return;
                }
                match state.due(shared.idle_delay, shared.max_delay) {
                    None => {
                        state = shared
                            .wake
                            .wait(state)
                            .unwrap_or_else(PoisonError::into_inner);
                    }
                    Some(due) => {
                        let now = Instant::now();
                        if now >= due {
                            // Commits from here on are seen by the pass or schedule the next.
                            state.first = None;
                            state.last = None;
                            state.retry = None;
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
                let retry = shared.idle_delay.max(MIN_RETRY_DELAY);
                tracing::warn!(
                    %error,
                    retry_ms = retry.as_millis(),
                    "erasing embeddings of deleted faces failed; retrying"
                );
                shared.schedule_retry(retry);
            }
        }
    }
}
