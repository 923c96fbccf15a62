//! From front matter as written ([`RawFrontMatter`]) to an [`Article`]: one step per field,
//! in the order their errors are reported (the first error leaves the article out; warnings
//! accumulate and the article still publishes).

use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use url::Url;

use super::identity::{self, FileName};
use super::images::lead_image;
use super::plain_text::plain_text;
use super::{Article, ParseOptions};
use crate::config::Config;
use crate::content::dates;
use crate::content::front_matter::{self, ImageSpec, Located, OneOrMany, RawFrontMatter, Split};
use crate::content::render::BodyKind;
use crate::diag::Diagnostic;
use crate::language_tag::{check_language, Language};
use crate::person::{Person, PersonSpec};
use crate::yaml_text::Text;

/// Where the steps place their messages: the file, its front matter, the warnings so far.
pub(super) struct Fields<'a> {
    source: &'a str,
    split: &'a Split<'a>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Fields<'_> {
    /// A message at the line of the top-level `key` (the file's start if it is not there).
    pub(super) fn at_key(&self, key: &str, message: String) -> Located {
        let (line, column) = front_matter::key_position(self.split, key).unwrap_or((1, 1));
        Located {
            line,
            column,
            message,
        }
    }

    /// A warning at a key's line: the article still publishes.
    pub(super) fn warn(&mut self, key: &str, message: String) {
        let at = self.at_key(key, message);
        self.diagnostics.push(Diagnostic::warning(
            Path::new(self.source),
            at.line,
            at.column,
            at.message,
        ));
    }

    /// Warns about a value read with YAML's own reading of a number (see
    /// `front_matter::respelled`).
    fn warn_if_respelled(&mut self, key: &str, read: &str) {
        if let Some((written, what)) = front_matter::respelled(self.split, key, read) {
            self.warn(
                key,
                format!(
                    "`{key}`: {written} was read as {what} {read}; quote it (\"{written}\") to keep it as written"
                ),
            );
        }
    }
}

/// A problem with the file as a whole (line 1, column 1).
pub(super) fn at_start(message: impl Into<String>) -> Located {
    Located {
        line: 1,
        column: 1,
        message: message.into(),
    }
}

/// A text field, trimmed; `None` when absent or blank.
pub(super) fn text_of(t: Option<Text>) -> Option<String> {
    t.map(|t| t.0.trim().to_string()).filter(|s| !s.is_empty())
}

pub(super) fn build_article(
    source: &str,
    split: &Split<'_>,
    raw: RawFrontMatter,
    config: &Config,
    options: ParseOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Article, Located> {
    let mut fields = Fields {
        source,
        split,
        diagnostics,
    };
    let tz = config.site.timezone;
    let title = text_of(raw.title)
        .map(|t| plain_text(&t))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| at_start("missing required field `title`"))?;
    let name = FileName::of(source);
    let date = date(&mut fields, raw.date, raw.pub_date, &name, tz)?;
    let updated_fields = [
        ("updated", raw.updated),
        ("lastmod", raw.lastmod),
        ("last_modified_at", raw.last_modified_at),
        ("updatedDate", raw.updated_date),
        ("modified", raw.modified),
    ];
    let updated = updated(&mut fields, updated_fields, date, tz)?;
    let slug = identity::slug(&fields, text_of(raw.slug), &name)?;
    let section = identity::section(source)?;
    let day = date.with_timezone(&tz).date_naive();
    let permalink = config
        .content
        .permalink
        .expand(&config.site.base_url, section, &slug, day)
        .map_err(|m| fields.at_key("slug", m))?;
    let id = identity::entry_id(&fields, text_of(raw.id), &config.site.base_url, day, &slug)?;
    let link = match text_of(raw.link) {
        Some(text) => Some(
            absolute_http_url(&text).map_err(|m| fields.at_key("link", format!("`link`: {m}")))?,
        ),
        None => None,
    };
    let written_authors = [("author", raw.author), ("authors", raw.authors)];
    let authors = authors(&mut fields, written_authors, &config.site.author)?;
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
    // Silently dropping it would send a podcast feed out without its audio.
    if raw.enclosure.is_some() {
        fields.warn(
            "enclosure",
            "`enclosure` is not written to the feeds yet (podcast enclosures are a later release); the entry goes out without it".to_string(),
        );
    }
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
            || identity::in_drafts_folder(source),
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

/// `date`, or Astro's `pubDate` standing in for it (when both are given, `date` wins), or
/// the date prefix of the file or bundle name.
fn date(
    fields: &mut Fields<'_>,
    date: Option<Text>,
    pub_date: Option<Text>,
    name: &FileName<'_>,
    tz: Tz,
) -> Result<DateTime<FixedOffset>, Located> {
    let (date_key, date_text) = match (text_of(date), text_of(pub_date)) {
        (Some(date), Some(_)) => {
            fields.warn(
                "pubDate",
                "`pubDate` is ignored: `date` is given".to_string(),
            );
            ("date", Some(date))
        }
        (Some(date), None) => ("date", Some(date)),
        (None, pub_date) => ("pubDate", pub_date),
    };
    match date_text {
        Some(text) => dates::parse_date(&text, tz)
            .map_err(|m| fields.at_key(date_key, format!("`{date_key}`: {m}"))),
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

/// `author` then `authors`, each one name, mapping or list; the site author when neither
/// names anyone.
fn authors(
    fields: &mut Fields<'_>,
    written: [(&str, Option<OneOrMany<PersonSpec>>); 2],
    site_author: &Person,
) -> Result<Vec<Person>, Located> {
    let mut authors = Vec::new();
    for (key, specs) in written {
        for spec in specs.into_iter().flat_map(|a| a.into_vec()) {
            if let PersonSpec::Name(name) = &spec {
                fields.warn_if_respelled(key, name);
            }
            authors.push(
                spec.into_person()
                    .map_err(|m| fields.at_key(key, format!("`{key}`: {m}")))?,
            );
        }
    }
    if authors.is_empty() {
        authors.push(site_author.clone());
    }
    Ok(authors)
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
