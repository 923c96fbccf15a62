//! Feeds: the window's entries (SPEC §3.1; chosen and rendered by
//! [`site::window`](crate::site::window)) written as RSS 2.0, Atom 1.0 and the `/` HTML page,
//! the [`SiteOutputs`]. Pure: the same entries and config give the same bytes (SPEC §3.4) —
//! no clock is read and no body is rendered here.

mod atom;
mod entry;
mod index;
pub(crate) mod media;
mod podcast;
mod rss;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::xml_chars;

use self::atom::render_atom;
use self::entry::feed_updated;
use self::index::render_index;
use self::rss::render_rss;

pub use self::entry::Entry;
pub(crate) use self::media::media_url;
pub use self::media::{EpisodeMedia, EpisodeMediaMap};

/// What the feed stage produces for one content state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteOutputs {
    /// RSS 2.0 document.
    pub(crate) rss: String,
    /// The RSS document served at `feeds.rss_alias_path`: the same but for its self link,
    /// which names the address it is served at. `None`: the alias serves `rss` as is.
    pub(crate) rss_alias: Option<String>,
    /// Atom 1.0 document.
    pub(crate) atom: String,
    /// The HTML page served at `feeds.index_path`.
    pub(crate) index_html: String,
    /// The podcast feed served at `podcast.path`; `None` without a podcast.
    pub(crate) podcast: Option<String>,
    /// Newest entry `updated`; `None` when there are no entries.
    pub(crate) feed_updated: Option<DateTime<Utc>>,
}

/// Writes every output for the window's entries (newest first).
pub fn render_outputs(entries: &[Entry<'_>], config: &Config) -> SiteOutputs {
    render_outputs_with_podcast(entries, &[], config)
}

/// [`render_outputs`], and the podcast feed of `episodes` (newest first) when there is a
/// podcast.
pub fn render_outputs_with_podcast(
    entries: &[Entry<'_>],
    episodes: &[Entry<'_>],
    config: &Config,
) -> SiteOutputs {
    SiteOutputs {
        podcast: config
            .podcast
            .as_ref()
            .map(|p| feed_safe(podcast::render_podcast(episodes, config, p))),
        rss: feed_safe(render_rss(entries, config)),
        rss_alias: config
            .feeds
            .rss_alias_path
            .as_deref()
            .map(|path| feed_safe(rss::render_rss_at(entries, config, path))),
        atom: feed_safe(render_atom(entries, config)),
        index_html: feed_safe(render_index(entries, config)),
        feed_updated: feed_updated(entries),
    }
}

/// A last net under the per-field checks (front matter, config, body): a character XML
/// cannot carry makes the whole feed unreadable, so none may leave, whatever its source.
fn feed_safe(text: String) -> String {
    match xml_chars::strip_non_feed_chars(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clean) => clean,
    }
}
