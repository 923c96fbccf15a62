//! Long text cut into pieces for the serializer. html5ever's serializer (behind ammonia)
//! finds the next character to escape (`&`, a U+0080–U+00BF character) by first searching
//! for the next `<` or `>` and then searching again from just past the character it escaped,
//! so one text node with many of them and no `<` or `>` costs its length times their number:
//! a 1 MiB body of `&#` took 4.5 s in a debug build, 4 MiB took 141 s in a release one.
//!
//! An empty comment every [`MAX_TEXT_RUN`] bytes of text ends the parser's text node there;
//! the sanitizer drops the comment and keeps the two nodes apart, so the serializer sees
//! short nodes and writes the very same bytes. Comments go only where the tokenizer is
//! reading text: not inside a tag, a comment, a raw-text element or a character reference,
//! and never next to text that is only whitespace (in a table, the parser keeps that in the
//! table while it moves other text before it). The text of the raw-text elements the
//! sanitizer drops while keeping their text (`<textarea>`, `<xmp>`, …) is cut by ending and
//! reopening the element, and a `<![CDATA[` section in `<svg>` by ending and reopening it
//! around a comment; the text after a `<plaintext>` (which nothing ends) goes into `<xmp>`
//! elements that can be reopened ([`write_plaintext`]).

use std::borrow::Cow;

use crate::content::html::scan::{comment_end, find_ascii_ci, parse_tag, RAW_TEXT_ELEMENTS};

/// Bytes of text without `<` or `>` after which a comment ends the text node.
const MAX_TEXT_RUN: usize = 1024;

/// What is inserted to end a text node.
const SPLIT: &str = "<!---->";

/// `html` with an empty comment inserted into each stretch of text longer than
/// [`MAX_TEXT_RUN`] (see the module doc). Borrows when no stretch is that long.
pub(super) fn split_long_text(html: &str) -> Cow<'_, str> {
    if !has_text_longer_than(html.as_bytes(), MAX_TEXT_RUN) {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + html.len() / 64);
    let mut text = TextRun::default();
    // Inside `<svg>` or `<math>`, where `<textarea>` is no raw-text element and `<![CDATA[`
    // holds text.
    let mut foreign = 0usize;
    let mut at = 0;
    while at < html.len() {
        let lt = html[at..].find('<').map_or(html.len(), |i| at + i);
        text.copy(&html[at..lt], &mut out, SPLIT);
        if lt == html.len() {
            break;
        }
        at = match markup(html, lt, foreign > 0) {
            // A `<` in text: the serializer stops there too.
            Markup::Text => {
                out.push('<');
                text.stop();
                lt + 1
            }
            Markup::Comment(end) => {
                out.push_str(&html[lt..end]);
                // A comment ends the text node.
                text.stop();
                end
            }
            Markup::Tag { end, name, closing } => {
                out.push_str(&html[lt..end]);
                foreign = foreign_depth(foreign, &name, closing, &html[..end]);
                end
            }
            Markup::Plaintext(start_end) => {
                write_plaintext(&html[start_end..], &mut out);
                html.len()
            }
            Markup::RawText {
                start_end,
                end,
                reopen,
            } => {
                out.push_str(&html[lt..start_end]);
                let content = &html[start_end..end];
                match reopen {
                    Some(split) => {
                        let mut raw = TextRun {
                            whitespace_splits: false,
                            ..TextRun::default()
                        };
                        raw.copy(content, &mut out, &split);
                    }
                    None => out.push_str(content),
                }
                end
            }
        };
    }
    Cow::Owned(out)
}

/// Bytes [`has_text_longer_than`] looks at together.
const BLOCK: usize = 32;
const _: () = assert!(BLOCK <= MAX_TEXT_RUN);

/// Whether `html` has more than `max` (at least [`BLOCK`]) bytes in a row without `<` or
/// `>`. Runs inside a block are shorter than that: only the runs between blocks are
/// measured, and a block is first checked whole by a loop without branches, which the
/// compiler vectorizes.
fn has_text_longer_than(html: &[u8], max: usize) -> bool {
    let bracket = |b: u8| (b == b'<') | (b == b'>');
    // Where the run that reaches the current block starts.
    let mut run_start = 0;
    for (n, block) in html.chunks(BLOCK).enumerate() {
        if !block.iter().fold(false, |any, &b| any | bracket(b)) {
            continue;
        }
        let at = n * BLOCK;
        let first = block.iter().position(|&b| bracket(b)).unwrap_or(0);
        if at + first - run_start > max {
            return true;
        }
        let last = block.iter().rposition(|&b| bracket(b)).unwrap_or(0);
        run_start = at + last + 1;
    }
    html.len() - run_start > max
}

