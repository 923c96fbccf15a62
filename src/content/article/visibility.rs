//! Whether the site the content came from showed a post (SPEC §10): the pages that are not
//! articles at all ([`is_listing_page`]), and each generator's way of keeping a post off
//! the site ([`visibility`]): Hugo's `publishDate`, `expiryDate`, `build`/`_build`,
//! `headless`; Eleventy's `eleventyExcludeFromCollections` and `permalink: false`;
//! Pelican's `status`. Drafts in their own spellings are read in `build`.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

use super::fields::{text_of, Fields};
use crate::content::dates;
use crate::content::front_matter::{BuildOptions, Located, RawFrontMatter};
use crate::yaml_text::Text;

/// A listing page, not an article: Hugo's section page `_index.md` at any depth, or an
/// `index.md` (any article extension) directly at the content root, the site's home page
/// in Jekyll and Hugo alike. Bundles (`posts/trip/index.md`) are articles.
pub(crate) fn is_listing_page(source: &str) -> bool {
    let file_name = source.rsplit('/').next().unwrap_or(source);
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    stem.eq_ignore_ascii_case("_index")
        || (!source.contains('/') && stem.eq_ignore_ascii_case("index"))
}

/// When a post is on the site, beside `draft` and `date`.
#[derive(Debug, Default)]
pub(super) struct Visibility {
    /// Never shown: the generator builds no page or lists it nowhere.
    pub hidden: bool,
    /// Hugo's `publishDate`: not shown before it.
    pub publish_at: Option<DateTime<FixedOffset>>,
    /// Hugo's `expiryDate`: not shown from it on.
    pub expires_at: Option<DateTime<FixedOffset>>,
}

/// The fields of `raw` that keep a post off the site, read (and taken out of `raw`). A date
/// that cannot be read is an error: publishing could then be wrong.
pub(super) fn visibility(
    fields: &mut Fields<'_>,
    raw: &mut RawFrontMatter,
    tz: Tz,
) -> Result<Visibility, Located> {
    let when = |key: &str, text: Option<Text>| match text_of(text) {
        Some(text) => dates::parse_date(&text, tz)
            .map(Some)
            .map_err(|m| fields.at_key(key, format!("`{key}`: {m}"))),
        None => Ok(None),
    };
    // Hugo also reads `pubdate` as `publishDate`; alone, it is Astro's date (`build::date`).
    let date_given = text_of(raw.date.clone()).is_some();
    let publish_at = match (&raw.publish_date, &raw.pub_date) {
        (Some(_), _) | (None, None) => when("publishDate", raw.publish_date.clone())?,
        (None, Some(_)) if date_given => when("pubDate", raw.pub_date.clone())?,
        (None, Some(_)) => None,
    };
    let expires_at = when("expiryDate", raw.expiry_date.take())?;
    let hidden = [raw.build.take(), raw.underscore_build.take()]
        .iter()
        .flatten()
        .any(never_built)
        || raw.headless == Some(true)
        || raw.eleventy_exclude.take().is_some_and(|v| truthy(&v))
        || raw.permalink.as_ref() == Some(&serde_yaml::Value::Bool(false))
        || pelican_hidden(fields, raw.status.take());
    Ok(Visibility {
        hidden,
        publish_at,
        expires_at,
    })
}

/// Hugo: `render: never` builds no page, `list: never` (or `local`, outside its own
/// section) leaves it out of the site's lists; older sites wrote `false`.
fn never_built(build: &BuildOptions) -> bool {
    let is = |value: &Option<Text>, words: &[&str]| {
        value
            .as_ref()
            .is_some_and(|t| words.iter().any(|w| t.0.trim().eq_ignore_ascii_case(w)))
    };
    is(&build.render, &["never", "false"]) || is(&build.list, &["never", "false", "local"])
}

/// Eleventy: `true`, or a (non-empty) collection name or list of them.
fn truthy(value: &serde_yaml::Value) -> bool {
    match value {
        serde_yaml::Value::Bool(b) => *b,
        serde_yaml::Value::String(s) => !s.trim().is_empty(),
        serde_yaml::Value::Sequence(items) => !items.is_empty(),
        _ => false,
    }
}

