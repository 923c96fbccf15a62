//! Feeds: the window's entries (SPEC §3.1, §12; chosen and rendered by
//! [`site::window`](crate::site::window)) written as RSS 2.0, Atom 1.0 and HTML pages, each a
//! [`Document`] of the [`SiteOutputs`]. One writer per format serves every feed document;
//! what differs per document is its [`FeedMeta`] and its subset of the entries. Pure: the same entries and config give the same bytes (SPEC §3.4) —
//! no clock is read and no body is rendered here.

mod atom;
mod document;
mod entry;
mod group_feeds;
mod groups;
pub(crate) mod history;
mod index;
mod items;
mod json;
pub(crate) mod media;
mod meta;
mod podcast;
mod rss;
mod slug;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::Article;
use crate::xml_chars;

use self::atom::render_atom_with;
use self::entry::feed_updated;
use self::index::render_index;
pub(crate) use self::json::render_json;
use self::rss::render_rss_with;

pub use self::document::{Document, DocumentKind, SiteOutputs};
pub use self::entry::Entry;
pub use self::group_feeds::{GroupFeed, Member, ATOM_FILE, JSON_FILE, RSS_FILE};
pub use self::groups::{groups, Group, GroupCache, GroupKind};
pub use self::history::ArchivePlan;
pub use self::items::{item_xml, Chunk, ItemFormat, ItemXml};
pub(crate) use self::media::media_url;
pub use self::media::{EpisodeMedia, EpisodeMediaMap};
pub use self::meta::FeedMeta;
pub use self::slug::slug;

/// What the previous build's document at a path was made from ([`Document::key`]).
pub type PreviousKeys<'a> = &'a (dyn Fn(&str) -> Option<u64> + Sync);