/// What starts at a `<`.
pub(super) enum Markup {
    /// `<plaintext>`, ending at `.0`: all after it is text.
    Plaintext(usize),
    /// A `<` in text.
    Text,
    /// A comment, or what reads as one (`<!x>`, `<?x>`, `</ x>`), ending at `.0`.
    Comment(usize),
    Tag {
        end: usize,
        name: String,
        closing: bool,
    },
    /// An element whose content is text, up to its end tag at `end` (or the end of the input);
    /// `reopen` is what may split that text: for the elements the sanitizer drops and whose
    /// text it keeps, their end and start tags (`</xmp><xmp>`), or `]]><!----><![CDATA[`.
    RawText {
        start_end: usize,
        end: usize,
        reopen: Option<String>,
    },
}

/// Raw-text elements whose element the sanitizer drops while keeping their text: cutting them
/// in two changes nothing in the output. (`<noscript>` is raw text to the parser, which runs
/// with scripting on; those the rewrite did not unwrap reach here.)
const REOPENED: &[&str] = &["textarea", "xmp", "noembed", "noframes", "noscript"];

/// What the markup starting at the `<` at `lt` is, and where it ends.
/// How deep inside foreign content (`<svg>`, `<math>`, where CDATA sections exist) the scan
/// is after the tag `name` that `upto_tag_end` ends with; a self-closing one opens nothing.
pub(super) fn foreign_depth(depth: usize, name: &str, closing: bool, upto_tag_end: &str) -> usize {
    if name != "svg" && name != "math" {
        depth
    } else if closing {
        depth.saturating_sub(1)
    } else {
        depth + usize::from(!upto_tag_end.ends_with("/>"))
    }
}

pub(super) fn markup(html: &str, lt: usize, foreign: bool) -> Markup {
    let rest = &html[lt..];
    let to_gt = |from: usize| html[from..].find('>').map_or(html.len(), |i| from + i + 1);
    if rest.starts_with("<!--") {
        return Markup::Comment(comment_end(html, lt));
    }
    if foreign && rest.starts_with("<![CDATA[") {
        let start_end = lt + "<![CDATA[".len();
        let close = html[start_end..].find("]]>").map(|i| start_end + i);
        // Without a `>` inside, it ends at `]]>` also where it reads as a bogus comment
        // (a tag may have ended the `<svg>`): cut into two, it reads the same either way.
        let reopen = close
            .filter(|&c| !html[start_end..c].contains('>'))
            // The comment keeps the two sections' text apart (they would make one node).
            .map(|_| "]]><!----><![CDATA[".to_string());
        return Markup::RawText {
            start_end,
            end: close.map_or(html.len(), |c| c + 3),
            reopen,
        };
    }
    let next = rest.as_bytes().get(1).copied();
    let after_slash = rest.as_bytes().get(2).copied();
    match next {
        Some(b'!' | b'?') => Markup::Comment(to_gt(lt + 1)),
        Some(b'/') if !after_slash.is_some_and(|b| b.is_ascii_alphabetic()) => match after_slash {
            // `</>` is dropped; `</ x>` is a bogus comment; `</` at the end is text.
            Some(_) => Markup::Comment(to_gt(lt + 2)),
            None => Markup::Text,
        },
        Some(b) if b.is_ascii_alphabetic() || b == b'/' => match parse_tag(html, lt) {
            // Cut off by the end of the input: the tokenizer reads the rest as that tag.
            None => Markup::Comment(html.len()),
            Some(tag) if tag.closing => Markup::Tag {
                end: tag.end,
                name: tag.name,
                closing: tag.closing,
            },
            Some(tag) if tag.name == "plaintext" && !foreign => Markup::Plaintext(tag.end),
            Some(tag) if tag.name == "plaintext" => Markup::RawText {
                start_end: tag.end,
                end: html.len(),
                reopen: None,
            },
            Some(tag)
                if RAW_TEXT_ELEMENTS.contains(&tag.name.as_str()) || tag.name == "noscript" =>
            {
                // In `<svg>` its content is markup, not text; it is left as written either
                // way (a tag there may also have ended the `<svg>`).
                let close = raw_text_end(html, &tag.name, tag.end);
                let reopen = (!foreign && REOPENED.contains(&tag.name.as_str()))
                    .then(|| format!("</{0}><{0}>", tag.name));
                Markup::RawText {
                    start_end: tag.end,
                    end: close.unwrap_or(html.len()),
                    reopen,
                }
            }
            Some(tag) => Markup::Tag {
                end: tag.end,
                name: tag.name,
                closing: false,
            },
        },
        _ => Markup::Text,
    }
}

