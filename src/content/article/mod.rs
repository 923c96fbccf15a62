//! One article: from a file's bytes to a validated [`Article`] (pure: no IO here).
//!
//! [`parse_article`] runs the stages in order: control characters out ([`control_chars`]),
//! front matter split and read (`content::front_matter`), then [`build`] turns the fields
//! into an article, with its identity ([`identity`]: slug, section, id), plain-text title
//! and summary ([`plain_text`]) and lead image ([`images`]).

mod build;
mod control_chars;
mod identity;
mod images;
mod plain_text;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, FixedOffset, Utc};
use url::Url;

use super::front_matter::{self, Located};
use super::render::{self, BodyKind, RenderedBody};
use crate::config::Config;
use crate::diag::{self, Diagnostic};
use crate::person::Person;
use build::build_article;
use control_chars::remove_control_chars;

/// A lead image, absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadImage {
    pub url: Url,
    pub alt: Option<String>,
    pub credit: Option<String>,
}

/// A validated article. Its rendered HTML is computed on first use and cached, so only
/// articles that reach some output are ever rendered.
#[derive(Debug)]
pub struct Article {
    /// Path relative to the content root, `/`-separated on every platform.
    pub source: String,
    pub title: String,
    pub date: DateTime<FixedOffset>,
    pub updated: DateTime<FixedOffset>,
    pub draft: bool,
    pub slug: String,
    pub id: String,
    pub permalink: Url,
    /// For link posts: the external page the entry points at.
    pub link: Option<Url>,
    pub summary: Option<String>,
    pub authors: Vec<Person>,
    pub tags: Vec<String>,
    pub image: Option<LeadImage>,
    pub lang: Option<String>,
    /// The source body; empty when parsed with `keep_body: false` (see [`ParseOptions`]).
    pub body: Arc<str>,
    pub body_kind: BodyKind,
    /// False when the body was dropped after parsing (a one-shot `build` re-reads the few
    /// articles that reach the output instead of holding every body in memory).
    pub body_loaded: bool,
    rendered: OnceLock<RenderedBody>,
}

impl Article {
    /// Published: not a draft and not dated in the future (SPEC §1.1).
    pub(crate) fn is_published(&self, now: DateTime<Utc>) -> bool {
        !self.draft && self.date <= now
    }

    /// A copy without the body, for articles outside every output: the store keeps their
    /// metadata and reads the body again from disk if they ever reach an output.
    pub(crate) fn without_body(&self) -> Article {
        Article {
            source: self.source.clone(),
            title: self.title.clone(),
            date: self.date,
            updated: self.updated,
            draft: self.draft,
            slug: self.slug.clone(),
            id: self.id.clone(),
            permalink: self.permalink.clone(),
            link: self.link.clone(),
            summary: self.summary.clone(),
            authors: self.authors.clone(),
            tags: self.tags.clone(),
            image: self.image.clone(),
            lang: self.lang.clone(),
            body: Arc::from(""),
            body_kind: self.body_kind,
            body_loaded: false,
            rendered: OnceLock::new(),
        }
    }

    /// The URL readers should open: the link post's target, else the permalink.
    pub(crate) fn entry_link(&self) -> &Url {
        self.link.as_ref().unwrap_or(&self.permalink)
    }

    /// Summary and full content HTML, rendered once per article version.
    pub(crate) fn rendered(&self, config: &Config) -> &RenderedBody {
        self.rendered.get_or_init(|| {
            let prefix: String = self
                .slug
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            render::render_body(
                &self.body,
                self.body_kind,
                self.summary.as_deref(),
                &self.permalink,
                &prefix,
                config.content.summary_length,
            )
        })
    }
}

/// The outcome of parsing one file: maybe an article, and any problems (warnings may come
/// with an article; an error never does).
#[derive(Debug, Default)]
pub struct Parsed {
    pub article: Option<Article>,
    pub diagnostics: Vec<Diagnostic>,
}

/// How much to parse and keep.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParseOptions {
    /// `check --strict`: report front matter fields the format does not know.
    pub report_unknown_fields: bool,
    /// Keep the body in memory (the daemon does, to render it later and to keep the last
    /// good version of a file that breaks); `build` and `check` need only the metadata.
    pub keep_body: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            report_unknown_fields: false,
            keep_body: true,
        }
    }
}

