//! Entry points for the fuzz targets in `fuzz/` (hidden, not an API): each runs one input
//! through the same code the daemon runs — article parse, dates, body render, config, the
//! HTTP request path — with the test site's configuration, and hands back what came out so
//! the target can check its invariants (XML well-formed, no script in content). The render
//! benchmark (`benches/render.rs`) times the daemon's first-load work per article through
//! [`BenchArticle`].

use std::sync::Arc;

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use url::Url;

use crate::config::{Config, RawConfig};
use crate::content::render::{max_rendered_bytes, render_bounded, BodyKind};
use crate::content::{parse_article, Article, ParseOptions};
use crate::feed::{render_outputs, Entry};
use crate::http::in_memory::InMemoryServer;
use crate::http::AppState;
use crate::metrics::Metrics;
use crate::snapshot::Snapshot;

/// The site every target renders for: the defaults with the tests' base URL.
fn site_config() -> Config {
    let mut config = Config::defaults();
    if let Ok(base) = Url::parse("https://example.com/blog/") {
        config.site.base_url = base;
    }
    config
}

/// Everything one parsed article produces.
#[derive(Debug, Clone)]
pub struct ArticleOutputs {
    /// Full content HTML (sanitized).
    pub content_html: String,
    /// Summary HTML.
    pub summary_html: String,
    /// The RSS document with this one entry.
    pub rss: String,
    /// The Atom document with this one entry.
    pub atom: String,
    /// The `/` HTML page with this one entry.
    pub index_html: String,
}

/// Parses `bytes` as the file `name` (relative to the content root); when it is an article,
/// renders its body and the feeds over it alone. `strict` is `check --strict`.
pub fn article(name: &str, bytes: &[u8], strict: bool) -> Option<ArticleOutputs> {
    let config = site_config();
    let options = ParseOptions {
        report_unknown_fields: strict,
        keep_body: true,
    };
    let article = parse_article(name, bytes, &config, options).article?;
    Some(outputs_of(&article, &config))
}

/// The body and the feeds of one article alone.
fn outputs_of(article: &Article, config: &Config) -> ArticleOutputs {
    let rendered = article.rendered(config);
    let outputs = render_outputs(
        &[Entry {
            article,
            rendered,
            media: None,
        }],
        &[],
        config,
        &|_| None,
    );
    ArticleOutputs {
        content_html: rendered.content_html.clone(),
        summary_html: rendered.summary_html.clone(),
        rss: outputs.body(&config.feeds.rss_path).to_string(),
        atom: outputs.body(&config.feeds.atom_path).to_string(),
        index_html: outputs.body(&config.feeds.index_path).to_string(),
    }
}

/// Zones with unusual rules: half-hour and 45-minute offsets, a 30-minute DST shift,
/// southern-hemisphere DST, a zone that skipped a whole day.
pub const ZONES: [&str; 8] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Apia",
    "America/St_Johns",
];

/// Parses a front matter date in one of [`ZONES`] (chosen by `zone % ZONES.len()`).
pub fn date(text: &str, zone: u8) -> Result<DateTime<chrono::FixedOffset>, String> {
    let name = ZONES[usize::from(zone) % ZONES.len()];
    let tz: Tz = name.parse().unwrap_or(Tz::UTC);
    crate::content::dates::parse_date(text, tz)
}

/// Renders an article body the way the feeds do: `(content_html, summary_html)`, both
/// empty when the output passes the bound of the default `max_file_bytes`.
pub fn render(
    body: &str,
    html: bool,
    explicit_summary: Option<&str>,
    summary_length: usize,
) -> (String, String) {
    let kind = if html {
        BodyKind::Html
    } else {
        BodyKind::Markdown
    };
    let base = Url::parse("https://example.com/blog/posts/hello/")
        .unwrap_or_else(|_| site_config().site.base_url);
    let max_bytes = max_rendered_bytes(site_config().content.max_file_bytes);
    // Past the bound the article is an error naming the file: nothing to check then.
    match render_bounded(
        body,
        kind,
        explicit_summary,
        &base,
        "hello",
        summary_length,
        max_bytes,
    ) {
        Ok(rendered) => (rendered.content_html, rendered.summary_html),
        Err(_) => (String::new(), String::new()),
    }
}

