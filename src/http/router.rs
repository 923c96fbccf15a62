//! Path → route: the configured paths, matched exactly, each with its pre-resolved request
//! counters, then the `/media/` prefix when media may be served (one route, one metrics
//! label); everything else is 404 under the `other` route.

use super::media_route;
use crate::config::Config;
use crate::metrics::{self, Metrics, RouteMetrics};

/// What a configured path serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Feed,
    Healthz,
    Readyz,
    Metrics,
    /// A file under `/media/` (see `media_route`).
    Media,
}

pub(super) struct Route {
    path: Box<str>,
    pub(super) kind: Kind,
    pub(super) metrics: RouteMetrics,
}

/// Configured paths with their pre-resolved metrics; everything else is 404 / `other`.
pub(super) struct Router {
    routes: Vec<Route>,
    /// The `/media/` prefix route, when this configuration may serve media.
    media: Option<Route>,
    pub(super) other: RouteMetrics,
}

impl Router {
    pub(super) fn new(cfg: &Config, metrics: &Metrics) -> Router {
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
            media: media_route::enabled(cfg).then(|| Route {
                path: media_route::PREFIX.into(),
                kind: Kind::Media,
                metrics: metrics.route(media_route::METRICS_ROUTE),
            }),
            other: metrics.route(metrics::OTHER_ROUTE),
        }
    }

    /// The route of exactly `path` (no normalisation of any kind), else the media route
    /// for a path under its prefix.
    pub(super) fn find(&self, path: &str) -> Option<&Route> {
        self.routes
            .iter()
            .find(|route| &*route.path == path)
            .or_else(|| {
                self.media
                    .as_ref()
                    .filter(|media| path.starts_with(&*media.path))
            })
    }
}
