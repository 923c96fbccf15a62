//! What differs between feed documents that share one writer: the site feed, a per-tag,
//! per-section or per-author feed, a podcast feed. The writers take the entries, the config
//! (generator, site-wide people and icon) and a [`FeedMeta`] for everything else.

use crate::config::Config;

/// The channel/feed-level fields of one feed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedMeta {
    /// `<title>` of the channel or feed.
    pub title: String,
    /// RSS `<description>`, Atom `<subtitle>`.
    pub description: String,
    /// The route this document is served at (its `rel="self"` link names it).
    pub self_path: String,
    /// The HTML page the feed stands for: RSS `<link>`, Atom `rel="alternate"`.
    pub home_url: String,
    /// Atom `<id>`: permanent and unique per feed.
    pub id: String,
    /// Language tag of the feed (RSS `<language>`, Atom `xml:lang`).
    pub language: String,
}

impl FeedMeta {
    /// The site feed served at `self_path`: the site's title, description, language, and its
    /// base URL as home page and Atom id.
    pub fn site(config: &Config, self_path: &str) -> FeedMeta {
        let site = &config.site;
        FeedMeta {
            title: site.title.clone(),
            description: site.description.clone(),
            self_path: self_path.to_string(),
            home_url: site.base_url.to_string(),
            id: site.base_url.to_string(),
            language: site.language.clone(),
        }
    }
}
