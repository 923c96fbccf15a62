//! Configuration: built-in defaults < YAML file < `FEEDWRIGHT_*` environment < command-line
//! flags, validated once into a [`Config`] that every other stage reads.
//!
//! The file shape ([`raw`]) has every field optional and rejects unknown keys; validation turns
//! it into typed values (URLs, time zones, socket addresses) and names the key on any error.

pub(crate) mod apple_categories;
mod error;
mod feeds;
mod podcast;
mod raw;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use chrono_tz::Tz;
use url::Url;

use crate::language_tag::{check_language, Language};
use crate::permalink::{is_dot_segment, PermalinkPattern};

use crate::person::Person;
pub use error::ConfigError;
use feeds::feeds_config;
pub use feeds::{FeedsConfig, GroupPaths};
pub use podcast::{PodcastCategory, PodcastConfig, PodcastImage, PodcastType};
pub(crate) use raw::RawConfig;
pub use raw::{LogFormat, WatchMode, REEXECUTED_VAR};
use raw::{RawContent, RawLog, RawServer, RawSite, RawWatch, RawWebSub};

/// Values given on the command line; they win over everything else.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub content_dir: Option<PathBuf>,
    pub base_url: Option<String>,
    pub listen: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub site: SiteConfig,
    pub content: ContentConfig,
    pub feeds: FeedsConfig,
    pub server: ServerConfig,
    pub watch: WatchConfig,
    pub log: LogConfig,
    pub websub: WebSubConfig,
    /// `podcast:` (SPEC §11); `None` without `podcast.section`.
    pub podcast: Option<PodcastConfig>,
}

#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// Always ends with `/` so joining a permalink path keeps the base path.
    pub base_url: Url,
    /// Whether `site.base_url` was given; without it, the base URL is the address the
    /// daemon listens on ([`local_base_url`]), so local feeds link back to the server.
    pub base_url_given: bool,
    pub language: String,
    pub author: Person,
    /// Author ids posts may name (`site.authors`, then the site's authors data).
    pub(crate) authors: std::sync::Arc<crate::author_ids::AuthorIds>,
    pub timezone: Tz,
    pub icon: Option<Url>,
}

#[derive(Debug, Clone)]
pub struct ContentConfig {
    pub dir: PathBuf,
    pub(crate) permalink: PermalinkPattern,
    pub summary_length: usize,
    pub max_file_bytes: u64,
    /// How long one file may take to read, parse and render before it is an error and the
    /// load goes on without it.
    pub file_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub cache_max_age: u64,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub request_timeout: Duration,
    pub max_header_bytes: usize,
    pub max_connections: usize,
    /// How long a connection must have waited for a complete request head before it may
    /// give its slot to a new client while all `max_connections` are taken.
    pub reclaim_wait: Duration,
    /// HTTP worker threads, each running its own single-threaded event loop.
    pub workers: usize,
    pub shutdown_grace: Duration,
    pub healthz_path: String,
    pub readyz_path: String,
    pub metrics_path: String,
}

#[derive(Debug, Clone)]
pub struct WatchConfig {
    pub mode: WatchMode,
    pub debounce: Duration,
    pub poll_interval: Duration,
}

/// `websub`: the hubs every feed names (`rel="hub"`) and that are told when a feed changes.
#[derive(Debug, Clone)]
pub struct WebSubConfig {
    /// Empty: WebSub is off (no hub links, no pings).
    pub hubs: Vec<Url>,
    /// Changes within this window after the first one go out as one ping per feed.
    pub debounce: Duration,
    /// Tries per ping (the first one included) before it is given up and counted.
    pub max_attempts: u32,
    /// Wait before the first retry; it doubles with each further one.
    pub retry: Duration,
    /// Bound on one ping request (connect, send, answer).
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct LogConfig {
    pub level: String,
    pub format: LogFormat,
}

impl Config {
    /// This configuration once the daemon is bound to `bound`: without a `site.base_url`, the
    /// base URL follows the real address (the port chosen for `127.0.0.1:0`).
    pub(crate) fn listening_on(mut self, bound: SocketAddr) -> Self {
        if !self.site.base_url_given {
            self.site.base_url = local_base_url(bound);
        }
        self
    }

