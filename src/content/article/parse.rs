//! Parsing one file, in order: UTF-8 check, control characters out, front matter split
//! and read, then the fields built into an article. The first error ends it; warnings
//! gather along the way.

use std::path::Path;
use std::sync::Arc;

use super::build::build_article;
use super::control_chars::remove_control_chars;
use super::mdx::{first_jsx, is_mdx};
use super::model::{Article, ParseOptions, Parsed};
use super::visibility::is_listing_page;
use crate::config::Config;
use crate::content::flow_depth;
use crate::content::front_matter::{self, Located};
use crate::content::render;
use crate::content::templates;
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
    if let Err(at) =
        flow_depth::check_flow_depth(&split).and_then(|()| flow_depth::check_size(&split))
    {
        return fail(diagnostics, at);
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
    let checked = build_article(source, &split, raw, config, options, &mut diagnostics).and_then(
        |mut article| {
            let body = templates::expand_article_body(
                &mut article,
                split.body,
                text,
                config,
                &mut diagnostics,
            );
            check_rendered_size(article, &body, config, options)
        },
    );
    match checked {
        Ok(mut article) => {
            article.fingerprint = fingerprint(source, bytes);
            Parsed {
                article: Some(article),
                diagnostics,
            }
        }
        Err(at) => fail(diagnostics, at),
    }
}

/// What identifies this version of the file's article: its path and bytes (the site data
/// files an article also depends on are read once per process). A fast hash: it only has
/// to tell versions of one file apart, never resist an attacker.
fn fingerprint(source: &str, bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    source.hash(&mut hasher);
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// Renders now a body that could render to more than the bound ([`render::may_exceed`]:
/// only large bodies, or long permalinks), so that one over it is an error here — not
/// published, the daemon keeps its last good version, `check` reports it — rather than at
/// the first feed that would carry it. The rendering is kept for the feeds with the body,
/// even by a metadata-only parse: the caller decides whether to keep them (rendering such a
/// body again is what would cost, `content::load_all_within`).
fn check_rendered_size(
    mut article: Article,
    body: &str,
    config: &Config,
    options: ParseOptions,
) -> Result<Article, Located> {
    let max_bytes = render::max_rendered_bytes(config.content.max_file_bytes);
    // Footnote ids carry the prefix, encoded (up to 3 bytes a character).
    let url_len = article.permalink.as_str().len() + 3 * article.footnote_prefix().len() + 4;
    if !render::may_exceed(body.len(), url_len, max_bytes) {
        return Ok(article);
    }
    match article.render(body, config) {
        Ok(rendered) => {
            if !options.keep_body {
                article.body = Arc::from(body);
                article.body_loaded = true;
            }
            // Just built: nothing rendered it yet.
            let _ = article.rendered.set(rendered);
            Ok(article)
        }
        Err(too_large) => Err(Located {
            line: 1,
            column: 1,
            message: too_large.to_string(),
        }),
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

    #[test]
    fn article_rendering_past_the_bound_is_an_error_naming_the_limit() {
        // 4 MiB of footnote references rendered to 100 MB; the bound (2 × max_file_bytes)
        // stops it at 8 MiB.
        let started = std::time::Instant::now();
        let text = format!(
            "---\ntitle: t\ndate: 2024-01-01\n---\n{}\n\n[^a]: The note.\n",
            "[^a]".repeat(1024 * 1024 - 16)
        );
        let e = err("notes.md", text.as_bytes());
        assert_eq!((e.line, e.column), (1, 1), "{e}");
        assert!(
            e.message.contains("8388608 bytes") && e.message.contains("max_file_bytes"),
            "{e}"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        // A smaller bound, from a smaller input cap.
        let mut small = config();
        small.content.max_file_bytes = 1024;
        let text = format!(
            "---\ntitle: t\ndate: 2024-01-01\n---\n{}\n\n[^a]: n\n",
            "[^a]".repeat(200)
        );
        let p = parse_article("a.md", text.as_bytes(), &small, ParseOptions::default());
        assert!(p.article.is_none(), "{:?}", p.diagnostics);
        assert!(
            p.diagnostics[0].message.contains("2048 bytes"),
            "{:?}",
            p.diagnostics
        );
    }

    #[test]
    fn article_title_with_unfinished_tags_is_read_in_linear_time() {
        // 100 KB took a minute: every `<` was read as a tag to the end of the title. As
        // long as front matter may be.
        let started = std::time::Instant::now();
        let title = format!("</em>{}", "<a ".repeat(250 * 1024 / 3));
        let a = ok(
            "t.md",
            &format!("---\ntitle: \"{title}\"\ndate: 2024-01-01\n---\nb\n"),
        );
        assert!(a.title.starts_with("<a <a"), "{:.20}", a.title);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn article_deeply_nested_front_matter_is_an_error_before_the_yaml_parser() {
        // 150 KB took 72 s in the YAML parser; 4 MiB is refused at once.
        let started = std::time::Instant::now();
        let text = format!(
            "---\ntitle: t\ndate: 2024-01-01\nx: {}\n---\nbody\n",
            "[".repeat(4 * 1024 * 1024)
        );
        let e = err("deep.md", text.as_bytes());
        assert_eq!((e.line, e.column), (4, 68), "{e}");
        assert!(e.message.contains("`x` nests"), "{e}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn article_front_matter_over_its_size_limit_is_an_error_before_the_yaml_parser() {
        // 4 MiB of nested `? ` took 2 s and 800 MB in the YAML parser.
        let started = std::time::Instant::now();
        let text = format!(
            "---\ntitle: t\ndate: 2024-01-01\nx:\n  {}a\n---\nbody\n",
            "? ".repeat(2 * 1024 * 1024)
        );
        let e = err("big.md", text.as_bytes());
        assert_eq!((e.line, e.column), (2, 1), "{e}");
        assert!(e.message.contains("the limit is 256 KiB"), "{e}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn article_large_body_within_the_bound_is_rendered_once_while_parsing() {
        let mut small = config();
        small.content.max_file_bytes = 64 * 1024;
        let text = format!(
            "---\ntitle: t\ndate: 2024-01-01\n---\n{}",
            "Plain prose. ".repeat(2_000)
        );
        let a = parse_article("a.md", text.as_bytes(), &small, ParseOptions::default())
            .article
            .expect("within the bound");
        assert!(a.rendered.get().is_some(), "rendered while parsing");
        assert!(a
            .rendered(&small)
            .content_html
            .starts_with("<p>Plain prose."));
        // An ordinary article is left for the feeds to render.
        let a = ok("b.md", "---\ntitle: t\ndate: 2024-01-01\n---\nShort.\n");
        assert!(a.rendered.get().is_none());
    }
}
