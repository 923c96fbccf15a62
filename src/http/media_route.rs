//! `/media/<path under content.dir>`: the media files of published episodes (the snapshot's
//! [`MediaTable`](crate::snapshot::MediaTable); nothing else is ever served, whatever is on
//! disk), from the file itself: preconditions (304, 412), a single `Range` (206, 416) under
//! `If-Range`, HEAD, and the body sent with `sendfile` ([`super::file_body`]).
//!
//! The request path does one snapshot load and one table lookup, then opens the file: never
//! through a symlink at the last component, and only a regular file. Length, ETag and
//! `Last-Modified` come from the opened file's `fstat`, so a file replaced since the
//! snapshot was built is served with its own headers, never the old ones.

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use hyper::header::{
    self, HeaderMap, HeaderName, HeaderValue, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    IF_UNMODIFIED_SINCE,
};
use hyper::{Method, Request, Response, StatusCode, Version};

use super::clock;
use super::conditional::{entity_tags, parse_http_date};
use super::file_body::{FileBody, FileRegions};
use super::range::{self, Ranged};
use super::response::text;
use super::response_body::ResponseBody;
use super::AppState;
use crate::config::Config;
use crate::content::media::etag;

/// Where media is served; the rest of the path is the key in the media table.
pub(super) const PREFIX: &str = "/media/";

/// The label of every media request in the metrics (one, not one per file).
pub(super) const METRICS_ROUTE: &str = "/media";

const ACCEPT_RANGES: HeaderValue = HeaderValue::from_static("bytes");

/// Whether this configuration may serve media at all (a podcast section whose media is
/// served here, not from `podcast.media_base_url`); without it `/media/…` is 404 under the
/// `other` route like any unknown path.
pub(super) fn enabled(cfg: &Config) -> bool {
    cfg.podcast
        .as_ref()
        .is_some_and(|p| p.media_base_url.is_none())
}

/// Answers a GET or HEAD for `path` (which starts with [`PREFIX`]). `regions`: this
/// connection's queue for `sendfile`, when it has one (HTTP/1.1 over TCP on Linux).
pub(super) fn media<B>(
    state: &AppState,
    request: &Request<B>,
    path: &str,
    regions: Option<&Arc<FileRegions>>,
) -> Response<ResponseBody> {
    let snapshot = state.snapshot.load();
    let entry = path
        .strip_prefix(PREFIX)
        .and_then(decode)
        .and_then(|rel| snapshot.media().get(&rel));
    let Some(entry) = entry else {
        return not_found(request);
    };
    let (file, meta) = match open(&entry.fs_path) {
        Ok(opened) => opened,
        Err(error) => {
            tracing::warn!(path = %entry.fs_path.display(), %error, "media file not served");
            return not_found(request);
        }
    };
    let len = meta.len();
    let etag_text = etag(&meta);
    let now = clock::now();
    // RFC 9110 §8.8.2.1: never later than Date (a file stamped in the future).
    let last_modified = meta.mtime().min(now.unix);
    let validators = Validators {
        etag: header_value(&etag_text),
        last_modified: clock::date_value(last_modified),
        date: now.date,
        cache_control: snapshot.cache_control().clone(),
    };
    let headers = request.headers();

    match preconditions(headers, &etag_text, last_modified) {
        Some(StatusCode::PRECONDITION_FAILED) => {
            return text(
                request,
                StatusCode::PRECONDITION_FAILED,
                Bytes::from_static(b"precondition failed\n"),
            )
        }
        Some(_) => return validators.response(StatusCode::NOT_MODIFIED, ResponseBody::empty()),
        None => {}
    }

    // RFC 9110 §14.2: GET is the only method with ranges; HEAD describes the whole file.
    let ranged = if request.method() == Method::GET
        && range::if_range_holds(headers, &etag_text, last_modified, now.unix)
    {
        range::ranged(headers, len)
    } else {
        Ranged::Whole
    };
    let (status, start, end) = match ranged {
        Ranged::Whole => (StatusCode::OK, 0, len),
        Ranged::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end),
        Ranged::Unsatisfiable => {
            let mut response = text(
                request,
                StatusCode::RANGE_NOT_SATISFIABLE,
                Bytes::from_static(b"range not satisfiable\n"),
            );
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_RANGE,
                header_value(&format!("bytes */{len}")),
            );
            headers.insert(header::ACCEPT_RANGES, ACCEPT_RANGES);
            return response;
        }
    };
    let body = if request.method() == Method::HEAD {
        ResponseBody::empty()
    } else {
        // sendfile only on HTTP/1: h2 interleaves streams (see `file_body`).
        let regions = regions.filter(|_| request.version() < Version::HTTP_2);
        ResponseBody::file(FileBody::new(file, start, end, regions.cloned()))
    };
    let mut response = validators.response(status, body);
    let map = response.headers_mut();
    map.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(entry.info.mime),
    );
    map.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    if status == StatusCode::PARTIAL_CONTENT {
        let range = format!("bytes {start}-{}/{len}", end - 1);
        map.insert(header::CONTENT_RANGE, header_value(&range));
    }
    response
}

/// The headers every 200, 206 and 304 carries.
struct Validators {
    etag: HeaderValue,
    last_modified: HeaderValue,
    date: HeaderValue,
    cache_control: HeaderValue,
}

