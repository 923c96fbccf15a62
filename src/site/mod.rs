//! The site: the content state the daemon keeps (the store) and the step that turns it into
//! a served [`Snapshot`]: store → [feed window](window) (bodies read back and rendered) →
//! feed documents → snapshot. The one-shot commands reuse it: [`check`] reports, [`build`]
//! writes files.
//!
//! Nothing here knows the HTTP layer: [`Site::publish`] returns the new snapshot and the
//! daemon swaps it in.

mod archives;
pub mod build;
pub mod check;
mod episodes;
mod item_writing;
mod kept_bodies;
mod links;
mod out_dir;
mod podcast_check;
pub mod previous_feed;
pub(crate) mod selection;
pub mod window;

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::content::{self, Article, FileBudget, FileOutcome, ParseOptions, ScanError};
use crate::diag::Diagnostic;
use crate::feed::{self, SiteOutputs};
use crate::snapshot::{ItemStore, Snapshot};
use crate::store::{Library, Published};

use self::kept_bodies::KeptBodies;
use self::links::LinkTargets;
use self::window::FeedWindow;

/// How many articles' items [`Site::write_items`] writes at a time: enough to keep
/// every core busy, few enough that their bodies and items take a few MiB.
const ITEM_BATCH: usize = 256;

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

/// Adds to a folder's "cannot read folder" error that the store keeps what it held there.
fn note_kept_articles(files: &mut [content::Loaded], folder: &str, articles: usize) {
    let Some(loaded) = files.iter_mut().find(|l| l.source == folder) else {
        return;
    };
    if let FileOutcome::Parsed(parsed) = &mut loaded.outcome {
        for d in &mut parsed.diagnostics {
            let kept = if articles == 1 {
                "its article's last good version".to_string()
            } else {
                format!("its {articles} articles' last good versions")
            };
            d.message = format!("{}; keeping {kept}", d.message);
        }
    }
}

/// The daemon's content state: the store and how it becomes the served snapshot.
pub struct Site {
    pub config: Arc<Config>,
    pub library: Library,
    /// Why the content directory cannot be read right now (it vanished, or lost its
    /// permissions): listed first among the errors `/readyz` shows, while the last good
    /// state stays served.
    pub(crate) root_problem: Option<String>,
    /// Every file's time budget, shared by all loads (see [`content::budget`]).
    pub(crate) budget: FileBudget,
    /// Copies of the bodies dropped from memory, for last good versions (see [`window`]);
    /// `None` for the one-shot commands. Shared with the load jobs that write copies.
    kept: Option<Arc<KeptBodies>>,
    /// The group feeds' items, kept across publishes (see [`crate::snapshot::ItemStore`]).
    pub(crate) items: ItemStore,
    /// The files the loads since the last [`Site::take_loaded`] read, with their warnings,
    /// for the daemon's log.
    loaded: LoadedFiles,
    /// The media files of published episodes, as last looked at (see [`episodes`]).
    media: episodes::EpisodeMedia,
    /// The last publish's groups, reused while no article changes group.
    group_cache: feed::GroupCache,
    /// [`SITE_FEEDS_FIRST_ABOVE`], lower in tests.
    site_feeds_first_above: usize,
    /// The library's [`Library::removals`] when the item store was last pruned.
    items_pruned_at: Option<u64>,
    /// The last render's published articles whose items were kept, by position: the same
    /// article value at the same place still has them (items of an unchanged article are
    /// never dropped), so the item store is not asked again.
    last_kept: Vec<(Arc<Article>, bool)>,
}

/// The files loads read (each file once, its latest outcome), with their warnings (the
/// template pass's dropped constructs, tolerated input…): the daemon logs them when a file
/// is read, not at every publish.
#[derive(Debug, Default)]
pub(crate) struct LoadedFiles {
    /// Only the daemon logs them; the one-shot commands keep nothing here.
    recording: bool,
    /// A full rescan was among the loads: every file was read.
    pub(crate) full: bool,
    /// Each file read and its warnings; an empty list for a file with none or gone.
    pub(crate) files: std::collections::BTreeMap<String, Vec<Diagnostic>>,
}

impl LoadedFiles {
    fn note(&mut self, loaded: &content::Loaded) {
        if !self.recording {
            return;
        }
        let warnings = match &loaded.outcome {
            FileOutcome::Parsed(parsed) => parsed
                .diagnostics
                .iter()
                .filter(|d| !d.is_error())
                .cloned()
                .collect(),
            FileOutcome::Gone => Vec::new(),
        };
        self.files.insert(loaded.source.clone(), warnings);
    }
}

