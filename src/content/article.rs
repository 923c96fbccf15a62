//! One article: from a file's bytes to a validated [`Article`] (pure: no IO here), with the
//! identity rules of SPEC §1 and §3.3 — slug, permalink, stable `tag:` id.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Datelike, FixedOffset, Utc};
use url::Url;

use super::dates;
use super::fields;
use super::front_matter::{self, ImageSpec, Located, RawFrontMatter, Split, Text};
use super::render::{self, BodyKind, RenderedBody};
use crate::config::{Config, Person, PersonSpec};
use crate::diag::{self, Diagnostic};

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
    pub fn is_published(&self, now: DateTime<Utc>) -> bool {
        !self.draft && self.date <= now
    }

    /// A copy without the body, for articles outside every output: the store keeps their
    /// metadata and reads the body again from disk if they ever reach an output.
    pub fn without_body(&self) -> Article {
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
    pub fn entry_link(&self) -> &Url {
        self.link.as_ref().unwrap_or(&self.permalink)
    }

    /// Summary and full content HTML, rendered once per article version.
    ///
    /// A body that could render to more than the bound was rendered while parsing (see
    /// `check_rendered_size`), and an error then, so this stays within it; should it not,
    /// the entry goes out with empty content (the feeds link to the page instead) rather than
    /// an unbounded one.
    pub fn rendered(&self, config: &Config) -> &RenderedBody {
        self.rendered.get_or_init(|| {
            self.render(&self.body, config)
                .unwrap_or_else(|_| RenderedBody {
                    content_html: String::new(),
                    summary_html: String::new(),
                })
        })
    }

    /// Renders `body` (this article's) within the bound `config` sets.
    fn render(&self, body: &str, config: &Config) -> Result<RenderedBody, render::TooLarge> {
        render::render_bounded(
            body,
            self.body_kind,
            self.summary.as_deref(),
            &self.permalink,
            &self.footnote_prefix(),
            config.content.summary_length,
            render::max_rendered_bytes(config.content.max_file_bytes),
        )
    }

    /// What this article's footnote ids start with: its slug, one URL-fragment-safe word.
    fn footnote_prefix(&self) -> String {
        self.slug
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
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
pub struct ParseOptions {
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
pub fn parse_article(source: &str, bytes: &[u8], config: &Config, options: ParseOptions) -> Parsed {
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
    let checked = super::flow_depth::check_flow_depth(&split);
    let raw = match checked.and_then(|()| front_matter::parse_yaml(&split)) {
        Ok(raw) => raw,
        Err(at) => return fail(diagnostics, at),
    };
    if options.report_unknown_fields {
        for (key, line, column) in front_matter::unknown_keys(&split) {
            diagnostics.push(Diagnostic::warning(
                path,
                line,
                column,
                format!("unknown front matter field `{key}` (ignored)"),
            ));
        }
    }
    let checked = build_article(source, &split, raw, config, options, &mut diagnostics)
        .and_then(|article| check_rendered_size(article, split.body, config, options));
    match checked {
        Ok(article) => Parsed {
            article: Some(article),
            diagnostics,
        },
        Err(at) => fail(diagnostics, at),
    }
}

/// Renders now a body that could render to more than the bound ([`render::may_exceed`]:
/// only large bodies, or long permalinks), so that one over it is an error here — not
/// published, the daemon keeps its last good version, `check` reports it — rather than at
/// the first feed that would carry it. The rendering is kept for the feeds with the body.
fn check_rendered_size(
    article: Article,
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
            if options.keep_body {
                // Just built: nothing rendered it yet.
                let _ = article.rendered.set(rendered);
            }
            Ok(article)
        }
        Err(too_large) => Err(Located {
            line: 1,
            column: 1,
            message: too_large.to_string(),
        }),
    }
}

/// Removes characters no feed may carry — C0 and C1 controls other than tab, LF and CR, DEL,
/// noncharacters such as U+FFFE, and U+FFFD (see [`render::is_feed_char`]) — warning at each
/// position (SPEC §1: the article is still published).
fn remove_control_chars<'a>(
    text: &'a str,
    path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> std::borrow::Cow<'a, str> {
    let bad = |c: char| !render::is_feed_char(c);
    if render::find_non_feed_char(text).is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    // Positions are counted along the way (one pass), and a file full of them gets a few
    // warnings and a count, not one line each.
    let (mut line, mut column) = (1, 1);
    let mut removed = 0usize;
    for c in text.chars() {
        if bad(c) {
            removed += 1;
            if removed <= MAX_CHARACTER_WARNINGS {
                let kind = if c.is_control() {
                    "control character"
                } else if c == '\u{FFFD}' {
                    // Where the author's text was damaged before it reached us.
                    "replacement character (damaged text)"
                } else {
                    "noncharacter"
                };
                diagnostics.push(Diagnostic::warning(
                    path,
                    line,
                    column,
                    format!("{kind} U+{:04X} removed", c as u32),
                ));
            }
        } else {
            out.push(c);
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    if removed > MAX_CHARACTER_WARNINGS {
        diagnostics.push(Diagnostic::warning(
            path,
            1,
            1,
            format!(
                "{} more characters no feed may carry removed (only the first {MAX_CHARACTER_WARNINGS} are listed)",
                removed - MAX_CHARACTER_WARNINGS
            ),
        ));
    }
    std::borrow::Cow::Owned(out)
}

/// Warnings listed one by one for removed characters in one file; the rest are counted.
const MAX_CHARACTER_WARNINGS: usize = 10;

fn build_article(
    source: &str,
    split: &Split<'_>,
    raw: RawFrontMatter,
    config: &Config,
    options: ParseOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Article, Located> {
    let tz = config.site.timezone;
    let at_key = |key: &str, message: String| {
        let (line, column) = front_matter::key_position(split, key).unwrap_or((1, 1));
        Located {
            line,
            column,
            message,
        }
    };
    // A warning at a key's line: the article still publishes.
    let warning_at = |key: &str, message: String| {
        let at = at_key(key, message);
        Diagnostic::warning(Path::new(source), at.line, at.column, at.message)
    };
    let text_of = |t: Option<Text>| t.map(|t| t.0.trim().to_string()).filter(|s| !s.is_empty());
    // A value read with YAML's own reading of a number (see `front_matter::respelled`).
    let respelled_warning = |key: &str, read: &str| {
        front_matter::respelled(split, key, read).map(|(written, what)| {
            warning_at(
                key,
                format!(
                    "`{key}`: {written} was read as {what} {read}; quote it (\"{written}\") to keep it as written"
                ),
            )
        })
    };

    let title = text_of(raw.title)
        .map(|t| plain_text(&t))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Located {
            line: 1,
            column: 1,
            message: "missing required field `title`".into(),
        })?;

    let file_name = source.rsplit('/').next().unwrap_or(source);
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    // A Hugo page bundle (`posts/first-trip/index.md`) is named by its folder, not by the
    // `index` every bundle shares; its resources sit beside it, which is where relative
    // links then resolve. The folder name follows the file-name rules (date prefix too).
    let bundle = bundle_folder(source, stem);
    let (name, name_what) = match bundle {
        Some(folder) => (folder, "folder name"),
        None => (stem, "file name"),
    };
    let name_date = dates::date_prefix(name, name_what);

    // Astro's `pubDate` stands in for `date`; when both are given, `date` wins.
    let (date_key, date_text) = match (text_of(raw.date), text_of(raw.pub_date)) {
        (Some(date), Some(_)) => {
            diagnostics.push(warning_at(
                "pubDate",
                "`pubDate` is ignored: `date` is given".to_string(),
            ));
            ("date", Some(date))
        }
        (Some(date), None) => ("date", Some(date)),
        (None, pub_date) => ("pubDate", pub_date),
    };
    let date = match date_text {
        Some(text) => dates::parse_date(&text, tz)
            .map_err(|m| at_key(date_key, format!("`{date_key}`: {m}")))?,
        None => match &name_date {
            Some((Ok(day), _)) => dates::start_of_day(*day, tz).map_err(|m| Located {
                line: 1,
                column: 1,
                message: m,
            })?,
            Some((Err(m), _)) => {
                return Err(Located {
                    line: 1,
                    column: 1,
                    message: format!("missing `date`, and {m}"),
                })
            }
            None => return Err(Located {
                line: 1,
                column: 1,
                message: if bundle.is_some() {
                    "missing required field `date` (or name the bundle folder `YYYY-MM-DD-slug`)"
                } else {
                    "missing required field `date` (or name the file `YYYY-MM-DD-slug.md`)"
                }
                .into(),
            }),
        },
    };
    // The first given of `updated` and the other generators' names for it.
    let updated_fields = [
        ("updated", raw.updated),
        ("lastmod", raw.lastmod),
        ("last_modified_at", raw.last_modified_at),
        ("updatedDate", raw.updated_date),
        ("modified", raw.modified),
    ];
    let updated_field = updated_fields
        .into_iter()
        .find_map(|(key, value)| text_of(value).map(|text| (key, text)));
    let updated = match updated_field {
        Some((updated_key, text)) => {
            let updated = dates::parse_date(&text, tz)
                .map_err(|m| at_key(updated_key, format!("`{updated_key}`: {m}")))?;
            if updated < date {
                diagnostics.push(warning_at(
                    updated_key,
                    format!("`{updated_key}` is earlier than `date`; using `date`"),
                ));
                date
            } else {
                updated
            }
        }
        None => date,
    };

    let slug = match text_of(raw.slug) {
        Some(slug) => {
            if slug.contains('/') {
                return Err(at_key(
                    "slug",
                    format!("`slug` `{slug}` must be one URL segment (no `/`)"),
                ));
            }
            if is_dot_segment(&slug) {
                return Err(at_key(
                    "slug",
                    format!(
                        "`slug` `{slug}` reads as `.` or `..` in a URL, which would point outside the article; choose another slug"
                    ),
                ));
            }
            slug
        }
        None => {
            let slug = match &name_date {
                Some((_, rest)) => *rest,
                None => name,
            };
            // A file stem like `%2e%2e` could be encoded into a harmless literal segment,
            // but servers and CDNs that decode twice would still see `..`: refuse it, and
            // say how to fix it, rather than publish a URL that means different things.
            if is_dot_segment(slug) {
                return Err(Located {
                    line: 1,
                    column: 1,
                    message: format!(
                        "{name_what} gives the slug `{slug}`, which reads as `.` or `..` in a URL; set a `slug` field or rename it"
                    ),
                });
            }
            slug.to_string()
        }
    };
    if slug.is_empty() {
        return Err(Located {
            line: 1,
            column: 1,
            message: "empty slug: give a `slug` field or a file name".into(),
        });
    }

    let section = match source.split_once('/') {
        Some((first, _)) => first,
        None => "",
    };
    // Same reasoning as for file stems; a folder cannot be fixed from the front matter.
    if is_dot_segment(section) {
        return Err(Located {
            line: 1,
            column: 1,
            message: format!(
                "folder name `{section}` reads as `.` or `..` in a URL; rename the folder"
            ),
        });
    }
    let local_date = date.with_timezone(&tz);
    let permalink = permalink(config, section, &slug, local_date.date_naive())
        .map_err(|m| at_key("slug", m))?;

    let id = match text_of(raw.id) {
        // The id is the entry's identity: an invalid one leaves the article out rather than
        // going out changed (see `fields::check_id`).
        Some(id) => {
            fields::check_id(&id).map_err(|m| at_key("id", format!("`id` `{id}` {m}")))?;
            id
        }
        None => tag_uri(&config.site.base_url, local_date.date_naive(), &slug),
    };

    let link = match text_of(raw.link) {
        Some(text) => {
            Some(absolute_http_url(&text).map_err(|m| at_key("link", format!("`link`: {m}")))?)
        }
        None => None,
    };

    let mut authors = Vec::new();
    let written = [("author", raw.author), ("authors", raw.authors)];
    for (key, specs) in written {
        for spec in specs.into_iter().flat_map(|a| a.into_vec()) {
            if let PersonSpec::Name(name) = &spec {
                diagnostics.extend(respelled_warning(key, name));
            }
            authors.push(
                spec.into_person()
                    .map_err(|m| at_key(key, format!("`{key}`: {m}")))?,
            );
        }
    }
    if authors.is_empty() {
        authors.push(config.site.author.clone());
    }

    let lists = [
        ("tags", &raw.tags),
        ("categories", &raw.categories),
        ("category", &raw.category),
    ];
    for (key, field) in lists {
        if let Some(front_matter::OneOrMany::One(Text(text))) = field {
            diagnostics.extend(respelled_warning(key, text));
        }
    }
    if let Some(ImageSpec::Src(Text(src))) = &raw.image {
        diagnostics.extend(respelled_warning("image", src));
    }

    // One string instead of a list: `categories: ruby programming` is space-separated in
    // Jekyll; `tags: "rust, async"` is how Ghost/Obsidian exports write a list. A tag with
    // a space (`tags: machine learning`) stays one tag.
    let mut tags: Vec<String> = tag_values(raw.tags, |s| {
        if s.contains(',') {
            s.split(',').map(str::to_string).collect()
        } else {
            vec![s.to_string()]
        }
    })
    .into_iter()
    .chain(tag_values(raw.categories, |s| {
        s.split_whitespace().map(str::to_string).collect()
    }))
    // Pelican's and Jekyll's single `category` is one name, spaces and all.
    .chain(tag_values(raw.category, |s| vec![s.to_string()]))
    .map(|t| t.trim().to_string())
    .filter(|t| !t.is_empty())
    .collect();
    let mut seen = std::collections::BTreeSet::new();
    tags.retain(|t| seen.insert(t.clone()));

    // The lead image is written into the content HTML outside the body's sanitizer, so only
    // http(s) URLs may pass (no `javascript:`, `data:`, `file:`); a bad one only loses the
    // image, so the article still publishes.
    let (image_src, map_alt) = match raw.image {
        None => (None, None),
        Some(ImageSpec::Src(src)) => (text_of(Some(src)), None),
        Some(ImageSpec::Map { src: None, .. }) => {
            // Like a bad URL: only the image is lost, not the article.
            diagnostics.push(warning_at(
                "image",
                "`image` is a mapping without `path`, `url` or `src`; the image is left out"
                    .to_string(),
            ));
            (None, None)
        }
        Some(ImageSpec::Map { src, alt }) => (text_of(src), text_of(alt)),
    };
    let image = match image_src {
        Some(src) => match image_url(&permalink, &src) {
            Ok(url) => Some(LeadImage {
                url,
                alt: text_of(raw.image_alt).or(map_alt),
                credit: text_of(raw.image_credit),
            }),
            Err(m) => {
                diagnostics.push(warning_at(
                    "image",
                    format!("`image` `{src}` {m}; the image is left out"),
                ));
                None
            }
        },
        None => None,
    };

    // A bad `lang` only loses the language hint, so the article still publishes.
    let lang = match text_of(raw.lang) {
        Some(tag) => match fields::check_language(&tag) {
            fields::Language::Valid => Some(tag),
            fields::Language::Normalised(fixed) => {
                diagnostics.push(warning_at(
                    "lang",
                    format!("`lang` `{tag}` written as `{fixed}` (language tags use `-`)"),
                ));
                Some(fixed)
            }
            fields::Language::Invalid(m) => {
                diagnostics.push(warning_at("lang", format!("`lang`: {m}; ignored")));
                None
            }
        },
        None => None,
    };

    // Silently dropping it would send a podcast feed out without its audio.
    if raw.enclosure.is_some() {
        diagnostics.push(warning_at(
            "enclosure",
            "`enclosure` is not written to the feeds yet (podcast enclosures are a later release); the entry goes out without it".to_string(),
        ));
    }

    let body_kind = if file_name.to_ascii_lowercase().ends_with(".html") {
        BodyKind::Html
    } else {
        BodyKind::Markdown
    };

    Ok(Article {
        source: source.to_string(),
        title,
        date,
        updated,
        // Jekyll's `published: false` and Obsidian Publish's `publish: false` mean the same
        // as `draft: true`; so does a Jekyll/Hexo `_drafts` folder, whatever the file says.
        draft: raw.draft.unwrap_or(false)
            || raw.published == Some(false)
            || raw.publish == Some(false)
            || in_drafts_folder(source),
        slug,
        id,
        permalink,
        link,
        summary: text_of(raw.summary)
            .or_else(|| text_of(raw.description))
            .or_else(|| text_of(raw.excerpt))
            .map(|s| plain_text(&s))
            .filter(|s| !s.is_empty()),
        authors,
        tags,
        image,
        lang,
        body: Arc::from(if options.keep_body { split.body } else { "" }),
        body_kind,
        body_loaded: options.keep_body,
        rendered: OnceLock::new(),
    })
}

/// A `tags`/`categories` value as strings: a list as written, a single string through `split`.
fn tag_values(
    field: Option<front_matter::OneOrMany<Text>>,
    split: impl Fn(&str) -> Vec<String>,
) -> Vec<String> {
    match field {
        None => Vec::new(),
        Some(front_matter::OneOrMany::One(Text(s))) => split(&s),
        Some(front_matter::OneOrMany::Many(list)) => list.into_iter().map(|t| t.0).collect(),
    }
}

/// True for a file below a folder named `_drafts` (Jekyll, Hexo), at any depth below the root.
fn in_drafts_folder(source: &str) -> bool {
    source.rsplit('/').skip(1).any(|folder| folder == "_drafts")
}

/// The bundle folder of `section/…/bundle/index.<ext>`; `None` for any other file, including
/// `section/index.md` (directly in the section, it keeps the file-name rule).
fn bundle_folder<'a>(source: &'a str, stem: &str) -> Option<&'a str> {
    if stem != "index" {
        return None;
    }
    let mut folders = source.rsplit('/').skip(1);
    let bundle = folders.next()?;
    // At least one more folder (the section) above the bundle.
    folders.next()?;
    Some(bundle)
}

