//! The served state: the immutable, pre-rendered, pre-compressed set of responses for one
//! content state.
//!
//! A [`Snapshot`] owns every feed route's [`Resource`]: its bytes in identity, gzip and
//! brotli form ([`Representation`]s), a strong ETag per encoding, and the header values a
//! response needs, all computed once per content change. The HTTP layer swaps whole
//! snapshots atomically and never compresses, hashes or formats anything on the request path.
//!
//! How the bytes are encoded and tagged is [`encode`]'s job, the `Last-Modified` rule
//! [`mod@last_modified`]'s, and the files that let large bodies go out with `sendfile(2)`
//! [`body_file`]'s; one route's response is a [`Resource`] ([`resource`]). The media files served at `/media/` are listed in a [`MediaTable`]
//! ([`media`]), served from disk, never held in memory.

pub(crate) mod body_file;
pub(crate) mod encode;
pub(crate) mod items;
pub(crate) mod last_modified;
pub(crate) mod media;
mod resource;

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use hyper::header::HeaderValue;
use rayon::prelude::*;

use self::last_modified::truncate_to_second;
use crate::config::Config;
use crate::feed::SiteOutputs;

pub use self::items::ItemStore;
use self::resource::{chunked_resource, make_resource};
pub use self::resource::{Coding, Representation, Resource};

pub use self::encode::{brotli, gzip};
// `MediaFile` and `set_media` are for the podcast section that fills the table (issue 15).
#[allow(unused_imports)]
pub(crate) use self::media::{MediaFile, MediaTable};

/// Every route's response for one content state; swapped whole, never mutated.
pub struct Snapshot {
    ready: bool,
    /// Route path -> resource, sorted by path (thousands of routes: binary search).
    routes: Vec<(Box<str>, Arc<Resource>)>,
    errors: Vec<String>,
    published: usize,
    /// `public, max-age=<server.cache_max_age>`: what media files are served with (a
    /// feed's is its resource's).
    cache_control: HeaderValue,
    readyz_body: Bytes,
    /// Media files served at `/media/` (empty unless a podcast section has local media).
    media: Arc<MediaTable>,
    /// False while the group feeds and archives are still being made (the daemon's first
    /// publish of a large site serves the site feeds first): their addresses answer 503.
    complete: bool,
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("ready", &self.ready)
            .field(
                "routes",
                &self.routes.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            )
            .field("published", &self.published)
            .field("errors", &self.errors.len())
            .finish()
    }
}

impl Snapshot {
    /// Before the first load: feeds not yet available; `/readyz` answers 503.
    pub fn starting(cfg: &Config) -> Snapshot {
        Snapshot {
            ready: false,
            routes: Vec::new(),
            errors: Vec::new(),
            published: 0,
            cache_control: cache_control(cfg),
            readyz_body: Bytes::from_static(b"starting\n"),
            media: Arc::default(),
            complete: false,
        }
    }

    /// Renders every document once into its route: identity, gzip and br bytes, ETags and
    /// header values.
    ///
    /// `previous` is the snapshot being served (None at first load) and `now` the wall clock
    /// at this rebuild; together they keep each route's `Last-Modified` (from its own
    /// document's `updated`) moving forward whenever its bytes change (see
    /// [`mod@last_modified`]). A route whose bytes did not change reuses the previous
    /// resource as is: same ETag, same `Last-Modified`, no recompression.
    pub fn build(
        cfg: &Config,
        outputs: SiteOutputs,
        errors: Vec<String>,
        published: usize,
        previous: Option<&Snapshot>,
        now: DateTime<Utc>,
    ) -> Snapshot {
        let mut items = ItemStore::default();
        Snapshot::build_with_items(cfg, outputs, errors, published, previous, now, &mut items)
    }

