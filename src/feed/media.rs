//! What the feeds say about an episode's media, resolved by the site before writing
//! (`site::episodes` reads local files): the enclosure, the duration and the transcript,
//! by article source. The writers only look them up.

use std::collections::BTreeMap;

/// One published episode's media, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeMedia {
    /// Absolute URL of the media file.
    pub url: String,
    /// Size in bytes.
    pub length: u64,
    /// Media type, e.g. `audio/mpeg`.
    pub mime: String,
    /// Seconds: the front matter's `duration`, else the file's own.
    pub duration: Option<u64>,
    /// Absolute URL and type of the transcript.
    pub transcript: Option<(String, &'static str)>,
}

/// Episode media by article source (the key of `Article::source`).
pub type EpisodeMediaMap = BTreeMap<String, EpisodeMedia>;

/// The public URL of a file under `content.dir`: `podcast.media_base_url` + path when media
/// is hosted elsewhere, else this server's `/media/<path>` (each segment percent-encoded).
pub(crate) fn media_url(config: &crate::config::Config, path: &str) -> url::Url {
    let base = config
        .podcast
        .as_ref()
        .and_then(|p| p.media_base_url.as_ref());
    let mut url = base.unwrap_or(&config.site.base_url).clone();
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty();
        if base.is_none() {
            segments.push("media");
        }
        segments.extend(path.split('/'));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, RawConfig};

    #[test]
    fn media_urls_are_under_media_or_the_base_url() {
        let config = |extra: &str| {
            let yaml = format!(
                "site: {{base_url: https://example.com/blog}}\npodcast: {{section: e{extra}}}\n"
            );
            Config::from_raw(RawConfig::from_yaml(&yaml).unwrap()).unwrap()
        };
        assert_eq!(
            media_url(&config(""), "e/a b#1.mp3").as_str(),
            "https://example.com/blog/media/e/a%20b%231.mp3"
        );
        assert_eq!(
            media_url(
                &config(", media_base_url: https://cdn.example.com/m"),
                "e/a.mp3"
            )
            .as_str(),
            "https://cdn.example.com/m/e/a.mp3"
        );
    }
}
