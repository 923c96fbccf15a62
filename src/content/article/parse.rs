//! Parsing one file, in order: UTF-8 check, control characters out, front matter split
//! and read, then the fields built into an article. The first error ends it; warnings
//! gather along the way.

use std::path::Path;

use super::build::build_article;
use super::control_chars::remove_control_chars;
use super::mdx::{first_jsx, is_mdx};
use super::model::{ParseOptions, Parsed};
use super::visibility::is_listing_page;
use crate::config::Config;
use crate::content::front_matter::{self, Located};
use crate::diag::{self, Diagnostic};

/// Parses one article from its bytes. `source` is the path relative to the content root.
pub(crate) fn parse_article(
    source: &str,
    bytes: &[u8],
    config: &Config,
    options: ParseOptions,
) -> Parsed {
    let path = Path::new(source);
    // Section and home pages (SPEC §10): not articles, and no error either.
    if is_listing_page(source) {
        return Parsed::default();
    }
    let mut diagnostics = Vec::new();
    let fail = |mut diagnostics: Vec<Diagnostic>, at: Located| {
        diagnostics.push(Diagnostic::error(path, at.line, at.column, at.message));
        Parsed {
            article: None,
            diagnostics,
        }
    };

    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            // Report the position of the first bad byte; columns count the valid chars before it.
            let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
            let (line, column) = diag::line_col(&valid, valid.len());
            return fail(
                diagnostics,
                Located {
                    line,
                    column,
                    message: "file is not valid UTF-8 (re-save it as UTF-8)".into(),
                },
            );
        }
    };
    let cleaned = remove_control_chars(text, path, &mut diagnostics);
    let text: &str = &cleaned;

    let split = match front_matter::split(text) {
        Ok(s) => s,
        Err(at) => return fail(diagnostics, at),
    };
    if let Some(line) = split.long_fence_line {
        diagnostics.push(Diagnostic::warning(
            path,
            line,
            1,
            "front matter fence of more than three dashes, read as `---`",
        ));
    }
    if is_mdx(source) {
        if let Some((line, column)) = first_jsx(split.body) {
            let body_first_line = text[..text.len() - split.body.len()].matches('\n').count() + 1;
            diagnostics.push(Diagnostic::warning(
                path,
                body_first_line + line - 1,
                column,
                "MDX with JSX (components, imports) is not published: what it shows cannot be known without running it",
            ));
            return Parsed {
                article: None,
                diagnostics,
            };
        }
    }
    // Hugo's and Pelican's keys are case-insensitive: `Draft: true` is a draft.
    let respelled = front_matter::canonical_keys(split.yaml);
    let split = match &respelled {
        Some(yaml) => front_matter::Split { yaml, ..split },
        None => split,
    };
    let read = if options.report_unknown_fields {
        front_matter::parse_yaml_listing_unknown(&split)
    } else {
        front_matter::parse_yaml(&split).map(|raw| (raw, Vec::new()))
    };
    let (raw, unknown) = match read {
        Ok(read) => read,
        Err(at) => return fail(diagnostics, at),
    };
    for field in unknown {
        diagnostics.push(Diagnostic::warning(
            path,
            field.line,
            field.column,
            format!("unknown front matter field `{}` (ignored)", field.name),
        ));
    }
    match build_article(source, &split, raw, config, options, &mut diagnostics) {
        Ok(article) => Parsed {
            article: Some(article),
            diagnostics,
        },
        Err(at) => fail(diagnostics, at),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn article_bad_input_is_located() {
        let d = err("a.md", b"---\ntitle: x\ndate: 2024-02-30\n---\n");
        assert_eq!((d.line, d.column), (3, 1), "{d}");
        assert!(d.message.contains("2024-02-30"), "{d}");
        let d = err("a.md", b"---\ndate: 2024-02-03\n---\n");
        assert!(d.message.contains("title"), "{d}");
        let d = err("a.md", b"---\ntitle: x\ndate: 2024-01-01\n\xff\xfe\n---\n");
        assert_eq!(d.line, 4, "{d}");
        assert!(d.message.contains("UTF-8"), "{d}");
        let d = err("2024-02-30-x.md", b"---\ntitle: x\n---\n");
        assert!(d.message.contains("calendar"), "{d}");
        let d = err(
            "a.md",
            b"---\ntitle: x\ndate: 2024-01-01\nlink: /relative\n---\n",
        );
        assert_eq!(d.line, 4, "{d}");
    }

    #[test]
    fn escaped_control_characters_in_front_matter_are_errors_naming_the_key() {
        for (field, yaml) in [
            ("title", "title: \"a\\x01b\""),
            ("title", "title: \"a\\uFFFFb\""),
            ("summary", "summary: \"x\\x1Fy\""),
            ("id", "id: \"tag:example.com,2024:\\x07\""),
            ("tags[1]", "tags: [ok, \"b\\x1Fad\"]"),
            ("author", "author: \"Ann\\x02\""),
            ("authors[0].name", "authors: [{name: \"Bo\\x02b\"}]"),
        ] {
            let title = if field == "title" { "" } else { "title: T\n" };
            let text = format!("---\n{title}{yaml}\ndate: 2024-01-01\n---\nBody.\n");
            let d = err("a.md", text.as_bytes()).to_string();
            assert!(
                d.contains(field) && d.contains("feeds cannot carry"),
                "{yaml}: {d}"
            );
        }
    }
}