/// Inline HTML elements that authors put in titles and summaries (`<em>async</em> Rust`).
const TITLE_MARKUP: &[&str] = &[
    "a", "abbr", "b", "bdi", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var",
];

/// Titles and explicit summaries are plain text in every feed, but WordPress and Jekyll
/// exports write them as HTML. Text that closes an inline HTML element was written as
/// markup: keep its text, drop the tags. Anything else (`Using <div> in templates`) is
/// literal text and keeps its brackets. Then every well-formed character reference
/// (`&#8217;`, `&#x2019;`, `&hellip;`) is decoded, as a browser would show it; a bare `&`
/// (`AT&T`) or an unknown name (`&bogus;`) stays as written.
fn plain_text(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let is_markup = TITLE_MARKUP
        .iter()
        .any(|tag| lower.contains(&format!("</{tag}>")));
    let stripped = if is_markup {
        strip_tags(text)
    } else {
        text.to_string()
    };
    let decoded = decode_references(&stripped);
    collapse_whitespace(&decoded)
}

/// Every HTML element name, for titles written as markup: their tags go, and any other
/// `<` stays as written.
const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "bdi",
    "bdo",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "map",
    "mark",
    "menu",
    "meta",
    "meter",
    "nav",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "pre",
    "progress",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// Removes the tags of HTML elements (`<em>`, `</em>`, `<a href=…>`, `<script>`); any other
