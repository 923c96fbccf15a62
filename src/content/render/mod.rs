//! Article body rendering: turns an article body (Markdown or HTML) into the sanitized,
//! absolutized HTML that the feeds carry as full content, plus the entry summary.
//!
//! [`render_body`] runs the passes in order:
//! 1. drop characters no feed may carry ([`crate::xml_chars`]);
//! 2. Markdown → HTML ([`markdown`], with per-article [`footnotes`] ids, bare-URL
//!    [`links`] and the `<!-- more -->` marker, [`more_marker`]); HTML bodies go as written;
//! 3. before sanitizing: the [`nesting`] guard, then one [`rewrite`] of the source
//!    (`<noscript>` unwrapped, [`lazy_images`] pointed at their real URL, iframes turned
//!    into [`embeds`] links, [`mathml`] into plain HTML);
//! 4. [`sanitize`] with ammonia (raw HTML in Markdown passes through the Markdown renderer
//!    verbatim, so *everything* is sanitized), relative `href`/`src` resolved against the
//!    permalink; images left without a `src` dropped;
//! 5. [`finish`]: character references read as browsers read them, `]]>` escaped;
//! 6. the [`summary`]: explicit field → `<!-- more -->` part → automatic plain-text excerpt.
//!
//! Summary format: the explicit and the automatic summary are *plain text, HTML-escaped*
//! (`& < > "`), not wrapped in `<p>`; the `<!-- more -->` summary is sanitized HTML (block
//! markup, as rendered). Either way the string is valid HTML for the feeds' `type="html"`
//! summary fields.

mod bound;
mod embeds;
mod escaped_runs;
mod footnotes;
mod lazy_images;
mod links;
mod long_text;
mod markdown;
mod mathml;
mod more_marker;
mod nesting;
mod rewrite;
mod sanitize;
mod summary;
#[cfg(test)]
mod test_support;

use url::Url;

use super::html::entities::{self, escape_html};
use crate::xml_chars;

pub(crate) use bound::{max_rendered_bytes, may_exceed, TooLarge};

/// What syntax an article body is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Markdown,
    Html,
}

/// The rendered body of one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedBody {
    /// Full content: sanitized HTML with absolute URLs.
    pub content_html: String,
    /// Summary: HTML (escaped plain text, or sanitized markup for a
    /// `<!-- more -->` excerpt). Empty only if the body has no text.
    pub summary_html: String,
}

/// Render an article body into feed-ready full content and summary.
///
/// `explicit_summary` is the front matter's `summary` field (plain text written by the author; treat as text: escape it, do NOT interpret as markdown or HTML).
/// `base` is the article's absolute permalink (e.g. https://example.com/posts/hello/); relative URLs resolve against it.
/// `footnote_prefix` is a per-article unique string (e.g. the slug) used to prefix footnote ids/hrefs.
/// `summary_length` = target characters for the automatic summary (default 300).
///
/// Summary rules, first that applies:
/// 1. a non-blank `explicit_summary`: trimmed, HTML-escaped text, no `<p>`;
/// 2. the part before a line `<!-- more -->` (case-insensitive, surrounding
///    whitespace allowed), rendered and sanitized like the content;
/// 3. the text of the first paragraph(s), whitespace collapsed, cut at a word
///    boundary at or before `summary_length` chars with `…` appended if cut,
///    HTML-escaped, no `<p>`. A `summary_length` of 0 is treated as 1.
///
/// `Err` when the content or the summary would be over `max_bytes` ([`bound`]): the passes
/// stop there, so an article that multiplies its input never takes more memory than that.
pub(crate) fn render_bounded(
    body: &str,
    kind: BodyKind,
    explicit_summary: Option<&str>,
    base: &Url,
    footnote_prefix: &str,
    summary_length: usize,
    max_bytes: usize,
) -> Result<RenderedBody, TooLarge> {
    let body = xml_chars::strip_non_feed_chars(body);
    let body: &str = &body;
    let limit = summary_length.max(1);
    let fn_id_start = footnotes::footnote_id_start(footnote_prefix);

    let explicit = explicit_summary
        .map(xml_chars::strip_non_feed_chars)
        .filter(|s| !s.trim().is_empty());

    let (content_raw, more_at, more_html) = match kind {
        BodyKind::Markdown => {
            let md = markdown::markdown_to_html(body, &fn_id_start, max_bytes)?;
            (md.html, md.more_at, md.more_html)
        }
        BodyKind::Html => (body.to_owned(), more_marker::find_more_line(body), None),
    };
    let content_html = finish(
        clean(&content_raw, base, &fn_id_start, max_bytes)?,
        max_bytes,
    )?;

    let summary_html = if let Some(text) = explicit {
        bound::check(escape_html(text.trim()).into_owned(), max_bytes)?
    } else {
        let from_more = match more_at.and_then(|at| body.get(..at)) {
            None => None,
            Some(part) => {
                let raw = match (kind, more_html) {
                    (BodyKind::Markdown, Some(html)) => html,
                    (BodyKind::Markdown, None) => {
                        markdown::markdown_to_html(part, &fn_id_start, max_bytes)?.html
                    }
                    (BodyKind::Html, _) => part.to_owned(),
                };
                let html = finish(clean(&raw, base, &fn_id_start, max_bytes)?, max_bytes)?;
                // An empty "before" part must not produce an empty summary.
                summary::html_has_text(&html).then_some(html)
            }
        };
        match from_more {
            Some(html) => html,
            None => finish(
                escape_html(&summary::auto_summary(&content_html, limit)).into_owned(),
                max_bytes,
            )?,
        }
    };

    Ok(RenderedBody {
        content_html,
        summary_html,
    })
}

