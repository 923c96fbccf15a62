//! The daemon's copies of the bodies it drops from memory, so that an article's last good
//! version can still be published after its file breaks (see [`super::window`] for why).
//!
//! One unnamed file (`O_TMPFILE` in the temporary directory: it has no name to leave behind,
//! and vanishes with the process) to which bodies are appended; an article records the range
//! of its copy ([`KeptBody`]). Copies of versions that were replaced become garbage, and the
//! file is rewritten with only the live ones when the garbage outgrows them.

use crate::scratch_file::{read_exact_at, unnamed_file, write_all_at};
use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::content::KeptBody;

/// The file is rewritten when it is larger than twice its live copies plus this.
const GARBAGE_SLACK: u64 = 8 << 20;

#[derive(Debug)]
pub(crate) struct KeptBodies {
    file: File,
    /// Where the next copy goes; appends from several threads each reserve their range.
    end: AtomicU64,
}

impl KeptBodies {
    /// An empty store, or `None` where no unnamed file can be made (then a file that breaks
    /// outside the feed window loses its last good version, as before).
    pub(crate) fn new() -> Option<KeptBodies> {
        match unnamed_file() {
            Ok(file) => Some(KeptBodies {
                file,
                end: AtomicU64::new(0),
            }),
            Err(error) => {
                tracing::warn!(%error, "no temporary file for the last good versions of articles outside the feeds; one that breaks before it enters a feed is left out until fixed");
                None
            }
        }
    }

    /// Appends a copy of `body`; `None` if it cannot be written (a full disk).
    pub(crate) fn keep(&self, body: &str) -> Option<KeptBody> {
        let len = body.len() as u64;
        let offset = self.end.fetch_add(len, Ordering::Relaxed);
        write_all_at(&self.file, body.as_bytes(), offset).ok()?;
        Some(KeptBody { offset, len })
    }

    /// The body a [`KeptBody`] names.
    pub(crate) fn read(&self, kept: KeptBody) -> io::Result<String> {
        let len = usize::try_from(kept.len).map_err(io::Error::other)?;
        let mut bytes = vec![0; len];
        read_exact_at(&self.file, &mut bytes, kept.offset)?;
        String::from_utf8(bytes).map_err(io::Error::other)
    }

    /// Whether the file holds so much garbage that [`KeptBodies::rewrite`] is due, given
    /// the bytes still named by some article.
    pub(crate) fn needs_rewrite(&self, live: u64) -> bool {
        self.end.load(Ordering::Relaxed) > live.saturating_mul(2) + GARBAGE_SLACK
    }

    /// A new store holding the copies `live` names, and where each now is (same order);
    /// `None` if it cannot be made (this one is then kept as it is).
    pub(crate) fn rewrite(&self, live: &[KeptBody]) -> Option<(KeptBodies, Vec<KeptBody>)> {
        let fresh = KeptBodies::new()?;
        let mut moved = Vec::with_capacity(live.len());
        for kept in live {
            let body = self.read(*kept).ok()?;
            moved.push(fresh.keep(&body)?);
        }
        Some((fresh, moved))
    }

    #[cfg(test)]
    pub(crate) fn size(&self) -> u64 {
        self.end.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_reads_back_and_rewrites_only_live_copies() {
        let store = KeptBodies::new().expect("a temporary file");
        let a = store.keep("first body").unwrap();
        let b = store.keep("second, ünïcode").unwrap();
        assert_eq!(store.read(a).unwrap(), "first body");
        assert_eq!(store.read(b).unwrap(), "second, ünïcode");
        assert!(!store.needs_rewrite(b.len));
        let (fresh, moved) = store.rewrite(&[b]).unwrap();
        assert_eq!(fresh.size(), b.len);
        assert_eq!(fresh.read(moved[0]).unwrap(), "second, ünïcode");
    }
}
