//! Byte ranges (RFC 9110 §14): the `Range` header of a GET and the `If-Range` condition
//! that guards it (§13.1.5), for media downloads that resume.
//!
//! One range is served as `206`; several are answered with the whole file (`200`, which
//! §14.2 allows: a server may ignore `Range`), since podcast clients ask for one and a
//! multipart body would cost a copy. A `Range` that cannot be parsed, or in a unit other
//! than `bytes`, is ignored. Pure functions over header values.

use hyper::header::{HeaderMap, IF_RANGE, RANGE};

use super::conditional::{entity_tags, parse_http_date};

/// What the `Range` header asks of a representation of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ranged {
    /// No usable `Range` (absent, unparsable, other unit, several ranges): send it all.
    Whole,
    /// One satisfiable range: bytes `start..end` (end exclusive, never past `len`).
    Part { start: u64, end: u64 },
    /// No requested range overlaps the representation: 416.
    Unsatisfiable,
}

/// The outcome of `Range` for a representation of `len` bytes (RFC 9110 §14.1.2).
pub(super) fn ranged(headers: &HeaderMap, len: u64) -> Ranged {
    let mut values = headers.get_all(RANGE).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Ranged::Whole;
    };
    let Some(specs) = value
        .to_str()
        .ok()
        .and_then(|text| strip_prefix_ignore_case(text.trim(), "bytes="))
    else {
        return Ranged::Whole;
    };
    let mut parsed = Vec::new();
    for spec in specs.split(',') {
        let spec = spec.trim();
        if spec.is_empty() {
            continue; // §5.6.1: empty list elements are allowed
        }
        match parse_spec(spec) {
            Some(spec) => parsed.push(spec),
            None => return Ranged::Whole, // invalid: the header is ignored
        }
        if parsed.len() > 64 {
            return Ranged::Whole;
        }
    }
    let satisfiable: Vec<(u64, u64)> = parsed.iter().filter_map(|s| s.resolve(len)).collect();
    match (parsed.len(), satisfiable.as_slice()) {
        (0, _) => Ranged::Whole,
        (_, []) => Ranged::Unsatisfiable,
        (1, [(start, end)]) => Ranged::Part {
            start: *start,
            end: *end,
        },
        _ => Ranged::Whole,
    }
}

/// One `range-spec`.
#[derive(Debug, Clone, Copy)]
enum Spec {
    /// `first-` or `first-last` (last inclusive).
    From { first: u64, last: Option<u64> },
    /// `-suffix`: the last `suffix` bytes.
    Suffix(u64),
}

impl Spec {
    /// The bytes `start..end` this spec selects of `len`, if any.
    fn resolve(self, len: u64) -> Option<(u64, u64)> {
        match self {
            Spec::From { first, last } => {
                let end = last.map_or(len, |l| l.saturating_add(1).min(len));
                (first < len).then_some((first, end))
            }
            Spec::Suffix(n) => (n > 0 && len > 0).then(|| (len - n.min(len), len)),
        }
    }
}

fn parse_spec(spec: &str) -> Option<Spec> {
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        return digits(last).map(Spec::Suffix);
    }
    let first = digits(first)?;
    let last = if last.is_empty() {
        None
    } else {
        Some(digits(last)?)
    };
    if last.is_some_and(|l| l < first) {
        return None;
    }
    Some(Spec::From { first, last })
}

