//! One request, through the fixed order of checks (see the module doc of [`super`]):
//! Host, route, method, the route's own answer, then metrics and the access log.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use hyper::{Method, Request, Response, StatusCode};

use super::access_log;
use super::feed_route::feed;
use super::file_body::FileRegions;
use super::host::host_is_valid;
use super::idle_reclaim::Lane;
use super::media_route::media;
use super::response::{busy, method_not_allowed, metrics_text, text};
use super::response_body::ResponseBody;
use super::router::{Kind, Route, Router};
use super::AppState;

/// Answers one request, records metrics and writes the access log line. `regions`: the
/// connection's queue for media bytes sent with `sendfile`, when it has one. `lane`: a
/// connection on the spare lane gets only the health probes answered.
pub(super) fn handle(
    state: &AppState,
    router: &Router,
    request: &Request<hyper::body::Incoming>,
    (remote, lane): (&str, Lane),
    regions: Option<&Arc<FileRegions>>,
) -> Response<ResponseBody> {
    let started = Instant::now();
    // `path()` of an absolute-form target is its path; the query is never looked at.
    let path = request.uri().path();
    let route = router.find(path).or_else(|| {
        // A document outside every known pattern is still served (under `other`).
        let served = state.snapshot.load().resource(path).is_some();
        served.then_some(&router.other_feed)
    });
    let response = match route {
        Some(route)
            if lane == Lane::Spare && !matches!(route.kind, Kind::Healthz | Kind::Readyz) =>
        {
            busy(request)
        }
        _ => respond(state, route, request, path, regions),
    };
    access_log::log_request(
        &state.metrics,
        route.map_or(&router.other, |route| &route.metrics),
        request,
        path,
        &response,
        started,
        remote,
    );
    response
}

/// The answer: the first check that fails answers, else the route does.
fn respond<B>(
    state: &AppState,
    route: Option<&Route>,
    request: &Request<B>,
    path: &str,
    regions: Option<&Arc<FileRegions>>,
) -> Response<ResponseBody> {
    match route {
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
            method_not_allowed(request)
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
            Kind::Metrics => metrics_text(request, state.metrics.encode()),
            Kind::Media => media(state, request, path, regions),
        },
    }
}
