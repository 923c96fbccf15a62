//! The daemon (`feedwright serve`): binds the listener, loads the content, keeps it current
//! (watcher events, SIGHUP rescans, the timer for future-dated articles, a vanished root) and
//! serves the snapshot until SIGTERM/SIGINT.
//!
//! All content work happens on one task, off the request path; requests only read the
//! snapshot that `publish` (below) swaps in. The signals are registered first of all
//! ([`signals`]), so none of them ends the process with its default action while the
//! listener is bound or the first load runs.

mod signals;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use chrono::Utc;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::content::discover;
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::site::{located, PublishStats, Site, Stage};
use crate::snapshot::Snapshot;
use crate::watch::{self, Change};
use crate::websub::{self, Pinger};

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot listen on {addr}: {cause}")]
    Bind {
        addr: std::net::SocketAddr,
        // Not `source`: the message already says it, and `{:#}` would repeat it.
        cause: std::io::Error,
    },
    #[error("server: {0}")]
    Serve(#[from] std::io::Error),
}

/// Runs until SIGTERM or SIGINT, then drains in-flight requests and returns. A content
/// load still running then is left behind (see `main.rs`'s runtime shutdown).
pub async fn run(config: Arc<Config>) -> Result<(), DaemonError> {
    let (stop, hangup) = signals::install();
    let listener = TcpListener::bind(config.server.listen)
        .await
        .map_err(|cause| DaemonError::Bind {
            addr: config.server.listen,
            cause,
        })?;
    let addr = listener.local_addr()?;
    tracing::info!("listening on http://{addr}");
    let config = Arc::new(Config::clone(&config).listening_on(addr));
    if !config.site.base_url_given {
        let base = &config.site.base_url;
        if addr.ip().is_loopback() {
            tracing::info!("site.base_url is not set: links and ids use {base}");
        } else {
            tracing::warn!(
                "site.base_url is not set: links and ids use {base}, which readers elsewhere cannot reach; set it to the public URL (FEEDWRIGHT_SITE_BASE_URL)"
            );
        }
    }
    let state = Arc::new(AppState {
        config: Arc::clone(&config),
        snapshot: ArcSwap::from_pointee(Snapshot::starting(&config)),
        metrics: Metrics::new(),
    });
    let stopping = Arc::new(AtomicBool::new(false));
    let (pinger, pings) = match Pinger::start(&config, state.metrics.websub()) {
        Some((pinger, task)) => (Some(pinger), Some(task)),
        None => (None, None),
    };
    let content = tokio::spawn(content_loop(
        Arc::clone(&state),
        hangup,
        Arc::clone(&stopping),
        pinger,
    ));
    let result = http::serve(listener, state, stop.received()).await;
    // A load under way stops taking files (and applies nothing) instead of holding the exit.
    stopping.store(true, Ordering::SeqCst);
    content.abort();
    // Pings not yet delivered are dropped: hubs poll too, and the next change pings again.
    if let Some(pings) = pings {
        pings.abort();
    }
    tracing::info!("stopped");
    result.map_err(DaemonError::from)
}

/// The reason of the rescan an operator asks for with SIGHUP: not a warning.
const SIGHUP_RESCAN: &str = "SIGHUP";

/// Runs `work` on the blocking pool with the site locked (only this task locks it).
async fn with_site<T: Send + 'static>(
    site: &Arc<Mutex<Site>>,
    work: impl FnOnce(&mut Site) -> T + Send + 'static,
) -> Option<T> {
    let site = Arc::clone(site);
    tokio::task::spawn_blocking(move || {
        let mut guard = site.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&mut guard)
    })
    .await
    .ok()
}

/// Whether a published episode's media file changed behind the watcher's back.
async fn media_changed(config: &Config, site: &Arc<Mutex<Site>>) -> bool {
    if config.podcast.is_none() {
        return false;
    }
    with_site(site, |site| site.media_changed())
        .await
        .unwrap_or(false)
}

