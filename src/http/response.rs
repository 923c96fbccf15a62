//! Building responses: a feed representation (200) or its confirmation (304) from the
//! snapshot's pre-built bytes and header values, and the small `text/plain` answers (the
//! health texts, 404, 405, 406, 412, 503).

use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::clock::Now;
use super::local_headers::local_headers;
use super::response_body::ResponseBody;
use crate::metrics;
use crate::snapshot::{Representation, Resource};

const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
const VARY_AE: HeaderValue = HeaderValue::from_static("Accept-Encoding");
const ALLOW: HeaderValue = HeaderValue::from_static("GET, HEAD");

/// A feed answer: 200 with `rep`, or (`not_modified`) a 304 that describes `rep`. `now` is
/// the `Date` sent; while the snapshot's Last-Modified is `ahead` of it, `Date` is sent as
/// Last-Modified too (see `feed_route`).
pub(super) fn representation<B>(
    request: &Request<B>,
    resource: &Resource,
    rep: &Representation,
    not_modified: bool,
    now: Now,
    ahead: bool,
) -> Response<ResponseBody> {
    let local = local_headers(resource, rep);
    let mut map = HeaderMap::with_capacity(10);
    map.insert(header::VARY, VARY_AE);
    map.insert(header::CACHE_CONTROL, local.cache_control);
    let last_modified = if ahead {
        now.date.clone()
    } else {
        local.last_modified
    };
    map.insert(header::LAST_MODIFIED, last_modified);
    // hyper adds no Date of its own when the response has one.
    map.insert(header::DATE, now.date);
    map.insert(header::ETAG, local.etag);
    if let Some(link) = &resource.link {
        map.insert(header::LINK, link.clone());
    }
    let (status, body) = if not_modified {
        (StatusCode::NOT_MODIFIED, ResponseBody::empty())
    } else {
        map.insert(header::CONTENT_TYPE, resource.content_type.clone());
        map.insert(header::CONTENT_LENGTH, local.content_length);
        if let Some(encoding) = &rep.content_encoding {
            map.insert(header::CONTENT_ENCODING, encoding.clone());
        }
        let body = if request.method() == Method::HEAD {
            ResponseBody::empty()
        } else {
            match rep.bytes() {
                Ok(bytes) => ResponseBody::with_file(bytes, rep.file.clone()),
                // A document kept on disk that cannot be read back (an I/O error).
                Err(error) => {
                    tracing::warn!(%error, "a response body could not be read back");
                    return text(
                        request,
                        StatusCode::INTERNAL_SERVER_ERROR,
                        Bytes::from_static(b"internal error\n"),
                    );
                }
            }
        };
        (StatusCode::OK, body)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = map;
    response
}

/// A small dynamic `text/plain` response, never cached. HEAD gets the headers only.
pub(super) fn text<B>(
    request: &Request<B>,
    status: StatusCode,
    body: Bytes,
) -> Response<ResponseBody> {
    let mut map = HeaderMap::with_capacity(4);
    map.insert(header::CONTENT_TYPE, TEXT_PLAIN);
    map.insert(header::CACHE_CONTROL, NO_STORE);
    map.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    let body = if request.method() == Method::HEAD {
        ResponseBody::empty()
    } else {
        ResponseBody::new(body)
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = map;
    response
}

/// A [`text`] answer about a feed that depends on `Accept-Encoding` (a 406, a 412 for the
/// representation negotiated), so caches must vary it by that header.
pub(super) fn negotiated_text<B>(
    request: &Request<B>,
    status: StatusCode,
    body: &'static [u8],
) -> Response<ResponseBody> {
    let mut response = text(request, status, Bytes::from_static(body));
    response.headers_mut().insert(header::VARY, VARY_AE);
    response
}

/// 406: none of the encodings the client accepts is offered.
pub(super) fn not_acceptable<B>(request: &Request<B>) -> Response<ResponseBody> {
    negotiated_text(
        request,
        StatusCode::NOT_ACCEPTABLE,
        b"no acceptable content-coding; try identity, gzip or br\n",
    )
}

/// 412: `If-Match` or `If-Unmodified-Since` is false.
pub(super) fn precondition_failed<B>(request: &Request<B>) -> Response<ResponseBody> {
    negotiated_text(
        request,
        StatusCode::PRECONDITION_FAILED,
        b"precondition failed\n",
    )
}

/// 405 for a method other than GET and HEAD on a configured route.
pub(super) fn method_not_allowed<B>(request: &Request<B>) -> Response<ResponseBody> {
    let mut response = text(
        request,
        StatusCode::METHOD_NOT_ALLOWED,
        Bytes::from_static(b"method not allowed\n"),
    );
    response.headers_mut().insert(header::ALLOW, ALLOW);
    response
}

/// The `/metrics` exposition, in its own content type.
pub(super) fn metrics_text<B>(request: &Request<B>, encoded: String) -> Response<ResponseBody> {
    let mut response = text(request, StatusCode::OK, Bytes::from(encoded));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(metrics::CONTENT_TYPE),
    );
    response
}

/// 503 with `Retry-After`: every connection slot is taken (by clients still being
/// answered), and this connection came in on the spare lane that only answers the health
/// probes (see [`super::idle_reclaim`]).
pub(super) fn busy<B>(request: &Request<B>) -> Response<ResponseBody> {
    retry_soon(request, b"busy: every connection is taken; retry shortly\n")
}

/// 503 with `Retry-After: 1`: a second from now the answer may be there.
fn retry_soon<B>(request: &Request<B>, body: &'static [u8]) -> Response<ResponseBody> {
    let mut response = text(
        request,
        StatusCode::SERVICE_UNAVAILABLE,
        Bytes::from_static(body),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// A feed path the snapshot has no resource for: 404 once ready, else 503 (starting) with
/// `Retry-After`.
pub(super) fn no_resource<B>(request: &Request<B>, ready: bool) -> Response<ResponseBody> {
    if ready {
        return text(
            request,
            StatusCode::NOT_FOUND,
            Bytes::from_static(b"not found\n"),
        );
    }
    retry_soon(request, b"starting\n")
}
