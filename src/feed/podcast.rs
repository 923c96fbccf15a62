//! The podcast feed (SPEC §11): RSS 2.0 with the `itunes:` and `podcast:` (Podcasting 2.0)
//! namespaces, every published episode whose media is ready, newest first. Items are the
//! site RSS's items (summary, full show notes, enclosure) plus the episode's tags.

use std::collections::BTreeMap;

use rss::extension::itunes::{
    ITunesCategory, ITunesChannelExtension, ITunesItemExtension, ITunesOwner,
};
use rss::extension::{Extension, ExtensionMap};
use rss::Image;

use super::entry::{feed_updated, Entry};
use super::history::History;
use super::media::media_url;
use super::meta::FeedMeta;
use super::rss::{channel, hex_escapes_outside_cdata, item};
use crate::config::{Config, PodcastConfig, PodcastImage};
use crate::content::format_duration;

/// The Podcasting 2.0 namespace.
const PODCAST_NS: &str = "https://podcastindex.org/namespace/1.0";

/// `podcast:guid`'s namespace UUID (podcast-namespace, docs/tags/guid.md).
const PODCAST_GUID_NAMESPACE: uuid::Uuid = uuid::uuid!("ead4c236-bf58-58c6-a2c6-a6b28d128cb6");

/// `podcast:guid`: the UUIDv5 of the feed URL without its scheme and trailing slashes.
pub(crate) fn podcast_guid(feed_url: &str) -> String {
    let without_scheme = feed_url
        .split_once("://")
        .map_or(feed_url, |(_, rest)| rest);
    let name = without_scheme.trim_end_matches('/');
    uuid::Uuid::new_v5(&PODCAST_GUID_NAMESPACE, name.as_bytes()).to_string()
}

/// The artwork's absolute URL.
fn artwork_url(config: &Config, podcast: &PodcastConfig) -> Option<String> {
    podcast.image.as_ref().map(|image| match image {
        PodcastImage::Remote(url) => url.to_string(),
        PodcastImage::Local(path) => media_url(config, path).to_string(),
    })
}

fn extension(name: &str, value: Option<String>, attrs: &[(&str, &str)]) -> Extension {
    Extension {
        name: name.to_string(),
        value,
        attrs: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        children: BTreeMap::new(),
    }
}

fn podcast_ext(elements: Vec<Extension>) -> ExtensionMap {
    let mut by_name: BTreeMap<String, Vec<Extension>> = BTreeMap::new();
    for e in elements {
        by_name.entry(e.name.clone()).or_default().push(e);
    }
    let mut map = ExtensionMap::new();
    map.insert("podcast".to_string(), by_name);
    map
}

fn episode_item(entry: &Entry<'_>, podcast: &PodcastConfig) -> rss::Item {
    let mut item = item(entry);
    let Some(episode) = &entry.article.episode else {
        return item;
    };
    let mut itunes = ITunesItemExtension::default();
    let duration = episode.duration.or(entry.media.and_then(|m| m.duration));
    itunes.set_duration(duration.map(format_duration));
    itunes.set_episode(episode.number.map(|n| n.to_string()));
    itunes.set_season(episode.season.map(|n| n.to_string()));
    itunes.set_episode_type(Some(episode.episode_type.as_str().to_string()));
    itunes.set_explicit(Some(
        episode.explicit.unwrap_or(podcast.explicit).to_string(),
    ));
    itunes.set_image(entry.article.image.as_ref().map(|i| i.url.to_string()));
    item.set_itunes_ext(itunes);
    let mut extensions = ExtensionMap::new();
    if let Some((url, mime)) = entry.media.and_then(|m| m.transcript.as_ref()) {
        extensions = podcast_ext(vec![extension(
            "podcast:transcript",
            None,
            &[("url", url), ("type", mime)],
        )]);
    }
    // Apple's episode title tag (the `rss` crate's iTunes extension has no field for it).
    let title = extension("itunes:title", Some(entry.article.title.clone()), &[]);
    extensions.insert(
        "itunes".to_string(),
        BTreeMap::from([("itunes:title".to_string(), vec![title])]),
    );
    item.set_extensions(extensions);
    item
}

