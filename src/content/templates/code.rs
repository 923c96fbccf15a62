//! Where code is, so the pass leaves it as written, and how a code block it makes is
//! written ([`code_block`]). Code is: fenced and indented code blocks (at line
//! starts, in Markdown bodies) and code spans (matched the CommonMark way: a run of
//! backticks closes at the next run of the same length, not past a blank line).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::content::html::entities::escape_html;
use crate::content::render::BodyKind;

/// Code blocks, read line by line.
pub(super) struct Blocks {
    markdown: bool,
    previous_blank: bool,
    in_list: bool,
    in_indented_code: bool,
}

impl Blocks {
    pub(super) fn new(kind: BodyKind) -> Self {
        Blocks {
            markdown: kind == BodyKind::Markdown,
            previous_blank: true,
            in_list: false,
            in_indented_code: false,
        }
    }

    /// At a line start: the end of the code block starting here (fenced: through its closing
    /// fence, or the end of the body as Markdown reads an unclosed one; indented: this
    /// line), or `None` for a line that is not code.
    pub(super) fn code_block_end(&mut self, src: &str, start: usize) -> Option<usize> {
        let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i + 1);
        let line = &src[start..line_end];
        let blank = line.trim().is_empty();
        let spaces = line.len() - line.trim_start_matches(' ').len();
        let indented = spaces >= 4 || line[spaces..].starts_with('\t');
        if !self.markdown {
            return None;
        }
        if blank {
            self.previous_blank = true;
            return None;
        }
        let code = indented && (self.in_indented_code || (self.previous_blank && !self.in_list));
        self.in_indented_code = code;
        let was_blank = std::mem::replace(&mut self.previous_blank, false);
        if code {
            return Some(line_end);
        }
        let text = line.trim_start();
        if is_list_item(text) {
            self.in_list = true;
        } else if was_blank && spaces == 0 {
            self.in_list = false;
        }
        // In a list item a fence may be indented as deep as the item's content.
        let fence = fence_of(&line[spaces..]).filter(|_| spaces < 4 || self.in_list)?;
        Some(closing_fence_end(src, line_end, fence, spaces))
    }
}

fn is_list_item(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let after = &text[digits..];
    let marker = if digits > 0 {
        after.starts_with(['.', ')'])
    } else {
        after.starts_with(['-', '*', '+'])
    };
    marker
        && matches!(
            after.as_bytes().get(1),
            Some(b' ' | b'\t' | b'\n' | b'\r') | None
        )
}

/// A fence opener: 3+ backticks (and no backtick in its info) or 3+ tildes.
fn fence_of(text: &str) -> Option<(u8, usize)> {
    let c = *text.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = text.bytes().take_while(|&b| b == c).count();
    if n < 3 || (c == b'`' && text[n..].contains('`')) {
        return None;
    }
    Some((c, n))
}

fn closing_fence_end(src: &str, mut at: usize, (c, n): (u8, usize), indent: usize) -> usize {
    while at < src.len() {
        let end = src[at..].find('\n').map_or(src.len(), |i| at + i + 1);
        let line = src[at..end].trim_start_matches(' ');
        let run = line.bytes().take_while(|&b| b == c).count();
        if src[at..end].len() - line.len() < indent + 4 && run >= n && line[run..].trim().is_empty()
        {
            return end;
        }
        at = end;
    }
    src.len()
}

/// Backtick runs of the body by length, each with the paragraph it is in, read once.
pub(super) struct CodeSpans {
    runs: HashMap<usize, (Vec<(usize, usize)>, usize)>,
}

impl CodeSpans {
    pub(super) fn new(src: &str) -> Self {
        let mut runs: HashMap<usize, (Vec<(usize, usize)>, usize)> = HashMap::new();
        let bytes = src.as_bytes();
        let mut paragraph = 0;
        let mut i = 0;
        let mut line_blank = true;
        while i < bytes.len() {
            match bytes[i] {
                b'`' => {
                    let n = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                    runs.entry(n).or_default().0.push((i, paragraph));
                    line_blank = false;
                    i += n;
                    continue;
                }
                b'\n' => {
                    if line_blank {
                        paragraph += 1;
                    }
                    line_blank = true;
                }
                b' ' | b'\t' | b'\r' => {}
                _ => line_blank = false,
            }
            i += 1;
        }
        CodeSpans { runs }
    }

