//! Per-connection time bounds: what hyper does not enforce by itself.
//!
//! hyper's `header_read_timeout` starts only once HTTP/1 parsing begins; the auto builder
//! first reads up to 24 bytes to tell HTTP/1 from h2 with no timeout at all, h2 has no
//! header timeout, and nothing bounds a client that stops reading its response. hyper's
//! timer also costs an allocation and two timer-wheel updates per request. So hyper's own
//! header timeout is off, and each connection runs next to a [`watchdog`] that closes it
//! when:
//!
//! - no request has arrived within `header_read_timeout` of accepting it (slowloris, or a
//!   silent client);
//! - the next request on a kept-alive HTTP/1 connection has started arriving (bytes were
//!   read while no request was in progress) but its head is not complete within
//!   `header_read_timeout` of its first byte;
//! - a request has been in progress (response not yet handed off, or the socket not
//!   accepting our bytes) for longer than `request_timeout` (slow or stalled readers);
//! - no request has been in progress for `idle_timeout` (idle keep-alive);
//! - it is idle, or has no complete request to serve, while every connection slot is taken
//!   and a new client needs one.
//!
//! Deadlines are absolute, so trickling bytes cannot extend them. State is a few atomics
//! updated by the response body guard and the socket wrapper: no lock, no allocation, and
//! one clock read per request phase change (on h2, also a clock read and an uncontended
//! lock per request, to bound each stream from its own start). All of it is touched only by the connection's
//! own task (the watchdog shares that task), so the atomics are never contended.
//!
//! Per-request head tracking is skipped on h2 connections, recognised by the start of the
//! prior-knowledge preface (`PRI `): h2 reads frames (PING, SETTINGS, WINDOW_UPDATE)
//! between requests, which are not a request head. Those keep the other three limits.
//! Every HTTP/1 connection is tracked, whatever its first method.
//!
//! The acceptor also reads these atomics, and asks an idle or unserved connection to close, but only
//! while every connection slot is taken (see [`super::idle_reclaim`]).

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::body_files::RecentBodyFiles;
use super::file_body::FileRegions;
use crate::config::ServerConfig;

/// The three connection time limits, from `server.*`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub(super) header_read: Duration,
    pub(super) request: Duration,
    pub(super) idle: Duration,
}

impl Limits {
    pub(super) fn from_config(server: &ServerConfig) -> Limits {
        Limits {
            header_read: server.header_read_timeout,
            request: server.request_timeout,
            idle: server.idle_timeout,
        }
    }

    /// The spare lane's: each bound at most a second (see [`super::idle_reclaim`]).
    pub(super) fn for_spare_lane(self) -> Limits {
        const SPARE: Duration = Duration::from_secs(1);
        Limits {
            header_read: self.header_read.min(SPARE),
            request: self.request.min(SPARE),
            idle: self.idle.min(SPARE),
        }
    }

    /// Longest sleep between checks: short enough that a switch to an earlier deadline
    /// (idle -> busy) is never noticed late.
    fn recheck(&self) -> Duration {
        self.header_read.min(self.request).min(self.idle)
    }
}

/// What the watchdog needs to know about one connection. Times are milliseconds since
/// `start`.
#[derive(Debug)]
pub(super) struct Activity {
    start: Instant,
    in_flight: AtomicUsize,
    requests: AtomicU64,
    busy_since: AtomicU64,
    last_done: AtomicU64,
    write_blocked: AtomicBool,
    /// Bytes of a request head have been read while no request was in progress, at
    /// `head_since`; cleared when the request begins.
    reading_head: AtomicBool,
    head_since: AtomicU64,
    /// 0: not known yet; 1: track request heads (HTTP/1); 2: do not (h2).
    head_tracking: AtomicU8,
    /// While not known: how many bytes of [`H2_PREFACE_START`] the connection opened with.
    preface_matched: AtomicU8,
    /// Set by the acceptor, under connection pressure, to ask this connection to close if
    /// it is idle (see [`super::idle_reclaim`]); `reclaim` wakes the watchdog for it.
    close_requested: AtomicBool,
    reclaim: Notify,
    /// h2 only: when each request in progress began (ms since `start`), oldest first. A
    /// client may always have some stream open; each request is bounded from its own start,
    /// not from when the connection last had none. (HTTP/1 serves one request at a time:
    /// `busy_since` is its start.) Locked by the connection's own task only.
    streams: Mutex<VecDeque<u64>>,
}

const HEADS_UNKNOWN: u8 = 0;
const HEADS_TRACKED: u8 = 1;
const HEADS_UNTRACKED: u8 = 2;

