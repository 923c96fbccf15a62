//! The configuration file's shape: every key optional, unknown keys rejected, plus the
//! mapping of `FEEDWRIGHT_<SECTION>_<KEY>` environment variables onto the same keys.

use std::path::Path;

use serde::Deserialize;

use super::error::ConfigError;
use crate::person::PersonSpec;

/// `watch.mode`: file system events, polling, or events with polling as the fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WatchMode {
    Auto,
    Notify,
    Poll,
}

/// `log.format`: one line of text or one JSON object per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// How one environment variable's text becomes a typed value.
pub(super) trait EnvValue: Sized {
    fn from_env(raw: &str) -> Result<Self, String>;
}

impl EnvValue for String {
    fn from_env(raw: &str) -> Result<Self, String> {
        Ok(raw.to_string())
    }
}

macro_rules! env_number {
    ($($t:ty),*) => {$(
        impl EnvValue for $t {
            fn from_env(raw: &str) -> Result<Self, String> {
                raw.trim().parse().map_err(|_| format!("`{raw}` is not a whole number (0 or more)"))
            }
        }
    )*};
}
env_number!(u64, usize);

/// `websub.hub`: one hub URL or a list of them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub(crate) enum Hubs {
    One(String),
    Many(Vec<String>),
}

impl Hubs {
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            Hubs::One(url) => vec![url],
            Hubs::Many(urls) => urls,
        }
    }
}

impl EnvValue for Hubs {
    /// Several hubs in one variable are separated by spaces or commas (a URL has neither).
    fn from_env(raw: &str) -> Result<Self, String> {
        Ok(Hubs::Many(
            raw.split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ))
    }
}

macro_rules! env_enum {
    ($($t:ty),*) => {$(
        impl EnvValue for $t {
            fn from_env(raw: &str) -> Result<Self, String> {
                serde_yaml::from_value(serde_yaml::Value::String(raw.trim().to_lowercase()))
                    .map_err(|e| e.to_string())
            }
        }
    )*};
}
env_enum!(WatchMode, LogFormat);

impl EnvValue for bool {
    fn from_env(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            _ => Err(format!("`{raw}` is not true or false")),
        }
    }
}

impl EnvValue for Vec<String> {
    fn from_env(raw: &str) -> Result<Self, String> {
        // `[a, "b/c"]` in the variable is a YAML list; anything else is one comma-separated.
        if raw.trim_start().starts_with('[') {
            serde_yaml::from_str(raw).map_err(|e| e.to_string())
        } else {
            Ok(raw
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect())
        }
    }
}

impl EnvValue for PersonSpec {
    fn from_env(raw: &str) -> Result<Self, String> {
        // `{name: …, email: …}` in the variable gives the full form; anything else is a name.
        if raw.trim_start().starts_with('{') {
            serde_yaml::from_str(raw).map_err(|e| e.to_string())
        } else {
            Ok(PersonSpec::Name(raw.to_string()))
        }
    }
}

impl EnvValue for std::collections::BTreeMap<String, PersonSpec> {
    fn from_env(raw: &str) -> Result<Self, String> {
        // `{id: Name, other: {name: …, email: …}}`
        serde_yaml::from_str(raw).map_err(|e| e.to_string())
    }
}

/// One section of the file: all keys optional, unknown keys rejected, each settable from
/// the environment by its name.
macro_rules! section {
    ($name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct $name { $(pub $field: Option<$ty>,)* }

        impl $name {
            /// `Ok(false)` when the key does not exist in this section.
            fn set_from_env(&mut self, key: &str, raw: &str) -> Result<bool, String> {
                match key {
                    $(stringify!($field) => {
                        self.$field = Some(<$ty as EnvValue>::from_env(raw)?);
                        Ok(true)
                    })*
                    _ => Ok(false),
                }
            }
        }
    };
}

