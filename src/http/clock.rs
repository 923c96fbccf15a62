//! The second-granular wall clock of feed responses, and their `Date` header.
//!
//! RFC 9110 §8.8.2.1: an origin server must not send a `Last-Modified` later than its `Date`.
//! A snapshot's `Last-Modified` can be ahead of the clock (each run-time change of the bytes
//! moves it at least one second past the previous value, so quick edits push it into the
//! future), so a feed response compares it with this clock and sends the `Date` value
//! instead while it is ahead. The response carries that same `Date` value (hyper then adds
//! none of its own), so the two agree exactly.
//!
//! Per thread, like hyper's own cached date: a request reads the system clock (vDSO, no
//! system call on Linux), compares whole seconds with the cached ones and clones a cached
//! header value that no other thread touches; the value is formatted again once a second.

use std::cell::RefCell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::header::HeaderValue;

/// The current second: Unix seconds and the IMF-fixdate `Date` value naming it.
#[derive(Clone)]
pub(super) struct Now {
    pub(super) unix: i64,
    pub(super) date: HeaderValue,
}

thread_local! {
    static CACHED: RefCell<Option<Now>> = const { RefCell::new(None) };
}

/// The current second, formatted at most once a second per thread.
pub(super) fn now() -> Now {
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    CACHED.with_borrow_mut(|cached| match cached {
        Some(now) if now.unix == unix => now.clone(),
        _ => {
            let fresh = Now {
                unix,
                date: date_value(unix),
            };
            *cached = Some(fresh.clone());
            fresh
        }
    })
}

/// `Date` value of Unix second `unix`.
pub(super) fn date_value(unix: i64) -> HeaderValue {
    // `httpdate` formats years 1970 to 9999 only (it panics outside); the clock is in them.
    const YEAR_10000: u64 = 253_402_300_800;
    let text = u64::try_from(unix)
        .ok()
        .filter(|&secs| secs < YEAR_10000)
        .map(|secs| httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs)));
    // IMF-fixdate is ASCII; the fallback never runs.
    text.and_then(|text| HeaderValue::from_str(&text).ok())
        .unwrap_or(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn now_is_the_current_second_with_its_date() {
        let before = Utc::now().timestamp();
        let now = now();
        let after = Utc::now().timestamp();
        assert!(before <= now.unix && now.unix <= after);
        assert_eq!(now.date, date_value(now.unix));
        assert_eq!(date_value(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(date_value(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(date_value(253_402_300_799), "Fri, 31 Dec 9999 23:59:59 GMT");
        // Outside what an HTTP-date can name: the epoch, not a panic.
        assert_eq!(date_value(-1), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(date_value(i64::MAX), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
