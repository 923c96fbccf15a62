//! Article body rendering: turns an article body (Markdown or HTML) into the
//! sanitized, absolutized HTML that the feeds carry as full content, plus the
//! entry summary.
//!
//! This module owns:
//! - Markdown → HTML (CommonMark + tables, strikethrough, footnotes, and
//!   bare `http(s)://` URL linkification outside code and existing links);
//! - per-article footnote ids (`fn-{prefix}-{label}`), so two articles shown
//!   side by side in a reader never collide;
//! - sanitizing with ammonia (raw HTML in Markdown passes through the
//!   Markdown renderer verbatim, so *everything* is sanitized) and rewriting
//!   relative `href`/`src` against the article's permalink;
//! - removing characters XML 1.0 cannot carry;
//! - choosing the summary (explicit field → `<!-- more -->` part →
//!   automatic plain-text excerpt).
//!
//! Summary format: the explicit and the automatic summary are *plain text,
//! HTML-escaped* (`& < > "`), not wrapped in `<p>`; the `<!-- more -->`
//! summary is sanitized HTML (block markup, as rendered). Either way the
//! string is valid HTML for the feeds' `type="html"` summary fields.

use std::borrow::Cow;

use ammonia::UrlRelative;
use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, TextMergeWithOffset};
use unicode_segmentation::UnicodeSegmentation;
use url::Url;

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
pub fn render_body(
    body: &str,
    kind: BodyKind,
    explicit_summary: Option<&str>,
    base: &url::Url,
    footnote_prefix: &str,
    summary_length: usize,
) -> RenderedBody {
    let body = strip_non_feed_chars(body);
    let body: &str = &body;
    let limit = summary_length.max(1);
    let fn_id_start = footnote_id_start(footnote_prefix);

    let explicit = explicit_summary
        .map(strip_non_feed_chars)
        .filter(|s| !s.trim().is_empty());

    let (content_raw, more_at, more_html) = match kind {
        BodyKind::Markdown => {
            let md = markdown_to_html(body, &fn_id_start);
            (md.html, md.more_at, md.more_html)
        }
        BodyKind::Html => (body.to_owned(), find_more_line(body), None),
    };
    let content_html = finish(sanitize(&content_raw, base, &fn_id_start));

    let summary_html = if let Some(text) = explicit {
        escape_html(text.trim())
    } else {
        let from_more = more_at.and_then(|at| {
            let part = body.get(..at)?;
            let raw = match (kind, &more_html) {
                (BodyKind::Markdown, Some(html)) => html.clone(),
                (BodyKind::Markdown, None) => markdown_to_html(part, &fn_id_start).html,
                (BodyKind::Html, _) => part.to_owned(),
            };
            let html = finish(sanitize(&raw, base, &fn_id_start));
            // An empty "before" part must not produce an empty summary.
            html_has_text(&html).then_some(html)
        });
        match from_more {
            Some(html) => html,
            None => finish(escape_html(&auto_summary(&content_html, limit))),
        }
    };

    RenderedBody {
        content_html,
        summary_html,
    }
}

/// Removes what a feed must not carry: characters XML 1.0 forbids (C0 controls other than
/// tab, LF and CR; U+FFFE, U+FFFF) and those validators flag and readers show as boxes
/// (DEL, C1 controls, noncharacters, U+FFFD); see [`is_feed_char`]. Borrows when nothing
/// is removed.
pub fn strip_non_feed_chars(s: &str) -> Cow<'_, str> {
    match find_non_feed_char(s) {
        None => Cow::Borrowed(s),
        Some(first_bad) => {
            let mut out = String::with_capacity(s.len());
            out.push_str(&s[..first_bad]);
            out.extend(s[first_bad..].chars().filter(|&c| is_feed_char(c)));
            Cow::Owned(out)
        }
    }
}

/// Whether `c` may appear in a feed: an XML 1.0 `Char` that is neither DEL, a C1 control nor
/// a Unicode noncharacter (XML 1.0 §2.2 asks documents to avoid those), nor U+FFFD: the
/// replacement character only ever marks text damaged on its way (a bad conversion, an
/// invalid `&#0;` reference), and validators flag it like the C1 controls.
pub fn is_feed_char(c: char) -> bool {
    let xml = matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}');
    let code = c as u32;
    let noncharacter = (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE;
    xml && !('\u{7F}'..='\u{9F}').contains(&c) && !noncharacter && c != '\u{FFFD}'
}

/// Byte offset of the first character that is not [`is_feed_char`], by looking at bytes:
/// every such character starts with a byte few texts contain (an ASCII control, or the lead
/// byte of a C1 control, U+FDD0…, U+FFFD… or a plane's last two code points), so whole
/// articles are checked without decoding them, which took a quarter of a cold `build`.
pub fn find_non_feed_char(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    bytes.iter().enumerate().position(|(i, &lead)| {
        let next = |n: usize| bytes.get(i + n).copied().unwrap_or(0);
        match lead {
            b'\t' | b'\n' | b'\r' => false,
            0x00..=0x1F | 0x7F => true,
            // U+0080..=U+009F
            0xC2 => (0x80..=0x9F).contains(&next(1)),
            // U+FDD0..=U+FDEF; U+FFFD..=U+FFFF
            0xEF => match next(1) {
                0xB7 => (0x90..=0xAF).contains(&next(2)),
                0xBF => (0xBD..=0xBF).contains(&next(2)),
                _ => false,
            },
            // U+nFFFE and U+nFFFF of planes 1 to 16
            0xF0..=0xF4 => next(1) & 0x0F == 0x0F && next(2) == 0xBF && next(3) >= 0xBE,
            _ => false,
        }
    })
}

/// Text whose character references were decoded, as browsers show it: a C1 control (from
/// `&#150;`) becomes its Windows-1252 character, and what no feed may carry is dropped.
pub(crate) fn as_browsers_read_references(text: String) -> String {
    if find_non_feed_char(&text).is_none() {
        return text;
    }
    text.chars()
        .filter_map(|c| {
            if is_feed_char(c) {
                Some(c)
            } else {
                windows_1252(c)
            }
        })
        .collect()
}

/// What HTML does with a character reference to a C1 control (`&#150;`, WHATWG HTML
/// §13.2.5.80): it names the Windows-1252 character of that byte. Markdown decodes such
/// references to the control itself; this restores the character the author meant.
/// `None` for the five bytes Windows-1252 leaves undefined.
fn windows_1252(c: char) -> Option<char> {
    const HIGH: [u16; 32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
        0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ];
    let index = (c as u32).checked_sub(0x80)?;
    let mapped = *HIGH.get(usize::try_from(index).ok()?)?;
    char::from_u32(u32::from(mapped)).filter(|_| mapped != 0)
}

/// Final pass over any HTML we emit. Character references decode after the file-level
/// clean-up: `&#150;` becomes its Windows-1252 character, as browsers show it, and what no
/// feed may carry (`&#1;`, `&#xFFFF;`) is dropped. `]]>` (legal in HTML attribute values)
/// would end a CDATA section in the feed; `]]&gt;` means the same in HTML.
fn finish(html: String) -> String {
    let html = as_browsers_read_references(html);
    if html.contains("]]>") {
        html.replace("]]>", "]]&gt;")
    } else {
        html
    }
}

