//! The `feeds:` section as checked ([`FeedsConfig`]): the feed routes, the group feeds'
//! path patterns ([`GroupPaths`]), the RFC 5005 archives and the entry-id rule.

use super::raw::RawFeeds;
use super::{at_least, invalid, route, ConfigError};
use crate::entry_id::EntryIdRule;

#[derive(Debug, Clone)]
pub struct FeedsConfig {
    pub limit: usize,
    pub rss_path: String,
    pub rss_alias_path: Option<String>,
    pub atom_path: String,
    /// JSON Feed 1.1 beside RSS and Atom; None when switched off (`""`).
    pub json_path: Option<String>,
    pub index_path: String,
    /// Per-tag, per-section and per-author feeds (SPEC §12); `None`: that kind is off.
    pub tags: Option<GroupPaths>,
    pub sections: Option<GroupPaths>,
    pub authors: Option<GroupPaths>,
    /// How many entries each group feed carries.
    pub group_limit: usize,
    /// A kind with more feeds than this is linked from `/` by its index page only, not by
    /// one autodiscovery link per feed.
    pub autodiscovery_max: usize,
    /// RFC 5005 archives: articles per archive document, counted from the oldest; 0: off.
    pub archive_page_size: usize,
    /// Folder of archive `n`, with `{n}` in it and a final `/`: `/archive/{n}/` holds
    /// `feed.xml` and `atom.xml`.
    pub archive_path: String,
    /// The id of an article without an `id` field.
    pub(crate) entry_id: EntryIdRule,
}

/// Where one kind of group feed is served: `{prefix}{slug}/feed.xml` and `…/atom.xml`,
/// and the kind's index page at `{prefix}` (from a pattern like `/tags/{tag}/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPaths {
    /// The pattern as configured, e.g. `/tags/{tag}/`.
    pub pattern: String,
    /// The text before the placeholder, e.g. `/tags/`: the index page's path too.
    pub prefix: String,
}

impl GroupPaths {
    /// The folder of the group with `slug`, e.g. `/tags/rust/`.
    pub fn folder(&self, slug: &str) -> String {
        format!("{}{slug}/", self.prefix)
    }
}

impl FeedsConfig {
    /// The enabled group kinds' paths, with the key that sets each.
    pub(crate) fn groups(&self) -> impl Iterator<Item = (&'static str, &GroupPaths)> {
        [
            ("feeds.tag_path", &self.tags),
            ("feeds.section_path", &self.sections),
            ("feeds.author_path", &self.authors),
        ]
        .into_iter()
        .filter_map(|(key, paths)| paths.as_ref().map(|p| (key, p)))
    }
}

pub(super) fn feeds_config(r: RawFeeds) -> Result<FeedsConfig, ConfigError> {
    Ok(FeedsConfig {
        limit: at_least("feeds.limit", r.limit, 20, 1)?,
        rss_path: route("feeds.rss_path", r.rss_path, "/feed.xml")?,
        rss_alias_path: match r.rss_alias_path {
            Some(p) if p.is_empty() => None,
            other => Some(route("feeds.rss_alias_path", other, "/rss.xml")?),
        },
        atom_path: route("feeds.atom_path", r.atom_path, "/atom.xml")?,
        json_path: match r.json_path {
            Some(p) if p.is_empty() => None,
            other => Some(route("feeds.json_path", other, "/feed.json")?),
        },
        index_path: route("feeds.index_path", r.index_path, "/")?,
        tags: group_paths("feeds.tag_path", r.tag_path, "/tags/{tag}/", "{tag}")?,
        sections: group_paths(
            "feeds.section_path",
            r.section_path,
            "/sections/{section}/",
            "{section}",
        )?,
        authors: group_paths(
            "feeds.author_path",
            r.author_path,
            "/authors/{author}/",
            "{author}",
        )?,
        group_limit: at_least("feeds.group_limit", r.group_limit, r.limit.unwrap_or(20), 1)?,
        autodiscovery_max: r.autodiscovery_max.unwrap_or(50),
        archive_page_size: r.archive_page_size.unwrap_or(50),
        archive_path: archive_path(r.archive_path)?,
        entry_id: EntryIdRule::parse(r.entry_id.as_deref().unwrap_or(""))
            .map_err(|m| invalid("feeds.entry_id", m))?,
    })
}

/// A group kind's folder pattern: `""` turns the kind off; otherwise a route ending in
/// `{placeholder}/`, with a non-root folder before it (that folder is the kind's index page).
fn group_paths(
    key: &str,
    value: Option<String>,
    default: &str,
    placeholder: &str,
) -> Result<Option<GroupPaths>, ConfigError> {
    if value.as_deref() == Some("") {
        return Ok(None);
    }
    let pattern = route(key, value, default)?;
    let suffix = format!("{placeholder}/");
    let prefix = pattern.strip_suffix(&suffix).unwrap_or("");
    if prefix.len() < 2 || !prefix.ends_with('/') || prefix.contains(['{', '}']) {
        return Err(invalid(
            key,
            format!("`{pattern}` must be a folder path ending in `/{placeholder}/`, below `/` (e.g. `{default}`), or `\"\"` to turn it off"),
        ));
    }
    Ok(Some(GroupPaths {
        prefix: prefix.to_string(),
        pattern,
    }))
}

/// `feeds.archive_path`: a route folder with `{n}` standing for a whole segment.
fn archive_path(value: Option<String>) -> Result<String, ConfigError> {
    const KEY: &str = "feeds.archive_path";
    let path = route(KEY, value, "/archive/{n}/")?;
    let segments: Vec<&str> = path.split('/').collect();
    let placeholder = segments.iter().filter(|s| **s == "{n}").count();
    if placeholder != 1 || path.matches(['{', '}']).count() != 2 || !path.ends_with('/') {
        return Err(invalid(
            KEY,
            format!("`{path}` must be a folder path ending in `/` with `{{n}}` as one whole segment, like `/archive/{{n}}/`"),
        ));
    }
    Ok(path)
}