/// The text after a `<plaintext>` (to the end of the input, which nothing else ends) as
/// `<xmp>` elements cut every [`MAX_TEXT_RUN`] bytes: the parser treats an `<xmp>` as it does
/// a `<plaintext>` (an open `<p>` closed, formatting elements reopened, the text raw), and
/// the sanitizer drops both and keeps the text. A `</xmp` in the text is cut after its `<`.
fn write_plaintext(text: &str, out: &mut String) {
    const REOPEN: &str = "</xmp><xmp>";
    out.push_str("<xmp>");
    let mut raw = TextRun {
        whitespace_splits: false,
        ..TextRun::default()
    };
    let mut at = 0;
    while let Some(end_tag) = find_ascii_ci(text, "</xmp", at) {
        raw.copy(&text[at..=end_tag], out, REOPEN);
        out.push_str(REOPEN);
        at = end_tag + 1;
    }
    raw.copy(&text[at..], out, REOPEN);
}

/// Where the end tag of the raw-text element `name` starts: `</name` followed by whitespace,
/// `/` or `>` (a tokenizer reads `</namex` as text).
fn raw_text_end(html: &str, name: &str, from: usize) -> Option<usize> {
    let end_tag = format!("</{name}");
    let mut at = from;
    loop {
        let found = find_ascii_ci(html, &end_tag, at)?;
        let after = html.as_bytes().get(found + end_tag.len());
        if matches!(
            after,
            Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0C | b'/' | b'>')
        ) {
            return Some(found);
        }
        at = found + 1;
    }
}

/// The text copied since the last place the serializer stops searching.
struct TextRun {
    /// Bytes since the last `<`, `>` or comment.
    length: usize,
    /// Inside a character reference (`&` and the name or number after it), where no comment
    /// may go, and how long it is so far.
    reference: Option<usize>,
    numeric: bool,
    /// Some character other than whitespace since the last comment or markup.
    has_text: bool,
    /// Whether a split may go before whitespace: not in raw text, where a reopened
    /// `<textarea>` would drop a newline right after it.
    whitespace_splits: bool,
}

impl Default for TextRun {
    fn default() -> Self {
        Self {
            length: 0,
            reference: None,
            numeric: false,
            has_text: false,
            whitespace_splits: true,
        }
    }
}

/// Longer than any named reference (`&CounterClockwiseContourIntegral;`): past this the
/// tokenizer reads the letters as text.
const MAX_NAMED_REFERENCE: usize = 40;

impl TextRun {
    fn stop(&mut self) {
        self.length = 0;
    }

