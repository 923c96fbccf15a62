//! The site: the content state the daemon keeps (the store) and the step that turns it into
//! a served [`Snapshot`]: store → [feed window](window) (bodies read back and rendered) →
//! feed documents → snapshot. The one-shot commands reuse it: [`check`] reports, [`build`]
//! writes files.
//!
//! Nothing here knows the HTTP layer: [`Site::publish`] returns the new snapshot and the
//! daemon swaps it in.

pub mod build;
pub mod check;
mod out_dir;
pub mod window;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::content::{self, Article, FileOutcome, ParseOptions, ScanError};
use crate::diag::Diagnostic;
use crate::feed::{self, SiteOutputs};
use crate::snapshot::Snapshot;
use crate::store::{Library, Published};

use self::window::FeedWindow;

/// A diagnostic with its path shown from the working directory (`content/posts/a.md:3:1: …`),
/// so editors and terminals can jump to it.
pub fn located(config: &Config, d: &Diagnostic) -> String {
    let mut shown = d.clone();
    shown.path = config.content.dir.join(&d.path);
    shown.to_string()
}

/// Every diagnostic of a store at `now`: parse problems plus duplicate clashes, sorted.
pub fn all_diagnostics(library: &Library, published: &Published) -> Vec<Diagnostic> {
    let mut all = library.file_diagnostics();
    all.extend(published.diagnostics.iter().cloned());
    all.sort();
    all
}

/// The daemon's content state: the store and how it becomes the served snapshot.
pub struct Site {
    pub config: Arc<Config>,
    pub library: Library,
    /// Why the content directory cannot be read right now (it vanished, or lost its
    /// permissions): listed first among the errors `/readyz` shows, while the last good
    /// state stays served.
    pub(crate) root_problem: Option<String>,
}

/// One content state rendered: the outputs, every current diagnostic, the published count.
#[derive(Debug)]
pub(crate) struct Rendering {
    pub(crate) outputs: SiteOutputs,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) published: usize,
}

/// What one publish step did, for logs and metrics.
#[derive(Debug, Clone, Copy)]
pub struct PublishStats {
    pub published: usize,
    pub errors: usize,
    /// How long rendering and building the snapshot took.
    pub seconds: f64,
}

impl Site {
    pub fn new(config: Arc<Config>) -> Self {
        Self {
            config,
            library: Library::new(),
            root_problem: None,
        }
    }

    /// Full rescan: reads every file again. On a scan failure (root gone or unreadable) the
    /// store is left as it is, so the last good feeds stay served.
    pub fn rescan(&mut self) -> Result<usize, ScanError> {
        // Metadata only: the feed window reads the bodies of the few articles that reach an
        // output.
        let metadata_only = ParseOptions {
            keep_body: false,
            ..ParseOptions::default()
        };
        let loaded = content::load_all(&self.config, metadata_only)?;
        let keep: BTreeSet<String> = loaded.iter().map(|l| l.source.clone()).collect();
        let count = loaded.len();
        for l in loaded {
            self.library.apply(&l.source, l.outcome);
        }
        self.library.retain_sources(&keep);
        Ok(count)
    }

    /// Reads only the given paths (relative to the root) again.
    pub fn reload_paths<'a>(&mut self, sources: impl IntoIterator<Item = &'a str>) -> usize {
        let mut n = 0;
        for source in sources {
            let outcome = content::load_path(
                &self.config.content.dir,
                source,
                &self.config,
                ParseOptions::default(),
            );
            self.library.apply(source, outcome);
            n += 1;
        }
        n
    }

    /// Drops every file under a folder that went away.
    pub(crate) fn forget_folder(&mut self, folder: &str) -> usize {
        let gone = self.library.sources_under(folder);
        for source in &gone {
            self.library.apply(source, FileOutcome::Gone);
        }
        gone.len()
    }

    /// The feed window at `now` over `published` (see [`FeedWindow::fill`]).
    pub fn window(&mut self, published: &[Arc<Article>], now: DateTime<Utc>) -> FeedWindow {
        FeedWindow::fill(&mut self.library, &self.config, published, now)
    }

    /// Renders the store at `now`: the outputs and every current diagnostic. Shared by the
    /// daemon ([`Site::publish`]) and `build`.
    pub(crate) fn render(&mut self, now: DateTime<Utc>) -> Rendering {
        let mut published = self.library.published(now);
        let window = self.window(&published.articles, now);
        if window.reread() {
            // Reading bodies may have found new problems; report the store as it is now.
            published.diagnostics = self.library.published(now).diagnostics;
        }
        Rendering {
            outputs: feed::render_outputs(&window.entries(&self.config), &self.config),
            diagnostics: all_diagnostics(&self.library, &published),
            published: published.articles.len(),
        }
    }

    /// Renders the store at `now` into the snapshot that replaces `previous` (the one being
    /// served). Unchanged bytes keep their ETag and Last-Modified (the snapshot compares with
    /// the one it replaces).
    pub fn publish(&mut self, previous: &Snapshot, now: DateTime<Utc>) -> (Snapshot, PublishStats) {
        let started = Instant::now();
        let rendering = self.render(now);
        let errors: Vec<String> = self
            .root_problem
            .iter()
            .cloned()
            .chain(
                rendering
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| located(&self.config, d)),
            )
            .collect();
        let previous = previous.is_ready().then_some(previous);
        let error_count = errors.len();
        let snapshot = Snapshot::build(
            &self.config,
            rendering.outputs,
            errors,
            rendering.published,
            previous,
            now,
        );
        let stats = PublishStats {
            published: rendering.published,
            errors: error_count,
            seconds: started.elapsed().as_secs_f64(),
        };
        (snapshot, stats)
    }
}
