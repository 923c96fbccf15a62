//! RSS 2.0 with the content, atom and Dublin Core namespaces (SPEC §3.2).

use chrono::{DateTime, FixedOffset, Utc};
use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::{Category, Channel, Enclosure, Guid, Image, Item};

use super::entry::{content_html, feed_updated, summary_html, Entry};
use super::history::{self, History};
use super::meta::FeedMeta;
use crate::config::Config;
use crate::person::Person;

/// `email (Name)`, the only author form RSS 2.0 allows; None without an email.
pub(super) fn rss_person(person: &Person) -> Option<String> {
    person
        .email
        .as_ref()
        .map(|email| format!("{email} ({})", person.name))
}

/// RFC 822 date in the author's offset when it is a whole or half hour; otherwise in UTC.
/// RFC 822 allows any `+hhmm`, but the W3C validator flags others (Nepal's +0545) as
/// problematic and some readers misread them.
pub(super) fn rfc822(date: &DateTime<FixedOffset>) -> String {
    if date.offset().local_minus_utc() % 1800 == 0 {
        date.to_rfc2822()
    } else {
        date.with_timezone(&Utc).to_rfc2822()
    }
}

/// One entry as an RSS item, with its media as `<enclosure>` when it is an episode.
pub(super) fn item(entry: &Entry<'_>) -> Item {
    let article = entry.article;
    let mut item = Item::default();
    item.set_title(article.title.clone());
    item.set_link(article.entry_link().to_string());
    item.set_description(summary_html(entry));
    item.set_content(content_html(entry));
    item.set_guid(Guid {
        value: article.id.clone(),
        permalink: article.id == article.permalink.as_str(),
    });
    item.set_pub_date(rfc822(&article.date));
    item.set_categories(
        article
            .tags
            .iter()
            .map(|t| Category {
                name: t.clone(),
                domain: None,
            })
            .collect::<Vec<_>>(),
    );
    // RSS `author` holds one email address, so it is used only for a single author with an
    // email. Otherwise every author's name goes to its own `dc:creator`, which readers list
    // as co-authors. Never both for one item: the W3C validator flags that as duplicate
    // semantics.
    let sole_author = match article.authors.as_slice() {
        [only] => rss_person(only),
        _ => None,
    };
    match sole_author {
        Some(author) => item.set_author(author),
        None => {
            let mut dc = DublinCoreExtension::default();
            dc.set_creators(
                article
                    .authors
                    .iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>(),
            );
            item.set_dublin_core_ext(dc);
        }
    }
    if let Some(media) = entry.media {
        item.set_enclosure(Enclosure {
            url: media.url.clone(),
            length: media.length.to_string(),
            mime_type: media.mime.clone(),
        });
    }
    item
}

