//! Speed work: the body files of the responses a connection is writing, so [`super::sendfile`]
//! finds the file of a body slice among a handful of entries, whatever the number of routes.
//!
//! A response whose representation has a [`BodyFile`] notes it here when it is built; the
//! socket wrapper then recognises a slice hyper writes by its address. Each entry holds a
//! reference to the body's bytes, so while it is here no other allocation can take that
//! address: a slice inside it is exactly those bytes, and the file holds the same bytes. The
//! newest few entries are kept (HTTP/1 writes one response at a time; h2 interleaves up to
//! its concurrent streams); a slice whose entry was pushed out is written from memory as
//! usual. The lock is the connection's own (its task is the only user): never contended.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use crate::snapshot::body_file::BodyFile;

/// How many bodies a connection remembers.
const RECENT: usize = 8;

/// One connection's recently sent bodies that have a file.
#[derive(Default)]
pub(super) struct RecentBodyFiles {
    recent: Mutex<VecDeque<(Bytes, Arc<BodyFile>)>>,
}

impl RecentBodyFiles {
    /// Notes that `body`, with the same bytes in `file`, is about to be written.
    pub(super) fn note(&self, body: &Bytes, file: &Arc<BodyFile>) {
        let Ok(mut recent) = self.recent.lock() else {
            return;
        };
        if recent.iter().any(|(b, _)| b.as_ptr() == body.as_ptr()) {
            return;
        }
        if recent.len() >= RECENT {
            recent.pop_back();
        }
        recent.push_front((body.clone(), Arc::clone(file)));
    }

    /// Runs `send` with the file holding `slice` and the slice's offset in it, if `slice`
    /// lies within a noted body; `None` otherwise.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(super) fn with_file<T>(
        &self,
        slice: &[u8],
        send: impl FnOnce(&BodyFile, u64) -> T,
    ) -> Option<T> {
        let start = slice.as_ptr() as usize;
        let end = start.checked_add(slice.len())?;
        let recent = self.recent.lock().ok()?;
        let (body, file) = recent.iter().find(|(body, _)| {
            let body_start = body.as_ptr() as usize;
            body_start <= start && end <= body_start + body.len()
        })?;
        let offset = (start - body.as_ptr() as usize) as u64;
        Some(send(file, offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn slices_of_noted_bodies_find_their_file_and_offset() {
        let bytes: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
        let Some(file) = BodyFile::new(&bytes).map(Arc::new) else {
            eprintln!("no body file on this machine");
            return;
        };
        let body = Bytes::from(bytes);
        let files = RecentBodyFiles::default();
        assert!(files.with_file(&body[..], |_, o| o).is_none(), "not noted");
        files.note(&body, &file);
        assert_eq!(files.with_file(&body[1000..], |_, o| o), Some(1000));
        let copy = body.to_vec();
        assert!(
            files.with_file(&copy, |_, o| o).is_none(),
            "same bytes elsewhere"
        );
        // Pushed out by newer bodies: written from memory.
        for _ in 0..RECENT {
            files.note(&Bytes::from(body.to_vec()), &file);
        }
        assert!(files.with_file(&body[..], |_, o| o).is_none());
    }
}
