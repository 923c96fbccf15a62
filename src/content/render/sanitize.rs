//! The ammonia configuration: which tags, attributes and URLs an article may keep, with
//! relative URLs resolved against the article's permalink.

use std::borrow::Cow;

use ammonia::UrlRelative;
use url::Url;

use super::bound::{BoundedBytes, TooLarge};
use super::embeds::EMBED_CLASS;
use super::footnotes::FOOTNOTE_CLASS;

/// Sanitize with ammonia and resolve relative URLs against `base`; ids other than this
/// article's footnote ids (`fn_id_start`) are dropped.
/// Built per call because `RewriteWithBase` and the footnote id filter are
/// per-article; building costs microseconds and only a few articles render.
/// `Err` when the sanitized HTML would be over `max_bytes` (relative URLs grow).
pub(super) fn with_ammonia(
    html: &str,
    base: &Url,
    fn_id_start: &str,
    max_bytes: usize,
) -> Result<String, TooLarge> {
    let id_start = fn_id_start.to_owned();
    let mut b = ammonia::Builder::default();
    b.link_rel(None)
        // An `.html` article saved as a whole document keeps its `<head><title>`; without
        // this its text would open the content and the summary.
        .add_clean_content_tags(["title"])
        .url_relative(UrlRelative::RewriteWithBase(base.clone()))
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("div", ["class", "id"])
        .add_tag_attributes("sup", ["class"])
        // Pandoc puts its footnotes in a `<section class="footnotes">`.
        .add_tags(["section"])
        .add_tag_attributes("section", ["class"])
        // Only footnote classes and our embed links' class (see `embed_link`), for
        // summaries to skip them.
        .add_tag_attributes("a", ["class"])
        // Text direction matters for mixed right-to-left and left-to-right posts.
        .add_generic_attributes(["dir"])
        .add_tag_attributes("time", ["datetime"])
        .add_tag_attributes("ol", ["reversed", "type"])
        .add_tag_attributes("li", ["value"])
        // Iframes were turned into links before; any other goes, content and all (its
        // content is raw text that no later pass may have to parse).
        .add_clean_content_tags(["iframe"])
        // Media players readers can show (the W3C validator accepts these in content);
        // `controls` always, since no script in a reader can start playback.
        .add_tags(["audio", "video", "source"])
        .add_tag_attributes("audio", ["src", "preload"])
        .add_tag_attributes("video", ["src", "poster", "width", "height", "preload"])
        .add_tag_attributes("source", ["src", "type"])
        .set_tag_attribute_value("audio", "controls", "")
        .set_tag_attribute_value("video", "controls", "")
        .attribute_filter(
            move |element, attribute, value| match (element, attribute) {
                _ if slow_to_serialize(value) => None,
                // Only our footnote ids: no DOM clobbering / collisions from raw HTML.
                ("div", "id") => value.starts_with(&id_start).then_some(Cow::Borrowed(value)),
                ("code", "class") => keep_classes(value, &["language-"]),
                // `footnote-definition`, `footnote-reference` (ours), `footnotes` (Pandoc,
                // kramdown), `footnote-ref` (Pandoc, markdown-it).
                ("div" | "sup" | "section", "class") => keep_classes(value, &[FOOTNOTE_CLASS]),
                ("a", "class") => keep_classes(value, &[FOOTNOTE_CLASS, EMBED_CLASS]),
                (_, "dir") => ["ltr", "rtl", "auto"]
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(value))
                    .then_some(Cow::Borrowed(value)),
                ("audio" | "video" | "source", "src") | ("video", "poster") => {
                    http_or_relative(value).then_some(Cow::Borrowed(value))
                }
                _ => Some(Cow::Borrowed(value)),
            },
        );
    let mut out = BoundedBytes {
        out: Vec::with_capacity(html.len().min(max_bytes)),
        max: max_bytes,
    };
    let too_large = TooLarge { limit: max_bytes };
    b.clean(html).write_to(&mut out).map_err(|_| too_large)?;
    // The serializer writes UTF-8 (the DOM holds `str`s), as `Document::to_string` assumes.
    Ok(String::from_utf8(out.out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Whether an attribute value is one html5ever's serializer would take long over: it searches
/// for the next `"` (or `<`, `>`) again after each character it escapes (`&`, U+0080–U+00BF),
/// so a value costs its length times their number. Values over a KiB with over 1,024 of them
/// are no real URL, title or alt text; dropping them keeps the whole body's cost under
/// 1,024 × its length.
fn slow_to_serialize(value: &str) -> bool {
    const LIMIT: usize = 1024;
    value.len() > LIMIT
        && value
            .bytes()
            .filter(|&b| b == b'&' || b == 0xC2)
            .nth(LIMIT)
            .is_some()
}

/// Keep only the class tokens starting with `prefix`; drop the attribute if
/// none remain.
fn keep_classes<'u>(value: &'u str, prefixes: &[&str]) -> Option<Cow<'u, str>> {
    let total = value.split_whitespace().count();
    let kept: Vec<&str> = value
        .split_whitespace()
        .filter(|c| prefixes.iter().any(|p| c.starts_with(p)))
        .collect();
    if kept.is_empty() {
        None
    } else if kept.len() == total {
        Some(Cow::Borrowed(value))
    } else {
        Some(Cow::Owned(kept.join(" ")))
    }
}

