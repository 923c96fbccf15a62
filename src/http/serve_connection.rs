//! Serves one accepted connection: hyper's HTTP/1.1 + h2c builder, the request service, and
//! the [`super::conn`] watchdog beside it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::service::service_fn;
use hyper::{Request, Version};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::Watcher;
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;

use super::access_log;
use super::body_files::RecentBodyFiles;
use super::conn::{self, Activity, Closing, Limits, TrackedStream};
use super::file_body::FileRegions;
use super::handler::handle;
use super::idle_reclaim::{Lane, OpenConnections};
use super::router::Router;
use super::AppState;
use crate::config::Config;

/// What every connection task needs, shared by all workers.
pub(super) struct Shared {
    pub(super) state: Arc<AppState>,
    pub(super) builder: auto::Builder<TokioExecutor>,
    /// For the spare lane (see [`super::idle_reclaim`]): HTTP/1.1, one request.
    pub(super) spare_builder: auto::Builder<TokioExecutor>,
    pub(super) router: Router,
    pub(super) limits: Limits,
    pub(super) spare_limits: Limits,
    pub(super) open: Arc<OpenConnections>,
}

/// A connection handed from the acceptor to a worker.
pub(super) struct Accepted {
    pub(super) stream: std::net::TcpStream,
    pub(super) peer: SocketAddr,
    pub(super) permit: OwnedSemaphorePermit,
    pub(super) lane: Lane,
    pub(super) watcher: Watcher,
}

/// Serves one connection until it ends, its time limits are exceeded, or shutdown.
pub(super) async fn serve_connection(
    stream: TcpStream,
    (peer, lane): (SocketAddr, Lane),
    permit: OwnedSemaphorePermit,
    watcher: Watcher,
    shared: Arc<Shared>,
) {
    let _permit = permit;
    // Small responses written whole: no reason to wait for Nagle.
    let _ = stream.set_nodelay(true);
    let activity = Activity::new();
    // The spare lane's connections are not there to be reclaimed: each ends by itself,
    // within a second.
    let _registration = (lane == Lane::Regular).then(|| shared.open.register(&activity));
    let (builder, limits) = match lane {
        Lane::Regular => (&shared.builder, shared.limits),
        Lane::Spare => (&shared.spare_builder, shared.spare_limits),
    };
    let files = Arc::new(RecentBodyFiles::default());
    let regions = Arc::new(FileRegions::default());
    let io = TokioIo::new(TrackedStream::new(
        stream,
        Arc::clone(&activity),
        Arc::clone(&files),
        Arc::clone(&regions),
    ));
    let service = {
        let shared = Arc::clone(&shared);
        let activity = Arc::clone(&activity);
        // Only the socket writer of this connection knows how to send media regions.
        let regions = cfg!(target_os = "linux").then_some(regions);
        // Formatted once per connection, not per logged request.
        let remote: Box<str> = peer.ip().to_string().into();
        service_fn(move |request: Request<hyper::body::Incoming>| {
            let guard = activity.begin();
            let h2 = request.version() == Version::HTTP_2;
            let response = handle(
                &shared.state,
                &shared.router,
                &request,
                (&remote, lane),
                regions.as_ref(),
            )
            .map(|body| {
                let body = body.with_guard(guard);
                if h2 {
                    // No sendfile on h2: its bytes go through h2's frames.
                    body.for_h2()
                } else {
                    body
                }
            });
            if let Some((bytes, file)) = response.body().filed() {
                files.note(bytes, file);
            }
            std::future::ready(Ok::<_, Infallible>(response))
        })
    };
    let connection = watcher.watch(builder.serve_connection(io, service));
    tokio::select! {
        // The connection first: it is what every wake-up is for.
        biased;
        result = connection => {
            if let Err(error) = result {
                match rejected_status(&*error) {
                    Some(status) => access_log::log_rejected(
                        &shared.state.metrics,
                        &shared.router.other,
                        peer,
                        status,
                        &*error,
                    ),
                    None => tracing::debug!(%peer, %error, "connection ended with an error"),
                }
            }
        }
        closing = conn::watchdog(&activity, limits) => match closing {
            Closing::TimeLimit => tracing::debug!(%peer, "connection closed: time limit exceeded"),
            Closing::Reclaimed => {
                tracing::debug!(%peer, "idle connection closed: its slot is needed");
            }
        },
    }
}

/// The status hyper answered a request it refused before routing (a malformed request,
/// headers over the limit), or `None` when the connection ended otherwise.
fn rejected_status(error: &(dyn std::error::Error + 'static)) -> Option<u16> {
    let error = error.downcast_ref::<hyper::Error>()?;
    if error.is_parse_too_large() {
        Some(431)
    } else if error.is_parse() || error.is_parse_status() {
        Some(400)
    } else {
        None
    }
}

/// The spare lane's connection settings: [`connection_builder`]'s, HTTP/1.1 only (probes
/// speak it), and no keep-alive, so each connection answers one request and gives its place
/// back.
pub(super) fn spare_lane_builder(cfg: &Config) -> auto::Builder<TokioExecutor> {
    let mut builder = connection_builder(cfg);
    builder.http1().keep_alive(false);
    builder.http1_only()
}

/// hyper's connection settings for both protocols, from `server.*`.
pub(super) fn connection_builder(cfg: &Config) -> auto::Builder<TokioExecutor> {
    let server = &cfg.server;
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // hyper's h1 read buffer bound is also its header size bound (431 when exceeded); it
    // cannot go below 8 KiB.
    let max_buf = server.max_header_bytes.max(8192);
    // No hyper timer and no hyper header timeout on HTTP/1: hyper would allocate and arm a
    // timer for every request. `conn::watchdog` enforces `server.header_read_timeout` for
    // every request head instead, at the cost of a clock read.
    builder
        .http1()
        .header_read_timeout(None)
        .max_buf_size(max_buf)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(server.max_header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(128);
    builder
}
