//! What the tests of the rendering passes share: the article they render as, and a body
//! that tries every trick the sanitizer must stop.

use url::Url;

use super::{render_body, BodyKind, RenderedBody};

pub(super) fn base() -> Url {
    Url::parse("https://example.com/posts/hello/").expect("static url")
}

pub(super) fn md(body: &str) -> RenderedBody {
    render_body(body, BodyKind::Markdown, None, &base(), "hello", 300)
}

pub(super) fn html(body: &str) -> String {
    render_body(body, BodyKind::Html, None, &base(), "h", 300).content_html
}

pub(super) const EVIL: &str = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n<a href=\"javascript:alert(1)\">click</a> <form action=\"/x\"><input name=q></form> <iframe src=\"javascript:alert(2)\"></iframe> <style>p{}</style>\n\n![d](data:image/png;base64,AAAA) [v](vbscript:msgbox)\n";

pub(super) fn assert_clean(html: &str) {
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "alert(1)",
        "onerror",
        "javascript:",
        "vbscript:",
        "data:",
        "<form",
        "<input",
        "<iframe",
        "<style",
    ] {
        assert!(!lower.contains(bad), "{bad} in {html}");
    }
}