section!(RawSite {
    title: String,
    description: String,
    base_url: String,
    language: String,
    author: PersonSpec,
    authors: std::collections::BTreeMap<String, PersonSpec>,
    timezone: String,
    icon: String,
});

section!(RawContent {
    dir: String,
    permalink: String,
    summary_length: usize,
    max_file_bytes: u64,
    file_timeout_ms: u64,
});

section!(RawFeeds {
    limit: usize,
    rss_path: String,
    rss_alias_path: String,
    atom_path: String,
    json_path: String,
    index_path: String,
    tag_path: String,
    section_path: String,
    author_path: String,
    group_limit: usize,
    autodiscovery_max: usize,
    archive_page_size: usize,
    archive_path: String,
    entry_id: String,
});

section!(RawServer {
    listen: String,
    cache_max_age: u64,
    header_read_timeout_ms: u64,
    idle_timeout_ms: u64,
    request_timeout_ms: u64,
    max_header_bytes: usize,
    max_connections: usize,
    reclaim_wait_ms: u64,
    workers: usize,
    shutdown_grace_ms: u64,
    healthz_path: String,
    readyz_path: String,
    metrics_path: String,
});

section!(RawWatch {
    mode: WatchMode,
    debounce_ms: u64,
    poll_interval_ms: u64,
});

section!(RawWebSub {
    hub: Hubs,
    debounce_ms: u64,
    max_attempts: u64,
    retry_ms: u64,
    timeout_ms: u64,
});

section!(RawLog {
    level: String,
    format: LogFormat,
});

/// `podcast.type`: how apps order the episodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PodcastType {
    /// Newest first; episodes stand alone.
    Episodic,
    /// Oldest first; episodes are meant to be heard in order.
    Serial,
}

impl PodcastType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PodcastType::Episodic => "episodic",
            PodcastType::Serial => "serial",
        }
    }
}

impl EnvValue for PodcastType {
    fn from_env(raw: &str) -> Result<Self, String> {
        serde_yaml::from_value(serde_yaml::Value::String(raw.trim().to_lowercase()))
            .map_err(|e| e.to_string())
    }
}

/// The `podcast:` section as written: every key optional, unknown keys rejected.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPodcast {
    pub section: Option<String>,
    pub path: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub author: Option<String>,
    pub owner: Option<PersonSpec>,
    pub image: Option<String>,
    pub categories: Option<Vec<String>>,
    pub explicit: Option<bool>,
    #[serde(rename = "type")]
    pub kind: Option<PodcastType>,
    pub media_base_url: Option<String>,
    pub locked: Option<bool>,
    pub media_settle_ms: Option<u64>,
}

impl RawPodcast {
    /// `FEEDWRIGHT_PODCAST_<KEY>`; `Ok(false)` when the key does not exist.
    pub(super) fn set_from_env(&mut self, key: &str, raw: &str) -> Result<bool, String> {
        fn set<T: EnvValue>(slot: &mut Option<T>, raw: &str) -> Result<bool, String> {
            *slot = Some(T::from_env(raw)?);
            Ok(true)
        }
        match key {
            "section" => set(&mut self.section, raw),
            "path" => set(&mut self.path, raw),
            "title" => set(&mut self.title, raw),
            "description" => set(&mut self.description, raw),
            "language" => set(&mut self.language, raw),
            "author" => set(&mut self.author, raw),
            "owner" => set(&mut self.owner, raw),
            "image" => set(&mut self.image, raw),
            "categories" => set(&mut self.categories, raw),
            "explicit" => set(&mut self.explicit, raw),
            "type" => set(&mut self.kind, raw),
            "media_base_url" => set(&mut self.media_base_url, raw),
            "locked" => set(&mut self.locked, raw),
            "media_settle_ms" => set(&mut self.media_settle_ms, raw),
            _ => Ok(false),
        }
    }