/// An article parsed (not timed) for `benches/render.rs`, its body not yet rendered.
#[derive(Debug, Clone)]
pub struct BenchArticle(Article);

impl BenchArticle {
    /// Parses `bytes` as the file `name` with the test site's configuration; `None` when
    /// it is not an article.
    pub fn parse(name: &str, bytes: &[u8]) -> Option<BenchArticle> {
        let options = ParseOptions {
            report_unknown_fields: false,
            keep_body: true,
        };
        parse_article(name, bytes, &site_config(), options)
            .article
            .map(BenchArticle)
    }

    /// Bytes of its body (front matter excluded).
    pub fn body_len(&self) -> usize {
        self.0.body.len()
    }

    /// What the daemon's first load does per article for the group feeds: renders the
    /// body (content and summary) and writes its RSS, Atom and JSON Feed items. Returns
    /// the bytes written, so nothing is optimized away. Render a fresh clone each time: a
    /// rendered body is kept with the article.
    pub fn render_items(&self, config: &Config) -> usize {
        let rendered = self.0.rendered(config);
        let items = crate::feed::item_xml(
            &Entry {
                article: &self.0,
                rendered,
                media: None,
            },
            config,
        );
        items.rss.len() + items.atom.len() + items.json.map_or(0, |j| j.len())
    }
}

/// The configuration [`BenchArticle::render_items`] renders with: the test site's.
pub fn bench_config() -> Config {
    site_config()
}

/// A fixed article for the config target: its feeds carry what the configuration sets.
const CONFIG_ARTICLE: &str = "---\ntitle: Hello & <welcome>\ndate: 2024-03-26\nauthor: Ada\ntags: [rust, feeds]\n---\nSome *text* with a [link](/about/).\n";

/// Reads a configuration file's text and validates it, as `--config` does; when it is
/// valid, renders the feeds over one fixed article with it. `Err` carries the message the
/// user would see.
pub fn config(yaml: &str) -> Result<Option<ArticleOutputs>, String> {
    let raw = RawConfig::from_yaml(yaml)?;
    let config = Config::from_raw(raw).map_err(|e| e.to_string())?;
    let parsed = parse_article(
        "posts/hello.md",
        CONFIG_ARTICLE.as_bytes(),
        &config,
        ParseOptions::default(),
    );
    Ok(parsed.article.map(|article| outputs_of(&article, &config)))
}

/// A server with one snapshot built from `articles` (`(name, text)` pairs that fail to
/// parse are left out), answering raw requests in process.
pub struct HttpServer {
    server: InMemoryServer,
}

impl HttpServer {
    /// Builds the snapshot (feeds, compressed variants, ETags) once.
    pub fn new(articles: &[(&str, &str)]) -> std::io::Result<HttpServer> {
        let config = site_config();
        let parsed: Vec<_> = articles
            .iter()
            .filter_map(|(name, text)| {
                parse_article(name, text.as_bytes(), &config, ParseOptions::default()).article
            })
            .collect();
        let entries: Vec<Entry<'_>> = parsed
            .iter()
            .map(|article| Entry {
                article,
                rendered: article.rendered(&config),
                media: None,
            })
            .collect();
        let outputs = render_outputs(&entries, &[], &config, &|_| None);
        let now = DateTime::parse_from_rfc3339("2024-06-01T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|_| Utc::now());
        let snapshot = Snapshot::build(&config, outputs, vec![], entries.len(), None, now);
        let state = Arc::new(AppState {
            config: Arc::new(config),
            snapshot: ArcSwap::from_pointee(snapshot),
            metrics: Metrics::new(),
        });
        Ok(HttpServer {
            server: InMemoryServer::new(state)?,
        })
    }

    /// Everything the server wrote for `request` (sent on a fresh connection, then the
    /// client's side closed). `None`: no end within 5 s.
    pub fn exchange(&self, request: &[u8]) -> Option<Vec<u8>> {
        self.server.exchange(request)
    }
}
