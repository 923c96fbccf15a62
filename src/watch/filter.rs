//! Pure event filtering: which raw file-system events matter, as content-relative paths.

use std::collections::BTreeSet;
use std::path::Path;

use notify::{Event, EventKind};

use crate::content::discover;

/// Relative `/`-separated path of `path` under `root`, if it is inside and not ignored.
pub fn relative_source(root: &Path, path: &Path) -> Option<String> {
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

/// The distinct relevant paths of a batch of events, sorted. Access events (open, read,
/// close-without-write) change nothing and are dropped.
pub fn relevant_paths<'a>(root: &Path, events: impl IntoIterator<Item = &'a Event>) -> Vec<String> {
    let mut out = BTreeSet::new();
    for event in events {
        if matches!(event.kind, EventKind::Access(_)) {
            continue;
        }
        for path in &event.paths {
            if let Some(source) = relative_source(root, path) {
                out.insert(source);
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, ModifyKind, RenameMode};
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
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/c/.b.md.swp", "/c/posts/b.md"],
            ),
            ev(EventKind::Create(CreateKind::File), &["/elsewhere/x.md"]),
            ev(EventKind::Create(CreateKind::Folder), &["/c/new"]),
        ];
        assert_eq!(
            relevant_paths(root, &events),
            vec!["new".to_string(), "posts/b.md".to_string()]
        );
    }
}
