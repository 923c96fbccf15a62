//! Entry ids (Atom `<id>`, RSS `<guid>`): the syntax check of an id written in front matter
//! ([`check_id`]), the default `tag:` id made from the site's host ([`tag_authority`],
//! [`tag_uri`]), and the configured rule for articles without an `id` (`feeds.entry_id`,
//! [`EntryIdRule`]: e.g. the permalink, as a migrated site's old feed used).
//!
//! The rules follow the RFCs and stay within what the W3C feed validator accepts, since
//! feeds that fail it are rejected or mangled by some readers.

use url::Url;

/// `feeds.entry_id`: the id of an article that has no `id` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryIdRule {
    /// `tag:host,YYYY-MM-DD:slug` ([`tag_uri`]).
    Tag,
    /// A pattern such as `{permalink}` or `urn:uuid:{uuid}`.
    Pattern(Vec<IdPart>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IdPart {
    Text(String),
    /// The absolute permalink.
    Permalink,
    /// The permalink without a final `/` or `.html`: jekyll-feed's `<id>`.
    PermalinkStem,
    /// The `uuid` front matter field.
    Uuid,
    Slug,
    Year,
    Month,
    Day,
}

/// What an article gives the rule.
pub(crate) struct IdValues<'a> {
    pub(crate) permalink: &'a Url,
    pub(crate) uuid: Option<&'a str>,
    pub(crate) slug: &'a str,
    pub(crate) day: chrono::NaiveDate,
}

/// Why the rule gives an article no id.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum IdRuleError {
    /// The pattern takes `{uuid}` and the article has none.
    MissingUuid,
    /// The `uuid` field is not a UUID.
    BadUuid(String),
    /// The id made is not a valid id (the message says why).
    Invalid(String, String),
}

impl EntryIdRule {
    /// Reads `feeds.entry_id` as written; the message says what is wrong.
    pub(crate) fn parse(written: &str) -> Result<Self, String> {
        let written = written.trim();
        if written.is_empty() || written == "tag" || written == "default" {
            return Ok(Self::Tag);
        }
        let mut parts = Vec::new();
        let mut rest = written;
        while let Some(start) = rest.find('{') {
            if start > 0 {
                parts.push(IdPart::Text(rest[..start].to_string()));
            }
            let end = rest[start..]
                .find('}')
                .map(|e| start + e)
                .ok_or_else(|| format!("`{written}` has an unclosed `{{`"))?;
            parts.push(match &rest[start + 1..end] {
                "permalink" => IdPart::Permalink,
                "permalink_stem" => IdPart::PermalinkStem,
                "uuid" => IdPart::Uuid,
                "slug" => IdPart::Slug,
                "year" => IdPart::Year,
                "month" => IdPart::Month,
                "day" => IdPart::Day,
                other => {
                    return Err(format!(
                        "unknown placeholder `{{{other}}}`; use {{permalink}}, {{permalink_stem}}, {{uuid}}, {{slug}}, {{year}}, {{month}}, {{day}}, or `tag` for the default"
                    ))
                }
            });
            rest = &rest[end + 1..];
        }
        if !rest.is_empty() {
            parts.push(IdPart::Text(rest.to_string()));
        }
        let names_article = parts.iter().any(|p| {
            matches!(
                p,
                IdPart::Permalink | IdPart::PermalinkStem | IdPart::Uuid | IdPart::Slug
            )
        });
        if !names_article {
            return Err(format!(
                "`{written}` must contain {{permalink}}, {{permalink_stem}}, {{uuid}} or {{slug}} so every entry gets its own id"
            ));
        }
        Ok(Self::Pattern(parts))
    }

    /// The id of an article without an `id` field.
    pub(crate) fn id(&self, base: &Url, values: &IdValues<'_>) -> Result<String, IdRuleError> {
        let parts = match self {
            Self::Tag => return Ok(tag_uri(base, values.day, values.slug)),
            Self::Pattern(parts) => parts,
        };
        let mut id = String::new();
        for part in parts {
            match part {
                IdPart::Text(text) => id.push_str(text),
                IdPart::Permalink => id.push_str(values.permalink.as_str()),
                IdPart::PermalinkStem => {
                    let link = values.permalink.as_str();
                    let link = link.strip_suffix('/').unwrap_or(link);
                    id.push_str(link.strip_suffix(".html").unwrap_or(link));
                }
                IdPart::Uuid => {
                    let uuid = values.uuid.ok_or(IdRuleError::MissingUuid)?;
                    if !is_uuid(uuid) {
                        return Err(IdRuleError::BadUuid(uuid.to_string()));
                    }
                    id.push_str(uuid);
                }
                IdPart::Slug => id.push_str(&tag_specific(values.slug)),
                IdPart::Year => id.push_str(&values.day.format("%Y").to_string()),
                IdPart::Month => id.push_str(&values.day.format("%m").to_string()),
                IdPart::Day => id.push_str(&values.day.format("%d").to_string()),
            }
        }
        check_id(&id).map_err(|m| IdRuleError::Invalid(id.clone(), m))?;
        Ok(id)
    }
}

