//! The one rewrite of the HTML source before sanitizing. html5ever parses `<noscript>` as
//! raw text (scripting on), so its fallback markup would come out escaped as visible text:
//! it is unwrapped here. Lazy images ([`super::lazy_images`]), iframes
//! ([`super::embeds`]) and MathML ([`super::mathml`]) are rewritten in the same scan. All of
//! it is done on the HTML string; ammonia still sanitizes everything written here and
//! checks every URL.

use std::borrow::Cow;

use url::Url;

use super::embeds::embed_link;
use super::lazy_images::{lazy_src, write_lazy_image};
use super::mathml;
use crate::content::html::scan::{
    find_ascii_ci, next_tag, parse_tag, past_end_tag, tag_starts_ci, RAW_TEXT_ELEMENTS,
};

/// Unwraps `<noscript>` so its content is parsed as markup, except a fallback right after a
/// lazy image made usable here, which would show the same picture twice; points lazy
/// images at their real URL; replaces each `<iframe>` with a link to what it shows.
/// Borrows when there is nothing to do.
pub(super) fn rewrite_before_sanitizing<'h>(html: &'h str, base: &Url) -> Cow<'h, str> {
    // Nothing to rewrite without one of these tags or a lazy image. Looked for in place:
    // most bodies have none.
    if tag_starts_ci(html, &["noscript", "iframe", "math"])
        .next()
        .is_none()
        && !may_have_lazy_image(html)
    {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    rewrite_lazy_markup(html, base, &mut out);
    Cow::Owned(out)
}

/// Whether some `<img` in `html` starts an image with a lazy URL, or finding out costs more
/// than a pass over `html` (each `<img` of `<img<img…` reads on to the end).
fn may_have_lazy_image(html: &str) -> bool {
    let mut read = 0usize;
    for at in tag_starts_ci(html, &["img"]) {
        let Some(tag) = parse_tag(html, at) else {
            return true;
        };
        if tag.name == "img" && !tag.closing && lazy_src(&tag).is_some() {
            return true;
        }
        read += tag.end - at;
        if read > html.len() {
            return true;
        }
    }
    false
}

/// `<noscript>` inside `<noscript>` deeper than this is left to the sanitizer as it is (it
/// reads as text): real pages nest none, and each level would rescan the rest of the input.
const MAX_NOSCRIPT_DEPTH: usize = 4;

fn rewrite_lazy_markup(html: &str, base: &Url, out: &mut String) {
    rewrite_lazy_markup_at(html, base, out, 0);
}

fn rewrite_lazy_markup_at(html: &str, base: &Url, out: &mut String, depth: usize) {
    let mut copied = 0;
    let mut at = 0;
    // A `<p>` or `<a>` cannot hold an embed's `<p><a>`.
    let (mut in_p, mut in_a) = (false, false);
    // Where the output stood right after the last lazy image rewritten here, while all
    // written since is whitespace (checked once per byte: rescanning it at every
    // `<noscript>` made a run of them quadratic).
    let mut after_lazy_image: Option<usize> = None;
    while let Ok((start, tag)) = next_tag(html, at) {
        at = tag.end;
        match tag.name.as_str() {
            "p" => in_p = !tag.closing,
            "a" => in_a = !tag.closing,
            _ => {}
        }
        if tag.closing {
            continue;
        }
        match tag.name.as_str() {
            "iframe" => {
                // Its content is fallback text; a false end (`</iframex`) only leaves the
                // rest to ammonia, which sanitizes it like any other markup.
                out.push_str(&html[copied..start]);
                let end = past_end_tag(html, find_ascii_ci(html, "</iframe", at));
                embed_link(&tag, base, in_p, in_a, out);
                copied = end;
                at = end;
            }
            "math" => {
                // MathML can't nest another `<math>`; the first end tag closes it.
                out.push_str(&html[copied..start]);
                let close = find_ascii_ci(html, "</math", at);
                out.push_str(&mathml::to_html(&html[at..close.unwrap_or(html.len())]));
                let end = past_end_tag(html, close);
                copied = end;
                at = end;
            }
            name if RAW_TEXT_ELEMENTS.contains(&name) => {
                at = find_ascii_ci(html, &format!("</{name}"), at).unwrap_or(html.len());
            }
            "img" => {
                if let Some(url) = lazy_src(&tag) {
                    out.push_str(&html[copied..start]);
                    write_lazy_image(&tag, url, out);
                    copied = tag.end;
                    after_lazy_image = Some(out.len());
                }
            }
            "noscript" => {
                out.push_str(&html[copied..start]);
                let close = find_ascii_ci(html, "</noscript", at);
                let inner = &html[at..close.unwrap_or(html.len())];
                let end = past_end_tag(html, close);
                after_lazy_image = after_lazy_image
                    .filter(|&blank_to| out[blank_to..].trim().is_empty())
                    .map(|_| out.len());
                let duplicate = after_lazy_image.is_some() && only_images(inner);
                if duplicate {
                    // Left out.
                } else if depth < MAX_NOSCRIPT_DEPTH {
                    rewrite_lazy_markup_at(inner, base, out, depth + 1);
                } else {
                    out.push_str(&html[start..end]);
                }
                copied = end;
                at = end;
            }
            _ => {}
        }
    }
    out.push_str(&html[copied..]);
}

