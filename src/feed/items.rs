//! Group feeds and RFC 5005 archives as chunk lists (speed and memory work, SPEC §12
//! bounds): a feed document is its frame (everything before the first entry, everything
//! after the last) around entries, and an entry's XML is the same in every feed that holds
//! it. So each article's RSS `<item>` and Atom `<entry>` are written once per article
//! version ([`ItemXml`]) and shared by reference ([`Chunk::Item`]) by every group or
//! archive document holding it; only the frames are written per document. The same writers make both: an entry is cut out of a
//! one-entry document, a frame out of a document without entries, so the bytes are what
//! the writer would give for the whole document.

use chrono::{DateTime, Utc};

use super::atom::render_atom;
use super::entry::Entry;
use super::feed_safe;
use super::history::History;
use super::json::render_json;
use super::meta::FeedMeta;
use super::rss::{render_rss, render_rss_frame};
use crate::config::Config;
use crate::content::Article;

/// Which writer an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemFormat {
    Rss,
    Atom,
    Json,
}

/// A piece of a chunked document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    Text(String),
    /// The item of the article at `source`, in this version (`fingerprint`).
    Item {
        source: String,
        fingerprint: u64,
        format: ItemFormat,
    },
}

/// One article version's items, newly written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemXml {
    pub source: String,
    pub fingerprint: u64,
    pub rss: String,
    pub atom: String,
    /// The JSON Feed item, when JSON Feed is on (`feeds.json_path`).
    pub json: Option<String>,
}

/// What goes between two JSON Feed items of a chunked document.
pub(crate) const JSON_ITEM_SEPARATOR: &str = ",\n";
/// JSON Feed items as the pretty writer lays them out.
const JSON_ITEMS_OPEN: &str = "\"items\": [\n";
const JSON_ITEMS_CLOSE: &str = "\n  ]";
const JSON_NO_ITEMS: &str = "\"items\": []";

/// The RSS `<item>` and Atom `<entry>` of `entry`.
pub fn item_xml(entry: &Entry<'_>, config: &Config) -> ItemXml {
    let meta = FeedMeta::site(config, &config.feeds.rss_path);
    let rss = feed_safe(render_rss(std::slice::from_ref(entry), config, &meta));
    let atom = feed_safe(render_atom(std::slice::from_ref(entry), config, &meta));
    let json = config.feeds.json_path.as_ref().map(|_| {
        let text = feed_safe(render_json(std::slice::from_ref(entry), config, &meta));
        match (text.find(JSON_ITEMS_OPEN), text.rfind(JSON_ITEMS_CLOSE)) {
            (Some(start), Some(end)) if start + JSON_ITEMS_OPEN.len() <= end => {
                text[start + JSON_ITEMS_OPEN.len()..end].to_string()
            }
            _ => String::new(),
        }
    });
    ItemXml {
        source: entry.article.source.clone(),
        fingerprint: entry.article.fingerprint,
        rss: cut(&rss, "<item>", "</item>"),
        atom: cut(&atom, "<entry>", "</entry>"),
        json,
    }
}

/// The JSON Feed frame of a document described by `meta` (its items go between, with
/// [`JSON_ITEM_SEPARATOR`] between two).
pub(crate) fn json_frame(config: &Config, meta: &FeedMeta) -> (String, String) {
    let text = feed_safe(render_json(&[], config, meta));
    match text.find(JSON_NO_ITEMS) {
        Some(at) => (
            format!("{}{JSON_ITEMS_OPEN}", &text[..at]),
            format!("{JSON_ITEMS_CLOSE}{}", &text[at + JSON_NO_ITEMS.len()..]),
        ),
        None => (text, String::new()),
    }
}

/// From the first `open` to the end of the last `close` (the writers escape `<` in text,
/// so neither appears anywhere else).
fn cut(xml: &str, open: &str, close: &str) -> String {
    match (xml.find(open), xml.rfind(close)) {
        (Some(start), Some(end)) if start <= end => xml[start..end + close.len()].to_string(),
        _ => String::new(),
    }
}

