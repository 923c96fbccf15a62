//! The bound on what one article may render to. Markdown multiplies some input: each 4-byte
//! `[^a]` becomes a `<sup><a href="PERMALINK#fn-…">N</a></sup>` of 100 bytes or more, each
//! `[](x)` a link with the whole permalink in it, so a 4 MiB file of footnote references
//! gave 149 MB of Atom. The passes write into buffers that refuse to grow past the bound,
//! so memory is bounded by configuration (`content.max_file_bytes`), not by the input.

use std::fmt;
use std::io;

/// How many times `content.max_file_bytes` the rendered content of one article may be. Prose
/// renders to about its own size (tags add a little, sanitizing an HTML body takes some
/// away), so a file at the size limit still publishes; past twice that only escaping or
/// expansion can take it (a body of `<`, each 4 bytes out). Every document holding the
/// article carries it, so this bounds what one file costs every feed, and the reload that
/// writes and compresses them all (under a second at the bound).
pub(crate) const RENDERED_PER_INPUT_BYTE: usize = 2;

/// The most bytes of HTML one article may render to (content or summary), for a
/// `content.max_file_bytes` of `max_file_bytes`.
pub(crate) fn max_rendered_bytes(max_file_bytes: u64) -> usize {
    usize::try_from(max_file_bytes)
        .unwrap_or(usize::MAX)
        .saturating_mul(RENDERED_PER_INPUT_BYTE)
}

/// Rendering stopped: the HTML would have been over `limit` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the rendered body would be over {limit} bytes ({RENDERED_PER_INPUT_BYTE} × content.max_file_bytes); each footnote reference or relative link adds the article's URL to it; not published"
)]
pub(crate) struct TooLarge {
    pub(crate) limit: usize,
}

/// Whether a body of `body_len` bytes could render to more than `max_bytes`, for an article
/// whose permalink and footnote id start are `url_len` bytes together: the most a byte of
/// Markdown or HTML becomes is a footnote reference or a relative link (3 to 5 bytes that
/// each carry the URL), or an escaped `&` or `"` in a link target (6 bytes). Bodies under
/// this never need to be rendered to know they are within the bound.
pub(crate) fn may_exceed(body_len: usize, url_len: usize, max_bytes: usize) -> bool {
    let per_byte = 12 + (url_len + 64) / 3;
    body_len.saturating_mul(per_byte) > max_bytes
}

/// A `String` that refuses to grow past `max` bytes (for pulldown-cmark's HTML writer).
pub(super) struct BoundedString<'s> {
    pub(super) out: &'s mut String,
    pub(super) max: usize,
}

impl fmt::Write for BoundedString<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.out.len().saturating_add(s.len()) > self.max {
            return Err(fmt::Error);
        }
        self.out.push_str(s);
        Ok(())
    }
}

/// Bytes that refuse to grow past `max` (for ammonia's serializer).
pub(super) struct BoundedBytes {
    pub(super) out: Vec<u8>,
    pub(super) max: usize,
}

impl io::Write for BoundedBytes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.out.len().saturating_add(buf.len()) > self.max {
            return Err(io::Error::other("over the rendered size bound"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `Err` when `html` is over `max` bytes.
pub(super) fn check(html: String, max: usize) -> Result<String, TooLarge> {
    if html.len() > max {
        Err(TooLarge { limit: max })
    } else {
        Ok(html)
    }
}
