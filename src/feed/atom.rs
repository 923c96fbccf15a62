//! Atom 1.0 (RFC 4287) with `summary` and `content` of type html (SPEC §3.2).

use atom_syndication::{
    Category, Content, Entry as AtomEntry, Feed, FixedDateTime, Generator, Link,
    Person as AtomPerson, Text, TextType,
};

use super::entry::{content_html, feed_updated, summary_html, Entry};
use super::history::{self, History};
use super::meta::FeedMeta;
use crate::config::Config;
use crate::person::Person;

fn person(p: &Person) -> AtomPerson {
    AtomPerson {
        name: p.name.clone(),
        email: p.email.clone(),
        uri: p.uri.clone(),
        ..AtomPerson::default()
    }
}

fn link(href: &str, rel: &str, mime: &str) -> Link {
    Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: Some(mime.to_string()),
        ..Link::default()
    }
}

fn atom_entry(source: &Entry<'_>) -> AtomEntry {
    let article = source.article;
    let mut entry = AtomEntry::default();
    entry.set_title(Text::plain(article.title.clone()));
    entry.set_id(article.id.clone());
    entry.set_updated(article.updated);
    entry.set_published(Some(article.date));
    let mut links = vec![link(
        article.entry_link().as_str(),
        "alternate",
        "text/html",
    )];
    if let Some(media) = source.media {
        links.push(Link {
            length: Some(media.length.to_string()),
            ..link(&media.url, "enclosure", &media.mime)
        });
    }
    entry.set_links(links);
    entry.set_authors(article.authors.iter().map(person).collect::<Vec<_>>());
    entry.set_categories(
        article
            .tags
            .iter()
            .map(|t| Category {
                term: t.clone(),
                ..Category::default()
            })
            .collect::<Vec<_>>(),
    );
    entry.set_summary(Some(Text {
        value: summary_html(source),
        r#type: TextType::Html,
        ..Text::default()
    }));
    entry.set_content(Some(Content {
        value: Some(content_html(source)),
        content_type: Some("html".to_string()),
        lang: article.lang.clone(),
        ..Content::default()
    }));
    entry
}

/// The Atom document for `entries` (already selected and ordered), described by `meta`.
#[allow(dead_code)] // the group feeds call it
pub(crate) fn render_atom(entries: &[Entry<'_>], config: &Config, meta: &FeedMeta) -> String {
    render_atom_with(entries, config, meta, &History::Unstated)
}

/// [`render_atom`] for a document with a place in the feed's history (RFC 5005).
pub(crate) fn render_atom_with(
    entries: &[Entry<'_>],
    config: &Config,
    meta: &FeedMeta,
    place: &History,
) -> String {
    let mut feed = feed(config, meta, feed_updated(entries), place);
    feed.set_entries(entries.iter().map(atom_entry).collect::<Vec<_>>());
    feed.to_string() + "\n"
}

/// The document [`render_atom_with`] writes for entries whose newest `updated` is `updated`
/// at `place`, but without the entries (see [`super::items`]).
pub(crate) fn render_atom_frame(
    config: &Config,
    meta: &FeedMeta,
    updated: Option<chrono::DateTime<chrono::Utc>>,
    place: &History,
) -> String {
    feed(config, meta, updated, place).to_string() + "\n"
}

fn feed(
    config: &Config,
    meta: &FeedMeta,
    updated: Option<chrono::DateTime<chrono::Utc>>,
    place: &History,
) -> Feed {
    let site = &config.site;
    let self_url = config.public_url(&meta.self_path);
    let mut feed = Feed::default();
    feed.set_title(Text::plain(meta.title.clone()));
    feed.set_subtitle(Some(Text::plain(meta.description.clone())));
    feed.set_id(meta.id.clone());
    // An empty feed still needs `updated`: a fixed instant keeps the output deterministic.
    let updated = updated.unwrap_or_default();
    feed.set_updated(FixedDateTime::from(updated));
    let mut links = vec![
        link(&meta.home_url, "alternate", "text/html"),
        link(self_url.as_str(), "self", "application/atom+xml"),
    ];
    // WebSub §4: subscribers find the hubs beside the self link they subscribe to (an
    // archive is not subscribed to).
    if !matches!(place, History::Archive { .. }) {
        links.extend(config.websub.hubs.iter().map(|hub| Link {
            href: hub.to_string(),
            rel: "hub".to_string(),
            ..Link::default()
        }));
    }
    links.extend(
        place
            .links(config)
            .into_iter()
            .map(|(rel, href)| link(&href, rel, "application/atom+xml")),
    );
    feed.set_links(links);
    if let Some((extensions, namespaces)) = history::atom_extensions(place) {
        feed.set_extensions(extensions);
        feed.set_namespaces(namespaces);
    }
    feed.set_authors(vec![person(&site.author)]);
    feed.set_generator(Some(Generator {
        value: "feedwright".to_string(),
        uri: None,
        version: Some(env!("CARGO_PKG_VERSION").to_string()),
    }));
    feed.set_icon(site.icon.as_ref().map(|u| u.to_string()));
    feed.set_lang(Some(meta.language.clone()));
    feed
}