    /// Built-in defaults only: what runs with no file, no environment and no flags.
    pub fn defaults() -> Self {
        // Defaults are constants known to be valid.
        Self::from_raw(RawConfig::default()).unwrap_or_else(|e| panic!("built-in defaults: {e}"))
    }

    /// Loads the full precedence chain from the real process environment.
    pub fn load(overrides: &Overrides) -> Result<Self, ConfigError> {
        Self::load_with_env(overrides, std::env::vars())
    }

    /// Like [`Config::load`] with an explicit environment (tests pass their own).
    pub(crate) fn load_with_env(
        overrides: &Overrides,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut raw = match &overrides.config_file {
            Some(path) => RawConfig::from_file(path)?,
            None => RawConfig::default(),
        };
        let mut env: Vec<(String, String)> = env.into_iter().collect();
        env.sort(); // report the first bad variable deterministically
        for (var, value) in &env {
            raw.apply_env(var, value)?;
        }
        if let Some(dir) = &overrides.content_dir {
            raw.content.dir = Some(dir.display().to_string());
        }
        if let Some(url) = &overrides.base_url {
            raw.site.base_url = Some(url.clone());
        }
        if let Some(listen) = &overrides.listen {
            raw.server.listen = Some(listen.clone());
        }
        Self::from_raw(raw)
    }

    /// Validates a merged raw configuration, filling defaults. The first error ends it:
    /// `site.title` and `server.listen` are read first, then each section in turn.
    pub(crate) fn from_raw(raw: RawConfig) -> Result<Self, ConfigError> {
        let mut r = raw;
        let title = non_empty("site.title", r.site.title.take(), "My feedwright site")?;
        let listen_text = r
            .server
            .listen
            .take()
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            invalid(
                "server.listen",
                format!("`{listen_text}` is not an address like 127.0.0.1:8080 or [::]:8080"),
            )
        })?;
        let site = site_config(r.site, title, listen)?;
        let podcast = podcast::podcast_config(r.podcast, &site)?;
        let config = Config {
            site,
            content: content_config(r.content)?,
            feeds: feeds_config(r.feeds)?,
            server: server_config(r.server, listen)?,
            watch: watch_config(r.watch)?,
            log: log_config(r.log)?,
            websub: websub_config(r.websub)?,
            podcast,
        };
        config.check_routes_distinct()?;
        Ok(config)
    }

    /// Every configured route, with the key that sets it.
    pub(crate) fn routes(&self) -> Vec<(&'static str, &str)> {
        let mut routes = vec![
            ("feeds.rss_path", self.feeds.rss_path.as_str()),
            ("feeds.atom_path", self.feeds.atom_path.as_str()),
            ("feeds.index_path", self.feeds.index_path.as_str()),
            ("server.healthz_path", self.server.healthz_path.as_str()),
            ("server.readyz_path", self.server.readyz_path.as_str()),
            ("server.metrics_path", self.server.metrics_path.as_str()),
        ];
        if let Some(alias) = &self.feeds.rss_alias_path {
            routes.push(("feeds.rss_alias_path", alias.as_str()));
        }
        if let Some(json) = &self.feeds.json_path {
            routes.push(("feeds.json_path", json.as_str()));
        }
        for (key, group) in self.feeds.groups() {
            routes.push((key, group.prefix.as_str()));
        }
        if let Some(podcast) = &self.podcast {
            routes.push(("podcast.path", podcast.path.as_str()));
        }
        routes
    }

    fn check_routes_distinct(&self) -> Result<(), ConfigError> {
        let routes = self.routes();
        for (i, (key, path)) in routes.iter().enumerate() {
            if let Some((other, _)) = routes[..i].iter().find(|(_, p)| p == path) {
                return Err(invalid(
                    key,
                    format!("`{path}` is already used by `{other}`"),
                ));
            }
        }
        Ok(())
    }

    /// The absolute URL a route is served at, for self links.
    pub(crate) fn public_url(&self, route: &str) -> Url {
        let relative = route.trim_start_matches('/');
        // base_url ends with '/', and `relative` has no scheme, so join cannot fail.
        self.site
            .base_url
            .join(relative)
            .unwrap_or_else(|_| self.site.base_url.clone())
    }
}

