//! One route's pre-built response: a [`Resource`] with its [`Representation`] per
//! [`Coding`] (identity bytes, gzip and br made at once, or for a chunked document made on
//! first request), its ETags, `Last-Modified`, `Cache-Control` and WebSub `Link`, and how a
//! document becomes one ([`make_resource`], [`chunked_resource`]), reusing the previous
//! resource when the bytes did not change.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use hyper::header::HeaderValue;

use super::body_file::BodyFile;
use super::encode::digest;
use super::encode::{brotli, gzip, tag_base};
use super::items::{ItemStore, SpillFile, Stored};
use super::last_modified::{http_date, last_modified, truncate_to_second};
use super::{cache_control, header_value};
use crate::config::Config;
use crate::feed::{Chunk, Document, DocumentKind};

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
    /// Where the bytes are when `body` is empty: kept on disk (a compressed form of a
    /// chunked document), or put together from parts (a chunked document's identity).
    kept: Option<Kept>,
}

#[derive(Clone)]
enum Kept {
    Whole(Stored),
    Parts(Arc<[Stored]>),
}

impl Representation {
    /// The bytes to send: `body`, or read from where they are kept.
    pub(crate) fn bytes(&self) -> std::io::Result<Bytes> {
        match &self.kept {
            None => Ok(self.body.clone()),
            Some(Kept::Whole(stored)) => stored.read(),
            Some(Kept::Parts(parts)) => {
                let len = parts.iter().map(Stored::len).sum();
                let mut out = bytes::BytesMut::with_capacity(len);
                for part in parts.iter() {
                    part.read_into(&mut out)?;
                }
                Ok(out.freeze())
            }
        }
    }
}

/// A chunked document's compressed forms, made on first request (see [`items`]).
struct Lazy {
    spill: Option<Arc<SpillFile>>,
    gzip: std::sync::OnceLock<Option<Representation>>,
    br: std::sync::OnceLock<Option<Representation>>,
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
    /// Full SHA-256 of the identity bytes and content type (of a chunked document: of its
    /// chunks' digests): "did the bytes change?".
    pub(super) digest: [u8; 32],
    /// `Some` for a chunked document: its compressed forms, made on demand.
    lazy: Option<Lazy>,
    /// Its document's [`key`](crate::feed::Document::key).
    pub(super) key: Option<u64>,
    /// `Link` header of a feed when WebSub hubs are configured (WebSub §4 discovery).
    pub(crate) link: Option<HeaderValue>,
    /// `public, max-age=<server.cache_max_age>`, or a year and `immutable` for a document
    /// no new article changes (a complete RFC 5005 archive).
    pub(crate) cache_control: HeaderValue,
}

impl Resource {
    fn new(
        content_type: &'static str,
        body: Bytes,
        digest: [u8; 32],
        last_modified: DateTime<Utc>,
        link: Option<HeaderValue>,
        cache_control: HeaderValue,
    ) -> Resource {
        let tag_base = tag_base(&digest);
        let make = |coding: Coding, bytes: Bytes| Representation {
            coding,
            etag: header_value(&format!("\"{tag_base}{}\"", coding.etag_suffix())),
            content_length: HeaderValue::from(bytes.len()),
            content_encoding: coding.header(),
            file: BodyFile::new(&bytes).map(Arc::new),
            body: bytes,
            kept: None,
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
            lazy: None,
            key: None,
            link,
            cache_control,
        }
    }

    /// A chunked document's resource: its identity put together from `parts` per response,
    /// its compressed forms made on first request and kept in `spill`.
    fn chunked(
        content_type: &'static str,
        parts: Vec<Stored>,
        digest: [u8; 32],
        last_modified: DateTime<Utc>,
        spill: Option<Arc<SpillFile>>,
        link: Option<HeaderValue>,
        cache_control: HeaderValue,
    ) -> Resource {
        let tag_base = tag_base(&digest);
        let len: usize = parts.iter().map(Stored::len).sum();
        Resource {
            id: NEXT_RESOURCE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            content_type: HeaderValue::from_static(content_type),
            last_modified: header_value(&http_date(last_modified)),
            last_modified_unix: last_modified.timestamp(),
            identity: Representation {
                coding: Coding::Identity,
                body: Bytes::new(),
                file: None,
                etag: header_value(&format!("\"{tag_base}\"")),
                content_length: HeaderValue::from(len),
                content_encoding: None,
                kept: Some(Kept::Parts(parts.into())),
            },
            gzip: None,
            br: None,
            tag_base,
            digest,
            lazy: Some(Lazy {
                spill,
                gzip: std::sync::OnceLock::new(),
                br: std::sync::OnceLock::new(),
            }),
            key: None,
            link,
            cache_control,
        }
    }

    /// A compressed form of a chunked document, made now; `None` when it would not be
    /// smaller or the bytes cannot be read.
    fn compress(&self, coding: Coding, spill: Option<&Arc<SpillFile>>) -> Option<Representation> {
        let identity = self.identity.bytes().ok()?;
        let compressed = match coding {
            Coding::Identity => return None,
            Coding::Gzip => gzip(&identity),
            Coding::Br => brotli(&identity),
        };
        if compressed.len() >= identity.len() {
            return None;
        }
        Some(Representation {
            coding,
            body: Bytes::new(),
            file: None,
            etag: header_value(&format!("\"{}{}\"", self.tag_base, coding.etag_suffix())),
            content_length: HeaderValue::from(compressed.len()),
            content_encoding: coding.header(),
            kept: Some(Kept::Whole(Stored::keep(spill, compressed))),
        })
    }

