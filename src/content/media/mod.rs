//! Podcast media files as a feed and the server need them: size, type, duration,
//! modification time and a strong ETag ([`probe`]), and the pixel size of artwork
//! ([`image_size`]).
//!
//! The type comes from the file's first bytes ([`sniff`]), the duration from the audio
//! headers ([`duration`], with `lofty`); the bytes themselves are never held in memory and
//! never hashed whole, so a multi-gigabyte episode costs a few reads.

mod duration;
mod error;
mod image;
mod mpeg_frame;
mod sniff;

use std::fs::{File, Metadata};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

pub use self::error::MediaError;
pub use self::image::image_size;

/// What a feed and the server need to know about one media file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaInfo {
    /// Size in bytes.
    pub length: u64,
    /// MIME type from the file's header bytes (e.g. `audio/mpeg`, `audio/x-m4a`).
    pub mime: &'static str,
    /// Playing time, when the format states one.
    pub duration: Option<Duration>,
    pub modified: SystemTime,
    /// Strong, quoted entity tag (see [`etag`]).
    pub etag: String,
}

/// Size, type, duration, modification time and ETag of the media file at `path`.
pub fn probe(path: &Path) -> Result<MediaInfo, MediaError> {
    let mut file = File::open(path).map_err(MediaError::io)?;
    let meta = file.metadata().map_err(MediaError::io)?;
    if !meta.is_file() {
        return Err(MediaError::NotAFile);
    }
    if meta.len() == 0 {
        return Err(MediaError::Empty);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let (head, had_id3) = read_head(&mut file)?;
    let kind = match sniff::sniff(&head, had_id3, &ext) {
        Some(kind) => kind,
        // A tag with nothing playable after it: an MP3 cut short.
        None if had_id3 => {
            return Err(MediaError::Damaged {
                mime: "audio/mpeg",
                reason: "no audio frames after the ID3 tag".into(),
            })
        }
        None => return Err(MediaError::UnknownType),
    };
    let duration = match kind.parser {
        Some(parser) => {
            file.rewind().map_err(MediaError::io)?;
            duration::duration(file, parser, &head).map_err(|reason| MediaError::Damaged {
                mime: kind.mime,
                reason,
            })?
        }
        None => None,
    };
    Ok(MediaInfo {
        length: meta.len(),
        mime: kind.mime,
        duration,
        modified: meta.modified().map_err(MediaError::io)?,
        etag: etag(&meta),
    })
}

/// A strong, quoted entity tag from the file's size, modification time (nanoseconds) and
/// inode: it changes when the file is rewritten or replaced (a rename brings a new inode),
/// without reading the content. The server computes it again from the file it opens, so
/// the feed's tag and the served one agree.
pub(crate) fn etag(meta: &Metadata) -> String {
    let mtime_ns = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
    format!("\"{:x}-{:x}-{:x}\"", meta.len(), mtime_ns, meta.ino())
}

/// The first bytes after any ID3v2 tag(s), and whether a tag was skipped.
fn read_head(file: &mut File) -> Result<(Vec<u8>, bool), MediaError> {
    let mut offset = 0u64;
    let mut had_id3 = false;
    // A few stacked tags at most; more is not a real file.
    for _ in 0..4 {
        let head = read_at(file, offset)?;
        match sniff::id3v2_len(&head) {
            Some(len) => {
                had_id3 = true;
                offset += len;
            }
            None => return Ok((head, had_id3)),
        }
    }
    Ok((Vec::new(), had_id3))
}

fn read_at(file: &mut File, offset: u64) -> Result<Vec<u8>, MediaError> {
    file.seek(SeekFrom::Start(offset)).map_err(MediaError::io)?;
    let mut head = Vec::with_capacity(sniff::HEAD_BYTES);
    file.take(sniff::HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(MediaError::io)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/media")
            .join(name)
    }

    fn probed(name: &str) -> MediaInfo {
        probe(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn each_fixture_has_its_type_and_duration() {
        // (file, type, seconds as ffprobe reports them)
        let cases = [
            ("cbr-no-xing.mp3", "audio/mpeg", 3.096),
            ("vbr-xing.mp3", "audio/mpeg", 3.096),
            ("vbri.mp3", "audio/mpeg", 3.096),
            ("episode.m4a", "audio/x-m4a", 3.0),
            ("audio-only.mp4", "video/mp4", 3.0),
            ("episode.opus", "audio/ogg", 3.0065),
            ("episode.flac", "audio/flac", 1.0),
            ("episode.wav", "audio/wav", 1.0),
        ];
        for (name, mime, seconds) in cases {
            let info = probed(name);
            assert_eq!(info.mime, mime, "{name}");
            let got = info.duration.map(|d| d.as_secs_f64());
            let ok = got.is_some_and(|g| (g - seconds).abs() < 0.1);
            assert!(ok, "{name}: duration {got:?}, want {seconds} s");
            let len = std::fs::metadata(fixture(name)).map(|m| m.len()).ok();
            assert_eq!(Some(info.length), len, "{name}");
        }
    }

    #[test]
    fn the_extension_only_breaks_a_tie() {
        let dir = tempfile::tempdir().unwrap();
        // An MP4 with a generic brand named .m4a is audio; an MP3 named .m4a stays MP3.
        let m4a = dir.path().join("renamed.m4a");
        std::fs::copy(fixture("audio-only.mp4"), &m4a).unwrap();
        assert_eq!(probe(&m4a).unwrap().mime, "audio/x-m4a");
        let mp3 = dir.path().join("really-an-mp3.m4a");
        std::fs::copy(fixture("vbr-xing.mp3"), &mp3).unwrap();
        assert_eq!(probe(&mp3).unwrap().mime, "audio/mpeg");
    }

    #[test]
    fn unusable_files_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let err = |p: &Path| probe(p).err().map(|e| e.to_string()).unwrap_or_default();

        assert!(matches!(
            probe(&fixture("notes.mp3")),
            Err(MediaError::UnknownType)
        ));
        assert!(matches!(
            probe(&dir.path().join("gone.mp3")),
            Err(MediaError::Missing)
        ));
        assert_eq!(err(&dir.path().join("gone.mp3")), "the file does not exist");
        assert!(matches!(probe(dir.path()), Err(MediaError::NotAFile)));

        let empty = dir.path().join("empty.mp3");
        std::fs::write(&empty, b"").unwrap();
        assert!(matches!(probe(&empty), Err(MediaError::Empty)));

        // An M4A cut short before its movie header (still being copied): its type is known,
        // its duration is not, and it is refused.
        let m4a = std::fs::read(fixture("episode.m4a")).unwrap();
        let cut = dir.path().join("cut.m4a");
        std::fs::write(&cut, &m4a[..m4a.len() / 2]).unwrap();
        let e = probe(&cut).unwrap_err();
        assert!(
            matches!(
                e,
                MediaError::Damaged {
                    mime: "audio/x-m4a",
                    ..
                }
            ),
            "{e}"
        );

        // An MP3 cut inside its ID3 tag.
        let mp3 = std::fs::read(fixture("vbr-xing.mp3")).unwrap();
        let cut = dir.path().join("cut.mp3");
        std::fs::write(&cut, &mp3[..20]).unwrap();
        assert!(matches!(
            probe(&cut),
            Err(MediaError::Damaged {
                mime: "audio/mpeg",
                ..
            })
        ));
    }

    #[test]
    fn etag_changes_when_the_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ep.mp3");
        std::fs::copy(fixture("cbr-no-xing.mp3"), &path).unwrap();
        let first = probed_at(&path);
        assert!(first.etag.starts_with('"') && first.etag.ends_with('"'));
        assert_eq!(probed_at(&path).etag, first.etag, "stable while unchanged");
        // Same size, new inode (the usual "copy then rename" replacement).
        let tmp = dir.path().join("ep.mp3.part");
        std::fs::copy(fixture("cbr-no-xing.mp3"), &tmp).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        assert_ne!(probed_at(&path).etag, first.etag);
    }

    fn probed_at(path: &Path) -> MediaInfo {
        probe(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn artwork_size_from_the_header() {
        assert_eq!(image_size(&fixture("cover.png")).unwrap(), (3000, 3000));
        assert_eq!(image_size(&fixture("wide.jpg")).unwrap(), (320, 200));
        assert!(matches!(
            image_size(&fixture("notes.mp3")),
            Err(MediaError::NotJpegOrPng)
        ));
        assert!(matches!(
            image_size(&fixture("nope.jpg")),
            Err(MediaError::Missing)
        ));
    }
}
