//! The feed stage's output: every served document — feeds in each format, HTML pages — as a
//! path, a kind (which gives its content type) and its bytes, plus the newest `updated` of
//! its own entries for its `Last-Modified`.

use chrono::{DateTime, Utc};

use super::items::{Chunk, ItemXml};

/// What a document is; gives its content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Rss,
    Atom,
    /// JSON Feed 1.1.
    Json,
    Html,
}

impl DocumentKind {
    /// The `Content-Type` the document is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            DocumentKind::Rss => "application/rss+xml; charset=utf-8",
            DocumentKind::Atom => "application/atom+xml; charset=utf-8",
            DocumentKind::Json => "application/feed+json",
            DocumentKind::Html => "text/html; charset=utf-8",
        }
    }
}

/// One served document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The route it is served at (and written to by `build --out`).
    pub path: String,
    pub kind: DocumentKind,
    pub body: String,
    /// The newest `updated` among this document's own entries (its `Last-Modified`); `None`
    /// when it has none.
    pub updated: Option<DateTime<Utc>>,
    /// `Some`: the document is these chunks, and `body` is empty (group feeds share their
    /// entries' items, see [`super::items`]).
    pub chunks: Option<Vec<Chunk>>,
    /// What the document is made from, hashed (process-local, never written out): equal
    /// keys mean equal bytes, so a later build can skip writing it.
    pub key: Option<u64>,
    /// The document is the previous build's at this path, unchanged (its key is the same):
    /// not written again, `body` is empty.
    pub reuse: bool,
    /// No new article changes its bytes (a complete RFC 5005 archive): served with a long
    /// `Cache-Control`.
    pub immutable: bool,
}

impl Document {
    /// A document of `body`.
    pub fn new(
        path: impl Into<String>,
        kind: DocumentKind,
        body: String,
        updated: Option<DateTime<Utc>>,
    ) -> Document {
        Document {
            path: path.into(),
            kind,
            body,
            updated,
            chunks: None,
            key: None,
            reuse: false,
            immutable: false,
        }
    }

    /// The previous build's document at `path`, whose inputs hash to `key` as before.
    pub fn unchanged(path: impl Into<String>, kind: DocumentKind, key: u64) -> Document {
        Document {
            key: Some(key),
            reuse: true,
            ..Document::new(path, kind, String::new(), None)
        }
    }
}

/// Every document for one content state, sorted by path, paths unique, and the items
/// written for it (the others were written before).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SiteOutputs {
    pub(crate) documents: Vec<Document>,
    pub(crate) items: Vec<ItemXml>,
}

impl SiteOutputs {
    /// Sorts `documents` by path; of two with one path the first given wins (a path
    /// collision between configured patterns is rejected by the config check; this keeps
    /// the output deterministic regardless).
    pub(crate) fn new(mut documents: Vec<Document>) -> SiteOutputs {
        documents.sort_by(|a, b| a.path.cmp(&b.path));
        documents.dedup_by(|later, earlier| later.path == earlier.path);
        SiteOutputs {
            documents,
            items: Vec::new(),
        }
    }

    /// The items written for this state.
    pub fn items(&self) -> &[ItemXml] {
        &self.items
    }

    /// Every document, sorted by path.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// The document served at exactly `path`.
    pub fn document(&self, path: &str) -> Option<&Document> {
        self.documents
            .binary_search_by(|d| d.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.documents[i])
    }

    /// The body at `path`, or "" (tests and fuzz targets).
    pub fn body(&self, path: &str) -> &str {
        self.document(path).map_or("", |d| d.body.as_str())
    }

    /// Outputs of the site feed's default routes (`/feed.xml` and its alias `/rss.xml`,
    /// `/atom.xml`, `/`), for tests of the later stages.
    #[cfg(test)]
    pub(crate) fn site_for_tests(
        rss: String,
        atom: String,
        index: String,
        updated: Option<DateTime<Utc>>,
    ) -> SiteOutputs {
        let doc = |path: &str, kind, body| Document::new(path, kind, body, updated);
        SiteOutputs::new(vec![
            doc("/rss.xml", DocumentKind::Rss, rss.clone()),
            doc("/feed.xml", DocumentKind::Rss, rss),
            doc("/atom.xml", DocumentKind::Atom, atom),
            doc("/", DocumentKind::Html, index),
        ])
    }

    pub(crate) fn into_parts(self) -> (Vec<Document>, Vec<ItemXml>) {
        (self.documents, self.items)
    }
}