/// Media URLs: http(s), or relative (resolved against the permalink afterwards); not the
/// other schemes ammonia allows in links (`ftp:`, `mailto:` …).
fn http_or_relative(value: &str) -> bool {
    // An empty `src` would resolve to the article itself.
    if value.trim().is_empty() {
        return false;
    }
    match Url::parse(value.trim()) {
        Ok(url) => matches!(url.scheme(), "http" | "https"),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_clean, base, html, md, EVIL};
    use super::super::{render_body, BodyKind};

    #[test]
    fn raw_html_ids_dropped_unless_ours() {
        let r = md("<div id=\"evil\" class=\"x\">hi</div>\n");
        assert!(!r.content_html.contains("evil"), "{}", r.content_html);
        assert!(!r.content_html.contains("class"), "{}", r.content_html);
    }

    #[test]
    fn relative_urls_absolutized() {
        let r = md("[other](../other/) ![pic](pic.jpg) [abs](https://elsewhere.org/x?a=1&b=2) [top](#sec) [me](mailto:me@example.com) <you@example.org>\n");
        let c = &r.content_html;
        assert!(
            c.contains("href=\"https://example.com/posts/other/\""),
            "{c}"
        );
        assert!(
            c.contains("src=\"https://example.com/posts/hello/pic.jpg\""),
            "{c}"
        );
        assert!(
            c.contains("href=\"https://elsewhere.org/x?a=1&amp;b=2\""),
            "{c}"
        );
        assert!(
            c.contains("href=\"https://example.com/posts/hello/#sec\""),
            "{c}"
        );
        assert!(c.contains("href=\"mailto:me@example.com\""), "{c}");
        assert!(c.contains("href=\"mailto:you@example.org\""), "{c}");
        assert!(!c.contains("rel="), "{c}");
    }

    #[test]
    fn raw_html_relative_urls_absolutized() {
        let r = md("<p><a href=\"/about\">about</a> <img src=\"img/x.png\" alt=\"x\"></p>\n");
        let c = &r.content_html;
        assert!(c.contains("href=\"https://example.com/about\""), "{c}");
        assert!(
            c.contains("src=\"https://example.com/posts/hello/img/x.png\""),
            "{c}"
        );
    }

    #[test]
    fn script_and_handlers_neutralized_in_content() {
        let r = md(EVIL);
        assert_clean(&r.content_html);
        assert!(r.content_html.contains("click"), "{}", r.content_html);
        // Plain-text summary: no script/style text, no markup.
        assert_eq!(r.summary_html, "click v");
    }

    #[test]
    fn html_body_sanitized() {
        let body = "<h2>Hi</h2><p>Read <a href=\"../x/\">this</a> &amp; that.</p>\n<pre>code</pre>\n<script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">j</a>\n<!-- more -->\n<p>tail</p>";
        let r = render_body(body, BodyKind::Html, None, &base(), "h", 300);
        assert_clean(&r.content_html);
        assert!(r
            .content_html
            .contains("href=\"https://example.com/posts/x/\""));
        assert!(r.content_html.contains("<p>tail</p>"));
        assert!(!r.summary_html.contains("tail"), "{}", r.summary_html);
        assert_clean(&r.summary_html);
        // No marker: plain-text summary from the paragraphs of the sanitized HTML.
        let body2 = "<h2>Hi</h2><p>Read <a href=\"../x/\">this</a> &amp; that.</p><pre>code</pre><p>Next</p>";
        let r = render_body(body2, BodyKind::Html, None, &base(), "h", 300);
        assert_eq!(r.summary_html, "Read this &amp; that. Next");
        // Markdown is not interpreted in HTML bodies.
        let r = render_body("*not em*", BodyKind::Html, None, &base(), "h", 300);
        assert_eq!(r.content_html, "*not em*");
    }

    #[test]
    fn whole_html_document_contributes_only_its_body() {
        let doc = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Head title text</title>\n<style>p{}</style></head>\n<body><p>Body text.</p></body></html>\n";
        let r = render_body(doc, BodyKind::Html, None, &base(), "h", 300);
        assert!(!r.content_html.contains("Head title"), "{}", r.content_html);
        assert!(
            r.content_html.contains("<p>Body text.</p>"),
            "{}",
            r.content_html
        );
        assert_eq!(r.summary_html, "Body text.");
    }

    #[test]
    fn audio_and_video_players_survive() {
        let c = html(
            "<audio src=\"https://api.example.com/audio/src\" autoplay onplay=\"x()\"></audio>",
        );
        assert_eq!(
            c,
            "<audio src=\"https://api.example.com/audio/src\" controls=\"\"></audio>"
        );
        let c = html("<video controls width=\"640\" poster=\"poster.jpg\" loop><source src=\"clip.mp4\" type=\"video/mp4\"><track src=\"x.vtt\">No video.</video>");
        assert_eq!(
            c,
            "<video width=\"640\" poster=\"https://example.com/posts/hello/poster.jpg\" controls=\"\"><source src=\"https://example.com/posts/hello/clip.mp4\" type=\"video/mp4\">No video.</video>"
        );
        let c = html("<audio controls preload=\"none\"><source src=\"https://cdn.example.de/ep12.mp3\" type=\"audio/mpeg\">Your browser cannot play audio.</audio>");
        assert_eq!(
            c,
            "<audio preload=\"none\" controls=\"\"><source src=\"https://cdn.example.de/ep12.mp3\" type=\"audio/mpeg\">Your browser cannot play audio.</audio>"
        );
        // Only http(s) media.
        let c = html("<video src=\"mailto:a@b.example\" poster=\"ftp://x.example/p.jpg\"><source src=\"javascript:x\"></video>");
        assert_eq!(c, "<video controls=\"\"><source></video>");
    }

    #[test]
    fn direction_dates_and_list_numbering_survive() {
        let c = html("<p dir=\"rtl\" lang=\"ar\">x</p><p dir=\"evil\">y</p><time datetime=\"2024-01-01\">Jan</time><ol reversed start=\"3\" type=\"a\"><li value=\"5\">z</li></ol>");
        assert!(
            c.contains("<p dir=\"rtl\" lang=\"ar\">x</p><p>y</p>"),
            "{c}"
        );
        assert!(
            c.contains("<time datetime=\"2024-01-01\">Jan</time>"),
            "{c}"
        );
        assert!(
            c.contains("<ol reversed=\"\" start=\"3\" type=\"a\"><li value=\"5\">"),
            "{c}"
        );
    }
}
