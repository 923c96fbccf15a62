//! Diagnostics: one problem found in one content file, located at `path:line:column`.
//!
//! Every stage that reads content reports through this type so `check`, `build`, the log and
//! `/readyz` all print problems the same way, like a compiler does. File names are shown
//! through [`shown_path`], so a name cannot forge a line of that output.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is: an error keeps the file out of the feeds, a warning does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// One located problem. Lines and columns are 1-based, in characters of the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn error(
        path: &Path,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Self::new(path, line, column, Severity::Error, message)
    }

    pub(crate) fn warning(
        path: &Path,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Self::new(path, line, column, Severity::Warning, message)
    }

    fn new(
        path: &Path,
        line: usize,
        column: usize,
        severity: Severity,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path: path.to_path_buf(),
            line: line.max(1),
            column: column.max(1),
            severity,
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {}: {}",
            shown_path(&self.path),
            self.line,
            self.column,
            kind,
            escape_controls(&self.message)
        )
    }
}

/// A path as every output shows it (`check`, `build`, the log, `/readyz`): control
/// characters escaped as Rust writes them (`\n`, `\t`, `\u{1b}`), bytes that are not UTF-8
/// as `\xff`. A file named `a⏎README.md:1:1: error: …` then prints on one line, and CI tools
/// that parse `path:line:col:` lines see no forged one. Backslashes are left alone, so names
/// without control characters print unchanged.
pub(crate) fn shown_path(path: &Path) -> Cow<'_, str> {
    let bytes = path.as_os_str().as_encoded_bytes();
    match std::str::from_utf8(bytes) {
        Ok(text) => escape_controls(text),
        Err(_) => {
            let mut shown = String::with_capacity(bytes.len() + 8);
            for chunk in bytes.utf8_chunks() {
                shown.push_str(&escape_controls(chunk.valid()));
                for byte in chunk.invalid() {
                    shown.push_str(&format!("\\x{byte:02x}"));
                }
            }
            Cow::Owned(shown)
        }
    }
}

/// `text` with every character that could end a line or steer a terminal escaped:
/// control characters (C0, DEL, C1), the Unicode line and paragraph separators and the
/// bidirectional overrides (which reorder what a terminal shows).
pub(crate) fn escape_controls(text: &str) -> Cow<'_, str> {
    let needs_escape = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => shown.push_str("\\n"),
            '\r' => shown.push_str("\\r"),
            '\t' => shown.push_str("\\t"),
            c if needs_escape(c) => shown.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => shown.push(c),
        }
    }
    Cow::Owned(shown)
}

/// Line and column (1-based, counted in characters) of byte offset `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "ab\nпривет x";
        let offset = text.find('x').unwrap();
        assert_eq!(line_col(text, offset), (2, 8));
        assert_eq!(line_col(text, 0), (1, 1));
    }

    #[test]
    fn display_reads_like_a_compiler() {
        let d = Diagnostic::error(Path::new("posts/a.md"), 3, 7, "missing `title`");
        assert_eq!(d.to_string(), "posts/a.md:3:7: error: missing `title`");
    }

    #[test]
    fn display_escapes_names_that_would_forge_lines() {
        let forged = "a\nREADME.md:1:1: error: forged.md";
        let d = Diagnostic::error(Path::new(forged), 2, 1, "bad `x\ry`");
        assert_eq!(
            d.to_string(),
            "a\\nREADME.md:1:1: error: forged.md:2:1: error: bad `x\\ry`"
        );
        assert_eq!(
            escape_controls("tab\there\u{1b}[31m\u{202e}"),
            "tab\\there\\u{1b}[31m\\u{202e}"
        );
        assert_eq!(escape_controls("plain \\ dé.md"), "plain \\ dé.md");
    }

    #[cfg(unix)]
    #[test]
    fn shown_path_escapes_bytes_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"posts/caf\xe9\n.md"));
        assert_eq!(shown_path(path), "posts/caf\\xe9\\n.md");
    }
}
