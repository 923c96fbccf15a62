//! A response body that is a region of an open file (a media download), never held in
//! memory.
//!
//! On HTTP/1.1 over TCP (Linux) the bytes go out with `sendfile(2)`: the body hands hyper
//! *placeholder* chunks, slices of one static buffer that is never read, and queues the
//! file region each chunk stands for on the connection's [`FileRegions`]. hyper writes an
//! HTTP/1 connection's bytes strictly in order, so when a placeholder slice reaches the
//! socket writer ([`super::media_sendfile`]) it is exactly the next bytes of the region at
//! the front of that queue, and the kernel sends them from the file. The placeholder bytes
//! themselves are never written.
//!
//! h2 interleaves streams, so the order argument does not hold there: an h2 stream (and
//! the in-memory fuzz pipe, and platforms without `sendfile`) gets the file read in
//! modest chunks instead, one at a time as hyper asks for them.

use std::collections::VecDeque;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;

/// Bytes of the file one placeholder chunk stands for: large, so hyper asks for the next
/// chunk rarely; `sendfile` sends what the socket takes of it per call.
const PLACEHOLDER_CHUNK: usize = 1 << 20;

/// Bytes read per chunk when the file cannot be sent with `sendfile`.
const READ_CHUNK: usize = 64 * 1024;

/// Zeroes that stand for file bytes in hyper's write queue (in `.bss`: address space, not
/// memory, since nothing reads them).
static PLACEHOLDER: [u8; PLACEHOLDER_CHUNK] = [0; PLACEHOLDER_CHUNK];

/// Whether `buf` lies in the placeholder buffer (compared by address, never by content).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(super) fn is_placeholder(buf: &[u8]) -> bool {
    let base = PLACEHOLDER.as_ptr() as usize;
    let start = buf.as_ptr() as usize;
    !buf.is_empty() && base <= start && start + buf.len() <= base + PLACEHOLDER_CHUNK
}

/// A region of a file still to be sent: `len` bytes from `offset`.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(super) struct Region {
    pub(super) file: Arc<File>,
    pub(super) offset: u64,
    pub(super) len: u64,
}

/// One connection's file regions handed to hyper as placeholders and not yet sent, in the
/// order hyper will write them. Only that connection's task touches it: the lock is never
/// contended.
#[derive(Default)]
pub(crate) struct FileRegions {
    queue: Mutex<VecDeque<Region>>,
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
impl FileRegions {
    fn push(&self, region: Region) {
        self.lock().push_back(region);
    }

    /// The next bytes to send: file, offset and length of the front region.
    pub(super) fn front(&self) -> Option<(Arc<File>, u64, u64)> {
        self.lock()
            .front()
            .map(|r| (Arc::clone(&r.file), r.offset, r.len))
    }

    /// Whether every queued region has been sent.
    pub(super) fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Marks `sent` bytes of the front region as sent.
    pub(super) fn advance(&self, sent: u64) {
        let mut queue = self.lock();
        if let Some(front) = queue.front_mut() {
            front.offset += sent.min(front.len);
            front.len -= sent.min(front.len);
            if front.len == 0 {
                queue.pop_front();
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Region>> {
        // Nothing panics while holding it; a poisoned queue is still consistent.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The body of a media response: `remaining` bytes of `file` from `offset`.
pub(super) struct FileBody {
    file: Arc<File>,
    offset: u64,
    remaining: u64,
    /// Where placeholder chunks' regions go; `None`: read the file instead.
    regions: Option<Arc<FileRegions>>,
}

impl std::fmt::Debug for FileBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileBody")
            .field("offset", &self.offset)
            .field("remaining", &self.remaining)
            .field("sendfile", &self.regions.is_some())
            .finish()
    }
}

impl FileBody {
    /// Bytes `start..end` of `file`; sent with `sendfile` through `regions` when given.
    pub(super) fn new(
        file: File,
        start: u64,
        end: u64,
        regions: Option<Arc<FileRegions>>,
    ) -> FileBody {
        FileBody {
            file: Arc::new(file),
            offset: start,
            remaining: end.saturating_sub(start),
            regions,
        }
    }

    /// Bytes not yet handed to hyper.
    pub(super) fn remaining(&self) -> u64 {
        self.remaining
    }

    /// The next chunk: a placeholder (its region queued) or bytes read from the file.
    /// `None` at the end. A file that got shorter since it was opened is an error: the
    /// connection is closed rather than the promised length left unfilled.
    pub(super) fn next_chunk(&mut self) -> Option<io::Result<Bytes>> {
        if self.remaining == 0 {
            return None;
        }
        let chunk = match &self.regions {
            Some(regions) => {
                let n = usize::try_from(self.remaining)
                    .unwrap_or(usize::MAX)
                    .min(PLACEHOLDER_CHUNK);
                regions.push(Region {
                    file: Arc::clone(&self.file),
                    offset: self.offset,
                    len: n as u64,
                });
                Ok(Bytes::from_static(&PLACEHOLDER[..n]))
            }
            None => self.read_chunk(),
        };
        if let Ok(bytes) = &chunk {
            self.offset += bytes.len() as u64;
            self.remaining -= bytes.len() as u64;
        } else {
            self.remaining = 0;
        }
        Some(chunk)
    }

    fn read_chunk(&self) -> io::Result<Bytes> {
        let n = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(READ_CHUNK);
        let mut buf = vec![0; n];
        let mut filled = 0;
        while filled < n {
            match self
                .file
                .read_at(&mut buf[filled..], self.offset + filled as u64)
            {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "media file shorter than when it was opened",
                    ))
                }
                Ok(read) => filled += read,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Bytes::from(buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_of(bytes: &[u8]) -> File {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    #[test]
    fn read_chunks_cover_the_region_exactly() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut body = FileBody::new(file_of(&data), 1000, 150_001, None);
        let mut got = Vec::new();
        while let Some(chunk) = body.next_chunk() {
            got.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(got, &data[1000..150_001]);
    }

    #[test]
    fn placeholder_chunks_queue_their_regions_in_order() {
        let regions = Arc::new(FileRegions::default());
        let len = 2 * PLACEHOLDER_CHUNK as u64 + 5;
        let mut body = FileBody::new(file_of(b"x"), 7, 7 + len, Some(Arc::clone(&regions)));
        let mut total = 0;
        while let Some(chunk) = body.next_chunk() {
            let chunk = chunk.unwrap();
            assert!(is_placeholder(&chunk));
            total += chunk.len() as u64;
        }
        assert_eq!(total, len);
        let (_, offset, n) = regions.front().unwrap();
        assert_eq!((offset, n), (7, PLACEHOLDER_CHUNK as u64));
        regions.advance(PLACEHOLDER_CHUNK as u64 - 1);
        assert_eq!(
            regions.front().map(|f| (f.1, f.2)),
            Some((PLACEHOLDER_CHUNK as u64 + 6, 1))
        );
        regions.advance(1);
        regions.advance(PLACEHOLDER_CHUNK as u64);
        assert_eq!(
            regions.front().map(|f| (f.1, f.2)),
            Some((7 + 2 * PLACEHOLDER_CHUNK as u64, 5))
        );
        assert!(!is_placeholder(b"not it"));
    }

    #[test]
    fn a_file_cut_short_is_an_error() {
        let mut body = FileBody::new(file_of(b"short"), 0, 100, None);
        assert!(body.next_chunk().unwrap().is_err());
        assert!(body.next_chunk().is_none());
    }
}
