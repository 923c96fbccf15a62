//! Zero-copy writes of large pre-built bodies (Linux): `sendfile(2)` from the snapshot's
//! [`BodyFile`](crate::snapshot::body_file::BodyFile)s instead of `writev(2)` from memory.
//!
//! hyper writes a response as one vectored write: the head, then the body slice, which
//! points straight into the snapshot's `Bytes`. [`poll_write_vectored`] recognises such a
//! slice by its address (it lies inside a body the connection noted with its file, see
//! [`super::body_files`]), sends the head with
//! `MSG_MORE` so it leaves in the same packet as the body, and lets the kernel send the
//! body from the file's pages. The 175 KB identity feed then costs the kernel no copy from
//! user memory, which is most of what serving it costs (nginx serves files the same way).
//!
//! h2 DATA frames whose payload points into such a body go out the same way (the frame
//! header is the "head"). Anything it does not recognise (a body pushed out of the connection's
//! recent ones, a body without a file: see [`BodyFile`](crate::snapshot::body_file::BodyFile) for which get one) is
//! written as usual, and so is a body whose `sendfile` fails before sending anything. The
//! address check is exact: a slice is only matched while the noted entry keeps its bytes
//! alive, and the file holds the same bytes and is never written again.

use std::io::{self, IoSlice};
use std::task::{ready, Context, Poll};

use rustix::net::SendFlags;
use tokio::io::Interest;
use tokio::net::TcpStream;

use super::body_files::RecentBodyFiles;

/// Slices shorter than this are never looked up: the response head, small bodies, and the
/// short tail of a body after a partial write are cheaper to copy than to look up.
pub(super) const MIN_SLICE: usize = 4096;

/// Whether any of `bufs` is worth looking up (saves loading the snapshot for a 304).
pub(super) fn worth_trying(bufs: &[IoSlice<'_>]) -> bool {
    bufs.iter().any(|buf| buf.len() >= MIN_SLICE)
}

/// Writes `bufs` to `stream` with `sendfile` for a slice that lies in one of the bodies
/// `files` noted; `None` when no slice does (the caller writes them as usual).
pub(super) fn poll_write_vectored(
    stream: &TcpStream,
    cx: &mut Context<'_>,
    bufs: &[IoSlice<'_>],
    files: &RecentBodyFiles,
) -> Option<Poll<io::Result<usize>>> {
    let index = bufs.iter().position(|buf| buf.len() >= MIN_SLICE)?;
    let head = match index {
        0 => None,
        // The response head (or an h2 frame header): sent first, held back (`MSG_MORE`)
        // to go out with the body.
        1 => Some(&bufs[0]),
        // Several slices before the body (not what hyper does for our responses): write
        // them the usual way; the body comes in the next call.
        _ => return None,
    };
    let body = &bufs[index];
    files
        .with_file(body, |file, offset| {
            poll_send(stream, cx, head, file.file(), offset, body.len())
        })
        .flatten()
}

/// Sends `head` (if any) then `len` bytes of `file` from `offset`; returns how many bytes
/// of the two went out, as a vectored write would, or `None` when `sendfile` failed before
/// anything went out (the caller then writes the slices from memory).
pub(super) fn poll_send(
    stream: &TcpStream,
    cx: &mut Context<'_>,
    head: Option<&IoSlice<'_>>,
    file: &std::fs::File,
    offset: u64,
    len: usize,
) -> Option<Poll<io::Result<usize>>> {
    let mut sent = 0;
    if let Some(head) = head {
        sent = match poll_io(stream, cx, || {
            rustix::net::send(stream, head, SendFlags::MORE | SendFlags::NOSIGNAL)
        }) {
            Poll::Ready(Ok(n)) => n,
            other => return Some(other),
        };
        if sent < head.len() {
            return Some(Poll::Ready(Ok(sent)));
        }
    }
    let mut at = offset;
    Some(
        match poll_io(stream, cx, || {
            rustix::fs::sendfile(stream, file, Some(&mut at), len)
        }) {
            Poll::Ready(Ok(n)) => Poll::Ready(Ok(sent + n)),
            // The head went out: report it; the body follows in the next call.
            Poll::Pending if sent > 0 => Poll::Ready(Ok(sent)),
            Poll::Ready(Err(_)) if sent > 0 => Poll::Ready(Ok(sent)),
            // The file side may have failed (an I/O error reading it back, a filesystem
            // that cannot splice): the same bytes are in memory, so write them as usual. A
            // broken connection fails that write just the same.
            Poll::Ready(Err(error)) => {
                tracing::debug!(%error, "sendfile failed; writing the body from memory");
                return None;
            }
            Poll::Pending => Poll::Pending,
        },
    )
}

/// Runs a non-blocking socket write when tokio says the socket is writable, registering for
/// the next writable event when it would block.
fn poll_io(
    stream: &TcpStream,
    cx: &mut Context<'_>,
    mut write: impl FnMut() -> rustix::io::Result<usize>,
) -> Poll<io::Result<usize>> {
    loop {
        ready!(stream.poll_write_ready(cx))?;
        match stream.try_io(Interest::WRITABLE, || write().map_err(io::Error::from)) {
            // `try_io` cleared the readiness: the next `poll_write_ready` waits for it.
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
            result => return Poll::Ready(result),
        }
    }
}