/// `site.authors`: ids posts may name, each a name or `{name, email, uri}`.
fn configured_authors(
    written: Option<std::collections::BTreeMap<String, crate::person::PersonSpec>>,
) -> Result<std::collections::BTreeMap<String, Person>, ConfigError> {
    let mut authors = std::collections::BTreeMap::new();
    for (id, spec) in written.unwrap_or_default() {
        let person = spec
            .into_person()
            .map_err(|message| invalid(&format!("site.authors.{id}"), message))?;
        authors.insert(id, person);
    }
    Ok(authors)
}

/// `site`: the title is read first (the author defaults to it), the listening address
/// gives the default base URL.
fn site_config(r: RawSite, title: String, listen: SocketAddr) -> Result<SiteConfig, ConfigError> {
    Ok(SiteConfig {
        base_url: match r.base_url.as_deref() {
            Some(text) => base_url(text)?,
            None => local_base_url(listen),
        },
        base_url_given: r.base_url.is_some(),
        language: language(r.language)?,
        // Atom needs an author; without one configured, the site speaks for itself.
        author: match r.author {
            Some(spec) => spec
                .into_person()
                .map_err(|message| invalid("site.author", message))?,
            None => Person {
                name: title.clone(),
                email: None,
                uri: None,
            },
        },
        authors: std::sync::Arc::new(crate::author_ids::AuthorIds::new(configured_authors(
            r.authors,
        )?)),
        title,
        description: r
            .description
            .unwrap_or_else(|| "Articles, with summary and full content.".into()),
        timezone: {
            let name = r.timezone.unwrap_or_else(|| "UTC".into());
            name.parse::<Tz>().map_err(|_| {
                invalid(
                    "site.timezone",
                    format!("`{name}` is not an IANA time zone name (e.g. `Europe/Berlin`)"),
                )
            })?
        },
        icon: match r.icon {
            Some(icon) => Some(absolute_url("site.icon", &icon)?),
            None => None,
        },
    })
}

fn content_config(r: RawContent) -> Result<ContentConfig, ConfigError> {
    Ok(ContentConfig {
        dir: PathBuf::from(non_empty("content.dir", r.dir, "content")?),
        permalink: PermalinkPattern::parse(
            r.permalink
                .unwrap_or_else(|| PermalinkPattern::DEFAULT.to_string()),
        )
        .map_err(|m| invalid("content.permalink", m))?,
        summary_length: at_least("content.summary_length", r.summary_length, 300, 20)?,
        max_file_bytes: at_least(
            "content.max_file_bytes",
            r.max_file_bytes,
            4 * 1024 * 1024,
            64,
        )?,
        file_timeout: millis("content.file_timeout_ms", r.file_timeout_ms, 5_000)?,
    })
}

fn websub_config(r: RawWebSub) -> Result<WebSubConfig, ConfigError> {
    let mut hubs = Vec::new();
    for text in r.hub.map(raw::Hubs::into_vec).unwrap_or_default() {
        let url = absolute_url("websub.hub", &text)?;
        // The ping client speaks plain HTTP only (no TLS stack in the binary).
        if url.scheme() != "http" {
            return Err(invalid(
                "websub.hub",
                format!("`{text}` is not an http:// URL; feedwright pings hubs over plain HTTP only (put an https hub behind a local forwarding proxy)"),
            ));
        }
        if !hubs.contains(&url) {
            hubs.push(url);
        }
    }
    let max_attempts = at_least("websub.max_attempts", r.max_attempts, 5, 1)?;
    Ok(WebSubConfig {
        hubs,
        debounce: millis("websub.debounce_ms", r.debounce_ms, 1_000)?,
        max_attempts: u32::try_from(max_attempts.min(20)).unwrap_or(20),
        retry: millis("websub.retry_ms", r.retry_ms, 2_000)?,
        timeout: millis("websub.timeout_ms", r.timeout_ms, 10_000)?,
    })
}

