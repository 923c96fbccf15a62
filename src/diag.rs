//! Diagnostics: one problem found in one content file, located at `path:line:column`.
//!
//! Every stage that reads content reports through this type so `check`, `build`, the log and
//! `/readyz` all print problems the same way, like a compiler does.

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
            self.path.display(),
            self.line,
            self.column,
            kind,
            self.message
        )
    }
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
}
