//! The HTTP server: accept loop, connection limits, graceful shutdown, routing and
//! responses (SPEC §4), plus the `healthcheck` probe used by the container.
//!
//! A feed request does one `ArcSwap` load, an exact route match on the path (query ignored,
//! absolute-form targets reduced to their path, nothing ever resolved against a file
//! system), a conditional check and a write of pre-built bytes and header values taken from
//! the current [`Snapshot`]. HTTP/1.1 keep-alive and h2c (prior knowledge) are both served.
//!
//! Submodules: [`negotiate`] (Accept-Encoding and preconditions), [`conn`] (per-connection
//! time bounds, the socket wrapper and the response body type), `sendfile` (zero-copy
//! writes of large bodies, Linux).

mod clock;
pub mod conn;
pub mod negotiate;
#[cfg(target_os = "linux")]
mod sendfile;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::convert::Infallible;
use std::future::Future;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode, Version};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::config::Config;
use crate::metrics::{self, Metrics, RouteMetrics};
use crate::snapshot::{Coding, Representation, Resource, Snapshot};
use conn::{Activity, Limits, ResponseBody, TrackedStream};
use negotiate::IfNoneMatch;

/// Everything a request handler reads: fixed config, the swappable snapshot, metrics.
pub struct AppState {
    pub config: Arc<Config>,
    pub snapshot: ArcSwap<Snapshot>,
    pub metrics: Metrics,
}

/// What every connection task needs, shared by all workers.
struct Shared {
    state: Arc<AppState>,
    builder: auto::Builder<TokioExecutor>,
    router: Router,
    limits: Limits,
}

/// A connection handed from the acceptor to a worker.
struct Accepted {
    stream: std::net::TcpStream,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
    watcher: Watcher,
}

/// Accepts connections until `shutdown` resolves, then drains gracefully: the listener is
/// closed, idle connections are closed, in-flight requests get `server.shutdown_grace` to
/// finish, and whatever is left after that is aborted. Returns `Ok` in every case but a
/// failure to start the workers.
///
/// Connections are served by `server.workers` threads, each running a single-threaded
/// runtime; this task only accepts and deals connections to them in turn. One event loop
/// per core, like nginx's worker processes: a connection's wake-ups, timers and buffers
/// stay on one thread, with no work stealing or cross-thread wake-ups per request.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let server = &state.config.server;
    let grace = server.shutdown_grace;
    let shared = Arc::new(Shared {
        builder: connection_builder(&state.config),
        router: Router::new(&state.config, &state.metrics),
        limits: Limits::from_config(server),
        state: Arc::clone(&state),
    });
    let (abort, aborted) = watch::channel(false);
    let workers = start_workers(server.workers.max(1), &shared, &aborted)?;
    // Waiting for a permit before `accept` leaves excess connections in the kernel backlog
    // instead of accepting and dropping them.
    let permits = Arc::new(Semaphore::new(server.max_connections));
    let graceful = GracefulShutdown::new();
    let mut next_worker = 0;
    tokio::pin!(shutdown);

    loop {
        let permit = tokio::select! {
            biased;
            () = &mut shutdown => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break, // the semaphore is never closed
            },
        };
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_error(error).await;
                    continue;
                }
            },
        };
        // Handed over as a plain socket: the worker registers it with its own event loop.
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(error) => {
                tracing::debug!(%peer, %error, "cannot hand the connection to a worker");
                continue;
            }
        };
        let accepted = Accepted {
            stream,
            peer,
            permit,
            watcher: graceful.watcher(),
        };
        // Round robin; a worker is only gone if its thread died, then the next one serves.
        let mut pending = Some(accepted);
        for _ in 0..workers.len() {
            let worker = &workers[next_worker];
            next_worker = (next_worker + 1) % workers.len();
            match pending.take().map(|a| worker.connections.send(a)) {
                Some(Err(returned)) => pending = Some(returned.0),
                _ => break,
            }
        }
        if pending.is_some() {
            tracing::error!("no HTTP worker is running; stopping the server");
            break;
        }
    }

    // Stop accepting first: new clients are refused by the kernel, not left hanging.
    drop(listener);
    let open = graceful.count();
    tracing::info!(open_connections = open, "shutting down HTTP server");
    let mut finished = Vec::with_capacity(workers.len());
    for worker in workers {
        // Closing the queue tells the worker no more connections are coming.
        drop(worker.connections);
        finished.push(worker.finished);
    }
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_ms = u64::try_from(grace.as_millis()).unwrap_or(u64::MAX),
            "connections still open after the shutdown grace period; closing them"
        );
    }
    let _ = abort.send(true);
    for done in finished {
        // Aborting is immediate; the bound only guards against a worker that hangs. An
        // error means the worker thread is already gone.
        let _ = tokio::time::timeout(Duration::from_secs(5), done).await;
    }
    Ok(())
}

