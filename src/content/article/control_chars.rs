//! The first step of parsing: characters no feed may carry are removed from the whole file,
//! with a warning at each position, before YAML or Markdown sees them.

use std::path::Path;

use crate::content::render;
use crate::diag::Diagnostic;

/// Removes characters no feed may carry — C0 and C1 controls other than tab, LF and CR, DEL,
/// noncharacters such as U+FFFE, and U+FFFD (see [`render::is_feed_char`]) — warning at each
/// position (SPEC §1: the article is still published).
pub(super) fn remove_control_chars<'a>(
    text: &'a str,
    path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> std::borrow::Cow<'a, str> {
    let bad = |c: char| !render::is_feed_char(c);
    if render::find_non_feed_char(text).is_none() {
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
