//! Lazy-loaded images (WordPress plugins, Medium, Ghost) keep their real URL in `data-src`
//! behind a placeholder `src`: they are pointed at the real URL before sanitizing, and
//! images left with no usable `src` are dropped after it.

use crate::content::html::scan::{next_tag, RawTag};

/// Attributes lazy-loading scripts read the real image URL from; it wins over `src`, which
/// then only holds a placeholder (a `data:` pixel or a tiny blurred copy).
pub(super) const LAZY_SRC_ATTRIBUTES: &[&str] = &["data-src", "data-lazy-src", "data-original"];

/// The URL a lazy-loading script would put into `src`, if the tag names one.
pub(super) fn lazy_src<'a>(tag: &RawTag<'a>) -> Option<&'a str> {
    LAZY_SRC_ATTRIBUTES.iter().find_map(|lazy| {
        tag.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(lazy))
            .and_then(|a| a.value)
            .filter(|v| {
                let v = v.trim();
                !v.is_empty() && !v.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("data:"))
            })
    })
}

/// Rewrites `<img … data-src="URL" src="placeholder">` to `<img … src="URL">`.
pub(super) fn write_lazy_image(tag: &RawTag<'_>, url: &str, out: &mut String) {
    // Values stay as written (entities undecoded); only a `"` inside needs escaping once
    // every value is double-quoted (an unquoted value may hold `'` or `"`).
    fn attribute(out: &mut String, name: &str, value: Option<&str>) {
        out.push(' ');
        out.push_str(name);
        if let Some(value) = value {
            out.push_str("=\"");
            out.push_str(&value.replace('"', "&quot;"));
            out.push('"');
        }
    }
    out.push_str("<img");
    for a in &tag.attrs {
        let lazy = LAZY_SRC_ATTRIBUTES
            .iter()
            .any(|l| a.name.eq_ignore_ascii_case(l));
        if !lazy && !a.name.eq_ignore_ascii_case("src") {
            attribute(out, a.name, a.value);
        }
    }
    attribute(out, "src", Some(url));
    out.push('>');
}

/// Last pass over ammonia's output, where every `<` starts a tag (text is escaped and no
/// raw-text element survives sanitizing): removes each `<img>` left without a `src` (a
/// `data:` placeholder with no real URL), which readers would show as an empty box.
pub(super) fn drop_images_without_src(html: String) -> String {
    if !html.contains("<img") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut at = 0;
    while let Ok((start, tag)) = next_tag(&html, at) {
        at = tag.end;
        if tag.name == "img" && !tag.closing && tag.attr_value("src").is_none_or(str::is_empty) {
            out.push_str(&html[copied..start]);
            copied = tag.end;
        }
    }
    out.push_str(&html[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::html;

    #[test]
    fn lazy_images_use_their_real_url() {
        // Medium: 1×1 data: GIF placeholder, real image in data-src.
        let c = html("<img class=\"graf-image\" data-width=\"1200\" data-src=\"https://cdn-images-1.medium.com/max/800/1*abc.jpeg\" src=\"data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP\">");
        assert_eq!(
            c,
            "<img src=\"https://cdn-images-1.medium.com/max/800/1*abc.jpeg\">"
        );
        // Tiny blurred placeholder in src: data-src still wins; data-original, unquoted.
        let c = html("<img src=\"https://cdn.example.com/placeholder-20px.jpg\" data-src=\"https://cdn.example.com/full.jpg\" alt=\"Lazy\">");
        assert_eq!(
            c,
            "<img alt=\"Lazy\" src=\"https://cdn.example.com/full.jpg\">"
        );
        let c = html("<IMG data-original=big.jpg SRC=small.jpg>");
        assert_eq!(c, "<img src=\"https://example.com/posts/hello/big.jpg\">");
        // The lazy URL is checked like any src.
        let c = html("<p>t<img data-src=\"javascript:alert(1)\" src=\"data:,\"></p>");
        assert_eq!(c, "<p>t</p>");
        // Only a data: URL, or nothing: no empty image is left.
        assert_eq!(
            html("<p>a<img src=\"data:image/png;base64,AA\" alt=\"x\">b<img>c</p>"),
            "<p>abc</p>"
        );
        // Markup that only looks like it, in text or attributes, is left alone.
        let c = html("<pre>&lt;noscript&gt;</pre><a title=\"<img data-src=x>\" href=\"/a\">a</a>");
        assert_eq!(
            c,
            "<pre>&lt;noscript&gt;</pre><a title=\"&lt;img data-src=x&gt;\" href=\"https://example.com/a\">a</a>"
        );
    }

    #[test]
    fn lazy_images_keep_unquoted_values_with_quotes_in_them() {
        let c = html("<img alt=a\"b'c data-src=https://x.example/p.jpg>");
        assert_eq!(
            c, "<img alt=\"a&quot;b'c\" src=\"https://x.example/p.jpg\">",
            "{c}"
        );
    }
}
