//! Idle keep-alive connections give way to new clients: when all `server.max_connections`
//! slots are taken, the acceptor closes idle keep-alive connections, oldest first (the
//! least recently used, as nginx reuses connections), until a slot is free, so a new client
//! (an orchestrator's `/healthz` probe among them) is served at once instead of waiting for
//! `server.idle_timeout`.
//!
//! Only idle HTTP/1 connections are closed: those that answered a request and have
//! received nothing of the next ([`Activity::idle_since`]). A connection closes itself, on
//! its own task, if it is still idle when it looks; a client whose next request crosses
//! that close retries it, as it must for any keep-alive close (RFC 9112 §9.3.1). Slots held
//! by requests in progress or by clients still sending their first request are not taken:
//! those wait for their own time limits, as before.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use super::conn::Activity;

/// How long the acceptor waits for a slot after asking an idle connection to close, before
/// it asks the next one (the first may have received a request meanwhile).
const RECLAIM_WAIT: Duration = Duration::from_millis(50);

/// Every open connection's [`Activity`], so the acceptor can find the idle ones. Locked
/// once when a connection opens and once when it closes, and by the acceptor only while
/// all slots are taken.
#[derive(Default)]
pub(super) struct OpenConnections {
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Activity>>>,
}

/// A connection's entry in [`OpenConnections`], removed when dropped.
pub(super) struct Registration {
    connections: Arc<OpenConnections>,
    id: u64,
}

impl OpenConnections {
    /// Enters a connection for as long as the returned registration lives.
    pub(super) fn register(self: &Arc<Self>, activity: &Arc<Activity>) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, Arc::clone(activity));
        Registration {
            connections: Arc::clone(self),
            id,
        }
    }

    /// Asks the connection idle for longest to close; false when none is idle.
    fn close_oldest_idle(&self) -> bool {
        let open = self.lock();
        let oldest = open
            .values()
            .filter(|activity| !activity.close_requested())
            .filter_map(|activity| activity.idle_since().map(|since| (since, activity)))
            .min_by_key(|(since, _)| *since);
        oldest.is_some_and(|(_, activity)| activity.request_close())
    }

    /// A slot for a connection just accepted: at once when one is free, else as soon as an
    /// idle connection has given its slot back, or one ends by itself. `None` only if the
    /// semaphore is closed (it never is).
    pub(super) async fn slot(&self, permits: &Arc<Semaphore>) -> Option<OwnedSemaphorePermit> {
        loop {
            match Arc::clone(permits).try_acquire_owned() {
                Ok(permit) => return Some(permit),
                Err(TryAcquireError::Closed) => return None,
                Err(TryAcquireError::NoPermits) => {}
            }
            let asked = self.close_oldest_idle();
            let wait = if asked {
                RECLAIM_WAIT
            } else {
                // Nothing idle now: wait for a slot, looking again from time to time for
                // connections that became idle.
                RECLAIM_WAIT * 4
            };
            match tokio::time::timeout(wait, Arc::clone(permits).acquire_owned()).await {
                Ok(Ok(permit)) => return Some(permit),
                Ok(Err(_)) => return None,
                Err(_) => {}
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        // The map stays consistent whatever panicked while holding it.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.connections.lock().remove(&self.id);
    }
}
