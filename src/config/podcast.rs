//! The `podcast:` section (SPEC §11) as checked ([`PodcastConfig`]), from its shape as
//! written ([`RawPodcast`], in `raw.rs` with the rest of the file's shape). Without `podcast.section` there is no podcast and no other key of
//! the section may be set. What a directory would refuse but a server can still serve (no
//! artwork, a category not on Apple's list, an owner without email) is not a config error:
//! `check` reports it (`site::podcast_check`).

use std::time::Duration;

use url::Url;

pub use super::raw::PodcastType;
use super::raw::RawPodcast;
use super::{absolute_url, invalid, non_empty, route, ConfigError, SiteConfig};
use crate::person::Person;

/// `podcast.image`: the show's artwork.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodcastImage {
    /// A file under `content.dir` (`/`-separated), served at `/media/<path>`.
    Local(String),
    /// Hosted elsewhere; never fetched.
    Remote(Url),
}

/// One `podcast.categories` entry: `Category` or `Category/Subcategory`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodcastCategory {
    pub name: String,
    pub sub: Option<String>,
}

/// The checked `podcast:` section.
#[derive(Debug, Clone)]
pub struct PodcastConfig {
    /// The folder under `content.dir` whose articles are episodes.
    pub section: String,
    /// The route (and `build` output path) of the podcast feed.
    pub path: String,
    pub title: String,
    pub description: String,
    pub language: String,
    pub author: String,
    pub owner: Option<Person>,
    pub image: Option<PodcastImage>,
    pub categories: Vec<PodcastCategory>,
    pub explicit: bool,
    pub kind: PodcastType,
    /// Where media is hosted instead of `/media/` on this server (ends with `/`).
    pub media_base_url: Option<Url>,
    /// `podcast:locked`: other hosting platforms may not import the feed.
    pub locked: bool,
    /// How long a media file must stay unchanged before a daemon publishes its episode
    /// (a file still being copied in keeps changing).
    pub media_settle: Duration,
}

/// `podcast`: `None` when the section is absent.
pub(super) fn podcast_config(
    r: RawPodcast,
    site: &SiteConfig,
) -> Result<Option<PodcastConfig>, ConfigError> {
    if !r.any_set() {
        return Ok(None);
    }
    let Some(section) = r.section else {
        return Err(invalid(
            "podcast.section",
            "is required when the `podcast` section is given: the folder under content.dir whose articles are episodes",
        ));
    };
    let section = section.trim().trim_matches('/').to_string();
    if section.is_empty()
        || section.contains(['/', '\\'])
        || section == "."
        || section == ".."
        || section.starts_with('.')
    {
        return Err(invalid(
            "podcast.section",
            format!("`{section}` must name one folder directly under content.dir"),
        ));
    }
    let owner = match r.owner {
        Some(spec) => Some(
            spec.into_person()
                .map_err(|m| invalid("podcast.owner", m.replace("author", "owner")))?,
        ),
        None => None,
    };
    let image = match r.image.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) if text.contains("://") => {
            Some(PodcastImage::Remote(absolute_url("podcast.image", text)?))
        }
        Some(text) => Some(PodcastImage::Local(
            local_path(text).map_err(|m| invalid("podcast.image", m))?,
        )),
    };
    let mut categories = Vec::new();
    for (i, written) in r.categories.unwrap_or_default().iter().enumerate() {
        let key = format!("podcast.categories[{i}]");
        let (name, sub) = match written.split_once('/') {
            Some((name, sub)) => (name.trim(), Some(sub.trim())),
            None => (written.trim(), None),
        };
        if name.is_empty() || sub.is_some_and(|s| s.is_empty() || s.contains('/')) {
            return Err(invalid(
                &key,
                format!("`{written}` must be `Category` or `Category/Subcategory`"),
            ));
        }
        categories.push(PodcastCategory {
            name: name.to_string(),
            sub: sub.map(str::to_string),
        });
    }
    let media_base_url = match r.media_base_url {
        Some(text) if !text.trim().is_empty() => {
            let mut url = absolute_url("podcast.media_base_url", text.trim())?;
            if url.query().is_some() || url.fragment().is_some() {
                return Err(invalid(
                    "podcast.media_base_url",
                    "must not have a query or fragment",
                ));
            }
            if !url.path().ends_with('/') {
                let path = format!("{}/", url.path());
                url.set_path(&path);
            }
            Some(url)
        }
        _ => None,
    };
    let language = match r.language {
        Some(tag) => super::language_at("podcast.language", Some(tag))?,
        None => site.language.clone(),
    };
    Ok(Some(PodcastConfig {
        section,
        path: route("podcast.path", r.path, "/podcast.xml")?,
        title: non_empty("podcast.title", r.title, &site.title)?,
        description: non_empty("podcast.description", r.description, &site.description)?,
        language,
        author: non_empty("podcast.author", r.author, &site.author.name)?,
        owner,
        image,
        categories,
        explicit: r.explicit.unwrap_or(false),
        kind: r.kind.unwrap_or(PodcastType::Episodic),
        media_base_url,
        locked: r.locked.unwrap_or(true),
        media_settle: Duration::from_millis(r.media_settle_ms.unwrap_or(2_000)),
    }))
}