/// How an h2 prior-knowledge connection starts (`PRI * HTTP/2.0…`); no HTTP/1 method is
/// `PRI`, and POST, PUT, PATCH or PROPFIND differ by the third byte.
const H2_PREFACE_START: &[u8] = b"PRI ";

impl Activity {
    pub(super) fn new() -> Arc<Activity> {
        Arc::new(Activity {
            start: Instant::now(),
            in_flight: AtomicUsize::new(0),
            requests: AtomicU64::new(0),
            busy_since: AtomicU64::new(0),
            last_done: AtomicU64::new(0),
            write_blocked: AtomicBool::new(false),
            reading_head: AtomicBool::new(false),
            head_since: AtomicU64::new(0),
            head_tracking: AtomicU8::new(HEADS_UNKNOWN),
            preface_matched: AtomicU8::new(0),
            close_requested: AtomicBool::new(false),
            reclaim: Notify::new(),
            streams: Mutex::new(VecDeque::new()),
        })
    }

    /// Since when this is an idle HTTP/1 keep-alive connection: a request was answered and
    /// written out, and nothing of the next one has arrived. `None` otherwise, and for
    /// connections that may be h2, whose streams' bytes can still wait in h2's own buffers.
    pub(super) fn idle_since(&self) -> Option<Instant> {
        let idle = self.head_tracking.load(Ordering::Relaxed) == HEADS_TRACKED
            && self.requests.load(Ordering::Acquire) > 0
            && self.in_flight.load(Ordering::Acquire) == 0
            && !self.write_blocked.load(Ordering::Acquire)
            && !self.reading_head.load(Ordering::Acquire);
        idle.then(|| self.start + Duration::from_millis(self.last_done.load(Ordering::Acquire)))
    }

