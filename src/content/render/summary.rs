//! The automatic summary: the plain text of a rendered body's prose — paragraphs and list
//! items, in document order — whitespace collapsed, cut at a word boundary (never inside a
//! user-perceived character) with `…`. Code, tables, footnotes, embeds, page furniture and
//! navigation (tables of contents, "skip to" links) stay out; short bold labels and lone
//! links are not prose.

use unicode_segmentation::UnicodeSegmentation;

use super::embeds::EMBED_CLASS;
use super::footnotes::FOOTNOTE_CLASS;
use crate::content::html::entities::unescape_basic;

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

/// The automatic summary of a rendered body: the text of its prose in document order —
/// paragraphs (`<p>`, however they were written: Markdown, or raw HTML as WordPress and
/// Ghost export it) and list items (a release note's lists of changes) — or all its text if
/// it has none. Code blocks, tables, footnotes, page furniture (`nav`, `header`, `footer`,
/// `aside`) and navigation (a list of lone links such as a table of contents, a "skip to"
/// line) never count; headings and captions only when there is no prose.
pub(super) fn auto_summary(content_html: &str, limit: usize) -> String {
    let mut prose = PlainText::new(limit);
    let mut any = PlainText::new(limit);
    html_text(content_html, &mut prose, &mut any);
    let text = prose.finish();
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

/// Feeds the text of sanitized HTML (as serialized by ammonia) into `prose` (text inside
/// `<p>` and `<li>`, but not labels or navigation: [`is_prose`]) and `any` (all text),
/// skipping what [`skipped_in_summaries`] names. Block tags separate words.
fn html_text(html: &str, prose: &mut PlainText, any: &mut PlainText) {
    // The element being skipped, and how many of the same name are open inside it.
    let mut skipping: Option<(String, usize)> = None;
    // The open paragraphs and list items, innermost last: whether each is prose.
    let mut blocks: Vec<bool> = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after_lt) = rest.strip_prefix('<') {
            let end = serialized_tag_end(after_lt);
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
            if name == "p" || name == "li" {
                if closing {
                    blocks.pop();
                } else {
                    blocks.push(is_prose(&name, rest));
                }
            }
            if is_block_tag(&name) {
                prose.paragraph_break();
                any.paragraph_break();
            }
            continue;
        }
        let text_end = rest.find('<').unwrap_or(rest.len());
        if skipping.is_none() {
            let text = unescape_basic(&rest[..text_end]);
            if blocks.last() == Some(&true) {
                prose.push_str(&text);
            }
            any.push_str(&text);
        }
        rest = &rest[text_end..];
    }
}

/// Where the tag whose text (after `<`) starts `after_lt` ends: its `>`, honouring quoted
/// attribute values (the serializer leaves `>` unescaped inside them).
fn serialized_tag_end(after_lt: &str) -> usize {
    let mut in_quote = false;
    for (i, b) in after_lt.bytes().enumerate() {
        match b {
            b'"' => in_quote = !in_quote,
            b'>' if !in_quote => return i,
            _ => {}
        }
    }
    after_lt.len()
}

/// Whether the paragraph or list item (`name`) whose content starts `rest` is prose: some
/// word ([`has_word`]), not only a short bold label or a lone link (`<strong>Timestamps</strong></p>`,
/// `<a href=…>Our site</a></p>`: show notes and newsletters use them as headings and link
/// lists; a list item that is one link is a table of contents' entry, or a download), and
/// not a "skip to"/"jump to" line.
fn is_prose(name: &str, rest: &str) -> bool {
    // A list item's own content ends where it closes or where its sub-list starts.
    let ends: &[&str] = if name == "li" {
        &["</li>", "<ul", "<ol"]
    } else {
        &["</p>"]
    };
    // The first tag that ends it: not `find` for each, which would run to the end of a long
    // list for every item that has no sub-list.
    let Some(end) = rest
        .match_indices('<')
        .map(|(i, _)| i)
        .find(|&i| ends.iter().any(|e| rest[i..].starts_with(e)))
    else {
        return true;
    };
    let mut content = rest[..end].trim();
    // A loose list's item holds a paragraph.
    if let Some(inner) = content.strip_prefix("<p>") {
        content = inner.strip_suffix("</p>").unwrap_or(inner).trim();
    }
    has_word(content) && !(is_label(content, name == "li") || is_skip_link(content))
}

