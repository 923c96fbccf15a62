//! Memory work for the group feeds (SPEC §12 bounds) and the RFC 5005 archives: their bytes
//! live in an unnamed file on disk, not on the heap.
//!
//! A group feed or an archive is a chunk list (see [`crate::feed::Chunk`]): its frame, and
//! the items of its entries, each written once per article version and shared by every
//! document holding it.
//! [`ItemStore`] keeps those items in a [`SpillFile`] (an unnamed temporary file: no name to
//! leave behind, gone with the process) and remembers, per article and format, the
//! version, range and digest of its item. A document's bytes are put together from the
//! file when a response needs them; the file's pages sit in the page cache, outside the
//! process's resident memory. Compressed forms are made on a document's first request for
//! them and appended to the same file (see `Resource`). Where no unnamed file can be made
//! the items stay in memory.
//!
//! Replaced versions' items stay in the file as garbage until the process ends (a known
//! cost in disk space, not memory: one item per edit).

use crate::scratch_file::{read_exact_at, unnamed_file, write_all_at};
use rustc_hash::FxHashMap as HashMap;
use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use sha2::{Digest, Sha256};

use crate::feed::{Chunk, Document, ItemFormat, ItemXml};

/// An append-only unnamed file of response bytes.
#[derive(Debug)]
pub(crate) struct SpillFile {
    file: File,
    end: AtomicU64,
}

impl SpillFile {
    /// A new file, or `None` where none can be made.
    pub(crate) fn new() -> Option<Arc<SpillFile>> {
        match unnamed_file() {
            Ok(file) => Some(Arc::new(SpillFile {
                file,
                end: AtomicU64::new(0),
            })),
            Err(error) => {
                tracing::warn!(%error, "no temporary file for the group feeds' bytes; they are kept in memory");
                None
            }
        }
    }

    /// Appends `bytes`; where they are, or `None` if they cannot be written (full disk).
    pub(crate) fn append(self: &Arc<Self>, bytes: &[u8]) -> Option<Stored> {
        let len = bytes.len() as u64;
        let offset = self.end.fetch_add(len, Ordering::Relaxed);
        write_all_at(&self.file, bytes, offset).ok()?;
        Some(Stored::Disk {
            file: Arc::clone(self),
            offset,
            len: bytes.len(),
        })
    }
}

/// Bytes kept for a response: in a [`SpillFile`], or in memory where there is none.
#[derive(Debug, Clone)]
pub(crate) enum Stored {
    Disk {
        file: Arc<SpillFile>,
        offset: u64,
        len: usize,
    },
    Memory(Bytes),
}

impl Stored {
    /// Keeps `bytes` in `file`, or in memory without one (or when writing fails).
    pub(crate) fn keep(file: Option<&Arc<SpillFile>>, bytes: Vec<u8>) -> Stored {
        file.and_then(|f| f.append(&bytes))
            .unwrap_or_else(|| Stored::Memory(Bytes::from(bytes)))
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Stored::Disk { len, .. } => *len,
            Stored::Memory(bytes) => bytes.len(),
        }
    }

    /// Appends the bytes to `out`.
    pub(crate) fn read_into(&self, out: &mut BytesMut) -> io::Result<()> {
        match self {
            Stored::Memory(bytes) => {
                out.extend_from_slice(bytes);
                Ok(())
            }
            Stored::Disk { file, offset, len } => {
                let start = out.len();
                out.resize(start + len, 0);
                read_exact_at(&file.file, &mut out[start..], *offset)
            }
        }
    }

    pub(crate) fn read(&self) -> io::Result<Bytes> {
        if let Stored::Memory(bytes) = self {
            return Ok(bytes.clone());
        }
        let mut out = BytesMut::with_capacity(self.len());
        self.read_into(&mut out)?;
        Ok(out.freeze())
    }
}

/// One article version's item in one format.
#[derive(Debug, Clone)]
pub(crate) struct ItemRef {
    fingerprint: u64,
    pub(crate) stored: Stored,
    /// SHA-256 of the item's bytes: documents' digests are made of their items' (see
    /// `Resource::chunked`).
    pub(crate) digest: [u8; 32],
}

/// Every current article's items (see the module doc).
#[derive(Debug, Default)]
pub struct ItemStore {
    file: Option<Arc<SpillFile>>,
    /// Per article: its RSS, Atom and JSON Feed items (in [`slot`] order).
    items: HashMap<String, [Option<ItemRef>; 3]>,
}

