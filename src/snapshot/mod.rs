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
//! [`body_file`]'s. The media files served at `/media/` are listed in a [`MediaTable`]
//! ([`media`]), served from disk, never held in memory.

pub(crate) mod body_file;
pub(crate) mod encode;
pub(crate) mod last_modified;
pub(crate) mod media;

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use hyper::header::HeaderValue;

use self::body_file::BodyFile;
use self::encode::{digest, tag_base};
use self::last_modified::{http_date, last_modified, truncate_to_second};
use crate::config::Config;
use crate::feed::SiteOutputs;

pub use self::encode::{brotli, gzip};
// `MediaFile` and `set_media` are for the podcast section that fills the table (issue 15).
#[allow(unused_imports)]
pub(crate) use self::media::{MediaFile, MediaTable};

pub(crate) const RSS_CONTENT_TYPE: &str = "application/rss+xml; charset=utf-8";
pub(crate) const ATOM_CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";
pub(crate) const HTML_CONTENT_TYPE: &str = "text/html; charset=utf-8";

/// A content coding we serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
    Br,
}

impl Coding {
    pub(crate) const ALL: [Coding; 3] = [Coding::Identity, Coding::Gzip, Coding::Br];

    fn etag_suffix(self) -> &'static str {
        match self {
            Coding::Identity => "",
            Coding::Gzip => "-gz",
            Coding::Br => "-br",
        }
    }

    fn header(self) -> Option<HeaderValue> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some(HeaderValue::from_static("gzip")),
            Coding::Br => Some(HeaderValue::from_static("br")),
        }
    }
}

/// One encoding of a resource: bytes plus the headers that depend on them.
#[derive(Clone)]
pub struct Representation {
    pub(crate) coding: Coding,
    pub(crate) body: Bytes,
    /// The same bytes in a file, for bodies of at least [`BODY_FILE_MIN_BYTES`](body_file::BODY_FILE_MIN_BYTES) (see
    /// [`BodyFile::new`]).
    pub(crate) file: Option<Arc<BodyFile>>,
    /// Quoted strong entity tag, e.g. `"0123abcd…-gz"`.
    pub(crate) etag: HeaderValue,
    pub(crate) content_length: HeaderValue,
    /// `Content-Encoding`, absent for identity.
    pub(crate) content_encoding: Option<HeaderValue>,
}

static NEXT_RESOURCE_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A route's pre-rendered response: identity bytes and, when they are smaller, gzip and br.
pub struct Resource {
    /// Unique for the life of the process (never reused, unlike an address): names this
    /// resource in caches kept outside the snapshot.
    id: u64,
    pub(crate) content_type: HeaderValue,
    pub(crate) last_modified: HeaderValue,
    /// `Last-Modified` as Unix seconds, for `If-Modified-Since` comparisons.
    pub(crate) last_modified_unix: i64,
    /// Hex digest shared by every encoding's ETag (the tag without quotes or suffix).
    pub(crate) tag_base: Box<str>,
    identity: Representation,
    /// `None` when compression would not make the body smaller (tiny bodies).
    gzip: Option<Representation>,
    br: Option<Representation>,
    /// Full SHA-256 of the identity bytes and content type: "did the bytes change?".
    digest: [u8; 32],
}

impl Resource {
    fn new(
        content_type: &'static str,
        body: Bytes,
        digest: [u8; 32],
        last_modified: DateTime<Utc>,
    ) -> Resource {
        let tag_base = tag_base(&digest);
        let make = |coding: Coding, bytes: Bytes| Representation {
            coding,
            etag: header_value(&format!("\"{tag_base}{}\"", coding.etag_suffix())),
            content_length: HeaderValue::from(bytes.len()),
            content_encoding: coding.header(),
            file: BodyFile::new(&bytes).map(Arc::new),
            body: bytes,
        };
        // A compressed form that is not smaller only costs the client CPU.
        let smaller = |coding: Coding, bytes: Vec<u8>| {
            (bytes.len() < body.len()).then(|| make(coding, Bytes::from(bytes)))
        };
        // Both encodings at once: a live reload waits for the slower of the two.
        let (gz_bytes, br_bytes) = rayon::join(|| gzip(&body), || brotli(&body));
        let gzip = smaller(Coding::Gzip, gz_bytes);
        let br = smaller(Coding::Br, br_bytes);
        Resource {
            id: NEXT_RESOURCE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            content_type: HeaderValue::from_static(content_type),
            last_modified: header_value(&http_date(last_modified)),
            last_modified_unix: last_modified.timestamp(),
            identity: make(Coding::Identity, body),
            gzip,
            br,
            tag_base,
            digest,
        }
    }

