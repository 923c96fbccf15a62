//! `.mdx` posts (Astro, Docusaurus, Next.js): Markdown that may hold JSX. Without JSX the
//! file is Markdown and is read as such; with it, what the components would show is
//! unknown, so the post is skipped with a warning at the first JSX line ([`first_jsx`]).

/// True for an `.mdx` file name.
pub(super) fn is_mdx(source: &str) -> bool {
    source.to_ascii_lowercase().ends_with(".mdx")
}

/// The 1-based line (within `body`) and column of the first JSX or ESM construct outside
/// code: an `import`/`export` statement, a component tag (`<Chart …>`, `</Chart>`), a
/// fragment (`<>`) or an expression comment (`{/* … */}`). Lowercase HTML tags are Markdown.
pub(super) fn first_jsx(body: &str) -> Option<(usize, usize)> {
    let mut fence: Option<(char, usize)> = None;
    for (n, line) in body.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        if let Some(c) = marker {
            let run = trimmed.chars().take_while(|x| *x == c).count();
            if run >= 3 {
                match fence {
                    None => fence = Some((c, run)),
                    Some((open, len)) if open == c && run >= len => fence = None,
                    Some(_) => {}
                }
                continue;
            }
        }
        if fence.is_some() || line.starts_with("    ") || line.starts_with('\t') {
            continue;
        }
        if line.starts_with("import ") || line.starts_with("export ") {
            return Some((n + 1, 1));
        }
        if let Some(column) = jsx_in_line(line) {
            return Some((n + 1, column));
        }
    }
    None
}

/// The 1-based column of a component tag, fragment or `{/*` on one line, outside code spans.
fn jsx_in_line(line: &str) -> Option<usize> {
    let mut in_span = false;
    let mut column = 0;
    for (i, c) in line.char_indices() {
        column += 1;
        if c == '`' {
            in_span = !in_span;
            continue;
        }
        if in_span {
            continue;
        }
        let rest = &line[i + c.len_utf8()..];
        let component = |s: &str| s.starts_with(|x: char| x.is_ascii_uppercase());
        let found = match c {
            '<' => {
                rest.starts_with('>')
                    || component(rest)
                    || rest.strip_prefix('/').is_some_and(component)
            }
            '{' => rest.starts_with("/*"),
            _ => false,
        };
        if found {
            return Some(column);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::first_jsx;

    #[test]
    fn mdx_without_jsx_is_markdown_and_with_jsx_is_skipped_with_a_warning() {
        let a = ok(
            "posts/plain.mdx",
            "---\ntitle: T\ndate: 2024-01-01\n---\nSome *text* with <em>html</em> and `<Code/>`.\n\n```jsx\n<Chart data={x} />\nimport X from 'y'\n```\n",
        );
        assert_eq!(a.slug, "plain");
        let p = parse(
            "posts/rich.mdx",
            "---\ntitle: T\ndate: 2024-01-01\n---\nIntro.\n\n<Chart data={x} />\n",
        );
        assert!(p.article.is_none());
        let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("posts/rich.mdx:7:1: warning: "), "{w:?}");
        assert!(!p.diagnostics[0].is_error());
    }

    #[test]
    fn jsx_is_found_outside_code_only() {
        assert_eq!(first_jsx("import A from 'a'\n"), Some((1, 1)));
        assert_eq!(first_jsx("text\n  </Box>\n"), Some((2, 3)));
        assert_eq!(first_jsx("a <> b\n"), Some((1, 3)));
        assert_eq!(first_jsx("x {/* c */}\n"), Some((1, 3)));
        assert_eq!(
            first_jsx("a <b>c</b> `<X/>`\n    <Y/>\n~~~\n<Z/>\n~~~\n"),
            None
        );
    }
}