/// The acceptor's side of one worker thread.
struct WorkerHandle {
    connections: mpsc::UnboundedSender<Accepted>,
    finished: oneshot::Receiver<()>,
}

/// Builds every worker's runtime here, so a failure is reported before serving starts,
/// then runs each on its own thread.
fn start_workers(
    count: usize,
    shared: &Arc<Shared>,
    aborted: &watch::Receiver<bool>,
) -> std::io::Result<Vec<WorkerHandle>> {
    let mut workers = Vec::with_capacity(count);
    for index in 0..count {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (connections, incoming) = mpsc::unbounded_channel();
        let (done, finished) = oneshot::channel();
        let shared = Arc::clone(shared);
        let aborted = aborted.clone();
        std::thread::Builder::new()
            .name(format!("feedwright-http-{index}"))
            .spawn(move || {
                runtime.block_on(worker(incoming, aborted, shared));
                drop(runtime);
                let _ = done.send(());
            })?;
        workers.push(WorkerHandle {
            connections,
            finished,
        });
    }
    Ok(workers)
}

/// One worker: serves the connections dealt to it until the acceptor closes the queue, then
/// lets them finish (graceful shutdown) until told to abort what is left.
async fn worker(
    mut incoming: mpsc::UnboundedReceiver<Accepted>,
    mut aborted: watch::Receiver<bool>,
    shared: Arc<Shared>,
) {
    let mut connections = JoinSet::new();
    while let Some(accepted) = incoming.recv().await {
        // Reap finished connection tasks so the set only holds live ones.
        while connections.try_join_next().is_some() {}
        let peer = accepted.peer;
        match TcpStream::from_std(accepted.stream) {
            Ok(stream) => {
                connections.spawn(connection(
                    stream,
                    peer,
                    accepted.permit,
                    accepted.watcher,
                    Arc::clone(&shared),
                ));
            }
            Err(error) => tracing::debug!(%peer, %error, "cannot register the connection"),
        }
    }
    tokio::select! {
        () = async { while connections.join_next().await.is_some() {} } => {}
        // Also when the sender is gone: nobody is left to wait for the stragglers.
        _ = aborted.wait_for(|aborted| *aborted) => {}
    }
    connections.shutdown().await;
}