// ---------------------------------------------------------------------------
// Markdown

fn markdown_options() -> Options {
    // One by one: `Options::all()` would also turn on math, wikilinks, etc.
    let mut o = Options::empty();
    o.insert(Options::ENABLE_TABLES);
    o.insert(Options::ENABLE_STRIKETHROUGH);
    o.insert(Options::ENABLE_FOOTNOTES);
    // `## Title {#id}` is common in content written for static site generators; without
    // this the braces show up as heading text.
    o.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    // `- [x] done`: written out as ☑/☐ (readers drop form controls).
    o.insert(Options::ENABLE_TASKLISTS);
    // `$…$` and `$$…$$`: recognised only to keep TeX as written (CommonMark would turn
    // `\,` into `,`); they are written back with their dollars, for readers and MathJax.
    o.insert(Options::ENABLE_MATH);
    o
}

struct MarkdownOut {
    html: String,
    /// Byte offset of the first `<!-- more -->` HTML block line.
    more_at: Option<usize>,
    /// HTML of the part before the marker, without footnote references (their definitions
    /// are not part of the excerpt, and a dangling `[^x]` would read as noise).
    more_html: Option<String>,
}

/// Single pass over the events: rewrite footnote ids, linkify bare URLs and locate the
/// `<!-- more -->` marker. (The automatic summary is taken from the sanitized HTML, so raw
/// HTML paragraphs count like Markdown ones.)
fn markdown_to_html(src: &str, fn_id_start: &str) -> MarkdownOut {
    let parser = Parser::new_ext(src, markdown_options());
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut more_at = None;
    let mut more_event_index = None;

    let mut in_image = 0usize;
    let mut in_link = 0usize;
    let mut in_code_block = false;
    let mut raw_link_depth = 0usize;
    // Empty cells at the end of a table body row, held back: pulldown-cmark pads every row
    // to the header's width, so a 2,000-column header over 3,000 one-cell rows (14 KB)
    // rendered 8 MB. Only cells followed by a non-empty one in the same row are written.
    let mut in_body_row = false;
    let mut empty_cells = 0usize;
    let mut cell_start = 0usize;

    for (event, range) in TextMergeWithOffset::new(parser.into_offset_iter()) {
        match &event {
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Html(h) if more_at.is_none() && is_more_marker(h) => {
                more_at = Some(range.start);
                more_event_index = Some(events.len());
            }
            Event::InlineHtml(h) => {
                // Don't linkify inside a raw `<a>…</a>` either.
                if starts_tag(h, "<a") {
                    raw_link_depth += 1;
                } else if starts_tag(h, "</a") {
                    raw_link_depth = raw_link_depth.saturating_sub(1);
                }
            }
            _ => {}
        }

        match event {
            Event::FootnoteReference(name) => {
                events.push(Event::FootnoteReference(
                    footnote_id(fn_id_start, &name).into(),
                ));
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                events.push(Event::Start(Tag::FootnoteDefinition(
                    footnote_id(fn_id_start, &name).into(),
                )));
            }
            Event::Text(t)
                if !in_code_block && in_link == 0 && in_image == 0 && raw_link_depth == 0 =>
            {
                linkify(t, &mut events);
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => events.push(Event::Start(Tag::Link {
                link_type,
                dest_url: ascii_url(dest_url),
                title,
                id,
            })),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => events.push(Event::Start(Tag::Image {
                link_type,
                dest_url: ascii_url(dest_url),
                title,
                id,
            })),
            Event::Start(Tag::TableRow) => {
                in_body_row = true;
                empty_cells = 0;
                events.push(Event::Start(Tag::TableRow));
            }
            Event::End(TagEnd::TableRow) => {
                in_body_row = false;
                events.push(Event::End(TagEnd::TableRow));
            }
            Event::Start(Tag::TableCell) if in_body_row => {
                cell_start = events.len();
                events.push(Event::Start(Tag::TableCell));
            }
            Event::End(TagEnd::TableCell) if in_body_row => {
                if events.len() == cell_start + 1 {
                    events.pop();
                    empty_cells += 1;
                } else {
                    // Content: the empty cells before it are real, in their columns.
                    let held = std::mem::take(&mut empty_cells);
                    let pairs = (0..held).flat_map(|_| {
                        [Event::Start(Tag::TableCell), Event::End(TagEnd::TableCell)]
                    });
                    events.splice(cell_start..cell_start, pairs);
                    events.push(Event::End(TagEnd::TableCell));
                }
            }
            Event::TaskListMarker(done) => {
                events.push(Event::Text(if done { "☑ " } else { "☐ " }.into()));
            }
            Event::InlineMath(tex) => events.push(Event::Text(format!("${tex}$").into())),
            Event::DisplayMath(tex) => events.push(Event::Text(format!("$${tex}$$").into())),
            other => events.push(other),
        }
    }

    let more_html = more_event_index.map(|end| {
        let mut in_definition = 0usize;
        let excerpt = events[..end].iter().filter(|e| {
            match e {
                Event::Start(Tag::FootnoteDefinition(_)) => in_definition += 1,
                Event::End(TagEnd::FootnoteDefinition) => {
                    in_definition = in_definition.saturating_sub(1);
                    return false;
                }
                _ => {}
            }
            in_definition == 0 && !matches!(e, Event::FootnoteReference(_))
        });
        let mut html = events_to_html(excerpt.cloned(), end * 16);
        // Indentation before the marker line can leave a blank tail.
        html.truncate(html.trim_end().len());
        html.push('\n');
        html
    });
    let html = events_to_html(events.into_iter(), src.len() + src.len() / 4);

    MarkdownOut {
        html,
        more_at,
        more_html,
    }
}

fn events_to_html<'a>(events: impl Iterator<Item = Event<'a>>, capacity: usize) -> String {
    let mut html = String::with_capacity(capacity);
    pulldown_cmark::html::push_html(&mut html, events);
    // pulldown-cmark aligns table cells with `style`, which the sanitizer
    // drops; use the `align` attribute instead.
    if html.contains("style=\"text-align: ") {
        html = html
            .replace(" style=\"text-align: left\">", " align=\"left\">")
            .replace(" style=\"text-align: center\">", " align=\"center\">")
            .replace(" style=\"text-align: right\">", " align=\"right\">");
    }
    html
}