/// [`render_bounded`] without a bound, for the tests of the passes.
#[cfg(test)]
pub(crate) fn render_body(
    body: &str,
    kind: BodyKind,
    explicit_summary: Option<&str>,
    base: &Url,
    footnote_prefix: &str,
    summary_length: usize,
) -> RenderedBody {
    let rendered = render_bounded(
        body,
        kind,
        explicit_summary,
        base,
        footnote_prefix,
        summary_length,
        usize::MAX,
    );
    rendered.unwrap_or_else(|e| panic!("{e}"))
}

/// The passes between raw HTML and sanitized HTML, in order: the nesting guard and the
/// rewrite of lazy markup read the source as written, long runs of escaped text are held
/// out and long text is cut for the serializer, ammonia sanitizes all of it, the runs go
/// back, and what sanitizing left of placeholder-only images goes last.
fn clean(html: &str, base: &Url, fn_id_start: &str, max_bytes: usize) -> Result<String, TooLarge> {
    let html = nesting::limit_nesting(html);
    let html = rewrite::rewrite_before_sanitizing(&html, base);
    // Embeds become links with their URL: the one pass before sanitizing that may grow.
    if html.len() > max_bytes {
        return Err(TooLarge { limit: max_bytes });
    }
    let held = escaped_runs::hold(&html);
    let html = match &held {
        Some((placed, _)) => placed.as_str(),
        None => html.as_ref(),
    };
    let html = long_text::split_long_text(html);
    let sanitized = sanitize::with_ammonia(&html, base, fn_id_start, max_bytes)?;
    let sanitized = match &held {
        Some((_, runs)) => escaped_runs::restore(&sanitized, runs, max_bytes)?,
        None => sanitized,
    };
    Ok(lazy_images::drop_images_without_src(sanitized))
}

/// Final pass over any HTML we emit. Character references decode after the file-level
/// clean-up: `&#150;` becomes its Windows-1252 character, as browsers show it, and what no
/// feed may carry (`&#1;`, `&#xFFFF;`) is dropped. `]]>` (legal in HTML attribute values)
/// would end a CDATA section in the feed; `]]&gt;` means the same in HTML.
fn finish(html: String, max_bytes: usize) -> Result<String, TooLarge> {
    let html = entities::as_browsers_read_references(html);
    let html = if html.contains("]]>") {
        html.replace("]]>", "]]&gt;")
    } else {
        html
    };
    bound::check(html, max_bytes)
}

#[cfg(test)]
mod tests {
    use super::test_support::{assert_clean, base, md, EVIL};
    use super::*;
    use crate::xml_chars::is_feed_char;