/// One content state rendered: the outputs, every current diagnostic, the published count.
#[derive(Debug)]
pub(crate) struct Rendering {
    pub(crate) outputs: SiteOutputs,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) published: usize,
    /// The local media files published episodes reference, for serving.
    pub(crate) media_files: Vec<(String, crate::snapshot::media::MediaFile)>,
    /// Whether the group feeds and archives are in the outputs (see [`Stage`]).
    pub(crate) complete: bool,
}

/// How much of the outputs a publish makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Everything: the site feeds, the group feeds and the archives.
    Everything,
    /// The daemon's first publish: only the site feeds (and the `/` page, the podcast feed)
    /// when the group feeds and archives need more than [`SITE_FEEDS_FIRST_ABOVE`] articles
    /// rendered, so a large site is served at once; everything otherwise. The daemon
    /// publishes [`Stage::Everything`] right after.
    SiteFeedsFirst,
}

/// How many articles' items the group feeds and archives may need rendered before the
/// first publish serves the site feeds alone first: below it, the whole first publish
/// takes a fraction of a second anyway.
pub const SITE_FEEDS_FIRST_ABOVE: usize = 500;

/// What one publish step did, for logs and metrics.
#[derive(Debug, Clone, Copy)]
pub struct PublishStats {
    pub published: usize,
    /// Whether the snapshot holds every output (see [`Stage`]).
    pub complete: bool,
    pub errors: usize,
    /// How long rendering and building the snapshot took.
    pub seconds: f64,
}

impl Site {
    /// The daemon's site: keeps copies of the bodies it drops (see [`window`]).
    pub fn new(config: Arc<Config>) -> Self {
        // The daemon waits for media files still being copied in to settle.
        let settle = config.podcast.as_ref().map(|p| p.media_settle);
        Self {
            kept: KeptBodies::new().map(Arc::new),
            loaded: LoadedFiles {
                recording: true,
                ..LoadedFiles::default()
            },
            media: episodes::EpisodeMedia::new(settle),
            ..Self::one_shot(config)
        }
    }

    /// A site read once (`build`): no copies of dropped bodies, nothing can break later.
    pub(crate) fn one_shot(config: Arc<Config>) -> Self {
        Self {
            budget: FileBudget::new(config.content.file_timeout),
            config,
            library: Library::new(),
            root_problem: None,
            kept: None,
            items: ItemStore::new(),
            loaded: LoadedFiles::default(),
            media: episodes::EpisodeMedia::new(None),
            group_cache: feed::GroupCache::default(),
            site_feeds_first_above: SITE_FEEDS_FIRST_ABOVE,
            items_pruned_at: None,
            last_kept: Vec::new(),
        }
    }

    /// Loads stop taking new files once `flag` is set (the daemon stopping); what they did
    /// not finish is not applied.
    pub(crate) fn stop_loads_on(&mut self, flag: Arc<AtomicBool>) {
        self.budget = self.budget.clone().cancelled_by(flag);
    }

    /// Full rescan: reads every file again. On a scan failure (root gone or unreadable) the
    /// store is left as it is, so the last good feeds stay served. A folder below the root
    /// that cannot be read keeps what the store holds under it (its articles' last good
    /// versions), reported as an error on the folder.
    pub fn rescan(&mut self) -> Result<usize, ScanError> {
        // Metadata only: the feed window reads the bodies of the few articles that reach an
        // output.
        let metadata_only = ParseOptions {
            keep_body: false,
            ..ParseOptions::default()
        };
        let keep_copy = self
            .kept
            .clone()
            .map(|kept| Arc::new(move |body: &str| kept.keep(body)) as content::KeepBodyCopy);
        let load = content::load_all_within(&self.config, metadata_only, keep_copy, &self.budget)?;
        if self.budget.is_cancelled() {
            return Ok(0);
        }
        Ok(self.apply_full_load(load))
    }

    /// Replaces the store's state with a full load's (see [`Site::rescan`]); returns how many
    /// paths it held.
    fn apply_full_load(&mut self, load: content::FullLoad) -> usize {
        let content::FullLoad {
            mut files,
            unreadable_folders,
        } = load;
        let mut keep: BTreeSet<String> = files.iter().map(|l| l.source.clone()).collect();
        for folder in &unreadable_folders {
            let held: Vec<String> = if folder == "." {
                self.library.sources().map(str::to_string).collect()
            } else {
                self.library.sources_under(folder)
            };
            let held: Vec<String> = held.into_iter().filter(|s| !keep.contains(s)).collect();
            let articles = held
                .iter()
                .filter(|s| self.library.article(s).is_some())
                .count();
            if articles > 0 {
                note_kept_articles(&mut files, folder, articles);
            }
            keep.extend(held);
        }
        let count = files.len();
        self.loaded.full = true;
        for l in files {
            self.loaded.note(&l);
            self.library.apply(&l.source, l.outcome);
        }
        self.library.retain_sources(&keep);
        self.rewrite_kept_bodies_if_due();
        count
    }