    /// Since when this connection holds a slot without a request to serve: accepted (or
    /// done with its last request and started on the next head) and no request head
    /// complete since; a silent or slow client, or an h2 connection with no stream yet.
    /// `None` while a request is in progress or a response is being written, and for an
    /// idle keep-alive connection ([`Self::idle_since`]).
    pub(super) fn unserved_since(&self) -> Option<Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 || self.write_blocked.load(Ordering::Acquire)
        {
            return None;
        }
        if self.requests.load(Ordering::Acquire) == 0 {
            return Some(self.start);
        }
        let head = self.head_tracking.load(Ordering::Relaxed) == HEADS_TRACKED
            && self.reading_head.load(Ordering::Acquire);
        head.then(|| self.start + Duration::from_millis(self.head_since.load(Ordering::Acquire)))
    }

    /// Whether the acceptor may take this connection's slot: idle, or unserved.
    fn reclaimable(&self) -> bool {
        self.idle_since().is_some() || self.unserved_since().is_some()
    }

    /// Asks the connection to close if it is still idle or unserved when its task looks; false when it
    /// was asked already and has not looked yet.
    pub(super) fn request_close(&self) -> bool {
        if self.close_requested.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.reclaim.notify_one();
        true
    }

    /// Whether a close was requested: cleared either way, so a connection that became busy
    /// meanwhile is asked again only by a later round.
    fn take_close_request(&self) -> bool {
        self.close_requested.swap(false, Ordering::AcqRel)
    }

    pub(super) fn close_requested(&self) -> bool {
        self.close_requested.load(Ordering::Acquire)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Marks a request as started; it ends when the returned guard (kept in the response
    /// body) is dropped, i.e. when hyper is done with the body or the connection dies.
    pub(super) fn begin(self: &Arc<Self>) -> InFlight {
        let h2 = self.head_tracking.load(Ordering::Relaxed) == HEADS_UNTRACKED;
        let mut now = None;
        if self.in_flight.fetch_add(1, Ordering::AcqRel) == 0 {
            let ms = self.now_ms();
            now = Some(ms);
            self.busy_since.store(ms, Ordering::Release);
        }
        self.requests.fetch_add(1, Ordering::AcqRel);
        self.reading_head.store(false, Ordering::Release);
        let stream_start = h2.then(|| {
            let ms = now.unwrap_or_else(|| self.now_ms());
            self.lock_streams().push_back(ms);
            AtomicU64::new(ms)
        });
        InFlight {
            activity: Arc::clone(self),
            stream_start,
        }
    }

    fn lock_streams(&self) -> MutexGuard<'_, VecDeque<u64>> {
        // A list of numbers stays consistent whatever panicked while holding it.
        self.streams.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A long response (a media download) made progress: the request time limit starts
    /// again, so `request_timeout` bounds a stall, not a whole download.
    pub(super) fn progress(&self) {
        self.busy_since.store(self.now_ms(), Ordering::Release);
    }

    /// Notes `data`, just read from the socket: the first bytes of a new request head when
    /// no request is in progress.
    fn on_read(&self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        let mut tracking = self.head_tracking.load(Ordering::Relaxed);
        if tracking == HEADS_UNKNOWN {
            tracking = self.tell_protocol(data);
        }
        if tracking == HEADS_TRACKED
            && self.in_flight.load(Ordering::Acquire) == 0
            && self.requests.load(Ordering::Acquire) > 0
            && !self.reading_head.load(Ordering::Acquire)
        {
            self.head_since.store(self.now_ms(), Ordering::Release);
            self.reading_head.store(true, Ordering::Release);
        }
    }

    /// Matches the connection's first bytes (`data` continues what was read before) with
    /// the h2 preface; the verdict once known, else [`HEADS_UNKNOWN`]. The first request's
    /// head is bounded from the accept meanwhile, tracked or not.
    fn tell_protocol(&self, data: &[u8]) -> u8 {
        let mut matched = usize::from(self.preface_matched.load(Ordering::Relaxed));
        let mut verdict = HEADS_UNKNOWN;
        for &byte in data {
            if H2_PREFACE_START.get(matched) != Some(&byte) {
                verdict = HEADS_TRACKED;
                break;
            }
            matched += 1;
            if matched == H2_PREFACE_START.len() {
                verdict = HEADS_UNTRACKED;
                break;
            }
        }
        // At most the preface's 4 bytes.
        self.preface_matched
            .store(u8::try_from(matched).unwrap_or(u8::MAX), Ordering::Relaxed);
        self.head_tracking.store(verdict, Ordering::Relaxed);
        verdict
    }

    fn deadline(&self, limits: &Limits) -> Instant {
        let ms = |a: &AtomicU64| Duration::from_millis(a.load(Ordering::Acquire));
        let busy = self.in_flight.load(Ordering::Acquire) > 0
            || self.write_blocked.load(Ordering::Acquire);
        if busy {
            let oldest_stream = if self.in_flight.load(Ordering::Acquire) > 0 {
                self.lock_streams().front().copied()
            } else {
                None
            };
            let since = oldest_stream.map_or_else(|| ms(&self.busy_since), Duration::from_millis);
            self.start + since + limits.request
        } else if self.requests.load(Ordering::Acquire) == 0 {
            self.start + limits.header_read
        } else if self.reading_head.load(Ordering::Acquire) {
            (self.start + ms(&self.head_since) + limits.header_read)
                .min(self.start + ms(&self.last_done) + limits.idle)
        } else {
            self.start + ms(&self.last_done) + limits.idle
        }
    }
}

/// A request in progress; see [`Activity::begin`].
#[derive(Debug)]
pub(super) struct InFlight {
    activity: Arc<Activity>,
    /// h2: when it began (or last made progress), as entered in [`Activity`]'s streams.
    stream_start: Option<AtomicU64>,
}

impl InFlight {
    /// See [`Activity::progress`]. On h2 the stream's own start moves to now too (to the
    /// back of the streams, which stay in time order), since h2 requests are bounded from
    /// their own start.
    pub(super) fn progress(&self) {
        let activity = &self.activity;
        activity.progress();
        if let Some(start) = &self.stream_start {
            let now = activity.now_ms();
            let mut streams = activity.lock_streams();
            let old = start.swap(now, Ordering::AcqRel);
            if let Some(at) = streams.iter().position(|&t| t == old) {
                streams.remove(at);
            }
            streams.push_back(now);
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.activity;
        if let Some(started) = &self.stream_start {
            let started = started.load(Ordering::Acquire);
            let mut streams = activity.lock_streams();
            if let Some(at) = streams.iter().position(|&t| t == started) {
                streams.remove(at);
            }
        }
        if activity.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            activity
                .last_done
                .store(activity.now_ms(), Ordering::Release);
        }
    }
}

/// Why the watchdog ends a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Closing {
    /// It overstayed one of its [`Limits`].
    TimeLimit,
    /// It was idle or unserved (see [`super::idle_reclaim`]) when its slot was needed for
    /// a new connection.
    Reclaimed,
}