/// Writes every document for `entries`: every published article whose body some document
/// needs (see [`site::selection`](crate::site::selection)), newest first. Each document
/// picks its own subset; `groups` name the group feeds' subsets. A group document made
/// from the same inputs as the previous build's (`previous`) is not written again.
pub fn render_outputs(
    entries: &[Entry<'_>],
    groups: &[GroupFeed<'_>],
    config: &Config,
    previous: PreviousKeys<'_>,
) -> SiteOutputs {
    let plan = history::plan(entries.len(), config);
    render_outputs_planned(entries, (groups, true), config, previous, &plan)
}

/// [`render_outputs`] when `entries` are not every published article: `plan` (from their
/// number) says how long the subscription feeds are and where they stand in the history.
/// The archive documents are not written here but one by one ([`archive_documents`]).
/// Without `with_group_feeds` the groups only name their feeds on the `/` page.
pub(crate) fn render_outputs_planned(
    entries: &[Entry<'_>],
    (groups, with_group_feeds): (&[GroupFeed<'_>], bool),
    config: &Config,
    previous: PreviousKeys<'_>,
    plan: &ArchivePlan,
) -> SiteOutputs {
    let mut documents = Vec::new();
    site_documents(entries, groups, config, plan, &mut documents);
    podcast_document(entries, config, &mut documents);
    if with_group_feeds {
        group_feeds::group_documents(groups, config, previous, &mut documents);
    }
    let mut outputs = SiteOutputs::new(documents);
    outputs.items = group_feeds::new_items(entries, groups, config);
    outputs
}

/// Archive `k` (RFC 5005) in RSS and Atom, as chunk lists over the articles' items (see
/// [`items`]): its frame (the channel or feed with the archive's place in the history, and
/// no items), then the items of `articles`, its slice of the history, newest first. The
/// items must be in the item store by the time the snapshot is built.
pub(crate) fn archive_documents(
    articles: &[std::sync::Arc<Article>],
    config: &Config,
    plan: &ArchivePlan,
    k: usize,
) -> [Document; 2] {
    let feeds = &config.feeds;
    let updated = articles
        .iter()
        .map(|a| a.updated.with_timezone(&chrono::Utc))
        .max();
    let rss_path = plan.route(config, k, history::ARCHIVE_RSS);
    let atom_path = plan.route(config, k, history::ARCHIVE_ATOM);
    let rss_frame = items::rss_frame(
        config,
        &FeedMeta::site(config, &rss_path),
        updated,
        &plan.archive(config, k, &feeds.rss_path, history::ARCHIVE_RSS),
    );
    let atom_frame = items::atom_frame(
        config,
        &FeedMeta::site(config, &atom_path),
        updated,
        &plan.archive(config, k, &feeds.atom_path, history::ARCHIVE_ATOM),
    );
    let chunked = |path: String, kind: DocumentKind, frame, format| Document {
        chunks: Some(items::chunk_list(
            frame,
            articles.iter().map(|a| &**a),
            format,
        )),
        ..Document::new(path, kind, String::new(), updated)
    };
    [
        chunked(rss_path, DocumentKind::Rss, rss_frame, ItemFormat::Rss),
        chunked(atom_path, DocumentKind::Atom, atom_frame, ItemFormat::Atom),
    ]
}

/// The site feed (RSS, its alias, Atom, JSON Feed) and the `/` page: the newest
/// `feeds.limit` entries.
fn site_documents(
    all: &[Entry<'_>],
    groups: &[GroupFeed<'_>],
    config: &Config,
    plan: &ArchivePlan,
    out: &mut Vec<Document>,
) {
    let feeds = &config.feeds;
    let entries = &all[..all.len().min(plan.subscription_len)];
    let updated = feed_updated(entries);
    let doc = |path: &str, kind: DocumentKind, body: String| {
        Document::new(path, kind, feed_safe(body), updated)
    };
    let rss_place = plan.subscription(config, history::ARCHIVE_RSS);
    let rss =
        |path: &str| render_rss_with(entries, config, &FeedMeta::site(config, path), &rss_place);
    // Each document is written on its own core: they are the larger part of a publish
    // that an edit in the window makes.
    let mut jobs: Vec<(&str, DocumentKind)> = vec![(&feeds.rss_path, DocumentKind::Rss)];
    // The alias has its own self link, naming the address it is served at.
    jobs.extend(
        feeds
            .rss_alias_path
            .as_deref()
            .map(|p| (p, DocumentKind::Rss)),
    );
    jobs.push((&feeds.atom_path, DocumentKind::Atom));
    jobs.extend(feeds.json_path.as_deref().map(|p| (p, DocumentKind::Json)));
    jobs.push((&feeds.index_path, DocumentKind::Html));
    let documents: Vec<Document> = jobs
        .into_par_iter()
        .map(|(path, kind)| {
            let body = match kind {
                DocumentKind::Rss => rss(path),
                DocumentKind::Atom => render_atom_with(
                    entries,
                    config,
                    &FeedMeta::site(config, path),
                    &plan.subscription(config, history::ARCHIVE_ATOM),
                ),
                DocumentKind::Json => render_json(entries, config, &FeedMeta::site(config, path)),
                DocumentKind::Html => render_index(entries, groups, config),
            };
            doc(path, kind, body)
        })
        .collect();
    out.extend(documents);
}

/// The podcast feed at `podcast.path`: every episode whose media is ready.
fn podcast_document(all: &[Entry<'_>], config: &Config, out: &mut Vec<Document>) {
    let Some(podcast) = &config.podcast else {
        return;
    };
    let episodes: Vec<Entry<'_>> = all
        .iter()
        .filter(|e| e.article.episode.is_some() && e.media.is_some())
        .copied()
        .collect();
    out.push(Document::new(
        podcast.path.clone(),
        DocumentKind::Rss,
        feed_safe(podcast::render_podcast(&episodes, config, podcast)),
        feed_updated(&episodes),
    ));
}

/// The route patterns documents are served at, one per configured path or path family (e.g.
/// `/tags/{tag}/feed.xml`): the HTTP layer's metrics label each request with the pattern
/// its path matches, so the label set stays bounded however many documents there are.
pub fn path_patterns(config: &Config) -> Vec<String> {
    let feeds = &config.feeds;
    let mut patterns = vec![
        feeds.rss_path.clone(),
        feeds.atom_path.clone(),
        feeds.index_path.clone(),
    ];
    patterns.extend(feeds.rss_alias_path.clone());
    patterns.extend(feeds.json_path.clone());
    for (_, group) in feeds.groups() {
        patterns.push(group.prefix.clone());
        for (file, _, _) in group_feeds::group_files(config) {
            patterns.push(format!("{}{file}", group.pattern));
        }
    }
    if feeds.archive_page_size > 0 {
        for file in [history::ARCHIVE_RSS, history::ARCHIVE_ATOM] {
            patterns.push(format!("{}{file}", feeds.archive_path));
        }
    }
    patterns.extend(config.podcast.as_ref().map(|p| p.path.clone()));
    patterns.extend(config.podcast.as_ref().map(|p| p.path.clone()));
    patterns
}

/// A last net under the per-field checks (front matter, config, body): a character XML
/// cannot carry makes the whole feed unreadable, so none may leave, whatever its source.
fn feed_safe(text: String) -> String {
    match xml_chars::strip_non_feed_chars(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::entry::tests::{article, entry};

    /// An archive's chunks, its items put in, are the bytes the writers give for the whole
    /// archive at its place in the history.
    #[test]
    fn archive_chunks_make_the_writers_document() {
        let mut c = Config::defaults();
        c.feeds.limit = 1;
        c.feeds.archive_page_size = 2;
        let articles: Vec<_> = (1..=5)
            .rev()
            .map(|i| {
                article(
                    &format!("posts/p{i}.md"),
                    &format!(
                        "---\ntitle: P{i} <b> & c\ndate: 2024-01-0{i}\ntags: [x]\nauthors: [One, Two]\n---\nBody ]]> of *p{i}*."
                    ),
                )
            })
            .collect();
        let plan = history::plan(articles.len(), &c);
        assert!(plan.archives() >= 2);
        for k in 0..plan.archives() {
            let slice = &articles[plan.positions(k)];
            let entries: Vec<_> = slice.iter().map(|a| entry(a, &c)).collect();
            let items: Vec<ItemXml> = entries.iter().map(|e| item_xml(e, &c)).collect();
            let [rss, atom] = archive_documents(slice, &c, &plan, k);
            let joined = |document: &Document| {
                let mut text = String::new();
                for chunk in document.chunks.as_deref().unwrap_or_default() {
                    match chunk {
                        Chunk::Text(t) => text.push_str(t),
                        Chunk::Item {
                            source,
                            fingerprint,
                            format,
                        } => {
                            let item = items
                                .iter()
                                .find(|i| &i.source == source && i.fingerprint == *fingerprint)
                                .unwrap();
                            text.push_str(match format {
                                ItemFormat::Rss => &item.rss,
                                _ => &item.atom,
                            });
                        }
                    }
                }
                text
            };
            let rss_path = plan.route(&c, k, history::ARCHIVE_RSS);
            let atom_path = plan.route(&c, k, history::ARCHIVE_ATOM);
            assert_eq!(rss.path, rss_path);
            assert_eq!(
                joined(&rss),
                feed_safe(render_rss_with(
                    &entries,
                    &c,
                    &FeedMeta::site(&c, &rss_path),
                    &plan.archive(&c, k, &c.feeds.rss_path, history::ARCHIVE_RSS),
                ))
            );
            assert!(joined(&rss).contains("fh:archive"));
            assert_eq!(
                joined(&atom),
                feed_safe(render_atom_with(
                    &entries,
                    &c,
                    &FeedMeta::site(&c, &atom_path),
                    &plan.archive(&c, k, &c.feeds.atom_path, history::ARCHIVE_ATOM),
                ))
            );
            assert_eq!(rss.updated, feed_updated(&entries));
        }
    }
}
