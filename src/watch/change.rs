//! What the watcher reports: paths that may have changed, or a full rescan.

/// What the watcher reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// These paths, relative to the root (`/`-separated), may have changed.
    Paths(Vec<String>),
    /// Events were lost or the watcher failed: rescan everything.
    Rescan(String),
}

impl Change {
    /// Both changes as one (queued changes are read with one reload): the paths of both,
    /// or a rescan if either is one.
    pub(crate) fn merge(self, other: Change) -> Change {
        match (self, other) {
            (Change::Paths(mut x), Change::Paths(y)) => {
                x.extend(y);
                x.sort();
                x.dedup();
                Change::Paths(x)
            }
            (Change::Rescan(r), _) | (_, Change::Rescan(r)) => Change::Rescan(r),
        }
    }
}
