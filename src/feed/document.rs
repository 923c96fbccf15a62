//! The feed stage's output: every served document — feeds in each format, HTML pages — as a
//! path, a kind (which gives its content type) and its bytes, plus the newest `updated` of
//! its own entries for its `Last-Modified`.

use chrono::{DateTime, Utc};

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
}

/// Every document for one content state, sorted by path, paths unique.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SiteOutputs {
    pub(crate) documents: Vec<Document>,
}

impl SiteOutputs {
    /// Sorts `documents` by path; of two with one path the first given wins (a path
    /// collision between configured patterns is rejected by the config check; this keeps
    /// the output deterministic regardless).
    pub(crate) fn new(mut documents: Vec<Document>) -> SiteOutputs {
        documents.sort_by(|a, b| a.path.cmp(&b.path));
        documents.dedup_by(|later, earlier| later.path == earlier.path);
        SiteOutputs { documents }
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
        let doc = |path: &str, kind, body| Document {
            path: path.to_string(),
            kind,
            body,
            updated,
        };
        SiteOutputs::new(vec![
            doc("/rss.xml", DocumentKind::Rss, rss.clone()),
            doc("/feed.xml", DocumentKind::Rss, rss),
            doc("/atom.xml", DocumentKind::Atom, atom),
            doc("/", DocumentKind::Html, index),
        ])
    }

    pub(crate) fn into_documents(self) -> Vec<Document> {
        self.documents
    }
}
