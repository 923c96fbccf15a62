//! Prometheus metrics: the registry, every metric feedwright exports, and their text encoding.
//!
//! Label sets are bounded by construction: the `route` label only ever holds a configured
//! route path or `other`, `status` an HTTP status code, `mode` a watch mode. Request
//! counters for the configured routes are resolved once ([`Metrics::route`]) so the request
//! path increments atomics without a map lookup, a lock or an allocation.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// `Content-Type` of [`Metrics::encode`]'s output (OpenMetrics text, what the crate emits).
pub(crate) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Label for requests that matched no configured route.
pub(crate) const OTHER_ROUTE: &str = "other";

/// Watch modes shown by `feedwright_watch_mode`; all are exported so the gauge is a proper
/// one-hot "info" metric.
const WATCH_MODES: [&str; 3] = ["notify", "poll", "none"];

/// Status codes pre-resolved per route; anything else takes the (rare) map path.
const COMMON_STATUSES: [u16; 8] = [200, 304, 404, 405, 406, 412, 500, 503];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ModeLabels {
    mode: String,
}

/// Every metric feedwright exports, registered in one registry.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    response_bytes: Family<RouteLabels, Counter>,
    published: Gauge,
    content_errors: Gauge,
    build_duration: Histogram,
    reloads: Counter,
    reload_duration: Histogram,
    reload_files_changed: Histogram,
    last_reload: Gauge,
    watch_mode: Family<ModeLabels, Gauge>,
    websub: WebSubMetrics,
}