/// Pelican shows only `published` posts (WordPress exports write `publish`): `draft`,
/// `hidden`, `skip` are left out, and so, with a warning, is a status Pelican does not know.
fn pelican_hidden(fields: &mut Fields<'_>, status: Option<Text>) -> bool {
    let Some(status) = text_of(status) else {
        return false;
    };
    let lower = status.to_ascii_lowercase();
    match lower.as_str() {
        "published" | "publish" => false,
        "draft" | "hidden" | "skip" => true,
        _ => {
            fields.warn(
                "status",
                format!("`status: {status}` is not `published`, `draft` or `hidden`; not published, as Pelican skips it"),
            );
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::is_listing_page;
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn fm(yaml: &str) -> String {
        format!("---\ntitle: T\ndate: 2024-01-01\n{yaml}\n---\nBody.\n")
    }

    #[test]
    fn listing_pages_are_not_articles() {
        for source in [
            "_index.md",
            "posts/_index.md",
            "a/b/c/_index.markdown",
            "index.md",
            "INDEX.html",
        ] {
            assert!(is_listing_page(source), "{source}");
            let p = parse(source, "---\ntitle: Posts\n---\n");
            assert!(
                p.article.is_none() && p.diagnostics.is_empty(),
                "{source}: {:?}",
                p.diagnostics
            );
        }
        for source in [
            "posts/trip/index.md",
            "posts/index.md",
            "my_index.md",
            "_index2.md",
        ] {
            assert!(!is_listing_page(source), "{source}");
        }
    }

    #[test]
    fn hugo_publish_date_and_expiry_date_bound_the_post() {
        let a = ok(
            "a.md",
            &fm("publishDate: 2024-06-01\nexpiryDate: 2024-09-01T12:00:00Z"),
        );
        assert_eq!(a.date.to_rfc3339(), "2024-01-01T00:00:00+00:00");
        assert!(!a.is_published(at("2024-05-31T23:59:59Z")));
        assert!(a.is_published(at("2024-06-01T00:00:00Z")));
        assert!(a.is_published(at("2024-09-01T11:59:59Z")));
        assert!(!a.is_published(at("2024-09-01T12:00:00Z")));
        // Hugo's other spellings: any case, `unpublishdate`.
        let b = ok(
            "b.md",
            &fm("PublishDate: 2030-01-01\nunpublishdate: 2020-01-01"),
        );
        assert_eq!(
            b.publish_at.map(|d| d.to_rfc3339()).as_deref(),
            Some("2030-01-01T00:00:00+00:00")
        );
        assert_eq!(
            b.expires_at.map(|d| d.to_rfc3339()).as_deref(),
            Some("2020-01-01T00:00:00+00:00")
        );
        // Beside `date`, `pubdate` is Hugo's name for `publishDate`.
        let e = ok("e.md", &fm("pubdate: 2030-01-01"));
        assert!(!e.is_published(at("2029-12-31T00:00:00Z")));
        assert!(e.is_published(at("2030-01-01T00:00:00Z")));
        // No `date`: `publishDate` is the date, as in Hugo.
        let c = ok("c.md", "---\ntitle: T\npublishDate: 2024-03-01\n---\n");
        assert_eq!(c.date.to_rfc3339(), "2024-03-01T00:00:00+00:00");
        // A date that cannot be read is an error at its key: publishing could be wrong.
        let d = err("d.md", fm("expiryDate: soon").as_bytes());
        assert_eq!(d.line, 4, "{d}");
        assert!(d.message.starts_with("`expiryDate`:"), "{d}");
    }

    #[test]
    fn posts_the_generator_never_shows_are_hidden() {
        for yaml in [
            "build: {render: never}",
            "build:\n  list: never",
            "build: {list: local}",
            "_build: {render: false}",
            "_build:\n  list: false",
            "Build: {Render: never}",
            "headless: true",
            "Headless: true",
            "Draft: true",
            "DRAFT: true",
            "eleventyExcludeFromCollections: true",
            "eleventyExcludeFromCollections: [posts]",
            "permalink: false",
            "status: draft",
            "Status: Hidden",
            "status: skip",
        ] {
            let a = ok("a.md", &fm(yaml));
            assert!(!a.is_published(at("2025-01-01T00:00:00Z")), "{yaml}");
        }
        for yaml in [
            "build: {render: always, list: always}",
            "build: {render: link}",
            "headless: false",
            "eleventyExcludeFromCollections: false",
            "permalink: /blog/x/",
            "status: published",
            "draft: false",
        ] {
            let p = parse("a.md", &fm(yaml));
            assert!(p.diagnostics.is_empty(), "{yaml}: {:?}", p.diagnostics);
            assert!(
                p.article.unwrap().is_published(at("2025-01-01T00:00:00Z")),
                "{yaml}"
            );
        }
        // An unknown Pelican status is skipped, as Pelican does, with a warning.
        let p = parse("a.md", &fm("status: pending"));
        assert!(!p.article.unwrap().is_published(at("2025-01-01T00:00:00Z")));
        assert_eq!(p.diagnostics.len(), 1);
        assert_eq!(p.diagnostics[0].line, 4);
    }

    #[test]
    fn keys_in_another_case_are_read_and_not_unknown() {
        let text = "---\nTitle: T\nDate: 2024-01-01\nTags: [a]\nAuthor: Ada\nDraft: false\n---\n";
        let p = parse_article(
            "a.md",
            text.as_bytes(),
            &config(),
            ParseOptions {
                report_unknown_fields: true,
                keep_body: true,
            },
        );
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let a = p.article.unwrap();
        assert_eq!(
            (a.title.as_str(), a.tags.clone()),
            ("T", vec!["a".to_string()])
        );
        assert_eq!(a.authors[0].name, "Ada");
    }
}