/// Serves one connection until it ends, its time limits are exceeded, or shutdown.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    permit: OwnedSemaphorePermit,
    watcher: Watcher,
    shared: Arc<Shared>,
) {
    let _permit = permit;
    // Small responses written whole: no reason to wait for Nagle.
    let _ = stream.set_nodelay(true);
    let activity = Activity::new();
    let io = TokioIo::new(TrackedStream::new(
        stream,
        Arc::clone(&activity),
        Arc::clone(&shared.state),
    ));
    let service = {
        let shared = Arc::clone(&shared);
        let activity = Arc::clone(&activity);
        // Formatted once per connection, not per logged request.
        let remote: Box<str> = peer.ip().to_string().into();
        service_fn(move |request: Request<hyper::body::Incoming>| {
            let guard = activity.begin();
            let response = handle(&shared.state, &shared.router, &request, &remote)
                .map(|body| body.with_guard(guard));
            std::future::ready(Ok::<_, Infallible>(response))
        })
    };
    let connection = watcher.watch(shared.builder.serve_connection(io, service));
    tokio::select! {
        // The connection first: it is what every wake-up is for.
        biased;
        result = connection => {
            if let Err(error) = result {
                match rejected_status(&*error) {
                    Some(status) => log_rejected(&shared, peer, status, &*error),
                    None => tracing::debug!(%peer, %error, "connection ended with an error"),
                }
            }
        }
        () = conn::watchdog(&activity, shared.limits) => {
            tracing::debug!(%peer, "connection closed: time limit exceeded");
        }
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

/// A request hyper refused never reaches [`handle`]; it still gets its access-log line and
/// is counted (under the `other` route), so operators see what clients are sending.
fn log_rejected(
    shared: &Shared,
    peer: SocketAddr,
    status: u16,
    error: &(dyn std::error::Error + 'static),
) {
    shared
        .router
        .other
        .observe(&shared.state.metrics, status, 0);
    tracing::info!(
        target: "access",
        method = "-",
        path = "-",
        status,
        bytes = 0u64,
        duration_us = 0u64,
        remote = &*peer.ip().to_string(),
        proto = "HTTP/1.1",
        user_agent = "-",
        // A string, not a `Display` value: the text format quotes (and escapes) strings
        // only. A rare path; the allocation does not matter.
        rejected = &*error.to_string(),
    );
}

/// Transient accept failures (out of file descriptors, aborted handshakes) must not end the
/// server or spin the loop.
async fn accept_error(error: std::io::Error) {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted => {
            tracing::debug!(%error, "accept failed");
        }
        _ => {
            tracing::warn!(%error, "accept failed; retrying shortly");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn connection_builder(cfg: &Config) -> auto::Builder<TokioExecutor> {
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

/// What a configured path serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Feed,
    Healthz,
    Readyz,
    Metrics,
}

struct Route {
    path: Box<str>,
    kind: Kind,
    metrics: RouteMetrics,
}

/// Configured paths with their pre-resolved metrics; everything else is 404 / `other`.
struct Router {
    routes: Vec<Route>,
    other: RouteMetrics,
}

impl Router {
    fn new(cfg: &Config, metrics: &Metrics) -> Router {
        let mut paths = vec![
            (cfg.feeds.rss_path.as_str(), Kind::Feed),
            (cfg.feeds.atom_path.as_str(), Kind::Feed),
            (cfg.feeds.index_path.as_str(), Kind::Feed),
            (cfg.server.healthz_path.as_str(), Kind::Healthz),
            (cfg.server.readyz_path.as_str(), Kind::Readyz),
            (cfg.server.metrics_path.as_str(), Kind::Metrics),
        ];
        if let Some(alias) = &cfg.feeds.rss_alias_path {
            paths.push((alias.as_str(), Kind::Feed));
        }
        Router {
            routes: paths
                .into_iter()
                .map(|(path, kind)| Route {
                    path: path.into(),
                    kind,
                    metrics: metrics.route(path),
                })
                .collect(),
            other: metrics.route(metrics::OTHER_ROUTE),
        }
    }

    fn find(&self, path: &str) -> Option<&Route> {
        self.routes.iter().find(|route| &*route.path == path)
    }
}

const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
const VARY_AE: HeaderValue = HeaderValue::from_static("Accept-Encoding");
const ALLOW: HeaderValue = HeaderValue::from_static("GET, HEAD");

/// Answers one request, records metrics and writes the access log line.
fn handle(
    state: &AppState,
    router: &Router,
    request: &Request<hyper::body::Incoming>,
    remote: &str,
) -> Response<ResponseBody> {
    let started = Instant::now();
    // `path()` of an absolute-form target is its path; the query is never looked at.
    let path = request.uri().path();
    let route = router.find(path);
    let response = match route {
        _ if !host_is_valid(request) => text(
            request,
            StatusCode::BAD_REQUEST,
            Bytes::from_static(b"bad request: send one Host header, with a valid host[:port]\n"),
        ),
        None => text(
            request,
            StatusCode::NOT_FOUND,
            Bytes::from_static(b"not found\n"),
        ),
        Some(_) if !matches!(*request.method(), Method::GET | Method::HEAD) => {
            let mut response = text(
                request,
                StatusCode::METHOD_NOT_ALLOWED,
                Bytes::from_static(b"method not allowed\n"),
            );
            response.headers_mut().insert(header::ALLOW, ALLOW);
            response
        }
        Some(route) => match route.kind {
            Kind::Feed => feed(state, request, path),
            Kind::Healthz => text(request, StatusCode::OK, Bytes::from_static(b"ok\n")),
            Kind::Readyz => {
                let snapshot = state.snapshot.load();
                let status = if snapshot.is_ready() {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                };
                text(request, status, snapshot.readyz_body().clone())
            }
            Kind::Metrics => {
                let mut response =
                    text(request, StatusCode::OK, Bytes::from(state.metrics.encode()));
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(metrics::CONTENT_TYPE),
                );
                response
            }
        },
    };

    let status = response.status().as_u16();
    let bytes = response.body().len() as u64;
    route
        .map_or(&router.other, |route| &route.metrics)
        .observe(&state.metrics, status, bytes);
    tracing::info!(
        target: "access",
        method = %request.method(),
        path,
        status,
        bytes,
        duration_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        remote,
        proto = protocol(request.version()),
        // Non-ASCII bytes are logged (as UTF-8, or replaced), not lost; the log format
        // escapes whatever is not printable.
        user_agent = &*request
            .headers()
            .get(header::USER_AGENT)
            .map_or(std::borrow::Cow::Borrowed("-"), |v| {
                String::from_utf8_lossy(v.as_bytes())
            }),
    );
    response
}

/// The protocol as access logs name it.
fn protocol(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "HTTP/0.9",
        Version::HTTP_10 => "HTTP/1.0",
        Version::HTTP_2 => "HTTP/2.0",
        Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP/1.1",
    }
}

/// RFC 9112 §3.2: a server must answer 400 to a request with more than one Host field line
/// or an invalid Host value, whatever its version, and to an HTTP/1.1 request without one
/// (HTTP/1.0 may omit it; HTTP/2 carries `:authority`, which h2 checks, and usually no Host).
fn host_is_valid<B>(request: &Request<B>) -> bool {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (Some(host), None) => host_value_is_valid(host.as_bytes()),
        (Some(_), Some(_)) => false,
        (None, _) => request.version() != Version::HTTP_11,
    }
}

/// A Host value: `uri-host [ ":" port ]` (RFC 9110 §7.2 and RFC 3986 §3.2.2-3.2.3), where
/// `uri-host` is an IP literal in brackets or a reg-name (which IPv4 addresses also are),
/// and `port` is `*DIGIT`. Empty is valid: what a client sends for a target without an
/// authority. No allocation; a Host value is a few dozen bytes.
fn host_value_is_valid(value: &[u8]) -> bool {
    let port = match value.strip_prefix(b"[") {
        Some(literal) => {
            let Some(end) = literal.iter().position(|&b| b == b']') else {
                return false;
            };
            let (inside, rest) = literal.split_at(end);
            if !ip_literal_is_valid(inside) {
                return false;
            }
            rest.get(1..).unwrap_or_default()
        }
        None => {
            let end = value.iter().position(|&b| b == b':').unwrap_or(value.len());
            let (name, rest) = value.split_at(end);
            if !reg_name_is_valid(name) {
                return false;
            }
            rest
        }
    };
    match port {
        [] => true,
        [b':', digits @ ..] => digits.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// RFC 3986 `unreserved`.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 `sub-delims`.
fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// RFC 3986 `reg-name = *( unreserved / pct-encoded / sub-delims )`.
fn reg_name_is_valid(mut name: &[u8]) -> bool {
    while let Some((&first, rest)) = name.split_first() {
        name = match (first, rest) {
            (b'%', [hi, lo, rest @ ..]) if hi.is_ascii_hexdigit() && lo.is_ascii_hexdigit() => rest,
            (b, rest) if is_unreserved(b) || is_sub_delim(b) => rest,
            _ => return false,
        };
    }
    true
}

/// What RFC 3986 allows between `[` and `]`: an IPv6 address (no zone id), or
/// `IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )`.
fn ip_literal_is_valid(inside: &[u8]) -> bool {
    if let Some(future) = inside.strip_prefix(b"v").or(inside.strip_prefix(b"V")) {
        let dot = future.iter().position(|&b| b == b'.').unwrap_or(0);
        let (version, rest) = future.split_at(dot);
        let rest = rest.get(1..).unwrap_or_default();
        return !version.is_empty()
            && version.iter().all(u8::is_ascii_hexdigit)
            && !rest.is_empty()
            && rest
                .iter()
                .all(|&b| is_unreserved(b) || is_sub_delim(b) || b == b':');
    }
    std::str::from_utf8(inside)
        .ok()
        .is_some_and(|text| text.parse::<Ipv6Addr>().is_ok())
}

/// A feed or index route: pre-built bytes, ETag/Last-Modified, negotiation, conditionals.
fn feed<B>(state: &AppState, request: &Request<B>, path: &str) -> Response<ResponseBody> {
    let snapshot = state.snapshot.load();
    let Some(resource) = snapshot.resource(path) else {
        if snapshot.is_ready() {
            return text(
                request,
                StatusCode::NOT_FOUND,
                Bytes::from_static(b"not found\n"),
            );
        }
        let mut response = text(
            request,
            StatusCode::SERVICE_UNAVAILABLE,
            Bytes::from_static(b"starting\n"),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    let headers = request.headers();

    // Negotiation first: a request that would get 406 ignores its preconditions (RFC 9110
    // §13.2.1).
    let Some(coding) = negotiate::choose_coding(headers, |c| resource.representation(c).is_some())
    else {
        return negotiated_text(
            request,
            StatusCode::NOT_ACCEPTABLE,
            b"no acceptable content-coding; try identity, gzip or br\n",
        );
    };
    let selected = resource
        .representation(coding)
        .unwrap_or_else(|| resource.identity());

    // RFC 9110 §8.8.2.1: Last-Modified must not be later than Date. The snapshot's value runs
    // ahead of the clock after quick successive changes (each moves it a second past the
    // previous one); while it does, the current second is sent instead, with a Date of that
    // same second. The snapshot keeps its value: the next change must still move past it.
    let now = clock::now();
    let ahead = resource.last_modified_unix > now.unix;

    // RFC 9110 §13.2.2: If-Match, else If-Unmodified-Since (against the Last-Modified being
    // sent); a false one is 412, before If-None-Match is looked at.
    let unchanged = match negotiate::if_match(headers, selected) {
        Some(matched) => matched,
        None => {
            let (value, unix) = if ahead {
                (&now.date, now.unix)
            } else {
                (&resource.last_modified, resource.last_modified_unix)
            };
            negotiate::unmodified_since(headers, value, unix).unwrap_or(true)
        }
    };
    if !unchanged {
        return negotiated_text(
            request,
            StatusCode::PRECONDITION_FAILED,
            b"precondition failed\n",
        );
    }

    // If-None-Match wins when present; If-Modified-Since only counts without it. The latter
    // is compared with the snapshot's own value even while the current second is sent: a
    // client that got the previous bytes within the same second holds that same date, and
    // must get the new bytes, not a 304 (SPEC §4). It then gets 200s, never a wrong 304,
    // until the clock catches up.
    let not_modified = match negotiate::if_none_match(headers, resource) {
        IfNoneMatch::Absent => negotiate::not_modified_since(headers, resource).then_some(None),
        IfNoneMatch::NoMatch => None,
        IfNoneMatch::Match(exact) => Some(exact),
    };

    // A 304 confirms the representation the client named when it named one exactly (a
    // cache then refreshes the entry it really holds); otherwise the one we would have
    // sent. Tags of every encoding are accepted: see `Resource::tag_matches`.
    let described = match not_modified {
        Some(exact) => exact
            .and_then(|c| resource.representation(c))
            .unwrap_or(selected),
        None => selected,
    };
    let local = local_headers(&snapshot, resource, described);
    let mut map = HeaderMap::with_capacity(10);
    map.insert(header::VARY, VARY_AE);
    map.insert(header::CACHE_CONTROL, local.cache_control);
    let last_modified = if ahead {
        now.date.clone()
    } else {
        local.last_modified
    };
    map.insert(header::LAST_MODIFIED, last_modified);
    // hyper adds no Date of its own when the response has one.
    map.insert(header::DATE, now.date);
    map.insert(header::ETAG, local.etag);
    let (status, body) = match not_modified {
        Some(_) => (StatusCode::NOT_MODIFIED, ResponseBody::empty()),
        None => {
            map.insert(header::CONTENT_TYPE, resource.content_type.clone());
            map.insert(header::CONTENT_LENGTH, local.content_length);
            if let Some(encoding) = &selected.content_encoding {
                map.insert(header::CONTENT_ENCODING, encoding.clone());
            }
            let body = if request.method() == Method::HEAD {
                ResponseBody::empty()
            } else {
                ResponseBody::new(selected.body.clone())
            };
            (StatusCode::OK, body)
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = map;
    response
}

/// One representation's header values, copied for the calling worker thread.
///
/// Cloning the snapshot's own `HeaderValue`s bumps a reference count shared by every
/// worker, so each response would make the cores pass those cache lines back and forth.
/// Each worker clones its own copies instead, made once per resource and encoding.
#[derive(Clone)]
struct LocalHeaders {
    key: (u64, Coding),
    cache_control: HeaderValue,
    last_modified: HeaderValue,
    etag: HeaderValue,
    content_length: HeaderValue,
}

/// Copies kept per thread: every route's encodings, with room for those of a snapshot
/// just replaced; the cache is simply emptied when full.
const LOCAL_HEADERS_MAX: usize = 32;

thread_local! {
    static LOCAL_HEADERS: RefCell<Vec<LocalHeaders>> = const { RefCell::new(Vec::new()) };
}

fn local_headers(snapshot: &Snapshot, resource: &Resource, rep: &Representation) -> LocalHeaders {
    // Resource ids are never reused, and a resource never changes: a hit is always current.
    let key = (resource.id(), rep.coding);
    LOCAL_HEADERS.with_borrow_mut(|cache| {
        if let Some(found) = cache.iter().find(|h| h.key == key) {
            return found.clone();
        }
        if cache.len() >= LOCAL_HEADERS_MAX {
            cache.clear();
        }
        // A copy of a valid value is valid; the fallback (a shared clone) never runs.
        let copy =
            |v: &HeaderValue| HeaderValue::from_bytes(v.as_bytes()).unwrap_or_else(|_| v.clone());
        let fresh = LocalHeaders {
            key,
            cache_control: copy(snapshot.cache_control()),
            last_modified: copy(&resource.last_modified),
            etag: copy(&rep.etag),
            content_length: copy(&rep.content_length),
        };
        cache.push(fresh.clone());
        fresh
    })
}

/// A small dynamic `text/plain` response, never cached. HEAD gets the headers only.
/// A [`text`] answer about a feed that depends on `Accept-Encoding` (a 406, a 412 for the
/// representation negotiated), so caches must vary it by that header.
fn negotiated_text<B>(
    request: &Request<B>,
    status: StatusCode,
    body: &'static [u8],
) -> Response<ResponseBody> {
    let mut response = text(request, status, Bytes::from_static(body));
    response.headers_mut().insert(header::VARY, VARY_AE);
    response
}

fn text<B>(request: &Request<B>, status: StatusCode, body: Bytes) -> Response<ResponseBody> {
    let mut map = HeaderMap::with_capacity(4);
    map.insert(header::CONTENT_TYPE, TEXT_PLAIN);
    map.insert(header::CACHE_CONTROL, NO_STORE);
    map.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    let body = if request.method() == Method::HEAD {
        ResponseBody::empty()
    } else {
        ResponseBody::new(body)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = map;
    response
}

/// `feedwright healthcheck`: `GET /healthz` on the configured listen address (loopback when
/// it is a wildcard), true iff the answer is 200 within 2 s. Blocking std I/O on purpose:
/// it runs once in a short-lived process and needs no runtime.
pub fn healthcheck(cfg: &Config) -> bool {
    let mut addr = cfg.server.listen;
    if addr.ip().is_unspecified() {
        let loopback = match addr {
            SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
        };
        addr.set_ip(loopback);
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    probe(addr, &cfg.server.healthz_path, deadline).unwrap_or(false)
}

fn probe(addr: SocketAddr, path: &str, deadline: Instant) -> std::io::Result<bool> {
    let remaining = || {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(std::io::Error::from(std::io::ErrorKind::TimedOut))
        } else {
            Ok(left)
        }
    };
    let mut stream = std::net::TcpStream::connect_timeout(&addr, remaining()?)?;
    stream.set_write_timeout(Some(remaining()?))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: feedwright-healthcheck\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 16];
    let mut filled = 0;
    while filled < head.len() {
        stream.set_read_timeout(Some(remaining()?))?;
        let n = stream.read(&mut head[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    let head = &head[..filled];
    Ok(head.starts_with(b"HTTP/1.1 200 ") || head.starts_with(b"HTTP/1.0 200 "))
}