/// Whether serialized HTML has a letter or digit in its text (not in tags or character
/// references): a block of only symbols (`<>` left by a template whose link target was
/// empty, `* * *`) is no prose.
fn has_word(html: &str) -> bool {
    let mut in_tag = false;
    let mut in_reference = false;
    html.chars().any(|c| {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            '&' if !in_tag => in_reference = true,
            ';' if in_reference => in_reference = false,
            c if !in_tag && !in_reference => return c.is_alphanumeric(),
            c if in_reference && !c.is_ascii_alphanumeric() && c != '#' => in_reference = false,
            _ => {}
        }
        false
    })
}

/// Whether `content` is only one bold run or one link (at most 80 characters of text, or
/// any length for a link when `any_link`), with no other markup inside. A bold sentence
/// (ending `.`, `!`, `?` or their CJK forms) is the post's opening line, not a label.
fn is_label(content: &str, any_link: bool) -> bool {
    ["strong", "b", "a"].iter().any(|tag| {
        content
            .strip_prefix('<')
            .and_then(|c| c.strip_prefix(tag))
            .filter(|c| c.starts_with(['>', ' ']))
            .and_then(|c| c.split_once('>'))
            .and_then(|(_, c)| c.strip_suffix(&format!("</{tag}>")))
            .is_some_and(|label| {
                let sentence = *tag != "a"
                    && label
                        .trim_end()
                        .ends_with(['.', '!', '?', '\u{3002}', '\u{FF01}', '\u{FF1F}']);
                !label.contains('<')
                    && !sentence
                    && ((any_link && *tag == "a") || label.chars().count() <= 80)
            })
    })
}

