//! Which characters a feed may carry. XML 1.0 forbids most C0 controls and U+FFFE/U+FFFF
//! outright; validators also flag DEL, the C1 controls, Unicode noncharacters and U+FFFD,
//! and readers show them as boxes. Every text that reaches a feed (article bodies, front
//! matter, configuration values, titles) is checked or cleaned against [`is_feed_char`].

use std::borrow::Cow;

/// Removes what a feed must not carry: characters XML 1.0 forbids (C0 controls other than
/// tab, LF and CR; U+FFFE, U+FFFF) and those validators flag and readers show as boxes
/// (DEL, C1 controls, noncharacters, U+FFFD); see [`is_feed_char`]. Borrows when nothing
/// is removed.
pub(crate) fn strip_non_feed_chars(s: &str) -> Cow<'_, str> {
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
pub(crate) fn is_feed_char(c: char) -> bool {
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
/// articles are checked without decoding them. Blocks of [`BLOCK`] bytes are looked at
/// whole (a loop without branches the compiler turns into vector instructions); only a
/// block holding such a lead byte is looked at byte by byte. Every text reaching a feed
/// is checked, some more than once, so this runs over all of it.
pub(crate) fn find_non_feed_char(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let blocks = bytes.chunks_exact(BLOCK);
    let tail_start = bytes.len() - blocks.remainder().len();
    for (n, block) in blocks.enumerate() {
        if block.iter().fold(false, |any, &b| any | may_start_bad(b)) {
            let start = n * BLOCK;
            if let Some(at) = (start..start + BLOCK).find(|&i| bad_at(bytes, i)) {
                return Some(at);
            }
        }
    }
    (tail_start..bytes.len()).find(|&i| bad_at(bytes, i))
}

/// Bytes looked at together by [`find_non_feed_char`].
const BLOCK: usize = 32;

/// Whether `b` is a byte [`bad_at`] may answer true for: a control other than tab, LF and
/// CR, DEL, 0xC2, 0xEF, or 0xF0 and above. Bitwise, not short-circuit, operators: no branch.
fn may_start_bad(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')
        | (b == 0x7F)
        | (b == 0xC2)
        | (b == 0xEF)
        | (b >= 0xF0)
}

/// Whether a character that is not [`is_feed_char`] starts at byte `i` of `bytes`.
fn bad_at(bytes: &[u8], i: usize) -> bool {
    let next = |n: usize| bytes.get(i + n).copied().unwrap_or(0);
    match bytes[i] {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_scan_agrees_with_is_feed_char_on_every_code_point() {
        // In the bytes after the last whole block, straddling two blocks, inside one.
        for before in ["ab", &"a".repeat(BLOCK - 1), &"a".repeat(BLOCK + 2)] {
            for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
                let text = format!("{before}{c}{}", "cd".repeat(BLOCK / 2));
                let found = find_non_feed_char(&text);
                assert_eq!(found.is_some(), !is_feed_char(c), "U+{:04X}", c as u32);
                if found.is_some() {
                    assert_eq!(found, Some(before.len()), "U+{:04X}", c as u32);
                }
            }
        }
    }

    #[test]
    fn every_position_in_and_across_blocks_is_found() {
        // The first bad character wherever it sits relative to the blocks, including one
        // whose bytes straddle two blocks or end the text.
        for bad in [
            "\u{1}",
            "\u{7F}",
            "\u{85}",
            "\u{FDD0}",
            "\u{FFFE}",
            "\u{10FFFF}",
        ] {
            for before in 0..80 {
                for after in 0..10 {
                    let text = format!(
                        "{}{bad}{}",
                        "é".repeat(before / 2) + &"a".repeat(before % 2),
                        "z".repeat(after)
                    );
                    let at = before / 2 * 2 + before % 2;
                    assert_eq!(find_non_feed_char(&text), Some(at), "{text:?}");
                }
            }
        }
        let clean = "Plain\ttext, ünïcödé €, 中文, 😀 and lines\r\n".repeat(9);
        for end in (0..clean.len()).filter(|&e| clean.is_char_boundary(e)) {
            assert_eq!(find_non_feed_char(&clean[..end]), None);
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
    fn strip_non_feed_chars_borrows_when_clean() {
        assert!(matches!(
            strip_non_feed_chars("ok\tfine\r\n✓"),
            Cow::Borrowed(_)
        ));
        assert_eq!(strip_non_feed_chars("a\u{1}\u{FFFF}b"), "ab");
    }
}