/// Resolves when the connection has overstayed one of its [`Limits`], or when a close was
/// requested ([`Activity::request_close`]) and it is idle or unserved.
pub(super) async fn watchdog(activity: &Activity, limits: Limits) -> Closing {
    let recheck = limits.recheck();
    loop {
        let deadline = activity.deadline(&limits);
        let now = Instant::now();
        if now >= deadline {
            return Closing::TimeLimit;
        }
        tokio::select! {
            () = tokio::time::sleep_until(deadline.min(now + recheck)) => {}
            () = activity.reclaim.notified() => {
                if activity.take_close_request() && activity.reclaimable() {
                    return Closing::Reclaimed;
                }
            }
        }
    }
}

/// The TCP stream, noting whether the peer is refusing our bytes (write returned pending),
/// and sending the snapshot's large bodies and media files with `sendfile` (see
/// [`super::sendfile`] and [`super::file_body`]).
pub(super) struct TrackedStream {
    inner: TcpStream,
    activity: Arc<Activity>,
    /// Where large bodies' files are found (`sendfile` exists on Linux only).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    files: Arc<RecentBodyFiles>,
    /// The media file regions this connection's responses have queued.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    regions: Arc<FileRegions>,
    /// Whether the socket is corked while media bytes go out (see `media_sendfile`).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    corked: bool,
}

impl TrackedStream {
    pub(super) fn new(
        inner: TcpStream,
        activity: Arc<Activity>,
        files: Arc<RecentBodyFiles>,
        regions: Arc<FileRegions>,
    ) -> TrackedStream {
        TrackedStream {
            inner,
            activity,
            files,
            regions,
            corked: false,
        }
    }

    fn track<T>(&self, poll: Poll<T>) -> Poll<T> {
        let blocked = poll.is_pending();
        if blocked && !self.activity.write_blocked.load(Ordering::Relaxed) {
            // Blocked writes count as a request in progress, from when it started.
            if self.activity.in_flight.load(Ordering::Acquire) == 0 {
                self.activity
                    .busy_since
                    .store(self.activity.now_ms(), Ordering::Release);
            }
        }
        self.activity
            .write_blocked
            .store(blocked, Ordering::Release);
        poll
    }
}

impl AsyncRead for TrackedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = poll {
            self.activity.on_read(&buf.filled()[before..]);
        }
        poll
    }
}

