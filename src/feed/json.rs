//! JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>): the same entries as the RSS and
//! Atom documents, with `id` equal to the Atom entry id, `summary` as plain text and
//! `content_html`. Keys are written in a fixed order and absent values are left out, so
//! the same entries and config give the same bytes.

use serde::Serialize;

use super::entry::{content_html, summary_html, Entry};
use super::meta::FeedMeta;
use crate::config::Config;
use crate::person::Person;

/// The version URL every JSON Feed 1.1 document starts with.
pub(crate) const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    favicon: Option<&'a str>,
    authors: Vec<Author<'a>>,
    language: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<Hub<'a>>,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Hub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_url: Option<&'a str>,
    title: &'a str,
    content_html: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    date_published: String,
    date_modified: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment<'a>>,
}

/// One JSON Feed attachment: an episode's media, as RSS writes it in `<enclosure>` and Atom
/// in `link rel="enclosure"`. `url` and `mime_type` are required; what is not known is left
/// out rather than written as `null` or `0`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Attachment<'a> {
    url: &'a str,
    mime_type: &'a str,
    /// Always known: a local file's size, or a remote enclosure's `length` (at least 1).
    size_in_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_in_seconds: Option<u64>,
}

/// An entry's attachments: its episode media, when it is an episode whose media is ready.
fn attachments<'a>(entry: &Entry<'a>) -> Vec<Attachment<'a>> {
    entry
        .media
        .map(|media| Attachment {
            url: &media.url,
            mime_type: &media.mime,
            size_in_bytes: media.length,
            // Zero seconds says nothing about the episode: left out like an unknown one.
            duration_in_seconds: media.duration.filter(|&s| s > 0),
        })
        .into_iter()
        .collect()
}

/// JSON Feed has no email field: an author's `uri`, else a `mailto:` link (which the
/// 1.1 spec allows for `url`).
fn author(person: &Person) -> Author<'_> {
    Author {
        name: &person.name,
        url: person
            .uri
            .clone()
            .or_else(|| person.email.as_ref().map(|e| format!("mailto:{e}"))),
    }
}

fn item<'a>(entry: &Entry<'a>) -> Item<'a> {
    let article = entry.article;
    let permalink = article.permalink.as_str();
    Item {
        id: &article.id,
        url: permalink,
        // A link post points elsewhere; JSON Feed has a field for exactly that.
        external_url: article
            .link
            .as_ref()
            .map(url::Url::as_str)
            .filter(|link| *link != permalink),
        title: &article.title,
        content_html: content_html(entry),
        summary: plain_text(&summary_html(entry)),
        image: article.image.as_ref().map(|i| i.url.as_str()),
        date_published: article.date.to_rfc3339(),
        date_modified: article.updated.to_rfc3339(),
        authors: article.authors.iter().map(author).collect(),
        tags: &article.tags,
        language: article.lang.as_deref(),
        attachments: attachments(entry),
    }
}

