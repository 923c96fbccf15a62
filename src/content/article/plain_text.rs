//! Titles and explicit summaries as plain text: HTML tags written by WordPress or Jekyll
//! exports dropped, character references decoded, whitespace collapsed.

use crate::content::html::{entities, scan};
use crate::xml_chars;

/// Inline HTML elements that authors put in titles and summaries (`<em>async</em> Rust`).
const TITLE_MARKUP: &[&str] = &[
    "a", "abbr", "b", "bdi", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var",
];

/// Titles and explicit summaries are plain text in every feed, but WordPress and Jekyll
/// exports write them as HTML. Text that closes an inline HTML element was written as
/// markup: keep its text, drop the tags. Anything else (`Using <div> in templates`) is
/// literal text and keeps its brackets. Then every well-formed character reference
/// (`&#8217;`, `&#x2019;`, `&hellip;`) is decoded, as a browser would show it; a bare `&`
/// (`AT&T`) or an unknown name (`&bogus;`) stays as written.
pub(super) fn plain_text(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let is_markup = TITLE_MARKUP
        .iter()
        .any(|tag| lower.contains(&format!("</{tag}>")));
    let stripped = if is_markup {
        strip_tags(text)
    } else {
        text.to_string()
    };
    let decoded = decode_references(&stripped);
    collapse_whitespace(&decoded)
}

/// Every HTML element name, for titles written as markup: their tags go, and any other
/// `<` stays as written.
const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "bdi",
    "bdo",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "map",
    "mark",
    "menu",
    "meta",
    "meter",
    "nav",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "pre",
    "progress",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// Removes the tags of HTML elements (`<em>`, `</em>`, `<a href=…>`, `<script>`); any other
/// `<` stays as written, so `Using <em>Option<T></em>` keeps its `<T>`. (Literal HTML end
/// tags left in a title would make validators warn that it holds HTML.)
///
/// Each `<` is read as a tag up to its end, so `<a <a <a …` with no `>` would read the rest
/// of the text once per `<` (100 KB took a minute): past a budget of a few times the text's
/// length, the rest stays as written.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut copied = 0;
    let mut budget = html.len().saturating_mul(4).saturating_add(4096);
    for (start, _) in html.match_indices('<') {
        if start < copied {
            continue;
        }
        let parsed = scan::parse_tag(html, start);
        let name_at = start + 1 + usize::from(html.as_bytes().get(start + 1) == Some(&b'/'));
        let read = match &parsed {
            Some(tag) => tag.end - start,
            // A name: it was read as a tag to the end of the text.
            None if html
                .as_bytes()
                .get(name_at)
                .is_some_and(u8::is_ascii_alphabetic) =>
            {
                html.len() - start
            }
            None => 1,
        };
        budget = match budget.checked_sub(read) {
            Some(left) => left,
            None => break,
        };
        let Some(tag) = parsed else {
            continue;
        };
        if HTML_ELEMENTS.contains(&tag.name.as_str()) {
            text.push_str(&html[copied..start]);
            copied = tag.end;
        }
    }
    text.push_str(&html[copied..]);
    text
}

/// Decodes HTML character references (numeric and the HTML5 named ones). A reference to a
/// C1 control (`&#150;`) means its Windows-1252 character, as in browsers and in the body;
/// what no feed may carry is dropped, since the file-level clean-up ran before decoding.
fn decode_references(text: &str) -> String {
    let text = drop_unusable_references(text);
    entities::as_browsers_read_references(html_escape::decode_html_entities(&text).into_owned())
}