    /// [`Snapshot::build`] for outputs whose chunked documents take their items from
    /// `items` (the daemon's, kept across builds), which first keeps the new ones.
    pub fn build_with_items(
        cfg: &Config,
        outputs: SiteOutputs,
        errors: Vec<String>,
        published: usize,
        previous: Option<&Snapshot>,
        now: DateTime<Utc>,
        items: &mut ItemStore,
    ) -> Snapshot {
        let now = truncate_to_second(now);
        let (documents, new_items) = outputs.into_parts();
        items.put(new_items);
        let items = &*items;
        // Documents and routes are both sorted by path: matched in one walk.
        let matches = match previous {
            Some(p) => p.route_indexes(documents.iter().map(|d| d.path.as_str())),
            None => vec![None; documents.len()],
        };
        // Every document on all cores: each compresses its own bytes (see `Resource::new`).
        let routes: Vec<(Box<str>, Arc<Resource>)> = documents
            .into_par_iter()
            .zip(matches)
            .filter_map(|(document, at)| {
                let previous = previous.zip(at).map(|(p, at)| &p.routes[at].1);
                let path = document.path.clone().into_boxed_str();
                if document.reuse {
                    // Unchanged inputs (the feed stage compared the key): the same resource.
                    return previous.map(|p| (path, Arc::clone(p)));
                }
                let key = document.key;
                let resource = if document.chunks.is_some() {
                    chunked_resource(cfg, document, items, previous, now)?
                } else {
                    make_resource(cfg, document, previous, now)
                };
                // A fresh resource records its key; one reused for equal bytes keeps its own.
                let resource = match (key, Arc::try_unwrap(resource)) {
                    (Some(key), Ok(mut fresh)) => {
                        fresh.key = Some(key);
                        Arc::new(fresh)
                    }
                    (_, Ok(fresh)) => Arc::new(fresh),
                    (_, Err(shared)) => shared,
                };
                Some((path, resource))
            })
            .collect();
        debug_assert!(routes.windows(2).all(|w| w[0].0 < w[1].0), "sorted, unique");

        let mut readyz = format!(
            "ready\n{published} published articles\ncontent errors: {}\n",
            errors.len()
        );
        for line in &errors {
            readyz.push_str(line);
            readyz.push('\n');
        }

        Snapshot {
            ready: true,
            routes,
            errors,
            published,
            cache_control: cache_control(cfg),
            readyz_body: Bytes::from(readyz),
            media: Arc::default(),
            complete: true,
        }
    }

    /// Whether the first content load has happened.
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// Current content errors, one formatted line each.
    pub(crate) fn errors(&self) -> &[String] {
        &self.errors
    }

    /// Identity bytes of a route (for tests).
    pub fn body(&self, path: &str) -> Option<Bytes> {
        self.resource(path).and_then(|r| r.identity().bytes().ok())
    }

    /// Identity ETag of a route, quotes included.
    pub fn etag(&self, path: &str) -> Option<&str> {
        self.resource(path)
            .and_then(|r| r.identity().etag.to_str().ok())
    }

    /// The pre-rendered resource at an exact route path.
    pub(crate) fn resource(&self, path: &str) -> Option<&Arc<Resource>> {
        self.routes
            .binary_search_by(|(route, _)| (**route).cmp(path))
            .ok()
            .map(|i| &self.routes[i].1)
    }

    /// What the document at `path` was made from ([`crate::feed::Document::key`]).
    pub(crate) fn key(&self, path: &str) -> Option<u64> {
        self.resource(path).and_then(|r| r.key)
    }

    /// Every route's key (see [`Snapshot::key`]) by path: one map for a publish that looks
    /// up thousands of them.
    pub(crate) fn keys(&self) -> rustc_hash::FxHashMap<&str, u64> {
        self.routes
            .iter()
            .filter_map(|(path, r)| Some((&**path, r.key?)))
            .collect()
    }

