//! From front matter as written ([`RawFrontMatter`]) to an [`Article`]: one step per field,
//! in the order their errors are reported (the first error leaves the article out; warnings
//! accumulate and the article still publishes).

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use url::Url;

use super::credits;
use super::episode;
use super::fields::{at_start, text_of, Fields};
use super::identity::{self, FileName};
use super::images::lead_image;
use super::model::{Article, ParseOptions};
use super::plain_text::plain_text;
use super::visibility::visibility;
use crate::config::Config;
use crate::content::dates;
use crate::content::front_matter::{ImageSpec, Located, OneOrMany, RawFrontMatter, Split};
use crate::content::render::BodyKind;
use crate::diag::Diagnostic;
use crate::entry_id::IdValues;
use crate::language_tag::{check_language, Language};
use crate::permalink::{PermalinkPattern, PermalinkValues};
use crate::yaml_text::Text;

pub(super) fn build_article(
    source: &str,
    split: &Split<'_>,
    mut raw: RawFrontMatter,
    config: &Config,
    options: ParseOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Article, Located> {
    let mut fields = Fields::new(source, split, diagnostics);
    let tz = config.site.timezone;
    let visibility = visibility(&mut fields, &mut raw, tz)?;
    let written_episode = episode::Written::take(&mut raw);
    let title = text_of(raw.title)
        .map(|t| plain_text(&t))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| at_start("missing required field `title`"))?;
    let name = FileName::of(source);
    let written_dates = [
        ("date", raw.date.take()),
        ("pubDate", raw.pub_date.take()),
        ("publishDate", raw.publish_date.clone()),
    ];
    let date = date(&mut fields, written_dates, &name, tz)?;
    let updated_fields = [
        ("updated", raw.updated),
        ("lastmod", raw.lastmod),
        ("last_modified_at", raw.last_modified_at),
        ("updatedDate", raw.updated_date),
        ("modified", raw.modified),
    ];
    let updated = updated(&mut fields, updated_fields, date, tz)?;
    let slug_field = text_of(raw.slug);
    let slug = identity::slug(&fields, slug_field.clone(), &name)?;
    let section = identity::section(source)?;
    let local = date.with_timezone(&tz).naive_local();
    let day = local.date();
    let categories =
        identity::jekyll_categories(&config.content.dir, source, &raw.categories, &raw.category);
    let values = PermalinkValues {
        section,
        slug: &slug,
        slug_field: slug_field.as_deref(),
        title: &title,
        filename: name.name(),
        categories: &categories,
        date: local,
    };
    let permalink = match own_path(&mut fields, raw.permalink.take(), text_of(raw.url.take())) {
        Some((key, path)) => PermalinkPattern::parse_own(&path)
            .and_then(|own| own.expand(&config.site.base_url, &values))
            .map_err(|m| fields.at_key(key, format!("`{key}`: {m}")))?,
        None => config
            .content
            .permalink
            .expand(&config.site.base_url, &values)
            .map_err(|m| fields.at_key("slug", m))?,
    };
    let id = identity::entry_id(
        &fields,
        text_of(raw.id),
        text_of(raw.uuid),
        &config.feeds.entry_id,
        &config.site.base_url,
        IdValues {
            permalink: &permalink,
            uuid: None,
            slug: &slug,
            day,
        },
    )?;
    let link = match text_of(raw.link) {
        Some(text) => Some(
            absolute_http_url(&text).map_err(|m| fields.at_key("link", format!("`link`: {m}")))?,
        ),
        None => None,
    };
    let written_authors = [("author", raw.author), ("authors", raw.authors)];
    let authors = credits::authors(&mut fields, written_authors, raw.params.take(), config)?;
    let lists = [
        ("tags", &raw.tags),
        ("categories", &raw.categories),
        ("category", &raw.category),
    ];
    for (key, field) in lists {
        if let Some(OneOrMany::One(Text(text))) = field {
            fields.warn_if_respelled(key, text);
        }
    }
    if let Some(ImageSpec::Src(Text(src))) = &raw.image {
        fields.warn_if_respelled("image", src);
    }
    let tags = tags(raw.tags, raw.categories, raw.category);
    let image = lead_image(
        &mut fields,
        raw.image,
        raw.image_alt,
        raw.image_credit,
        &permalink,
    );
    let lang = lang(&mut fields, raw.lang);
    let in_podcast = config
        .podcast
        .as_ref()
        .is_some_and(|p| p.section == section);
    let episode = episode::episode(&mut fields, written_episode, source, config, in_podcast)?;
    let body_kind = if name.file_name.to_ascii_lowercase().ends_with(".html") {
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
            || identity::in_drafts_folder(source)
            || visibility.hidden,
        publish_at: visibility.publish_at,
        expires_at: visibility.expires_at,
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
        episode,
        body: Arc::from(if options.keep_body { split.body } else { "" }),
        body_kind,
        body_loaded: options.keep_body,
        kept_body: None,
        // Set by `parse_article`, which has the file's bytes.
        fingerprint: 0,
        link_refs: Vec::new(),
        rendered: OnceLock::new(),
    })
}