    /// Copies a stretch of text (no `<` in it; markup before it), with a comment where the
    /// run gets too long.
    fn copy(&mut self, text: &str, out: &mut String, split: &str) {
        self.reference = None;
        self.has_text = false;
        if self.length + text.len() <= MAX_TEXT_RUN && !text.contains(['<', '>']) {
            self.length += text.len();
            out.push_str(text);
            return;
        }
        // A comment never leaves only whitespace after it (a table would keep that apart).
        let text_end = text
            .trim_end_matches(|c: char| c.is_ascii_whitespace())
            .len();
        let mut copied = 0;
        for (i, c) in text.char_indices() {
            self.length += c.len_utf8();
            if let Some(len) = self.reference {
                let named_too_long = !self.numeric && len > MAX_NAMED_REFERENCE;
                if c == ';' {
                    self.reference = None;
                    continue;
                }
                if (c.is_ascii_alphanumeric() || c == '#') && !named_too_long {
                    self.numeric |= len == 0 && c == '#';
                    self.reference = Some(len + 1);
                    continue;
                }
                self.reference = None;
            }
            let splits_here = self.whitespace_splits || !c.is_ascii_whitespace();
            if c == '<' || c == '>' {
                // The serializer's search stops here.
                self.length = 0;
            } else if self.length > MAX_TEXT_RUN && self.has_text && i < text_end && splits_here {
                out.push_str(&text[copied..i]);
                out.push_str(split);
                copied = i;
                self.length = c.len_utf8();
                self.has_text = false;
            }
            if c == '&' {
                self.reference = Some(0);
                self.numeric = false;
            }
            self.has_text |= !c.is_ascii_whitespace();
        }
        out.push_str(&text[copied..]);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_longer_than_is_the_longest_run_without_brackets() {
        let longest = |html: &[u8]| {
            html.split(|&b| b == b'<' || b == b'>')
                .map(<[u8]>::len)
                .max()
                .unwrap_or(0)
        };
        for html in [
            "".to_string(),
            "x".repeat(100),
            format!("{}<{}>{}", "a".repeat(31), "b".repeat(70), "c".repeat(33)),
            format!("<{}>", "a".repeat(64)),
            format!("{}<", "a".repeat(65)),
            "<>".repeat(50),
        ] {
            let html = html.as_bytes();
            for max in [32, 33, 63, 64, 65, 69, 70, 71, 100] {
                assert_eq!(
                    super::has_text_longer_than(html, max),
                    longest(html) > max,
                    "{max} {:?}",
                    std::str::from_utf8(html)
                );
            }
        }
    }

    use super::super::sanitize::with_ammonia;
    use super::super::test_support::{base, html};
    use super::*;

    #[test]
    fn long_text_is_split_only_between_characters_the_parser_reads_alike() {
        let text = "a&amp;b &#38;&notin; c\u{a0}©".repeat(200);
        let split = split_long_text(&text);
        assert!(split.matches(SPLIT).count() > 3, "{split}");
        // Nothing but comments was added, and each went before a whole reference or text.
        assert_eq!(split.replace(SPLIT, ""), text);
        // The sanitized output is the same with and without the comments.
        let sanitized = html(&format!("<p title=\"x\">{text}</p>"));
        assert_eq!(sanitized, format!("<p title=\"x\">{}</p>", html(&text)));
        // Tags, comments and raw text are left whole.
        let markup = format!(
            "<p title=\"{0}\">{0}<!-- {0} --><textarea>{0}</textarea><x {0}",
            "&amp;".repeat(400)
        );
        let split = split_long_text(&markup);
        assert_eq!(
            split
                .replace(SPLIT, "")
                .replace("</textarea><textarea>", ""),
            markup
        );
        assert!(split.starts_with(&format!("<p title=\"{}\">", "&amp;".repeat(400))));
        assert!(split.contains(&format!("<!-- {} -->", "&amp;".repeat(400))));
        assert!(split.contains("<textarea>&amp;"), "{split}");
    }

    #[test]
    fn the_sanitized_output_is_the_same_with_and_without_the_comments() {
        let text = "x&amp;y \u{a0}".repeat(200);
        for body in [
            format!("<table>{text}   <tr><td>c</td></tr></table>"),
            format!("<table>  {text}<tr><td>{text}</td></tr></table>"),
            format!("<pre>\n{text}</pre><ul><li>{text}</ul>"),
            format!("<b>{text}<p>{text}</b>{text}"),
            format!("<svg><text>{text}</text></svg><select><option>{text}</select>"),
            "\u{a0}".repeat(3_000),
            format!("<textarea>\n\n{text}\n\n{text}</textarea>{text}"),
            format!("<xmp>{text}<b></xmp>{text}<noembed>{text}</noembed><noframes>{text}"),
            format!("<noscript>{text}</noscript><textarea>{text}</textareax>{text}</textarea>"),
            format!("<svg><![CDATA[{text}]]></svg>{text}"),
            format!("<svg><p><![CDATA[{text} > {text}]]>{text}"),
            format!("<svg><textarea>{text}</textarea></svg><p><textarea>{text}</textarea>"),
            format!("{text}<plaintext>{text}</plaintext>{text}"),
            format!("<p>a<b>b<i>{text}<plaintext>{text}</xmp>{text}"),
            format!("<table><tr><td>x</td></tr><plaintext>{text}"),
            format!("<ul><li>x<pre>y<plaintext>\n{text}"),
            format!("<p><plaintext>{}", format!("</XMP>{text}").repeat(3)),
            format!("<b><p>x</p><plaintext>{}", format!("</xmp{text}").repeat(3)),
        ] {
            let split = split_long_text(&body);
            assert!(split.len() > body.len(), "{body:.40}");
            let with = with_ammonia(&split, &base(), "fn-h-", usize::MAX);
            let without = with_ammonia(&body, &base(), "fn-h-", usize::MAX);
            assert_eq!(with, without, "{body:.40}");
        }
    }

    #[test]
    fn short_text_is_borrowed() {
        let body = "<p>short</p>".repeat(1_000);
        assert!(matches!(split_long_text(&body), Cow::Borrowed(_)));
    }
}
