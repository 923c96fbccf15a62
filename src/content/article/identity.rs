//! An article's identity (SPEC §1, §3.3): the name its file or bundle folder gives, its slug
//! and section (each one URL segment), its entry id, and whether a `_drafts` folder holds it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::NaiveDate;
use url::Url;

use super::fields::{at_start, Fields};
use crate::content::dates;
use crate::content::front_matter::{Located, OneOrMany};
use crate::entry_id::{self, EntryIdRule, IdRuleError, IdValues};
use crate::permalink::is_dot_segment;
use crate::yaml_text::Text;

/// What the file's path says about the article.
pub(super) struct FileName<'a> {
    /// The last path component, extension included.
    pub(super) file_name: &'a str,
    /// The folder of a Hugo page bundle (`posts/first-trip/index.md`).
    pub(super) bundle: Option<&'a str>,
    /// The bundle folder's name, else the file's stem.
    name: &'a str,
    /// "folder name" or "file name", for messages.
    what: &'static str,
    /// A `YYYY-MM-DD-` prefix of `name`: the day (or why it is none) and the rest.
    pub(super) date: Option<(Result<NaiveDate, String>, &'a str)>,
}

impl<'a> FileName<'a> {
    pub(super) fn of(source: &'a str) -> Self {
        let file_name = source.rsplit('/').next().unwrap_or(source);
        let stem = file_name
            .rsplit_once('.')
            .map_or(file_name, |(stem, _)| stem);
        // A Hugo page bundle (`posts/first-trip/index.md`) is named by its folder, not by the
        // `index` every bundle shares; its resources sit beside it, which is where relative
        // links then resolve. The folder name follows the file-name rules (date prefix too).
        let bundle = bundle_folder(source, stem);
        let (name, what) = match bundle {
            Some(folder) => (folder, "folder name"),
            None => (stem, "file name"),
        };
        FileName {
            file_name,
            bundle,
            name,
            what,
            date: dates::date_prefix(name, what),
        }
    }
}

impl FileName<'_> {
    /// The bundle folder's name, else the file's stem (date prefix included).
    pub(super) fn name(&self) -> &str {
        self.name
    }
}

/// Jekyll's categories of a post, for `:categories`: the folders above its `_posts` folder
/// (when the content root is a `_posts` folder, those between the Jekyll site's root and
/// it: [`categories_above_root`]), then `categories` (a list, or a space-separated string)
/// and `category`; lower-cased, without repeats.
pub(super) fn jekyll_categories(
    content_dir: &Path,
    source: &str,
    categories: &Option<OneOrMany<Text>>,
    category: &Option<OneOrMany<Text>>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let folders: Vec<&str> = source.split('/').collect();
    if let Some(posts) = folders.iter().position(|f| *f == "_posts") {
        out.extend(folders[..posts].iter().map(|f| f.to_string()));
    } else if content_dir.file_name().is_some_and(|n| n == "_posts") {
        out.extend(categories_above_root(content_dir).iter().cloned());
    }
    let written = |field: &Option<OneOrMany<Text>>, split: bool| -> Vec<String> {
        match field {
            None => Vec::new(),
            Some(OneOrMany::One(Text(s))) if split => {
                s.split_whitespace().map(str::to_string).collect()
            }
            Some(OneOrMany::One(Text(s))) => vec![s.trim().to_string()],
            Some(OneOrMany::Many(list)) => list.iter().map(|t| t.0.trim().to_string()).collect(),
        }
    };
    out.extend(written(categories, true));
    out.extend(written(category, false));
    let mut seen = std::collections::BTreeSet::new();
    out.into_iter()
        .map(|c| c.to_lowercase())
        .filter(|c| !c.is_empty() && seen.insert(c.clone()))
        .collect()
}

