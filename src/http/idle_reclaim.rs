//! Connections that are not being served give way to new clients: when all
//! `server.max_connections` slots are taken, the acceptor closes such connections one at a
//! time until a slot is free, so a new client (an orchestrator's `/healthz` probe among
//! them) is served at once instead of waiting for another connection's time limit:
//!
//! 1. idle keep-alive connections, oldest first (the least recently used, as nginx reuses
//!    connections): those that answered a request and have received nothing of the next
//!    ([`Activity::idle_since`]); only HTTP/1 ones;
//! 2. then unserved ones, waiting longest first: connections that have held their slot for
//!    at least `server.reclaim_wait_ms` (250 ms by default) without completing a request
//!    head (a silent client, a slow-loris one, an h2 connection with no stream yet;
//!    [`Activity::unserved_since`]).
//!    A real client sends its request as soon as it connects, so it is never the oldest of
//!    these for long; the minimum age spares clients that have just connected while the
//!    server is busy. Without this, `server.header_read_timeout_ms` would be the wait.
//!
//! A connection closes itself, on its own task, if it is still idle or unserved when it
//! looks (bytes of a request already received are read first); a client whose next
//! request crosses that close retries it, as it must for any keep-alive close (RFC 9112
//! §9.3.1). Slots held by requests in progress (a response still being produced or written)
//! are not taken: those wait for `server.request_timeout_ms`.
//!
//! When no slot has come free for [`SPARE_LANE_AFTER`] while clients wait (or
//! `server.reclaim_wait_ms` and a little more, if that is longer), every slot being busy
//! with a response (slow readers, long downloads), waiting clients go on a small spare lane
//! instead of waiting: [`SPARE_LANE`] connections beyond `server.max_connections`, one
//! request each, with at most a second for its head and its answer. There the health
//! probes (`server.healthz_path`, `server.readyz_path`) are answered as usual, so an
//! orchestrator's checks pass within a second however busy the server is; every other
//! request gets 503 with `Retry-After: 1` at once rather than a wait of up to
//! `server.request_timeout_ms`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};
use tokio::time::Instant;

use super::conn::Activity;

/// How long the acceptor waits for a slot after asking an idle connection to close, before
/// it asks the next one (the first may have received a request meanwhile).
const RECLAIM_WAIT: Duration = Duration::from_millis(50);

/// Connections the spare lane serves at once, beyond `server.max_connections`: enough for
/// an orchestrator's probes and a few clients told to come back, few enough that their
/// memory does not matter.
pub(super) const SPARE_LANE: usize = 16;

/// How long a new client waits for a slot before it goes on the spare lane: long enough for
/// an idle or unserved connection to give its slot back (so a burst of clients is served,
/// not turned away), short enough that a probe is answered well within a second.
pub(super) const SPARE_LANE_AFTER: Duration = Duration::from_millis(300);

/// How a connection holds its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lane {
    /// One of `server.max_connections`.
    Regular,
    /// The spare lane: health probes only, one request.
    Spare,
}

/// Every open connection's [`Activity`], so the acceptor can find the idle ones. Locked
/// once when a connection opens and once when it closes, and by the acceptor only while
/// all slots are taken.
pub(super) struct OpenConnections {
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Activity>>>,
    /// How long a connection must have held its slot without a complete request before it
    /// may give it up (`server.reclaim_wait_ms`): by default far longer than a real client
    /// takes to send its request once connected, short enough that a new client is served
    /// well within a second.
    unserved_min_age: Duration,
}

/// A connection's entry in [`OpenConnections`], removed when dropped.
pub(super) struct Registration {
    connections: Arc<OpenConnections>,
    id: u64,
}

impl OpenConnections {
    pub(super) fn new(unserved_min_age: Duration) -> Self {
        Self {
            next_id: AtomicU64::new(0),
            open: Mutex::default(),
            unserved_min_age,
        }
    }

    /// Enters a connection for as long as the returned registration lives.
    pub(super) fn register(self: &Arc<Self>, activity: &Arc<Activity>) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, Arc::clone(activity));
        Registration {
            connections: Arc::clone(self),
            id,
        }
    }

    /// Asks the connection idle for longest to close, else the one unserved for longest
    /// (at least `unserved_min_age`); false when there is none.
    fn close_one(&self) -> bool {
        let open = self.lock();
        let candidates = || open.values().filter(|activity| !activity.close_requested());
        let idle = candidates()
            .filter_map(|activity| activity.idle_since().map(|since| (since, activity)))
            .min_by_key(|(since, _)| *since);
        let oldest = idle.or_else(|| {
            let now = Instant::now();
            candidates()
                .filter_map(|activity| activity.unserved_since().map(|since| (since, activity)))
                .filter(|(since, _)| now.saturating_duration_since(*since) >= self.unserved_min_age)
                .min_by_key(|(since, _)| *since)
        });
        oldest.is_some_and(|(_, activity)| activity.request_close())
    }

    /// A slot for a connection just accepted: at once when one is free, else as soon as an
    /// idle or unserved connection has given its slot back, or one ends by itself; once no
    /// slot has come free for [`Self::spare_lane_after`], a place on the spare lane
    /// (`spare`) will do too. `full_since` is the acceptor's: since when no slot has come
    /// free (`None` while they do), so the clients queued behind the first one that waited
    /// do not each wait again. `None` only if a semaphore is closed (they never are).
    pub(super) async fn slot(
        &self,
        permits: &Arc<Semaphore>,
        spare: &Arc<Semaphore>,
        full_since: &mut Option<Instant>,
    ) -> Option<(OwnedSemaphorePermit, Lane)> {
        loop {
            match Arc::clone(permits).try_acquire_owned() {
                Ok(permit) => {
                    *full_since = None;
                    return Some((permit, Lane::Regular));
                }
                Err(TryAcquireError::Closed) => return None,
                Err(TryAcquireError::NoPermits) => {}
            }
            let asked = self.close_one();
            let wait = if asked {
                RECLAIM_WAIT
            } else {
                // Nothing to close now: wait for a slot, looking again from time to time
                // for connections that became idle or old enough.
                RECLAIM_WAIT * 4
            };
            let now = Instant::now();
            let spare_from = *full_since.get_or_insert(now) + self.spare_lane_after();
            let spare_open = now >= spare_from;
            // Awake again when the spare lane opens, if that comes first.
            let deadline = if spare_open {
                now + wait
            } else {
                (now + wait).min(spare_from)
            };
            tokio::select! {
                biased;
                permit = Arc::clone(permits).acquire_owned() => {
                    *full_since = None;
                    return permit.ok().map(|permit| (permit, Lane::Regular));
                }
                permit = Arc::clone(spare).acquire_owned(), if spare_open => {
                    return permit.ok().map(|permit| (permit, Lane::Spare));
                }
                () = tokio::time::sleep_until(deadline) => {}
            }
        }
    }

    /// How long a new client waits for a slot before it may go on the spare lane:
    /// [`SPARE_LANE_AFTER`], or longer when unserved connections keep their slots longer
    /// (`server.reclaim_wait_ms`), so that a client that would get one of theirs waits for it.
    fn spare_lane_after(&self) -> Duration {
        SPARE_LANE_AFTER.max(self.unserved_min_age + RECLAIM_WAIT)
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
