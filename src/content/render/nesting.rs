//! The nesting guard: elements nested deeper than html5ever parses in reasonable time lose
//! their tags (never their text) before sanitizing.

use std::borrow::Cow;

use crate::content::html::scan::{find_ascii_ci, next_tag, RAW_TEXT_ELEMENTS};

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

/// Drops the start and end tags of elements nested deeper than [`MAX_NESTING`] (see there).
/// Only tags are removed, never text; the sanitizer still sees everything that is left.
/// Where this reading of the markup and the parser's may differ, it errs towards counting
/// more depth than the parser builds (which only drops tags), never less.
/// At most how many start tags of elements that [`nests`] the scan below can find: every
/// `<` and a letter, unless the name after it is one of those that do not nest (read as
/// [`parse_tag`] reads it, without allocating; a name that does not fit the buffer counts).
/// With no more than [`MAX_NESTING`] of them nothing can be too deep.
///
/// [`parse_tag`]: crate::content::html::scan::parse_tag
fn start_tags_that_may_nest(html: &str) -> usize {
    let bytes = html.as_bytes();
    let mut count = 0;
    let mut at = 0;
    // `str::find` for the `<`: a word-at-a-time search, not a byte loop.
    while let Some(found) = html.get(at..).and_then(|rest| rest.find('<')) {
        let name_at = at + found + 1;
        at = name_at;
        if !bytes.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let mut name = [0u8; 8];
        // Read no further than one byte past the buffer: `<a<a<a…` has one long name.
        let len = bytes[name_at..]
            .iter()
            .take(name.len() + 1)
            .position(|b| matches!(b, b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | 0x0C))
            .unwrap_or(bytes.len() - name_at);
        let counts = match name.get_mut(..len) {
            Some(buffer) => {
                buffer.copy_from_slice(&bytes[name_at..name_at + len]);
                buffer.make_ascii_lowercase();
                std::str::from_utf8(buffer).map_or(true, nests)
            }
            None => true,
        };
        count += usize::from(counts);
    }
    count
}

pub(super) fn limit_nesting(html: &str) -> Cow<'_, str> {
    // Cheap bound first: fewer tags than the limit cannot nest that deep.
    if start_tags_that_may_nest(html) <= MAX_NESTING {
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

#[cfg(test)]
mod tests {
    use super::super::test_support::{html, md};
    use super::*;

    #[test]
    fn start_tags_that_may_nest_are_counted_without_those_that_cannot() {
        assert_eq!(
            start_tags_that_may_nest("<p><B>x</b><LI><br/><img src=x>"),
            1
        );
        assert_eq!(
            start_tags_that_may_nest("<blockquote><verylongname>< a <!-- -->"),
            2
        );
        assert_eq!(start_tags_that_may_nest("<a<a<a"), 3);
        assert_eq!(start_tags_that_may_nest("<p\n<td>"), 0);
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
}