    #[test]
    fn cdata_end_escaped() {
        let r = md("a ]]> b <span title=\"x]]>y\">t</span>\n");
        assert!(!r.content_html.contains("]]>"), "{}", r.content_html);
        assert!(r.content_html.contains("]]&gt;"), "{}", r.content_html);
        assert!(!r.summary_html.contains("]]>"), "{}", r.summary_html);
    }

    #[test]
    fn c1_character_references_read_as_windows_1252_like_browsers() {
        let r = md("&#128; &#150;&#151; &#x85; &#129; &#127; &#xFDD0; \u{9F}x\n");
        // The raw U+009F is removed (the file-level clean-up warns about raw ones); the
        // references become the characters browsers show; undefined bytes are dropped.
        assert_eq!(
            r.content_html, "<p>€ –— …    x</p>\n",
            "{:?}",
            r.content_html
        );
        assert!(
            r.summary_html.chars().all(is_feed_char),
            "{:?}",
            r.summary_html
        );
    }

    #[test]
    fn control_chars_removed() {
        let r = render_body(
            "a\u{0}b\u{7}c\u{1b}d &#1;e\u{FFFE}\n",
            BodyKind::Markdown,
            Some("s\u{0}t"),
            &base(),
            "hello",
            300,
        );
        for c in ['\u{0}', '\u{7}', '\u{1b}', '\u{1}', '\u{FFFE}'] {
            assert!(!r.content_html.contains(c), "{:?}", r.content_html);
            assert!(!r.summary_html.contains(c));
        }
        assert!(r.content_html.contains("abcd"), "{}", r.content_html);
        assert_eq!(r.summary_html, "st");
    }

    #[test]
    fn explicit_summary_escaped() {
        let r = render_body(
            "Body.\n\n<!-- more -->\n",
            BodyKind::Markdown,
            Some("  <b>& \"q\"  "),
            &base(),
            "hello",
            300,
        );
        assert_eq!(r.summary_html, "&lt;b&gt;&amp; &quot;q&quot;");
        // Blank explicit summary falls through.
        let r = render_body(
            "Body *x*.\n",
            BodyKind::Markdown,
            Some("  "),
            &base(),
            "h",
            300,
        );
        assert_eq!(r.summary_html, "Body x.");
    }

    #[test]
    fn script_neutralized_in_more_summary() {
        let body = format!("Intro text.\n\n{EVIL}\n<!-- more -->\n\nRest.\n");
        let r = md(&body);
        assert_clean(&r.summary_html);
        assert_clean(&r.content_html);
        assert!(
            r.summary_html.contains("<p>Intro text.</p>"),
            "{}",
            r.summary_html
        );
        assert!(!r.summary_html.contains("Rest."));
    }

    #[test]
    fn more_summary_is_first_part_markup() {
        let r = md("Hello *world* [link](x/).\n\n  <!-- MORE -->  \n\nSecond **part**.\n");
        assert_eq!(
            r.summary_html,
            "<p>Hello <em>world</em> <a href=\"https://example.com/posts/hello/x/\">link</a>.</p>\n"
        );
        assert!(r.content_html.contains("Second <strong>part</strong>"));
        assert!(!r.content_html.contains("<!--"));
    }

    #[test]
    fn more_summary_drops_footnote_references() {
        let r = md("Intro with a note[^n].\n\n<!-- more -->\n\nRest.\n\n[^n]: The note.\n");
        assert!(
            r.summary_html.contains("Intro with a note."),
            "{}",
            r.summary_html
        );
        assert!(!r.summary_html.contains("[^n]"), "{}", r.summary_html);
        assert!(!r.summary_html.contains("The note"), "{}", r.summary_html);
        assert!(r.content_html.contains("The note"), "{}", r.content_html);
    }

    #[test]
    fn empty_more_part_falls_back() {
        let r = md("<!-- more -->\n\nOnly text.\n");
        assert_eq!(r.summary_html, "Only text.");
    }
}

/// Bodies an attacker (or a careless export) writes, at the largest size a file may have:
/// each must render in time linear in its size. The bound is generous for a loaded CI machine
/// running a debug build; a quadratic pass takes minutes on these.
#[cfg(test)]
mod bad_input {
    use std::time::{Duration, Instant};

    use super::test_support::base;
    use super::*;

