//! Watching the content root (SPEC §5): `notify` (inotify, debounced) or `poll` (rescan and
//! compare size, mtime and — when those look unchanged but the file was touched recently —
//! a content hash), or `auto` (notify, falling back to poll with a warning).
//!
//! The watcher only says *which paths* may have changed; reading them is the daemon's job.
//! [`filter`] is the pure part: raw events → content-relative paths.

pub mod filter;
mod poll;

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use tokio::sync::mpsc;

use crate::config::{Config, WatchMode};

/// What the watcher reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// These paths, relative to the root (`/`-separated), may have changed.
    Paths(Vec<String>),
    /// Events were lost or the watcher failed: rescan everything.
    Rescan(String),
}

/// A running watcher; dropping it stops watching.
pub struct Watcher {
    /// `notify` or `poll`: what is actually in use (for logs and metrics).
    pub mode: &'static str,
    pub changes: mpsc::Receiver<Change>,
    _guard: Guard,
}

enum Guard {
    /// Held only so the debouncer keeps running; dropping it stops the watch.
    Notify(#[allow(dead_code)] Box<dyn std::any::Any + Send>),
    Poll(tokio::task::JoinHandle<()>),
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Poll(handle) = self {
            handle.abort();
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {path}: {message}")]
    Notify { path: PathBuf, message: String },
}

/// Starts watching per `watch.mode`. Must run inside a tokio runtime; call it before the
/// first full load so that nothing changed during the load is missed. It may block briefly
/// (poll mode surveys the tree once), so call it from a blocking context.
pub fn start(config: &Config) -> Result<Watcher, WatchError> {
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
    let mut debouncer = new_debouncer(debounce, None, move |result: DebounceEventResult| {
        let change = match result {
            Ok(events) => {
                let paths = filter::relevant_paths(&event_root, events.iter().map(|e| &e.event));
                if paths.is_empty() {
                    return;
                }
                Change::Paths(paths)
            }
            Err(errors) => Change::Rescan(format!("watcher errors: {errors:?}")),
        };
        // The debouncer runs on its own thread: hand over to tokio without blocking forever
        // if the daemon is gone.
        let _ = tx.blocking_send(change);
    })
    .map_err(|e| err(e.to_string()))?;
    debouncer
        .watch(&canonical, RecursiveMode::Recursive)
        .map_err(|e| err(e.to_string()))?;
    Ok(Watcher {
        mode: "notify",
        changes: rx,
        _guard: Guard::Notify(Box::new(debouncer)),
    })
}
