//! Limits on front matter checked before the YAML parser sees it: how deep it nests flow
//! collections (`[…]`, `{…}`), since the parser's time grows with the square of that depth
//! (`x: [[[[…` of 40 KB took 2.3 s, 150 KB 72 s), and its size, since the parser's time
//! and the tree it builds grow with the number of collections (4 MiB of `- ` or `? `
//! built a tree of 800 MB in 2 s). No article nests more than a few levels, or needs more
//! than a few KiB.

use super::front_matter::{Located, Split};

/// Front matter longer than this (bytes, fences excluded) is an error.
pub(crate) const MAX_FRONT_MATTER_BYTES: usize = 256 * 1024;

/// `Err` at the front matter's first line when it is longer than
/// [`MAX_FRONT_MATTER_BYTES`].
pub(crate) fn check_size(split: &Split<'_>) -> Result<(), Located> {
    if split.yaml.len() <= MAX_FRONT_MATTER_BYTES {
        return Ok(());
    }
    Err(Located {
        line: split.yaml_first_line,
        column: 1,
        message: format!(
            "front matter of {} KiB; the limit is {} KiB (the article's text belongs after the closing `---`)",
            split.yaml.len().div_ceil(1024),
            MAX_FRONT_MATTER_BYTES / 1024
        ),
    })
}

/// Flow collections nested deeper than this are an error. Real front matter nests two or
/// three (`authors: [{name: …}]`); at this depth the parser still takes microseconds.
const MAX_FLOW_DEPTH: usize = 64;