/// A DNS name: dot-separated labels of letters, digits and inner hyphens.
pub(crate) fn is_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Checks an entry id. `Err` says what is wrong and what a valid id looks like.
///
/// An invalid id is not repaired (e.g. by percent-encoding non-ASCII): readers compare ids
/// character by character (RFC 4287 §4.2.6.1), so a rewritten id is a different entry, and a
/// repair rule we change later would show every such entry again as new. The author picks
/// the final spelling once; the message suggests it.
pub(crate) fn check_id(id: &str) -> Result<(), String> {
    const SHAPE: &str = "an id must be an absolute URI such as \
        `tag:example.com,2024-03-27:my-post`, `urn:uuid:…` or `https://example.com/p/1`";
    if let Some(c) = id.chars().find(|c| c.is_whitespace()) {
        return Err(format!("contains whitespace ({}); {SHAPE}", char_name(c)));
    }
    if let Some(c) = id.chars().find(|c| !c.is_ascii()) {
        return Err(format!(
            "contains the non-ASCII character `{c}`; percent-encode it as UTF-8 (`{}`) if that \
             is the id you want — {SHAPE}",
            percent_encode_non_ascii(id)
        ));
    }
    if let Some(c) = id.chars().find(|&c| !is_uri_char(c)) {
        return Err(format!(
            "contains the character `{c}`, not allowed in a URI; {SHAPE}"
        ));
    }
    check_percent_escapes(id).map_err(|m| format!("{m}; {SHAPE}"))?;
    let Some((scheme, rest)) = id.split_once(':') else {
        return Err(format!("has no scheme (`name:`); {SHAPE}"));
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() {
        return Err(format!("is not an absolute URI; {SHAPE}"));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "tag" => check_tag(id),
        "urn" => check_urn(id),
        "http" | "https" | "ftp" => {
            let host = rest.strip_prefix("//").unwrap_or("");
            if host.is_empty() || host.starts_with('/') {
                Err(format!("`{scheme}:` id needs a host (`{scheme}://host/…`)"))
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

/// Characters RFC 3986 allows in a URI (unreserved, reserved, `%`), minus `[`/`]`, which
/// only an IPv6 host may use and no entry id needs.
fn is_uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#@!$&'()*+,;=%".contains(c)
}

/// Every `%` starts a two-hex-digit escape.
fn check_percent_escapes(s: &str) -> Result<(), String> {
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return Err("has a `%` not followed by two hex digits".into());
        }
    }
    Ok(())
}

/// RFC 4151: `tag:` authority `,` date `:` specific [`#` fragment], where the authority is
/// a DNS name or an email address, and the date `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn check_tag(id: &str) -> Result<(), String> {
    const SHAPE: &str = "a tag id looks like `tag:example.com,2024-03-27:my-post` (RFC 4151: \
        lowercase domain or email, a comma, a date YYYY[-MM[-DD]], a colon, then the name)";
    let bad = |why: &str| Err(format!("is not a valid tag URI: {why}; {SHAPE}"));
    let Some(rest) = id.strip_prefix("tag:") else {
        return bad("the scheme must be written `tag:` in lowercase");
    };
    let Some((entity, specific)) = rest.split_once(':') else {
        return bad("no `:` after the date");
    };
    let Some((authority, date)) = entity.rsplit_once(',') else {
        return bad("no `,` between the domain and the date");
    };
    let domain = match authority.rsplit_once('@') {
        Some((user, domain)) => {
            let user_ok = !user.is_empty()
                && user
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._".contains(c));
            if !user_ok {
                return bad("the part before `@` must be lowercase letters, digits, `-`, `.`, `_`");
            }
            domain
        }
        None => authority,
    };
    if !is_dns_name(domain) || domain.bytes().any(|b| b.is_ascii_uppercase()) {
        return bad(&format!("`{domain}` is not a lowercase domain name"));
    }
    let date_ok = {
        let parts: Vec<&str> = date.split('-').collect();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        (1..=3).contains(&parts.len())
            && digits(parts[0], 4)
            && parts[1..].iter().all(|p| digits(p, 2))
    };
    if !date_ok {
        return bad(&format!(
            "`{date}` is not a date YYYY, YYYY-MM or YYYY-MM-DD"
        ));
    }
    // `specific` and the fragment are pchar / "/" / "?" — every URI character but `#`
    // (checked above), and at most one `#`.
    if specific.matches('#').count() > 1 {
        return bad("more than one `#`");
    }
    Ok(())
}

/// RFC 8141: `urn:` NID `:` NSS. NID: 2–32 letters, digits or hyphens, not starting or
/// ending with a hyphen. The NSS is held to the RFC 2141 characters that the W3C validator
/// (and older readers) accept: no `/`, `?`, `#`, `~` or `&`.
fn check_urn(id: &str) -> Result<(), String> {
    const SHAPE: &str = "a URN id looks like `urn:example:post-1` or `urn:uuid:<uuid>` \
        (RFC 8141: `urn:`, a 2–32 character namespace of letters, digits and inner hyphens, \
        `:`, then letters, digits, `%XX` escapes or ()+,-.:=@;$_!*')";
    let bad = |why: String| Err(format!("is not a valid URN: {why}; {SHAPE}"));
    let rest = &id[4..]; // the caller matched a 3-letter scheme and `:`
    let Some((nid, nss)) = rest.split_once(':') else {
        return bad("no `:` after the namespace".into());
    };
    let nid_ok = (2..=32).contains(&nid.len())
        && !nid.starts_with('-')
        && !nid.ends_with('-')
        && nid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !nid_ok {
        return bad(format!(
            "namespace `{nid}` is not 2–32 letters, digits or inner hyphens"
        ));
    }
    if nss.is_empty() {
        return bad("nothing after the namespace".into());
    }
    if let Some(c) = nss
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || "()+,-.:=@;$_!*'%".contains(c)))
    {
        return bad(format!("`{c}` is not allowed after the namespace"));
    }
    if nid.eq_ignore_ascii_case("uuid") && !is_uuid(nss) {
        return bad(format!("`{nss}` is not a UUID (8-4-4-4-12 hex digits)"));
    }
    Ok(())
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn percent_encode_non_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn char_name(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        c => format!("U+{:04X}", c as u32),
    }
}

