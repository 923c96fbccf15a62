//! An article's identity (SPEC §1, §3.3): the name its file or bundle folder gives, its slug
//! and section (each one URL segment), its entry id, and whether a `_drafts` folder holds it.

use chrono::NaiveDate;
use url::Url;

use super::build::{at_start, Fields};
use crate::content::dates;
use crate::content::front_matter::Located;
use crate::entry_id::{self, tag_uri};
use crate::permalink::is_dot_segment;

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

/// The `id` field, checked, else the default `tag:` id.
pub(super) fn entry_id(
    fields: &Fields<'_>,
    written: Option<String>,
    base: &Url,
    day: NaiveDate,
    slug: &str,
) -> Result<String, Located> {
    match written {
        // The id is the entry's identity: an invalid one leaves the article out rather than
        // going out changed (see `entry_id::check_id`).
        Some(id) => {
            entry_id::check_id(&id).map_err(|m| fields.at_key("id", format!("`id` `{id}` {m}")))?;
            Ok(id)
        }
        None => Ok(tag_uri(base, day, slug)),
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