/// `Err` naming the line, column and top-level key where the flow collections of the front
/// matter nest deeper than [`MAX_FLOW_DEPTH`]. One pass, reading brackets as YAML does: a
/// `[` or `{` opens a collection only where a value starts (not inside a word like
/// `a[1]`, a quoted string, a comment or a `|`/`>` block of text).
pub(crate) fn check_flow_depth(split: &Split<'_>) -> Result<(), Located> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut key = "";
    // Lines indented deeper than this belong to a `|` or `>` block of text.
    let mut block_text_indent: Option<usize> = None;
    for (index, line) in split.yaml.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if quote.is_none() && depth == 0 {
            match block_text_indent {
                Some(at) if indent > at || line.trim().is_empty() => continue,
                _ => block_text_indent = None,
            }
            if indent == 0 {
                if let Some((name, _)) = line.split_once(':') {
                    key = name.trim();
                }
            }
        }
        // Where a value may start: after indentation, and after `- `, `? `, `: `, `[`, `{`
        // or `,`.
        let mut value_starts = quote.is_none();
        // A `-`, `?` or `:` that starts a value when a space follows.
        let mut indicator = false;
        let mut previous = ' ';
        let mut skip_next = false;
        for (column, c) in line.char_indices() {
            if std::mem::take(&mut skip_next) {
                continue;
            }
            if let Some(q) = quote {
                if c == q && !(q == '"' && previous == '\\') {
                    if q == '\'' && line[column + 1..].starts_with('\'') {
                        // `''` is a quote inside a single-quoted string.
                        skip_next = true;
                    } else {
                        quote = None;
                    }
                }
                // `\\` escapes itself: a `"` after it ends the string.
                previous = if previous == '\\' && c == '\\' {
                    ' '
                } else {
                    c
                };
                continue;
            }
            match c {
                '#' if matches!(previous, ' ' | '\t') || column == 0 => break,
                '"' | '\'' if value_starts => {
                    quote = Some(c);
                    value_starts = false;
                }
                '[' | '{' if value_starts || depth > 0 => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err(Located {
                            line: split.yaml_first_line + index,
                            column: line[..column].chars().count() + 1,
                            message: format!(
                                "`{key}` nests `[`/`{{` more than {MAX_FLOW_DEPTH} levels deep; no front matter needs that (the YAML parser would take minutes)"
                            ),
                        });
                    }
                    value_starts = true;
                }
                ']' | '}' if depth > 0 => {
                    depth -= 1;
                    value_starts = false;
                }
                ',' if depth > 0 => value_starts = true,
                '|' | '>' if value_starts && depth == 0 => {
                    block_text_indent = Some(indent);
                    break;
                }
                ' ' | '\t' => {
                    value_starts |= std::mem::take(&mut indicator);
                }
                '-' | '?' if value_starts => {
                    indicator = true;
                    value_starts = false;
                }
                ':' => {
                    indicator = true;
                    value_starts = false;
                }
                _ => {
                    indicator = false;
                    value_starts = false;
                }
            }
            previous = c;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(yaml: &str) -> Result<(), Located> {
        check_flow_depth(&Split {
            yaml,
            yaml_first_line: 2,
            body: "",
            long_fence_line: None,
        })
    }

    #[test]
    fn deep_flow_collections_are_an_error_at_their_key() {
        let deep = format!("title: t\nx: {}", "[".repeat(150_000));
        let started = std::time::Instant::now();
        let e = check(&deep).expect_err("too deep");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!((e.line, e.column), (3, 68), "{}", e.message);
        assert!(e.message.contains("`x` nests"), "{}", e.message);
        let deep = format!("x:\n  - {}", "{a: ".repeat(100));
        assert_eq!(check(&deep).expect_err("too deep").line, 3);
    }

    /// Shapes the YAML parser handles in linear time but with a node per few bytes: at
    /// the largest size a file may have, each is refused before the parser, at once.
    #[test]
    fn large_front_matter_is_an_error_before_the_parser() {
        const SIZE: usize = 4 * 1024 * 1024;
        for (name, yaml) in [
            ("- ", format!("x:\n  {}a", "- ".repeat(SIZE / 2))),
            ("? ", format!("x:\n  {}a", "? ".repeat(SIZE / 2))),
            ("[a],", format!("x: [{}]", "[a],".repeat(SIZE / 4))),
            (
                "nested",
                format!(
                    "x: [{}]",
                    format!("{}a{},", "[".repeat(60), "]".repeat(60)).repeat(SIZE / 122)
                ),
            ),
        ] {
            let started = std::time::Instant::now();
            let split = Split {
                yaml: &yaml,
                yaml_first_line: 2,
                body: "",
                long_fence_line: None,
            };
            let e = check_size(&split).expect_err(name);
            assert!(
                started.elapsed() < std::time::Duration::from_secs(1),
                "{name}"
            );
            assert_eq!((e.line, e.column), (2, 1), "{name}");
            assert!(e.message.contains("limit is 256 KiB"), "{}", e.message);
        }
        let fine = format!("title: t\ntags: [{}]", "tag, ".repeat(1000));
        assert!(check_size(&Split {
            yaml: &fine,
            yaml_first_line: 2,
            body: "",
            long_fence_line: None,
        })
        .is_ok());
    }

    #[test]
    fn brackets_that_are_text_do_not_count() {
        let many = "[".repeat(100);
        for yaml in [
            format!("title: Arrays {many}"),
            format!("title: \"{many}\""),
            format!("title: '{many} it''s'"),
            format!("title: t # {many}"),
            format!("summary: |\n  {many}\n  {many}\nnext: 1"),
            format!("summary: >-\n  {many}\n\n  {many}\n"),
            format!("tags: [a, \"{many}\", 'b']"),
            format!("authors: [{{name: \"x\\\"{many}\"}}]"),
            format!("title: a[{many}"),
        ] {
            assert!(check(&yaml).is_ok(), "{yaml}");
        }
        // Real nesting within the limit.
        let nested = format!("x: {}1{}", "[".repeat(64), "]".repeat(64));
        assert!(check(&nested).is_ok());
        let over = format!("x: {}1{}", "[".repeat(65), "]".repeat(65));
        assert!(check(&over).is_err());
    }
}
