//! Character references and escaping: decoding them as browsers do (a C1 control named by
//! `&#150;` means its Windows-1252 character), the few html5ever's serializer writes, and
//! escaping text we write into HTML.

use std::borrow::Cow;

use crate::xml_chars::{find_non_feed_char, is_feed_char};

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

/// Decode the entities html5ever's serializer produces in text.
pub(crate) fn unescape_basic(s: &str) -> Cow<'_, str> {
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

/// Escape text for HTML element content and double-quoted attribute values: `& < > "`
/// (`'` stays as written).
pub(crate) fn escape_html(s: &str) -> Cow<'_, str> {
    html_escape::encode_double_quoted_attribute(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_html_escapes_exactly_amp_lt_gt_and_double_quote() {
        assert_eq!(
            escape_html("a&b<c>d\"e'f/g\u{a0}ü"),
            "a&amp;b&lt;c&gt;d&quot;e'f/g\u{a0}ü"
        );
        assert!(matches!(escape_html("plain 'text'"), Cow::Borrowed(_)));
    }

    #[test]
    fn c1_controls_become_windows_1252_characters() {
        assert_eq!(
            as_browsers_read_references("\u{80}\u{96}\u{81}\u{1}x".to_string()),
            "€–x"
        );
    }
}