/// The folders between a Jekyll site's root (the nearest folder above with a `_config.yml`,
/// at most four levels up) and a content root that is its `_posts` folder
/// (`en/news/_posts` gives `en`, `news`); none when no site root is found. Looked up once
/// per content root.
fn categories_above_root(content_dir: &Path) -> Arc<Vec<String>> {
    static FOUND: OnceLock<Mutex<HashMap<PathBuf, Arc<Vec<String>>>>> = OnceLock::new();
    let found = FOUND.get_or_init(Default::default);
    let mut found = found
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let categories = found.entry(content_dir.to_path_buf()).or_insert_with(|| {
        let posts_parent = content_dir.parent().unwrap_or(content_dir);
        let root = posts_parent.ancestors().take(5).find(|dir| {
            ["_config.yml", "_config.yaml"]
                .iter()
                .any(|f| dir.join(f).is_file())
        });
        let folders = root
            .and_then(|root| posts_parent.strip_prefix(root).ok())
            .map(|between| {
                between
                    .components()
                    .filter_map(|c| c.as_os_str().to_str().map(str::to_string))
                    .collect()
            });
        Arc::new(folders.unwrap_or_default())
    });
    Arc::clone(categories)
}

/// The `slug` field, else the file or bundle name without its date prefix.
pub(super) fn slug(
    fields: &Fields<'_>,
    written: Option<String>,
    name: &FileName<'_>,
) -> Result<String, Located> {
    let slug = match written {
        Some(slug) => {
            if slug.contains('/') {
                return Err(fields.at_key(
                    "slug",
                    format!("`slug` `{slug}` must be one URL segment (no `/`)"),
                ));
            }
            if is_dot_segment(&slug) {
                return Err(fields.at_key(
                    "slug",
                    format!(
                        "`slug` `{slug}` reads as `.` or `..` in a URL, which would point outside the article; choose another slug"
                    ),
                ));
            }
            slug
        }
        None => {
            let slug = match &name.date {
                Some((_, rest)) => *rest,
                None => name.name,
            };
            // A file stem like `%2e%2e` could be encoded into a harmless literal segment,
            // but servers and CDNs that decode twice would still see `..`: refuse it, and
            // say how to fix it, rather than publish a URL that means different things.
            if is_dot_segment(slug) {
                return Err(at_start(format!(
                    "{} gives the slug `{slug}`, which reads as `.` or `..` in a URL; set a `slug` field or rename it",
                    name.what
                )));
            }
            slug.to_string()
        }
    };
    if slug.is_empty() {
        return Err(at_start("empty slug: give a `slug` field or a file name"));
    }
    Ok(slug)
}

/// The first folder below the content root; empty for a file at the root.
pub(super) fn section(source: &str) -> Result<&str, Located> {
    let section = match source.split_once('/') {
        Some((first, _)) => first,
        None => "",
    };
    // Same reasoning as for file stems; a folder cannot be fixed from the front matter.
    if is_dot_segment(section) {
        return Err(at_start(format!(
            "folder name `{section}` reads as `.` or `..` in a URL; rename the folder"
        )));
    }
    Ok(section)
}

/// The `id` field, checked, else the id `feeds.entry_id` gives (by default the `tag:` id).
pub(super) fn entry_id(
    fields: &Fields<'_>,
    written: Option<String>,
    uuid: Option<String>,
    rule: &EntryIdRule,
    base: &Url,
    values: IdValues<'_>,
) -> Result<String, Located> {
    match written {
        // The id is the entry's identity: an invalid one leaves the article out rather than
        // going out changed (see `entry_id::check_id`).
        Some(id) => {
            entry_id::check_id(&id).map_err(|m| fields.at_key("id", format!("`id` `{id}` {m}")))?;
            Ok(id)
        }
        None => {
            let values = IdValues {
                uuid: uuid.as_deref(),
                ..values
            };
            rule.id(base, &values).map_err(|e| match e {
                IdRuleError::MissingUuid => at_start(
                    "missing `uuid`, which feeds.entry_id needs for this article's id (or give it an `id`)",
                ),
                IdRuleError::BadUuid(uuid) => fields.at_key(
                    "uuid",
                    format!("`uuid` `{uuid}` is not a UUID (8-4-4-4-12 hex digits), which feeds.entry_id needs"),
                ),
                IdRuleError::Invalid(id, m) => {
                    at_start(format!("the id feeds.entry_id gives, `{id}`, {m}"))
                }
            })
        }
    }
}

