//! The documents of the group feeds (SPEC §12): per group an RSS and an Atom feed of its
//! newest entries, written by the same writers as the site feed with the group's own
//! [`FeedMeta`] (as chunk lists over shared items, see [`super::items`]), and one HTML
//! index page per kind listing its feeds with their counts.

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write;
use std::hash::{Hash, Hasher};

use chrono::Utc;
use rayon::prelude::*;

use super::document::{Document, DocumentKind};
use super::entry::{escape_html, Entry};
use super::feed_safe;
use super::groups::{Group, GroupKind};
use super::history::History;
use super::items::{atom_frame, chunk_list, item_xml, json_frame, rss_frame, ItemFormat, ItemXml};
use super::meta::FeedMeta;
use super::PreviousKeys;
use crate::config::Config;
use crate::content::Article;

/// File names of a group's feeds inside its folder (SPEC §12).
pub const RSS_FILE: &str = "feed.xml";
pub const ATOM_FILE: &str = "atom.xml";
/// Written when JSON Feed is on (`feeds.json_path`).
pub const JSON_FILE: &str = "feed.json";

/// A group's documents: file name, kind and item format.
pub(crate) fn group_files(config: &Config) -> Vec<(&'static str, DocumentKind, ItemFormat)> {
    let mut files = vec![
        (RSS_FILE, DocumentKind::Rss, ItemFormat::Rss),
        (ATOM_FILE, DocumentKind::Atom, ItemFormat::Atom),
    ];
    if config.feeds.json_path.is_some() {
        files.push((JSON_FILE, DocumentKind::Json, ItemFormat::Json));
    }
    files
}

/// A group with the articles its feed holds.
#[derive(Debug, Clone)]
pub struct GroupFeed<'g> {
    pub group: &'g Group,
    /// Newest first, at most `feeds.group_limit`.
    pub members: Vec<Member<'g>>,
}

/// One article of a group feed.
#[derive(Debug, Clone, Copy)]
pub struct Member<'g> {
    pub article: &'g Article,
    /// Its index in the entries given to [`render_outputs`](super::render_outputs) when its
    /// items are to be written now; `None` when they were written before (same version).
    pub entry: Option<usize>,
}

/// An index page's inputs, hashed: each feed's slug, name, count and newest `updated`.
fn index_key(feeds: &[&GroupFeed<'_>]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for feed in feeds {
        feed.group.slug.hash(&mut hasher);
        feed.group.name.hash(&mut hasher);
        feed.group.members.len().hash(&mut hasher);
        feed.members
            .iter()
            .map(|m| m.article.updated)
            .max()
            .hash(&mut hasher);
    }
    hasher.finish()
}

impl GroupFeed<'_> {
    /// The feed's inputs, hashed: its kind, slug and name, and each member's version.
    fn key(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.group.kind.hash(&mut hasher);
        self.group.slug.hash(&mut hasher);
        self.group.name.hash(&mut hasher);
        // The fingerprint names the path and the file's bytes.
        for member in &self.members {
            member.article.fingerprint.hash(&mut hasher);
        }
        hasher.finish()
    }

    /// The group's folder (`/tags/rust/`); `None` when its kind is off.
    pub fn folder(&self, config: &Config) -> Option<String> {
        let paths = self.group.kind.paths(config)?;
        Some(paths.folder(&self.group.slug))
    }

    /// The feed title: `Site — tag rust`.
    pub fn title(&self, config: &Config) -> String {
        format!(
            "{} — {} {}",
            config.site.title,
            self.group.kind.word(),
            self.group.name
        )
    }

    fn meta(&self, config: &Config, folder: &str, file: &str) -> FeedMeta {
        let site = &config.site;
        let name = &self.group.name;
        let description = match self.group.kind {
            GroupKind::Tag => format!("Articles tagged “{name}” on {}", site.title),
            GroupKind::Section => format!("Articles in “{name}” on {}", site.title),
            GroupKind::Author => format!("Articles by {name} on {}", site.title),
        };
        let index = self.group.kind.paths(config).map_or_else(
            || site.base_url.to_string(),
            |p| config.public_url(&p.prefix).to_string(),
        );
        FeedMeta {
            title: self.title(config),
            description,
            self_path: format!("{folder}{file}"),
            home_url: index,
            id: config.public_url(folder).to_string(),
            language: site.language.clone(),
        }
    }
}