impl Validators {
    fn response(self, status: StatusCode, body: ResponseBody) -> Response<ResponseBody> {
        let mut map = HeaderMap::with_capacity(9);
        map.insert(header::ETAG, self.etag);
        map.insert(header::LAST_MODIFIED, self.last_modified);
        map.insert(header::DATE, self.date);
        map.insert(header::CACHE_CONTROL, self.cache_control);
        map.insert(header::ACCEPT_RANGES, ACCEPT_RANGES);
        let mut response = Response::new(body);
        *response.status_mut() = status;
        *response.headers_mut() = map;
        response
    }
}

/// RFC 9110 §13.2.2 for a file with the strong tag `etag` (quoted) and `last_modified`:
/// 412, 304, or `None` to go on.
fn preconditions(headers: &HeaderMap, etag: &str, last_modified: i64) -> Option<StatusCode> {
    let opaque = &etag[1..etag.len() - 1];
    let unchanged = match tags(headers, IF_MATCH) {
        // Strong comparison: a weak tag never matches.
        Some(mut list) => list.any(|(weak, tag)| tag == "*" || (!weak && tag == opaque)),
        None => header_date(headers, IF_UNMODIFIED_SINCE).is_none_or(|d| last_modified <= d),
    };
    if !unchanged {
        return Some(StatusCode::PRECONDITION_FAILED);
    }
    let current = match tags(headers, IF_NONE_MATCH) {
        // Weak comparison.
        Some(mut list) => list.any(|(_, tag)| tag == "*" || tag == opaque),
        None => header_date(headers, IF_MODIFIED_SINCE).is_some_and(|d| last_modified <= d),
    };
    current.then_some(StatusCode::NOT_MODIFIED)
}

/// Every entity-tag (or `*`) of the header `name`'s values; `None` when it is absent.
fn tags(headers: &HeaderMap, name: HeaderName) -> Option<impl Iterator<Item = (bool, &str)>> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    Some(values.filter_map(|v| v.to_str().ok()).flat_map(entity_tags))
}

/// The date of header `name` as Unix seconds, when it is there once and valid.
fn header_date(headers: &HeaderMap, name: HeaderName) -> Option<i64> {
    let mut values = headers.get_all(name).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return None;
    };
    value.to_str().ok().and_then(parse_http_date)
}

/// The table key of a request path after [`PREFIX`]: percent-decoded, UTF-8, with no
/// empty, `.` or `..` segment and no NUL (such a path is never a key; refused early).
fn decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(out).ok()?;
    let clean = !text.contains('\0')
        && text
            .split('/')
            .all(|segment| !matches!(segment, "" | "." | ".."));
    clean.then_some(text)
}

/// Opens `path` for reading: not through a symlink at its last component, never blocking
/// on a FIFO, and only if it is a regular file.
fn open(path: &Path) -> std::io::Result<(File, std::fs::Metadata)> {
    #[cfg(target_os = "linux")]
    let file = {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        File::from(rustix::fs::open(path, flags, Mode::empty())?)
    };
    #[cfg(not(target_os = "linux"))]
    let file = {
        if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
            return Err(std::io::Error::other("a symlink"));
        }
        File::open(path)?
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    Ok((file, meta))
}

fn not_found<B>(request: &Request<B>) -> Response<ResponseBody> {
    text(
        request,
        StatusCode::NOT_FOUND,
        Bytes::from_static(b"not found\n"),
    )
}

/// Header values built here are ASCII by construction.
fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or(HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_headers as headers;

    #[test]
    fn paths_decode_to_table_keys() {
        assert_eq!(decode("ep/one.mp3").as_deref(), Some("ep/one.mp3"));
        assert_eq!(decode("ep/a%20b%C3%A9.mp3").as_deref(), Some("ep/a bé.mp3"));
        for bad in [
            "../x",
            "ep/../../x",
            "%2e%2e/x",
            "ep//x",
            "./x",
            "x/",
            "%zz",
            "%4",
            "a%00b",
            "%ff",
        ] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn preconditions_in_rfc_order() {
        let etag = "\"a-b-c\"";
        let lm = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let earlier = "Sun, 06 Nov 1994 08:49:36 GMT";
        let decide = |pairs: &[(&'static str, &str)]| preconditions(&headers(pairs), etag, lm);
        assert_eq!(decide(&[]), None);
        assert_eq!(
            decide(&[("if-none-match", "\"a-b-c\"")]),
            Some(StatusCode::NOT_MODIFIED)
        );
        assert_eq!(
            decide(&[("if-none-match", "W/\"a-b-c\"")]),
            Some(StatusCode::NOT_MODIFIED)
        );
        assert_eq!(
            decide(&[("if-none-match", "\"x\", *")]),
            Some(StatusCode::NOT_MODIFIED)
        );
        assert_eq!(decide(&[("if-none-match", "\"x\"")]), None);
        // If-None-Match wins over If-Modified-Since.
        assert_eq!(
            decide(&[("if-none-match", "\"x\""), ("if-modified-since", date)]),
            None
        );
        assert_eq!(
            decide(&[("if-modified-since", date)]),
            Some(StatusCode::NOT_MODIFIED)
        );
        assert_eq!(decide(&[("if-modified-since", earlier)]), None);
        assert_eq!(decide(&[("if-match", "\"a-b-c\"")]), None);
        assert_eq!(
            decide(&[("if-match", "W/\"a-b-c\"")]),
            Some(StatusCode::PRECONDITION_FAILED)
        );
        assert_eq!(
            decide(&[("if-match", "\"x\"")]),
            Some(StatusCode::PRECONDITION_FAILED)
        );
        assert_eq!(
            decide(&[("if-unmodified-since", earlier)]),
            Some(StatusCode::PRECONDITION_FAILED)
        );
        assert_eq!(decide(&[("if-unmodified-since", date)]), None);
    }
}