/// `<a …>` / `</a>` (case-insensitive), not `<abbr>`.
fn starts_tag(html: &str, prefix: &str) -> bool {
    let b = html.as_bytes();
    b.len() > prefix.len()
        && b[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        && matches!(b[prefix.len()], b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')
}

/// A line that is exactly `<!-- more -->` or `<!-- truncate -->` (surrounding whitespace
/// allowed, the word case-insensitive, any spacing inside the comment).
fn is_more_marker(line: &str) -> bool {
    line.trim()
        .strip_prefix("<!--")
        .and_then(|s| s.strip_suffix("-->"))
        .is_some_and(|inner| {
            // Docusaurus writes `<!-- truncate -->`.
            let inner = inner.trim();
            inner.eq_ignore_ascii_case("more") || inner.eq_ignore_ascii_case("truncate")
        })
}

/// Byte offset of the first `<!-- more -->` line in an HTML body.
fn find_more_line(body: &str) -> Option<usize> {
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        if is_more_marker(line) {
            return Some(at);
        }
        at += line.len();
    }
    None
}

// ---------------------------------------------------------------------------
// Footnotes

/// `fn-{encoded prefix}-`: every footnote id of this article starts with it.
fn footnote_id_start(prefix: &str) -> String {
    let mut s = String::from("fn-");
    encode_id_part(prefix, &mut s);
    s.push('-');
    s
}

fn footnote_id(start: &str, label: &str) -> String {
    // Labels match case-insensitively with collapsed whitespace (CommonMark).
    let normalized = label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let mut s = String::with_capacity(start.len() + normalized.len());
    s.push_str(start);
    encode_id_part(&normalized, &mut s);
    s
}

/// Injective, URL-fragment-safe encoding: ASCII alphanumerics and `-` are
/// kept, every other byte becomes `_XX`. Keeps `id` and the (percent-encoded
/// by URL joining) `href="#…"` identical.
fn encode_id_part(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(char::from(b));
        } else {
            out.push('_');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0xF));
        }
    }
}

fn hex_digit(n: u8) -> char {
    char::from_digit(u32::from(n), 16).unwrap_or('0')
}

/// An absolute http(s) URL with non-ASCII characters, in the form every client reads: the
/// host in punycode (IDNA), the rest percent-encoded. The Markdown renderer would otherwise
/// percent-encode the host's UTF-8 bytes (`b%C3%BCcher.example`), which is no host at all.
/// Anything else stays as written.
fn ascii_url(dest: CowStr<'_>) -> CowStr<'_> {
    if dest.is_ascii() {
        return dest;
    }
    match Url::parse(&dest) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => String::from(url).into(),
        _ => dest,
    }
}

// ---------------------------------------------------------------------------
// Bare URL linkification

/// Split a text event around bare `http://` / `https://` URLs, turning each
/// into an autolink. Text without URLs is passed through untouched.
fn linkify<'a>(text: CowStr<'a>, out: &mut Vec<Event<'a>>) {
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

// ---------------------------------------------------------------------------
// Sanitizing

/// Sanitize with ammonia and resolve relative URLs against `base`.
/// Built per call because `RewriteWithBase` and the footnote id filter are
/// per-article; building costs microseconds and only a few articles render.
fn sanitize(html: &str, base: &Url, fn_id_start: &str) -> String {
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
    let html = limit_nesting(html);
    let html = rewrite_before_sanitizing(&html, base);
    drop_images_without_src(b.clean(&html).to_string())
}

/// Elements nested deeper than this lose their tags (their content stays). html5ever checks
/// the stack of open elements for most tags, so parsing time grows with depth × tags:
/// `- - - - …` (a list in a list, 45,000 deep in 90 KB) took 87 s. Real articles nest a
/// few dozen levels at most.
const MAX_NESTING: usize = 100;

/// Elements the parser never nests in themselves (a `<p>`, `<li>` or table part closes the
/// open one, or is ignored out of place) or that have no content: they don't add up into
/// depth.
fn nests(name: &str) -> bool {
    !matches!(
        name,
        "p" | "li"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "tbody"
            | "thead"
            | "tfoot"
            | "colgroup"
            | "caption"
            | "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
            | "param"
            | "keygen"
    )
}

/// Elements an end tag may close along with others above them (inline formatting): an
/// end tag with anything else above its element is ignored, as the parser mostly does.
fn closes_freely(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "big"
            | "cite"
            | "code"
            | "data"
            | "dfn"
            | "em"
            | "font"
            | "i"
            | "kbd"
            | "label"
            | "mark"
            | "nobr"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strike"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "tt"
            | "u"
            | "var"
    )
}

/// `<option>` and `<optgroup>` close an `<option>` open right above; nothing else closes
/// its sibling outside the contexts (`<ruby>`, `<select>`) this scan does not follow.
fn closes_open_option(name: &str) -> bool {
    matches!(name, "option" | "optgroup")
}

/// Where the comment starting at `start` (`<!--`) ends: the earliest end a parser accepts
/// (`-->`, `--!>`, or an abrupt `<!-->` / `<!--->`), so no tag it sees is skipped here.
fn comment_end(html: &str, start: usize) -> usize {
    let body = start + 4;
    if html[body..].starts_with('>') {
        return body + 1;
    }
    if html[body..].starts_with("->") {
        return body + 2;
    }
    let ends = [("-->", 3), ("--!>", 4)];
    ends.iter()
        .filter_map(|(end, len)| html[body..].find(end).map(|e| body + e + len))
        .min()
        .unwrap_or(html.len())
}

/// Drops the start and end tags of elements nested deeper than [`MAX_NESTING`] (see there).
/// Only tags are removed, never text; the sanitizer still sees everything that is left.
/// Where this reading of the markup and the parser's may differ, it errs towards counting
/// more depth than the parser builds (which only drops tags), never less.
fn limit_nesting(html: &str) -> Cow<'_, str> {
    // Cheap bound first: fewer tags than the limit cannot nest that deep.
    if html.bytes().filter(|&b| b == b'<').count() <= MAX_NESTING {
        return Cow::Borrowed(html);
    }
    let mut open: Vec<String> = Vec::new();
    // Start tags dropped for depth, innermost last: their end tags go too.
    let mut dropped: Vec<String> = Vec::new();
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Ok((start, tag)) = next_tag(html, at) {
        at = tag.end;
        // `/>` closes nothing in HTML (void elements are not counted anyway).
        if !nests(&tag.name) {
            continue;
        }
        let drop = if tag.closing {
            if dropped.last() == Some(&tag.name) {
                dropped.pop();
                true
            } else {
                if let Some(i) = open.iter().rposition(|n| *n == tag.name) {
                    if open[i + 1..].iter().all(|n| closes_freely(n)) {
                        open.truncate(i);
                    }
                }
                false
            }
        } else if open.len() >= MAX_NESTING {
            dropped.push(tag.name.clone());
            true
        } else {
            let foreign = open.iter().any(|n| n == "svg" || n == "math");
            if !foreign && RAW_TEXT_ELEMENTS.contains(&tag.name.as_str()) {
                // Its content is text up to its end tag, which closes it.
                at = find_ascii_ci(html, &format!("</{}", tag.name), at).unwrap_or(html.len());
                continue;
            }
            if closes_open_option(&tag.name) && open.last().is_some_and(|n| n == "option") {
                open.pop();
            }
            open.push(tag.name.clone());
            false
        };
        if drop {
            out.push_str(&html[copied..start]);
            copied = tag.end;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// The class of the links that stand for embeds (see [`embed_link`]).
const EMBED_CLASS: &str = "feedwright-embed";

/// What the footnote classes of Markdown renderers start with.
const FOOTNOTE_CLASS: &str = "footnote";

// Lazy-loaded images and `<noscript>` (WordPress plugins, Medium, Ghost). html5ever parses
// `<noscript>` as raw text (scripting on), so its fallback markup would come out escaped
// as visible text; and lazy images keep their real URL in `data-src` behind a placeholder
// `src`. Embeds (`<iframe>`) become links. All of it is done on the HTML string before
// ammonia, which still sanitizes everything written here and checks every URL.

/// Attributes lazy-loading scripts read the real image URL from; it wins over `src`, which
/// then only holds a placeholder (a `data:` pixel or a tiny blurred copy).
const LAZY_SRC_ATTRIBUTES: &[&str] = &["data-src", "data-lazy-src", "data-original"];

/// Elements whose content is raw text: a `<noscript>` or `<img>` inside is not markup.
const RAW_TEXT_ELEMENTS: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// One parsed start or end tag; attribute values are raw (undecoded) slices.
pub(super) struct RawTag<'a> {
    pub(super) name: String,
    pub(super) closing: bool,
    attrs: Vec<RawAttr<'a>>,
    /// Byte offset just past the closing `>`.
    pub(super) end: usize,
}

struct RawAttr<'a> {
    name: &'a str,
    value: Option<&'a str>,
}