/// `<` stays as written, so `Using <em>Option<T></em>` keeps its `<T>`. (Literal HTML end
/// tags left in a title would make validators warn that it holds HTML.)
///
/// Each `<` is read as a tag up to its end, so `<a <a <a …` with no `>` would read the rest
/// of the text once per `<` (100 KB took a minute): past a budget of a few times the text's
/// length, the rest stays as written.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut copied = 0;
    let mut budget = html.len().saturating_mul(4).saturating_add(4096);
    for (start, _) in html.match_indices('<') {
        if start < copied {
            continue;
        }
        let parsed = render::parse_tag(html, start);
        let name_at = start + 1 + usize::from(html.as_bytes().get(start + 1) == Some(&b'/'));
        let read = match &parsed {
            Some(tag) => tag.end - start,
            // A name: it was read as a tag to the end of the text.
            None if html
                .as_bytes()
                .get(name_at)
                .is_some_and(u8::is_ascii_alphabetic) =>
            {
                html.len() - start
            }
            None => 1,
        };
        budget = match budget.checked_sub(read) {
            Some(left) => left,
            None => break,
        };
        let Some(tag) = parsed else {
            continue;
        };
        if HTML_ELEMENTS.contains(&tag.name.as_str()) {
            text.push_str(&html[copied..start]);
            copied = tag.end;
        }
    }
    text.push_str(&html[copied..]);
    text
}

