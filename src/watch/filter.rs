//! Pure event filtering: which raw file-system events matter, as content-relative paths.

use std::collections::BTreeMap;
use std::path::Path;

use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
use notify::{Event, EventKind};

use crate::content::discover;

/// Relative `/`-separated path of `path` under `root`, if it is inside and not ignored.
pub(crate) fn relative_source(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for c in rel.components() {
        parts.push(c.as_os_str().to_str()?.to_string());
    }
    if parts.is_empty() {
        return Some(String::new()); // the root itself
    }
    let source = parts.join("/");
    if discover::is_ignored_path(&source) {
        return None;
    }
    Some(source)
}

/// Whether the platform's watcher (inotify) reports a file being closed after writing.
const REPORTS_CLOSE: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// What one debounced batch of events says about the paths it names.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Batch {
    /// Changed and settled: read them now. Sorted.
    pub(crate) ready: Vec<String>,
    /// Written to (or created) and not closed yet: a writer may still be adding to the file,
    /// and reading it now could publish half an article. Sorted.
    pub(crate) writing: Vec<String>,
}

/// Sorts the relevant paths of a batch by their last event: data written, or a file created,
/// with no `close` after it means still being written; anything else (closed after writing,
/// removed, renamed, a folder, a new link) means ready. `is_link` tells a new hard link or
/// symlink (created whole: no write, no close follows) from a file a writer has opened. Access events that change nothing (open,
/// read, close without writing) are dropped, as are ignored and outside paths.
pub(crate) fn classify<'a>(
    root: &Path,
    events: impl IntoIterator<Item = &'a Event>,
    is_link: impl Fn(&Path) -> bool,
) -> Batch {
    #[derive(Clone, Copy, PartialEq)]
    enum Last {
        Settled,
        Written,
        Created,
    }
    let mut last: BTreeMap<String, (Last, &Path)> = BTreeMap::new();
    for event in events {
        let state = match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => Last::Settled,
            EventKind::Access(_) => continue,
            // Only inotify reports closes; elsewhere nothing would ever release the file.
            EventKind::Create(CreateKind::File) if REPORTS_CLOSE => Last::Created,
            EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) if REPORTS_CLOSE => {
                Last::Written
            }
            _ => Last::Settled,
        };
        for path in &event.paths {
            if let Some(source) = relative_source(root, path) {
                last.insert(source, (state, path.as_path()));
            }
        }
    }
    let mut batch = Batch::default();
    for (source, (state, path)) in last {
        let writing = match state {
            Last::Settled => false,
            Last::Written => true,
            Last::Created => !is_link(path),
        };
        if writing {
            batch.writing.push(source);
        } else {
            batch.ready.push(source);
        }
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{DataChange, RemoveKind, RenameMode};
    use std::path::PathBuf;

    fn ev(kind: EventKind, paths: &[&str]) -> Event {
        let mut e = Event::new(kind);
        e.paths = paths.iter().map(PathBuf::from).collect();
        e
    }

    #[test]
    fn watch_filter_drops_access_hidden_and_outside() {
        let root = Path::new("/c");
        let events = vec![
            ev(EventKind::Access(AccessKind::Any), &["/c/a.md"]),
            ev(EventKind::Create(CreateKind::File), &["/c/posts/b.md"]),
            ev(
                EventKind::Modify(ModifyKind::Any),
                &[
                    "/c/_posts/2019-05-03-j.markdown",
                    "/c/_posts/.j.markdown.swp",
                ],
            ),
            ev(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/c/.b.md.swp", "/c/posts/b.md"],
            ),
            ev(EventKind::Create(CreateKind::File), &["/elsewhere/x.md"]),
            ev(EventKind::Create(CreateKind::Folder), &["/c/new"]),
        ];
        assert_eq!(
            classify(root, &events, |_| false),
            Batch {
                ready: vec!["new".to_string(), "posts/b.md".to_string()],
                // Written and not closed in this batch (see the next test).
                writing: vec!["_posts/2019-05-03-j.markdown".to_string()],
            }
        );
    }

    #[test]
    fn watch_filter_holds_files_written_but_not_closed() {
        let root = Path::new("/c");
        let data = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let events = vec![
            // A slow writer between two chunks: still open.
            ev(data, &["/c/slow.md"]),
            // Written and closed (`echo … > f`, an editor's in-place save): ready.
            ev(EventKind::Create(CreateKind::File), &["/c/done.md"]),
            ev(data, &["/c/done.md"]),
            ev(closed, &["/c/done.md"]),
            // Created, nothing written or closed yet.
            ev(EventKind::Create(CreateKind::File), &["/c/new.md"]),
            // Opened for reading and closed: not a change at all.
            ev(
                EventKind::Access(AccessKind::Close(AccessMode::Read)),
                &["/c/read.md"],
            ),
            // Written, then removed: ready (it is gone).
            ev(data, &["/c/gone.md"]),
            ev(EventKind::Remove(RemoveKind::File), &["/c/gone.md"]),
        ];
        assert_eq!(
            classify(root, &events, |_| false),
            Batch {
                ready: vec!["done.md".to_string(), "gone.md".to_string()],
                writing: vec!["new.md".to_string(), "slow.md".to_string()],
            }
        );
    }

    #[test]
    fn watch_filter_reads_new_links_at_once() {
        // `ln` and `ln -s` create a whole file: no write and no close follow.
        let root = Path::new("/c");
        let events = vec![
            ev(EventKind::Create(CreateKind::File), &["/c/link.md"]),
            ev(EventKind::Create(CreateKind::File), &["/c/opened.md"]),
        ];
        let batch = classify(root, &events, |p| p == Path::new("/c/link.md"));
        assert_eq!(batch.ready, vec!["link.md".to_string()]);
        // Empty: its writer has only just opened it.
        assert_eq!(batch.writing, vec!["opened.md".to_string()]);
    }
}