/// The podcast feed for `entries` (episodes with ready media, newest first).
pub(crate) fn render_podcast(
    entries: &[Entry<'_>],
    config: &Config,
    podcast: &PodcastConfig,
) -> String {
    // The channel every RSS feed of the site has (self and hub links included), with the
    // show's own title, description, language and artwork.
    let meta = FeedMeta {
        title: podcast.title.clone(),
        description: podcast.description.clone(),
        language: podcast.language.clone(),
        ..FeedMeta::site(config, &podcast.path)
    };
    let mut channel = channel(config, &meta, feed_updated(entries), &History::Unstated);
    let self_url = config.public_url(&podcast.path);
    let artwork = artwork_url(config, podcast);
    channel.set_image(artwork.as_ref().map(|url| Image {
        url: url.clone(),
        title: podcast.title.clone(),
        link: meta.home_url.clone(),
        ..Image::default()
    }));

    let mut itunes = ITunesChannelExtension::default();
    itunes.set_author(Some(podcast.author.clone()));
    if let Some(owner) = &podcast.owner {
        itunes.set_owner(Some(ITunesOwner {
            name: Some(owner.name.clone()),
            email: owner.email.clone(),
        }));
    }
    itunes.set_image(artwork);
    itunes.set_categories(
        podcast
            .categories
            .iter()
            .map(|c| ITunesCategory {
                text: c.name.clone(),
                subcategory: c.sub.as_ref().map(|s| {
                    Box::new(ITunesCategory {
                        text: s.clone(),
                        subcategory: None,
                    })
                }),
            })
            .collect::<Vec<_>>(),
    );
    itunes.set_explicit(Some(podcast.explicit.to_string()));
    itunes.set_type(Some(podcast.kind.as_str().to_string()));
    channel.set_itunes_ext(itunes);

    let locked = if podcast.locked { "yes" } else { "no" };
    let owner_email = podcast.owner.as_ref().and_then(|o| o.email.as_deref());
    let locked_attrs: Vec<(&str, &str)> = owner_email.map(|e| ("owner", e)).into_iter().collect();
    channel.set_extensions(podcast_ext(vec![
        extension("podcast:guid", Some(podcast_guid(self_url.as_str())), &[]),
        extension("podcast:locked", Some(locked.to_string()), &locked_attrs),
    ]));
    let mut namespaces = BTreeMap::new();
    namespaces.insert("podcast".to_string(), PODCAST_NS.to_string());
    channel.set_namespaces(namespaces);

    channel.set_items(
        entries
            .iter()
            .filter(|e| e.media.is_some())
            .map(|e| episode_item(e, podcast))
            .collect::<Vec<_>>(),
    );
    let mut xml = hex_escapes_outside_cdata(&channel.to_string());
    xml.push('\n');
    xml
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;
    use crate::content::{parse_article, Article, ParseOptions};
    use crate::feed::media::EpisodeMedia;

    #[test]
    fn podcast_guid_follows_the_namespace_examples() {
        // The two examples in podcast-namespace's docs/tags/guid.md.
        assert_eq!(
            podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml"),
            "917393e3-1b1e-5cef-ace4-edaa54e1f810"
        );
        assert_eq!(
            podcast_guid("https://podnews.net/rss/"),
            "9b024349-ccf0-5f69-a609-6b82873eab3c"
        );
        assert_eq!(
            podcast_guid("podnews.net/rss"),
            "9b024349-ccf0-5f69-a609-6b82873eab3c"
        );
    }

    pub(crate) fn config() -> Config {
        let yaml = "site: {title: Site, base_url: https://example.com/}\npodcast:\n  section: episodes\n  title: The Show\n  author: Jane Doe\n  owner: {name: Jane Doe, email: jane@example.com}\n  image: cover.jpg\n  categories: [Technology, \"Society & Culture/Documentary\"]\n";
        Config::from_raw(RawConfig::from_yaml(yaml).unwrap()).unwrap()
    }

    /// Like every feed of the site, the podcast feed names the WebSub hubs its pings go to.
    #[test]
    fn podcast_feed_names_the_hubs() {
        let yaml = "site: {title: Site, base_url: https://example.com/}\nwebsub: {hub: http://hub.example.com/}\npodcast: {section: episodes}\n";
        let c = Config::from_raw(RawConfig::from_yaml(yaml).unwrap()).unwrap();
        let xml = render_podcast(&[], &c, c.podcast.as_ref().unwrap());
        assert!(
            xml.contains(r#"<atom:link href="http://hub.example.com/" rel="hub"/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"href="https://example.com/podcast.xml" rel="self""#));
    }

    fn episode(config: &Config, source: &str, fm: &str) -> Article {
        let text = format!("---\ntitle: Ep & <1>\ndate: 2024-01-01\n{fm}\n---\nShow notes.\n");
        parse_article(source, text.as_bytes(), config, ParseOptions::default())
            .article
            .unwrap()
    }

    #[test]
    fn podcast_feed_has_channel_and_item_tags() {
        let c = config();
        let a = episode(
            &c,
            "episodes/one.md",
            "enclosure: one.mp3\nepisode: 1\nseason: 2\nimage: ep.jpg\ntranscript: one.vtt",
        );
        let media = EpisodeMedia {
            url: "https://example.com/media/episodes/one.mp3".into(),
            length: 1234,
            mime: "audio/mpeg".into(),
            duration: Some(65),
            transcript: Some((
                "https://example.com/media/episodes/one.vtt".into(),
                "text/vtt",
            )),
        };
        let entry = Entry {
            article: &a,
            rendered: a.rendered(&c),
            media: Some(&media),
        };
        let p = c.podcast.as_ref().unwrap();
        let xml = render_podcast(&[entry], &c, p);
        for wanted in [
            "xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"",
            "xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"",
            "<itunes:author>Jane Doe</itunes:author>",
            "<itunes:owner><itunes:name>Jane Doe</itunes:name><itunes:email>jane@example.com</itunes:email></itunes:owner>",
            "<itunes:image href=\"https://example.com/media/cover.jpg\"/>",
            "<itunes:category text=\"Society &#x26; Culture\"><itunes:category text=\"Documentary\"></itunes:category></itunes:category>",
            "<itunes:explicit>false</itunes:explicit>",
            "<itunes:type>episodic</itunes:type>",
            "<podcast:locked owner=\"jane@example.com\">yes</podcast:locked>",
            &format!("<podcast:guid>{}</podcast:guid>", podcast_guid("https://example.com/podcast.xml")),
            "<enclosure url=\"https://example.com/media/episodes/one.mp3\" length=\"1234\" type=\"audio/mpeg\"/>",
            "<itunes:duration>65</itunes:duration>",
            "<itunes:episode>1</itunes:episode>",
            "<itunes:season>2</itunes:season>",
            "<itunes:episodeType>full</itunes:episodeType>",
            "<itunes:image href=\"https://example.com/episodes/one/ep.jpg\"></itunes:image>",
            "<podcast:transcript type=\"text/vtt\" url=\"https://example.com/media/episodes/one.vtt\"></podcast:transcript>",
            "<content:encoded><![CDATA[",
            "<itunes:title>Ep &#x26; &#x3C;1&gt;</itunes:title>",
        ] {
            assert!(xml.contains(wanted), "{wanted}\n{xml}");
        }
        // Same input, same bytes.
        let again = Entry {
            article: &a,
            rendered: a.rendered(&c),
            media: Some(&media),
        };
        assert_eq!(xml, render_podcast(&[again], &c, p));
        // An episode whose media is not ready is not listed.
        let none = Entry {
            article: &a,
            rendered: a.rendered(&c),
            media: None,
        };
        assert!(!render_podcast(&[none], &c, p).contains("<item>"));
    }
}