impl AsyncWrite for TrackedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        #[cfg(target_os = "linux")]
        if super::file_body::is_placeholder(buf) {
            return self.poll_write_vectored(cx, &[io::IoSlice::new(buf)]);
        }
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.track(poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // Placeholders first: their bytes must never be written from memory.
        #[cfg(target_os = "linux")]
        if let Some(at) = super::media_sendfile::first_placeholder(bufs) {
            let poll = if at >= 2 {
                // Not hyper's shape for our responses: what comes before goes first.
                Pin::new(&mut self.inner).poll_write_vectored(cx, &bufs[..at])
            } else {
                let this = &mut *self;
                super::media_sendfile::poll_send(
                    &this.inner,
                    cx,
                    bufs[..at].first(),
                    bufs[at].len(),
                    &this.regions,
                    &mut this.corked,
                )
            };
            if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
                self.activity.progress();
            }
            return self.track(poll);
        }
        #[cfg(target_os = "linux")]
        if super::sendfile::worth_trying(bufs) {
            if let Some(poll) =
                super::sendfile::poll_write_vectored(&self.inner, cx, bufs, &self.files)
            {
                return self.track(poll);
            }
        }
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.track(poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.track(poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            header_read: Duration::from_secs(10),
            request: Duration::from_secs(30),
            idle: Duration::from_secs(50),
        }
    }

    fn close(a: Instant, b: Instant) -> bool {
        let diff = if a > b { a - b } else { b - a };
        diff < Duration::from_millis(500)
    }

    #[test]
    fn deadlines_follow_the_connection_phase() {
        let a = Activity::new();
        let start = a.start;
        assert_eq!(a.deadline(&limits()), start + Duration::from_secs(10));
        let guard = a.begin();
        assert!(close(
            a.deadline(&limits()),
            start + Duration::from_secs(30)
        ));
        let second = a.begin();
        drop(guard);
        assert!(close(
            a.deadline(&limits()),
            start + Duration::from_secs(30)
        ));
        drop(second);
        assert!(close(
            a.deadline(&limits()),
            start + Duration::from_secs(50)
        ));
        a.write_blocked.store(true, Ordering::Release);
        assert!(close(
            a.deadline(&limits()),
            start + Duration::from_secs(30)
        ));
    }

    /// On h2 a request is bounded from its own start, however long the connection has had
    /// some stream open.
    #[test]
    fn h2_requests_are_bounded_from_their_own_start() {
        let a = Activity::new();
        a.on_read(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        let start = a.start;
        let first = a.begin();
        assert!(close(
            a.deadline(&limits()),
            start + Duration::from_secs(30)
        ));
        std::thread::sleep(Duration::from_millis(1200));
        let second = a.begin();
        drop(first);
        let deadline = a.deadline(&limits());
        assert!(
            deadline >= start + Duration::from_millis(31_100),
            "from the second request's start: {:?}",
            deadline - start
        );
        drop(second);
        assert!(a.lock_streams().is_empty());
    }

    #[tokio::test]
    async fn watchdog_fires_at_the_deadline() {
        let a = Activity::new();
        let limits = Limits {
            header_read: Duration::from_millis(200),
            ..limits()
        };
        let started = Instant::now();
        let closing = tokio::time::timeout(Duration::from_secs(5), watchdog(&a, limits))
            .await
            .expect("watchdog fires");
        assert_eq!(closing, Closing::TimeLimit);
        assert!(started.elapsed() >= Duration::from_millis(200));
    }

    #[test]
    fn idle_means_an_answered_http1_request_and_nothing_since() {
        let a = Activity::new();
        assert_eq!(a.idle_since(), None, "no request yet");
        a.on_read(b"GET / HTTP/1.1\r\n\r\n");
        let guard = a.begin();
        assert_eq!(a.idle_since(), None, "request in progress");
        drop(guard);
        assert!(a.idle_since().is_some(), "answered");
        a.write_blocked.store(true, Ordering::Release);
        assert_eq!(a.idle_since(), None, "response still being written");
        a.write_blocked.store(false, Ordering::Release);
        a.on_read(b"GET");
        assert_eq!(a.idle_since(), None, "next request arriving");

        // HTTP/1 opening with POST is tracked like any other; h2 never taken for idle.
        let post = Activity::new();
        post.on_read(b"P");
        post.on_read(b"OST / HTTP/1.1\r\n\r\n");
        drop(post.begin());
        assert!(post.idle_since().is_some());
        post.on_read(b"G");
        assert!(
            post.reading_head.load(Ordering::Acquire),
            "next head tracked"
        );
        let h2 = Activity::new();
        h2.on_read(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        drop(h2.begin());
        assert_eq!(h2.idle_since(), None);
    }

    #[test]
    fn unserved_means_no_complete_request_head_since_the_slot_was_taken() {
        let a = Activity::new();
        assert_eq!(a.unserved_since(), Some(a.start), "silent since accepted");
        a.on_read(b"GET / HTT");
        assert_eq!(a.unserved_since(), Some(a.start), "first head incomplete");
        let guard = a.begin();
        assert_eq!(a.unserved_since(), None, "request in progress");
        drop(guard);
        assert_eq!(a.unserved_since(), None, "idle keep-alive, not unserved");
        assert!(a.idle_since().is_some());
        a.on_read(b"G");
        assert!(
            a.unserved_since().is_some(),
            "next head started, not complete"
        );
        a.write_blocked.store(true, Ordering::Release);
        assert_eq!(a.unserved_since(), None, "response being written");

        let h2 = Activity::new();
        h2.on_read(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        assert!(h2.unserved_since().is_some(), "no stream yet");
        drop(h2.begin());
        h2.on_read(b"\0\0\0\x04");
        assert_eq!(h2.unserved_since(), None, "h2 frames between requests");
    }

    #[tokio::test]
    async fn watchdog_closes_unserved_connection_on_request() {
        let a = Activity::new();
        a.on_read(b"GET / HTT");
        assert!(a.request_close());
        let closing = tokio::time::timeout(Duration::from_secs(5), watchdog(&a, limits()))
            .await
            .expect("closes at once");
        assert_eq!(closing, Closing::Reclaimed);
    }

    #[tokio::test]
    async fn watchdog_closes_on_request_only_when_idle() {
        let a = Activity::new();
        a.on_read(b"GET / HTTP/1.1\r\n\r\n");
        let guard = a.begin();
        assert!(a.request_close());
        assert!(!a.request_close(), "asked already");
        let busy = tokio::time::timeout(Duration::from_millis(200), watchdog(&a, limits())).await;
        assert!(busy.is_err(), "a busy connection stays");
        assert!(
            !a.close_requested(),
            "the request was looked at and dropped"
        );

        drop(guard);
        assert!(a.request_close());
        let closing = tokio::time::timeout(Duration::from_secs(5), watchdog(&a, limits()))
            .await
            .expect("closes at once");
        assert_eq!(closing, Closing::Reclaimed);
    }
}
