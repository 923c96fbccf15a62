//! Preconditions (RFC 9110 §13): `If-Match`, `If-Unmodified-Since`, `If-None-Match` and
//! `If-Modified-Since`, evaluated in the order of §13.2.2, and the 412 / 304 decision.
//!
//! Pure functions over header values: no allocation, no I/O, nothing that can panic on
//! hostile input. Anything unparsable is treated the way the RFC says to: ignored.

use std::time::UNIX_EPOCH;

use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    IF_UNMODIFIED_SINCE,
};

use crate::snapshot::{Coding, Representation, Resource};

/// What the preconditions decide for a feed request.
#[derive(Clone, Copy)]
pub(super) enum Precondition<'a> {
    /// `If-Match` or `If-Unmodified-Since` is false: 412.
    Failed,
    /// The client's copy is current: 304, describing this representation.
    NotModified(&'a Representation),
    /// Send the selected representation: 200.
    Passed,
}

/// Evaluates the preconditions of a request for `resource`, whose `selected`
/// representation would be sent with the Last-Modified `sent` (value, Unix seconds).
pub(super) fn evaluate<'a>(
    headers: &HeaderMap,
    resource: &'a Resource,
    selected: &'a Representation,
    sent: (&HeaderValue, i64),
) -> Precondition<'a> {
    // RFC 9110 §13.2.2: If-Match, else If-Unmodified-Since (against the Last-Modified being
    // sent); a false one is 412, before If-None-Match is looked at.
    let unchanged = match if_match(headers, selected) {
        Some(matched) => matched,
        None => unmodified_since(headers, sent.0, sent.1).unwrap_or(true),
    };
    if !unchanged {
        return Precondition::Failed;
    }

    // If-None-Match wins when present; If-Modified-Since only counts without it. The latter
    // is compared with the snapshot's own value even while the current second is sent: a
    // client that got the previous bytes within the same second holds that same date, and
    // must get the new bytes, not a 304 (SPEC §4). It then gets 200s, never a wrong 304,
    // until the clock catches up.
    let not_modified = match if_none_match(headers, resource) {
        IfNoneMatch::Absent => not_modified_since(headers, resource).then_some(None),
        IfNoneMatch::NoMatch => None,
        IfNoneMatch::Match(exact) => Some(exact),
    };

    // A 304 confirms the representation the client named when it named one exactly (a
    // cache then refreshes the entry it really holds); otherwise the one we would have
    // sent. Tags of every encoding are accepted: see `Resource::tag_matches`.
    match not_modified {
        Some(exact) => Precondition::NotModified(
            exact
                .and_then(|c| resource.representation(c))
                .unwrap_or(selected),
        ),
        None => Precondition::Passed,
    }
}

/// Outcome of `If-None-Match` against a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IfNoneMatch {
    /// No `If-None-Match` header: `If-Modified-Since` decides.
    Absent,
    /// Present, nothing matched: send the representation.
    NoMatch,
    /// Matched. `Some(coding)` when the client named exactly that encoding's tag, so the 304
    /// can confirm the representation the client actually holds.
    Match(Option<Coding>),
}

/// Evaluates `If-None-Match` with the weak comparison RFC 9110 §13.1.2 prescribes (a `W/`
/// prefix is ignored). `*` matches any current representation. A tag of any encoding of the
/// resource matches (see [`Resource::tag_matches`]).
fn if_none_match(headers: &HeaderMap, resource: &Resource) -> IfNoneMatch {
    let mut present = false;
    for value in headers.get_all(IF_NONE_MATCH) {
        present = true;
        let Ok(text) = value.to_str() else { continue };
        if text.trim() == "*" {
            return IfNoneMatch::Match(None);
        }
        for (_weak, opaque) in entity_tags(text) {
            if resource.tag_matches(opaque) {
                let exact = Coding::ALL.into_iter().find(|c| {
                    resource
                        .representation(*c)
                        .is_some_and(|rep| quoted_eq(&rep.etag, opaque))
                });
                return IfNoneMatch::Match(exact);
            }
        }
    }
    if present {
        IfNoneMatch::NoMatch
    } else {
        IfNoneMatch::Absent
    }
}