/// True for a file below a folder named `_drafts` (Jekyll, Hexo), at any depth below the root.
pub(super) fn in_drafts_folder(source: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

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
        // `index.md` at the root and `_index.md` anywhere are listing pages
        // (`article::visibility`); `indexes.md` is an ordinary file.
        assert_eq!(ok("indexes.md", body).slug, "indexes");
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

    fn with_pattern(pattern: &str, source: &str, text: &str) -> Article {
        let mut c = config();
        c.content.permalink = crate::permalink::PermalinkPattern::parse(pattern.into()).unwrap();
        let p = parse_article(source, text.as_bytes(), &c, ParseOptions::default());
        p.article.unwrap_or_else(|| panic!("{:?}", p.diagnostics))
    }

    #[test]
    fn article_jekyll_and_hugo_permalink_patterns() {
        // Jekyll: `:title` is the file name's slug; `:categories` the folders above `_posts`
        // and the front matter's, lower-cased.
        let a = with_pattern(
            "pretty",
            "news/_posts/2024-03-07-ruby-3-3-1-released.md",
            "---
title: Ruby 3.3.1 Released
categories: Release
---
",
        );
        assert_eq!(
            a.permalink.as_str(),
            "https://example.com/blog/news/release/2024/03/07/ruby-3-3-1-released/"
        );
        let a = with_pattern(
            "/:year/:month/:day/:title:output_ext",
            "_posts/2024-03-07-x.md",
            "---
title: T
date: 2024-03-07 23:30:00 -0500
---
",
        );
        // The date in the site's time zone (UTC here), as the id uses it.
        assert_eq!(
            a.permalink.as_str(),
            "https://example.com/blog/2024/03/08/x.html"
        );
        // Hugo: `:slug` is the `slug` field, else the title slugified (not the bundle folder).
        let a = with_pattern(
            "/:section/:slug/",
            "posts/trip/index.md",
            "---
title: First Trip, Spring!
date: 2023-05-05
---
",
        );
        assert_eq!(
            a.permalink.as_str(),
            "https://example.com/blog/posts/first-trip-spring/"
        );
        let a = with_pattern(
            "/:section/:slug/",
            "posts/trip/index.md",
            "---
title: First Trip
date: 2023-05-05
slug: own
---
",
        );
        assert_eq!(a.permalink.as_str(), "https://example.com/blog/posts/own/");
        // A date-only pattern.
        let a = with_pattern(
            "/news/:year/:month/:day/",
            "a.md",
            "---
title: A
date: 2023-05-05
---
",
        );
        assert_eq!(
            a.permalink.as_str(),
            "https://example.com/blog/news/2023/05/05/"
        );
    }

    #[test]
    fn article_categories_of_a_posts_content_root_come_from_the_site_root() {
        let site = tempfile::tempdir().unwrap();
        std::fs::write(site.path().join("_config.yml"), "title: x\n").unwrap();
        let posts = site.path().join("en/news/_posts");
        std::fs::create_dir_all(&posts).unwrap();
        let mut c = config();
        c.content.dir = posts;
        c.content.permalink = crate::permalink::PermalinkPattern::parse("pretty".into()).unwrap();
        let p = parse_article(
            "2024-03-07-x.md",
            b"---\ntitle: T\ncategories: [Release]\n---\n",
            &c,
            ParseOptions::default(),
        );
        assert_eq!(
            p.article.unwrap().permalink.as_str(),
            "https://example.com/blog/en/news/release/2024/03/07/x/"
        );
        // No `_config.yml` above: no folder categories.
        let bare = tempfile::tempdir().unwrap();
        c.content.dir = bare.path().join("_posts");
        let p = parse_article(
            "2024-03-07-x.md",
            b"---\ntitle: T\n---\n",
            &c,
            ParseOptions::default(),
        );
        assert_eq!(
            p.article.unwrap().permalink.as_str(),
            "https://example.com/blog/2024/03/07/x/"
        );
    }

    #[test]
    fn article_own_path_replaces_the_pattern() {
        // Jekyll's `permalink` (placeholders allowed), Hugo's `url` (any case).
        let a = ok(
            "_posts/2024-03-07-x.md",
            "---\ntitle: T\npermalink: /archive/:year/:title.html\n---\n",
        );
        assert_eq!(
            a.permalink.as_str(),
            "https://example.com/blog/archive/2024/x.html"
        );
        let a = ok(
            "post/x.md",
            "---\nTitle: T\ndate: 2009-12-12\nUrl: post/vim-plugins-snipmate\n---\n",
        );
        assert_eq!(
            a.permalink.as_str(),
            "https://example.com/blog/post/vim-plugins-snipmate"
        );
        // An Eleventy template or an absolute URL is not read, with a warning at the key.
        for (yaml, why) in [
            ("permalink: \"{{ page.fileSlug }}/\"", "is a template"),
            ("url: https://elsewhere.example/x/", "is an absolute URL"),
        ] {
            let p = parse(
                "post/x.md",
                &format!("---\ntitle: T\ndate: 2024-01-02\n{yaml}\n---\n"),
            );
            assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
            let d = &p.diagnostics[0];
            assert!(d.line == 4 && d.message.contains(why), "{d}");
            assert_eq!(
                p.article.unwrap().permalink.as_str(),
                "https://example.com/blog/post/x/"
            );
        }
        // A bad one is an error at its key.
        let d = err(
            "x.md",
            b"---\ntitle: T\ndate: 2024-01-02\npermalink: /:bogus/\n---\n",
        );
        assert!(d.line == 4 && d.message.starts_with("`permalink`:"), "{d}");
    }

    #[test]
    fn article_entry_id_rule_from_config() {
        let mut c = config();
        let parse = |c: &Config, text: &str| {
            parse_article("posts/x.md", text.as_bytes(), c, ParseOptions::default())
        };
        c.feeds.entry_id = crate::entry_id::EntryIdRule::parse("{permalink}").unwrap();
        let a = parse(
            &c,
            "---
title: T
date: 2024-01-02
---
",
        )
        .article
        .unwrap();
        assert_eq!(a.id, "https://example.com/blog/posts/x/");
        // A written `id` still wins.
        let a = parse(
            &c,
            "---
title: T
date: 2024-01-02
id: urn:example:1
---
",
        );
        assert_eq!(a.article.unwrap().id, "urn:example:1");

        c.feeds.entry_id = crate::entry_id::EntryIdRule::parse("urn:uuid:{uuid}").unwrap();
        let uuid = "6e8bc430-9c3a-11d9-9669-0800200c9a66";
        let text = format!(
            "---
title: T
date: 2024-01-02
uuid: {uuid}
---
"
        );
        assert_eq!(
            parse(&c, &text).article.unwrap().id,
            format!("urn:uuid:{uuid}")
        );
        let p = parse(
            &c,
            "---
title: T
date: 2024-01-02
---
",
        );
        assert!(p.article.is_none());
        assert_eq!(
            p.diagnostics[0].to_string(),
            "posts/x.md:1:1: error: missing `uuid`, which feeds.entry_id needs for this article's id (or give it an `id`)"
        );
        let p = parse(
            &c,
            "---
title: T
date: 2024-01-02
uuid: not-one
---
",
        );
        assert!(p.article.is_none());
        let d = &p.diagnostics[0];
        assert_eq!((d.line, d.column), (4, 1), "{d}");
        assert!(
            d.message.starts_with("`uuid` `not-one` is not a UUID"),
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
}
