//! Speed work: each worker thread's own copies of a representation's header values.
//!
//! Cloning the snapshot's own `HeaderValue`s bumps a reference count shared by every
//! worker, so each response would make the cores pass those cache lines back and forth.
//! Each worker clones its own copies instead, made once per resource and encoding.

use std::cell::RefCell;

use hyper::header::HeaderValue;

use crate::snapshot::{Coding, Representation, Resource};

/// One representation's header values, copied for the calling worker thread.
#[derive(Clone)]
pub(super) struct LocalHeaders {
    key: (u64, Coding),
    pub(super) cache_control: HeaderValue,
    pub(super) last_modified: HeaderValue,
    pub(super) etag: HeaderValue,
    pub(super) content_length: HeaderValue,
}

/// Copies kept per thread: every route's encodings, with room for those of a snapshot
/// just replaced; the cache is simply emptied when full.
const LOCAL_HEADERS_MAX: usize = 32;

thread_local! {
    static LOCAL_HEADERS: RefCell<Vec<LocalHeaders>> = const { RefCell::new(Vec::new()) };
}

/// This thread's copies of `rep`'s header values (and its resource's `Cache-Control`).
pub(super) fn local_headers(resource: &Resource, rep: &Representation) -> LocalHeaders {
    // Resource ids are never reused, and a resource never changes: a hit is always current.
    let key = (resource.id(), rep.coding);
    LOCAL_HEADERS.with_borrow_mut(|cache| {
        if let Some(found) = cache.iter().find(|h| h.key == key) {
            return found.clone();
        }
        if cache.len() >= LOCAL_HEADERS_MAX {
            cache.clear();
        }
        // A copy of a valid value is valid; the fallback (a shared clone) never runs.
        let copy =
            |v: &HeaderValue| HeaderValue::from_bytes(v.as_bytes()).unwrap_or_else(|_| v.clone());
        let fresh = LocalHeaders {
            key,
            cache_control: copy(&resource.cache_control),
            last_modified: copy(&resource.last_modified),
            etag: copy(&rep.etag),
            content_length: copy(&rep.content_length),
        };
        cache.push(fresh.clone());
        fresh
    })
}