    pub(super) fn any_set(&self) -> bool {
        let RawPodcast {
            section,
            path,
            title,
            description,
            language,
            author,
            owner,
            image,
            categories,
            explicit,
            kind,
            media_base_url,
            locked,
            media_settle_ms,
        } = self;
        section.is_some()
            || path.is_some()
            || title.is_some()
            || description.is_some()
            || language.is_some()
            || author.is_some()
            || owner.is_some()
            || image.is_some()
            || categories.is_some()
            || explicit.is_some()
            || kind.is_some()
            || media_base_url.is_some()
            || locked.is_some()
            || media_settle_ms.is_some()
    }
}

/// The whole file. An empty file is a valid, all-default configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    #[serde(default)]
    pub site: RawSite,
    #[serde(default)]
    pub content: RawContent,
    #[serde(default)]
    pub feeds: RawFeeds,
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub watch: RawWatch,
    #[serde(default)]
    pub log: RawLog,
    #[serde(default)]
    pub websub: RawWebSub,
    #[serde(default)]
    pub podcast: RawPodcast,
}

/// The variable that names the config file; it is not a key.
pub(crate) const CONFIG_FILE_VAR: &str = "FEEDWRIGHT_CONFIG";
/// Set by `serve` on the one time it re-executes itself (malloc tunables): not a setting.
pub const REEXECUTED_VAR: &str = "FEEDWRIGHT_REEXECUTED";
const ENV_PREFIX: &str = "FEEDWRIGHT_";

impl RawConfig {
    pub(crate) fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_yaml(&text).map_err(|message| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        })
    }

    pub(crate) fn from_yaml(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        // serde's messages name the key path (e.g. `feeds.limit: invalid type …`) and the line.
        serde_yaml::from_str(text).map_err(|e| in_plain_words(&e.to_string()))
    }

    /// Applies one environment variable; variables without the prefix are ignored and a
    /// `FEEDWRIGHT_*` variable that names no key is an error (a typo would otherwise be silent).
    pub(crate) fn apply_env(&mut self, var: &str, value: &str) -> Result<(), ConfigError> {
        let Some(rest) = var.strip_prefix(ENV_PREFIX) else {
            return Ok(());
        };
        if var == CONFIG_FILE_VAR || var == REEXECUTED_VAR || var == "FEEDWRIGHT_LOG" {
            return Ok(());
        }
        let lower = rest.to_ascii_lowercase();
        let err = |message: String| ConfigError::Env {
            var: var.to_string(),
            message,
        };
        let (section, key) = lower
            .split_once('_')
            .ok_or_else(|| err("expected FEEDWRIGHT_<SECTION>_<KEY>".into()))?;
        let known = match section {
            "site" => self.site.set_from_env(key, value),
            "content" => self.content.set_from_env(key, value),
            "feeds" => self.feeds.set_from_env(key, value),
            "server" => self.server.set_from_env(key, value),
            "watch" => self.watch.set_from_env(key, value),
            "log" => self.log.set_from_env(key, value),
            "websub" => self.websub.set_from_env(key, value),
            "podcast" => self.podcast.set_from_env(key, value),
            _ => Ok(false),
        }
        .map_err(|m| err(format!("{section}.{key}: {m}")))?;
        if known {
            Ok(())
        } else {
            Err(err(format!(
                "no config key `{section}.{key}`; see config/feedwright.yaml for the keys"
            )))
        }
    }
}

/// serde names Rust types in its messages (`expected usize`, `expected struct RawFeeds`);
/// a config file's author knows numbers and sections.
fn in_plain_words(message: &str) -> String {
    let mut text = message.to_string();
    for number in ["usize", "u64", "u32", "u16", "u8"] {
        text = text.replace(
            &format!("expected {number}"),
            "expected a whole number (0 or more)",
        );
    }
    while let Some(at) = text.find("expected struct Raw") {
        let end = text[at..]
            .find(|c: char| !c.is_alphanumeric() && c != ' ')
            .map_or(text.len(), |e| at + e);
        text.replace_range(at..end, "expected a section of `key: value` settings");
    }
    text
}
