//! Long runs of escaped text kept out of the sanitizer. html5ever (behind ammonia) spends a
//! tokenizer state change and a tree-builder call on each character reference and each `<`
//! that starts no tag, so a body of 4 MiB of `<` (`&lt;` once Markdown has escaped it) or of
//! `&#` took seconds, although all the sanitizer does to such text is decode it and escape it
//! again. Before sanitizing, each run of text with at least [`MIN_ESCAPES`] of these is
//! replaced by a placeholder (a private-use character, the run's number, another); after,
//! each placeholder is replaced by what the serializer would have written for the run.
//!
//! What a run may hold, read as the tokenizer reads text (outside tags, comments and raw
//! text, found as [`super::long_text`] finds them): `&lt;`, `&gt;`, `&amp;`; a `&` that
//! starts no reference (not followed by a letter, digit or `#`); `&#` followed by no digit
//! and no `x`; a `<` that starts no markup; `>`; and any character the serializer writes as
//! it is, other than quotes, `=`, a backtick, a no-break space, CR and NUL. A run starts at
//! one of the escapes, so nothing before it can read on into it, and ends before
//! whitespace that ends it, so the parser's rules about whitespace (a newline after
//! `<pre>`, whitespace in a table) see what they saw before. What replaces a placeholder has
//! no quote, `<`, `>` or bare `&`: wherever the parser put it, it is inert text. Inputs that
//! already contain the placeholder characters are left alone.

use super::bound::TooLarge;
use super::long_text::{foreign_depth, markup, Markup};

/// Escapes a run must have to be held: below this, the sanitizer's cost is noise.
const MIN_ESCAPES: usize = 64;

/// The characters around a placeholder's number.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// The runs taken out of a body, as the serializer would write each.
#[derive(Debug, Default)]
pub(super) struct Held {
    runs: Vec<String>,
}

/// `html` with each long run of escaped text replaced by a placeholder, and the runs; `None`
/// when there is no such run (or the body has the placeholder characters).
pub(super) fn hold(html: &str) -> Option<(String, Held)> {
    // Bitwise, not `matches!`: a loop without branches, which the compiler vectorizes.
    let escapes: usize = html
        .bytes()
        .map(|b| usize::from((b == b'&') | (b == b'<') | (b == b'>')))
        .sum();
    if escapes < MIN_ESCAPES || html.contains([OPEN, CLOSE]) {
        return None;
    }
    // Written only from the first run held on: most bodies have none.
    let mut out = String::new();
    let mut held = Held::default();
    let mut run = Run::default();
    // Inside `<svg>` or `<math>`, as `long_text` tracks it.
    let mut foreign = 0usize;
    let mut at = 0;
    while at < html.len() {
        let lt = html[at..].find('<').map_or(html.len(), |i| at + i);
        run.text(html, at, lt, &mut out, &mut held);
        if lt == html.len() {
            break;
        }
        at = match markup(html, lt, foreign > 0) {
            Markup::Text => {
                run.escape(lt, 1, "&lt;");
                lt + 1
            }
            Markup::Comment(end) | Markup::RawText { end, .. } => {
                run.flush(html, &mut out, &mut held);
                end
            }
            Markup::Tag { end, name, closing } => {
                run.flush(html, &mut out, &mut held);
                foreign = foreign_depth(foreign, &name, closing, &html[..end]);
                end
            }
            Markup::Plaintext(_) => {
                run.flush(html, &mut out, &mut held);
                html.len()
            }
        };
    }
    run.flush(html, &mut out, &mut held);
    if held.runs.is_empty() {
        return None;
    }
    out.push_str(&html[run.copied..]);
    Some((out, held))
}