impl<'a> RawTag<'a> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attr_value(name)
    }

    /// The raw value of attribute `name` (`""` when it has none), borrowed from the HTML.
    pub(super) fn attr_value(&self, name: &str) -> Option<&'a str> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| a.value.unwrap_or(""))
    }
}

/// The next tag at or after `from`, with where it starts; comments are skipped (ended as a
/// parser ends them, [`comment_end`]). `Err` holds where the scan ends: the end of the input,
/// or the start of a tag cut off by it (which a parser drops along with all that follows).
pub(super) fn next_tag(html: &str, from: usize) -> Result<(usize, RawTag<'_>), usize> {
    let mut at = from;
    while let Some(found) = html[at..].find('<') {
        let start = at + found;
        if html[start..].starts_with("<!--") {
            at = comment_end(html, start);
            continue;
        }
        match parse_tag(html, start) {
            Some(tag) => return Ok((start, tag)),
            None if tag_is_cut_off(html, start) => return Err(start),
            None => at = start + 1,
        }
    }
    Err(html.len())
}

/// After [`parse_tag`] gave `None` at `start`: whether that was a tag cut off by the end of
/// the input (`<a href="…` to the end) rather than a `<` in text. A tokenizer reads all the
/// rest as that one tag, so a scan must stop there: going on at the next `<` would parse
/// the same unfinished tail again and again (quadratic on `<a <a <a …`).
fn tag_is_cut_off(html: &str, start: usize) -> bool {
    let b = html.as_bytes();
    let name_at = start + 1 + usize::from(b.get(start + 1) == Some(&b'/'));
    b.get(name_at).is_some_and(u8::is_ascii_alphabetic)
}

/// Parses the tag starting at `html[start] == '<'` like an HTML tokenizer (names end at
/// whitespace, `/` or `>`; values quoted or not). `None` when it is not a tag: a `<` in text,
/// or a tag cut off by the end of the input ([`tag_is_cut_off`]).
pub(super) fn parse_tag(html: &str, start: usize) -> Option<RawTag<'_>> {
    let bytes = html.as_bytes();
    let mut i = start + 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    if !bytes.get(i)?.is_ascii_alphabetic() {
        return None;
    }
    let name_start = i;
    while i < bytes.len() && !matches!(bytes[i], b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | 0x0C)
    {
        i += 1;
    }
    let name = html[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && matches!(bytes[i], b'/' | b' ' | b'\t' | b'\n' | b'\r' | 0x0C) {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => {
                return Some(RawTag {
                    name,
                    closing,
                    attrs,
                    end: i + 1,
                })
            }
            _ => {
                let attr_start = i;
                // The first character may be `=`, as in the tokenizer.
                i += 1;
                while i < bytes.len()
                    && !matches!(
                        bytes[i],
                        b'>' | b'/' | b'=' | b' ' | b'\t' | b'\n' | b'\r' | 0x0C
                    )
                {
                    i += 1;
                }
                let attr_name = &html[attr_start..i];
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0C) {
                    i += 1;
                }
                if bytes.get(i) != Some(&b'=') {
                    attrs.push(RawAttr {
                        name: attr_name,
                        value: None,
                    });
                    continue;
                }
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0C) {
                    i += 1;
                }
                let value = match bytes.get(i)? {
                    q @ (b'"' | b'\'') => {
                        let close = html[i + 1..].find(char::from(*q))? + i + 1;
                        let value = &html[i + 1..close];
                        i = close + 1;
                        value
                    }
                    _ => {
                        let value_start = i;
                        while i < bytes.len()
                            && !matches!(bytes[i], b'>' | b' ' | b'\t' | b'\n' | b'\r' | 0x0C)
                        {
                            i += 1;
                        }
                        &html[value_start..i]
                    }
                };
                attrs.push(RawAttr {
                    name: attr_name,
                    value: Some(value),
                });
            }
        }
    }
}