    /// See the field; a resource reused by a later snapshot keeps its id.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The identity representation (always present).
    pub(crate) fn identity(&self) -> &Representation {
        &self.identity
    }

    /// The representation for `coding`, if that coding is worth serving for this resource.
    pub(crate) fn representation(&self, coding: Coding) -> Option<&Representation> {
        match coding {
            Coding::Identity => Some(&self.identity),
            Coding::Gzip => self.gzip.as_ref(),
            Coding::Br => self.br.as_ref(),
        }
    }

    /// Whether `opaque` (an entity-tag without `W/` and quotes) names any encoding of this
    /// resource. Lenient on purpose: every encoding carries the same content, and CDNs and
    /// proxies re-encode and rewrite tags (`W/`, `-gzip` suffixes), so a client holding any
    /// of them already has the current content.
    pub(crate) fn tag_matches(&self, opaque: &str) -> bool {
        match opaque.strip_prefix(&*self.tag_base) {
            Some(rest) => rest.is_empty() || rest.starts_with('-'),
            None => false,
        }
    }
}

/// Every route's response for one content state; swapped whole, never mutated.
pub struct Snapshot {
    ready: bool,
    /// Route path -> resource; aliases share the `Arc`. A handful of routes: a linear scan
    /// beats hashing.
    routes: Vec<(Box<str>, Arc<Resource>)>,
    errors: Vec<String>,
    published: usize,
    cache_control: HeaderValue,
    readyz_body: Bytes,
    /// Media files served at `/media/` (empty unless a podcast section has local media).
    media: Arc<MediaTable>,
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
        }
    }

    /// Renders every route once: identity, gzip and br bytes, ETags and header values.
    ///
    /// `previous` is the snapshot being served (None at first load) and `now` the wall clock
    /// at this rebuild; together they keep `Last-Modified` moving forward whenever a route's
    /// bytes change (see the module doc). A route whose bytes did not change reuses the
    /// previous resource as is: same ETag, same `Last-Modified`, no recompression.
    pub fn build(
        cfg: &Config,
        outputs: SiteOutputs,
        errors: Vec<String>,
        published: usize,
        previous: Option<&Snapshot>,
        now: DateTime<Utc>,
    ) -> Snapshot {
        let now = truncate_to_second(now);
        // RFC 9110 §8.8.2.1: a Last-Modified in the future must be replaced by the current
        // time. Only an `updated` in the future hits this; replicas agree in every other case.
        let candidate = outputs
            .feed_updated
            .map(truncate_to_second)
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
            .min(now);
        let make = |path: &str, content_type: &'static str, body: String| -> Arc<Resource> {
            let body = Bytes::from(body);
            let digest = digest(content_type, &body);
            let prev = previous.and_then(|p| p.resource(path));
            if let Some(prev) = prev.filter(|prev| prev.digest == digest) {
                return Arc::clone(prev);
            }
            let last_modified = last_modified(candidate, prev.map(|p| p.last_modified_unix), now);
            Arc::new(Resource::new(content_type, body, digest, last_modified))
        };

        // The feeds compress in parallel; the page is small.
        let alias_path = cfg.feeds.rss_alias_path.as_deref();
        let ((rss, atom), (index, alias)) = rayon::join(
            || {
                rayon::join(
                    || make(&cfg.feeds.rss_path, RSS_CONTENT_TYPE, outputs.rss),
                    || make(&cfg.feeds.atom_path, ATOM_CONTENT_TYPE, outputs.atom),
                )
            },
            || {
                rayon::join(
                    || make(&cfg.feeds.index_path, HTML_CONTENT_TYPE, outputs.index_html),
                    || {
                        let path = alias_path?;
                        Some(make(path, RSS_CONTENT_TYPE, outputs.rss_alias?))
                    },
                )
            },
        );
        let mut routes: Vec<(Box<str>, Arc<Resource>)> = vec![
            (cfg.feeds.rss_path.as_str().into(), Arc::clone(&rss)),
            (cfg.feeds.atom_path.as_str().into(), atom),
            (cfg.feeds.index_path.as_str().into(), index),
        ];
        if let Some(path) = alias_path {
            routes.push((path.into(), alias.unwrap_or(rss)));
        }

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

    /// Identity bytes of a route (for `build --out` and tests).
    pub fn body(&self, path: &str) -> Option<&Bytes> {
        self.resource(path).map(|r| &r.identity().body)
    }

    /// Identity ETag of a route, quotes included.
    pub fn etag(&self, path: &str) -> Option<&str> {
        self.resource(path)
            .and_then(|r| r.identity().etag.to_str().ok())
    }

    /// The pre-rendered resource at an exact route path.
    pub(crate) fn resource(&self, path: &str) -> Option<&Arc<Resource>> {
        self.routes
            .iter()
            .find(|(route, _)| &**route == path)
            .map(|(_, resource)| resource)
    }

    /// The body file holding `slice` and the slice's offset in it, if `slice` lies within
    /// the body of one of this snapshot's representations that has a file.
    pub(crate) fn body_file(&self, slice: &[u8]) -> Option<(&BodyFile, u64)> {
        let start = slice.as_ptr() as usize;
        let end = start.checked_add(slice.len())?;
        self.routes
            .iter()
            .flat_map(|(_, resource)| Coding::ALL.map(|c| resource.representation(c)))
            .flatten()
            .find_map(|rep| {
                let file = rep.file.as_deref()?;
                let body_start = rep.body.as_ptr() as usize;
                let body_end = body_start + rep.body.len();
                (body_start <= start && end <= body_end)
                    .then(|| (file, (start - body_start) as u64))
            })
    }

    /// `Cache-Control` for feed routes: `public, max-age=<server.cache_max_age>`.
    pub(crate) fn cache_control(&self) -> &HeaderValue {
        &self.cache_control
    }

    /// `/readyz` body: `starting\n` before the first load, then the summary and errors.
    pub(crate) fn readyz_body(&self) -> &Bytes {
        &self.readyz_body
    }

    /// Sets the media files this snapshot serves; called before the snapshot is swapped in.
    #[allow(dead_code)]
    pub(crate) fn set_media(&mut self, media: Arc<MediaTable>) {
        self.media = media;
    }

    /// The media files served at `/media/`.
    pub(crate) fn media(&self) -> &MediaTable {
        &self.media
    }
}

