//! Encodings of a body, computed once per content change: gzip and brotli with settings
//! chosen for reload time, and the digest behind every ETag. Deterministic: the same bytes
//! in give the same bytes and tags out, on every replica.

use std::io::Write;

use sha2::{Digest, Sha256};

/// gzip level: 9 is ~60% slower than 6 for ~0.3% smaller feeds; a live reload waits for it.
const GZIP_LEVEL: u32 = 6;
/// brotli quality: at 9 and above the encoder allocates and zeroes ~32 MiB per call whatever
/// the body size (~29 ms per 180 KB feed, ~20 ms even for the 5 KB page, and a 50 MiB memory
/// peak per reload); 5 is ~7x faster with output within 0.2-1.7% of quality 9.
const BROTLI_QUALITY: u32 = 5;
const BROTLI_LGWIN: u32 = 22;
/// The smallest brotli window used. At quality 5 a window of 2^16 or less switches the
/// encoder to a hasher that allocates and zeroes 32 MiB per call: 5-20x slower on small
/// bodies (5 ms instead of 0.7 for the index page) and slightly larger output. From 2^17 on
/// the hasher takes 1 MiB.
const BROTLI_MIN_LGWIN: u32 = 17;
/// Hex characters of the SHA-256 kept in an ETag: 80 bits, plenty against collisions.
pub(super) const ETAG_HEX_LEN: usize = 20;

/// SHA-256 of the content type and the identity bytes: tells whether a route's bytes
/// changed, and is the source of its ETags.
pub(super) fn digest(content_type: &str, body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(content_type.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hasher.finalize().into()
}

/// The hex digits shared by every ETag of a body: the first [`ETAG_HEX_LEN`] of `digest`.
pub(super) fn tag_base(digest: &[u8; 32]) -> Box<str> {
    hex(&digest[..ETAG_HEX_LEN / 2]).into()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// The daemon's gzip: level [`GZIP_LEVEL`] with a fixed header (mtime 0, no name, OS
/// "unknown"), so the bytes depend only on the input. Public for the reload benchmark.
pub fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(
            Vec::with_capacity(body.len() / 3 + 64),
            flate2::Compression::new(GZIP_LEVEL),
        );
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// The daemon's brotli: quality [`BROTLI_QUALITY`], window sized to the body. Public for the
/// reload benchmark.
pub fn brotli(body: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY as i32,
        lgwin: brotli_window_bits(body.len()),
        // Lets the encoder size its hash tables for this body, not for the worst case.
        size_hint: body.len(),
        ..Default::default()
    };
    let mut writer = brotli::CompressorWriter::with_params(
        Vec::with_capacity(body.len() / 4 + 64),
        4096,
        &params,
    );
    let _ = writer.write_all(body);
    let _ = writer.flush();
    writer.into_inner()
}

/// The smallest brotli window that holds all of `len` bytes, within
/// [`BROTLI_MIN_LGWIN`]..=[`BROTLI_LGWIN`]: a larger one compresses no better, and the
/// encoder allocates its ring buffer to match (8 MiB for the largest window, allocated and
/// freed on every reload).
fn brotli_window_bits(len: usize) -> i32 {
    // A window of `bits` holds 2^bits - 16 bytes.
    (BROTLI_MIN_LGWIN..BROTLI_LGWIN)
        .find(|bits| (1usize << bits) - 16 >= len)
        .unwrap_or(BROTLI_LGWIN) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn brotli_window_fits_the_body_but_never_drops_to_the_32_mib_hasher() {
        // Windows of 2^16 and less make quality 5 use a hasher of 32 MiB.
        assert_eq!(brotli_window_bits(0), 17);
        assert_eq!(brotli_window_bits(5_000), 17);
        assert_eq!(brotli_window_bits((1 << 17) - 16), 17);
        assert_eq!(brotli_window_bits((1 << 17) - 15), 18);
        assert_eq!(brotli_window_bits(175_000), 18);
        assert_eq!(brotli_window_bits(100 << 20), BROTLI_LGWIN as i32);
        // Whatever the window, the bytes round-trip.
        for len in [0, 10, 70_000, 300_000] {
            let body: Vec<u8> = (0..len).map(|i| b"feed words "[i % 11]).collect();
            let mut back = Vec::new();
            brotli::Decompressor::new(&brotli(&body)[..], 4096)
                .read_to_end(&mut back)
                .expect("unbrotli");
            assert_eq!(back, body, "{len} bytes");
        }
    }
}