/// "Skip to the downloads", "Jump to section": a line that moves the reader, holding a link.
fn is_skip_link(content: &str) -> bool {
    let start: String = content.chars().take(8).collect::<String>().to_lowercase();
    (start.starts_with("skip to") || start.starts_with("jump to")) && content.contains("<a ")
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

/// Whether sanitized HTML shows anything (text or an image).
pub(super) fn html_has_text(html: &str) -> bool {
    if html.contains("<img") {
        return true;
    }
    let mut prose = PlainText::new(1);
    let mut any = PlainText::new(1);
    html_text(html, &mut prose, &mut any);
    !any.buf.is_empty() || any.overflow
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{base, md};
    use super::super::{render_body, BodyKind};

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
        // Headings count only when there is no prose at all; list items are prose.
        assert_eq!(md("# Only\n\n- a list\n").summary_html, "a list");
        assert_eq!(md("# Only\n\n## Heads\n").summary_html, "Only Heads");
    }

    #[test]
    fn auto_summary_of_a_whole_page_skips_its_furniture() {
        let page = "<nav><p>Home | About</p></nav><header><h1>Site</h1><p>Tagline</p></header>\n<article><h3>Repeated title</h3><figure><img src=\"a.png\"><figcaption>Caption</figcaption></figure><p>Le vrai contenu.</p></article><aside><p>Related</p></aside><footer><p>© 2024 Footer text</p></footer>";
        let r = render_body(page, BodyKind::Html, None, &base(), "h", 300);
        assert_eq!(r.summary_html, "Le vrai contenu.");
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
    fn bold_labels_are_not_summary_prose() {
        let r = md("Episode 12 is about scaling.\n\n**Timestamps**\n\n- 00:00 Intro\n\n**Links:**\n\n[Site](https://example.com)\n\n- [Other site](https://example.org)\n\nMore prose here.\n");
        assert_eq!(
            r.summary_html,
            "Episode 12 is about scaling. 00:00 Intro More prose here."
        );
        // A bold label that is all the body has is still its summary.
        let r = md("**Only this**\n");
        assert_eq!(r.summary_html, "Only this");
        // A bold sentence is prose, however short.
        let r = md("**Tables are plural, models singular.**\n\n1. Files use underscores.\n");
        assert_eq!(
            r.summary_html,
            "Tables are plural, models singular. Files use underscores."
        );
        // A bold opening sentence inside prose stays.
        let r = md("**Breaking:** the bridge is open.\n");
        assert_eq!(r.summary_html, "Breaking: the bridge is open.");
    }

    #[test]
    fn release_notes_are_summarized_from_their_first_list_not_the_downloads() {
        let body = "## What is new\n\n* A faster parser for `yaml` files.\n* Error messages name\n  the line.\n\n## Fixed\n\n1. A crash on empty input.\n\n## Download\n\n* <https://example.com/tool-1.2.tar.gz>\n\n      SIZE: 1234\n      SHA256: abcd\n\n* [tool-1.2.zip](https://example.com/tool-1.2.zip)\n";
        let r = md(body);
        assert_eq!(
            r.summary_html,
            "A faster parser for yaml files. Error messages name the line. A crash on empty input."
        );
        // The limit and the word-boundary cut hold across list items.
        let r = render_body(body, BodyKind::Markdown, None, &base(), "h", 40);
        assert_eq!(r.summary_html, "A faster parser for yaml files. Error…");
        // A list before the first paragraph comes first: document order.
        let r = md("- First point.\n- Second point.\n\nThen prose.\n");
        assert_eq!(r.summary_html, "First point. Second point. Then prose.");
        // Loose lists (items holding paragraphs) and nested lists alike.
        let r = md("- Outer one.\n\n  - Inner one.\n\n- Outer two.\n");
        assert_eq!(r.summary_html, "Outer one. Inner one. Outer two.");
    }

    #[test]
    fn navigation_stays_out_of_summaries() {
        // A hand-written table of contents, nested, before the prose.
        let body = "Contents:\n\n- [Intro](#intro)\n  - [Setup](#setup)\n- [Usage](#usage)\n\nSkip to [the downloads](#downloads).\n\n## Intro\n\nThe real opening.\n";
        assert_eq!(md(body).summary_html, "Contents: The real opening.");
        let r = md("Jump to [the end](#end)\n\n* [Only a link](https://example.com/a)\n\nProse.\n");
        assert_eq!(r.summary_html, "Prose.");
        // A list item with a link inside a sentence is prose.
        let r = md("- See [the guide](https://example.com/g) for more.\n");
        assert_eq!(r.summary_html, "See the guide for more.");
        // Still never code, tables or footnotes inside list items.
        let r = md("- Item[^1] with `code`.\n\n  ```\n  block\n  ```\n\n| a |\n|---|\n| b |\n\n[^1]: Note.\n");
        assert_eq!(r.summary_html, "Item with code.");
        // Symbols only (a template's empty link target, a divider) are not prose.
        let r = md("* <>\n\n  SIZE: 10\n\n\\* \\* \\*\n\nProse &amp; more.\n");
        assert_eq!(r.summary_html, "SIZE: 10 Prose &amp; more.");
        // A page of links only keeps its text as the fallback.
        assert_eq!(md("- [A](#a)\n- [B](#b)\n").summary_html, "A B");
    }

    #[test]
    fn photo_posts_are_summarized_by_their_image_description() {
        let r = md("![Sunset over the bay, &amp; boats](sunset.jpg)\n");
        assert_eq!(r.summary_html, "Sunset over the bay, &amp; boats");
        let r = md("![](a.jpg)\n\n![The second one](b.jpg)\n");
        assert_eq!(r.summary_html, "The second one");
        assert_eq!(md("![](a.jpg)\n").summary_html, "");
    }
}