/// The RSS frame of a document described by `meta` whose newest entry is `updated`, at
/// `place` in the feed's history (group feeds: [`History::Unstated`]).
pub(crate) fn rss_frame(
    config: &Config,
    meta: &FeedMeta,
    updated: Option<DateTime<Utc>>,
    place: &History,
) -> (String, String) {
    let xml = feed_safe(render_rss_frame(config, meta, updated, place));
    split_before(xml, "</channel>")
}

/// The Atom frame of a document described by `meta` whose newest entry is `updated`, at
/// `place` in the feed's history.
pub(crate) fn atom_frame(
    config: &Config,
    meta: &FeedMeta,
    updated: Option<DateTime<Utc>>,
    place: &History,
) -> (String, String) {
    let xml = feed_safe(super::atom::render_atom_frame(config, meta, updated, place));
    // The Atom writer puts the feed's extension elements (the place's `fh:` marker) after
    // the entries.
    match place.marker() {
        Some(name) => split_before(xml, &format!("<fh:{name}")),
        None => split_before(xml, "</feed>"),
    }
}

/// A chunked document: `frame` (head, tail) around the items of `articles`, in their
/// order, in `format`.
pub(crate) fn chunk_list<'a>(
    (head, tail): (String, String),
    articles: impl ExactSizeIterator<Item = &'a Article>,
    format: ItemFormat,
) -> Vec<Chunk> {
    let mut chunks = Vec::with_capacity(articles.len() * 2 + 2);
    chunks.push(Chunk::Text(head));
    for (i, article) in articles.enumerate() {
        if format == ItemFormat::Json && i > 0 {
            chunks.push(Chunk::Text(JSON_ITEM_SEPARATOR.to_string()));
        }
        chunks.push(Chunk::Item {
            source: article.source.clone(),
            fingerprint: article.fingerprint,
            format,
        });
    }
    chunks.push(Chunk::Text(tail));
    chunks
}

fn split_before(mut xml: String, closing: &str) -> (String, String) {
    let at = xml.rfind(closing).unwrap_or(xml.len());
    let tail = xml.split_off(at);
    (xml, tail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::entry::feed_updated;
    use crate::feed::entry::tests::{article, entry};

    /// A chunked document's bytes equal the writer's for the whole document.
    #[test]
    fn frames_and_items_make_the_writers_document() {
        let c = Config::defaults();
        let a = article(
            "posts/a.md",
            "---\ntitle: A <b> & c\ndate: 2024-01-02\ntags: [x]\nauthors: [One, Two]\n---\nBody ]]> of *a*.",
        );
        let b = article(
            "posts/b.md",
            "---\ntitle: B\ndate: 2024-01-01\nauthor: {name: Ada, email: ada@example.com}\n---\nBody b.",
        );
        let entries = [entry(&a, &c), entry(&b, &c)];
        let items: Vec<ItemXml> = entries.iter().map(|e| item_xml(e, &c)).collect();
        let meta = FeedMeta {
            title: "T — tag x".into(),
            ..FeedMeta::site(&c, "/tags/x/feed.xml")
        };
        let updated = feed_updated(&entries);
        let (head, tail) = rss_frame(&c, &meta, updated, &History::Unstated);
        let joined = head + &items[0].rss + &items[1].rss + &tail;
        assert_eq!(joined, feed_safe(render_rss(&entries, &c, &meta)));
        let (head, tail) = atom_frame(&c, &meta, updated, &History::Unstated);
        let joined = head + &items[0].atom + &items[1].atom + &tail;
        assert_eq!(joined, feed_safe(render_atom(&entries, &c, &meta)));
        let (head, tail) = json_frame(&c, &meta);
        let json = |i: usize| items[i].json.clone().unwrap_or_default();
        let joined = head + &json(0) + JSON_ITEM_SEPARATOR + &json(1) + &tail;
        assert_eq!(joined, feed_safe(render_json(&entries, &c, &meta)));
    }
}
