//! The body of every response: a pre-built chunk (with the file holding its bytes, for
//! `sendfile`), its last byte held back on h2, or a media file region; it carries the
//! request's [`InFlight`] guard, so the connection's watchdog knows when hyper is done.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};

use super::conn::InFlight;
use super::file_body::FileBody;
use crate::snapshot::body_file::BodyFile;

/// A response body: at most one pre-built chunk, or a region of a file ([`FileBody`],
/// media downloads). It carries the request's [`InFlight`] guard so the watchdog knows when
/// hyper is done with it, and, for a chunk, the file holding the same bytes when there is
/// one (see [`super::body_files`]).
///
/// On h2 the chunk's last byte goes as a DATA frame of its own ([`ResponseBody::for_h2`]).
/// hyper hands a chunk to h2 as soon as the stream's window has room for one byte of it,
/// and h2 queues the rest for as long as the peer keeps its window shut; the body would be
/// done, the guard dropped, and a client that never opens its window (or opens it one byte
/// at a time) could keep the connection for ever with a request now and then. hyper hands
/// the last byte over only once the window has room for everything queued before it plus
/// that byte, so the guard is dropped only when the whole response may be sent, and
/// `request_timeout` bounds the wait. A file body reports progress chunk by chunk instead.
#[derive(Debug)]
pub(super) struct ResponseBody {
    data: Option<Bytes>,
    /// The file holding `data`'s bytes too (large snapshot bodies, for `sendfile`).
    data_file: Option<Arc<BodyFile>>,
    /// h2 only: the last byte, sent after `data`.
    last: Option<Bytes>,
    /// A media file region, sent after `data` (which is then empty).
    file: Option<FileBody>,
    in_flight: Option<InFlight>,
}

impl ResponseBody {
    pub(super) fn new(data: Bytes) -> ResponseBody {
        ResponseBody {
            data: (!data.is_empty()).then_some(data),
            ..ResponseBody::empty()
        }
    }

    /// `data`, whose bytes `file` (if any) holds too.
    pub(super) fn with_file(data: Bytes, file: Option<Arc<BodyFile>>) -> ResponseBody {
        ResponseBody {
            data_file: file,
            ..ResponseBody::new(data)
        }
    }

    pub(super) fn empty() -> ResponseBody {
        ResponseBody {
            data: None,
            data_file: None,
            last: None,
            file: None,
            in_flight: None,
        }
    }

    pub(super) fn file(file: FileBody) -> ResponseBody {
        ResponseBody {
            file: (file.remaining() > 0).then_some(file),
            ..ResponseBody::empty()
        }
    }

    /// The body's bytes and their file, when it has one.
    pub(super) fn filed(&self) -> Option<(&Bytes, &Arc<BodyFile>)> {
        Some((self.data.as_ref()?, self.data_file.as_ref()?))
    }

    /// Bytes this body will send.
    pub(super) fn len(&self) -> u64 {
        self.data.as_ref().map_or(0, |d| d.len() as u64)
            + self.last.as_ref().map_or(0, |d| d.len() as u64)
            + self.file.as_ref().map_or(0, FileBody::remaining)
    }

    pub(super) fn with_guard(mut self, guard: InFlight) -> ResponseBody {
        self.in_flight = Some(guard);
        self
    }

    /// The same body for an h2 stream: its last byte split off (see the type's doc). A
    /// one-byte body needs no split: hyper waits for room for it before handing it over.
    pub(super) fn for_h2(mut self) -> ResponseBody {
        if let Some(data) = &mut self.data {
            if data.len() > 1 {
                self.last = Some(data.split_off(data.len() - 1));
            }
        }
        self
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    /// Only a file body fails: the file could not be read (the connection is closed).
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(data) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if let Some(last) = self.last.take() {
            return Poll::Ready(Some(Ok(Frame::data(last))));
        }
        let Some(file) = self.file.as_mut() else {
            return Poll::Ready(None);
        };
        let chunk = file.next_chunk();
        if file.remaining() == 0 {
            self.file = None;
        }
        // hyper asks for the next chunk once the last one is (mostly) written: progress.
        if let Some(guard) = &self.in_flight {
            guard.progress();
        }
        Poll::Ready(chunk.map(|c| c.map(Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.last.is_none() && self.file.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len())
    }
}
