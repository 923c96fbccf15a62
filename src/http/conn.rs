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
//! - it is idle while every connection slot is taken and a new client needs one.
//!
//! Deadlines are absolute, so trickling bytes cannot extend them. State is a few atomics
//! updated by the response body guard and the socket wrapper: no lock, no allocation, and
//! one clock read per request phase change. All of it is touched only by the connection's
//! own task (the watchdog shares that task), so the atomics are never contended.
//!
//! Per-request head tracking is skipped on h2 connections, recognised by the start of the
//! prior-knowledge preface (`PRI `): h2 reads frames (PING, SETTINGS, WINDOW_UPDATE)
//! between requests, which are not a request head. Those keep the other three limits.
//! Every HTTP/1 connection is tracked, whatever its first method.
//!
//! The acceptor also reads these atomics, and asks an idle connection to close, but only
//! while every connection slot is taken (see [`super::idle_reclaim`]).

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::file_body::{FileBody, FileRegions};
use super::AppState;
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

    /// Asks the connection to close if it is still idle when its task looks; false when it
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
        if self.in_flight.fetch_add(1, Ordering::AcqRel) == 0 {
            self.busy_since.store(self.now_ms(), Ordering::Release);
        }
        self.requests.fetch_add(1, Ordering::AcqRel);
        self.reading_head.store(false, Ordering::Release);
        InFlight(Arc::clone(self))
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
            self.start + ms(&self.busy_since) + limits.request
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
pub(super) struct InFlight(Arc<Activity>);

impl InFlight {
    /// See [`Activity::progress`].
    fn progress(&self) {
        self.0.progress();
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0;
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
    /// It was idle when its slot was needed for a new connection.
    Reclaimed,
}

/// Resolves when the connection has overstayed one of its [`Limits`], or when a close was
/// requested ([`Activity::request_close`]) and it is idle.
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
                if activity.take_close_request() && activity.idle_since().is_some() {
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
    state: Arc<AppState>,
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
        state: Arc<AppState>,
        regions: Arc<FileRegions>,
    ) -> TrackedStream {
        TrackedStream {
            inner,
            activity,
            state,
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
            let snapshot = self.state.snapshot.load();
            if let Some(poll) =
                super::sendfile::poll_write_vectored(&self.inner, cx, bufs, &snapshot)
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

/// A response body: at most one pre-built chunk, or a region of a file
/// ([`FileBody`], media downloads). It carries the request's [`InFlight`] guard so the
/// watchdog knows when hyper is done with it.
#[derive(Debug)]
pub(super) struct ResponseBody {
    data: Option<Bytes>,
    file: Option<FileBody>,
    in_flight: Option<InFlight>,
}

impl ResponseBody {
    pub(super) fn new(data: Bytes) -> ResponseBody {
        ResponseBody {
            data: (!data.is_empty()).then_some(data),
            file: None,
            in_flight: None,
        }
    }

    pub(super) fn empty() -> ResponseBody {
        ResponseBody {
            data: None,
            file: None,
            in_flight: None,
        }
    }

    pub(super) fn file(file: FileBody) -> ResponseBody {
        ResponseBody {
            data: None,
            file: (file.remaining() > 0).then_some(file),
            in_flight: None,
        }
    }

    /// Bytes this body will send.
    pub(super) fn len(&self) -> u64 {
        self.data.as_ref().map_or(0, |d| d.len() as u64)
            + self.file.as_ref().map_or(0, FileBody::remaining)
    }

    pub(super) fn with_guard(mut self, guard: InFlight) -> ResponseBody {
        self.in_flight = Some(guard);
        self
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    /// Only a file body fails: the file could not be read (the connection is closed).
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(data) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        let Some(file) = self.file.as_mut() else {
            return Poll::Ready(None);
        };
        let chunk = file.next_chunk();
        if file.remaining() == 0 {
            self.file = None;
        }
        // hyper asks for the next chunk once the last one is (mostly) written: progress.
        if let Some(guard) = &self.in_flight {
            guard.progress();
        }
        Poll::Ready(chunk.map(|c| c.map(Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.file.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len())
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