/// The authority of default entry ids, `tag:AUTHORITY,DATE:slug` (RFC 4151), from the base
/// URL's host. RFC 4151 allows only a DNS name (`DNScomp *("." DNScomp)`, where
/// `DNScomp = alphaNum [*(alphaNum / "-") alphaNum]`) or an email address there:
/// - a domain is used as is (the `url` crate has already lower-cased and punycoded it),
///   without a final `.`; one that is not a DNS name (`my_host`, `-a.example`) is an error,
///   since no id built from it would be valid;
/// - an IPv4 address is kept: `127.0.0.1` matches the DNS-name grammar, and existing ids
///   must not change;
/// - an IPv6 address becomes its reverse-DNS name under `ip6.arpa` (RFC 3596), the one
///   DNS name standing for exactly that address (`[::1]` is not allowed in a tag URI).
pub(crate) fn tag_authority(base: &Url) -> Result<String, String> {
    match base.host() {
        Some(url::Host::Domain(domain)) => {
            let name = domain.strip_suffix('.').unwrap_or(domain);
            if is_dns_name(name) {
                Ok(name.to_string())
            } else {
                Err(format!(
                    "host `{domain}` is not a DNS name (letters, digits and `-` between dots), so it cannot name the entries' `tag:` ids (RFC 4151)"
                ))
            }
        }
        Some(url::Host::Ipv4(addr)) => Ok(addr.to_string()),
        Some(url::Host::Ipv6(addr)) => {
            let mut name = String::with_capacity(72);
            for byte in addr.octets().iter().rev() {
                name.push_str(&format!("{:x}.{:x}.", byte & 0xf, byte >> 4));
            }
            name.push_str("ip6.arpa");
            Ok(name)
        }
        None => Err("has no host, which the entries' `tag:` ids need".into()),
    }
}

/// `tag:host,YYYY-MM-DD:slug` (RFC 4151): independent of title, body, folder and base path.
/// The host is written as [`tag_authority`] says (an IPv6 address as its
/// `ip6.arpa` name); config validation has rejected base URLs that give none.
pub(crate) fn tag_uri(base: &Url, day: chrono::NaiveDate, slug: &str) -> String {
    let host = tag_authority(base).unwrap_or_else(|_| "localhost".into());
    format!(
        "tag:{host},{}:{}",
        day.format("%Y-%m-%d"),
        tag_specific(slug)
    )
}