/// WebSub publish pings (see `websub`): the ping task holds its own clone.
#[derive(Debug, Clone, Default)]
pub(crate) struct WebSubMetrics {
    /// Pings a hub accepted.
    pub(crate) sent: Counter,
    /// Tries that failed and were tried again.
    pub(crate) retries: Counter,
    /// Pings given up: refused by the hub, or failed on every try.
    pub(crate) failures: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "feedwright_http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        let response_bytes = Family::<RouteLabels, Counter>::default();
        registry.register(
            "feedwright_http_response_bytes",
            "Response body bytes sent (after content coding), by route",
            response_bytes.clone(),
        );
        let published = Gauge::default();
        registry.register(
            "feedwright_published_articles",
            "Published articles in the current content state",
            published.clone(),
        );
        let content_errors = Gauge::default();
        registry.register(
            "feedwright_content_errors",
            "Content files currently rejected with an error",
            content_errors.clone(),
        );
        // 1 ms .. ~16 s: a build is a full parse + render + compression.
        let build_duration = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        registry.register(
            "feedwright_build_duration_seconds",
            "Time to build a full content state (parse, render, compress)",
            build_duration.clone(),
        );
        let reloads = Counter::default();
        registry.register(
            "feedwright_reloads",
            "Incremental reloads after content changes",
            reloads.clone(),
        );
        let reload_duration = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        registry.register(
            "feedwright_reload_duration_seconds",
            "Time to apply one batch of content changes",
            reload_duration.clone(),
        );
        let reload_files_changed = Histogram::new(exponential_buckets(1.0, 4.0, 8));
        registry.register(
            "feedwright_reload_files_changed",
            "Files read again per reload",
            reload_files_changed.clone(),
        );
        let last_reload = Gauge::default();
        registry.register(
            "feedwright_last_reload_timestamp_seconds",
            "Unix time of the last applied reload",
            last_reload.clone(),
        );
        let watch_mode = Family::<ModeLabels, Gauge>::default();
        registry.register(
            "feedwright_watch_mode",
            "Active content watch mode (1 for the active mode, 0 for the others)",
            watch_mode.clone(),
        );
        let websub = WebSubMetrics::default();
        registry.register(
            "feedwright_websub_pings",
            "WebSub publish pings a hub accepted (one per hub and changed feed)",
            websub.sent.clone(),
        );
        registry.register(
            "feedwright_websub_ping_retries",
            "WebSub publish ping tries that failed and were retried",
            websub.retries.clone(),
        );
        registry.register(
            "feedwright_websub_ping_failures",
            "WebSub publish pings given up (refused, or failed on every try)",
            websub.failures.clone(),
        );
        Metrics {
            websub,
            registry,
            requests,
            response_bytes,
            published,
            content_errors,
            build_duration,
            reloads,
            reload_duration,
            reload_files_changed,
            last_reload,
            watch_mode,
        }
    }

    /// Counts one answered request. `route` must be a configured route path or
    /// [`OTHER_ROUTE`], never a raw request path (unbounded label values).
    pub(crate) fn observe_request(&self, route: &str, status: u16, bytes_sent: u64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                status,
            })
            .inc();
        self.response_bytes
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .inc_by(bytes_sent);
    }

    /// Pre-resolved counters for one route, for the request path.
    pub(crate) fn route(&self, route: &str) -> RouteMetrics {
        let statuses = COMMON_STATUSES.map(|status| {
            self.requests.get_or_create_owned(&RequestLabels {
                route: route.to_string(),
                status,
            })
        });
        let bytes = self.response_bytes.get_or_create_owned(&RouteLabels {
            route: route.to_string(),
        });
        RouteMetrics {
            route: route.into(),
            statuses,
            bytes,
        }
    }

    pub fn set_published(&self, n: usize) {
        self.published.set(saturating_i64(n));
    }

    pub fn set_content_errors(&self, n: usize) {
        self.content_errors.set(saturating_i64(n));
    }

    /// Records one full build (`feedwright_build_duration_seconds`).
    pub fn observe_build(&self, seconds: f64) {
        self.build_duration.observe(seconds);
    }

    /// Records one applied reload: count, duration, files read again and when.
    pub(crate) fn observe_reload(&self, seconds: f64, files_changed: usize, unix_time: i64) {
        self.reloads.inc();
        self.reload_duration.observe(seconds);
        // Precision loss above 2^53 files is irrelevant.
        self.reload_files_changed.observe(files_changed as f64);
        self.last_reload.set(unix_time);
    }

    /// The WebSub counters, for the ping task.
    pub(crate) fn websub(&self) -> WebSubMetrics {
        self.websub.clone()
    }

    /// Marks `mode` as the active watch mode (`feedwright_watch_mode{mode="notify"} 1`).
    pub(crate) fn set_watch_mode(&self, mode: &str) {
        for known in WATCH_MODES {
            self.watch_mode
                .get_or_create(&ModeLabels {
                    mode: known.to_string(),
                })
                .set(i64::from(known == mode));
        }
        if !WATCH_MODES.contains(&mode) {
            self.watch_mode
                .get_or_create(&ModeLabels {
                    mode: mode.to_string(),
                })
                .set(1);
        }
    }

    /// OpenMetrics text of every metric, ending in `# EOF`.
    pub(crate) fn encode(&self) -> String {
        let mut out = String::with_capacity(4096);
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        sort_series(&out)
    }
}

