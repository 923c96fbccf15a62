//! The RFC 5005 archive documents of one content state: chunk lists over the articles'
//! items in the item store (written beforehand with the group feeds' by
//! `Site::write_items`), so no archive holds its bytes in memory; and not built at all when
//! an archive's articles are the very versions the served one was built from: the previous
//! snapshot's resource is reused then.
//! Where the boundaries lie is [`ArchivePlan`]'s (`feed::history`); the documents are
//! written by `feed::archive_documents`.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::content::Article;
use crate::feed::{self, ArchivePlan, Document, DocumentKind};
use crate::snapshot::Snapshot;

use super::Site;

/// What archive `k` is built from: its number, whether it is complete, and the version of
/// each of its articles. Equal keys give equal bytes (the config does not change at run
/// time).
fn archive_key(plan: &ArchivePlan, published: &[Arc<Article>], k: usize) -> u64 {
    let mut hasher = DefaultHasher::new();
    (k, plan.is_complete(k)).hash(&mut hasher);
    // The fingerprint names the path and the file's bytes: the version the items are kept by.
    for article in &published[plan.positions(k)] {
        article.fingerprint.hash(&mut hasher);
    }
    hasher.finish()
}

/// Every archive of `plan`.
pub(crate) fn archives(
    site: &Site,
    plan: &ArchivePlan,
    published: &[Arc<Article>],
    previous: Option<&Snapshot>,
) -> Vec<Document> {
    let mut out = Vec::new();
    for k in 0..plan.archives() {
        let key = archive_key(plan, published, k);
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
            out.extend(paths.into_iter().map(|(path, kind)| Document {
                immutable: complete,
                ..Document::unchanged(path, kind, key)
            }));
            continue;
        }
        // An article whose item could not be written (its file unreadable) is left out, as
        // a group feed leaves it out.
        let json = site.config.feeds.json_path.is_some();
        let articles: Vec<Arc<Article>> = published[plan.positions(k)]
            .iter()
            .filter(|a| site.items.has(&a.source, a.fingerprint, json))
            .cloned()
            .collect();
        out.extend(
            feed::archive_documents(&articles, &site.config, plan, k).map(|document| Document {
                key: Some(key),
                immutable: complete,
                ..document
            }),
        );
    }
    out
}