    /// For each of `paths` (sorted), the index of its route here, found in one walk of both.
    fn route_indexes<'p>(&self, paths: impl Iterator<Item = &'p str>) -> Vec<Option<usize>> {
        let mut at = 0;
        paths
            .map(|path| {
                while self.routes.get(at).is_some_and(|(p, _)| &**p < path) {
                    at += 1;
                }
                self.routes
                    .get(at)
                    .filter(|(p, _)| &**p == path)
                    .map(|_| at)
            })
            .collect()
    }

    /// The feed routes whose bytes differ from `previous`'s (or that it did not have), in
    /// route order: what WebSub hubs are told about. Aliases are listed too: each is an
    /// address someone may have subscribed to.
    pub(crate) fn changed_feeds(&self, cfg: &Config, previous: &Snapshot) -> Vec<String> {
        self.routes
            .iter()
            .filter(|(_, resource)| resource.is_feed())
            .filter(|(path, _)| !crate::feed::history::is_archive_route(cfg, path))
            .filter(|(path, resource)| {
                previous
                    .resource(path)
                    .is_none_or(|old| old.digest != resource.digest)
            })
            .map(|(path, _)| path.to_string())
            .collect()
    }

    /// Every route path, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.routes.iter().map(|(path, _)| &**path)
    }

    /// `Cache-Control` of media files (a feed's is its resource's): `public,
    /// max-age=<server.cache_max_age>`.
    pub(crate) fn cache_control(&self) -> &HeaderValue {
        &self.cache_control
    }

    /// `/readyz` body: `starting\n` before the first load, then the summary and errors.
    pub(crate) fn readyz_body(&self) -> &Bytes {
        &self.readyz_body
    }

    /// Sets the media files this snapshot serves; called before the snapshot is swapped in.
    /// Marks the snapshot as holding every output or not (see the `complete` field); the
    /// readiness text says which.
    pub(crate) fn set_complete(&mut self, complete: bool) {
        if self.complete && !complete {
            let mut body = self.readyz_body.to_vec();
            body.extend_from_slice(b"group feeds and archives: loading\n");
            self.readyz_body = Bytes::from(body);
        }
        self.complete = complete;
    }

    /// Whether every output is here: a missing document is then 404, not 503.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    pub(crate) fn set_media(&mut self, media: Arc<MediaTable>) {
        self.media = media;
    }

    /// The media files served at `/media/`.
    pub(crate) fn media(&self) -> &MediaTable {
        &self.media
    }
}

pub(super) fn cache_control(cfg: &Config) -> HeaderValue {
    header_value(&format!("public, max-age={}", cfg.server.cache_max_age))
}