    /// Reads only the given paths (relative to the root) again.
    pub fn reload_paths<'a>(&mut self, sources: impl IntoIterator<Item = &'a str>) -> usize {
        let sources: Vec<String> = sources.into_iter().map(str::to_string).collect();
        let loaded =
            content::load_paths(sources, &self.config, ParseOptions::default(), &self.budget);
        if self.budget.is_cancelled() {
            return 0;
        }
        let n = loaded.len();
        for l in loaded {
            self.loaded.note(&l);
            self.library.apply(&l.source, l.outcome);
        }
        n
    }

    /// The files read since the last call, with their warnings (see [`LoadedFiles`]).
    pub(crate) fn take_loaded(&mut self) -> LoadedFiles {
        let fresh = LoadedFiles {
            recording: self.loaded.recording,
            ..LoadedFiles::default()
        };
        std::mem::replace(&mut self.loaded, fresh)
    }

    /// Drops every file under a folder that went away.
    pub(crate) fn forget_folder(&mut self, folder: &str) -> usize {
        let gone = self.library.sources_under(folder);
        for source in &gone {
            if self.loaded.recording {
                self.loaded.files.insert(source.clone(), Vec::new());
            }
            self.library.apply(source, FileOutcome::Gone);
        }
        gone.len()
    }

    /// The feed window at `now` over `published` (see [`FeedWindow::fill`]).
    pub fn window(&mut self, published: &[Arc<Article>], now: DateTime<Utc>) -> FeedWindow {
        let wants = selection::wants(published, &self.config);
        let window = self.fill_window(published, &wants, now);
        self.rewrite_kept_bodies_if_due();
        window
    }

    /// [`FeedWindow::fill`] with this site's store, budget and kept bodies.
    fn fill_window(
        &mut self,
        published: &[Arc<Article>],
        wants: &[selection::Want],
        now: DateTime<Utc>,
    ) -> FeedWindow {
        FeedWindow::fill(
            &mut self.library,
            &self.config,
            &self.budget,
            published,
            wants,
            now,
            self.kept.as_deref(),
        )
    }

    /// Whether a published episode's media file changed on disk since the last publish
    /// (see [`episodes::EpisodeMedia::changed_on_disk`]).
    pub(crate) fn media_changed(&self) -> bool {
        self.media.changed_on_disk(&self.config.content.dir)
    }

    /// When a media file still being written will have settled (the daemon looks again then).
    pub(crate) fn next_media_look(&self) -> Option<std::time::SystemTime> {
        self.media.next_look()
    }

    /// Rewrites the kept-bodies file with only the live copies once replaced versions'
    /// copies outweigh them.
    fn rewrite_kept_bodies_if_due(&mut self) {
        let Some(kept) = &self.kept else { return };
        if !kept.needs_rewrite(self.library.kept_bodies_len()) {
            return;
        }
        let live = self.library.kept_bodies();
        if let Some((fresh, moved)) = kept.rewrite(&live) {
            self.library.move_kept_bodies(&moved);
            self.kept = Some(Arc::new(fresh));
        }
    }

    /// Renders the store at `now`: the outputs and every current diagnostic. Shared by the
    /// daemon ([`Site::publish`]) and `build`.
    ///
    /// `previous`: the snapshot being served; group documents made from the same inputs as
    /// its own are not written again, nor archives whose articles did not change (see
    /// [`archives`]).
    pub(crate) fn render(&mut self, now: DateTime<Utc>, previous: Option<&Snapshot>) -> Rendering {
        self.render_staged(now, previous, Stage::Everything)
    }

    /// [`Site::render`] of the outputs `stage` asks for.
    pub(crate) fn render_staged(
        &mut self,
        now: DateTime<Utc>,
        previous: Option<&Snapshot>,
        stage: Stage,
    ) -> Rendering {
        let started = Instant::now();
        let mut published = self.library.published(now);
        // Episodes whose media is not complete yet are not published.
        let media = self.media.resolve(&self.config, &published.articles);
        published
            .articles
            .retain(|a| !media.not_ready.contains(&a.source));
        let plan = feed::history::plan(published.articles.len(), &self.config);
        let groups = self.group_cache.groups(&published.articles, &self.config);
        let json = self.config.feeds.json_path.is_some();
        // Per published position: whether this version's items are in the item store.
        let mut kept: Vec<bool> = published
            .articles
            .iter()
            .enumerate()
            .map(|(at, a)| match self.last_kept.get(at) {
                Some((before, true)) if Arc::ptr_eq(before, a) => true,
                _ => self.items.has(&a.source, a.fingerprint, json),
            })
            .collect();
        let grouped = started.elapsed();
        let link_targets = LinkTargets::if_needed(&self.library, &published.articles);
        let needed = self.items_needed(&published.articles, (&groups, &plan), &kept);
        let complete = stage == Stage::Everything || needed.len() <= self.site_feeds_first_above;
        let items_reread = complete
            && self.write_items(
                &published.articles,
                &needed,
                now,
                (link_targets.as_ref(), &media.media),
                &mut kept,
            );
        let items_written = started.elapsed();
        let mut window = self.window(&published.articles, now);
        let reread = window.reread() || items_reread;
        if let Some(targets) = &link_targets {
            window.resolve_links(&self.config, targets);
        }
        let mut entries = window.entries(&self.config);
        for entry in &mut entries {
            entry.media = media.media.get(&entry.article.source);
        }
        // Without the group feeds, their groups still name them on the `/` page, whose
        // bytes then stay the same when they come.
        let group_limit = if complete {
            self.config.feeds.group_limit
        } else {
            0
        };
        let group_feeds = window.group_feeds(&groups, &published.articles, group_limit, &kept);
        let filled = started.elapsed();
        let previous_keys = previous.map(Snapshot::keys).unwrap_or_default();
        let outputs = feed::render_outputs_planned(
            &entries,
            (&group_feeds, complete),
            &self.config,
            &|path| previous_keys.get(path).copied(),
            &plan,
        );
        tracing::debug!(
            groups = groups.len(),
            grouped_ms = grouped.as_secs_f64() * 1e3,
            items_ms = (items_written - grouped).as_secs_f64() * 1e3,
            window_ms = (filled - items_written).as_secs_f64() * 1e3,
            documents_ms = (started.elapsed() - filled).as_secs_f64() * 1e3,
            "rendered"
        );
        drop(group_feeds);
        drop(entries);
        drop(window);
        let archives = if complete {
            archives::archives(self, &plan, &published.articles, previous)
        } else {
            Vec::new()
        };
        if reread {
            // Reading bodies may have found new problems; report the store as it is now.
            published.diagnostics = self.library.published(now).diagnostics;
            published
                .diagnostics
                .retain(|d| !media.not_ready.contains(&d.path.display().to_string()));
        }
        if let Some(targets) = &link_targets {
            published
                .diagnostics
                .extend(targets.warnings(&published.articles));
        }
        self.last_kept = published.articles.iter().cloned().zip(kept).collect();
        let (mut documents, items) = outputs.into_parts();
        documents.extend(archives);
        let mut outputs = SiteOutputs::new(documents);
        outputs.items = items;
        let mut diagnostics = all_diagnostics(&self.library, &published);
        diagnostics.extend(media.diagnostics);
        diagnostics.sort();
        Rendering {
            outputs,
            diagnostics,
            published: published.articles.len(),
            media_files: media.files,
            complete,
        }
    }

    /// Renders the store at `now` into the snapshot that replaces `previous` (the one being
    /// served). Unchanged bytes keep their ETag and Last-Modified (the snapshot compares with
    /// the one it replaces).
    pub fn publish(&mut self, previous: &Snapshot, now: DateTime<Utc>) -> (Snapshot, PublishStats) {
        self.publish_staged(previous, now, Stage::Everything)
    }

    /// [`Site::publish`] of the outputs `stage` asks for; a snapshot without the group feeds
    /// and archives answers their addresses with 503 until the next publish.
    pub fn publish_staged(
        &mut self,
        previous: &Snapshot,
        now: DateTime<Utc>,
        stage: Stage,
    ) -> (Snapshot, PublishStats) {
        let started = Instant::now();
        let rendering = self.render_staged(now, previous.is_ready().then_some(previous), stage);
        let render_seconds = started.elapsed().as_secs_f64();
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
        let mut snapshot = Snapshot::build_with_items(
            &self.config,
            rendering.outputs,
            errors,
            rendering.published,
            previous,
            now,
            &mut self.items,
        );
        // Items of articles that left the store go; only a removal can have made any.
        if self.items_pruned_at != Some(self.library.removals()) {
            let library = &self.library;
            self.items
                .retain(|source| library.article(source).is_some());
            self.items_pruned_at = Some(self.library.removals());
        }
        tracing::debug!(
            snapshot_ms = (started.elapsed().as_secs_f64() - render_seconds) * 1e3,
            "snapshot built"
        );
        // Only the files of published episodes (and the show's artwork) are served.
        snapshot.set_media(Arc::new(crate::snapshot::media::MediaTable::new(
            rendering.media_files,
        )));
        snapshot.set_complete(rendering.complete);
        let stats = PublishStats {
            published: rendering.published,
            complete: rendering.complete,
            errors: error_count,
            seconds: started.elapsed().as_secs_f64(),
        };
        (snapshot, stats)
    }
}

#[cfg(test)]
mod tests;