/// Whether header value `"…"` has `opaque` between its quotes.
fn quoted_eq(etag: &HeaderValue, opaque: &str) -> bool {
    let bytes = etag.as_bytes();
    bytes.len() == opaque.len() + 2 && &bytes[1..bytes.len() - 1] == opaque.as_bytes()
}

/// `If-Match` (RFC 9110 §13.1.1): `None` when absent, else whether it holds: `*` (the
/// representation exists, as it always does here), or a tag equal to the selected
/// representation's ETag by strong comparison (a `W/` tag never matches). Unlike
/// `If-None-Match`, the tag must be that of the encoding being sent.
fn if_match(headers: &HeaderMap, selected: &Representation) -> Option<bool> {
    let mut present = false;
    for value in headers.get_all(IF_MATCH) {
        present = true;
        let Ok(text) = value.to_str() else { continue };
        if text.trim() == "*" {
            return Some(true);
        }
        if entity_tags(text).any(|(weak, opaque)| !weak && quoted_eq(&selected.etag, opaque)) {
            return Some(true);
        }
    }
    present.then_some(false)
}

/// (Weak?, opaque tag without `W/` and quotes) of a comma-separated entity-tag list.
/// Tolerant: an unquoted token is taken as is (not weak), garbage yields nothing.
pub(super) fn entity_tags(text: &str) -> impl Iterator<Item = (bool, &str)> {
    let mut rest = text;
    std::iter::from_fn(move || loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return None;
        }
        let weak = rest.starts_with("W/");
        let body = rest.strip_prefix("W/").unwrap_or(rest);
        if let Some(quoted) = body.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            rest = quoted.get(end + 1..).unwrap_or("");
            return Some((weak, &quoted[..end]));
        }
        let end = body.find(',').unwrap_or(body.len());
        rest = &body[end..];
        let token = body[..end].trim();
        if !token.is_empty() {
            return Some((weak, token));
        }
    })
}

/// Whether `If-Modified-Since` says the client's copy is current: the header is a single
/// valid HTTP-date not earlier than our `Last-Modified`. Callers only ask when
/// `If-None-Match` is absent (RFC 9110 §13.1.3).
fn not_modified_since(headers: &HeaderMap, resource: &Resource) -> bool {
    unchanged_since(
        headers,
        IF_MODIFIED_SINCE,
        &resource.last_modified,
        resource.last_modified_unix,
    )
    .unwrap_or(false)
}

/// `If-Unmodified-Since` (RFC 9110 §13.1.4) against the `Last-Modified` being sent (`value`,
/// `unix`): `None` when absent or ignored (not one valid HTTP-date), else whether the
/// representation is unmodified since then. Callers only ask when `If-Match` is absent.
fn unmodified_since(headers: &HeaderMap, value: &HeaderValue, unix: i64) -> Option<bool> {
    unchanged_since(headers, IF_UNMODIFIED_SINCE, value, unix)
}

/// Whether a `Last-Modified` of `value` (`unix` seconds) is not after the date in header
/// `name`; `None` when that header is absent, repeated or not an HTTP-date (ignored).
fn unchanged_since(
    headers: &HeaderMap,
    name: HeaderName,
    value: &HeaderValue,
    unix: i64,
) -> Option<bool> {
    let mut values = headers.get_all(name).iter();
    let (Some(since), None) = (values.next(), values.next()) else {
        return None; // absent, or more than one member: ignore
    };
    // Clients usually echo our own header back byte for byte: skip parsing then.
    if since == value {
        return Some(true);
    }
    let since = since.to_str().ok().and_then(parse_http_date)?;
    Some(unix <= since)
}