    const SIZE: usize = 4 * 1024 * 1024;
    const BOUND: Duration = Duration::from_secs(20);

    fn renders_in_time(name: &str, unit: &str, kind: BodyKind) {
        let body = unit.repeat(SIZE / unit.len());
        let started = Instant::now();
        render_body(&body, kind, None, &base(), "hello", 300);
        let took = started.elapsed();
        assert!(took < BOUND, "{name}: {took:?}");
    }

    #[test]
    fn character_reference_starts() {
        // 141 s in a release build before text was cut for the serializer.
        renders_in_time("&#", "&#", BodyKind::Markdown);
    }

    #[test]
    fn summary_markers() {
        // 284 s before a comment's end was found in one search.
        renders_in_time("more lines", "<!-- more -->\n", BodyKind::Markdown);
    }

    #[test]
    fn empty_comments() {
        renders_in_time("<!---->", "<!---->", BodyKind::Html);
    }

    #[test]
    fn noscripts_after_a_lazy_image() {
        // 26 s for 4 MiB in a debug build while the blank output since the image was
        // rescanned at each `<noscript>`.
        let body = "<img data-src=x.jpg>".to_string()
            + &" <noscript><img src=y.jpg></noscript>".repeat(SIZE / 36);
        let started = Instant::now();
        render_body(&body, BodyKind::Html, None, &base(), "hello", 300);
        let took = started.elapsed();
        assert!(took < BOUND, "{took:?}");
    }

    /// The time each shape takes at 4 MiB, for docs/performance.md:
    /// `cargo test --release --lib render::bad_input::figures -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn figures() {
        let max_bytes = max_rendered_bytes(4 * 1024 * 1024);
        let fill = |unit: &str| unit.repeat(SIZE / unit.len());
        for (name, kind, body) in [
            (
                "[^a] references",
                BodyKind::Markdown,
                fill("[^a]") + "\n\n[^a]: n\n",
            ),
            ("&#", BodyKind::Markdown, fill("&#")),
            ("&# in HTML", BodyKind::Html, fill("&#")),
            ("&lt;", BodyKind::Markdown, fill("&lt;")),
            ("& in HTML", BodyKind::Html, fill("&")),
            (
                "<!-- more --> lines",
                BodyKind::Markdown,
                fill("<!-- more -->\n"),
            ),
            ("<!----> in HTML", BodyKind::Html, fill("<!---->")),
            ("<", BodyKind::Markdown, fill("<")),
            ("< in HTML", BodyKind::Html, fill("<")),
            (
                "noscripts after a lazy image",
                BodyKind::Html,
                "<img data-src=x>".to_string() + &fill(" <noscript><img src=y></noscript>"),
            ),
            (
                "& in <textarea>",
                BodyKind::Html,
                "<textarea>".to_string() + &fill("&"),
            ),
            (
                "& after <plaintext>",
                BodyKind::Html,
                "<plaintext>".to_string() + &fill("&"),
            ),
            (
                "prose",
                BodyKind::Markdown,
                fill("Some *plain* prose, with [a link](x/) in it.\n\n"),
            ),
        ] {
            let started = Instant::now();
            let rendered = render_bounded(&body, kind, None, &base(), "hello", 300, max_bytes);
            let size = rendered.map_or_else(
                |e| e.to_string(),
                |r| format!("{} bytes", r.content_html.len()),
            );
            eprintln!("{name:30} {:>10.3?}  {size:.60}", started.elapsed());
        }
    }

    #[test]
    fn text_in_raw_text_elements() {
        // Quadratic like `&#` until the text of a `<textarea>` was cut too.
        let half = "&".repeat(SIZE / 2);
        let body = format!("<textarea>{half}</textarea><plaintext>{half}");
        let started = Instant::now();
        render_body(&body, BodyKind::Html, None, &base(), "hello", 300);
        let took = started.elapsed();
        assert!(took < BOUND, "{took:?}");
    }

    #[test]
    fn cut_off_image_tags() {
        // Each `<img` of these reads on to the end when parsed as a tag.
        renders_in_time("<img", "<img", BodyKind::Html);
    }

    #[test]
    fn lone_angle_brackets() {
        renders_in_time("<", "<", BodyKind::Html);
    }
}