/// The article's own path, which replaces `content.permalink` for it: Jekyll's `permalink`
/// (a path, its placeholders allowed), else Hugo's `url`. An Eleventy template
/// (`{{ page.fileSlug }}/`) or an absolute URL is not read, with a warning.
fn own_path(
    fields: &mut Fields<'_>,
    permalink: Option<serde_yaml::Value>,
    url: Option<String>,
) -> Option<(&'static str, String)> {
    let permalink = match permalink {
        Some(serde_yaml::Value::String(path)) => Some(path),
        _ => None,
    };
    let written = [("permalink", permalink), ("url", url)]
        .into_iter()
        .find_map(|(key, path)| path.filter(|p| !p.trim().is_empty()).map(|p| (key, p)))?;
    let (key, path) = &written;
    let why = if path.contains("{{") || path.contains("{%") {
        "is a template (Eleventy's), not read"
    } else if path.contains("://") {
        "is an absolute URL, not a path on this site; not read"
    } else {
        return Some(written);
    };
    fields.warn(
        key,
        format!("`{key}` `{path}` {why}: content.permalink gives the link"),
    );
    None
}

/// `date`, or Astro's `pubDate` standing in for it, or Hugo's `publishDate`, or the date
/// prefix of the file or bundle name. When `date` and `pubDate` are both given, `date` is
/// the date and `pubDate` is Hugo's other name for `publishDate` (`article::visibility`).
fn date(
    fields: &mut Fields<'_>,
    written: [(&'static str, Option<Text>); 3],
    name: &FileName<'_>,
    tz: Tz,
) -> Result<DateTime<FixedOffset>, Located> {
    let [date, pub_date, publish_date] = written.map(|(key, text)| (key, text_of(text)));
    if let ((_, Some(_)), (key, Some(_))) = (&date, &pub_date) {
        let message = if publish_date.1.is_some() {
            "`pubDate` is ignored: `date` and `publishDate` are given"
        } else {
            "`pubDate` is read as Hugo's `publishDate` (not published before it): `date` is given"
        };
        fields.warn(key, message.to_string());
    }
    let given = [date, pub_date, publish_date]
        .into_iter()
        .find_map(|(key, text)| text.map(|text| (key, text)));
    match given {
        Some((key, text)) => dates::parse_date(&text, tz).or_else(|m| {
            lenient_date(fields, key, &text, name, tz)
                .ok_or_else(|| fields.at_key(key, format!("`{key}`: {m}")))
        }),
        None => match &name.date {
            Some((Ok(day), _)) => dates::start_of_day(*day, tz).map_err(at_start),
            Some((Err(m), _)) => Err(at_start(format!("missing `date`, and {m}"))),
            None => Err(at_start(if name.bundle.is_some() {
                "missing required field `date` (or name the bundle folder `YYYY-MM-DD-slug`)"
            } else {
                "missing required field `date` (or name the file `YYYY-MM-DD-slug.md`)"
            })),
        },
    }
}

/// Jekyll reads a `date` with trailing words (`2019-05-03 10:00:00 +0200 CEST`) and its
/// posts' file names carry the day anyway: when the name has a date, the longest leading
/// run of words that reads as a date is taken, with a warning naming what was left.
fn lenient_date(
    fields: &mut Fields<'_>,
    key: &str,
    text: &str,
    name: &FileName<'_>,
    tz: Tz,
) -> Option<DateTime<FixedOffset>> {
    if !matches!(name.date, Some((Ok(_), _))) {
        return None;
    }
    let text = text.trim();
    let cuts = text
        .char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i);
    let cuts: Vec<usize> = cuts.collect();
    let (date, rest) = cuts.iter().rev().find_map(|&cut| {
        let date = dates::parse_date(&text[..cut], tz).ok()?;
        Some((date, text[cut..].trim()))
    })?;
    fields.warn(
        key,
        format!("`{key}`: `{rest}` after the date is ignored (the file name has the date too)"),
    );
    Some(date)
}

/// The first given of `updated` and the other generators' names for it; never before `date`.
fn updated(
    fields: &mut Fields<'_>,
    updated_fields: [(&str, Option<Text>); 5],
    date: DateTime<FixedOffset>,
    tz: Tz,
) -> Result<DateTime<FixedOffset>, Located> {
    let updated_field = updated_fields
        .into_iter()
        .find_map(|(key, value)| text_of(value).map(|text| (key, text)));
    let Some((updated_key, text)) = updated_field else {
        return Ok(date);
    };
    let updated = dates::parse_date(&text, tz)
        .map_err(|m| fields.at_key(updated_key, format!("`{updated_key}`: {m}")))?;
    if updated < date {
        fields.warn(
            updated_key,
            format!("`{updated_key}` is earlier than `date`; using `date`"),
        );
        return Ok(date);
    }
    Ok(updated)
}

/// Tags from `tags`, `categories` and `category`, trimmed, without blanks or repeats.
///
/// One string instead of a list: `categories: ruby programming` is space-separated in
/// Jekyll; `tags: "rust, async"` is how Ghost/Obsidian exports write a list. A tag with
/// a space (`tags: machine learning`) stays one tag.
fn tags(
    tags: Option<OneOrMany<Text>>,
    categories: Option<OneOrMany<Text>>,
    category: Option<OneOrMany<Text>>,
) -> Vec<String> {
    let mut tags: Vec<String> = tag_values(tags, |s| {
        if s.contains(',') {
            s.split(',').map(str::to_string).collect()
        } else {
            vec![s.to_string()]
        }
    })
    .into_iter()
    .chain(tag_values(categories, |s| {
        s.split_whitespace().map(str::to_string).collect()
    }))
    // Pelican's and Jekyll's single `category` is one name, spaces and all.
    .chain(tag_values(category, |s| vec![s.to_string()]))
    .map(|t| t.trim().to_string())
    .filter(|t| !t.is_empty())
    .collect();
    let mut seen = std::collections::BTreeSet::new();
    tags.retain(|t| seen.insert(t.clone()));
    tags
}

/// A `tags`/`categories` value as strings: a list as written, a single string through `split`.
fn tag_values(field: Option<OneOrMany<Text>>, split: impl Fn(&str) -> Vec<String>) -> Vec<String> {
    match field {
        None => Vec::new(),
        Some(OneOrMany::One(Text(s))) => split(&s),
        Some(OneOrMany::Many(list)) => list.into_iter().map(|t| t.0).collect(),
    }
}

/// `lang`: a bad one only loses the language hint, so the article still publishes.
fn lang(fields: &mut Fields<'_>, lang: Option<Text>) -> Option<String> {
    let tag = text_of(lang)?;
    match check_language(&tag) {
        Language::Valid => Some(tag),
        Language::Normalised(fixed) => {
            fields.warn(
                "lang",
                format!("`lang` `{tag}` written as `{fixed}` (language tags use `-`)"),
            );
            Some(fixed)
        }
        Language::Invalid(m) => {
            fields.warn("lang", format!("`lang`: {m}; ignored"));
            None
        }
    }
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
    use super::super::test_support::*;
    use crate::content::render::BodyKind;

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
            vec!["c.md:3:1: warning: `pubDate` is read as Hugo's `publishDate` (not published before it): `date` is given"]
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
    fn article_enclosure_outside_a_podcast_is_named_as_not_written() {
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
                w[0].starts_with(
                    "a.md:4:1: warning: `enclosure` is read only for podcast episodes"
                ),
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
    fn article_date_with_trailing_words_is_read_when_the_file_name_has_the_date() {
        let text = "---\ntitle: J\ndate: 2023-01-29 18:30:22 2023 -0800\n---\n";
        let p = parse("_posts/2023-01-29-release.markdown", text);
        let a = p.article.unwrap();
        assert_eq!(a.date.to_rfc3339(), "2023-01-29T18:30:22+00:00");
        let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            w,
            vec!["_posts/2023-01-29-release.markdown:3:1: warning: `date`: `2023 -0800` after the date is ignored (the file name has the date too)"]
        );
        // Without a date in the file name, the date must be one.
        let d = err("release.md", text.as_bytes());
        assert_eq!(d.line, 3, "{d}");
        assert!(d.message.starts_with("`date`:"), "{d}");
        // No leading words read as a date: still an error.
        let text = "---\ntitle: J\ndate: soon 2023-01-29\n---\n";
        assert!(err("2023-01-29-x.md", text.as_bytes())
            .message
            .starts_with("`date`:"));
    }

    #[test]
    fn article_front_matter_fence_of_more_dashes_warns() {
        let p = parse("a.md", "------\ntitle: T\ndate: 2024-01-01\n------\nBody\n");
        assert_eq!(p.article.unwrap().title, "T");
        let w: Vec<String> = p.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            w,
            vec!["a.md:1:1: warning: front matter fence of more than three dashes, read as `---`"]
        );
    }

    #[test]
    fn article_hugo_params_authors() {
        let names = |yaml: &str| {
            let p = parse(
                "a.md",
                &format!("---\ntitle: T\ndate: 2024-01-01\n{yaml}\n---\n"),
            );
            let a = p.article.unwrap();
            let names: Vec<String> = a.authors.iter().map(|p| p.name.clone()).collect();
            (names, p.diagnostics.len())
        };
        assert_eq!(
            names("params: {author: William}"),
            (vec!["William".into()], 0)
        );
        assert_eq!(
            names("params:\n  authors: [Ada, {name: Bo}]\n  colour: red"),
            (vec!["Ada".into(), "Bo".into()], 0)
        );
        assert_eq!(names("Author: Cy"), (vec!["Cy".into()], 0));
        // The post's own `author` wins; a shape that is no person is ignored with a warning.
        assert_eq!(
            names("author: Di\nparams: {author: Ed}"),
            (vec!["Di".into()], 0)
        );
        let site = super::super::test_support::config().site.author.name;
        assert_eq!(names("params: {author: [[x]]}"), (vec![site], 1));
    }

    #[test]
    fn article_author_ids_resolve_through_the_site_authors_data() {
        let site = tempfile::tempdir().unwrap();
        let data = site.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(
            data.join("authors.yaml"),
            "william:\n  name: William Example\n  email: w@example.com\n",
        )
        .unwrap();
        let mut config = super::super::test_support::config();
        config.content.dir = site.path().join("content/blog");
        std::fs::create_dir_all(&config.content.dir).unwrap();
        let parse = |yaml: &str| {
            let text = format!("---\ntitle: T\ndate: 2024-01-01\n{yaml}\n---\n");
            parse_article("a.md", text.as_bytes(), &config, ParseOptions::default())
        };
        let p = parse("params:\n  author: william");
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let a = p.article.unwrap();
        assert_eq!(a.authors[0].name, "William Example");
        assert_eq!(a.authors[0].email.as_deref(), Some("w@example.com"));
        assert_eq!(
            parse("author: William").article.unwrap().authors[0].name,
            "William Example"
        );
        // An unknown id is the name, with a warning; a name with spaces is a name.
        let p = parse("authors: [nobody, Jane Doe]");
        let names: Vec<String> = p
            .article
            .unwrap()
            .authors
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, vec!["nobody", "Jane Doe"]);
        assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
        assert_eq!(p.diagnostics[0].line, 4);
        assert!(p.diagnostics[0]
            .message
            .starts_with("`authors`: `nobody` is not an author id of "));
        // A mapping is taken as written.
        let p = parse("author: {name: william}");
        assert_eq!(p.article.unwrap().authors[0].name, "william");
    }

    #[test]
    fn article_html_body_kind() {
        let a = ok("x.html", "---\ntitle: x\ndate: 2024-01-01\n---\n<p>hi</p>");
        assert_eq!(a.body_kind, BodyKind::Html);
    }
}
