//! The socket side of media downloads over HTTP/1.1 (Linux): placeholder slices in hyper's
//! writes become `sendfile(2)` calls from the file region they stand for (see
//! [`super::file_body`] for why the order makes this exact). A placeholder is never
//! written from memory: if its region is missing or the file cannot be sent, the write
//! fails and the connection closes (the client resumes with `Range`).
//!
//! While file bytes go out the socket is corked (`TCP_CORK`, as nginx does for files): the
//! kernel then sends only full segments, where the connection's usual `TCP_NODELAY` (kept
//! for small responses) sends every sliver of window a slow reader opens as its own
//! segment, and the reader wakes for each. When no file bytes are left to send the cork
//! comes off, which pushes out the last partial segment at once.

use std::io::{self, IoSlice};
use std::task::{Context, Poll};

use tokio::net::TcpStream;

use super::file_body::{is_placeholder, FileRegions};

/// The index of the first placeholder slice in `bufs`, if any.
pub(super) fn first_placeholder(bufs: &[IoSlice<'_>]) -> Option<usize> {
    bufs.iter().position(|buf| is_placeholder(buf))
}

/// Sends `head` (the response head or the tail of earlier bytes, if any), then up to `len`
/// bytes of the front file region; returns how many bytes of the two went out, as a
/// vectored write would.
pub(super) fn poll_send(
    stream: &TcpStream,
    cx: &mut Context<'_>,
    head: Option<&IoSlice<'_>>,
    len: usize,
    regions: &FileRegions,
    corked: &mut bool,
) -> Poll<io::Result<usize>> {
    if !*corked {
        // Best effort: a failure only costs speed.
        let _ = rustix::net::sockopt::set_tcp_cork(stream, true);
        *corked = true;
    }
    let Some((file, offset, region_len)) = regions.front() else {
        return Poll::Ready(Err(io::Error::other(
            "placeholder bytes without a file region to send",
        )));
    };
    let len = usize::try_from(region_len).map_or(len, |r| r.min(len));
    let head_len = head.map_or(0, |h| h.len());
    match super::sendfile::poll_send(stream, cx, head, &file, offset, len) {
        Some(Poll::Ready(Ok(sent))) => {
            let body = sent.saturating_sub(head_len);
            if sent == 0 {
                // Nothing to send though bytes were promised: the file got shorter.
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "media file shorter than when it was opened",
                )));
            }
            regions.advance(body as u64);
            if regions.is_empty() {
                let _ = rustix::net::sockopt::set_tcp_cork(stream, false);
                *corked = false;
            }
            Poll::Ready(Ok(sent))
        }
        Some(other) => other,
        None => Poll::Ready(Err(io::Error::other("sendfile of a media file failed"))),
    }
}