/// A non-empty run of ASCII digits (no sign, no spaces) that fits a u64.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// `If-Range` (RFC 9110 §13.1.5): whether a `Range` may be honoured. True when absent; an
/// entity-tag must equal `etag` (quoted) by strong comparison, a weak one never does; an
/// HTTP-date must equal `last_modified` exactly, and only counts when that is a strong
/// validator, i.e. at least a second before `date` (§8.8.2.2). Anything else is false:
/// the whole representation is sent.
pub(super) fn if_range_holds(
    headers: &HeaderMap,
    etag: &str,
    last_modified: i64,
    date: i64,
) -> bool {
    let mut values = headers.get_all(IF_RANGE).iter();
    let Some(value) = values.next() else {
        return true;
    };
    if values.next().is_some() {
        return false;
    }
    let Ok(text) = value.to_str() else {
        return false;
    };
    let text = text.trim();
    if text.starts_with('"') || text.starts_with("W/") {
        let mut tags = entity_tags(text);
        return match (tags.next(), tags.next()) {
            (Some((false, opaque)), None) => {
                etag.len() == opaque.len() + 2 && &etag[1..etag.len() - 1] == opaque
            }
            _ => false,
        };
    }
    parse_http_date(text).is_some_and(|since| since == last_modified && last_modified < date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::test_headers as headers;

    fn r(value: &str, len: u64) -> Ranged {
        ranged(&headers(&[("range", value)]), len)
    }

    fn part(start: u64, end: u64) -> Ranged {
        Ranged::Part { start, end }
    }

    #[test]
    fn single_ranges() {
        assert_eq!(r("bytes=0-99", 1000), part(0, 100));
        assert_eq!(r("bytes=100-", 1000), part(100, 1000));
        assert_eq!(r("bytes=-100", 1000), part(900, 1000));
        assert_eq!(r("bytes=-5000", 1000), part(0, 1000));
        assert_eq!(r("bytes=990-5000", 1000), part(990, 1000));
        assert_eq!(r("bytes=999-999", 1000), part(999, 1000));
        assert_eq!(r("BYTES=0-0", 1000), part(0, 1));
        assert_eq!(r("bytes= 0-1 ,", 1000), part(0, 2));
    }

    #[test]
    fn unsatisfiable_ranges() {
        assert_eq!(r("bytes=1000-", 1000), Ranged::Unsatisfiable);
        assert_eq!(r("bytes=5000-6000", 1000), Ranged::Unsatisfiable);
        assert_eq!(r("bytes=-0", 1000), Ranged::Unsatisfiable);
        assert_eq!(r("bytes=1000-1001, 2000-", 1000), Ranged::Unsatisfiable);
        assert_eq!(r("bytes=0-", 0), Ranged::Unsatisfiable);
    }

    #[test]
    fn ignored_ranges_send_the_whole_file() {
        for value in [
            "bytes=5-1",
            "bytes=a-b",
            "bytes=--1",
            "bytes=1",
            "bytes=+1-2",
            "items=0-1",
            "bytes 0-1",
            "bytes=",
            "bytes=0-1,2-3",
            "bytes=99999999999999999999999-",
        ] {
            assert_eq!(r(value, 1000), Ranged::Whole, "{value}");
        }
        let two = headers(&[("range", "bytes=0-1"), ("range", "bytes=2-3")]);
        assert_eq!(ranged(&two, 1000), Ranged::Whole);
        assert_eq!(ranged(&headers(&[]), 1000), Ranged::Whole);
    }

    #[test]
    fn if_range_compares_strongly_and_dates_exactly() {
        let etag = "\"1f-2a-3\"";
        let lm = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT
        let holds = |value: &str, date: i64| {
            if_range_holds(&headers(&[("if-range", value)]), etag, lm, date)
        };
        assert!(if_range_holds(&headers(&[]), etag, lm, lm + 10));
        assert!(holds("\"1f-2a-3\"", lm + 10));
        assert!(!holds("W/\"1f-2a-3\"", lm + 10), "weak never matches");
        assert!(!holds("\"other\"", lm + 10));
        assert!(!holds("\"1f-2a-3\", \"x\"", lm + 10), "one tag only");
        assert!(holds("Sun, 06 Nov 1994 08:49:37 GMT", lm + 10));
        assert!(
            !holds("Sun, 06 Nov 1994 08:49:38 GMT", lm + 10),
            "not equal"
        );
        assert!(
            !holds("Sun, 06 Nov 1994 08:49:37 GMT", lm),
            "weak: same second as Date"
        );
        assert!(!holds("yesterday", lm + 10));
    }
}