/// Where a format's item sits in an article's entry.
fn slot(format: ItemFormat) -> usize {
    match format {
        ItemFormat::Rss => 0,
        ItemFormat::Atom => 1,
        ItemFormat::Json => 2,
    }
}

impl ItemStore {
    /// The daemon's store, on disk where possible.
    pub fn new() -> ItemStore {
        ItemStore {
            file: SpillFile::new(),
            items: HashMap::default(),
        }
    }

    /// Whether the items of this version of the article at `source` are kept (its JSON
    /// Feed item too, when `json`).
    pub fn has(&self, source: &str, fingerprint: u64, json: bool) -> bool {
        let formats: &[ItemFormat] = if json {
            &[ItemFormat::Rss, ItemFormat::Atom, ItemFormat::Json]
        } else {
            &[ItemFormat::Rss, ItemFormat::Atom]
        };
        let Some(slots) = self.items.get(source) else {
            return false;
        };
        formats.iter().all(|format| {
            slots[slot(*format)]
                .as_ref()
                .is_some_and(|i| i.fingerprint == fingerprint)
        })
    }

    /// The item of this version of the article at `source` in `format`.
    pub(crate) fn get(
        &self,
        source: &str,
        fingerprint: u64,
        format: ItemFormat,
    ) -> Option<&ItemRef> {
        self.items.get(source)?[slot(format)]
            .as_ref()
            .filter(|i| i.fingerprint == fingerprint)
    }

    /// Keeps newly written items (replacing older versions').
    pub(crate) fn put(&mut self, items: Vec<ItemXml>) {
        for item in items {
            let formats = [
                (ItemFormat::Rss, Some(item.rss)),
                (ItemFormat::Atom, Some(item.atom)),
                (ItemFormat::Json, item.json),
            ];
            for (format, xml) in formats {
                let Some(xml) = xml else { continue };
                let digest: [u8; 32] = Sha256::digest(xml.as_bytes()).into();
                let stored = Stored::keep(self.file.as_ref(), xml.into_bytes());
                let slots = self.items.entry(item.source.clone()).or_default();
                slots[slot(format)] = Some(ItemRef {
                    fingerprint: item.fingerprint,
                    stored,
                    digest,
                });
            }
        }
    }

    /// The whole text of `document`, its chunks' items read back (`build --out`); `None`
    /// when an item is missing or cannot be read.
    pub(crate) fn text_of(&self, document: &Document) -> Option<String> {
        let Some(chunks) = &document.chunks else {
            return Some(document.body.clone());
        };
        let mut bytes = BytesMut::new();
        for chunk in chunks {
            match chunk {
                Chunk::Text(text) => bytes.extend_from_slice(text.as_bytes()),
                Chunk::Item {
                    source,
                    fingerprint,
                    format,
                } => self
                    .get(source, *fingerprint, *format)?
                    .stored
                    .read_into(&mut bytes)
                    .ok()?,
            }
        }
        String::from_utf8(bytes.to_vec()).ok()
    }

    /// Forgets the items of articles for which `live` is false.
    pub fn retain(&mut self, live: impl Fn(&str) -> bool) {
        self.items.retain(|source, _| live(source));
    }

    /// Where compressed forms of documents are kept.
    pub(crate) fn file(&self) -> Option<&Arc<SpillFile>> {
        self.file.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_kept_by_version_and_read_back() {
        let mut store = ItemStore::new();
        let item = |fp: u64, text: &str| ItemXml {
            source: "a.md".into(),
            fingerprint: fp,
            rss: format!("<item>{text}</item>"),
            atom: format!("<entry>{text}</entry>"),
            json: None,
        };
        store.put(vec![item(1, "one")]);
        assert!(store.has("a.md", 1, false) && !store.has("a.md", 2, false));
        assert!(!store.has("b.md", 1, false) && !store.has("a.md", 1, true));
        let rss = store.get("a.md", 1, ItemFormat::Rss).expect("kept");
        assert_eq!(&rss.stored.read().expect("read")[..], b"<item>one</item>");
        store.put(vec![item(2, "two")]);
        assert!(store.get("a.md", 1, ItemFormat::Rss).is_none(), "replaced");
        let atom = store.get("a.md", 2, ItemFormat::Atom).expect("kept");
        assert_eq!(
            &atom.stored.read().expect("read")[..],
            b"<entry>two</entry>"
        );
        store.retain(|s| s != "a.md");
        assert!(!store.has("a.md", 2, false));
    }
}