/// Identity of the root folder, to notice it being replaced or coming back.
fn root_identity(root: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(root).ok()?;
    if !meta.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        Some((0, 0))
    }
}

/// Reloads after a change and swaps in a new snapshot; logs and counts it.
async fn reload(
    state: &Arc<AppState>,
    site: &Arc<Mutex<Site>>,
    change: Change,
    pinger: Option<Pinger>,
) {
    let started = Instant::now();
    let st = Arc::clone(state);
    let outcome = with_site(site, move |site| {
        let files = match change {
            Change::Paths(paths) => apply_paths(site, &paths),
            Change::Rescan(reason) => {
                // Asked for (SIGHUP, logged where it arrives) or forced by lost events.
                if reason != SIGHUP_RESCAN {
                    tracing::warn!(%reason, "rescanning the content directory");
                }
                match site.rescan() {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::error!(error = %e, "rescan failed; still serving the last good feeds");
                        return None;
                    }
                }
            }
        };
        tracing::debug!(
            files_ms = milliseconds(started.elapsed().as_secs_f64()),
            "changed files read"
        );
        let stats = publish(site, &st, pinger.as_ref());
        Some((files, stats))
    })
    .await
    .flatten();
    if let Some((files, stats)) = outcome {
        let seconds = started.elapsed().as_secs_f64();
        state
            .metrics
            .observe_reload(seconds, files, Utc::now().timestamp());
        tracing::info!(
            files_changed = files,
            published = stats.published,
            content_errors = stats.errors,
            duration_ms = milliseconds(seconds),
            "reloaded"
        );
    }
}

/// Applies changed paths: files are read again; a folder (new, moved in, or gone) has its
/// subtree compared with the store, since events inside a fresh folder can be missed.
fn apply_paths(site: &mut Site, paths: &[String]) -> usize {
    let root = site.config.content.dir.clone();
    let mut files: BTreeSet<String> = BTreeSet::new();
    let mut folders: Vec<String> = Vec::new();
    for source in paths {
        let full = root.join(source);
        let is_dir = std::fs::metadata(&full)
            .map(|m| m.is_dir())
            .unwrap_or(false);
        if source.is_empty() || is_dir {
            folders.push(source.clone());
        } else if !site.library.sources_under(source).is_empty() {
            // A folder that vanished: drop what we had under it.
            site.forget_folder(source);
            files.insert(source.clone());
        } else {
            files.insert(source.clone());
        }
    }
    if !folders.is_empty() {
        if let Ok(scan) = discover::scan(&root) {
            for folder in &folders {
                let prefix = if folder.is_empty() {
                    String::new()
                } else {
                    format!("{folder}/")
                };
                files.extend(
                    scan.candidates
                        .iter()
                        .filter(|c| c.source.starts_with(&prefix))
                        .map(|c| c.source.clone()),
                );
                files.extend(
                    scan.diagnostics
                        .iter()
                        .map(|d| d.path.display().to_string())
                        .filter(|s| s.starts_with(&prefix)),
                );
                // Files we know under the folder but the scan did not find are gone.
                let known: Vec<String> = if folder.is_empty() {
                    site.library.sources().map(str::to_string).collect()
                } else {
                    site.library.sources_under(folder)
                };
                files.extend(known);
            }
        }
    }
    site.reload_paths(files.iter().map(String::as_str))
}