/// Removes numeric references to what is no character at all (`&#0;`, `&#xD800;`,
/// `&#x110000;`) or none a feed may carry (`&#1;`): the decoder leaves some as written, and
/// `&#0;` would then reach the feed as text that validators read as undeclared HTML.
fn drop_unusable_references(text: &str) -> std::borrow::Cow<'_, str> {
    let unusable = |reference: &str| {
        let number = reference.trim_start_matches("&#").trim_end_matches(';');
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => number.parse(),
        };
        // Too long for a u32 is past U+10FFFF too.
        // C1 controls (`&#150;`) are read as Windows-1252 characters afterwards.
        value.map_or(true, |v| {
            char::from_u32(v)
                .is_none_or(|c| !xml_chars::is_feed_char(c) && !(0x80..=0x9F).contains(&v))
        })
    };
    let mut out = String::new();
    let mut copied = 0;
    for (at, _) in text.match_indices("&#") {
        if at < copied {
            continue;
        }
        let rest = &text[at + 2..];
        let digits = rest.strip_prefix(['x', 'X']).map_or_else(
            || rest.bytes().take_while(u8::is_ascii_digit).count(),
            |hex| 1 + hex.bytes().take_while(u8::is_ascii_hexdigit).count(),
        );
        let has_digits = digits > usize::from(rest.starts_with(['x', 'X']));
        if !has_digits || !rest[digits..].starts_with(';') {
            continue;
        }
        let end = at + 2 + digits + 1;
        if unusable(&text[at..end]) {
            out.push_str(&text[copied..at]);
            copied = end;
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Collapses runs of whitespace to one space. No-break spaces (`&nbsp;`, U+202F) are the
/// author's choice of where a line must not break, so they stay.
fn collapse_whitespace(text: &str) -> String {
    let breaking = |c: char| c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}');
    text.split(breaking)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_markup_becomes_text_but_literal_brackets_stay() {
        assert_eq!(
            plain_text("Why <em>async</em> is &amp; hard"),
            "Why async is & hard"
        );
        assert_eq!(
            plain_text("Using <div> in templates"),
            "Using <div> in templates"
        );
        assert_eq!(plain_text("a < b & c"), "a < b & c");
        assert_eq!(plain_text("<b>Bold</b> <unclosed"), "Bold <unclosed");
        // Markup is recognised element by element: other brackets stay as written.
        assert_eq!(
            plain_text("Using <em>Option<T></em> in Rust"),
            "Using Option<T> in Rust"
        );
        assert_eq!(
            plain_text("<B>bold</b> and <a href=\"/x\">Vec<u8></a>, <span/>Parsing <T>"),
            "bold and Vec<u8>, Parsing <T>"
        );
        assert_eq!(plain_text("<emphasis>x</em>"), "<emphasis>x");
        assert_eq!(plain_text("<a href=\"/a>b\">Link</a>"), "Link");
        assert_eq!(
            plain_text("<b>b</b> <script>alert(1)</script> <T>"),
            "b alert(1) <T>"
        );
    }

    #[test]
    fn references_to_no_character_are_dropped() {
        assert_eq!(
            plain_text("Entities &#150; &#0; &#xD800; &#x110000; &#99999999999; &bogus; &hellip;"),
            "Entities \u{2013} &bogus; \u{2026}"
        );
        assert_eq!(plain_text("a&#1;b &#xD800;c"), "ab c");
        assert_eq!(plain_text("&#x; &#; &#12"), "&#x; &#; &#12");
    }

    #[test]
    fn character_references_in_titles_are_decoded() {
        assert_eq!(
            plain_text("Don&#8217;t Panic: Bread &amp; Butter"),
            "Don\u{2019}t Panic: Bread & Butter"
        );
        assert_eq!(
            plain_text("&#x2019;hex&#X2019; &hellip; &mdash; caf&eacute; &quot;q&quot;"),
            "\u{2019}hex\u{2019} \u{2026} \u{2014} caf\u{e9} \"q\""
        );
        // No-break spaces are kept; other whitespace collapses.
        assert_eq!(plain_text("10&nbsp;km  \n away"), "10\u{a0}km away");
        // Not references: kept as written.
        for literal in ["AT&T", "a & b", "&bogus; &amp &#; &#xZZ;"] {
            assert_eq!(plain_text(literal), literal);
        }
        // Decoded once: an escaped reference stays a reference, as text.
        assert_eq!(plain_text("&amp;amp; &amp;lt;b&amp;gt;"), "&amp; &lt;b&gt;");
        assert_eq!(plain_text("&lt;b&gt;x&lt;/b&gt;"), "<b>x</b>");
        // A C1 reference is its Windows-1252 character; no control reaches the text.
        assert_eq!(plain_text("a&#150;b&#129;c&#x85;"), "a\u{2013}bc\u{2026}");
        assert_eq!(plain_text("x&#xFFFE;&#xFDD0;y"), "xy");
    }
}