/// Decodes HTML character references (numeric and the HTML5 named ones). A reference to a
/// C1 control (`&#150;`) means its Windows-1252 character, as in browsers and in the body;
/// what no feed may carry is dropped, since the file-level clean-up ran before decoding.
fn decode_references(text: &str) -> String {
    let text = drop_unusable_references(text);
    render::as_browsers_read_references(html_escape::decode_html_entities(&text).into_owned())
}

/// Removes numeric references to what is no character at all (`&#0;`, `&#xD800;`,
/// `&#x110000;`) or none a feed may carry (`&#1;`): the decoder leaves some as written, and
/// `&#0;` would then reach the feed as text that validators read as undeclared HTML.
fn drop_unusable_references(text: &str) -> std::borrow::Cow<'_, str> {
    let unusable = |reference: &str| {
        let number = reference.trim_start_matches("&#").trim_end_matches(';');
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => number.parse(),
        };
        // Too long for a u32 is past U+10FFFF too.
        // C1 controls (`&#150;`) are read as Windows-1252 characters afterwards.
        value.map_or(true, |v| {
            char::from_u32(v)
                .is_none_or(|c| !render::is_feed_char(c) && !(0x80..=0x9F).contains(&v))
        })
    };
    let mut out = String::new();
    let mut copied = 0;
    for (at, _) in text.match_indices("&#") {
        if at < copied {
            continue;
        }
        let rest = &text[at + 2..];
        let digits = rest.strip_prefix(['x', 'X']).map_or_else(
            || rest.bytes().take_while(u8::is_ascii_digit).count(),
            |hex| 1 + hex.bytes().take_while(u8::is_ascii_hexdigit).count(),
        );
        let has_digits = digits > usize::from(rest.starts_with(['x', 'X']));
        if !has_digits || !rest[digits..].starts_with(';') {
            continue;
        }
        let end = at + 2 + digits + 1;
        if unusable(&text[at..end]) {
            out.push_str(&text[copied..at]);
            copied = end;
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Collapses runs of whitespace to one space. No-break spaces (`&nbsp;`, U+202F) are the
/// author's choice of where a line must not break, so they stay.
fn collapse_whitespace(text: &str) -> String {
    let breaking = |c: char| c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}');
    text.split(breaking)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `site.base_url` joined with `content.permalink`; empty segments collapse.
///
/// Every substituted value (section, slug, date parts) becomes exactly one opaque path
/// segment: the WHATWG parser behind `url` reads `\` as `/` and `%2e%2e` as `..`, so an
/// unencoded value could add segments or climb out of the base path.
fn permalink(
    config: &Config,
    section: &str,
    slug: &str,
    day: chrono::NaiveDate,
) -> Result<Url, String> {
    let pattern = &config.content.permalink;
    let year = format!("{:04}", day.year());
    let month = format!("{:02}", day.month());
    let day = format!("{:02}", day.day());
    let mut segments = Vec::new();
    for part in pattern.split('/') {
        let mut segment = String::new();
        let mut rest = part;
        while let Some(start) = rest.find('{') {
            segment.push_str(&encode_segment(&rest[..start]));
            let after = &rest[start..];
            let (value, len) = match after {
                a if a.starts_with("{section}") => (section, "{section}".len()),
                a if a.starts_with("{year}") => (year.as_str(), "{year}".len()),
                a if a.starts_with("{month}") => (month.as_str(), "{month}".len()),
                a if a.starts_with("{day}") => (day.as_str(), "{day}".len()),
                a if a.starts_with("{slug}") => (slug, "{slug}".len()),
                // Config validation allows no other placeholder; keep the text literal.
                _ => ("{", 1),
            };
            segment.push_str(&encode_segment(value));
            rest = &after[len..];
        }
        segment.push_str(&encode_segment(rest));
        if is_dot_segment(&segment) {
            return Err(format!(
                "permalink segment `{segment}` would be read as `.` or `..` (check content.permalink)"
            ));
        }
        if !segment.is_empty() {
            segments.push(segment);
        }
    }
    let mut path = segments.join("/");
    if pattern.ends_with('/') && !path.is_empty() {
        path.push('/');
    }
    let base = &config.site.base_url;
    // `set_path`, not `join`: a first segment like `http:x` would make `join` read the
    // path as an absolute URL.
    let mut url = base.clone();
    url.set_path(&format!("{}{path}", base.path()));
    // Last line of defence (e.g. a `..` segment written into content.permalink): a link
    // outside the site is an error, never a wrong link.
    if url.origin() != base.origin() || !url.path().starts_with(base.path()) {
        return Err(format!(
            "permalink `{url}` is outside site.base_url `{base}` (check content.permalink)"
        ));
    }
    Ok(url)
}

/// Percent-encodes everything but RFC 3986 `pchar`s (and `%` itself), so the text is one
/// opaque path segment however a URL parser reads it; unicode and spaces come out exactly
/// as the `url` crate itself would encode them.
fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// True when a URL parser would read `segment` as `.` or `..` (WHATWG also decodes `%2e`).
pub(crate) fn is_dot_segment(segment: &str) -> bool {
    let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}

/// `tag:host,YYYY-MM-DD:slug` (RFC 4151): independent of title, body, folder and base path.
/// The host is written as [`crate::config::tag_authority`] says (an IPv6 address as its
/// `ip6.arpa` name); config validation has rejected base URLs that give none.
pub fn tag_uri(base: &Url, day: chrono::NaiveDate, slug: &str) -> String {
    let host = crate::config::tag_authority(base).unwrap_or_else(|_| "localhost".into());
    let mut specific = String::with_capacity(slug.len());
    for b in slug.bytes() {
        // Keep tag-URI-safe characters; percent-encode the rest so the id is a valid URI.
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
            specific.push(b as char);
        } else {
            specific.push_str(&format!("%{b:02X}"));
        }
    }
    format!("tag:{host},{}:{specific}", day.format("%Y-%m-%d"))
}

/// A lead image source: an http(s) URL, or a path resolved against the permalink.
fn image_url(permalink: &Url, src: &str) -> Result<Url, String> {
    let url = permalink
        .join(src)
        .map_err(|e| format!("is not a URL or path ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "must be an http(s) URL or a path, not a `{}:` URL",
            url.scheme()
        ));
    }
    Ok(url)
}

