//! What every build step reads fields with: trimmed text ([`text_of`]), and messages
//! placed at the line of the key they are about ([`Fields`]) or at the file's start
//! ([`at_start`]).

use std::path::Path;

use crate::content::front_matter::{self, Located, Split};
use crate::diag::Diagnostic;
use crate::yaml_text::Text;

/// Where the steps place their messages: the file, its front matter, the warnings so far.
pub(super) struct Fields<'a> {
    source: &'a str,
    split: &'a Split<'a>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(
        source: &'a str,
        split: &'a Split<'a>,
        diagnostics: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Fields {
            source,
            split,
            diagnostics,
        }
    }

    /// A message at the line of the top-level `key` (the file's start if it is not there).
    pub(super) fn at_key(&self, key: &str, message: String) -> Located {
        let (line, column) = front_matter::key_position(self.split, key).unwrap_or((1, 1));
        Located {
            line,
            column,
            message,
        }
    }

    /// A warning at a key's line: the article still publishes.
    pub(super) fn warn(&mut self, key: &str, message: String) {
        let at = self.at_key(key, message);
        self.diagnostics.push(Diagnostic::warning(
            Path::new(self.source),
            at.line,
            at.column,
            at.message,
        ));
    }

    /// Warns about a value read with YAML's own reading of a number (see
    /// `front_matter::respelled`).
    pub(super) fn warn_if_respelled(&mut self, key: &str, read: &str) {
        if let Some((written, what)) = front_matter::respelled(self.split, key, read) {
            self.warn(
                key,
                format!(
                    "`{key}`: {written} was read as {what} {read}; quote it (\"{written}\") to keep it as written"
                ),
            );
        }
    }
}

/// A problem with the file as a whole (line 1, column 1).
pub(super) fn at_start(message: impl Into<String>) -> Located {
    Located {
        line: 1,
        column: 1,
        message: message.into(),
    }
}

/// A text field, trimmed; `None` when absent or blank.
pub(super) fn text_of(t: Option<Text>) -> Option<String> {
    t.map(|t| t.0.trim().to_string()).filter(|s| !s.is_empty())
}
