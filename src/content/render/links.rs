//! Link URLs in Markdown: bare `http(s)://` URLs become links (outside code and existing
//! links), and non-ASCII link targets get the form every client reads (punycode hosts).

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
use url::Url;

/// An absolute http(s) URL with non-ASCII characters, in the form every client reads: the
/// host in punycode (IDNA), the rest percent-encoded. The Markdown renderer would otherwise
/// percent-encode the host's UTF-8 bytes (`b%C3%BCcher.example`), which is no host at all.
/// Anything else stays as written.
pub(super) fn ascii_url(dest: CowStr<'_>) -> CowStr<'_> {
    if dest.is_ascii() {
        return dest;
    }
    match Url::parse(&dest) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => String::from(url).into(),
        _ => dest,
    }
}

/// Split a text event around bare `http://` / `https://` URLs, turning each
/// into an autolink. Text without URLs is passed through untouched.
pub(super) fn linkify<'a>(text: CowStr<'a>, out: &mut Vec<Event<'a>>) {
    let mut rest_start = 0;
    let mut search = 0;
    let s: &str = &text;
    let mut pieces: Vec<Event<'a>> = Vec::new();
    while let Some(found) = s[search..].find("http") {
        let start = search + found;
        let Some(end) = url_end(s, start) else {
            search = start + 4;
            continue;
        };
        if start > rest_start {
            pieces.push(Event::Text(s[rest_start..start].to_owned().into()));
        }
        let url = &s[start..end];
        pieces.push(Event::Start(Tag::Link {
            link_type: LinkType::Autolink,
            dest_url: ascii_url(url.to_owned().into()),
            title: CowStr::Borrowed(""),
            id: CowStr::Borrowed(""),
        }));
        pieces.push(Event::Text(url.to_owned().into()));
        pieces.push(Event::End(TagEnd::Link));
        rest_start = end;
        search = end;
    }
    if pieces.is_empty() {
        out.push(Event::Text(text));
        return;
    }
    if rest_start < s.len() {
        pieces.push(Event::Text(s[rest_start..].to_owned().into()));
    }
    out.extend(pieces);
}

/// If a URL starts at `start` (which points at "http"), return its end.
fn url_end(s: &str, start: usize) -> Option<usize> {
    // Must start a word: "xhttp://" is not a link.
    if s[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '@')
    {
        return None;
    }
    let tail = &s[start..];
    let after_scheme = if tail.starts_with("https://") {
        8
    } else if tail.starts_with("http://") {
        7
    } else {
        return None;
    };
    // Needs a host.
    if !tail[after_scheme..]
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric())
    {
        return None;
    }
    let mut end = tail
        .find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"' || c == '`')
        .unwrap_or(tail.len());
    // Trailing punctuation belongs to the sentence (GFM rules, simplified);
    // a closing paren is stripped only while unbalanced. Counted once, so
    // long runs of `)` stay linear.
    let open = tail[..end].matches('(').count();
    let mut close = tail[..end].matches(')').count();
    while end > after_scheme + 1 {
        let Some(last) = tail[..end].chars().next_back() else {
            break;
        };
        let strip = match last {
            '?' | '!' | '.' | ',' | ':' | ';' | '*' | '_' | '~' | '\'' => true,
            ')' if close > open => {
                close -= 1;
                true
            }
            _ => false,
        };
        if !strip {
            break;
        }
        end -= last.len_utf8();
    }
    Some(start + end)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::md;

    #[test]
    fn bare_urls_linkified_outside_code_and_links() {
        let r = md("See https://example.org/a_b_(c). and http://x.io, not `https://code.example` or [https://in.link](https://t.example) or <a href=\"/r\">https://raw.example</a>.\n\n    https://indented.example\n");
        let c = &r.content_html;
        assert!(
            c.contains("<a href=\"https://example.org/a_b_(c)\">https://example.org/a_b_(c)</a>."),
            "{c}"
        );
        assert!(
            c.contains("<a href=\"http://x.io\">http://x.io</a>,"),
            "{c}"
        );
        assert!(c.contains("<code>https://code.example</code>"), "{c}");
        assert!(!c.contains("href=\"https://in.link"), "{c}");
        assert!(!c.contains("href=\"https://raw.example"), "{c}");
        assert!(!c.contains("href=\"https://indented.example"), "{c}");
    }

    #[test]
    fn pathological_inputs_are_fast() {
        let start = std::time::Instant::now();
        let parens = format!("https://a.example/{}", ")".repeat(200_000));
        let r = md(&parens);
        assert!(r.content_html.contains("href=\"https://a.example/\""));
        let many = "http ".repeat(100_000);
        let _ = md(&many);
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn links_to_international_domains_get_punycode_hosts() {
        let r = md("[a](https://bücher.example/straße?q=ü) ![i](http://例え.jp/画像.png) https://bücher.example/x\n");
        let c = &r.content_html;
        assert!(
            c.contains("href=\"https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BC\""),
            "{c}"
        );
        assert!(
            c.contains("src=\"http://xn--r8jz45g.jp/%E7%94%BB%E5%83%8F.png\""),
            "{c}"
        );
        assert!(
            c.contains("href=\"https://xn--bcher-kva.example/x\""),
            "{c}"
        );
        // Relative and ASCII URLs are left exactly as they were.
        let r = md("[r](../ü.html) [s](https://example.com/a%20b)\n");
        assert!(
            r.content_html.contains("https://example.com/a%20b"),
            "{}",
            r.content_html
        );
    }
}