/// `sanitized` with each placeholder replaced by its run; `Err` past `max_bytes`.
pub(super) fn restore(sanitized: &str, held: &Held, max_bytes: usize) -> Result<String, TooLarge> {
    let mut out = String::with_capacity(sanitized.len());
    let mut rest = sanitized;
    while let Some(open) = rest.find(OPEN) {
        out.push_str(&rest[..open]);
        let after = &rest[open + OPEN.len_utf8()..];
        let Some(close) = after.find(CLOSE) else {
            // Never: the input had no placeholder characters, and each is written whole.
            rest = after;
            continue;
        };
        if let Some(run) = after[..close]
            .parse::<usize>()
            .ok()
            .and_then(|i| held.runs.get(i))
        {
            out.push_str(run);
        }
        if out.len() > max_bytes {
            return Err(TooLarge { limit: max_bytes });
        }
        rest = &after[close + CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    if out.len() > max_bytes {
        return Err(TooLarge { limit: max_bytes });
    }
    Ok(out)
}

/// The run being read: where it starts in the input, how it is serialized, and where its
/// trailing whitespace starts.
#[derive(Default)]
struct Run {
    /// Byte offset in the input, while a run is open.
    start: Option<usize>,
    /// End of the run's last character other than whitespace.
    end: usize,
    /// The serialized form up to `end`, and its length with the trailing whitespace.
    serialized: String,
    serialized_end: usize,
    escapes: usize,
    /// Where the input not yet written to `out` starts.
    copied: usize,
}

impl Run {
    /// Reads the text `html[from..to]` (no markup in it).
    fn text(&mut self, html: &str, from: usize, to: usize, out: &mut String, held: &mut Held) {
        let bytes = html.as_bytes();
        let mut i = from;
        while i < to {
            let b = bytes[i];
            let next = bytes.get(i + 1).copied();
            let unit: Option<(usize, &str)> = match b {
                b'&' => {
                    let rest = &html[i..];
                    if rest.starts_with("&lt;") {
                        Some((4, "&lt;"))
                    } else if rest.starts_with("&gt;") {
                        Some((4, "&gt;"))
                    } else if rest.starts_with("&amp;") {
                        Some((5, "&amp;"))
                    } else if next == Some(b'#') {
                        let after = bytes.get(i + 2).copied();
                        (!after.is_some_and(|c| c.is_ascii_digit() || c == b'x' || c == b'X'))
                            .then_some((2, "&amp;#"))
                    } else if next.is_some_and(|c| c.is_ascii_alphanumeric()) {
                        None
                    } else {
                        Some((1, "&amp;"))
                    }
                }
                b'>' => Some((1, "&gt;")),
                _ => None,
            };
            if let Some((len, serialized)) = unit {
                self.escape(i, len, serialized);
                i += len;
                continue;
            }
            let c = html[i..].chars().next().unwrap_or(' ');
            let len = c.len_utf8();
            if self.start.is_some() {
                if matches!(c, ' ' | '\t' | '\n' | '\x0C') {
                    // Kept only if the run goes on after it.
                    self.serialized.push(c);
                } else if plain(c) {
                    self.serialized.push(c);
                    self.serialized_end = self.serialized.len();
                    self.end = i + len;
                } else {
                    self.flush(html, out, held);
                }
            }
            i += len;
        }
    }

    /// Reads the escape `html[at..at + len]`, written `serialized`.
    fn escape(&mut self, at: usize, len: usize, serialized: &str) {
        if self.start.is_none() {
            self.start = Some(at);
            self.serialized.clear();
            self.escapes = 0;
        }
        self.serialized.push_str(serialized);
        self.serialized_end = self.serialized.len();
        self.end = at + len;
        self.escapes += 1;
    }

    /// Ends the open run: a placeholder if it has enough escapes (the input before it is
    /// written first), else nothing (it stays with the input still to write).
    fn flush(&mut self, html: &str, out: &mut String, held: &mut Held) {
        let Some(start) = self.start.take() else {
            return;
        };
        if self.escapes < MIN_ESCAPES {
            return;
        }
        if out.capacity() == 0 {
            out.reserve(html.len());
        }
        out.push_str(&html[self.copied..start]);
        self.serialized.truncate(self.serialized_end);
        out.push(OPEN);
        out.push_str(&held.runs.len().to_string());
        out.push(CLOSE);
        held.runs.push(std::mem::take(&mut self.serialized));
        self.copied = self.end;
    }
}

/// Characters the serializer writes as they are, and that cannot end an attribute value
/// wherever the parser puts them.
fn plain(c: char) -> bool {
    !matches!(
        c,
        '&' | '<' | '>' | '"' | '\'' | '=' | '`' | '\u{A0}' | '\r' | '\0' | OPEN | CLOSE
    ) && !c.is_whitespace()
}

#[cfg(test)]
mod tests {
    use super::super::sanitize::with_ammonia;
    use super::super::test_support::base;
    use super::*;

    fn sanitize(html: &str) -> String {
        with_ammonia(html, &base(), "fn-h-", usize::MAX).expect("no bound")
    }

    /// Sanitizing with the runs held gives the bytes sanitizing gives without.
    /// Whether runs were held.
    fn assert_same(html: &str) -> bool {
        let plain = sanitize(html);
        let placed = hold(html);
        let held = match &placed {
            Some((placed, held)) => restore(&sanitize(placed), held, usize::MAX).expect("bound"),
            None => plain.clone(),
        };
        assert!(
            held == plain,
            "differs for {html:.300}\nheld:  {held:.300}\nplain: {plain:.300}"
        );
        placed.is_some()
    }

    #[test]
    fn long_escaped_runs_are_held_and_give_the_same_output() {
        for html in [
            "&lt;".repeat(200),
            format!("<p>{}</p>", "&amp;#".repeat(200)),
            "&#".repeat(200),
            "&".repeat(200),
            "<".repeat(200),
            "< ".repeat(200),
            format!("<pre>\n{}\n</pre>", "&lt;x&gt; ".repeat(100)),
            format!("<table><tr><td>a</td>{}</tr></table>", "&lt;".repeat(100)),
            format!("<table>{} </table>", "&amp;".repeat(100)),
            format!("<svg>{}<![CDATA[&lt;]]></svg>", "&gt;".repeat(100)),
            format!("&not{}&notin;{}", "&lt;".repeat(100), "&gt;".repeat(100)),
            format!("&#1{}&#x{}", "&lt;".repeat(100), "&gt;".repeat(100)),
            format!("<p title=\"{0}\">{0}</p>", "&lt;".repeat(100)),
            format!(
                "<script>{0}</script><style>{0}</style>{0}",
                "&lt;".repeat(100)
            ),
            format!(
                "<textarea>{0}</textarea><!-- {0} -->{0}",
                "&amp;".repeat(100)
            ),
            format!("{}<plaintext>{}", "&lt;".repeat(100), "&lt;".repeat(100)),
            format!(
                "{}\u{A0}{}\"{}'",
                "&lt;".repeat(100),
                "&gt;".repeat(70),
                "<".repeat(70)
            ),
            format!(
                "<a href=x>{}</a><b>{}",
                "&lt;&gt;".repeat(50),
                "&amp;".repeat(70)
            ),
            format!("{}<frameset>{}", "&lt; ".repeat(100), "&lt; ".repeat(100)),
        ] {
            assert!(assert_same(&html), "nothing held in {html:.100}");
        }
        assert!(hold(&"&lt;".repeat(10)).is_none(), "too short to matter");
        let marked = format!("\u{E000}{}", "&lt;".repeat(200));
        assert!(hold(&marked).is_none(), "has the placeholder characters");
    }

    /// Random mixes of fragments (escapes, references, markup, whitespace, quotes): held or
    /// not, the same output.
    #[test]
    fn random_mixes_give_the_same_output() {
        /// The first eight make runs.
        const FRAGMENTS: &[&str] = &[
            "&lt;",
            "&gt;",
            "&amp;",
            "&",
            "&#",
            "<",
            ">",
            "a",
            "&#x",
            "&#1",
            "&not",
            "&notin;",
            "&lt",
            "< ",
            " ",
            "\n",
            "\t",
            "1",
            "#",
            ";",
            "x",
            "\"",
            "'",
            "=",
            "\u{A0}",
            "é",
            "<p>",
            "</p>",
            "<pre>",
            "<table>",
            "<td>",
            "<b>",
            "</b>",
            "<!--",
            "-->",
            "<textarea>",
            "</textarea>",
            "<svg>",
            "</svg>",
            "<![CDATA[",
            "]]>",
            "<a title=",
            "<script>",
            "</script>",
            "<select>",
            "<br/>",
            "\r\n",
            "</",
            "<?",
            "<!",
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            usize::try_from(x % n as u64).unwrap_or(0)
        };
        let mut held = 0;
        for _ in 0..400 {
            let mut html = String::new();
            while html.len() < 2_000 {
                if next(8) == 0 {
                    for _ in 0..70 {
                        html.push_str(FRAGMENTS[next(8)]);
                    }
                } else {
                    html.push_str(FRAGMENTS[next(FRAGMENTS.len())]);
                }
            }
            held += usize::from(assert_same(&html));
        }
        assert!(held > 100, "runs held in {held} of 400 mixes");
    }

    #[test]
    fn restore_is_bounded() {
        let (placed, held) = hold(&"&lt;".repeat(1000)).expect("held");
        assert!(restore(&placed, &held, 100).is_err());
        assert_eq!(
            restore(&placed, &held, 4000).expect("fits"),
            "&lt;".repeat(1000)
        );
    }
}