/// Unix seconds of an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, or the obsolete RFC 850
/// and asctime forms, exactly as the grammar spells them. Anything else is not an
/// HTTP-date, and the header is ignored: RFC 2822 variants (numeric or other zones, no
/// weekday, one-digit day, lower case), and dates before 1970 or after 9999.
pub(super) fn parse_http_date(text: &str) -> Option<i64> {
    let time = httpdate::parse_http_date(text).ok()?;
    i64::try_from(time.duration_since(UNIX_EPOCH).ok()?.as_secs()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::feed::SiteOutputs;
    use crate::snapshot::Snapshot;
    use chrono::{DateTime, Utc};
    use std::sync::Arc;

    use crate::http::test_headers as headers;

    /// The RSS resource of a feed updated at `updated` (none: Last-Modified is 1970-01-01),
    /// large enough to have gzip and br forms.
    fn resource_updated(updated: Option<&str>) -> Arc<Resource> {
        let cfg = Config::defaults();
        let outputs = SiteOutputs::site_for_tests(
            "<rss>".to_string() + &"<item>words words words</item>".repeat(40) + "</rss>",
            String::new(),
            String::new(),
            updated
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc)),
        );
        let snap = Snapshot::build(&cfg, outputs, vec![], 1, None, Utc::now());
        Arc::clone(snap.resource("/feed.xml").expect("rss route"))
    }

    fn resource() -> Arc<Resource> {
        resource_updated(None)
    }

    /// The status `evaluate` leads to (412, 304 or 200) and, for a 304, the encoding it
    /// confirms.
    fn decide(r: &Resource, coding: Coding, pairs: &[(&'static str, &str)]) -> (u16, Coding) {
        let selected = r.representation(coding).expect("representation");
        let sent = (&r.last_modified, r.last_modified_unix);
        match evaluate(&headers(pairs), r, selected, sent) {
            Precondition::Failed => (412, coding),
            Precondition::NotModified(described) => (304, described.coding),
            Precondition::Passed => (200, coding),
        }
    }

    /// RFC 9110 §13.2.2: If-Match, else If-Unmodified-Since (412 when false), then
    /// If-None-Match, else If-Modified-Since (304 when the copy is current).
    #[test]
    fn preconditions_are_evaluated_in_rfc_order() {
        let r = resource_updated(Some("2024-03-27T09:30:00Z"));
        let etag = r.identity().etag.to_str().expect("ascii").to_string();
        let lm = r.last_modified.to_str().expect("ascii").to_string();
        assert_eq!(lm, "Wed, 27 Mar 2024 09:30:00 GMT");
        let earlier = "Tue, 26 Mar 2024 00:00:00 GMT";
        let later = "Thu, 28 Mar 2024 00:00:00 GMT";
        let stale = "\"stale\"";
        let table: &[(&[(&'static str, &str)], u16)] = &[
            (&[], 200),
            (&[("if-none-match", &etag)], 304),
            (&[("if-none-match", stale)], 200),
            // If-None-Match wins over a matching If-Modified-Since.
            (&[("if-none-match", stale), ("if-modified-since", &lm)], 200),
            (&[("if-modified-since", &lm)], 304),
            (&[("if-modified-since", later)], 304),
            (&[("if-modified-since", earlier)], 200),
            (&[("if-modified-since", "garbage")], 200),
            // If-Match: a false one is 412 whatever the later preconditions say.
            (&[("if-match", &etag)], 200),
            (&[("if-match", stale)], 412),
            (&[("if-match", stale), ("if-none-match", "\"other\"")], 412),
            (&[("if-match", stale), ("if-modified-since", &lm)], 412),
            (&[("if-match", &etag), ("if-none-match", &etag)], 304),
            // If-Unmodified-Since only counts without If-Match.
            (
                &[("if-match", &etag), ("if-unmodified-since", earlier)],
                200,
            ),
            (&[("if-unmodified-since", &lm)], 200),
            (&[("if-unmodified-since", later)], 200),
            (&[("if-unmodified-since", earlier)], 412),
            (&[("if-unmodified-since", "garbage")], 200),
            (
                &[("if-unmodified-since", &lm), ("if-none-match", &etag)],
                304,
            ),
        ];
        for (pairs, want) in table {
            assert_eq!(decide(&r, Coding::Identity, pairs).0, *want, "{pairs:?}");
        }

        // If-Match compares with the tag of the encoding being sent.
        assert_eq!(decide(&r, Coding::Gzip, &[("if-match", &etag)]).0, 412);
        // A 304 confirms the encoding the client named exactly, else the one selected.
        let gz_tag = r.representation(Coding::Gzip).expect("gzip").etag.clone();
        let gz_tag = gz_tag.to_str().expect("ascii");
        assert_eq!(
            decide(&r, Coding::Identity, &[("if-none-match", gz_tag)]),
            (304, Coding::Gzip)
        );
        assert_eq!(
            decide(&r, Coding::Br, &[("if-none-match", "*")]),
            (304, Coding::Br)
        );
        assert_eq!(
            decide(&r, Coding::Gzip, &[("if-modified-since", &lm)]),
            (304, Coding::Gzip)
        );
    }

    fn inm(r: &Resource, value: &str) -> IfNoneMatch {
        if_none_match(&headers(&[("if-none-match", value)]), r)
    }

    #[test]
    fn if_none_match_forms() {
        let r = resource();
        let base = r.tag_base.to_string();
        assert_eq!(if_none_match(&HeaderMap::new(), &r), IfNoneMatch::Absent);
        assert_eq!(inm(&r, "*"), IfNoneMatch::Match(None));
        assert_eq!(
            inm(&r, &format!("\"{base}\"")),
            IfNoneMatch::Match(Some(Coding::Identity))
        );
        assert_eq!(
            inm(&r, &format!("W/\"{base}\"")),
            IfNoneMatch::Match(Some(Coding::Identity))
        );
        assert_eq!(
            inm(&r, &format!("\"nope\", W/\"{base}-gz\"")),
            IfNoneMatch::Match(Some(Coding::Gzip))
        );
        assert_eq!(
            inm(&r, &format!("\"x\",\"{base}-br\"")),
            IfNoneMatch::Match(Some(Coding::Br))
        );
        // Rewritten by a proxy (Apache-style `-gzip`): still the same content.
        assert_eq!(
            inm(&r, &format!("\"{base}-gzip\"")),
            IfNoneMatch::Match(None)
        );
        assert_eq!(inm(&r, "\"other\""), IfNoneMatch::NoMatch);
        assert_eq!(inm(&r, "\"other\", W/\"x\""), IfNoneMatch::NoMatch);
        assert_eq!(inm(&r, "garbage \"unterminated"), IfNoneMatch::NoMatch);
        assert_eq!(inm(&r, ""), IfNoneMatch::NoMatch);
        assert_eq!(inm(&r, &base), IfNoneMatch::Match(Some(Coding::Identity)));
        // A prefix of our tag is not our tag.
        assert_eq!(
            inm(&r, &format!("\"{}\"", &base[..10])),
            IfNoneMatch::NoMatch
        );
    }

    #[test]
    fn if_match_uses_strong_comparison_with_the_selected_tag() {
        let r = resource();
        let base = r.tag_base.to_string();
        let identity = r.identity();
        let gzip = r.representation(Coding::Gzip).expect("gzip form");
        let im = |rep: &Representation, values: &[&str]| {
            let pairs: Vec<_> = values.iter().map(|v| ("if-match", *v)).collect();
            if_match(&headers(&pairs), rep)
        };
        assert_eq!(if_match(&HeaderMap::new(), identity), None);
        assert_eq!(im(identity, &["*"]), Some(true));
        assert_eq!(im(gzip, &["*"]), Some(true));
        assert_eq!(im(identity, &[&format!("\"{base}\"")]), Some(true));
        assert_eq!(im(identity, &[&format!("\"x\", \"{base}\"")]), Some(true));
        assert_eq!(im(identity, &["\"x\"", &format!("\"{base}\"")]), Some(true));
        assert_eq!(im(gzip, &[&format!("\"{base}-gz\"")]), Some(true));
        // Weak tags never match strongly; another encoding's tag is another representation.
        assert_eq!(im(identity, &[&format!("W/\"{base}\"")]), Some(false));
        assert_eq!(im(gzip, &[&format!("\"{base}\"")]), Some(false));
        assert_eq!(im(identity, &[&format!("\"{base}-gz\"")]), Some(false));
        assert_eq!(im(identity, &["\"other\""]), Some(false));
        assert_eq!(im(identity, &[""]), Some(false));
        assert_eq!(im(identity, &["garbage \"unterminated"]), Some(false));
    }

    #[test]
    fn if_unmodified_since_comparison() {
        let lm = HeaderValue::from_static("Wed, 27 Mar 2024 09:30:00 GMT");
        let unix = parse_http_date("Wed, 27 Mar 2024 09:30:00 GMT").expect("date");
        let ius = |values: &[&str]| {
            let pairs: Vec<_> = values.iter().map(|v| ("if-unmodified-since", *v)).collect();
            unmodified_since(&headers(&pairs), &lm, unix)
        };
        assert_eq!(unmodified_since(&HeaderMap::new(), &lm, unix), None);
        assert_eq!(ius(&["Wed, 27 Mar 2024 09:30:00 GMT"]), Some(true));
        assert_eq!(ius(&["Wed, 27 Mar 2024 09:30:01 GMT"]), Some(true));
        assert_eq!(ius(&["Wednesday, 27-Mar-24 09:30:00 GMT"]), Some(true));
        assert_eq!(ius(&["Wed, 27 Mar 2024 09:29:59 GMT"]), Some(false));
        assert_eq!(ius(&["Thu, 01 Jan 1970 00:00:00 GMT"]), Some(false));
        // Not a valid HTTP-date (a list included): ignored.
        assert_eq!(ius(&["not a date"]), None);
        assert_eq!(
            ius(&[
                "Wed, 27 Mar 2024 09:29:59 GMT",
                "Wed, 27 Mar 2024 09:29:59 GMT"
            ]),
            None
        );
    }

    #[test]
    fn http_dates() {
        let want = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "  Sun, 06 Nov 1994 08:49:37 GMT  ",
        ] {
            assert_eq!(parse_http_date(date), Some(want), "{date:?}");
        }
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        // Not HTTP-dates: ignored, as RFC 9110 §13.1.3-4 require.
        for text in [
            "yesterday",
            "",
            "784111777",
            "Mon, 06 Nov 1994 08:49:37 GMT", // wrong weekday
            "Sun, 30 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:60 GMT",
            "Sun, 06 Nov 1994 08:49:37 +0000",
            "Sun, 06 Nov 1994 08:49:37 EST",
            "06 Nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "sun, 06 nov 1994 08:49:37 gmt",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",
            "Wed, 31 Dec 1969 23:59:59 GMT",
            "Sat, 01 Jan 10000 00:00:00 GMT",
            "S\u{fc}n, 06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(text), None, "{text:?}");
        }
    }

    #[test]
    fn if_modified_since_comparison() {
        let r = resource(); // Last-Modified: 1970-01-01 (no entries)
        let ims = |v: &str| not_modified_since(&headers(&[("if-modified-since", v)]), &r);
        assert!(ims("Thu, 01 Jan 1970 00:00:00 GMT"));
        assert!(ims("Thu, 01 Jan 1970 00:00:01 GMT"));
        assert!(ims("Sun, 06 Nov 1994 08:49:37 GMT"));
        assert!(!ims("not a date"));
        assert!(!not_modified_since(&HeaderMap::new(), &r));
        let two = headers(&[
            ("if-modified-since", "Sun, 06 Nov 1994 08:49:37 GMT"),
            ("if-modified-since", "Sun, 06 Nov 1994 08:49:37 GMT"),
        ]);
        assert!(
            !not_modified_since(&two, &r),
            "more than one member is ignored"
        );

        let cfg = Config::defaults();
        let outputs = SiteOutputs::site_for_tests(
            "<rss/>".into(),
            String::new(),
            String::new(),
            DateTime::parse_from_rfc3339("2024-03-27T09:30:00Z")
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        );
        let snap = Snapshot::build(&cfg, outputs, vec![], 1, None, Utc::now());
        let r = snap.resource("/feed.xml").expect("rss");
        let ims = |v: &str| not_modified_since(&headers(&[("if-modified-since", v)]), r);
        assert!(ims("Wed, 27 Mar 2024 09:30:00 GMT"));
        assert!(ims("Wed, 27 Mar 2024 09:30:01 GMT"));
        assert!(!ims("Wed, 27 Mar 2024 09:29:59 GMT"));
    }
}