/// True when `html` is nothing but `<img>` tags and whitespace.
fn only_images(html: &str) -> bool {
    let mut at = 0;
    let mut images = 0;
    while at < html.len() {
        let rest = &html[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.is_empty() {
            break;
        }
        match parse_tag(html, at) {
            Some(tag) if tag.name == "img" && !tag.closing => {
                images += 1;
                at = tag.end;
            }
            _ => return false,
        }
    }
    images > 0
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{html, md};

    #[test]
    fn nothing_to_rewrite_borrows_and_any_case_is_rewritten() {
        let base = super::super::test_support::base();
        for plain in [
            "<p>data-src <b>x</b> <img src=\"data:x\" data-src=\"\"></p>",
            "<p><img src=\"x.png\"> math &lt;iframe</p>",
        ] {
            assert!(matches!(
                super::rewrite_before_sanitizing(plain, &base),
                std::borrow::Cow::Borrowed(_)
            ));
        }
        assert_eq!(
            html("<IMG DATA-SRC=\"/a.png\" src=\"data:x\">"),
            "<img src=\"https://example.com/a.png\">"
        );
        assert_eq!(html("<NoScript><b>x</b></NoScript>"), "<b>x</b>");
        // An image's lazy attribute after a `>` in a quoted value, and an image in what
        // looks like an attribute value to a scan starting at an earlier `<img`.
        assert_eq!(
            html("<img alt=\">\" data-src=\"/a.png\">"),
            "<img alt=\"&gt;\" src=\"https://example.com/a.png\">"
        );
        assert_eq!(
            html("<!-- <img alt=\"--> <img data-src=\"/a.png\">\">"),
            " <img src=\"https://example.com/a.png\">\"&gt;"
        );
    }

    #[test]
    fn noscript_fallback_after_a_lazy_image_is_not_shown_twice() {
        // WordPress lazy-load plugin: SVG placeholder, real URL in data-src, noscript copy.
        let c = html("<p>x</p><img class=\"lazyload\" src=\"data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E\" data-src=\"https://cdn.example.org/photo.jpg\" alt=\"Harbour\"><noscript><img src=\"https://cdn.example.org/photo.jpg\" alt=\"Harbour\"></noscript>");
        assert_eq!(
            c,
            "<p>x</p><img alt=\"Harbour\" src=\"https://cdn.example.org/photo.jpg\">"
        );
        // Same in a Markdown paragraph, where the pair is inline HTML.
        let r = md("Intro.\n\n<img src=\"data:image/gif;base64,R0lGOD\" data-lazy-src=\"photo.jpg\" alt=\"H\"><noscript><img src=\"photo.jpg\" alt=\"H\"></noscript>\n");
        assert_eq!(
            r.content_html,
            "<p>Intro.</p>\n<p><img alt=\"H\" src=\"https://example.com/posts/hello/photo.jpg\"></p>\n"
        );
    }

    #[test]
    fn noscript_content_is_markup_not_escaped_text() {
        let c = html("<p>a</p><noscript><img src=\"https://x.example/i.png\" alt=\"I\"><p>Enable <b>JS</b></p></noscript>");
        assert_eq!(
            c,
            "<p>a</p><img src=\"https://x.example/i.png\" alt=\"I\"><p>Enable <b>JS</b></p>"
        );
        assert!(!c.contains("&lt;"), "{c}");
        // A lazy image with no real URL is dropped, and its noscript copy is what shows.
        let c = html("<img class=\"lazy\" src=\"data:image/gif;base64,AA\" alt=\"P\">\n<noscript><img src=\"/p.jpg\" alt=\"P\"></noscript>");
        assert_eq!(c, "\n<img src=\"https://example.com/p.jpg\" alt=\"P\">");
        // Unclosed noscript: the rest is still markup; scripts inside are still removed.
        let c = html("<noscript><em>e</em><script>alert(1)</script>");
        assert_eq!(c, "<em>e</em>");
    }
}