fn cache_control(cfg: &Config) -> HeaderValue {
    header_value(&format!("public, max-age={}", cfg.server.cache_max_age))
}

/// Header values we build are ASCII by construction; never panic if that changes.
fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn outputs(rss: &str, updated: Option<&str>) -> SiteOutputs {
        SiteOutputs {
            rss: rss.to_string(),
            rss_alias: None,
            atom: format!("<feed>{}</feed>", "atom entry text ".repeat(40)),
            index_html: "<!doctype html><title>x</title>".to_string(),
            feed_updated: updated.map(at),
        }
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
        assert_eq!(
            s.etag("/rss.xml"),
            Some(etag),
            "alias serves the same resource"
        );
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
        assert_eq!(s.body("/feed.xml").map(|b| &b[..]), Some(&b"<rss/>"[..]));
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
        assert_eq!(s.cache_control(), "public, max-age=300");
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
        // Locating slices: inside a body with a file -> (file, offset); elsewhere -> None.
        let tail = &identity.body[1000..];
        let other = identity.body.to_vec();
        assert!(snap.body_file(&other).is_none());
        assert!(snap.body_file(&small.body).is_none());
        #[cfg(target_os = "linux")]
        {
            let (file, offset) = snap.body_file(tail).expect("slice of a filed body");
            assert_eq!(offset, 1000);
            assert_eq!(body_file::tests::file_bytes(file), &identity.body[..]);
        }
        #[cfg(not(target_os = "linux"))]
        assert!(snap.body_file(tail).is_none());
    }
}
