//! `Host` header validation (RFC 9112 §3.2), the first check of every request.

use std::net::Ipv6Addr;

use hyper::header;
use hyper::{Request, Version};

/// RFC 9112 §3.2: a server must answer 400 to a request with more than one Host field line
/// or an invalid Host value, whatever its version, and to an HTTP/1.1 request without one
/// (HTTP/1.0 may omit it; HTTP/2 carries `:authority`, which h2 checks, and usually no Host).
pub(super) fn host_is_valid<B>(request: &Request<B>) -> bool {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (Some(host), None) => host_value_is_valid(host.as_bytes()),
        (Some(_), Some(_)) => false,
        (None, _) => request.version() != Version::HTTP_11,
    }
}

/// A Host value: `uri-host [ ":" port ]` (RFC 9110 §7.2 and RFC 3986 §3.2.2-3.2.3), where
/// `uri-host` is an IP literal in brackets or a reg-name (which IPv4 addresses also are),
/// and `port` is `*DIGIT`. Empty is valid: what a client sends for a target without an
/// authority. No allocation; a Host value is a few dozen bytes.
fn host_value_is_valid(value: &[u8]) -> bool {
    let port = match value.strip_prefix(b"[") {
        Some(literal) => {
            let Some(end) = literal.iter().position(|&b| b == b']') else {
                return false;
            };
            let (inside, rest) = literal.split_at(end);
            if !ip_literal_is_valid(inside) {
                return false;
            }
            rest.get(1..).unwrap_or_default()
        }
        None => {
            let end = value.iter().position(|&b| b == b':').unwrap_or(value.len());
            let (name, rest) = value.split_at(end);
            if !reg_name_is_valid(name) {
                return false;
            }
            rest
        }
    };
    match port {
        [] => true,
        [b':', digits @ ..] => digits.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// RFC 3986 `unreserved`.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 `sub-delims`.
fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// RFC 3986 `reg-name = *( unreserved / pct-encoded / sub-delims )`.
fn reg_name_is_valid(mut name: &[u8]) -> bool {
    while let Some((&first, rest)) = name.split_first() {
        name = match (first, rest) {
            (b'%', [hi, lo, rest @ ..]) if hi.is_ascii_hexdigit() && lo.is_ascii_hexdigit() => rest,
            (b, rest) if is_unreserved(b) || is_sub_delim(b) => rest,
            _ => return false,
        };
    }
    true
}

/// What RFC 3986 allows between `[` and `]`: an IPv6 address (no zone id), or
/// `IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )`.
fn ip_literal_is_valid(inside: &[u8]) -> bool {
    if let Some(future) = inside.strip_prefix(b"v").or(inside.strip_prefix(b"V")) {
        let dot = future.iter().position(|&b| b == b'.').unwrap_or(0);
        let (version, rest) = future.split_at(dot);
        let rest = rest.get(1..).unwrap_or_default();
        return !version.is_empty()
            && version.iter().all(u8::is_ascii_hexdigit)
            && !rest.is_empty()
            && rest
                .iter()
                .all(|&b| is_unreserved(b) || is_sub_delim(b) || b == b':');
    }
    std::str::from_utf8(inside)
        .ok()
        .is_some_and(|text| text.parse::<Ipv6Addr>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::host_value_is_valid as valid;
    use super::*;

    /// One Host line with a valid value; HTTP/1.0 may omit it, HTTP/1.1 may not.
    #[test]
    fn host_lines_by_version() {
        let request = |version: Version, hosts: &[&str]| {
            let mut builder = Request::builder().version(version).uri("/feed.xml");
            for host in hosts {
                builder = builder.header(header::HOST, *host);
            }
            host_is_valid(&builder.body(()).expect("request"))
        };
        for version in [Version::HTTP_10, Version::HTTP_11] {
            assert!(request(version, &["example.com"]), "{version:?}");
            assert!(request(version, &[""]), "{version:?}: empty");
            assert!(!request(version, &["a", "b"]), "{version:?}: two");
            assert!(
                !request(version, &["a", "a"]),
                "{version:?}: the same twice"
            );
            assert!(!request(version, &["a b"]), "{version:?}: invalid value");
        }
        assert!(request(Version::HTTP_10, &[]), "HTTP/1.0 predates Host");
        assert!(!request(Version::HTTP_11, &[]), "HTTP/1.1 requires it");
        assert!(request(Version::HTTP_2, &[]), "h2 carries :authority");
    }

    #[test]
    fn host_values() {
        for good in [
            "",
            "example.com",
            "EXAMPLE.com.",
            "example.com:8080",
            "example.com:",
            "127.0.0.1",
            "127.0.0.1:80",
            "[::1]",
            "[::1]:8080",
            "[2001:db8::ffff:192.0.2.1]:443",
            "[v1.fe80::a+en1]",
            "xn--bcher-kva.example",
            "%41%62c",
            "a_b~c-d",
            "!$&'()*+,;=",
            "x,y",
        ] {
            assert!(valid(good.as_bytes()), "{good:?} is valid");
        }
        for bad in [
            "a b",
            "x/y@z",
            "x, y",
            "user@example.com",
            "example.com:80:80",
            "example.com:http",
            "example.com:-1",
            ":80x",
            "[::1",
            "::1",
            "[::1]x",
            "[::1]:80:",
            "[example.com]",
            "[fe80::1%25eth0]",
            "[v.x]",
            "[v1.]",
            "%4",
            "%zz",
            "a\tb",
            "ex\u{e4}mple.com",
            "a?b",
            "a#b",
            "a\\b",
        ] {
            assert!(!valid(bad.as_bytes()), "{bad:?} is invalid");
        }
    }
}