/// The content task: the first load, then one reload per change until the process ends.
async fn content_loop(
    state: Arc<AppState>,
    mut hangup: signals::Hangup,
    stopping: Arc<AtomicBool>,
    pinger: Option<Pinger>,
) {
    let retry = state
        .config
        .watch
        .poll_interval
        .max(Duration::from_millis(500));
    let mut site = Site::new(Arc::clone(&state.config));
    site.stop_loads_on(stopping);
    let mut task = ContentTask {
        site: Arc::new(Mutex::new(site)),
        state,
        logged_errors: BTreeSet::new(),
        logged_warnings: BTreeMap::new(),
        watcher: None,
        root_id: None,
        pinger,
    };
    // Watch first, then load: a change made during the load is reported afterwards.
    task.watcher = start_watcher_blocking(&task.state).await;
    task.first_load(retry, &mut hangup).await;
    if task.watcher.is_none() {
        task.watcher = start_watcher_blocking(&task.state).await;
    }
    task.root_id = root_identity(&task.state.config.content.dir);
    let mut root_health = tokio::time::interval(retry);
    root_health.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    // A SIGHUP that came during the first load is waiting in `hangup`: it brings one rescan
    // now (the operator may have changed files the load had already read).
    loop {
        let (wake, due_now) = task.next_wake();
        let changes = async {
            match task.watcher.as_mut() {
                Some(w) => w.changes.recv().await,
                None => std::future::pending().await,
            }
        };

        tokio::select! {
            change = changes => task.on_change(change).await,
            () = hangup.received() => {
                tracing::info!("SIGHUP: full rescan");
                task.reload(Change::Rescan(SIGHUP_RESCAN.into())).await;
            }
            _ = tokio::time::sleep(wake) => {
                if due_now {
                    tracing::info!("scheduled article or settled media due");
                    // Going live can make a clash (same permalink or id) appear: logged too.
                    task.reload(Change::Paths(Vec::new())).await;
                }
            }
            _ = root_health.tick() => {
                task.check_root().await;
                if media_changed(&task.state.config, &task.site).await {
                    tracing::info!("an episode's media file changed without a watcher event");
                    task.reload(Change::Paths(Vec::new())).await;
                }
            }
        }
    }
}

/// What the content task keeps between events.
struct ContentTask {
    state: Arc<AppState>,
    site: Arc<Mutex<Site>>,
    /// Content errors already in the log (see `log_diagnostics`).
    logged_errors: BTreeSet<String>,
    /// Each file's warnings as last logged (see `log_load_warnings`).
    logged_warnings: BTreeMap<String, Vec<String>>,
    watcher: Option<watch::Watcher>,
    /// The content root's identity when last looked at (see `root_identity`).
    root_id: Option<(u64, u64)>,
    /// Tells WebSub hubs about changed feeds (None without `websub.hub`).
    pinger: Option<Pinger>,
}

impl ContentTask {
    /// First load; a missing root (a volume not mounted yet) is retried, not fatal.
    /// A SIGHUP while waiting to retry retries at once.
    async fn first_load(&mut self, retry: Duration, hangup: &mut signals::Hangup) {
        loop {
            let st = Arc::clone(&self.state);
            let started = Instant::now();
            let result = with_site(&self.site, move |site| {
                // No pings for the first load: nothing to compare with, and a restart (or
                // each replica of a rollout) would otherwise ping every feed.
                // A large site's feeds are served before its group feeds and archives
                // are made (see `Stage`).
                site.rescan().map(|files| {
                    (
                        files,
                        publish_staged(site, &st, None, Stage::SiteFeedsFirst),
                    )
                })
            })
            .await;
            match result {
                Some(Ok((files, mut stats))) => {
                    if !stats.complete {
                        tracing::info!(
                            files,
                            published = stats.published,
                            duration_ms = milliseconds(started.elapsed().as_secs_f64()),
                            "site feeds served; making the group feeds and archives"
                        );
                        let st = Arc::clone(&self.state);
                        if let Some(full) =
                            with_site(&self.site, move |site| publish(site, &st, None)).await
                        {
                            stats = full;
                        }
                    }
                    tracing::info!(
                        files,
                        published = stats.published,
                        content_errors = stats.errors,
                        duration_ms = milliseconds(started.elapsed().as_secs_f64()),
                        "content loaded"
                    );
                    self.log_load_warnings().await;
                    log_diagnostics(&self.state, &mut self.logged_errors);
                    return;
                }
                Some(Err(e)) => {
                    tracing::error!(error = %e, "cannot load content; retrying in {retry:?}")
                }
                None => tracing::error!("content load panicked; retrying in {retry:?}"),
            }
            tokio::select! {
                () = tokio::time::sleep(retry) => {}
                () = hangup.received() => tracing::info!("SIGHUP: retrying the load"),
            }
        }
    }