/// The items to write now: those of every member with an entry, once each.
pub(crate) fn new_items(
    all: &[Entry<'_>],
    feeds: &[GroupFeed<'_>],
    config: &Config,
) -> Vec<ItemXml> {
    let mut wanted: Vec<usize> = feeds
        .iter()
        .flat_map(|f| f.members.iter().filter_map(|m| m.entry))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    wanted
        .par_iter()
        .filter_map(|&i| all.get(i))
        .map(|entry| item_xml(entry, config))
        .collect()
}

/// Every group's RSS and Atom documents, as chunk lists over the items (see
/// [`super::items`]), and each enabled kind's index page.
pub(crate) fn group_documents(
    feeds: &[GroupFeed<'_>],
    config: &Config,
    previous: PreviousKeys<'_>,
    out: &mut Vec<Document>,
) {
    let documents: Vec<Document> = feeds
        .par_iter()
        .flat_map_iter(|feed| {
            let Some(folder) = feed.folder(config) else {
                return Vec::new();
            };
            let key = feed.key();
            let files = group_files(config);
            let paths: Vec<String> = files
                .iter()
                .map(|(file, _, _)| format!("{folder}{file}"))
                .collect();
            if paths.iter().all(|path| previous(path) == Some(key)) {
                return paths
                    .into_iter()
                    .zip(&files)
                    .map(|(path, (_, kind, _))| Document::unchanged(path, *kind, key))
                    .collect();
            }
            let updated = feed
                .members
                .iter()
                .map(|m| m.article.updated.with_timezone(&Utc))
                .max();
            let chunked = |format: ItemFormat, file: &str, kind: DocumentKind| {
                let meta = feed.meta(config, &folder, file);
                let (head, tail) = match format {
                    ItemFormat::Rss => rss_frame(config, &meta, updated, &History::Unstated),
                    ItemFormat::Atom => atom_frame(config, &meta, updated, &History::Unstated),
                    ItemFormat::Json => json_frame(config, &meta),
                };
                let chunks =
                    chunk_list((head, tail), feed.members.iter().map(|m| m.article), format);
                Document {
                    chunks: Some(chunks),
                    key: Some(key),
                    ..Document::new(format!("{folder}{file}"), kind, String::new(), updated)
                }
            };
            files
                .iter()
                .map(|(file, kind, format)| chunked(*format, file, *kind))
                .collect()
        })
        .collect();
    out.extend(documents);
    for kind in GroupKind::ALL {
        let Some(paths) = kind.paths(config) else {
            continue;
        };
        let of_kind: Vec<&GroupFeed<'_>> = feeds.iter().filter(|f| f.group.kind == kind).collect();
        let key = index_key(&of_kind);
        if previous(&paths.prefix) == Some(key) {
            out.push(Document::unchanged(
                paths.prefix.clone(),
                DocumentKind::Html,
                key,
            ));
            continue;
        }
        let updated = of_kind
            .iter()
            .flat_map(|f| f.members.iter())
            .map(|m| m.article.updated.with_timezone(&Utc))
            .max();
        out.push(Document {
            key: Some(key),
            ..Document::new(
                paths.prefix.clone(),
                DocumentKind::Html,
                feed_safe(render_group_index(kind, &of_kind, config)),
                updated,
            )
        });
    }
}

/// One autodiscovery `<link>` pair (RSS and Atom) for a group's feeds.
pub(crate) fn discovery_links(feed: &GroupFeed<'_>, config: &Config, html: &mut String) {
    let Some(folder) = feed.folder(config) else {
        return;
    };
    let title = escape_html(&feed.title(config));
    let mut files = vec![
        (RSS_FILE, "application/rss+xml", "RSS"),
        (ATOM_FILE, "application/atom+xml", "Atom"),
    ];
    if config.feeds.json_path.is_some() {
        files.push((JSON_FILE, "application/feed+json", "JSON Feed"));
    }
    for (file, mime, format) in files {
        let href = escape_html(config.public_url(&format!("{folder}{file}")).as_str());
        let _ = writeln!(
            html,
            "<link rel=\"alternate\" type=\"{mime}\" title=\"{title} ({format})\" href=\"{href}\">"
        );
    }
}

/// The index page of one kind: every feed of that kind, with autodiscovery links, its
/// name, how many published articles it covers, and links to both formats.
fn render_group_index(kind: GroupKind, feeds: &[&GroupFeed<'_>], config: &Config) -> String {
    let site = &config.site;
    let title = escape_html(&format!("{} — {}", site.title, kind.plural()));
    let mut html = String::with_capacity(1024 + feeds.len() * 400);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title}</title>\n",
        lang = escape_html(&site.language),
    );
    for feed in feeds {
        discovery_links(feed, config, &mut html);
    }
    let _ = write!(
        html,
        "<style>body{{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
td{{padding:0 .5rem}}</style>\n</head>\n<body>\n<h1>{title}</h1>\n<p><a href=\"{home}\">{site_title}</a></p>\n",
        home = escape_html(config.public_url(&config.feeds.index_path).as_str()),
        site_title = escape_html(&site.title),
    );
    if feeds.is_empty() {
        html.push_str("<p>No feeds yet.</p>\n");
    } else {
        html.push_str("<table>\n<tr><th>name</th><th>articles</th><th>feeds</th></tr>\n");
        for feed in feeds {
            let Some(folder) = feed.folder(config) else {
                continue;
            };
            let url =
                |file: &str| escape_html(config.public_url(&format!("{folder}{file}")).as_str());
            let json = match config.feeds.json_path {
                Some(_) => format!(" · <a href=\"{}\">JSON Feed</a>", url(JSON_FILE)),
                None => String::new(),
            };
            let _ = writeln!(
                html,
                "<tr><td>{name}</td><td>{count}</td><td><a href=\"{rss}\">RSS</a> · <a href=\"{atom}\">Atom</a>{json}</td></tr>",
                name = escape_html(&feed.group.name),
                count = feed.group.members.len(),
                rss = url(RSS_FILE),
                atom = url(ATOM_FILE),
            );
        }
        html.push_str("</table>\n");
    }
    html.push_str("</body>\n</html>\n");
    html
}
