//! A limit on how deep front matter nests flow collections (`[…]`, `{…}`), checked before
//! the YAML parser sees it: the parser's time grows with the square of that depth
//! (`x: [[[[…` of 40 KB took 2.3 s, 150 KB 72 s), and no article nests more than a few.

use super::front_matter::{Located, Split};

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
