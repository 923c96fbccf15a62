//! Embeds: an `<iframe>` (a video, a player) becomes a link to the page it shows, since
//! readers drop iframes.

use url::Url;

use crate::content::html::entities::escape_html;
use crate::content::html::scan::RawTag;

/// The class of the links that stand for embeds (see [`embed_link`]).
pub(super) const EMBED_CLASS: &str = "feedwright-embed";

/// `<p><a class="feedwright-embed" href="SRC">TITLE</a></p>` for an iframe; without the
/// `<p>` inside a paragraph, and only the title inside a link. Attribute values are as the
/// author wrote them (entities undecoded); what is written here is escaped, and ammonia
/// checks it afterwards like any markup.
pub(super) fn embed_link(tag: &RawTag<'_>, base: &Url, in_p: bool, in_a: bool, out: &mut String) {
    let Some(src) = tag
        .attr_value("src")
        .map(|s| html_escape::decode_html_entities(s).trim().to_string())
        .filter(|s| !s.is_empty())
        // Relative and protocol-relative embeds (`//player.example/…`) resolve like links.
        .and_then(|s| base.join(&s).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
    else {
        return;
    };
    let title = tag
        .attr_value("title")
        .map(|t| html_escape::decode_html_entities(t).trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Embedded content".to_string());
    let title = escape_html(&title);
    if in_a {
        out.push_str(&title);
        return;
    }
    let page = embedded_page(&src);
    let href = escape_html(page.as_str());
    let link = format!("<a class=\"{EMBED_CLASS}\" href=\"{href}\">{title}</a>");
    if in_p {
        out.push_str(&link);
    } else {
        out.push_str("<p>");
        out.push_str(&link);
        out.push_str("</p>");
    }
}

/// The page a player embed shows, where readers can play it: YouTube, Vimeo and Spotify
/// embed URLs become their watch/listen pages; any other URL is linked as it is.
fn embedded_page(src: &Url) -> Url {
    let host = src.host_str().unwrap_or("").trim_start_matches("www.");
    let segments: Vec<&str> = src.path_segments().map(|s| s.collect()).unwrap_or_default();
    let is_id = |id: &&str| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let page = match (host, segments.as_slice()) {
        ("youtube.com" | "youtube-nocookie.com" | "m.youtube.com", ["embed", id]) if is_id(id) => {
            format!("https://www.youtube.com/watch?v={id}")
        }
        ("player.vimeo.com", ["video", id]) if is_id(id) => format!("https://vimeo.com/{id}"),
        ("open.spotify.com", ["embed", kind, id]) if is_id(kind) && is_id(id) => {
            format!("https://open.spotify.com/{kind}/{id}")
        }
        _ => return src.clone(),
    };
    Url::parse(&page).unwrap_or_else(|_| src.clone())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_clean, html, md};

    #[test]
    fn iframes_become_links_to_what_they_embed() {
        let c = html("<figure><iframe width=\"200\" src=\"https://www.youtube.com/embed/xyz_-1?feature=oembed\" frameborder=\"0\" allowfullscreen title=\"My talk &amp; more\"></iframe><figcaption>Talk</figcaption></figure>");
        assert_eq!(
            c,
            "<figure><p><a class=\"feedwright-embed\" href=\"https://www.youtube.com/watch?v=xyz_-1\">My talk &amp; more</a></p><figcaption>Talk</figcaption></figure>"
        );
        let c = html("<iframe src=\"https://player.vimeo.com/video/123\"></iframe><IFRAME SRC=\"//open.spotify.com/embed/episode/xyz\">fallback <b>text</b></IFRAME><iframe src=\"/widget?a=1&amp;b=2\" title=\"W\"></iframe>");
        assert_eq!(
            c,
            "<p><a class=\"feedwright-embed\" href=\"https://vimeo.com/123\">Embedded content</a></p><p><a class=\"feedwright-embed\" href=\"https://open.spotify.com/episode/xyz\">Embedded content</a></p><p><a class=\"feedwright-embed\" href=\"https://example.com/widget?a=1&amp;b=2\">W</a></p>"
        );
        // Inside a paragraph no nested <p>; inside a link only the title.
        let r =
            md("An <iframe src=\"https://www.youtube-nocookie.com/embed/q\"></iframe> inline.\n");
        assert_eq!(
            r.content_html,
            "<p>An <a class=\"feedwright-embed\" href=\"https://www.youtube.com/watch?v=q\">Embedded content</a> inline.</p>\n"
        );
        let c = html("<a href=\"https://x.example/\">see <iframe src=\"https://x.example/e\" title=\"T\"></iframe></a>");
        assert_eq!(c, "<a href=\"https://x.example/\">see T</a>");
        // A false end tag does not let the rest past the sanitizer (html5ever ends the
        // iframe's raw text only at `</iframe` + space, `/` or `>`).
        for trick in [
            "<iframe src=\"https://a.example/\"></iframex><script>alert(1)</script></iframe>",
            "<iframe src=\"https://a.example/\"></IFRAMEx><svg onload=alert(1)></iframe>",
            "<p>x <iframe src=\"https://a.example/\"><p onclick=alert(1)>y</p></iframe></p>",
        ] {
            let c = html(trick);
            assert_clean(&c);
            assert!(!c.contains("onload") && !c.contains("onclick"), "{c}");
        }
        // Embed links are not prose: they stay out of automatic summaries.
        let r = md("<iframe src=\"https://www.youtube.com/embed/abc\"></iframe>\n\nReal first paragraph.\n");
        assert_eq!(r.summary_html, "Real first paragraph.");
        // No usable src: nothing.
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://x.example/a",
            "",
        ] {
            assert_eq!(
                html(&format!("<p>a</p><iframe src=\"{bad}\"></iframe>")),
                "<p>a</p>"
            );
        }
    }
}