/// A slug with tag-URI-safe characters kept and the rest percent-encoded, so the id is a
/// valid URI.
fn tag_specific(slug: &str) -> String {
    let mut specific = String::with_capacity(slug.len());
    for b in slug.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
            specific.push(b as char);
        } else {
            specific.push_str(&format!("%{b:02X}"));
        }
    }
    specific
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_on_an_ip_host_are_valid_tag_uris() {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        let v6 = Url::parse("http://[::1]:8080/").unwrap();
        assert_eq!(
            tag_uri(&v6, day, "x"),
            format!("tag:1.{}ip6.arpa,2024-01-02:x", "0.".repeat(31))
        );
        let v4 = Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(tag_uri(&v4, day, "x"), "tag:127.0.0.1,2024-01-02:x");
    }

    #[test]
    fn tag_authority_is_a_dns_name() {
        let authority = |u: &str| tag_authority(&Url::parse(u).unwrap());
        assert_eq!(
            authority("https://Example.COM./blog/").unwrap(),
            "example.com"
        );
        assert_eq!(
            authority("https://bücher.example/").unwrap(),
            "xn--bcher-kva.example"
        );
        assert_eq!(authority("http://127.0.0.1:8080/").unwrap(), "127.0.0.1");
        assert_eq!(
            authority("http://[::1]:8080/").unwrap(),
            format!("1.{}ip6.arpa", "0.".repeat(31))
        );
        assert_eq!(
            authority("http://[2001:db8::abcd]/").unwrap(),
            format!("d.c.b.a.{}8.b.d.0.1.0.0.2.ip6.arpa", "0.".repeat(20))
        );
        assert!(authority("http://my_host/").is_err());
        assert!(authority("http://a-/").is_err());
    }

    #[test]
    fn entry_id_rules() {
        let base = Url::parse("https://example.com/blog/").unwrap();
        let link = Url::parse("https://example.com/blog/2024/03/07/x.html").unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2024, 3, 7).unwrap();
        let uuid = "6e8bc430-9c3a-11d9-9669-0800200c9a66";
        let values = |uuid: Option<&'static str>| IdValues {
            permalink: &link,
            uuid,
            slug: "x",
            day,
        };
        let id = |rule: &str, uuid| EntryIdRule::parse(rule).unwrap().id(&base, &values(uuid));
        assert_eq!(id("", None).unwrap(), "tag:example.com,2024-03-07:x");
        assert_eq!(id("tag", None), id("", None));
        assert_eq!(id("{permalink}", None).unwrap(), link.as_str());
        assert_eq!(
            id("{permalink_stem}", None).unwrap(),
            "https://example.com/blog/2024/03/07/x"
        );
        assert_eq!(
            id("urn:uuid:{uuid}", Some(uuid)).unwrap(),
            format!("urn:uuid:{uuid}")
        );
        assert_eq!(
            id("tag:example.org,{year}-{month}:{slug}", None).unwrap(),
            "tag:example.org,2024-03:x"
        );
        assert_eq!(id("urn:uuid:{uuid}", None), Err(IdRuleError::MissingUuid));
        assert_eq!(
            id("urn:uuid:{uuid}", Some("1234")),
            Err(IdRuleError::BadUuid("1234".into()))
        );
        assert!(matches!(
            id("no scheme {slug}", None),
            Err(IdRuleError::Invalid(..))
        ));
        for (bad, needle) in [
            ("{link}", "unknown placeholder `{link}`"),
            ("urn:x:{year}", "must contain"),
            ("{permalink", "unclosed"),
        ] {
            let err = EntryIdRule::parse(bad).unwrap_err();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }

    #[test]
    fn id_valid_forms_pass() {
        for id in [
            "tag:example.com,2024-03-27:terror-in-moscow",
            "tag:example.com,2024:a/b?c=d#frag",
            "tag:ada@example.com,2024-01:x%C3%BC",
            "tag:example.com,2024:",
            "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
            "urn:isbn:0451450523",
            "urn:example:a:b",
            "https://example.com/p/1?x=y#z",
            "mailto:a@example.com",
            "x-custom:thing",
        ] {
            assert_eq!(check_id(id), Ok(()), "{id}");
        }
    }

    #[test]
    fn id_invalid_forms_are_named() {
        let cases = [
            ("not a uri at all <&>", "whitespace"),
            ("no-scheme", "scheme"),
            ("a<b:c", "`<`"),
            ("urn:x:1", "namespace `x`"),
            ("urn:-ab:1", "namespace"),
            ("urn:ab-:1", "namespace"),
            ("urn:example:", "nothing after"),
            ("urn:example:a/b", "`/`"),
            ("urn:uuid:1234", "UUID"),
            ("tag:example.com,2024:ünïcode", "%C3%BCn%C3%AFcode"),
            ("tag:Example.com,2024:x", "lowercase domain"),
            ("tag:example.com:x", "`,`"),
            ("tag:example.com,24:x", "date"),
            ("tag:example.com,2024-3:x", "date"),
            ("TAG:example.com,2024:x", "lowercase"),
            ("tag:example.com,2024:a#b#c", "`#`"),
            ("http:/x", "host"),
            ("https:", "absolute"),
            ("a:%zz", "hex"),
        ];
        for (id, needle) in cases {
            let err = check_id(id).expect_err(id);
            assert!(err.contains(needle), "{id}: {err}");
        }
    }
}