    /// Whether `coding` can be served, without making a compressed form.
    pub(crate) fn offers(&self, coding: Coding) -> bool {
        match (&self.lazy, coding) {
            (_, Coding::Identity) => true,
            // Worth trying: a feed of a few hundred bytes or more compresses.
            (Some(_), _) => self.identity.body.len() + self.identity_len() >= 256,
            (None, _) => self.representation(coding).is_some(),
        }
    }

    fn identity_len(&self) -> usize {
        match &self.identity.kept {
            Some(Kept::Parts(parts)) => parts.iter().map(Stored::len).sum(),
            Some(Kept::Whole(stored)) => stored.len(),
            None => 0,
        }
    }

    /// Whether this is a feed (RSS, Atom, JSON Feed) rather than a page.
    pub(crate) fn is_feed(&self) -> bool {
        self.content_type != DocumentKind::Html.content_type()
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
    /// Of a chunked document, a compressed form is made on the first call for it.
    pub(crate) fn representation(&self, coding: Coding) -> Option<&Representation> {
        if let Some(lazy) = &self.lazy {
            let spill = lazy.spill.as_ref();
            return match coding {
                Coding::Identity => Some(&self.identity),
                Coding::Gzip => lazy
                    .gzip
                    .get_or_init(|| self.compress(coding, spill))
                    .as_ref(),
                Coding::Br => lazy
                    .br
                    .get_or_init(|| self.compress(coding, spill))
                    .as_ref(),
            };
        }
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

/// A document's resource: the previous one as is when its bytes did not change (same ETag,
/// same `Last-Modified`, no recompression), else a new one.
pub(super) fn make_resource(
    cfg: &Config,
    document: Document,
    previous: Option<&Arc<Resource>>,
    now: DateTime<Utc>,
) -> Arc<Resource> {
    let Document {
        path,
        kind,
        body,
        updated,
        immutable,
        ..
    } = document;
    let content_type = kind.content_type();
    let body = Bytes::from(body);
    let digest = digest(content_type, &body);
    if let Some(prev) = previous.filter(|prev| prev.digest == digest) {
        return Arc::clone(prev);
    }
    // RFC 9110 §8.8.2.1: a Last-Modified in the future must be replaced by the current
    // time. Only an `updated` in the future hits this; replicas agree in every other case.
    let candidate = updated
        .map(truncate_to_second)
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
        .min(now);
    let last_modified = last_modified(candidate, previous.map(|p| p.last_modified_unix), now);
    let link = (kind != DocumentKind::Html)
        .then(|| hub_link(cfg, &path))
        .flatten();
    Arc::new(Resource::new(
        content_type,
        body,
        digest,
        last_modified,
        link,
        resource_cache_control(cfg, immutable),
    ))
}

/// A chunked document's resource (see [`items`]): the previous one when its digest is the
/// same, else a new one; `None` when one of its items is missing (not expected: the site
/// lists only members whose items are kept or new).
pub(super) fn chunked_resource(
    cfg: &Config,
    document: Document,
    items: &ItemStore,
    previous: Option<&Arc<Resource>>,
    now: DateTime<Utc>,
) -> Option<Arc<Resource>> {
    use sha2::{Digest, Sha256};
    let content_type = document.kind.content_type();
    let mut hasher = Sha256::new();
    hasher.update(content_type.as_bytes());
    let chunks = document.chunks.unwrap_or_default();
    let mut parts = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        match chunk {
            Chunk::Text(text) => {
                hasher.update(b"T");
                hasher.update(Sha256::digest(text.as_bytes()));
                parts.push(Stored::Memory(Bytes::from(text)));
            }
            Chunk::Item {
                source,
                fingerprint,
                format,
            } => {
                let item = items.get(&source, fingerprint, format)?;
                hasher.update(b"I");
                hasher.update(item.digest);
                parts.push(item.stored.clone());
            }
        }
    }
    let digest: [u8; 32] = hasher.finalize().into();
    if let Some(prev) = previous.filter(|prev| prev.digest == digest) {
        return Some(Arc::clone(prev));
    }
    let candidate = document
        .updated
        .map(truncate_to_second)
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
        .min(now);
    let last_modified = last_modified(candidate, previous.map(|p| p.last_modified_unix), now);
    Some(Arc::new(Resource::chunked(
        content_type,
        parts,
        digest,
        last_modified,
        items.file().cloned(),
        hub_link(cfg, &document.path),
        resource_cache_control(cfg, document.immutable),
    )))
}

/// `Link: <hub>; rel="hub", <self>; rel="self"` for the feed at `path`; None without hubs.
/// WebSub §4 asks for it in the HTTP response; the documents carry the same links.
fn hub_link(cfg: &Config, path: &str) -> Option<HeaderValue> {
    if cfg.websub.hubs.is_empty() {
        return None;
    }
    let mut text = String::new();
    for hub in &cfg.websub.hubs {
        text.push_str(&format!("<{hub}>; rel=\"hub\", "));
    }
    text.push_str(&format!("<{}>; rel=\"self\"", cfg.public_url(path)));
    HeaderValue::from_str(&text).ok()
}

/// A year, and `immutable` (RFC 8246): what never changes may be kept as long as caches keep
/// anything.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A resource's `Cache-Control`: [`IMMUTABLE`] for a document no new article changes, else
/// the snapshot's.
fn resource_cache_control(cfg: &Config, immutable: bool) -> HeaderValue {
    if immutable {
        HeaderValue::from_static(IMMUTABLE)
    } else {
        cache_control(cfg)
    }
}
