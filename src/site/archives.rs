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
use crate::feed::{self, ArchivePlan, Document, DocumentKind};
use crate::snapshot::Snapshot;

use super::links::LinkTargets;
use super::selection::Want;
use super::window::FeedWindow;
use super::Site;

/// The archive documents to serve: those built now, and those whose previous resource is
/// served as is ([`Document::unchanged`]); each carries what it was built from as its key
/// (see [`archive_key`]).
#[derive(Debug, Default)]
pub(crate) struct Archives {
    pub(crate) documents: Vec<Document>,
    /// Whether any archive was built (its files read back: the store may hold new problems).
    pub(crate) reread: bool,
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

/// Every archive of `plan`, links between articles resolved by `link_targets` as in the
/// site window; `keep` are the site window's sources, whose bodies stay.
pub(crate) fn archives(
    site: &mut Site,
    (plan, link_targets, media): (&ArchivePlan, Option<&LinkTargets>, &feed::EpisodeMediaMap),
    published: &[Arc<Article>],
    now: DateTime<Utc>,
    previous: Option<&Snapshot>,
    keep: &HashSet<String>,
) -> Archives {
    let mut out = Archives::default();
    for k in 0..plan.archives() {
        let key = archive_key(site, plan, published, k);
        let complete = plan.is_complete(k);
        let paths = [
            (
                plan.route(&site.config, k, feed::history::ARCHIVE_RSS),
                DocumentKind::Rss,
            ),
            (
                plan.route(&site.config, k, feed::history::ARCHIVE_ATOM),
                DocumentKind::Atom,
            ),
        ];
        let unchanged = previous.is_some_and(|p| {
            paths
                .iter()
                .all(|(path, _)| p.resource(path).is_some() && p.key(path) == Some(key))
        });
        if unchanged {
            out.documents
                .extend(paths.into_iter().map(|(path, kind)| Document {
                    immutable: complete,
                    ..Document::unchanged(path, kind, key)
                }));
            continue;
        }
        out.reread = true;
        let mut window = FeedWindow::fill_wants(
            &mut site.library,
            &site.config,
            &site.budget,
            (published, now),
            site.kept.as_deref(),
            &[Want::slice(plan.positions(k))],
            keep,
        );
        if let Some(targets) = link_targets {
            window.resolve_links(&site.config, targets);
        }
        let mut entries = window.entries(&site.config);
        for entry in &mut entries {
            entry.media = media.get(&entry.article.source);
        }
        out.documents.extend(
            feed::archive_documents(&entries, &site.config, plan, k).map(|document| Document {
                key: Some(key),
                immutable: complete,
                ..document
            }),
        );
    }
    out
}