    /// How long to sleep, and whether a scheduled article is due when it ends: until the
    /// next one is due, but at most a few seconds, so a clock that jumps is noticed.
    fn next_wake(&self) -> (Duration, bool) {
        let (article_due, media_due) = {
            let guard = self.site.lock().unwrap_or_else(|p| p.into_inner());
            (
                guard.library.next_publish_at(Utc::now()),
                guard.next_media_look(),
            )
        };
        let article_in = article_due.map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO));
        // An episode whose media file is still settling is published once it has settled.
        let media_in = media_due.map(|t| {
            t.duration_since(std::time::SystemTime::now())
                .unwrap_or(Duration::ZERO)
        });
        let due_in = [article_in, media_in]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(Duration::from_secs(3600));
        let wake = due_in.min(Duration::from_secs(5));
        (wake, due_in <= wake)
    }

    /// A watcher event (`None`: the watcher ended and is started again).
    async fn on_change(&mut self, change: Option<Change>) {
        let Some(mut change) = change else {
            self.watcher = start_watcher_blocking(&self.state).await;
            return;
        };
        // Coalesce whatever else is already queued into one reload.
        if let Some(w) = self.watcher.as_mut() {
            while let Ok(more) = w.changes.try_recv() {
                change = change.merge(more);
            }
        }
        // The watch follows a root that was moved away, but its events name paths under the
        // configured root, where nothing is now: reading them would unpublish everything
        // they name. Keep the last good state; the root's return (noticed by `check_root`,
        // whatever it comes back as) brings a full rescan.
        let now_id = root_identity(&self.state.config.content.dir);
        if now_id.is_none() {
            if self.root_id.is_some() {
                root_lost(
                    &self.state,
                    &self.site,
                    &mut self.logged_errors,
                    self.pinger.clone(),
                )
                .await;
            }
            self.root_id = None;
            return;
        }
        // Back, or replaced by another folder (a git-sync swap): events from the old watch
        // may name the wrong files. The health check's full rescan follows.
        if now_id != self.root_id {
            return;
        }
        self.reload(change).await;
    }

    /// The periodic look at the content root: gone, back, or replaced by another folder.
    async fn check_root(&mut self) {
        let now_id = root_identity(&self.state.config.content.dir);
        if now_id == self.root_id {
            return;
        }
        match now_id {
            None => {
                root_lost(
                    &self.state,
                    &self.site,
                    &mut self.logged_errors,
                    self.pinger.clone(),
                )
                .await
            }
            Some(_) => {
                tracing::info!(root = %self.state.config.content.dir.display(), "content directory is back; rescanning");
                with_site(&self.site, |site| site.root_problem = None).await;
                self.watcher = start_watcher_blocking(&self.state).await;
                self.reload(Change::Rescan("content directory replaced".into()))
                    .await;
            }
        }
        self.root_id = now_id;
    }

    /// Reloads, then logs the warnings of the files read and the content errors that changed.
    async fn reload(&mut self, change: Change) {
        reload(&self.state, &self.site, change, self.pinger.clone()).await;
        self.log_load_warnings().await;
        log_diagnostics(&self.state, &mut self.logged_errors);
    }

    /// Logs the warnings of the files the last loads read (the template pass's dropped
    /// constructs, tolerated input…), once per read, not at every publish: a file read
    /// because it changed has all its warnings logged; a full rescan (the first load,
    /// SIGHUP) logs only a file's warnings not logged for it before, so a rescan of a large
    /// site does not repeat thousands of lines.
    async fn log_load_warnings(&mut self) {
        let config = Arc::clone(&self.state.config);
        let Some(loaded) = with_site(&self.site, |site| site.take_loaded()).await else {
            return;
        };
        if loaded.full {
            self.logged_warnings
                .retain(|source, _| loaded.files.contains_key(source));
        }
        for (source, warnings) in loaded.files {
            let lines: Vec<String> = warnings.iter().map(|d| located(&config, d)).collect();
            let before = self.logged_warnings.remove(&source).unwrap_or_default();
            for line in &lines {
                if !loaded.full || !before.contains(line) {
                    tracing::warn!("{line}");
                }
            }
            if !lines.is_empty() {
                self.logged_warnings.insert(source, lines);
            }
        }
    }
}