/// The JSON Feed document for `entries` (already selected and ordered), described by `meta`.
pub(crate) fn render_json(entries: &[Entry<'_>], config: &Config, meta: &FeedMeta) -> String {
    let site = &config.site;
    let icon = site.icon.as_ref().map(url::Url::as_str);
    let feed = Feed {
        version: VERSION,
        title: &meta.title,
        home_page_url: &meta.home_url,
        feed_url: config.public_url(&meta.self_path).to_string(),
        description: &meta.description,
        // One configured icon serves as both: readers scale it.
        icon,
        favicon: icon,
        authors: vec![author(&site.author)],
        language: &meta.language,
        hubs: config
            .websub
            .hubs
            .iter()
            .map(|hub| Hub {
                kind: "WebSub",
                url: hub.as_str(),
            })
            .collect(),
        items: entries.iter().map(item).collect(),
    };
    // Serializing plain strings and numbers cannot fail; an empty document never ships.
    let mut text = serde_json::to_string_pretty(&feed).unwrap_or_default();
    text.push('\n');
    text
}

/// The plain text of our own rendered (sanitized, well-formed) summary HTML: tags dropped
/// (a block's end becomes a space), the references the serializer writes decoded,
/// whitespace collapsed. JSON Feed's `summary` is plain text.
fn plain_text(html: &str) -> String {
    const BLOCK_ENDS: &[&str] = &[
        "p",
        "br",
        "li",
        "div",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "dd",
        "dt",
        "figcaption",
    ];
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            // Not ours to fix: keep the text as it is.
            text.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if BLOCK_ENDS.contains(&name.as_str()) {
            text.push(' ');
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::entry::tests::{article, entry};

    fn head(config: &Config) -> FeedMeta {
        FeedMeta::site(config, "/feed.json")
    }

    #[test]
    fn json_feed_has_the_required_fields_and_the_atom_id() {
        let c = Config::defaults();
        let a = article(
            "posts/a.md",
            "---\ntitle: \"A & <b>\"\ndate: 2024-01-02T10:00:00+02:00\nupdated: 2024-01-03\ntags: [rust, web]\nauthor: {name: Ada, email: ada@example.com}\nlang: de\n---\nSome *text* & more.\n\nSecond paragraph.\n",
        );
        let text = render_json(&[entry(&a, &c)], &c, &head(&c));
        let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(v["version"], VERSION);
        assert_eq!(v["title"], c.site.title.as_str());
        assert_eq!(v["feed_url"], c.public_url("/feed.json").as_str());
        let item = &v["items"][0];
        assert_eq!(item["id"], a.id.as_str());
        assert_eq!(item["title"], "A & <b>");
        assert_eq!(item["url"], a.permalink.as_str());
        assert_eq!(item["tags"], serde_json::json!(["rust", "web"]));
        assert_eq!(item["language"], "de");
        assert_eq!(item["date_published"], "2024-01-02T10:00:00+02:00");
        assert_eq!(item["authors"][0]["name"], "Ada");
        assert_eq!(item["authors"][0]["url"], "mailto:ada@example.com");
        assert!(item["content_html"]
            .as_str()
            .is_some_and(|h| h.contains("<em>text</em>")));
        assert_eq!(item["summary"], "Some text & more. Second paragraph.");
        assert!(item.get("attachments").is_none());
        assert!(v.get("hubs").is_none());
        // Same input, same bytes.
        assert_eq!(text, render_json(&[entry(&a, &c)], &c, &head(&c)));
    }

    #[test]
    fn json_episode_media_is_an_attachment() {
        use crate::feed::media::EpisodeMedia;
        let c = Config::defaults();
        let a = article(
            "e/one.md",
            "---\ntitle: One\ndate: 2024-01-02\n---\nShow notes.\n",
        );
        let mut media = EpisodeMedia {
            url: "https://example.com/media/e/one.mp3".into(),
            length: 1234,
            mime: "audio/mpeg".into(),
            duration: Some(61),
            transcript: None,
        };
        let text = |media: &EpisodeMedia| {
            let with_media = Entry {
                media: Some(media),
                ..entry(&a, &c)
            };
            render_json(&[with_media], &c, &head(&c))
        };
        let v: serde_json::Value = serde_json::from_str(&text(&media)).expect("valid JSON");
        assert_eq!(
            v["items"][0]["attachments"],
            serde_json::json!([{
                "url": "https://example.com/media/e/one.mp3",
                "mime_type": "audio/mpeg",
                "size_in_bytes": 1234,
                "duration_in_seconds": 61
            }])
        );
        // An unknown (or zero) duration is left out, not written as null or 0.
        for duration in [None, Some(0)] {
            media.duration = duration;
            let v: serde_json::Value = serde_json::from_str(&text(&media)).expect("valid JSON");
            let attachment = &v["items"][0]["attachments"][0];
            assert_eq!(attachment["size_in_bytes"], 1234);
            assert!(attachment.get("duration_in_seconds").is_none());
        }
    }

    #[test]
    fn json_summary_plain_text() {
        assert_eq!(
            plain_text("<p>a <em>b</em>&amp;c</p><p>d&#39;s &lt;x&gt;</p>"),
            "a b&c d's <x>"
        );
    }
}