/// The registry keeps labelled series in hash maps, so their order changes from one process
/// to the next. Sorted by label set (ignoring `le`), two scrapes of the same state read the
/// same and diff cleanly; the lines of one series (a histogram's buckets, sum and count) keep
/// their order, which OpenMetrics prescribes.
fn sort_series(text: &str) -> String {
    fn series_labels(line: &str) -> String {
        let Some((_, rest)) = line.split_once('{') else {
            return String::new();
        };
        let labels = rest.split_once('}').map_or(rest, |(labels, _)| labels);
        labels
            .split(',')
            .filter(|label| !label.starts_with("le="))
            .collect::<Vec<_>>()
            .join(",")
    }
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<(String, Vec<&str>)> = Vec::new();
    let flush = |run: &mut Vec<(String, Vec<&str>)>, out: &mut String| {
        run.sort_by(|a, b| a.0.cmp(&b.0));
        for line in run.drain(..).flat_map(|(_, lines)| lines) {
            out.push_str(line);
            out.push('\n');
        }
    };
    for line in text.lines() {
        if line.starts_with('#') {
            flush(&mut run, &mut out);
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let key = series_labels(line);
        match run.iter_mut().find(|(k, _)| *k == key) {
            Some((_, lines)) => lines.push(line),
            None => run.push((key, vec![line])),
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Request counters of one route, resolved once so counting is a couple of atomic adds.
#[derive(Clone, Debug)]
pub(crate) struct RouteMetrics {
    route: Box<str>,
    statuses: [Counter<u64, AtomicU64>; COMMON_STATUSES.len()],
    bytes: Counter<u64, AtomicU64>,
}

impl RouteMetrics {
    /// Counts one answered request; uncommon statuses fall back to the labelled map.
    pub(crate) fn observe(&self, metrics: &Metrics, status: u16, bytes_sent: u64) {
        match COMMON_STATUSES.iter().position(|s| *s == status) {
            Some(i) => {
                self.statuses[i].inc();
                self.bytes.inc_by(bytes_sent);
            }
            None => metrics.observe_request(&self.route, status, bytes_sent),
        }
    }
}

fn saturating_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_are_sorted_whatever_order_they_were_created_in() {
        let routes = ["/feed.xml", "/atom.xml", "/", "/metrics", "/readyz"];
        let a = Metrics::new();
        let b = Metrics::new();
        for route in routes {
            a.route(route).observe(&a, 200, 5);
        }
        for route in routes.iter().rev() {
            b.route(route).observe(&b, 200, 5);
        }
        a.observe_reload(0.01, 2, 1);
        b.observe_reload(0.01, 2, 1);
        let text = a.encode();
        assert_eq!(text, b.encode());
        let pos = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle}"));
        assert!(pos(r#"{route="/",status="200"}"#) < pos(r#"{route="/readyz",status="200"}"#));
        // A histogram's lines keep the encoder's order: sum, count, then buckets up to +Inf.
        let inf = pos("feedwright_reload_duration_seconds_bucket{le=\"+Inf\"}");
        let first = pos("feedwright_reload_duration_seconds_bucket{le=\"0.001\"}");
        assert!(pos("feedwright_reload_duration_seconds_count") < first && first < inf);
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn encodes_every_metric_with_bounded_labels() {
        let m = Metrics::new();
        m.observe_request("/feed.xml", 200, 1234);
        let route = m.route("/atom.xml");
        route.observe(&m, 304, 0);
        route.observe(&m, 431, 10);
        m.set_published(7);
        m.set_content_errors(2);
        m.observe_build(0.25);
        m.observe_reload(0.01, 3, 1_700_000_000);
        m.set_watch_mode("notify");
        let text = m.encode();
        for needle in [
            r#"feedwright_http_requests_total{route="/feed.xml",status="200"} 1"#,
            r#"feedwright_http_requests_total{route="/atom.xml",status="304"} 1"#,
            r#"feedwright_http_requests_total{route="/atom.xml",status="431"} 1"#,
            r#"feedwright_http_response_bytes_total{route="/feed.xml"} 1234"#,
            r#"feedwright_http_response_bytes_total{route="/atom.xml"} 10"#,
            "feedwright_published_articles 7",
            "feedwright_content_errors 2",
            "feedwright_build_duration_seconds_count 1",
            "feedwright_reloads_total 1",
            "feedwright_reload_duration_seconds_count 1",
            "feedwright_reload_files_changed_sum 3",
            "feedwright_last_reload_timestamp_seconds 1700000000",
            r#"feedwright_watch_mode{mode="notify"} 1"#,
            r#"feedwright_watch_mode{mode="poll"} 0"#,
            "# EOF",
        ] {
            assert!(text.contains(needle), "missing {needle}\n{text}");
        }
        m.set_watch_mode("poll");
        let text = m.encode();
        assert!(text.contains(r#"feedwright_watch_mode{mode="notify"} 0"#));
        assert!(text.contains(r#"feedwright_watch_mode{mode="poll"} 1"#));
    }
}
