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
mod index;
mod items;
mod json;
mod meta;
mod rss;
mod slug;

use crate::config::Config;
use crate::xml_chars;

use self::atom::render_atom;
use self::entry::feed_updated;
use self::index::render_index;
pub(crate) use self::json::render_json;
use self::rss::render_rss;

pub use self::document::{Document, DocumentKind, SiteOutputs};
pub use self::entry::Entry;
pub use self::group_feeds::{GroupFeed, Member, ATOM_FILE, JSON_FILE, RSS_FILE};
pub use self::groups::{groups, Group, GroupKind};
pub use self::items::{item_xml, Chunk, ItemFormat, ItemXml};
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
    let mut documents = Vec::new();
    site_documents(entries, groups, config, &mut documents);
    group_feeds::group_documents(groups, config, previous, &mut documents);
    let mut outputs = SiteOutputs::new(documents);
    outputs.items = group_feeds::new_items(entries, groups, config);
    outputs
}

/// The site feed (RSS, its alias, Atom, JSON Feed) and the `/` page: the newest
/// `feeds.limit` entries.
fn site_documents(
    all: &[Entry<'_>],
    groups: &[GroupFeed<'_>],
    config: &Config,
    out: &mut Vec<Document>,
) {
    let feeds = &config.feeds;
    let entries = &all[..all.len().min(feeds.limit)];
    let updated = feed_updated(entries);
    let doc = |path: &str, kind: DocumentKind, body: String| {
        Document::new(path, kind, feed_safe(body), updated)
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
    if let Some(path) = feeds.json_path.as_deref() {
        let json = render_json(entries, config, &FeedMeta::site(config, path));
        out.push(doc(path, DocumentKind::Json, json));
    }
    let index = render_index(entries, groups, config);
    out.push(doc(&feeds.index_path, DocumentKind::Html, index));
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