/// Parses one article from its bytes. `source` is the path relative to the content root.
pub(crate) fn parse_article(
    source: &str,
    bytes: &[u8],
    config: &Config,
    options: ParseOptions,
) -> Parsed {
    let path = Path::new(source);
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
    use super::*;

    fn config() -> Config {
        let mut c = Config::defaults();
        c.site.base_url = Url::parse("https://example.com/blog/").unwrap();
        c
    }

    fn parse(source: &str, text: &str) -> Parsed {
        parse_article(source, text.as_bytes(), &config(), ParseOptions::default())
    }

    fn ok(source: &str, text: &str) -> Article {
        let p = parse(source, text);
        p.article.unwrap_or_else(|| panic!("{:?}", p.diagnostics))
    }

    fn err(source: &str, text: &[u8]) -> Diagnostic {
        let p = parse_article(source, text, &config(), ParseOptions::default());
        assert!(p.article.is_none(), "expected an error for {source}");
        p.diagnostics.into_iter().find(|d| d.is_error()).unwrap()
    }

    #[test]
    fn article_identity_from_file_name() {
        let a = ok(
            "posts/2024-03-27-terror-in-moscow.md",
            "---\ntitle: T\n---\nbody\n",
        );
        assert_eq!(a.slug, "terror-in-moscow");
        assert_eq!(a.date.to_rfc3339(), "2024-03-27T00:00:00+00:00");
        assert_eq!(
            a.permalink.as_str(),
            "https://example.com/blog/posts/terror-in-moscow/"
        );
        assert_eq!(a.id, "tag:example.com,2024-03-27:terror-in-moscow");
    }

    #[test]
    fn article_page_bundle_is_named_by_its_folder() {
        let body = "---\ntitle: T\ndate: 2023-05-05\n---\n![map](map.png)\n";
        let a = ok("posts/first-trip/index.md", body);
        assert_link_and_id(
            &a,
            "https://example.com/blog/posts/first-trip/",
            "tag:example.com,2023-05-05:first-trip",
        );
        let b = ok("posts/second-trip/index.md", body);
        assert_ne!(a.permalink, b.permalink);
        // Deeper bundles and other extensions alike.
        assert_eq!(ok("posts/2023/trip/index.html", body).slug, "trip");
        // Directly in a section or at the root: the file-name rule.
        assert_eq!(ok("posts/index.md", body).slug, "index");
        assert_eq!(ok("index.md", body).slug, "index");
        // Only `index` itself: `_index.md` and `indexes.md` are ordinary files.
        assert_eq!(ok("posts/trip/_index.md", body).slug, "_index");
        assert_eq!(ok("posts/trip/notes.md", body).slug, "notes");
        // A `slug` field still wins.
        let c = ok(
            "posts/first-trip/index.md",
            "---\ntitle: T\ndate: 2023-05-05\nslug: own\n---\n",
        );
        assert_eq!(c.slug, "own");
    }

    #[test]
    fn article_page_bundle_folder_date_prefix() {
        let a = ok(
            "posts/2024-05-05-first-trip/index.md",
            "---\ntitle: T\n---\n",
        );
        assert_eq!(a.slug, "first-trip");
        assert_eq!(a.date.to_rfc3339(), "2024-05-05T00:00:00+00:00");
        // A `date` field wins over the folder's date, as over a file name's.
        let a = ok(
            "posts/2024-05-05-first-trip/index.md",
            "---\ntitle: T\ndate: 2024-06-01\n---\n",
        );
        assert_eq!(a.date.to_rfc3339(), "2024-06-01T00:00:00+00:00");
        let d = err("posts/trip/index.md", b"---\ntitle: T\n---\n");
        assert!(d.message.contains("bundle folder"), "{d}");
        let d = err("posts/2024-02-30-trip/index.md", b"---\ntitle: T\n---\n");
        assert!(d.message.contains("folder name is not a calendar"), "{d}");
        let d = err(
            "posts/%2e%2e/index.md",
            b"---\ntitle: T\ndate: 2024-01-01\n---\n",
        );
        assert!(d.message.starts_with("folder name gives the slug"), "{d}");
    }

    #[test]
    fn article_id_is_stable_across_title_folder_and_base_path() {
        let a = ok("a/x.md", "---\ntitle: One\ndate: 2024-01-02\n---\nbody");
        let b = ok(
            "b/x.md",
            "---\ntitle: Two\ndate: 2024-01-02 10:00\ntags: [t]\n---\nother",
        );
        assert_eq!(a.id, b.id);
        let mut c = config();
        c.site.base_url = Url::parse("https://example.com/").unwrap();
        let p = parse_article(
            "x.md",
            b"---\ntitle: T\ndate: 2024-01-02\n---\n",
            &c,
            ParseOptions::default(),
        );
        assert_eq!(p.article.unwrap().id, a.id);
    }

    #[test]
    fn article_root_files_collapse_empty_section() {
        let a = ok("hello.md", "---\ntitle: T\ndate: 2024-01-02\n---\n");
        assert_eq!(a.permalink.as_str(), "https://example.com/blog/hello/");
    }

    #[test]
    fn article_fields_are_read() {
        let a = ok(
            "notes/x.md",
            "---\ntitle: \"A: <b> & c\"\ndate: 2024-01-02T10:00:00+02:00\nupdated: 2024-02-01\nslug: custom\nid: urn:example:1\nsummary: Short.\nauthor: {name: Ada, email: ada@example.com}\ntags: [rust, feeds, rust]\nimage: pic.jpg\nimage_alt: A pic\nlang: de\nlink: https://elsewhere.example/page\n---\nbody",
        );
        assert_eq!(a.title, "A: <b> & c");
        assert_eq!(a.slug, "custom");
        assert_eq!(a.id, "urn:example:1");
        assert_eq!(a.tags, vec!["rust", "feeds"]);
        assert_eq!(a.authors[0].email.as_deref(), Some("ada@example.com"));
        assert_eq!(
            a.image.as_ref().unwrap().url.as_str(),
            "https://example.com/blog/notes/custom/pic.jpg"
        );
        assert_eq!(a.entry_link().as_str(), "https://elsewhere.example/page");
        assert_eq!(a.updated.to_rfc3339(), "2024-02-01T00:00:00+00:00");
    }

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
    fn article_control_characters_are_removed_with_a_warning() {
        let p = parse(
            "a.md",
            "---\ntitle: Bell\u{7}s\ndate: 2024-01-01\n---\nNUL\u{0} here\n",
        );
        let a = p.article.unwrap();
        assert_eq!(a.title, "Bells");
        assert!(!a.body.contains('\u{0}'));
        let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(
            w.iter().any(|d| d.starts_with("a.md:2:12: warning")),
            "{w:?}"
        );
        assert!(
            w.iter().any(|d| d.starts_with("a.md:5:4: warning")),
            "{w:?}"
        );
    }

    #[test]
    fn article_c1_controls_and_noncharacters_are_removed_with_a_warning() {
        let p = parse(
            "a.md",
            "---\ntitle: Next\u{85}Line\ndate: 2024-01-01\n---\nDEL\u{7F} and \u{FDD0}x\n",
        );
        let a = p.article.unwrap_or_else(|| panic!("{:?}", p.diagnostics));
        assert_eq!(a.title, "NextLine");
        assert_eq!(&*a.body, "DEL and x\n");
        let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(
            w.iter().any(|d| d.contains("control character U+0085")),
            "{w:?}"
        );
        assert!(w.iter().any(|d| d.contains("noncharacter U+FDD0")), "{w:?}");
    }

    #[test]
    fn article_many_removed_characters_are_listed_ten_then_counted() {
        let body = "x\u{1}y\n".repeat(25);
        let p = parse(
            "a.md",
            &format!("---\ntitle: T\ndate: 2024-01-01\n---\n{body}"),
        );
        assert!(p.article.is_some());
        let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(w.len(), 11, "{w:?}");
        assert!(
            w[0].starts_with("a.md:5:2: warning: control character U+0001"),
            "{w:?}"
        );
        assert!(w[9].starts_with("a.md:14:2: warning"), "{w:?}");
        assert!(w[10].contains("15 more characters"), "{w:?}");
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
    fn article_updated_before_date_warns() {
        let p = parse(
            "a.md",
            "---\ntitle: x\ndate: 2024-02-01\nupdated: 2024-01-01\n---\n",
        );
        assert!(p.article.is_some());
        assert!(p.diagnostics[0].message.contains("earlier"));
        assert_eq!(p.diagnostics[0].line, 4);
    }

    #[test]
    fn article_wordpress_titles_and_explicit_summaries_are_plain_text() {
        let a = ok(
            "a.md",
            "---\ntitle: \"Don&#8217;t Panic: Bread &amp; Butter\"\ndate: 2024-01-01\ndescription: \"A <strong>bold</strong> claim &amp; more\"\n---\nBody.\n",
        );
        assert_eq!(a.title, "Don\u{2019}t Panic: Bread & Butter");
        assert_eq!(a.summary.as_deref(), Some("A bold claim & more"));
        let b = ok(
            "b.md",
            "---\ntitle: \"Parsing <T> & friends\"\ndate: 2024-01-01\nexcerpt: \"With <em>markup</em> & an ampersand.\"\n---\n",
        );
        assert_eq!(b.title, "Parsing <T> & friends");
        assert_eq!(b.summary.as_deref(), Some("With markup & an ampersand."));
        let c = ok(
            "c.md",
            "---\ntitle: T\ndate: 2024-01-01\nsummary: \"Use <div> &amp; AT&T\"\n---\n",
        );
        assert_eq!(c.summary.as_deref(), Some("Use <div> & AT&T"));
        // A summary that is only markup is no summary: the body's takes over.
        let d = ok(
            "d.md",
            "---\ntitle: T\ndate: 2024-01-01\nsummary: \"<em> </em>\"\n---\n",
        );
        assert_eq!(d.summary, None);
    }

    #[test]
    fn article_other_generators_field_names() {
        let a = ok(
            "a.md",
            "---\ntitle: J\ndate: 2024-01-01\npublished: false\ndescription: Desc.\nlastmod: 2024-02-01\ntags: [a]\ncategories: [b, a]\n---\nx",
        );
        assert!(a.draft);
        assert_eq!(a.summary.as_deref(), Some("Desc."));
        assert_eq!(a.updated.to_rfc3339(), "2024-02-01T00:00:00+00:00");
        assert_eq!(a.tags, vec!["a", "b"]);
        let b = ok("b.md", "---\ntitle: K\ndate: 2024-01-01\nsummary: S.\ndescription: D.\npublished: true\n---\nx");
        assert!(!b.draft);
        assert_eq!(b.summary.as_deref(), Some("S."));
    }

    #[test]
    fn article_numbers_keep_their_spelling() {
        let p = parse(
            "notes/x.md",
            "---\ntitle: 3.10  # the release\ndate: 2024-01-02\nslug: 1.20\nsummary: 2e3\ntags: [python, 3.10, 0x1F, 2e3, .inf, 2024]\nauthor: 1.50\n---\n",
        );
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let a = p.article.unwrap();
        assert_eq!(a.title, "3.10");
        assert_link_and_id(
            &a,
            "https://example.com/blog/notes/1.20/",
            "tag:example.com,2024-01-02:1.20",
        );
        assert_eq!(a.summary.as_deref(), Some("2e3"));
        assert_eq!(
            a.tags,
            vec!["python", "3.10", "0x1F", "2e3", ".inf", "2024"]
        );
        assert_eq!(a.authors[0].name, "1.50");
    }

    #[test]
    fn article_numbers_whose_spelling_is_lost_warn() {
        let p = parse(
            "a.md",
            "---\ntitle: 1984\ndate: 2024-01-02\nauthor: [Ada, 3.10, 1984]\ntags:\n  0x1F\n---\n",
        );
        let a = p.article.unwrap();
        assert_eq!(a.title, "1984");
        let names: Vec<&str> = a.authors.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Ada", "3.1", "1984"]);
        assert_eq!(a.tags, vec!["31"]);
        let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            w,
            vec![
                "a.md:4:1: warning: `author`: 3.10 was read as the number 3.1; quote it (\"3.10\") to keep it as written",
                "a.md:5:1: warning: `tags`: 0x1F was read as the number 31; quote it (\"0x1F\") to keep it as written",
            ]
        );
    }

    #[test]
    fn article_drafts_folder_and_publish_false_are_drafts() {
        let body = "---\ntitle: T\ndate: 2024-01-01\n---\n";
        for source in [
            "_drafts/a.md",
            "posts/_drafts/a.md",
            "blog/x/_drafts/y/a.md",
        ] {
            assert!(ok(source, body).draft, "{source}");
        }
        // A file named like the folder, or a folder that only contains the name, is not one.
        for source in [
            "_drafts.md",
            "posts/_drafts.md",
            "my_drafts/a.md",
            "_Drafts2/a.md",
        ] {
            assert!(!ok(source, body).draft, "{source}");
        }
        // The folder wins over the file's own word.
        let a = ok(
            "_drafts/a.md",
            "---\ntitle: T\ndate: 2024-01-01\ndraft: false\npublished: true\n---\n",
        );
        assert!(a.draft);
        let fm = |yaml: &str| format!("---\ntitle: T\ndate: 2024-01-01\n{yaml}\n---\n");
        assert!(ok("a.md", &fm("publish: false")).draft);
        assert!(!ok("a.md", &fm("publish: true")).draft);
        assert!(ok("a.md", &fm("publish: true\ndraft: true")).draft);
    }

    #[test]
    fn article_astro_and_pelican_field_names() {
        let a = ok(
            "a.md",
            "---\ntitle: A\npubDate: 2024-01-01\nupdatedDate: 2024-02-01\ntags: [x]\ncategory: Web Development\n---\n",
        );
        assert_eq!(a.date.to_rfc3339(), "2024-01-01T00:00:00+00:00");
        assert_eq!(a.updated.to_rfc3339(), "2024-02-01T00:00:00+00:00");
        assert_eq!(a.tags, vec!["x", "Web Development"]);
        let p = parse(
            "b.md",
            "---\ntitle: P\ndate: 2024-01-01\nmodified: 2024-03-01\ncategory: [a, b c]\n---\n",
        );
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let b = p.article.unwrap();
        assert_eq!(b.updated.to_rfc3339(), "2024-03-01T00:00:00+00:00");
        assert_eq!(b.tags, vec!["a", "b c"]);
        // `date` wins over `pubDate`, with a warning at `pubDate`.
        let p = parse(
            "c.md",
            "---\ntitle: C\npubDate: 2023-01-01\ndate: 2024-01-01\n---\n",
        );
        assert_eq!(
            p.article.unwrap().date.to_rfc3339(),
            "2024-01-01T00:00:00+00:00"
        );
        let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            w,
            vec!["c.md:3:1: warning: `pubDate` is ignored: `date` is given"]
        );
        // Errors and warnings name the key written.
        let d = err("d.md", b"---\ntitle: D\npubDate: 2024-02-30\n---\n");
        assert_eq!(d.line, 3, "{d}");
        assert!(d.message.starts_with("`pubDate`:"), "{d}");
        for key in ["updatedDate", "modified"] {
            let text = format!("---\ntitle: E\ndate: 2024-01-01\n{key}: nope\n---\n");
            let d = err("e.md", text.as_bytes());
            assert_eq!(d.line, 4, "{d}");
            assert!(d.message.starts_with(&format!("`{key}`:")), "{d}");
            let text = format!("---\ntitle: E\ndate: 2024-02-01\n{key}: 2024-01-01\n---\n");
            let p = parse("e.md", &text);
            assert!(p.diagnostics[0]
                .message
                .starts_with(&format!("`{key}` is earlier")));
        }
        // `updated` wins over the other names for it.
        let f = ok(
            "f.md",
            "---\ntitle: F\ndate: 2024-01-01\nmodified: 2024-03-01\nupdated: \"\"\nlastmod: 2024-02-01\n---\n",
        );
        assert_eq!(f.updated.to_rfc3339(), "2024-02-01T00:00:00+00:00");
    }

    #[test]
    fn article_enclosure_is_named_as_not_written() {
        for yaml in [
            "enclosure: episode-1.mp3",
            "enclosure:\n  url: https://cdn.example.com/e1.mp3\n  length: 1234\n  type: audio/mpeg",
        ] {
            let text = format!("---\ntitle: T\ndate: 2024-01-01\n{yaml}\n---\n");
            let p = parse("a.md", &text);
            assert!(p.article.is_some());
            let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
            assert_eq!(w.len(), 1, "{w:?}");
            assert!(
                w[0].starts_with("a.md:4:1: warning: `enclosure` is not written to the feeds yet"),
                "{w:?}"
            );
        }
        let p = parse("a.md", "---\ntitle: T\ndate: 2024-01-01\nenclosure:\n---\n");
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    }

    #[test]
    fn article_tags_and_categories_as_one_string() {
        let tags = |yaml: &str| {
            ok(
                "a.md",
                &format!("---\ntitle: T\ndate: 2024-01-01\n{yaml}\n---\n"),
            )
            .tags
        };
        // Jekyll: a categories string is space-separated.
        assert_eq!(
            tags("categories: ruby programming"),
            vec!["ruby", "programming"]
        );
        assert_eq!(tags("categories: \"  a\tb  \""), vec!["a", "b"]);
        // A tags string is split on commas only; a space stays inside the tag.
        assert_eq!(
            tags("tags: \"rust, async,, tokio ,\""),
            vec!["rust", "async", "tokio"]
        );
        assert_eq!(tags("tags: machine learning"), vec!["machine learning"]);
        assert_eq!(tags("tags: solo"), vec!["solo"]);
        // Lists are taken as written, even with commas or spaces in an item.
        assert_eq!(tags("tags: [\"a, b\", c d]"), vec!["a, b", "c d"]);
        assert_eq!(tags("categories: [web dev]"), vec!["web dev"]);
        // Both together, duplicates dropped.
        assert_eq!(
            tags("tags: \"rust, web\"\ncategories: web rust jekyll"),
            vec!["rust", "web", "jekyll"]
        );
    }

    /// The id's specific part and the link's last segment name the slug the same way.
    fn assert_link_and_id(a: &Article, link: &str, id: &str) {
        assert_eq!(a.permalink.as_str(), link);
        assert_eq!(a.id, id);
        let segment = a.permalink.path().trim_end_matches('/').rsplit('/').next();
        assert_eq!(id.rsplit_once(':').map(|(_, s)| s), segment);
    }

    #[test]
    fn article_slug_cannot_leave_the_base_path() {
        let fm = |slug: &str| format!("---\ntitle: T\ndate: 2024-09-07\nslug: \"{slug}\"\n---\n");
        let a = ok("x.md", &fm(r"..\\..\\evil"));
        assert_link_and_id(
            &a,
            "https://example.com/blog/..%5C..%5Cevil/",
            "tag:example.com,2024-09-07:..%5C..%5Cevil",
        );
        let a = ok("x.md", &fm(r"a\\b"));
        assert_link_and_id(
            &a,
            "https://example.com/blog/a%5Cb/",
            "tag:example.com,2024-09-07:a%5Cb",
        );
        // `%` is literal text, not an escape the author wrote.
        let a = ok("x.md", &fm("a%2Fb"));
        assert_link_and_id(
            &a,
            "https://example.com/blog/a%252Fb/",
            "tag:example.com,2024-09-07:a%252Fb",
        );
        let a = ok("x.md", &fm("what?#x"));
        assert_link_and_id(
            &a,
            "https://example.com/blog/what%3F%23x/",
            "tag:example.com,2024-09-07:what%3F%23x",
        );
        for bad in [".", "..", "%2e%2e", ".%2E", "%2E", "%2e."] {
            let d = err("x.md", fm(bad).as_bytes());
            assert_eq!((d.line, d.column), (4, 1), "{bad}: {d}");
            assert!(d.message.contains("`slug`"), "{bad}: {d}");
            assert!(d.to_string().starts_with("x.md:4:1: error"), "{d}");
        }
        let d = err("x.md", fm("a/b").as_bytes());
        assert!(d.message.contains("one URL segment"), "{d}");
    }

    #[test]
    fn article_names_from_files_and_folders_stay_one_segment() {
        let body = "---\ntitle: T\ndate: 2024-09-07\n---\n";
        let a = ok(r"x\..\../post.md", body);
        assert_eq!(
            a.permalink.as_str(),
            "https://example.com/blog/x%5C..%5C../post/"
        );
        assert_eq!(a.id, "tag:example.com,2024-09-07:post");
        let a = ok(r"..\..\stem.md", body);
        assert_link_and_id(
            &a,
            "https://example.com/blog/..%5C..%5Cstem/",
            "tag:example.com,2024-09-07:..%5C..%5Cstem",
        );
        let d = err("%2e%2e.md", body.as_bytes());
        assert!(d.to_string().starts_with("%2e%2e.md:1:1: error"), "{d}");
        assert!(d.message.contains("file name"), "{d}");
        // A `slug` field replaces the file name, so it fixes the article.
        let a = ok(
            "%2e%2e.md",
            "---\ntitle: T\ndate: 2024-09-07\nslug: up\n---\n",
        );
        assert_eq!(a.permalink.as_str(), "https://example.com/blog/up/");
        let d = err("%2E/x.md", body.as_bytes());
        assert!(d.message.contains("folder"), "{d}");
    }

    #[test]
    fn article_unicode_and_space_slugs_are_unchanged() {
        let fm = |slug: &str| format!("---\ntitle: T\ndate: 2024-09-01\nslug: \"{slug}\"\n---\n");
        let a = ok("x.md", &fm("café-au-lait"));
        assert_link_and_id(
            &a,
            "https://example.com/blog/caf%C3%A9-au-lait/",
            "tag:example.com,2024-09-01:caf%C3%A9-au-lait",
        );
        let a = ok("x.md", &fm("with spaces here"));
        assert_link_and_id(
            &a,
            "https://example.com/blog/with%20spaces%20here/",
            "tag:example.com,2024-09-01:with%20spaces%20here",
        );
        let a = ok("ünï code/x.md", &fm("日本語"));
        assert_eq!(
            a.permalink.as_str(),
            "https://example.com/blog/%C3%BCn%C3%AF%20code/%E6%97%A5%E6%9C%AC%E8%AA%9E/"
        );
    }

    #[test]
    fn article_permalink_stays_under_the_base_url() {
        let mut c = config();
        // With no leading `/`, `Url::join` would read `http:evil` as an absolute URL.
        c.content.permalink = crate::permalink::PermalinkPattern::unchecked("{slug}/");
        let a = parse_article(
            "x.md",
            b"---\ntitle: T\ndate: 2024-09-07\nslug: \"http:evil\"\n---\n",
            &c,
            ParseOptions::default(),
        )
        .article
        .unwrap();
        assert_eq!(a.permalink.as_str(), "https://example.com/blog/http:evil/");
        c.content.permalink =
            crate::permalink::PermalinkPattern::unchecked("/{section}/../../{slug}/");
        let p = parse_article(
            "a/x.md",
            b"---\ntitle: T\ndate: 2024-09-07\n---\n",
            &c,
            ParseOptions::default(),
        );
        assert!(p.article.is_none());
        let d = &p.diagnostics[0];
        assert!(
            d.is_error() && d.message.contains("content.permalink"),
            "{d}"
        );
    }

    #[test]
    fn article_invalid_id_is_an_error_at_the_key() {
        let d = err(
            "a.md",
            b"---\ntitle: x\ndate: 2024-01-01\nid: \"not a uri at all <&>\"\n---\n",
        );
        assert_eq!((d.line, d.column), (4, 1), "{d}");
        assert!(d.message.starts_with("`id` `not a uri"), "{d}");
        assert!(d.message.contains("tag:example.com,"), "{d}");
        let d = err(
            "a.md",
            b"---\ntitle: x\ndate: 2024-01-01\nid: urn:x:1\n---\n",
        );
        assert!(d.message.contains("URN"), "{d}");
    }

    #[test]
    fn article_lang_is_normalised_or_ignored_with_a_warning() {
        let p = parse(
            "a.md",
            "---\ntitle: x\ndate: 2024-01-01\nlang: en_US\n---\n",
        );
        assert_eq!(p.article.unwrap().lang.as_deref(), Some("en-US"));
        assert_eq!(p.diagnostics.len(), 1);
        assert!(p.diagnostics[0].message.contains("`lang`"));
        assert_eq!(p.diagnostics[0].line, 4);
        for bad in ["english", "123", "en US", "xx-invalid-"] {
            let text = format!("---\ntitle: x\ndate: 2024-01-01\nlang: {bad}\n---\n");
            let p = parse("a.md", &text);
            assert_eq!(p.article.unwrap().lang, None, "{bad}");
            assert!(!p.diagnostics[0].is_error());
            assert!(p.diagnostics[0].message.starts_with("`lang`:"), "{bad}");
        }
    }

    #[test]
    fn article_image_must_be_http_or_a_path() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:image/png;base64,AAAA",
            "file:///etc/passwd",
            "vbscript:x",
        ] {
            let text = format!("---\ntitle: x\ndate: 2024-01-01\nimage: \"{bad}\"\n---\n");
            let p = parse("a.md", &text);
            assert_eq!(p.article.unwrap().image, None, "{bad}");
            let d = &p.diagnostics[0];
            assert!(!d.is_error(), "{d}");
            assert!(d.message.starts_with("`image`"), "{d}");
            assert_eq!(d.line, 4, "{d}");
        }
        let a = ok(
            "a.md",
            "---\ntitle: x\ndate: 2024-01-01\nimage: //cdn.example.net/p.jpg\n---\n",
        );
        assert_eq!(
            a.image.unwrap().url.as_str(),
            "https://cdn.example.net/p.jpg"
        );
    }

    #[test]
    fn article_image_mapping() {
        let fm = |image: &str| format!("---\ntitle: x\ndate: 2024-01-01\n{image}\n---\n");
        let a = ok(
            "posts/a.md",
            &fm("image:\n  path: /img/cover.png\n  height: 100\n  width: 100"),
        );
        let img = a.image.unwrap();
        assert_eq!(img.url.as_str(), "https://example.com/img/cover.png");
        assert_eq!(img.alt, None);
        let a = ok("posts/a.md", &fm("image: {url: pic.jpg, alt: From map}"));
        let img = a.image.unwrap();
        assert_eq!(img.url.as_str(), "https://example.com/blog/posts/a/pic.jpg");
        assert_eq!(img.alt.as_deref(), Some("From map"));
        // `image_alt` wins over the mapping's `alt`.
        let a = ok(
            "a.md",
            &fm("image: {src: p.jpg, alt: Map}\nimage_alt: Field\nimage_credit: C"),
        );
        let img = a.image.unwrap();
        assert_eq!(img.alt.as_deref(), Some("Field"));
        assert_eq!(img.credit.as_deref(), Some("C"));
        // No source: a warning at the key; the article still publishes.
        let p = parse("a.md", &fm("image: {height: 100, alt: x}"));
        assert_eq!(p.article.unwrap().image, None);
        let d = &p.diagnostics[0];
        assert!(!d.is_error(), "{d}");
        assert_eq!(d.line, 4, "{d}");
        assert!(
            d.message.starts_with("`image`") && d.message.contains("`path`"),
            "{d}"
        );
        // The same URL check as for a plain `image`.
        let p = parse("a.md", &fm("image: {url: \"javascript:alert(1)\"}"));
        assert_eq!(p.article.unwrap().image, None);
        assert!(
            p.diagnostics[0].message.contains("http(s)"),
            "{}",
            p.diagnostics[0]
        );
    }

    #[test]
    fn article_author_errors_name_the_key_as_written() {
        let d = err(
            "a.md",
            b"---\ntitle: x\ndate: 2024-01-01\nauthors:\n  - {name: A, email: nope}\n---\n",
        );
        assert!(d.message.starts_with("`authors`:"), "{d}");
        assert_eq!(d.line, 4, "{d}");
        let d = err(
            "a.md",
            b"---\ntitle: x\ndate: 2024-01-01\nauthor: {name: A, email: nope}\n---\n",
        );
        assert!(d.message.starts_with("`author`:"), "{d}");
    }

    #[test]
    fn article_markdown_extension_is_markdown() {
        let a = ok(
            "_posts/2019-05-03-welcome-to-jekyll.markdown",
            "---\ntitle: W\n---\n*hi*",
        );
        assert_eq!(a.slug, "welcome-to-jekyll");
        assert_eq!(a.date.to_rfc3339(), "2019-05-03T00:00:00+00:00");
        assert_eq!(a.body_kind, BodyKind::Markdown);
        assert_eq!(
            ok(
                "posts/trip/index.markdown",
                "---\ntitle: W\ndate: 2019-05-03\n---\n"
            )
            .slug,
            "trip"
        );
    }

    #[test]
    fn article_html_body_kind() {
        let a = ok("x.html", "---\ntitle: x\ndate: 2024-01-01\n---\n<p>hi</p>");
        assert_eq!(a.body_kind, BodyKind::Html);
    }
}
