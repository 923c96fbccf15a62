//! The `Last-Modified` rule of SPEC §4: a route's `Last-Modified` is its feed's newest
//! `updated`, except that it moves to the rebuild time when the bytes change without a newer
//! `updated`, and it never goes back or stays put while the bytes change.

use chrono::{DateTime, TimeZone, Utc};

/// SPEC §4 for a route whose bytes changed (or appear for the first time).
///
/// First appearance: the feed's newest `updated`, never the clock, so replicas agree.
/// Later: that `updated` if it is newer than what we served, else the rebuild time, and in
/// any case strictly after the previous value.
pub(super) fn last_modified(
    candidate: DateTime<Utc>,
    previous: Option<i64>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let Some(prev) = previous else {
        return candidate;
    };
    let chosen = if candidate.timestamp() > prev {
        candidate
    } else {
        now
    };
    if chosen.timestamp() > prev {
        chosen
    } else {
        // The clock is behind what we served: still move forward.
        Utc.timestamp_opt(prev.saturating_add(1), 0)
            .single()
            .unwrap_or(chosen)
    }
}

/// Whole seconds: what an HTTP date can carry.
pub(super) fn truncate_to_second(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.timestamp_opt(t.timestamp(), 0).single().unwrap_or(t)
}

/// IMF-fixdate (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. Formatted with
/// chrono, not `httpdate` (which the request side uses to parse): a feed's newest `updated`
/// may be before 1970, which `httpdate` cannot represent (it panics).
pub(crate) fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}
