//! The validated [`Article`] and what parsing one file gives ([`Parsed`]), with the options
//! that say how much of it to keep ([`ParseOptions`]).

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, FixedOffset, Utc};
use url::Url;

use super::episode::Episode;
use crate::config::Config;
use crate::content::render::{self, BodyKind, RenderedBody};
use crate::diag::Diagnostic;
use crate::person::Person;

/// A lead image, absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadImage {
    pub url: Url,
    pub alt: Option<String>,
    pub credit: Option<String>,
}

/// A validated article. Its rendered HTML is computed on first use and cached, so only
/// articles that reach some output are ever rendered.
#[derive(Debug, Clone)]
pub struct Article {
    /// Path relative to the content root, `/`-separated on every platform.
    pub source: String,
    pub title: String,
    pub date: DateTime<FixedOffset>,
    pub updated: DateTime<FixedOffset>,
    /// A draft, or a post its generator keeps off the site (`article::visibility`).
    pub draft: bool,
    /// Hugo's `publishDate`: not published before it (nor before `date`).
    pub publish_at: Option<DateTime<FixedOffset>>,
    /// Hugo's `expiryDate`: not published from it on.
    pub expires_at: Option<DateTime<FixedOffset>>,
    pub slug: String,
    pub id: String,
    pub permalink: Url,
    /// For link posts: the external page the entry points at.
    pub link: Option<Url>,
    pub summary: Option<String>,
    pub authors: Vec<Person>,
    pub tags: Vec<String>,
    pub image: Option<LeadImage>,
    pub lang: Option<String>,
    /// Set for every article in `podcast.section` (SPEC §11).
    pub episode: Option<Episode>,
    /// The source body; empty when parsed with `keep_body: false` (see [`ParseOptions`]).
    pub body: Arc<str>,
    pub body_kind: BodyKind,
    /// False when the body was dropped after parsing (a one-shot `build` re-reads the few
    /// articles that reach the output instead of holding every body in memory).
    pub body_loaded: bool,
    /// Where a copy of the body was kept when it was dropped, so this version can still be
    /// published if its file breaks before the body is needed again (see `site::window`).
    pub(crate) kept_body: Option<KeptBody>,
    /// Identifies this version of the article (a hash of its path and file bytes): feed
    /// items rendered from it stay valid while it is unchanged (see `snapshot::items`).
    pub(crate) fingerprint: u64,
    /// Links to other articles by file name (`post_url`, `ref`), resolved once all
    /// articles are read (`site::links`).
    pub(crate) link_refs: Vec<crate::content::templates::LinkRef>,
    /// Filled by [`Article::rendered`]; set empty by whoever builds an article.
    pub(super) rendered: OnceLock<RenderedBody>,
}

impl Article {
    /// Published: not a draft, not dated in the future (SPEC §1.1), and inside the time its
    /// generator shows it (SPEC §10).
    pub(crate) fn is_published(&self, now: DateTime<Utc>) -> bool {
        !self.draft && self.visible_from() <= now && self.expires_at.is_none_or(|e| e > now)
    }

    /// When the post appears: its `date`, or a later `publishDate`.
    pub(crate) fn visible_from(&self) -> DateTime<FixedOffset> {
        self.publish_at.map_or(self.date, |p| p.max(self.date))
    }