/// Byte offset of the first case-insensitive `needle` (ASCII) at or after `from`.
fn find_ascii_ci(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    (from..=h.len().checked_sub(n.len())?).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// The URL a lazy-loading script would put into `src`, if the tag names one.
fn lazy_src<'a>(tag: &RawTag<'a>) -> Option<&'a str> {
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
fn write_lazy_image(tag: &RawTag<'_>, url: &str, out: &mut String) {
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

/// Unwraps `<noscript>` so its content is parsed as markup, except a fallback right after a
/// lazy image made usable here, which would show the same picture twice; points lazy
/// images at their real URL; replaces each `<iframe>` with a link to what it shows.
/// Borrows when there is nothing to do.
fn rewrite_before_sanitizing<'h>(html: &'h str, base: &Url) -> Cow<'h, str> {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<noscript")
        && !lower.contains("<iframe")
        && !lower.contains("<math")
        && !LAZY_SRC_ATTRIBUTES.iter().any(|a| lower.contains(a))
    {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    rewrite_lazy_markup(html, base, &mut out);
    Cow::Owned(out)
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
    // Where the output stood right after the last lazy image rewritten here.
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
        if tag.name == "iframe" {
            // Its content is fallback text; a false end (`</iframex`) only leaves the rest
            // to ammonia, which sanitizes it like any other markup.
            out.push_str(&html[copied..start]);
            let end = find_ascii_ci(html, "</iframe", at).map_or(html.len(), |c| {
                html[c..].find('>').map_or(html.len(), |e| c + e + 1)
            });
            embed_link(&tag, base, in_p, in_a, out);
            copied = end;
            at = end;
            continue;
        }
        if tag.name == "math" {
            // MathML can't nest another `<math>`; the first end tag closes it.
            out.push_str(&html[copied..start]);
            let inner_end = find_ascii_ci(html, "</math", at).unwrap_or(html.len());
            out.push_str(&super::mathml::to_html(&html[at..inner_end]));
            let end = html[inner_end..]
                .find('>')
                .map_or(html.len(), |e| inner_end + e + 1);
            copied = end;
            at = end;
            continue;
        }
        if RAW_TEXT_ELEMENTS.contains(&tag.name.as_str()) {
            at = find_ascii_ci(html, &format!("</{}", tag.name), at).unwrap_or(html.len());
            continue;
        }
        match tag.name.as_str() {
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
                let end = close.map_or(html.len(), |c| {
                    html[c..].find('>').map_or(html.len(), |e| c + e + 1)
                });
                let duplicate = after_lazy_image
                    .is_some_and(|p| out[p..].trim().is_empty() && only_images(inner));
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

/// Last pass over ammonia's output, where every `<` starts a tag (text is escaped and no
/// raw-text element survives sanitizing): removes each `<img>` left without a `src` (a
/// `data:` placeholder with no real URL), which readers would show as an empty box.
fn drop_images_without_src(html: String) -> String {
    if !html.contains("<img") {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut at = 0;
    while let Ok((start, tag)) = next_tag(&html, at) {
        at = tag.end;
        if tag.name == "img" && !tag.closing && tag.attr("src").is_none_or(str::is_empty) {
            out.push_str(&html[copied..start]);
            copied = tag.end;
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// `<p><a class="feedwright-embed" href="SRC">TITLE</a></p>` for an iframe; without the
/// `<p>` inside a paragraph, and only the title inside a link. Attribute values are as the
/// author wrote them (entities undecoded); what is written here is escaped, and ammonia
/// checks it afterwards like any markup.
fn embed_link(tag: &RawTag<'_>, base: &Url, in_p: bool, in_a: bool, out: &mut String) {
    let Some(src) = tag
        .attr("src")
        .map(|s| html_escape::decode_html_entities(s).trim().to_string())
        .filter(|s| !s.is_empty())
        // Relative and protocol-relative embeds (`//player.example/…`) resolve like links.
        .and_then(|s| base.join(&s).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
    else {
        return;
    };
    let title = tag
        .attr("title")
        .map(|t| html_escape::decode_html_entities(t).trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Embedded content".to_string());
    let title = escape_html(&title);
    if in_a {
        out.push_str(&title);
        return;
    }
    let href = escape_html(embedded_page(&src).as_str());
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

// ---------------------------------------------------------------------------
// Plain-text excerpts

/// Accumulates text with whitespace collapsed, up to `limit` chars, and cuts
/// at a word boundary when more text arrives than fits.
struct PlainText {
    buf: String,
    chars: usize,
    limit: usize,
    pending_space: bool,
    /// More text arrived than fits: the excerpt is cut.
    overflow: bool,
    /// The overflow happened exactly at a word boundary.
    cut_at_boundary: bool,
    /// The first character that did not fit, to tell whether the cut splits a grapheme.
    next: Option<char>,
    /// A paragraph ended at or past the limit: stop collecting.
    done: bool,
}

impl PlainText {
    fn new(limit: usize) -> Self {
        Self {
            buf: String::new(),
            chars: 0,
            limit,
            pending_space: false,
            overflow: false,
            cut_at_boundary: false,
            next: None,
            done: false,
        }
    }

    fn push_str(&mut self, s: &str) {
        if self.done || self.overflow {
            return;
        }
        for c in s.chars() {
            if c.is_whitespace() {
                self.pending_space = !self.buf.is_empty();
                continue;
            }
            if self.pending_space {
                if self.chars + 1 > self.limit {
                    self.overflow = true;
                    self.cut_at_boundary = true;
                    return;
                }
                self.buf.push(' ');
                self.chars += 1;
                self.pending_space = false;
            }
            if self.chars + 1 > self.limit {
                self.overflow = true;
                self.next = Some(c);
                return;
            }
            self.buf.push(c);
            self.chars += 1;
        }
    }

    /// End of a block: separate from what follows by a space; once we have
    /// enough whole paragraphs, stop.
    fn paragraph_break(&mut self) {
        if !self.buf.is_empty() {
            self.pending_space = true;
        }
        if self.chars >= self.limit {
            self.done = true;
        }
    }

    fn finish(self) -> String {
        let mut buf = self.buf;
        if !self.overflow {
            return buf;
        }
        if !self.cut_at_boundary {
            // Back up to the last space; a single over-long word (or a run of CJK text,
            // which has no spaces) is cut hard, but never inside a user-perceived
            // character: not between a letter and its accent, inside a flag or an emoji
            // joined with U+200D.
            let between_cjk = buf.chars().next_back().is_some_and(breaks_anywhere)
                && self.next.is_some_and(breaks_anywhere);
            if let (false, Some(i)) = (between_cjk, buf.rfind(' ')) {
                buf.truncate(i);
            } else if let Some(next) = self.next {
                let cut = buf.len();
                buf.push(next);
                let last_start = buf.grapheme_indices(true).next_back().map_or(0, |(i, _)| i);
                buf.truncate(last_start.min(cut));
            }
        }
        let trimmed_len = buf
            .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'))
            .len();
        buf.truncate(trimmed_len);
        buf.push('…');
        buf
    }
}

/// Chinese and Japanese text has no spaces between words; a line may break between any two
/// of these characters (UAX #14 class ID), so an excerpt may end there too.
fn breaks_anywhere(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'       // hiragana, katakana
        | '\u{3400}'..='\u{4DBF}'     // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'     // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'     // compatibility ideographs
        | '\u{20000}'..='\u{3FFFF}') // extensions B and later
}

/// The automatic summary of a rendered body: the text of its paragraphs (`<p>`, however they
/// were written: Markdown, or raw HTML as WordPress and Ghost export it), or all its text if
/// it has none. Code blocks, tables, footnotes and page furniture (`nav`, `header`, `footer`,
/// `aside`) never count; headings, captions and list items only when there are no paragraphs.
fn auto_summary(content_html: &str, limit: usize) -> String {
    let mut paragraphs = PlainText::new(limit);
    let mut any = PlainText::new(limit);
    html_text(content_html, &mut paragraphs, &mut any);
    let text = paragraphs.finish();
    if !text.is_empty() {
        return text;
    }
    let text = any.finish();
    if !text.is_empty() {
        return text;
    }
    // A photo post: its first image's description says what the entry is.
    let mut alt = PlainText::new(limit);
    alt.push_str(&unescape_basic(first_image_alt(content_html).unwrap_or("")));
    alt.finish()
}

/// The `alt` text of the first image with one, as serialized (escaped).
fn first_image_alt(html: &str) -> Option<&str> {
    html.match_indices("<img ").find_map(|(at, _)| {
        let tag = &html[at..at + html[at..].find('>')?];
        let value = tag.split_once(" alt=\"")?.1.split('"').next()?;
        (!value.trim().is_empty()).then_some(value)
    })
}

/// Whether an element's whole content stays out of summaries (`tag` is the text between
/// `<` and `>`, `name` its lower-case element name).
fn skipped_in_summaries(name: &str, tag: &str) -> bool {
    match name {
        "pre" | "table" | "nav" | "header" | "footer" | "aside" => true,
        // Footnotes and their references (only such classes survive sanitizing).
        "div" | "sup" | "section" => has_class(tag, FOOTNOTE_CLASS),
        // A footnote reference, or a link standing for an embed (a video, a player).
        "a" => has_class(tag, FOOTNOTE_CLASS) || has_class(tag, EMBED_CLASS),
        _ => false,
    }
}

/// Whether a serialized tag (`div class="a b"`, as ammonia writes it) has a class starting
/// with `prefix`; other attributes (an `href` naming a footnote) don't count.
fn has_class(tag: &str, prefix: &str) -> bool {
    tag.split_once(" class=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .is_some_and(|classes| classes.split_whitespace().any(|c| c.starts_with(prefix)))
}

/// Feeds the text of sanitized HTML (as serialized by ammonia) into `paragraphs` (text inside
/// `<p>` only, but not label paragraphs: [`is_label`]) and `any` (all text), skipping what [`skipped_in_summaries`] names. Block tags
/// separate words.
fn html_text(html: &str, paragraphs: &mut PlainText, any: &mut PlainText) {
    // The element being skipped, and how many of the same name are open inside it.
    let mut skipping: Option<(String, usize)> = None;
    let mut in_paragraph = 0usize;
    // In a paragraph that is only a label or a link: text for `any` only.
    let mut in_label = false;
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after_lt) = rest.strip_prefix('<') {
            // Tag: find its end, honouring quoted attribute values (the
            // serializer leaves `>` unescaped inside them).
            let mut in_quote = false;
            let mut end = after_lt.len();
            for (i, b) in after_lt.bytes().enumerate() {
                match b {
                    b'"' => in_quote = !in_quote,
                    b'>' if !in_quote => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            let tag = &after_lt[..end];
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .collect();
            rest = after_lt.get(end + 1..).unwrap_or("");
            if let Some((skipped, open)) = skipping.as_mut() {
                if *skipped == name {
                    if closing {
                        *open -= 1;
                        if *open == 0 {
                            skipping = None;
                        }
                    } else if !tag.ends_with('/') {
                        *open += 1;
                    }
                }
                continue;
            }
            if !closing && skipped_in_summaries(&name, tag) {
                skipping = Some((name, 1));
                continue;
            }
            if name == "p" {
                if closing {
                    in_paragraph = in_paragraph.saturating_sub(1);
                    in_label = false;
                } else {
                    in_paragraph += 1;
                    in_label = is_label(rest);
                }
            }
            if is_block_tag(&name) {
                paragraphs.paragraph_break();
                any.paragraph_break();
            }
            continue;
        }
        let text_end = rest.find('<').unwrap_or(rest.len());
        if skipping.is_none() {
            let text = unescape_basic(&rest[..text_end]);
            if in_paragraph > 0 && !in_label {
                paragraphs.push_str(&text);
            }
            any.push_str(&text);
        }
        rest = &rest[text_end..];
    }
}

/// Whether the paragraph whose content starts `rest` is only a short bold label or a lone
/// link (`<strong>Timestamps</strong></p>`, `<a href=…>Our site</a></p>`): show notes and
/// newsletters use them as headings and link lists, not as prose.
fn is_label(rest: &str) -> bool {
    let Some(end) = rest.find("</p>") else {
        return false;
    };
    let content = rest[..end].trim();
    ["strong", "b", "a"].iter().any(|tag| {
        content
            .strip_prefix('<')
            .and_then(|c| c.strip_prefix(tag))
            .filter(|c| c.starts_with(['>', ' ']))
            .and_then(|c| c.split_once('>'))
            .and_then(|(_, c)| c.strip_suffix(&format!("</{tag}>")))
            .is_some_and(|label| !label.contains('<') && label.chars().count() <= 80)
    })
}

fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "hr"
            | "figure"
            | "figcaption"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "pre"
            | "article"
            | "section"
            | "header"
            | "footer"
            | "aside"
            | "nav"
            | "details"
            | "summary"
    )
}

/// Decode the entities html5ever's serializer produces in text.
fn unescape_basic(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&nbsp;", "\u{a0}")
            .replace("&amp;", "&"),
    )
}

/// Whether sanitized HTML shows anything (text or an image).
fn html_has_text(html: &str) -> bool {
    if html.contains("<img") {
        return true;
    }
    let mut paragraphs = PlainText::new(1);
    let mut any = PlainText::new(1);
    html_text(html, &mut paragraphs, &mut any);
    !any.buf.is_empty() || any.overflow
}

/// Escape text for HTML element content and attribute values.
fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://example.com/posts/hello/").expect("static url")
    }

    fn md(body: &str) -> RenderedBody {
        render_body(body, BodyKind::Markdown, None, &base(), "hello", 300)
    }

    #[test]
    fn tables_strikethrough_footnotes_render() {
        let r = md("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~gone~~\n\nText[^1].\n\n[^1]: The note.\n");
        let c = &r.content_html;
        assert!(c.contains("<table>"), "{c}");
        assert!(c.contains("<th align=\"left\">a</th>"), "{c}");
        assert!(c.contains("<td align=\"right\">2</td>"), "{c}");
        assert!(c.contains("<del>gone</del>"), "{c}");
        assert!(c.contains("class=\"footnote-reference\""), "{c}");
        assert!(c.contains("class=\"footnote-definition\""), "{c}");
        assert!(c.contains("The note."), "{c}");
        assert!(!c.contains("style="), "{c}");
    }

    #[test]
    fn footnote_ids_prefixed_and_matching() {
        let r = md("One[^a] two[^Big Note].\n\n[^a]: First.\n[^big note]: Second.\n");
        let c = &r.content_html;
        assert!(
            c.contains("href=\"https://example.com/posts/hello/#fn-hello-a\""),
            "{c}"
        );
        assert!(c.contains("id=\"fn-hello-a\""), "{c}");
        assert!(
            c.contains("href=\"https://example.com/posts/hello/#fn-hello-big_20note\""),
            "{c}"
        );
        assert!(c.contains("id=\"fn-hello-big_20note\""), "{c}");
        assert!(!c.contains("id=\"a\""), "{c}");
        // Another article gets different ids.
        let other = render_body(
            "x[^a]\n\n[^a]: y\n",
            BodyKind::Markdown,
            None,
            &base(),
            "other",
            300,
        );
        assert!(other.content_html.contains("id=\"fn-other-a\""));
    }

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

    const EVIL: &str = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n<a href=\"javascript:alert(1)\">click</a> <form action=\"/x\"><input name=q></form> <iframe src=\"javascript:alert(2)\"></iframe> <style>p{}</style>\n\n![d](data:image/png;base64,AAAA) [v](vbscript:msgbox)\n";

    fn assert_clean(html: &str) {
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

    #[test]
    fn script_and_handlers_neutralized_in_content() {
        let r = md(EVIL);
        assert_clean(&r.content_html);
        assert!(r.content_html.contains("click"), "{}", r.content_html);
        // Plain-text summary: no script/style text, no markup.
        assert_eq!(r.summary_html, "click v");
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
    fn byte_scan_agrees_with_is_feed_char_on_every_code_point() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let text = format!("ab{c}cd");
            let found = find_non_feed_char(&text);
            assert_eq!(found.is_some(), !is_feed_char(c), "U+{:04X}", c as u32);
            if found.is_some() {
                assert_eq!(found, Some(2), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn feed_chars_exclude_what_validators_flag() {
        for bad in [
            '\u{0}',
            '\u{8}',
            '\u{7F}',
            '\u{80}',
            '\u{9F}',
            '\u{FDD0}',
            '\u{FFFD}',
            '\u{FFFE}',
            '\u{1FFFF}',
        ] {
            assert!(!is_feed_char(bad), "{:04X}", bad as u32);
        }
        for good in [
            '\t',
            '\n',
            'a',
            '\u{A0}',
            '€',
            '\u{FFFC}',
            '😀',
            '\u{10FFFD}',
        ] {
            assert!(is_feed_char(good), "{:04X}", good as u32);
        }
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
    fn strip_non_feed_chars_borrows_when_clean() {
        assert!(matches!(
            strip_non_feed_chars("ok\tfine\r\n✓"),
            Cow::Borrowed(_)
        ));
        assert_eq!(strip_non_feed_chars("a\u{1}\u{FFFF}b"), "ab");
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
    fn more_marker_in_code_block_ignored() {
        let r = md("First para.\n\n```\n<!-- more -->\n```\n\nLast.\n");
        // No split: the automatic summary takes both paragraphs.
        assert_eq!(r.summary_html, "First para. Last.");
        assert!(
            r.content_html.contains("&lt;!-- more --&gt;"),
            "{}",
            r.content_html
        );
    }

    #[test]
    fn empty_more_part_falls_back() {
        let r = md("<!-- more -->\n\nOnly text.\n");
        assert_eq!(r.summary_html, "Only text.");
    }

    #[test]
    fn auto_summary_cut_at_word_boundary() {
        let body = "# Title\n\nThe quick brown fox jumps over the lazy dog & friends.\n\n```\ncode here\n```\n";
        let r = render_body(body, BodyKind::Markdown, None, &base(), "h", 22);
        assert_eq!(r.summary_html, "The quick brown fox…");
        let r = render_body(body, BodyKind::Markdown, None, &base(), "h", 300);
        assert_eq!(
            r.summary_html,
            "The quick brown fox jumps over the lazy dog &amp; friends."
        );
        assert!(!r.summary_html.contains('<'));
    }

    #[test]
    fn auto_summary_multibyte() {
        let body = "Привет мир, это тест 😀😀 юникода и эмодзи 🎉 снова и снова.\n";
        for n in 1..80 {
            let r = render_body(body, BodyKind::Markdown, None, &base(), "h", n);
            let s = &r.summary_html;
            assert!(!s.is_empty());
            let text = s.trim_end_matches('…');
            assert!(text.chars().count() <= n, "{n}: {s}");
            assert!(body.contains(text), "{n}: {s}");
        }
        let r = render_body(body, BodyKind::Markdown, None, &base(), "h", 14);
        assert_eq!(r.summary_html, "Привет мир,…".replace(",…", "…"));
        let r = render_body("😀😀😀😀😀😀", BodyKind::Markdown, None, &base(), "h", 3);
        assert_eq!(r.summary_html, "😀😀😀…");
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

    #[test]
    fn auto_summary_never_splits_a_user_perceived_character() {
        let cut = |body: &str, n: usize| {
            render_body(body, BodyKind::Markdown, None, &base(), "h", n).summary_html
        };
        // A letter and its combining accent; a flag (two regional indicators); a family
        // emoji joined with U+200D: a hard cut backs off to before the whole cluster.
        assert_eq!(cut("abcde\u{301}fgh", 5), "abcd…");
        assert_eq!(cut("ab🇩🇪🇫🇷", 3), "ab…");
        assert_eq!(cut("ab🇩🇪🇫🇷", 4), "ab🇩🇪…");
        assert_eq!(cut("x👨\u{200D}👩\u{200D}👧y", 3), "x…");
        // CJK text breaks between any two ideographs, even after an earlier space.
        assert_eq!(cut("Rust 是一种系统编程语言", 9), "Rust 是一种系…");
        // Latin text still backs up to the last space.
        assert_eq!(cut("one two three", 10), "one two…");
    }

    #[test]
    fn auto_summary_accumulates_paragraphs_and_skips_noise() {
        let body = "Short one.\n\n![alt text](a.png)\n\n| t |\n|---|\n| cell |\n\nSecond <b>para</b> with `code`[^1].\n\n[^1]: Footnote text.\n";
        let r = md(body);
        assert_eq!(r.summary_html, "Short one. Second para with code.");
        // Exactly at the limit: no ellipsis.
        let r = render_body(
            "Exactly ten\n\nMore text.\n",
            BodyKind::Markdown,
            None,
            &base(),
            "h",
            11,
        );
        assert_eq!(r.summary_html, "Exactly ten");
    }

    #[test]
    fn short_body_no_ellipsis_and_empty_body() {
        assert_eq!(md("Tiny.\n").summary_html, "Tiny.");
        let r = md("");
        assert_eq!(r.summary_html, "");
        assert_eq!(r.content_html, "");
        // Body with no paragraphs still gets a summary.
        assert_eq!(md("# Only a heading\n").summary_html, "Only a heading");
    }

    #[test]
    fn auto_summary_reads_raw_html_paragraphs_in_document_order() {
        // A WordPress block-editor export: every paragraph is raw HTML.
        let gutenberg = "<!-- wp:paragraph -->\n<p>The first paragraph of a block-editor post.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>And a second one.</p>\n<!-- /wp:paragraph -->\n";
        assert_eq!(
            md(gutenberg).summary_html,
            "The first paragraph of a block-editor post. And a second one."
        );
        // Raw and Markdown paragraphs mixed: document order.
        let mixed = "<p>Raw first.</p>\n\nMarkdown second.\n";
        assert_eq!(md(mixed).summary_html, "Raw first. Markdown second.");
        // Headings and list items count only when there are no paragraphs at all.
        assert_eq!(md("# Only\n\n- a list\n").summary_html, "Only a list");
    }

    #[test]
    fn auto_summary_of_a_whole_page_skips_its_furniture() {
        let page = "<nav><p>Home | About</p></nav><header><h1>Site</h1><p>Tagline</p></header>\n<article><h3>Repeated title</h3><figure><img src=\"a.png\"><figcaption>Caption</figcaption></figure><p>Le vrai contenu.</p></article><aside><p>Related</p></aside><footer><p>© 2024 Footer text</p></footer>";
        let r = render_body(page, BodyKind::Html, None, &base(), "h", 300);
        assert_eq!(r.summary_html, "Le vrai contenu.");
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

    fn html(body: &str) -> String {
        render_body(body, BodyKind::Html, None, &base(), "h", 300).content_html
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
    fn code_language_class_kept() {
        let r = md("```rust\nfn main() {}\n```\n");
        assert!(
            r.content_html.contains("<code class=\"language-rust\">"),
            "{}",
            r.content_html
        );
    }

    #[test]
    fn deterministic() {
        let body = "Hello[^n] https://x.org *y* ![i](i.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^n]: note\n";
        let a = md(body);
        let b = md(body);
        assert_eq!(a, b);
        let h1 = render_body(EVIL, BodyKind::Html, Some("s"), &base(), "p", 50);
        let h2 = render_body(EVIL, BodyKind::Html, Some("s"), &base(), "p", 50);
        assert_eq!(h1, h2);
    }

    #[test]
    fn task_lists_and_math_keep_what_was_written() {
        let r = md(
            "- [ ] todo\n- [x] done\n\n$$ f(x)\\, dx $$ and $a\\,b < c$, costs $5-$10 or \\$3\n",
        );
        let c = &r.content_html;
        assert!(
            c.contains("<li>☐ todo</li>") && c.contains("<li>☑ done</li>"),
            "{c}"
        );
        assert!(c.contains("$$ f(x)\\, dx $$ and $a\\,b &lt; c$"), "{c}");
        assert!(c.contains("costs $5-$10 or $3"), "{c}");
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

    #[test]
    fn other_renderers_footnotes_stay_out_of_summaries() {
        // Pandoc: a reference link and a footnotes section.
        let body = "<p>Opening prose<a href=\"#fn1\" class=\"footnote-ref\" id=\"fnref1\"><sup>1</sup></a> here.</p>\n<section class=\"footnotes footnotes-end-of-document\" role=\"doc-endnotes\"><hr><ol><li id=\"fn1\"><p>A Pandoc footnote.<a href=\"#fnref1\">↩︎</a></p></li></ol></section>";
        let r = render_body(body, BodyKind::Html, None, &base(), "h", 300);
        assert_eq!(r.summary_html, "Opening prose here.", "{}", r.content_html);
        assert!(
            r.content_html.contains("A Pandoc footnote."),
            "{}",
            r.content_html
        );
        // kramdown (Jekyll).
        let body = "<p>Jekyll prose.</p><div class=\"footnotes\" role=\"doc-endnotes\"><ol><li><p>Note.</p></li></ol></div>";
        let r = render_body(body, BodyKind::Html, None, &base(), "h", 300);
        assert_eq!(r.summary_html, "Jekyll prose.");
        // A link whose address names footnotes is still prose.
        let r = md("Read [the guide](https://example.com/footnote-guide) first.");
        assert_eq!(r.summary_html, "Read the guide first.");
    }

    #[test]
    fn docusaurus_truncate_marker_ends_the_summary() {
        let r = md("Simply add Markdown files.\n\n<!--truncate-->\n\n:::tip\nUse React.\n:::\n");
        assert!(
            r.summary_html.contains("Simply add Markdown files."),
            "{}",
            r.summary_html
        );
        assert!(!r.summary_html.contains("React"), "{}", r.summary_html);
    }

    #[test]
    fn mathml_keeps_its_text() {
        let c = html("<p>Euler: <math display=\"inline\"><msup><mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup><mo>+</mo><mn>1</mn><mo>=</mo><mn>0</mn></math>.</p>\n<math display=\"block\"><mfrac><mn>1</mn><mi>n</mi></mfrac></math><p>After.</p>");
        assert!(c.contains("<p>Euler: e<sup>iπ</sup> + 1 = 0.</p>"), "{c}");
        assert!(c.contains("1/n<p>After.</p>"), "{c}");
        let r = md("Inline <math><mi>x</mi><mo>&lt;</mo><mn>2</mn></math> in Markdown.");
        assert_eq!(r.summary_html, "Inline x &lt; 2 in Markdown.");
    }

    #[test]
    fn bold_labels_are_not_summary_prose() {
        let r = md("Episode 12 is about scaling.\n\n**Timestamps**\n\n- 00:00 Intro\n\n**Links:**\n\n[Site](https://example.com)\n\nMore prose here.\n");
        assert_eq!(
            r.summary_html,
            "Episode 12 is about scaling. More prose here."
        );
        // A bold label that is all the body has is still its summary.
        let r = md("**Only this**\n");
        assert_eq!(r.summary_html, "Only this");
        // A bold opening sentence inside prose stays.
        let r = md("**Breaking:** the bridge is open.\n");
        assert_eq!(r.summary_html, "Breaking: the bridge is open.");
    }

    #[test]
    fn photo_posts_are_summarized_by_their_image_description() {
        let r = md("![Sunset over the bay, &amp; boats](sunset.jpg)\n");
        assert_eq!(r.summary_html, "Sunset over the bay, &amp; boats");
        let r = md("![](a.jpg)\n\n![The second one](b.jpg)\n");
        assert_eq!(r.summary_html, "The second one");
        assert_eq!(md("![](a.jpg)\n").summary_html, "");
    }

    #[test]
    fn deep_nesting_is_flattened_text_kept_and_time_bounded() {
        let started = std::time::Instant::now();
        let deep = "- ".repeat(20_000) + "leaf";
        let r = md(&deep);
        assert!(r.content_html.contains("leaf"));
        assert!(r.content_html.matches("<ul>").count() <= MAX_NESTING);
        let divs = "<div>".repeat(20_000) + "inner" + &"</div>".repeat(20_000);
        let c = html(&divs);
        assert!(
            c.contains("inner") && c.matches("<div>").count() == MAX_NESTING,
            "{}",
            c.len()
        );
        assert_eq!(c.matches("<div>").count(), c.matches("</div>").count());
        // Unterminated tags: one pass, not one per `<`.
        let cut = "<div><iframe></iframe>".to_string() + &"<a ".repeat(30_000);
        html(&cut);
        let noscripts = "<noscript>".repeat(8_000) + "x";
        html(&noscripts);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        // Markup read differently by a careless scanner and by the parser.
        let n = 20_000;
        for (name, deep) in [
            ("self-closing", "<div/>".repeat(n)),
            (
                "mismatched end",
                format!("<span>{}</span>", "<div>".repeat(99)).repeat(n / 99),
            ),
            ("ruby", "<rt>".repeat(n) + &"<b>x</b>".repeat(n)),
            ("optgroup", "<optgroup>".repeat(n) + &"<b>x</b>".repeat(n)),
            ("comment", "<!----!>".to_string() + &"<div>".repeat(n)),
            ("svg style", "<svg><style>".to_string() + &"<div>".repeat(n)),
        ] {
            let limited = limit_nesting(&deep);
            let started = std::time::Instant::now();
            html(&deep);
            assert!(
                limited.len() < deep.len() && started.elapsed() < std::time::Duration::from_secs(3),
                "{name}: {:?}",
                started.elapsed()
            );
        }
        // Ordinary depth is untouched; optional end tags don't count.
        let many_p = "<p>para".repeat(500);
        assert_eq!(limit_nesting(&many_p), many_p.as_str());
        let lists = "<ul><li>a<ul><li>b</ul></ul>".repeat(200);
        assert_eq!(limit_nesting(&lists), lists.as_str());
    }

    #[test]
    fn table_rows_are_not_padded_to_the_header_width() {
        let header = "|h".repeat(2_000) + "|\n" + &"|-".repeat(2_000) + "|\n";
        let table = header + &"|x|\n".repeat(3_000);
        let r = md(&table);
        assert!(r.content_html.len() < 200_000, "{}", r.content_html.len());
        // Empty cells between others stay; alignment follows the column.
        let r = md("| a | b | c |\n|:--|:-:|--:|\n| 1 || 3 |\n| 4 |\n");
        let c = &r.content_html;
        assert!(
            c.contains(
                "<td align=\"left\">1</td><td align=\"center\"></td><td align=\"right\">3</td>"
            ),
            "{c}"
        );
        assert!(c.contains("<tr><td align=\"left\">4</td></tr>"), "{c}");
    }
}
