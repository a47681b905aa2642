//! An in-memory disk for redb that outlives the database using it and can fail on command.
//!
//! [`Disk`] keeps the bytes behind an `Arc`, so a test can drop a `Store` and open a new one on
//! the same bytes ("reopen"), or on a crash image of them. It counts every I/O call (`read`,
//! `write`, `set_len`, `sync_data`) and can make the Nth one fail, tear it (write only the
//! first half of a write's buffer, then fail), and then fail every later call, as a process
//! that dies at that moment would stop writing.
//!
//! Crash images: a real crash keeps what was synced and any part of what was written after
//! the last sync. The disk keeps the synced bytes and a log of the later changes in order, so
//! a test can rebuild the disk as of the last sync plus each prefix of that log.

use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use redb::StorageBackend;

/// How the armed call fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The call fails without changing the disk.
    Fail,
    /// A write stores the first half of its buffer, then fails; other calls fail.
    Tear,
}

/// One change to the disk after the last successful sync.
#[derive(Debug, Clone)]
enum Change {
    Write { offset: u64, data: Vec<u8> },
    SetLen(u64),
}

#[derive(Debug, Default)]
struct State {
    bytes: Vec<u8>,
    /// The bytes as of the last successful `sync_data`.
    synced: Vec<u8>,
    /// Changes since the last successful `sync_data`, in order.
    unsynced: Vec<Change>,
    /// Counted calls since the disk was armed.
    calls: u64,
    /// The counted call to fail, counting from 1, and how.
    armed: Option<(u64, Fault)>,
    /// Whether every call after the armed one fails too.
    sticky: bool,
    /// Set when the armed call failed.
    hit: bool,
    /// Set when every call fails.
    dead: bool,
}

/// Shared bytes of one redb database; clones share them.
#[derive(Debug, Clone, Default)]
pub struct Disk {
    state: Arc<Mutex<State>>,
}

impl Disk {
    /// Returns a disk holding `bytes`, all of them synced.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        let disk = Self::default();
        {
            let mut state = disk.lock();
            state.synced = bytes.clone();
            state.bytes = bytes;
        }
        disk
    }

    /// Returns a redb backend over this disk.
    pub fn backend(&self) -> DiskBackend {
        DiskBackend { disk: self.clone() }
    }

    /// Returns the current bytes.
    pub fn bytes(&self) -> Vec<u8> {
        self.lock().bytes.clone()
    }

    /// Makes the `call`th counted call from now fail as `fault`. With `sticky`, every call
    /// after it fails too, as in a process that dies there; without, later calls succeed, as
    /// after a transient I/O error.
    pub fn arm(&self, call: u64, fault: Fault, sticky: bool) {
        let mut state = self.lock();
        state.calls = 0;
        state.armed = Some((call, fault));
        state.sticky = sticky;
        state.hit = false;
        state.dead = false;
    }

    /// Returns the number of counted calls since [`Disk::arm`].
    pub fn calls(&self) -> u64 {
        self.lock().calls
    }

    /// Returns true when the armed call has failed.
    pub fn fault_hit(&self) -> bool {
        self.lock().hit
    }

    /// Makes every later call fail, as if the process had died.
    pub fn kill(&self) {
        self.lock().dead = true;
    }

    /// Returns every disk a crash now could leave behind: the synced bytes plus each prefix
    /// of the changes made since, the last of which is the current bytes.
    pub fn crash_images(&self) -> Vec<Vec<u8>> {
        let state = self.lock();
        let mut image = state.synced.clone();
        let mut images = vec![image.clone()];
        for change in &state.unsynced {
            apply(&mut image, change);
            images.push(image.clone());
        }
        debug_assert_eq!(images.last(), Some(&state.bytes));
        images
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn apply(bytes: &mut Vec<u8>, change: &Change) {
    match change {
        Change::Write { offset, data } => {
            let start = usize::try_from(*offset).expect("offset fits in memory");
            let end = start + data.len();
            if bytes.len() < end {
                bytes.resize(end, 0);
            }
            bytes[start..end].copy_from_slice(data);
        }
        Change::SetLen(length) => {
            bytes.resize(usize::try_from(*length).expect("length fits in memory"), 0);
        }
    }
}

fn injected() -> redb::BackendError {
    redb::BackendError::Io(io::Error::other("injected I/O fault"))
}

impl State {
    /// Counts a call and returns the fault to inject into it, if any.
    fn count(&mut self) -> Option<Fault> {
        if self.dead {
            return Some(Fault::Fail);
        }
        self.calls += 1;
        match self.armed {
            Some((call, fault)) if call == self.calls => {
                self.hit = true;
                self.dead = self.sticky;
                Some(fault)
            }
            _ => None,
        }
    }

    fn change(&mut self, change: Change) {
        apply(&mut self.bytes, &change);
        self.unsynced.push(change);
    }
}

/// A redb [`StorageBackend`] over a [`Disk`].
#[derive(Debug)]
pub struct DiskBackend {
    disk: Disk,
}

impl StorageBackend for DiskBackend {
    fn len(&self) -> Result<u64, redb::BackendError> {
        Ok(self.disk.lock().bytes.len() as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), redb::BackendError> {
        let mut state = self.disk.lock();
        if state.count().is_some() {
            return Err(injected());
        }
        let start = usize::try_from(offset).map_err(|_| injected())?;
        let Some(source) = state.bytes.get(start..start + out.len()) else {
            return Err(redb::BackendError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past the end of the disk",
            )));
        };
        out.copy_from_slice(source);
        Ok(())
    }

    fn set_len(&self, len: u64) -> Result<(), redb::BackendError> {
        let mut state = self.disk.lock();
        if state.count().is_some() {
            return Err(injected());
        }
        state.change(Change::SetLen(len));
        Ok(())
    }

    fn sync_data(&self) -> Result<(), redb::BackendError> {
        let mut state = self.disk.lock();
        if state.count().is_some() {
            return Err(injected());
        }
        state.synced = state.bytes.clone();
        state.unsynced.clear();
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), redb::BackendError> {
        let mut state = self.disk.lock();
        match state.count() {
            None => {
                state.change(Change::Write {
                    offset,
                    data: data.to_vec(),
                });
                Ok(())
            }
            Some(Fault::Tear) => {
                let half = data.len() / 2;
                state.change(Change::Write {
                    offset,
                    data: data[..half].to_vec(),
                });
                Err(injected())
            }
            Some(Fault::Fail) => Err(injected()),
        }
    }
}