/// The RSS document for `entries` (already selected and ordered), described by `meta`. Its
/// self link names `meta.self_path` (validators and hubs compare it with where the feed was
/// fetched).
#[allow(dead_code)] // the group feeds call it
pub(crate) fn render_rss(entries: &[Entry<'_>], config: &Config, meta: &FeedMeta) -> String {
    render_rss_with(entries, config, meta, &History::Unstated)
}

/// [`render_rss`] for a document with a place in the feed's history (RFC 5005).
pub(crate) fn render_rss_with(
    entries: &[Entry<'_>],
    config: &Config,
    meta: &FeedMeta,
    place: &History,
) -> String {
    let mut channel = channel(config, meta, feed_updated(entries), place);
    channel.set_items(entries.iter().map(item).collect::<Vec<_>>());
    let mut xml = hex_escapes_outside_cdata(&channel.to_string());
    xml.push('\n');
    xml
}

/// The document [`render_rss_with`] writes for entries whose newest `updated` is `updated`
/// at `place`, but without the items, and with every namespace an item may use declared
/// (see [`super::items`]).
pub(crate) fn render_rss_frame(
    config: &Config,
    meta: &FeedMeta,
    updated: Option<chrono::DateTime<Utc>>,
    place: &History,
) -> String {
    let mut channel = channel(config, meta, updated, place);
    // Added to the place's own (`fh`), not instead of them.
    let mut namespaces = channel.namespaces().clone();
    namespaces.insert(
        "content".to_string(),
        "http://purl.org/rss/1.0/modules/content/".to_string(),
    );
    namespaces.insert(
        "dc".to_string(),
        rss::extension::dublincore::NAMESPACE.to_string(),
    );
    channel.set_namespaces(namespaces);
    let mut xml = hex_escapes_outside_cdata(&channel.to_string());
    xml.push('\n');
    xml
}

pub(super) fn channel(
    config: &Config,
    meta: &FeedMeta,
    updated: Option<chrono::DateTime<Utc>>,
    place: &History,
) -> Channel {
    let site = &config.site;
    let self_url = config.public_url(&meta.self_path);
    let mut channel = Channel::default();
    channel.set_title(meta.title.clone());
    channel.set_link(meta.home_url.clone());
    channel.set_description(meta.description.clone());
    channel.set_language(meta.language.clone());
    channel.set_generator(generator());
    channel.set_managing_editor(rss_person(&site.author));
    channel.set_last_build_date(updated.map(|d| d.with_timezone(&Utc).to_rfc2822()));
    if let Some(icon) = &site.icon {
        channel.set_image(Image {
            url: icon.to_string(),
            title: meta.title.clone(),
            link: meta.home_url.clone(),
            ..Image::default()
        });
    }
    let mut self_link = Link::default();
    self_link.set_href(self_url.to_string());
    self_link.set_rel("self");
    self_link.set_mime_type(Some("application/rss+xml".to_string()));
    let mut links = vec![self_link];
    // An archive is not subscribed to: no hub.
    if !matches!(place, History::Archive { .. }) {
        links.extend(config.websub.hubs.iter().map(|hub| {
            let mut link = Link::default();
            link.set_href(hub.to_string());
            link.set_rel("hub");
            link
        }));
    }
    links.extend(place.links(config).into_iter().map(|(rel, href)| {
        let mut link = Link::default();
        link.set_href(href);
        link.set_rel(rel);
        link.set_mime_type(Some("application/rss+xml".to_string()));
        link
    }));
    let mut atom = AtomExtension::default();
    atom.set_links(links);
    channel.set_atom_ext(atom);
    if let Some((extensions, namespaces)) = history::rss_extensions(place) {
        channel.set_extensions(extensions);
        channel.set_namespaces(namespaces);
    }
    channel
}

/// `feedwright 0.1.0`: names the generator without any build-time value.
pub(super) fn generator() -> String {
    format!("feedwright {}", env!("CARGO_PKG_VERSION"))
}

/// The RSS Profile (and the W3C validator) want `&` and `<` in plain-text elements written
/// as hexadecimal character references, so no reader mistakes a title like
/// "Using <div> & co" for markup. Same characters, different spelling: CDATA sections (the
/// HTML of summaries and content) are copied untouched.
pub(super) fn hex_escapes_outside_cdata(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 64);
    let mut rest = xml;
    while !rest.is_empty() {
        let (plain, tail) = match rest.find("<![CDATA[") {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        out.push_str(&plain.replace("&lt;", "&#x3C;").replace("&amp;", "&#x26;"));
        if tail.is_empty() {
            break;
        }
        let end = tail.find("]]>").map_or(tail.len(), |i| i + 3);
        out.push_str(&tail[..end]);
        rest = &tail[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::entry::tests::{article, entry};

    #[test]
    fn rss_every_author_is_named() {
        let c = Config::defaults();
        let many = article(
            "a.md",
            "---\ntitle: t\ndate: 2024-01-01\nauthors:\n  - {name: A One, email: a@example.com}\n  - {name: B Two, email: b@example.com}\n  - C Three\n---\nx",
        );
        let xml = render_rss(&[entry(&many, &c)], &c, &FeedMeta::site(&c, "/feed.xml"));
        for name in ["A One", "B Two", "C Three"] {
            assert!(
                xml.contains(&format!("<dc:creator>{name}</dc:creator>")),
                "{xml}"
            );
        }
        assert!(!xml.contains("<author>"), "{xml}");
        let one = article(
            "b.md",
            "---\ntitle: t\ndate: 2024-01-01\nauthor: {name: Ada, email: ada@example.com}\n---\nx",
        );
        let xml = render_rss(&[entry(&one, &c)], &c, &FeedMeta::site(&c, "/feed.xml"));
        assert!(
            xml.contains("<author>ada@example.com (Ada)</author>"),
            "{xml}"
        );
        assert!(!xml.contains("dc:creator>"), "{xml}");
    }

    #[test]
    fn pub_dates_keep_whole_and_half_hour_offsets_and_move_others_to_utc() {
        let at = |t: &str| DateTime::parse_from_rfc3339(t).expect("date");
        assert_eq!(
            rfc822(&at("2024-02-29T12:00:00+05:30")),
            "Thu, 29 Feb 2024 12:00:00 +0530"
        );
        assert_eq!(
            rfc822(&at("2024-02-29T12:00:00-08:00")),
            "Thu, 29 Feb 2024 12:00:00 -0800"
        );
        assert_eq!(
            rfc822(&at("2024-02-29T12:00:00+05:45")),
            "Thu, 29 Feb 2024 06:15:00 +0000"
        );
    }

    #[test]
    fn rss_hex_escapes_only_outside_cdata() {
        let xml = "<title>a &lt;b&gt; &amp; c</title><description><![CDATA[<p>&lt;x&gt; &amp;</p>]]></description><t>&amp;</t>";
        assert_eq!(
            hex_escapes_outside_cdata(xml),
            "<title>a &#x3C;b&gt; &#x26; c</title><description><![CDATA[<p>&lt;x&gt; &amp;</p>]]></description><t>&#x26;</t>"
        );
    }
}
