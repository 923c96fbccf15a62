//! The first step of parsing: characters no feed may carry are removed from the whole file,
//! with a warning at each position, before YAML or Markdown sees them.

use std::path::Path;

use crate::diag::Diagnostic;
use crate::xml_chars;

/// Removes characters no feed may carry — C0 and C1 controls other than tab, LF and CR, DEL,
/// noncharacters such as U+FFFE, and U+FFFD (see [`xml_chars::is_feed_char`]) — warning at each
/// position (SPEC §1: the article is still published).
pub(super) fn remove_control_chars<'a>(
    text: &'a str,
    path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> std::borrow::Cow<'a, str> {
    let bad = |c: char| !xml_chars::is_feed_char(c);
    if xml_chars::find_non_feed_char(text).is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    // Positions are counted along the way (one pass), and a file full of them gets a few
    // warnings and a count, not one line each.
    let (mut line, mut column) = (1, 1);
    let mut removed = 0usize;
    for c in text.chars() {
        if bad(c) {
            removed += 1;
            if removed <= MAX_CHARACTER_WARNINGS {
                let kind = if c.is_control() {
                    "control character"
                } else if c == '\u{FFFD}' {
                    // Where the author's text was damaged before it reached us.
                    "replacement character (damaged text)"
                } else {
                    "noncharacter"
                };
                diagnostics.push(Diagnostic::warning(
                    path,
                    line,
                    column,
                    format!("{kind} U+{:04X} removed", c as u32),
                ));
            }
        } else {
            out.push(c);
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    if removed > MAX_CHARACTER_WARNINGS {
        diagnostics.push(Diagnostic::warning(
            path,
            1,
            1,
            format!(
                "{} more characters no feed may carry removed (only the first {MAX_CHARACTER_WARNINGS} are listed)",
                removed - MAX_CHARACTER_WARNINGS
            ),
        ));
    }
    std::borrow::Cow::Owned(out)
}

/// Warnings listed one by one for removed characters in one file; the rest are counted.
const MAX_CHARACTER_WARNINGS: usize = 10;

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn article_control_characters_are_removed_with_a_warning() {
        let p = parse(
            "a.md",
            "---\ntitle: Bell\u{7}s\ndate: 2024-01-01\n---\nNUL\u{0} here\n",
        );
        let a = p.article.unwrap();
        assert_eq!(a.title, "Bells");
        assert!(!a.body.contains('\u{0}'));
        let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(
            w.iter().any(|d| d.starts_with("a.md:2:12: warning")),
            "{w:?}"
        );
        assert!(
            w.iter().any(|d| d.starts_with("a.md:5:4: warning")),
            "{w:?}"
        );
    }

    #[test]
    fn article_c1_controls_and_noncharacters_are_removed_with_a_warning() {
        let p = parse(
            "a.md",
            "---\ntitle: Next\u{85}Line\ndate: 2024-01-01\n---\nDEL\u{7F} and \u{FDD0}x\n",
        );
        let a = p.article.unwrap_or_else(|| panic!("{:?}", p.diagnostics));
        assert_eq!(a.title, "NextLine");
        assert_eq!(&*a.body, "DEL and x\n");
        let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(
            w.iter().any(|d| d.contains("control character U+0085")),
            "{w:?}"
        );
        assert!(w.iter().any(|d| d.contains("noncharacter U+FDD0")), "{w:?}");
    }

    #[test]
    fn article_many_removed_characters_are_listed_ten_then_counted() {
        let body = "x\u{1}y\n".repeat(25);
        let p = parse(
            "a.md",
            &format!("---\ntitle: T\ndate: 2024-01-01\n---\n{body}"),
        );
        assert!(p.article.is_some());
        let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(w.len(), 11, "{w:?}");
        assert!(
            w[0].starts_with("a.md:5:2: warning: control character U+0001"),
            "{w:?}"
        );
        assert!(w[9].starts_with("a.md:14:2: warning"), "{w:?}");
        assert!(w[10].contains("15 more characters"), "{w:?}");
    }
}