/// A path under `content.dir` as written in config (`cover.jpg`, `/art/cover.jpg`):
/// `/`-separated, without `.`/`..` segments.
fn local_path(text: &str) -> Result<String, String> {
    let parts: Vec<&str> = text
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.contains(&"..") {
        return Err(format!(
            "`{text}` must be a URL or a path under content.dir without `..`"
        ));
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, RawConfig};

    fn load(yaml: &str) -> Result<Config, String> {
        let raw = RawConfig::from_yaml(yaml)?;
        Config::from_raw(raw).map_err(|e| e.to_string())
    }

    #[test]
    fn podcast_absent_means_none_and_defaults_come_from_site() {
        assert!(load("site: {title: T}\n").unwrap().podcast.is_none());
        let c =
            load("site: {title: Show, language: de, author: Ann}\npodcast:\n  section: episodes\n")
                .unwrap();
        let p = c.podcast.unwrap();
        assert_eq!(p.section, "episodes");
        assert_eq!(p.path, "/podcast.xml");
        assert_eq!(
            (p.title.as_str(), p.language.as_str(), p.author.as_str()),
            ("Show", "de", "Ann")
        );
        assert!(p.locked && !p.explicit);
        assert_eq!(p.kind, super::PodcastType::Episodic);
    }

    #[test]
    fn podcast_keys_are_checked_and_errors_name_them() {
        let p = load(
            "podcast:\n  section: /episodes/\n  owner: {name: Jane, email: jane@example.com}\n  image: art/cover.jpg\n  categories: [Technology, \"Society & Culture/Documentary\"]\n  type: serial\n  media_base_url: https://cdn.example.com/m\n",
        )
        .unwrap()
        .podcast
        .unwrap();
        assert_eq!(p.section, "episodes");
        assert_eq!(
            p.image,
            Some(super::PodcastImage::Local("art/cover.jpg".into()))
        );
        assert_eq!(p.categories[1].sub.as_deref(), Some("Documentary"));
        assert_eq!(
            p.media_base_url.unwrap().as_str(),
            "https://cdn.example.com/m/"
        );
        for (yaml, key) in [
            ("podcast: {title: x}", "podcast.section"),
            ("podcast: {section: a/b}", "podcast.section"),
            ("podcast: {section: e, path: feed}", "podcast.path"),
            (
                "podcast: {section: e, owner: {name: J, email: nope}}",
                "podcast.owner",
            ),
            ("podcast: {section: e, image: ../x.jpg}", "podcast.image"),
            (
                "podcast: {section: e, categories: [\"A/\"]}",
                "podcast.categories[0]",
            ),
            (
                "podcast: {section: e, media_base_url: ftp://x}",
                "podcast.media_base_url",
            ),
            ("podcast: {section: e, language: en_US}", "podcast.language"),
            ("podcast: {section: e, path: /feed.xml}", "podcast.path"),
        ] {
            let e = load(yaml).unwrap_err();
            assert!(e.contains(key), "{yaml}: {e}");
        }
        let e = load("podcast: {section: e, type: daily}").unwrap_err();
        assert!(e.contains("podcast.type"), "{e}");
    }

    #[test]
    fn podcast_keys_from_the_environment() {
        let env = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        let c = Config::load_with_env(
            &crate::config::Overrides::default(),
            env(&[
                ("FEEDWRIGHT_PODCAST_SECTION", "shows"),
                (
                    "FEEDWRIGHT_PODCAST_CATEGORIES",
                    "Technology, News/Tech News",
                ),
                ("FEEDWRIGHT_PODCAST_EXPLICIT", "yes"),
                ("FEEDWRIGHT_PODCAST_TYPE", "Serial"),
            ]),
        )
        .unwrap();
        let p = c.podcast.unwrap();
        assert_eq!(p.section, "shows");
        assert_eq!(p.categories.len(), 2);
        assert!(p.explicit);
        assert_eq!(p.kind, super::PodcastType::Serial);
    }
}
