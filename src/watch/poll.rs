//! Polling: rescan the tree every interval and report the paths whose size or mtime changed,
//! that appeared or that went away. A file modified within the last two seconds may have
//! been rewritten within one mtime tick, so its content hash is compared as well.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;

use super::change::Change;
use crate::content::discover;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    hash: Option<u64>,
}

const SUSPICIOUS: Duration = Duration::from_secs(2);

fn stamp(path: &Path, previous: Option<&Stamp>, now: SystemTime) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok();
    let recent =
        modified.is_none_or(|m| now.duration_since(m).map_or(true, |age| age < SUSPICIOUS));
    let same_meta = previous.is_some_and(|p| p.len == meta.len() && p.modified == modified);
    // Hash only when size and mtime cannot be trusted to show a change.
    let hash = if recent && same_meta {
        std::fs::read(path).ok().map(|bytes| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut h);
            h.finish()
        })
    } else {
        None
    };
    Some(Stamp {
        len: meta.len(),
        modified,
        hash,
    })
}

/// One pass: current stamps of every candidate (None if the root is unusable).
fn survey(root: &Path, previous: &BTreeMap<String, Stamp>) -> Option<BTreeMap<String, Stamp>> {
    let scan = discover::scan(root).ok()?;
    let now = SystemTime::now();
    let mut out = BTreeMap::new();
    for c in scan.candidates {
        if let Some(s) = stamp(&c.open_path, previous.get(&c.source), now) {
            out.insert(c.source, s);
        }
    }
    for d in scan.diagnostics {
        // Broken symlinks etc.: report once as a path so the daemon records the diagnostic.
        out.insert(
            d.path.display().to_string(),
            Stamp {
                len: 0,
                modified: None,
                hash: None,
            },
        );
    }
    Some(out)
}

/// Differences between two surveys.
fn changed(before: &BTreeMap<String, Stamp>, after: &BTreeMap<String, Stamp>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (source, stamp) in after {
        match before.get(source) {
            Some(old) if old.len == stamp.len && old.modified == stamp.modified => {
                if stamp.hash.is_some() && old.hash.is_some() && old.hash != stamp.hash {
                    out.push(source.clone());
                }
            }
            _ => out.push(source.clone()),
        }
    }
    out.extend(before.keys().filter(|k| !after.contains_key(*k)).cloned());
    out.sort();
    out
}

/// The state to compare the first poll with: taken before the daemon's first full load, so
/// a change made while that load runs is still reported.
pub(super) fn baseline(root: &Path) -> BTreeMap<String, Stamp> {
    survey(root, &BTreeMap::new()).unwrap_or_default()
}

pub(super) async fn run(
    root: PathBuf,
    interval: Duration,
    tx: mpsc::Sender<Change>,
    mut known: BTreeMap<String, Stamp>,
) {
    loop {
        tokio::time::sleep(interval).await;
        let root2 = root.clone();
        // The map moves into the blocking task and back: no copy of 10,000 paths per poll.
        let result = tokio::task::spawn_blocking(move || {
            let now = survey(&root2, &known);
            (known, now)
        })
        .await;
        let Ok((previous, now)) = result else {
            return;
        };
        known = previous;
        let Some(now) = now else {
            continue; // root unusable right now; the daemon's root check reports it
        };
        let diff = changed(&known, &now);
        // Hashes are only taken when suspicious; remember them for the next comparison.
        let mut merged = now;
        for (k, s) in merged.iter_mut() {
            if s.hash.is_none() {
                if let Some(old) = known.get(k) {
                    if old.len == s.len && old.modified == s.modified {
                        s.hash = old.hash;
                    }
                }
            }
        }
        known = merged;
        if !diff.is_empty() && tx.send(Change::Paths(diff)).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(len: u64, hash: Option<u64>) -> Stamp {
        Stamp {
            len,
            modified: Some(SystemTime::UNIX_EPOCH),
            hash,
        }
    }

    #[test]
    fn poll_diff_finds_new_changed_removed_and_rehashed() {
        let before: BTreeMap<String, Stamp> = [
            ("a.md".to_string(), s(1, None)),
            ("b.md".to_string(), s(2, Some(1))),
            ("gone.md".to_string(), s(3, None)),
        ]
        .into();
        let after: BTreeMap<String, Stamp> = [
            ("a.md".to_string(), s(5, None)),
            ("b.md".to_string(), s(2, Some(2))),
            ("new.md".to_string(), s(1, None)),
        ]
        .into();
        assert_eq!(
            changed(&before, &after),
            vec!["a.md", "b.md", "gone.md", "new.md"]
        );
        assert!(changed(&after, &after).is_empty());
    }
}