/// `server`, its `listen` address read before every other setting.
fn server_config(r: RawServer, listen: SocketAddr) -> Result<ServerConfig, ConfigError> {
    Ok(ServerConfig {
        listen,
        cache_max_age: r.cache_max_age.unwrap_or(300),
        header_read_timeout: millis(
            "server.header_read_timeout_ms",
            r.header_read_timeout_ms,
            10_000,
        )?,
        idle_timeout: millis("server.idle_timeout_ms", r.idle_timeout_ms, 60_000)?,
        request_timeout: millis("server.request_timeout_ms", r.request_timeout_ms, 30_000)?,
        max_header_bytes: at_least(
            "server.max_header_bytes",
            r.max_header_bytes,
            16 * 1024,
            1024,
        )?,
        max_connections: at_least("server.max_connections", r.max_connections, 1024, 1)?,
        reclaim_wait: millis("server.reclaim_wait_ms", r.reclaim_wait_ms, 250)?,
        workers: match r.workers {
            None | Some(0) => default_workers(),
            Some(n) if n > MAX_WORKERS => {
                return Err(invalid(
                    "server.workers",
                    format!("must be at most {MAX_WORKERS}, got {n}"),
                ))
            }
            Some(n) => n,
        },
        shutdown_grace: millis("server.shutdown_grace_ms", r.shutdown_grace_ms, 10_000)?,
        healthz_path: route("server.healthz_path", r.healthz_path, "/healthz")?,
        readyz_path: route("server.readyz_path", r.readyz_path, "/readyz")?,
        metrics_path: route("server.metrics_path", r.metrics_path, "/metrics")?,
    })
}

fn watch_config(r: RawWatch) -> Result<WatchConfig, ConfigError> {
    Ok(WatchConfig {
        mode: r.mode.unwrap_or(WatchMode::Auto),
        debounce: millis("watch.debounce_ms", r.debounce_ms, 200)?,
        poll_interval: millis("watch.poll_interval_ms", r.poll_interval_ms, 2_000)?,
    })
}

fn log_config(r: RawLog) -> Result<LogConfig, ConfigError> {
    let level = non_empty("log.level", r.level, "info")?;
    if let Err(e) = log_filter(&level) {
        return Err(invalid("log.level", e));
    }
    Ok(LogConfig {
        level,
        format: r.format.unwrap_or(LogFormat::Text),
    })
}

fn invalid(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_string(),
        message: message.into(),
    }
}

fn non_empty(key: &str, value: Option<String>, default: &str) -> Result<String, ConfigError> {
    match value {
        None => Ok(default.to_string()),
        Some(v) if v.trim().is_empty() => Err(invalid(key, "must not be empty")),
        Some(v) => Ok(v),
    }
}

/// `site.language`: a BCP 47 tag, checked like an article's `lang` (it goes out as RSS
/// `language` and Atom `xml:lang`). Config has no warnings, so `en_US` is an error that
/// names the spelling to use instead.
fn language(value: Option<String>) -> Result<String, ConfigError> {
    language_at("site.language", value)
}

/// A language tag at `key` (default `en`), checked as `site.language` is.
fn language_at(key: &str, value: Option<String>) -> Result<String, ConfigError> {
    let tag = non_empty(key, value, "en")?;
    let tag = tag.trim().to_string();
    match check_language(&tag) {
        Language::Valid => Ok(tag),
        Language::Normalised(fixed) => Err(invalid(
            key,
            format!("`{tag}` is not a BCP 47 language tag; write `{fixed}`"),
        )),
        Language::Invalid(message) => Err(invalid(key, message)),
    }
}

