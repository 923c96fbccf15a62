//! `Accept-Encoding` negotiation (RFC 9110 §12.5.3): which of the pre-built encodings a
//! request gets, or none (406).
//!
//! Pure functions over header values: no allocation, no I/O, nothing that can panic on
//! hostile input. Anything unparsable is treated the way the RFC says to: ignored.

use hyper::header::{HeaderMap, HeaderValue, ACCEPT_ENCODING};

use crate::snapshot::Coding;

/// q-values in thousandths (`q=0.5` is 500), the precision RFC 9110 §12.4.2 allows.
type Q = u16;

/// Preference of an identity coding that no header entry mentions: acceptable, but below any
/// coding the client asked for explicitly.
const IMPLICIT_IDENTITY: Q = 0;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Prefs {
    br: Option<Q>,
    gzip: Option<Q>,
    identity: Option<Q>,
    star: Option<Q>,
}

/// Picks the coding to send: the highest q among codings this resource offers (`offered`),
/// ties broken br > gzip > identity. `None` means nothing acceptable: answer 406.
///
/// A missing header means "identity". Identity is acceptable unless `identity;q=0`, or
/// `*;q=0` with no explicit `identity` entry, excludes it.
pub(super) fn choose_coding(
    headers: &HeaderMap,
    offered: impl Fn(Coding) -> bool,
) -> Option<Coding> {
    let prefs = parse_accept_encoding(headers.get_all(ACCEPT_ENCODING).iter());
    // Some(q) = acceptable with preference q; None = excluded.
    let rank = |explicit: Option<Q>, implicit: Option<Q>| match explicit.or(prefs.star) {
        Some(0) => None,
        Some(q) => Some(q),
        None => implicit,
    };
    let candidates = [
        (Coding::Br, rank(prefs.br, None)),
        (Coding::Gzip, rank(prefs.gzip, None)),
        (
            Coding::Identity,
            rank(prefs.identity, Some(IMPLICIT_IDENTITY)),
        ),
    ];
    let mut best: Option<(Coding, Q)> = None;
    for (coding, q) in candidates {
        let Some(q) = q else { continue };
        if !offered(coding) {
            continue;
        }
        // Strictly greater: earlier entries win ties (br > gzip > identity).
        if best.is_none_or(|(_, best_q)| q > best_q) {
            best = Some((coding, q));
        }
    }
    best.map(|(coding, _)| coding)
}

fn parse_accept_encoding<'a>(values: impl Iterator<Item = &'a HeaderValue>) -> Prefs {
    let mut prefs = Prefs::default();
    for value in values {
        let Ok(text) = value.to_str() else { continue };
        for item in text.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            if coding.is_empty() {
                continue;
            }
            let mut q = Some(1000);
            for param in parts {
                if let Some((name, value)) = param.split_once('=') {
                    if name.trim().eq_ignore_ascii_case("q") {
                        q = parse_q(value.trim());
                    }
                }
            }
            // An element with an invalid q-value is ignored.
            let Some(q) = q else { continue };
            let slot = if coding.eq_ignore_ascii_case("br") {
                &mut prefs.br
            } else if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                &mut prefs.gzip
            } else if coding.eq_ignore_ascii_case("identity") {
                &mut prefs.identity
            } else if coding == "*" {
                &mut prefs.star
            } else {
                continue;
            };
            // A coding listed twice: the more favourable entry wins.
            *slot = Some(slot.map_or(q, |old| old.max(q)));
        }
    }
    prefs
}

/// `0`, `0.5`, `1`, `1.000`; anything else (negative, > 1, not a number) is `None`.
fn parse_q(text: &str) -> Option<Q> {
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) => (int, frac),
        None => (text, ""),
    };
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: Q = 0;
    for (i, digit) in frac.bytes().enumerate() {
        let scale = [100, 10, 1][i];
        thousandths += Q::from(digit - b'0') * scale;
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::http::test_headers as headers;

    fn ae(value: Option<&str>) -> Option<Coding> {
        let map = match value {
            Some(v) => headers(&[("accept-encoding", v)]),
            None => HeaderMap::new(),
        };
        choose_coding(&map, |_| true)
    }

    #[test]
    fn accept_encoding_table() {
        use Coding::*;
        let table: &[(Option<&str>, Option<Coding>)] = &[
            (None, Some(Identity)),
            (Some(""), Some(Identity)),
            (Some("gzip"), Some(Gzip)),
            (Some("x-gzip"), Some(Gzip)),
            (Some("GZIP, deflate"), Some(Gzip)),
            (Some("gzip, deflate, br"), Some(Br)),
            (Some("br;q=1.0, gzip;q=0.5, *;q=0"), Some(Br)),
            (Some("br;q=0.1, gzip;q=0.9"), Some(Gzip)),
            (Some("br;q=0.5, gzip;q=0.5"), Some(Br)),
            (Some("gzip;q=0"), Some(Identity)),
            (Some("gzip;q=0, br;q=0"), Some(Identity)),
            (Some("*"), Some(Br)),
            (Some("*;q=0.5, br;q=0"), Some(Gzip)),
            (Some("identity"), Some(Identity)),
            (Some("identity;q=0"), None),
            (Some("*;q=0"), None),
            (Some("*;q=0, identity"), Some(Identity)),
            (Some("*;q=0, gzip"), Some(Gzip)),
            (Some("identity;q=0, gzip;q=0"), None),
            (Some("identity;q=1, gzip;q=0.5"), Some(Identity)),
            (Some("gzip;q=0.001"), Some(Gzip)),
            (Some("gzip;q=2"), Some(Identity)),
            (Some("gzip;q=abc"), Some(Identity)),
            (Some("gzip ; q=0.8 , br ; q=0.9"), Some(Br)),
            (Some(",,, ;q=1, gzip"), Some(Gzip)),
            (Some("deflate, compress"), Some(Identity)),
        ];
        for (header, want) in table {
            assert_eq!(ae(*header), *want, "Accept-Encoding: {header:?}");
        }
        // Several header lines combine.
        let map = headers(&[
            ("accept-encoding", "gzip;q=0.5"),
            ("accept-encoding", "br;q=0.9"),
        ]);
        assert_eq!(choose_coding(&map, |_| true), Some(Coding::Br));
        // A coding the resource does not offer falls back to the next best.
        let map = headers(&[("accept-encoding", "br, gzip;q=0.5")]);
        assert_eq!(choose_coding(&map, |c| c != Coding::Br), Some(Coding::Gzip));
        let map = headers(&[("accept-encoding", "br, identity;q=0")]);
        assert_eq!(choose_coding(&map, |c| c == Coding::Identity), None);
    }

    #[test]
    fn q_values() {
        assert_eq!(parse_q("0"), Some(0));
        assert_eq!(parse_q("0.5"), Some(500));
        assert_eq!(parse_q("0.125"), Some(125));
        assert_eq!(parse_q("1"), Some(1000));
        assert_eq!(parse_q("1.000"), Some(1000));
        assert_eq!(parse_q("1."), Some(1000));
        assert_eq!(parse_q("1.5"), None);
        assert_eq!(parse_q("0.1234"), None);
        assert_eq!(parse_q("-1"), None);
        assert_eq!(parse_q(""), None);
        assert_eq!(parse_q("0.x"), None);
    }
}