/// Header values we build are ASCII by construction; never panic if that changes.
pub(super) fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::DocumentKind;
    use std::io::Read;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn outputs(rss: &str, updated: Option<&str>) -> SiteOutputs {
        let doc = |path: &str, kind: DocumentKind, body: String| {
            crate::feed::Document::new(path, kind, body, updated.map(at))
        };
        SiteOutputs::new(vec![
            doc("/feed.xml", DocumentKind::Rss, rss.to_string()),
            doc("/rss.xml", DocumentKind::Rss, rss.to_string()),
            doc(
                "/atom.xml",
                DocumentKind::Atom,
                format!("<feed>{}</feed>", "atom entry text ".repeat(40)),
            ),
            doc(
                "/",
                DocumentKind::Html,
                "<!doctype html><title>x</title>".to_string(),
            ),
        ])
    }

    fn big_rss(marker: &str) -> String {
        format!(
            "<rss>{marker}{}</rss>",
            "<item>some repeated words</item>".repeat(50)
        )
    }

    fn lm(s: &Snapshot) -> i64 {
        s.resource("/feed.xml")
            .map(|r| r.last_modified_unix)
            .unwrap_or(i64::MIN)
    }

    #[test]
    fn route_indexes_match_sorted_paths_in_one_walk() {
        let cfg = Config::defaults();
        let s = Snapshot::build(
            &cfg,
            outputs("<rss/>", None),
            vec![],
            1,
            None,
            at("2024-01-01T00:00:00Z"),
        );
        let paths: Vec<&str> = s.routes.iter().map(|(p, _)| &**p).collect();
        assert_eq!(paths, ["/", "/atom.xml", "/feed.xml", "/rss.xml"]);
        let wanted = ["/", "/a", "/feed.xml", "/feed.yml", "/rss.xml", "/zzz"];
        let found = s.route_indexes(wanted.into_iter());
        assert_eq!(found, [Some(0), None, Some(2), None, Some(3), None]);
        assert_eq!(
            s.route_indexes(std::iter::empty()),
            Vec::<Option<usize>>::new()
        );
    }

    #[test]
    fn compressed_bytes_decompress_and_are_deterministic() {
        let cfg = Config::defaults();
        let now = at("2024-05-01T00:00:00Z");
        let a = Snapshot::build(&cfg, outputs(&big_rss("a"), None), vec![], 1, None, now);
        let b = Snapshot::build(&cfg, outputs(&big_rss("a"), None), vec![], 1, None, now);
        let ra = a.resource("/feed.xml").cloned().expect("rss route");
        let rb = b.resource("/feed.xml").cloned().expect("rss route");
        for coding in Coding::ALL {
            let (x, y) = (ra.representation(coding), rb.representation(coding));
            let (x, y) = (x.expect("present"), y.expect("present"));
            assert_eq!(x.body, y.body, "{coding:?} bytes differ across builds");
            assert_eq!(x.etag, y.etag);
        }
        let identity = &ra.identity().body;
        let gz = &ra.representation(Coding::Gzip).expect("gzip").body;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .expect("gunzip");
        assert_eq!(&out[..], &identity[..]);
        // mtime bytes 4..8 are zero, OS byte is 255.
        assert_eq!(&gz[4..8], &[0, 0, 0, 0]);
        assert_eq!(gz[9], 255);
        let br = &ra.representation(Coding::Br).expect("br").body;
        let mut out = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut out)
            .expect("unbrotli");
        assert_eq!(&out[..], &identity[..]);
    }

    #[test]
    fn etags_differ_per_encoding_and_are_stable() {
        let cfg = Config::defaults();
        let now = at("2024-05-01T00:00:00Z");
        let s = Snapshot::build(&cfg, outputs(&big_rss("a"), None), vec![], 1, None, now);
        let r = s.resource("/feed.xml").expect("rss");
        let tags: Vec<_> = Coding::ALL
            .iter()
            .filter_map(|c| r.representation(*c))
            .map(|rep| rep.etag.clone())
            .collect();
        assert_eq!(tags.len(), 3);
        assert_ne!(tags[0], tags[1]);
        assert_ne!(tags[0], tags[2]);
        assert_ne!(tags[1], tags[2]);
        let etag = s.etag("/feed.xml").expect("etag");
        assert!(
            etag.starts_with('"') && etag.ends_with('"') && etag.len() == encode::ETAG_HEX_LEN + 2
        );
        assert_eq!(s.etag("/rss.xml"), Some(etag), "same bytes, same tag");
        let other = Snapshot::build(&cfg, outputs(&big_rss("b"), None), vec![], 1, None, now);
        assert_ne!(other.etag("/feed.xml"), Some(etag));
        assert!(r.tag_matches(&r.tag_base));
        assert!(r.tag_matches(&format!("{}-gzip", r.tag_base)));
        assert!(!r.tag_matches("abc"));
    }

    #[test]
    fn tiny_bodies_are_served_uncompressed_only() {
        let cfg = Config::defaults();
        let s = Snapshot::build(&cfg, outputs("<rss/>", None), vec![], 0, None, Utc::now());
        let r = s.resource("/feed.xml").expect("rss");
        assert!(r.representation(Coding::Gzip).is_none());
        assert!(r.representation(Coding::Br).is_none());
        assert_eq!(s.body("/feed.xml").as_deref(), Some(&b"<rss/>"[..]));
    }

    #[test]
    fn first_load_uses_feed_updated_not_the_clock() {
        let cfg = Config::defaults();
        let updated = "2024-03-27T09:30:00.750Z";
        let a = Snapshot::build(
            &cfg,
            outputs("x", Some(updated)),
            vec![],
            1,
            None,
            at("2030-01-01T00:00:00Z"),
        );
        let b = Snapshot::build(
            &cfg,
            outputs("x", Some(updated)),
            vec![],
            1,
            None,
            at("2031-01-01T00:00:00Z"),
        );
        assert_eq!(lm(&a), at("2024-03-27T09:30:00Z").timestamp());
        assert_eq!(lm(&a), lm(&b), "replicas agree");
        let r = a.resource("/feed.xml").expect("rss");
        assert_eq!(r.last_modified, "Wed, 27 Mar 2024 09:30:00 GMT");
        let empty = Snapshot::build(&cfg, outputs("x", None), vec![], 0, None, Utc::now());
        assert_eq!(lm(&empty), 0);
    }

    #[test]
    fn last_modified_follows_the_rules() {
        let cfg = Config::defaults();
        let t0 = "2024-03-27T09:30:00Z";
        let first = Snapshot::build(
            &cfg,
            outputs("v1", Some(t0)),
            vec![],
            1,
            None,
            at("2024-04-01T00:00:00Z"),
        );
        // Unchanged bytes keep Last-Modified and ETag exactly, even with a later clock.
        let same = Snapshot::build(
            &cfg,
            outputs("v1", Some(t0)),
            vec![],
            1,
            Some(&first),
            at("2024-05-01T00:00:00Z"),
        );
        assert_eq!(lm(&same), lm(&first));
        assert_eq!(same.etag("/feed.xml"), first.etag("/feed.xml"));
        // Changed bytes without a newer `updated` -> the rebuild time.
        let now = at("2024-06-01T12:00:00.900Z");
        let edited = Snapshot::build(&cfg, outputs("v2", Some(t0)), vec![], 1, Some(&same), now);
        assert_eq!(lm(&edited), at("2024-06-01T12:00:00Z").timestamp());
        // Changed bytes with a newer `updated` -> that `updated`.
        let newer = Snapshot::build(
            &cfg,
            outputs("v3", Some("2024-07-01T00:00:00Z")),
            vec![],
            2,
            Some(&edited),
            at("2024-07-02T00:00:00Z"),
        );
        assert_eq!(lm(&newer), at("2024-07-01T00:00:00Z").timestamp());
        // Entry deleted: `updated` goes back, bytes change -> never goes back.
        let deleted = Snapshot::build(
            &cfg,
            outputs("v4", Some(t0)),
            vec![],
            1,
            Some(&newer),
            at("2024-07-03T00:00:00Z"),
        );
        assert_eq!(lm(&deleted), at("2024-07-03T00:00:00Z").timestamp());
        // Clock behind the previous value while bytes change -> previous + 1 s.
        let behind = Snapshot::build(
            &cfg,
            outputs("v5", Some(t0)),
            vec![],
            1,
            Some(&deleted),
            at("2020-01-01T00:00:00Z"),
        );
        assert_eq!(lm(&behind), lm(&deleted) + 1);
        // The starting snapshot counts as "no previous": first-load rule.
        let starting = Snapshot::starting(&cfg);
        let from_start = Snapshot::build(
            &cfg,
            outputs("v1", Some(t0)),
            vec![],
            1,
            Some(&starting),
            Utc::now(),
        );
        assert_eq!(lm(&from_start), lm(&first));
    }

    #[test]
    fn last_modified_is_never_in_the_future() {
        let cfg = Config::defaults();
        let now = at("2024-01-01T00:00:00Z");
        let s = Snapshot::build(
            &cfg,
            outputs("x", Some("2099-01-01T00:00:00Z")),
            vec![],
            1,
            None,
            now,
        );
        assert_eq!(lm(&s), now.timestamp());
    }

    #[test]
    fn readiness_and_readyz_body() {
        let cfg = Config::defaults();
        let starting = Snapshot::starting(&cfg);
        assert!(!starting.is_ready());
        assert_eq!(&starting.readyz_body()[..], b"starting\n");
        assert!(starting.body("/feed.xml").is_none());
        let errors = vec!["a.md:1:1: error: bad".to_string()];
        let s = Snapshot::build(&cfg, outputs("x", None), errors, 3, None, Utc::now());
        assert!(s.is_ready());
        assert_eq!(s.errors().len(), 1);
        assert_eq!(
            &s.readyz_body()[..],
            b"ready\n3 published articles\ncontent errors: 1\na.md:1:1: error: bad\n"
        );
        assert_eq!(
            s.resource("/feed.xml").unwrap().cache_control,
            "public, max-age=300"
        );
    }

    /// A chunked document: its bytes put together from its frame and kept items, its
    /// compressed forms made on first request and equal to the identity's, its resource
    /// kept while its digest (or its key) is the same.
    #[test]
    fn chunked_documents_read_back_compress_lazily_and_keep_their_resource() {
        use crate::feed::{Chunk, ItemFormat, ItemXml};
        let cfg = Config::defaults();
        let item = |source: &str, text: &str| ItemXml {
            source: source.into(),
            fingerprint: 7,
            rss: format!("<item>{}</item>", text.repeat(30)),
            atom: String::new(),
            json: None,
        };
        let chunked = |key: u64| {
            let mut doc = crate::feed::Document::new(
                "/tags/x/feed.xml",
                DocumentKind::Rss,
                String::new(),
                None,
            );
            doc.key = Some(key);
            doc.chunks = Some(vec![
                Chunk::Text("<rss>".into()),
                Chunk::Item {
                    source: "a.md".into(),
                    fingerprint: 7,
                    format: ItemFormat::Rss,
                },
                Chunk::Item {
                    source: "b.md".into(),
                    fingerprint: 7,
                    format: ItemFormat::Rss,
                },
                Chunk::Text("</rss>".into()),
            ]);
            doc
        };
        let mut items = ItemStore::new();
        let mut outputs = SiteOutputs::new(vec![chunked(1)]);
        outputs.items = vec![item("a.md", "alpha "), item("b.md", "beta ")];
        let now = at("2024-05-01T00:00:00Z");
        let first = Snapshot::build_with_items(&cfg, outputs, vec![], 2, None, now, &mut items);
        let expected = format!(
            "<rss><item>{}</item><item>{}</item></rss>",
            "alpha ".repeat(30),
            "beta ".repeat(30)
        );
        assert_eq!(
            first.body("/tags/x/feed.xml").as_deref(),
            Some(expected.as_bytes())
        );
        let r = first.resource("/tags/x/feed.xml").expect("route");
        assert!(r.offers(Coding::Gzip) && r.offers(Coding::Br));
        let gz = r
            .representation(Coding::Gzip)
            .expect("gzip")
            .bytes()
            .expect("read");
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .expect("gunzip");
        assert_eq!(out, expected.as_bytes());
        let br = r
            .representation(Coding::Br)
            .expect("br")
            .bytes()
            .expect("read");
        let mut out = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut out)
            .expect("unbrotli");
        assert_eq!(out, expected.as_bytes());
        // Same chunks, a later build: the same resource (and its compressed forms).
        let again = Snapshot::build_with_items(
            &cfg,
            SiteOutputs::new(vec![chunked(2)]),
            vec![],
            2,
            Some(&first),
            now,
            &mut items,
        );
        assert_eq!(
            again.resource("/tags/x/feed.xml").map(|r| r.id()),
            Some(r.id())
        );
        // Unchanged inputs: not written again, the same resource.
        assert_eq!(first.key("/tags/x/feed.xml"), Some(1));
        let reuse = crate::feed::Document::unchanged("/tags/x/feed.xml", DocumentKind::Rss, 1);
        let third = Snapshot::build_with_items(
            &cfg,
            SiteOutputs::new(vec![reuse]),
            vec![],
            2,
            Some(&first),
            now,
            &mut items,
        );
        assert_eq!(
            third.resource("/tags/x/feed.xml").map(|r| r.id()),
            Some(r.id())
        );
        // An item missing from the store: no route rather than a wrong document.
        let mut lost = chunked(3);
        lost.chunks = Some(vec![Chunk::Item {
            source: "gone.md".into(),
            fingerprint: 1,
            format: ItemFormat::Rss,
        }]);
        let fourth = Snapshot::build_with_items(
            &cfg,
            SiteOutputs::new(vec![lost]),
            vec![],
            2,
            None,
            now,
            &mut items,
        );
        assert!(fourth.resource("/tags/x/feed.xml").is_none());
    }

    #[test]
    fn large_bodies_have_a_file_with_the_same_bytes() {
        let cfg = Config::defaults();
        let big = format!(
            "<rss>{}</rss>",
            "<item>words and more words</item>".repeat(5_000)
        );
        let snap = Snapshot::build(&cfg, outputs(&big, None), vec![], 1, None, Utc::now());
        let resource = snap.resource("/feed.xml").expect("feed");
        let identity = resource.identity();
        let small = snap.resource("/").expect("index").identity();
        assert!(
            small.file.is_none(),
            "small bodies are copied, not sent from a file"
        );
        #[cfg(target_os = "linux")]
        {
            let file = identity.file.as_deref().expect("a file for a large body");
            assert_eq!(body_file::tests::file_bytes(file), &identity.body[..]);
        }
    }
}