/// Upper bound of `server.workers`: far beyond any core count worth one event loop each.
const MAX_WORKERS: usize = 256;

/// One HTTP worker per CPU the process may use (cgroup CPU quotas included).
fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

fn at_least<T>(key: &str, value: Option<T>, default: T, min: T) -> Result<T, ConfigError>
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    let v = value.unwrap_or(default);
    if v < min {
        return Err(invalid(key, format!("must be at least {min}, got {v}")));
    }
    Ok(v)
}

fn millis(key: &str, value: Option<u64>, default: u64) -> Result<Duration, ConfigError> {
    Ok(Duration::from_millis(at_least(key, value, default, 1)?))
}

/// Reads a log filter (`log.level` or `RUST_LOG`): a level, or comma-separated
/// `target=level` directives with an optional default level (`info,feedwright=debug`).
/// A bare word that is no level (`warning`, `verbose`) is refused: `tracing` would read it
/// as a target name and silence everything else, the first log line included.
pub fn log_filter(text: &str) -> Result<tracing_subscriber::filter::Targets, String> {
    const LEVELS: [&str; 6] = ["error", "warn", "info", "debug", "trace", "off"];
    let usage = "a level (error, warn, info, debug, trace, off) or `target=level` directives";
    for directive in text.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let level = directive
            .split_once('=')
            .map_or(directive, |(_, level)| level);
        if !LEVELS.iter().any(|l| l.eq_ignore_ascii_case(level.trim())) {
            let hint = if directive.contains('=') {
                String::new()
            } else {
                format!(" (for a target, give its level: `{directive}=debug`)")
            };
            return Err(format!(
                "`{text}` is not {usage}: `{level}` is not a level{hint}"
            ));
        }
    }
    text.parse()
        .map_err(|e| format!("`{text}` is not {usage}: {e}"))
}

fn route(key: &str, value: Option<String>, default: &str) -> Result<String, ConfigError> {
    let path = value.unwrap_or_else(|| default.to_string());
    if !path.starts_with('/')
        || path.contains(['?', '#', ' ', '\\'])
        || path.contains("//")
        || path.chars().any(char::is_control)
    {
        return Err(invalid(
            key,
            format!("`{path}` must be a URL path starting with `/` (no query, fragment, spaces or `\\`)"),
        ));
    }
    // `build` writes each route under its output folder: `..` would climb out of it, and
    // no client can request a path with dot segments (they are resolved before sending).
    if path.split('/').any(is_dot_segment) {
        return Err(invalid(
            key,
            format!("`{path}` must not contain `.` or `..` segments"),
        ));
    }
    Ok(path)
}

fn absolute_url(key: &str, text: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(text)
        .map_err(|e| invalid(key, format!("`{text}` is not an absolute URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            key,
            format!("`{text}` must be an http(s) URL with a host"),
        ));
    }
    Ok(url)
}

/// The base URL when `site.base_url` is not set: the address the server listens on, with
/// an unspecified address (`0.0.0.0`, `[::]`) read as loopback, so that the feeds of a local
/// run link back to the server a reader fetched them from (and a validator finds their self
/// link where it fetched them).
pub(crate) fn local_base_url(listen: SocketAddr) -> Url {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let text = format!("http://{}/", SocketAddr::new(ip, listen.port()));
    // An IP address and a port always make a valid http URL.
    Url::parse(&text).unwrap_or_else(|_| Url::parse("http://127.0.0.1/").expect("literal URL"))
}

fn base_url(text: &str) -> Result<Url, ConfigError> {
    let mut url = absolute_url("site.base_url", text)?;
    if !url.username().is_empty() || url.password().is_some() {
        // Not echoed: the message would print the password.
        return Err(invalid(
            "site.base_url",
            "must not contain a user name or password (`user:password@`): they would appear in every link of the feeds",
        ));
    }
    crate::entry_id::tag_authority(&url).map_err(|m| invalid("site.base_url", m))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "site.base_url",
            "must not have a query or fragment",
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests;