fn absolute_http_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("`{text}` is not an absolute URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{text}` must be an http(s) URL"));
    }
    Ok(url)
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
    fn article_title_markup_becomes_text_but_literal_brackets_stay() {
        assert_eq!(
            plain_text("Why <em>async</em> is &amp; hard"),
            "Why async is & hard"
        );
        assert_eq!(
            plain_text("Using <div> in templates"),
            "Using <div> in templates"
        );
        assert_eq!(plain_text("a < b & c"), "a < b & c");
        assert_eq!(plain_text("<b>Bold</b> <unclosed"), "Bold <unclosed");
        // Markup is recognised element by element: other brackets stay as written.
        assert_eq!(
            plain_text("Using <em>Option<T></em> in Rust"),
            "Using Option<T> in Rust"
        );
        assert_eq!(
            plain_text("<B>bold</b> and <a href=\"/x\">Vec<u8></a>, <span/>Parsing <T>"),
            "bold and Vec<u8>, Parsing <T>"
        );
        assert_eq!(plain_text("<emphasis>x</em>"), "<emphasis>x");
        assert_eq!(plain_text("<a href=\"/a>b\">Link</a>"), "Link");
        assert_eq!(
            plain_text("<b>b</b> <script>alert(1)</script> <T>"),
            "b alert(1) <T>"
        );
    }

    #[test]
    fn article_references_to_no_character_are_dropped() {
        assert_eq!(
            plain_text("Entities &#150; &#0; &#xD800; &#x110000; &#99999999999; &bogus; &hellip;"),
            "Entities \u{2013} &bogus; \u{2026}"
        );
        assert_eq!(plain_text("a&#1;b &#xD800;c"), "ab c");
        assert_eq!(plain_text("&#x; &#; &#12"), "&#x; &#; &#12");
    }

    #[test]
    fn article_character_references_in_titles_are_decoded() {
        assert_eq!(
            plain_text("Don&#8217;t Panic: Bread &amp; Butter"),
            "Don\u{2019}t Panic: Bread & Butter"
        );
        assert_eq!(
            plain_text("&#x2019;hex&#X2019; &hellip; &mdash; caf&eacute; &quot;q&quot;"),
            "\u{2019}hex\u{2019} \u{2026} \u{2014} caf\u{e9} \"q\""
        );
        // No-break spaces are kept; other whitespace collapses.
        assert_eq!(plain_text("10&nbsp;km  \n away"), "10\u{a0}km away");
        // Not references: kept as written.
        for literal in ["AT&T", "a & b", "&bogus; &amp &#; &#xZZ;"] {
            assert_eq!(plain_text(literal), literal);
        }
        // Decoded once: an escaped reference stays a reference, as text.
        assert_eq!(plain_text("&amp;amp; &amp;lt;b&amp;gt;"), "&amp; &lt;b&gt;");
        assert_eq!(plain_text("&lt;b&gt;x&lt;/b&gt;"), "<b>x</b>");
        // A C1 reference is its Windows-1252 character; no control reaches the text.
        assert_eq!(plain_text("a&#150;b&#129;c&#x85;"), "a\u{2013}bc\u{2026}");
        assert_eq!(plain_text("x&#xFFFE;&#xFDD0;y"), "xy");
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
        c.content.permalink = "{slug}/".into();
        let a = parse_article(
            "x.md",
            b"---\ntitle: T\ndate: 2024-09-07\nslug: \"http:evil\"\n---\n",
            &c,
            ParseOptions::default(),
        )
        .article
        .unwrap();
        assert_eq!(a.permalink.as_str(), "https://example.com/blog/http:evil/");
        c.content.permalink = "/{section}/../../{slug}/".into();
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
    fn article_ids_on_an_ip_host_are_valid_tag_uris() {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        let v6 = Url::parse("http://[::1]:8080/").unwrap();
        assert_eq!(
            tag_uri(&v6, day, "x"),
            format!("tag:1.{}ip6.arpa,2024-01-02:x", "0.".repeat(31))
        );
        let v4 = Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(tag_uri(&v4, day, "x"), "tag:127.0.0.1,2024-01-02:x");
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

    #[test]
    fn article_rendering_past_the_bound_is_an_error_naming_the_limit() {
        // 4 MiB of footnote references rendered to 100 MB; the bound (4 × max_file_bytes)
        // stops it at 16 MiB.
        let started = std::time::Instant::now();
        let text = format!(
            "---\ntitle: t\ndate: 2024-01-01\n---\n{}\n\n[^a]: The note.\n",
            "[^a]".repeat(1024 * 1024 - 16)
        );
        let e = err("notes.md", text.as_bytes());
        assert_eq!((e.line, e.column), (1, 1), "{e}");
        assert!(
            e.message.contains("16777216 bytes") && e.message.contains("max_file_bytes"),
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
            p.diagnostics[0].message.contains("4096 bytes"),
            "{:?}",
            p.diagnostics
        );
    }

    #[test]
    fn article_title_with_unfinished_tags_is_read_in_linear_time() {
        // 100 KB took a minute: every `<` was read as a tag to the end of the title.
        let started = std::time::Instant::now();
        let title = format!("</em>{}", "<a ".repeat(1024 * 1024 / 3));
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