    /// The next moment after `now` at which this article enters or leaves the published
    /// set by the clock alone (a future date, or an expiry), for the daemon to wake at.
    pub(crate) fn next_change_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.draft {
            return None;
        }
        let from = self.visible_from();
        // Expired before it is due: never published, nothing to wake for.
        if self.expires_at.is_some_and(|e| e <= from) {
            return None;
        }
        [Some(from), self.expires_at]
            .into_iter()
            .flatten()
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| *t > now)
            .min()
    }

    /// A copy without the body, for articles outside every output: the store keeps their
    /// metadata and reads the body again from disk if they ever reach an output.
    pub(crate) fn without_body(&self, kept_body: Option<KeptBody>) -> Article {
        Article {
            source: self.source.clone(),
            title: self.title.clone(),
            date: self.date,
            updated: self.updated,
            draft: self.draft,
            publish_at: self.publish_at,
            expires_at: self.expires_at,
            slug: self.slug.clone(),
            id: self.id.clone(),
            permalink: self.permalink.clone(),
            link: self.link.clone(),
            summary: self.summary.clone(),
            authors: self.authors.clone(),
            tags: self.tags.clone(),
            image: self.image.clone(),
            lang: self.lang.clone(),
            episode: self.episode.clone(),
            body: Arc::from(""),
            body_kind: self.body_kind,
            body_loaded: false,
            kept_body,
            fingerprint: self.fingerprint,
            link_refs: self.link_refs.clone(),
            rendered: OnceLock::new(),
        }
    }

    /// Drops the body in place (after a full scan read it), noting where a copy is kept.
    pub(crate) fn drop_body(&mut self, kept_body: Option<KeptBody>) {
        self.body = Arc::from("");
        self.body_loaded = false;
        self.kept_body = kept_body;
        self.rendered = OnceLock::new();
    }

    /// This version again with `body` (read back from its kept copy).
    pub(crate) fn with_body(&self, body: Arc<str>) -> Article {
        Article {
            body,
            body_loaded: true,
            rendered: OnceLock::new(),
            ..self.clone()
        }
    }

    /// The URL readers should open: the link post's target, else the permalink.
    pub(crate) fn entry_link(&self) -> &Url {
        self.link.as_ref().unwrap_or(&self.permalink)
    }

    /// Whether [`Article::rendered`] has run.
    pub(crate) fn is_rendered(&self) -> bool {
        self.rendered.get().is_some()
    }

    /// The rendering, if it was made already.
    pub(crate) fn rendered_if_done(&self) -> Option<&RenderedBody> {
        self.rendered.get()
    }

    /// Summary and full content HTML, rendered once per article version.
    ///
    /// A body that could render to more than the bound was rendered while parsing (see
    /// `check_rendered_size`), and an error then, so this stays within it; should it not,
    /// the entry goes out with empty content (the feeds link to the page instead) rather than
    /// an unbounded one.
    pub(crate) fn rendered(&self, config: &Config) -> &RenderedBody {
        self.rendered.get_or_init(|| {
            self.render(&self.body, config)
                .unwrap_or_else(|_| RenderedBody {
                    content_html: String::new(),
                    summary_html: String::new(),
                })
        })
    }

    /// Renders `body` (this article's) within the bound `config` sets.
    pub(super) fn render(
        &self,
        body: &str,
        config: &Config,
    ) -> Result<RenderedBody, render::TooLarge> {
        render::render_bounded(
            body,
            self.body_kind,
            self.summary.as_deref(),
            &self.permalink,
            &self.footnote_prefix(),
            config.content.summary_length,
            render::max_rendered_bytes(config.content.max_file_bytes),
        )
    }

    /// What this article's footnote ids start with: its slug, one URL-fragment-safe word.
    pub(super) fn footnote_prefix(&self) -> String {
        self.slug
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    }
}

/// Where a copy of a dropped body is kept: a range of the site's kept-bodies file
/// (`site::kept_bodies`), which holds it until the article's next good version replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeptBody {
    pub offset: u64,
    pub len: u64,
}

/// The outcome of parsing one file: maybe an article, and any problems (warnings may come
/// with an article; an error never does).
#[derive(Debug, Default)]
pub struct Parsed {
    pub article: Option<Article>,
    pub diagnostics: Vec<Diagnostic>,
}

/// How much to parse and keep.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParseOptions {
    /// `check --strict`: report front matter fields the format does not know.
    pub report_unknown_fields: bool,
    /// Keep the body in memory (the daemon does, to render it later and to keep the last
    /// good version of a file that breaks); `build` and `check` need only the metadata.
    pub keep_body: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            report_unknown_fields: false,
            keep_body: true,
        }
    }
}
