//! Path → route: the fixed paths (health, readiness, metrics) matched exactly, and the
//! documents' path patterns (`/feed.xml`, `/tags/{tag}/feed.xml`, …), each with its
//! pre-resolved request counters, so the metrics' label set stays bounded however many
//! documents the snapshot holds; then the `/media/` prefix when media may be served (one
//! route, one metrics label); everything else is 404 under the `other` route.

use super::media_route;
use crate::config::Config;
use crate::feed;
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
    /// An exact path, or a pattern with one `{…}` placeholder standing for one path
    /// segment (or a part of one).
    pattern: Pattern,
    pub(super) kind: Kind,
    pub(super) metrics: RouteMetrics,
}

#[derive(Debug, PartialEq, Eq)]
enum Pattern {
    Exact(Box<str>),
    /// The text before and after the placeholder.
    Around(Box<str>, Box<str>),
}

impl Pattern {
    fn new(pattern: &str) -> Pattern {
        if let (Some(open), Some(close)) = (pattern.find('{'), pattern.find('}')) {
            if open < close {
                return Pattern::Around(pattern[..open].into(), pattern[close + 1..].into());
            }
        }
        Pattern::Exact(pattern.into())
    }

    fn matches(&self, path: &str) -> bool {
        match self {
            Pattern::Exact(exact) => &**exact == path,
            Pattern::Around(before, after) => path
                .strip_prefix(&**before)
                .and_then(|rest| rest.strip_suffix(&**after))
                .is_some_and(|middle| !middle.is_empty() && !middle.contains('/')),
        }
    }
}

/// Configured paths with their pre-resolved metrics; everything else is 404 / `other`.
pub(super) struct Router {
    routes: Vec<Route>,
    /// The documents served at paths no pattern names (none, when every document's family
    /// is in [`feed::path_patterns`]): counted under `other`.
    pub(super) other_feed: Route,
    /// The `/media/` prefix route, when this configuration may serve media.
    media: Option<Route>,
    pub(super) other: RouteMetrics,
}

impl Router {
    pub(super) fn new(cfg: &Config, metrics: &Metrics) -> Router {
        let mut paths: Vec<(String, Kind)> = vec![
            (cfg.server.healthz_path.clone(), Kind::Healthz),
            (cfg.server.readyz_path.clone(), Kind::Readyz),
            (cfg.server.metrics_path.clone(), Kind::Metrics),
        ];
        paths.extend(
            feed::path_patterns(cfg)
                .into_iter()
                .map(|pattern| (pattern, Kind::Feed)),
        );
        // Exact paths first: a fixed path wins over a pattern that would also match it.
        paths.sort_by_key(|(path, _)| matches!(Pattern::new(path), Pattern::Around(..)));
        let mut routes: Vec<Route> = Vec::with_capacity(paths.len());
        for (path, kind) in paths {
            let pattern = Pattern::new(&path);
            if routes.iter().any(|r| r.pattern == pattern) {
                continue;
            }
            routes.push(Route {
                pattern,
                kind,
                metrics: metrics.route(&path),
            });
        }
        let other = metrics.route(metrics::OTHER_ROUTE);
        Router {
            routes,
            other_feed: Route {
                pattern: Pattern::Exact("".into()),
                kind: Kind::Feed,
                metrics: other.clone(),
            },
            media: media_route::enabled(cfg).then(|| Route {
                pattern: Pattern::Exact(media_route::PREFIX.into()),
                kind: Kind::Media,
                metrics: metrics.route(media_route::METRICS_ROUTE),
            }),
            other,
        }
    }

    /// The route of `path` (no normalisation of any kind): the fixed path or document
    /// pattern it matches, else the media route for a path under its prefix.
    pub(super) fn find(&self, path: &str) -> Option<&Route> {
        self.routes
            .iter()
            .find(|route| route.pattern.matches(path))
            .or_else(|| {
                self.media
                    .as_ref()
                    .filter(|_| path.starts_with(media_route::PREFIX))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_one_segment() {
        let p = Pattern::new("/tags/{tag}/feed.xml");
        assert!(p.matches("/tags/rust/feed.xml"));
        assert!(!p.matches("/tags//feed.xml"));
        assert!(!p.matches("/tags/a/b/feed.xml"));
        assert!(!p.matches("/tags/rust/atom.xml"));
        assert!(Pattern::new("/feed.xml").matches("/feed.xml"));
        assert!(!Pattern::new("/feed.xml").matches("/feed.xml/"));
    }
}
