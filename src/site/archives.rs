//! The RFC 5005 archive documents of one content state, built one archive at a time so that
//! only one slice of history has its bodies in memory (the site window's are kept), and not
//! built at all when an archive's articles are the very versions the served one was built
//! from: the previous snapshot's resource is reused then, unrendered and uncompressed again.
//! Where the boundaries lie is [`ArchivePlan`]'s (`feed::history`); the documents are
//! written by `feed::archive_documents`.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::content::Article;
use crate::feed::{self, ArchivePlan, Document};
use crate::snapshot::Snapshot;

use super::selection::Want;
use super::window::FeedWindow;
use super::Site;

/// The archive documents to serve: those built now, and the routes whose previous resource
/// is served as is. `keys` names what each route was built from (see [`archive_key`]).
#[derive(Debug, Default)]
pub(crate) struct Archives {
    pub(crate) built: Vec<Document>,
    pub(crate) reused: Vec<String>,
    pub(crate) immutable: Vec<String>,
    pub(crate) keys: Vec<(String, u64)>,
}

/// What archive `k` is built from: its number, whether it is complete, and the version of
/// each of its articles. Equal keys give equal bytes (the config does not change at run
/// time).
fn archive_key(site: &Site, plan: &ArchivePlan, published: &[Arc<Article>], k: usize) -> u64 {
    let mut hasher = DefaultHasher::new();
    (k, plan.is_complete(k)).hash(&mut hasher);
    for article in &published[plan.positions(k)] {
        article.source.hash(&mut hasher);
        site.library.version(&article.source).hash(&mut hasher);
    }
    hasher.finish()
}

/// Every archive of `plan`; `keep` are the site window's sources, whose bodies stay.
pub(crate) fn archives(
    site: &mut Site,
    plan: &ArchivePlan,
    published: &[Arc<Article>],
    now: DateTime<Utc>,
    previous: Option<&Snapshot>,
    keep: &HashSet<String>,
) -> Archives {
    let mut out = Archives::default();
    for k in 0..plan.archives() {
        let key = archive_key(site, plan, published, k);
        let paths = [
            plan.route(&site.config, k, feed::history::ARCHIVE_RSS),
            plan.route(&site.config, k, feed::history::ARCHIVE_ATOM),
        ];
        let unchanged = previous.is_some_and(|p| {
            paths
                .iter()
                .all(|path| p.resource(path).is_some() && p.key(path) == Some(key))
        });
        if plan.is_complete(k) {
            out.immutable.extend(paths.iter().cloned());
        }
        out.keys
            .extend(paths.iter().map(|path| (path.clone(), key)));
        if unchanged {
            out.reused.extend(paths);
            continue;
        }
        let window = FeedWindow::fill_wants(
            &mut site.library,
            &site.config,
            &site.budget,
            (published, now),
            site.kept.as_deref(),
            &[Want::slice(plan.positions(k))],
            keep,
        );
        let entries = window.entries(&site.config);
        out.built
            .extend(feed::archive_documents(&entries, &site.config, plan, k));
    }
    out
}