/// The content directory vanished or became unreadable: the last good feeds stay served,
/// and `/readyz`, `/metrics` and the log say why nothing changes any more.
async fn root_lost(
    state: &Arc<AppState>,
    site: &Arc<Mutex<Site>>,
    logged: &mut BTreeSet<String>,
    pinger: Option<Pinger>,
) {
    let st = Arc::clone(state);
    with_site(site, move |site| {
        site.root_problem = Some(format!(
            "{}: content directory is gone or unreadable; serving the last good feeds",
            site.config.content.dir.display()
        ));
        publish(site, &st, pinger.as_ref());
    })
    .await;
    log_diagnostics(state, logged);
}

/// Renders the site into a new snapshot, swaps it in for the one being served, sets the
/// content metrics and queues WebSub pings for the feeds whose bytes changed.
fn publish(site: &mut Site, state: &AppState, pinger: Option<&Pinger>) -> PublishStats {
    publish_staged(site, state, pinger, Stage::Everything)
}

/// [`publish`] of the outputs `stage` asks for.
fn publish_staged(
    site: &mut Site,
    state: &AppState,
    pinger: Option<&Pinger>,
    stage: Stage,
) -> PublishStats {
    if site.budget.is_cancelled() {
        // Stopping: the load was cut short, and nobody is served any more.
        return PublishStats {
            published: 0,
            complete: false,
            errors: 0,
            seconds: 0.0,
        };
    }
    let previous = state.snapshot.load_full();
    let (snapshot, stats) = site.publish_staged(&previous, Utc::now(), stage);
    // Compared by digest, the same test that keeps an unchanged route's ETag.
    let changed = match pinger {
        Some(_) if previous.is_ready() => snapshot.changed_feeds(&state.config, &previous),
        _ => Vec::new(),
    };
    state.snapshot.store(Arc::new(snapshot));
    if let Some(pinger) = pinger {
        // After the swap: a hub that fetches at once gets the new bytes.
        pinger.changed(websub::topics(&state.config, &changed));
    }
    state.metrics.set_published(stats.published);
    state.metrics.set_content_errors(stats.errors);
    state.metrics.observe_build(stats.seconds);
    stats
}

/// Seconds as milliseconds to 0.1 ms: a number in JSON logs, short in text ones.
fn milliseconds(seconds: f64) -> f64 {
    (seconds * 10_000.0).round() / 10.0
}

/// Starts the watcher off the async threads (poll mode surveys the tree first).
async fn start_watcher_blocking(state: &Arc<AppState>) -> Option<watch::Watcher> {
    let st = Arc::clone(state);
    tokio::task::spawn_blocking(move || start_watcher(&st))
        .await
        .ok()
        .flatten()
}

fn start_watcher(state: &Arc<AppState>) -> Option<watch::Watcher> {
    match watch::start(&state.config) {
        Ok(w) => {
            tracing::info!(
                mode = w.mode,
                "watching {}",
                state.config.content.dir.display()
            );
            state.metrics.set_watch_mode(w.mode);
            Some(w)
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot watch the content directory; SIGHUP rescans still work");
            None
        }
    }
}

/// Logs the content errors that are new since the last call, and those that went away: a
/// reload of one file must not repeat every other file's standing error (log-based alerts
/// would count it again). `/readyz` always lists them all.
fn log_diagnostics(state: &Arc<AppState>, logged: &mut BTreeSet<String>) {
    let snapshot = state.snapshot.load();
    let current: BTreeSet<String> = snapshot.errors().iter().cloned().collect();
    for line in current.difference(logged) {
        tracing::warn!("{line}");
    }
    for line in logged.difference(&current) {
        tracing::info!("no longer reported: {line}");
    }
    *logged = current;
}
