//! Feeds: the window's entries (SPEC §3.1, §12; chosen and rendered by
//! [`site::window`](crate::site::window)) written as RSS 2.0, Atom 1.0 and HTML pages, each a
//! [`Document`] of the [`SiteOutputs`]. One writer per format serves every feed document;
//! what differs per document is its [`FeedMeta`] and its subset of the entries. Pure: the same entries and config give the same bytes (SPEC §3.4) —
//! no clock is read and no body is rendered here.

mod atom;
mod document;
mod entry;
mod index;
pub(crate) mod media;
mod meta;
mod podcast;
mod rss;

use crate::config::Config;
use crate::xml_chars;

use self::atom::render_atom;
use self::entry::feed_updated;
use self::index::render_index;
use self::rss::render_rss;

pub use self::document::{Document, DocumentKind, SiteOutputs};
pub use self::entry::Entry;
pub(crate) use self::media::media_url;
pub use self::media::{EpisodeMedia, EpisodeMediaMap};
pub use self::meta::FeedMeta;

/// Writes every document for `entries`: every published article whose body some document
/// needs (see [`site::selection`](crate::site::selection)), newest first. Each document
/// picks its own subset.
pub fn render_outputs(entries: &[Entry<'_>], config: &Config) -> SiteOutputs {
    let mut documents = Vec::new();
    site_documents(entries, config, &mut documents);
    podcast_document(entries, config, &mut documents);
    SiteOutputs::new(documents)
}

/// The site feed (RSS, its alias, Atom) and the `/` page: the newest `feeds.limit` entries.
fn site_documents(all: &[Entry<'_>], config: &Config, out: &mut Vec<Document>) {
    let feeds = &config.feeds;
    let entries = &all[..all.len().min(feeds.limit)];
    let updated = feed_updated(entries);
    let doc = |path: &str, kind: DocumentKind, body: String| Document {
        path: path.to_string(),
        kind,
        body: feed_safe(body),
        updated,
    };
    let rss = |path: &str| render_rss(entries, config, &FeedMeta::site(config, path));
    out.push(doc(
        &feeds.rss_path,
        DocumentKind::Rss,
        rss(&feeds.rss_path),
    ));
    if let Some(alias) = feeds.rss_alias_path.as_deref() {
        // Its own self link names the address it is served at.
        out.push(doc(alias, DocumentKind::Rss, rss(alias)));
    }
    let atom = render_atom(entries, config, &FeedMeta::site(config, &feeds.atom_path));
    out.push(doc(&feeds.atom_path, DocumentKind::Atom, atom));
    let index = render_index(entries, config);
    out.push(doc(&feeds.index_path, DocumentKind::Html, index));
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
    out.push(Document {
        path: podcast.path.clone(),
        kind: DocumentKind::Rss,
        body: feed_safe(podcast::render_podcast(&episodes, config, podcast)),
        updated: feed_updated(&episodes),
    });
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