    /// The end of the code span opened by the backtick run at `at`, if one closes it.
    pub(super) fn span_end(&mut self, src: &str, at: usize) -> Option<usize> {
        let n = src[at..].bytes().take_while(|&b| b == b'`').count();
        let (list, cursor) = self.runs.get_mut(&n)?;
        while *cursor < list.len() && list[*cursor].0 <= at {
            *cursor += 1;
        }
        let paragraph = list.get(cursor.checked_sub(1)?)?.1;
        let &(close, close_paragraph) = list.get(*cursor)?;
        (close_paragraph == paragraph).then_some(close + n)
    }
}

/// Code with `{% raw %}`/`{% endraw %}` taken out and `{{</* x */>}}` (or `{{%/* x */%}}`)
/// written `{{< x >}}`: escape marks the generator removed, even in code. Each closer is
/// searched once from where it was last found, so this is linear.
pub(super) fn unescape(code: &str) -> Cow<'_, str> {
    if !code.contains("{%") && !code.contains("/*") {
        return Cow::Borrowed(code);
    }
    let mut next = NextOf::default();
    // Once no `{% endraw %}` follows, none follows any later `{% raw %}` either.
    let mut no_endraw = false;
    let mut out = String::with_capacity(code.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(i) = code[from..].find('{').map(|i| from + i) {
        let here = &code[i..];
        let (len, replacement) = if here.starts_with("{%") {
            match next.find(code, "%}", i + 2).map(|e| &code[i + 2..e]) {
                // Up to the next `{% endraw %}`, all is literal (`{% raw %}` included).
                Some(inner) if raw_marker(inner) == Some("raw") => {
                    let open_end = i + inner.len() + 4;
                    let mut at = open_end;
                    let close = loop {
                        let Some(tag) = next.find(code, "{%", at).filter(|_| !no_endraw) else {
                            no_endraw = true;
                            break None;
                        };
                        match next.find(code, "%}", tag + 2) {
                            Some(e) if raw_marker(&code[tag + 2..e]) == Some("endraw") => {
                                break Some((tag, e + 2));
                            }
                            _ => at = tag + 2,
                        }
                    };
                    match close {
                        Some((tag, end)) => (end - i, code[open_end..tag].to_string()),
                        None => (open_end - i, String::new()),
                    }
                }
                Some(inner) if raw_marker(inner).is_some() => (inner.len() + 4, String::new()),
                _ => (1, "{".to_string()),
            }
        } else if let Some(mark) = ["{{</*", "{{%/*"].iter().position(|o| here.starts_with(o)) {
            let (close, open_mark, close_mark) = [("*/>}}", "<", ">"), ("*/%}}", "%", "%")][mark];
            match next.find(code, close, i + 5) {
                Some(e) => (
                    e + 5 - i,
                    format!("{{{{{open_mark}{}{close_mark}}}}}", &code[i + 5..e]),
                ),
                None => (1, "{".to_string()),
            }
        } else {
            (1, "{".to_string())
        };
        if len > 1 {
            out.push_str(&code[copied..i]);
            out.push_str(&replacement);
            copied = i + len;
        }
        from = i + len;
    }
    if copied == 0 {
        return Cow::Borrowed(code);
    }
    out.push_str(&code[copied..]);
    Cow::Owned(out)
}

/// Remembered forward searches (see `Pass::find_from`).
#[derive(Default)]
struct NextOf(HashMap<&'static str, (usize, Option<usize>)>);

impl NextOf {
    fn find(&mut self, text: &str, needle: &'static str, from: usize) -> Option<usize> {
        if let Some(&(searched, found)) = self.0.get(needle) {
            if searched <= from && found.is_none_or(|f| f >= from) {
                return found;
            }
        }
        let found = text[from..].find(needle).map(|i| from + i);
        self.0.insert(needle, (from, found));
        found
    }
}

/// `raw` or `endraw` when that is the inside of a `{% … %}` tag (any spacing, `-` marks).
fn raw_marker(inner: &str) -> Option<&'static str> {
    match inner.trim_matches(|c: char| c == '-' || c.is_whitespace()) {
        "raw" => Some("raw"),
        "endraw" => Some("endraw"),
        _ => None,
    }
}

/// A code block as the Markdown renderer writes one, as an HTML block both kinds of body
/// keep as written (so `#include <stdio.h>` and lines starting with `>` stay code).
pub(super) fn code_block(language: &str, code: &str) -> String {
    let code = code
        .strip_prefix("\r\n")
        .or_else(|| code.strip_prefix('\n'))
        .unwrap_or(code);
    let code = code.trim_end_matches([' ', '\t']);
    let code = code.strip_suffix('\n').unwrap_or(code);
    let code = code.strip_suffix('\r').unwrap_or(code);
    let language: String = language
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '#' | '.'))
        .collect();
    let class = if language.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{language}\"")
    };
    format!("<pre><code{class}>{}\n</code></pre>", escape_html(code))
}
