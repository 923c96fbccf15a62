//! Watching the content root (SPEC §5): `notify` (inotify, debounced) or `poll` (rescan and
//! compare size, mtime and — when those look unchanged but the file was touched recently —
//! a content hash), or `auto` (notify, falling back to poll with a warning).
//!
//! The watcher only says *which paths* may have changed; reading them is the daemon's job.
//! [`filter`] is the pure part: raw events → content-relative paths.

mod change;
pub(crate) mod filter;
mod poll;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::time::Instant;

use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use tokio::sync::mpsc;

use crate::config::{Config, WatchMode};

pub(crate) use self::change::Change;

/// A running watcher; dropping it stops watching.
pub(crate) struct Watcher {
    /// `notify` or `poll`: what is actually in use (for logs and metrics).
    pub(crate) mode: &'static str,
    pub(crate) changes: mpsc::Receiver<Change>,
    _guard: Guard,
}

enum Guard {
    /// The debouncer, held only so it keeps running (dropping it stops the watch), and the
    /// task that releases files held back while being written.
    Notify(
        #[allow(dead_code)] Box<dyn std::any::Any + Send>,
        tokio::task::JoinHandle<()>,
    ),
    Poll(tokio::task::JoinHandle<()>),
}

impl Drop for Guard {
    fn drop(&mut self) {
        match self {
            Guard::Notify(_, handle) | Guard::Poll(handle) => handle.abort(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum WatchError {
    #[error("cannot watch {path}: {message}")]
    Notify { path: PathBuf, message: String },
}

/// Starts watching per `watch.mode`. Must run inside a tokio runtime; call it before the
/// first full load so that nothing changed during the load is missed. It may block briefly
/// (poll mode surveys the tree once), so call it from a blocking context.
pub(crate) fn start(config: &Config) -> Result<Watcher, WatchError> {
    let root = config.content.dir.clone();
    match config.watch.mode {
        WatchMode::Poll => Ok(start_poll(&root, config.watch.poll_interval)),
        WatchMode::Notify => start_notify(&root, config.watch.debounce),
        WatchMode::Auto => match start_notify(&root, config.watch.debounce) {
            Ok(w) => Ok(w),
            Err(e) => {
                tracing::warn!(error = %e, "file system events unavailable; falling back to polling every {:?}", config.watch.poll_interval);
                Ok(start_poll(&root, config.watch.poll_interval))
            }
        },
    }
}

fn start_poll(root: &Path, interval: Duration) -> Watcher {
    let (tx, rx) = mpsc::channel(64);
    let baseline = poll::baseline(root);
    let handle = tokio::spawn(poll::run(root.to_path_buf(), interval, tx, baseline));
    Watcher {
        mode: "poll",
        changes: rx,
        _guard: Guard::Poll(handle),
    }
}

fn start_notify(root: &Path, debounce: Duration) -> Result<Watcher, WatchError> {
    let err = |message: String| WatchError::Notify {
        path: root.to_path_buf(),
        message,
    };
    let canonical = std::fs::canonicalize(root).map_err(|e| err(e.to_string()))?;
    let (tx, rx) = mpsc::channel(256);
    let event_root = canonical.clone();
    let writing = Arc::new(Mutex::new(StillWriting::default()));
    let held = Arc::clone(&writing);
    let events_tx = tx.clone();
    let mut debouncer = new_debouncer(debounce, None, move |result: DebounceEventResult| {
        let change = match result {
            Ok(events) => {
                let batch =
                    filter::classify(&event_root, events.iter().map(|e| &e.event), is_new_link);
                held.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .update(&batch, Instant::now());
                if batch.ready.is_empty() {
                    return;
                }
                Change::Paths(batch.ready)
            }
            Err(errors) => Change::Rescan(format!("watcher errors: {errors:?}")),
        };
        // The debouncer runs on its own thread: hand over to tokio without blocking forever
        // if the daemon is gone.
        let _ = events_tx.blocking_send(change);
    })
    .map_err(|e| err(e.to_string()))?;
    debouncer
        .watch(&canonical, RecursiveMode::Recursive)
        .map_err(|e| err(e.to_string()))?;
    // A file whose writer never closes it (or whose close event was lost) is read anyway
    // once it has been quiet for a while.
    let release = tokio::spawn(async move {
        let mut tick = tokio::time::interval(WRITE_CHECK);
        loop {
            tick.tick().await;
            let overdue = writing
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take_overdue(Instant::now());
            if !overdue.is_empty() && tx.send(Change::Paths(overdue)).await.is_err() {
                return;
            }
        }
    });
    Ok(Watcher {
        mode: "notify",
        changes: rx,
        _guard: Guard::Notify(Box::new(debouncer), release),
    })
}

/// Whether a just-created path is a link to an existing file (`ln -s`, `ln`), which is whole
/// at once, rather than a file its writer has just opened. Not by size: the debouncer folds
/// the writes that follow a create into it, so a half-written file looks just created.
fn is_new_link(path: &std::path::Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if meta.file_type().is_symlink() {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.nlink() > 1
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// How long a file written to but not closed is kept back before it is read anyway.
pub(crate) const MAX_WRITE_HOLD: Duration = Duration::from_secs(5);
const WRITE_CHECK: Duration = Duration::from_millis(500);

/// Files written to and not closed yet (see [`filter::Batch::writing`]), with when their
/// last write was seen: a slow writer (a copy over a network share, a script writing in
/// chunks) is not read, and published, half-way.
#[derive(Debug, Default)]
struct StillWriting {
    since: BTreeMap<String, Instant>,
}

impl StillWriting {
    fn update(&mut self, batch: &filter::Batch, now: Instant) {
        for path in &batch.ready {
            self.since.remove(path);
        }
        for path in &batch.writing {
            self.since.insert(path.clone(), now);
        }
    }

    /// The files quiet for [`MAX_WRITE_HOLD`] without being closed, no longer held.
    fn take_overdue(&mut self, now: Instant) -> Vec<String> {
        let overdue: Vec<String> = self
            .since
            .iter()
            .filter(|(_, since)| now.duration_since(**since) >= MAX_WRITE_HOLD)
            .map(|(path, _)| path.clone())
            .collect();
        for path in &overdue {
            self.since.remove(path);
        }
        overdue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_being_written_are_held_until_closed_or_quiet_for_long() {
        let start = Instant::now();
        let mut held = StillWriting::default();
        let batch = |ready: &[&str], writing: &[&str]| filter::Batch {
            ready: ready.iter().map(|s| s.to_string()).collect(),
            writing: writing.iter().map(|s| s.to_string()).collect(),
        };
        held.update(&batch(&[], &["slow.md", "stuck.md"]), start);
        // Another chunk of slow.md later: its clock restarts.
        held.update(&batch(&[], &["slow.md"]), start + Duration::from_secs(3));
        assert!(held.take_overdue(start + Duration::from_secs(4)).is_empty());
        // stuck.md was never closed: released after the hold.
        assert_eq!(
            held.take_overdue(start + MAX_WRITE_HOLD),
            vec!["stuck.md".to_string()]
        );
        // slow.md closed: ready, and no longer held.
        held.update(&batch(&["slow.md"], &[]), start + Duration::from_secs(6));
        assert!(held
            .take_overdue(start + Duration::from_secs(60))
            .is_empty());
    }
}
