//! After the answer: the route's request counter and one access-log line (target `access`)
//! per request, also for requests hyper refused before routing.

use std::net::SocketAddr;
use std::time::Instant;

use hyper::header;
use hyper::{Request, Response, Version};

use super::response_body::ResponseBody;
use crate::metrics::{Metrics, RouteMetrics};

/// Counts an answered request under `route` and writes its access-log line.
pub(super) fn log_request<B>(
    metrics: &Metrics,
    route: &RouteMetrics,
    request: &Request<B>,
    path: &str,
    response: &Response<ResponseBody>,
    started: Instant,
    remote: &str,
) {
    let status = response.status().as_u16();
    let bytes = response.body().len();
    route.observe(metrics, status, bytes);
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
}

/// A request hyper refused never reaches the handler; it still gets its access-log line and
/// is counted (under the `other` route), so operators see what clients are sending.
pub(super) fn log_rejected(
    metrics: &Metrics,
    other: &RouteMetrics,
    peer: SocketAddr,
    status: u16,
    error: &(dyn std::error::Error + 'static),
) {
    other.observe(metrics, status, 0);
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
