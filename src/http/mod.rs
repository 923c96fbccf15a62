//! The HTTP server (SPEC §4) and the `healthcheck` probe used by the container.
//!
//! A feed request does one `ArcSwap` load, an exact route match on the path (query ignored,
//! absolute-form targets reduced to their path, nothing ever resolved against a file
//! system), a conditional check and a write of pre-built bytes and header values taken from
//! the current [`Snapshot`]. HTTP/1.1 keep-alive and h2c (prior knowledge) are both served.
//!
//! Every request goes through the same steps, in this order (`handler`); the first that
//! answers ends it:
//!
//! 1. `host`: one valid `Host` header, else 400 (before routing, on every path);
//! 2. `router`: the exact configured path, else the `/media/` prefix (when media may be
//!    served), else 404;
//! 3. method: GET or HEAD, else 405;
//! 4. the route: `/healthz`, `/readyz` and `/metrics` answer small texts (`response`);
//!    a feed (`feed_route`) is 503 while starting, then `negotiate`s `Accept-Encoding`
//!    (406), evaluates the `conditional` preconditions (412, 304), and sends the
//!    pre-built representation; a media file (`media_route`) is looked up in the
//!    snapshot's media table, opened, checked (304, 412), cut to its `range` (206, 416)
//!    and sent from the file (`file_body`);
//! 5. `access_log`: the route's metrics and one access-log line.
//!
//! Around that: `server` accepts connections and drains them on shutdown,
//! `idle_reclaim` frees the slot of an idle or unserved connection for a new one when all
//! are taken, `per_core_workers` serve them, `serve_connection` runs hyper on one of them
//! next to the `conn` time limits, and `sendfile` writes large bodies without a copy (Linux),
//! as `media_sendfile` does for media files.
//! `local_headers` and `clock` keep per-thread header values for the response path.

mod access_log;
mod body_files;
mod clock;
mod conditional;
mod conn;
mod feed_route;
mod file_body;
mod handler;
mod healthcheck;
mod host;
mod idle_reclaim;
pub(crate) mod in_memory;
mod local_headers;
mod media_route;
#[cfg(target_os = "linux")]
mod media_sendfile;
mod negotiate;
mod per_core_workers;
mod range;
mod response;
mod response_body;
mod router;
#[cfg(target_os = "linux")]
mod sendfile;
mod serve_connection;
mod server;
#[cfg(test)]
mod tests;

/// A header map from `(name, value)` pairs, for the unit tests of the request checks.
#[cfg(test)]
fn test_headers(pairs: &[(&'static str, &str)]) -> hyper::header::HeaderMap {
    let mut map = hyper::header::HeaderMap::new();
    for (name, value) in pairs {
        let value = hyper::header::HeaderValue::from_str(value).expect("test header");
        map.append(*name, value);
    }
    map
}

use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::snapshot::Snapshot;

pub use healthcheck::healthcheck;
pub(crate) use server::serve;

/// Everything a request handler reads: fixed config, the swappable snapshot, metrics.
pub struct AppState {
    pub config: Arc<Config>,
    pub snapshot: ArcSwap<Snapshot>,
    pub metrics: Metrics,
}
