//! Finding the front matter: the YAML block between `---` fences and the body after it,
//! with the file lines of its top-level keys, which every message is placed at.

/// A problem located inside the file (1-based line and column of the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Located {
    pub(super) fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            column,
            message: message.into(),
        }
    }
}

/// The two parts of an article file.
#[derive(Debug)]
pub(crate) struct Split<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// 1-based file line of the YAML's first line.
    pub yaml_first_line: usize,
    pub body: &'a str,
    /// The first fence written with more than three dashes (`------`), which Jekyll and Hugo
    /// sites carry and which is read as `---` with a warning: its file line.
    pub long_fence_line: Option<usize>,
}

/// Splits `---\n yaml \n---\n body` (the closing line may also be `...`). Accepts CRLF line
/// ends and trailing blanks on fences.
pub(crate) fn split(text: &str) -> Result<Split<'_>, Located> {
    if text.trim().is_empty() {
        return Err(Located::new(
            1,
            1,
            "empty file: an article needs front matter between `---` lines and a body",
        ));
    }
    let mut lines = LineIter::new(text);
    let Some((_, _, first)) = lines.next() else {
        return Err(Located::new(1, 1, "empty file"));
    };
    if first.trim_end() == "+++" {
        // Hugo's TOML front matter: say what it is, or the author hunts for a missing `---`.
        return Err(Located::new(
            1,
            1,
            "TOML front matter (`+++`) is not supported: write the fields as YAML between `---` lines (`title: \"…\"`, not `title = \"…\"`)",
        ));
    }
    let mut long_fence_line = is_long_fence(first).then_some(1);
    if first.trim_end() != "---" && long_fence_line.is_none() {
        return Err(Located::new(
            1,
            1,
            "missing front matter: the first line must be `---`, followed by YAML fields and a closing `---`",
        ));
    }
    let yaml_start = lines.offset();
    while let Some((number, line_start, line)) = lines.next() {
        // `...` is YAML's own document-end marker (Pandoc and Quarto close with it).
        let long = is_long_fence(line);
        if matches!(line.trim_end(), "---" | "...") || long {
            if long {
                long_fence_line = long_fence_line.or(Some(number));
            }
            return Ok(Split {
                yaml: &text[yaml_start..line_start],
                yaml_first_line: 2,
                body: &text[lines.offset()..],
                long_fence_line,
            });
        }
    }
    Err(Located::new(
        1,
        1,
        "unterminated front matter: no closing `---` (or `...`) line after the opening one on line 1",
    ))
}

/// A fence of four or more dashes and nothing else (trailing blanks allowed).
fn is_long_fence(line: &str) -> bool {
    let line = line.trim_end();
    line.len() > 3 && line.bytes().all(|b| b == b'-')
}

/// Lines with their 1-based numbers, tracking the byte offset after each line's terminator.
pub(super) struct LineIter<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> LineIter<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            line: 0,
        }
    }
    pub(super) fn offset(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for LineIter<'a> {
    /// (1-based line number, byte offset of the line's start, line without terminator)
    type Item = (usize, usize, &'a str);
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.text[start..];
        let (line, advance) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        self.line += 1;
        Some((self.line, start, line.strip_suffix('\r').unwrap_or(line)))
    }
}

/// File position of a top-level `key:` in the front matter.
pub(crate) fn key_position(split: &Split<'_>, key: &str) -> Option<(usize, usize)> {
    LineIter::new(split.yaml)
        .find(|(_, _, line)| after_key(line, key).is_some())
        .map(|(n, _, _)| (split.yaml_first_line + n - 1, 1))
}

/// What follows `key:` on a line that starts with the top-level key `key`.
pub(super) fn after_key<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.strip_prefix(key)?.trim_start().strip_prefix(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_fences_of_more_dashes_are_read_and_noted() {
        let s = split("------\ntitle: A\n------\nBody\n").unwrap();
        assert_eq!(
            (s.yaml, s.body, s.long_fence_line),
            ("title: A\n", "Body\n", Some(1))
        );
        let s = split("---\ntitle: A\n-----  \nBody\n").unwrap();
        assert_eq!((s.yaml, s.long_fence_line), ("title: A\n", Some(3)));
        assert_eq!(split("---\ntitle: A\n---\n").unwrap().long_fence_line, None);
        assert!(split("--\ntitle: A\n---\n").is_err());
    }

    #[test]
    fn front_matter_splits_yaml_and_body() {
        let s = split("---\ntitle: A\n---\nBody\n").unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "Body\n");
        let s = split("---\r\ntitle: A\r\n---\r\nBody").unwrap();
        assert_eq!(s.yaml, "title: A\r\n");
        assert_eq!(s.body, "Body");
        let s = split("---\n---\n").unwrap();
        assert_eq!(s.yaml, "");
    }

    #[test]
    fn front_matter_missing_and_unterminated_are_named() {
        assert!(split("# Title\n")
            .unwrap_err()
            .message
            .contains("missing front matter"));
        assert!(split("---\ntitle: x\nbody")
            .unwrap_err()
            .message
            .contains("unterminated"));
        assert!(split("").unwrap_err().message.contains("empty"));
        assert!(split("  \n\n").unwrap_err().message.contains("empty"));
    }

    #[test]
    fn front_matter_toml_is_named() {
        let e = split("+++\ntitle = \"x\"\n+++\nbody\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("TOML"), "{e:?}");
        assert!(!e.message.contains("missing"), "{e:?}");
    }

    #[test]
    fn front_matter_closes_with_yaml_document_end() {
        let s = split("---\ntitle: A\n...\nBody\n").unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "Body\n");
        let s = split("---\r\ntitle: A\r\n... \r\nBody").unwrap();
        assert_eq!(s.body, "Body");
        // `...` opens nothing: only `---` starts front matter.
        assert!(split("...\ntitle: A\n...\n").is_err());
    }
}
