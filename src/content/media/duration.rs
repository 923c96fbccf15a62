//! A media file's playing time, read with `lofty`: MP3 from its Xing/Info header, or from
//! its frames and bit rate when it has none; MP4/M4A from the movie header; Ogg, FLAC, WAV
//! and AIFF from their stream headers. Tags (and the cover art inside them) are not read.
//!
//! The VBRI header (Fraunhofer encoders) is read here: it always sits 32 bytes after the
//! first frame's header, where `lofty` only looks in MPEG-1 stereo files, and a VBR file
//! measured by its first frame's bit rate instead gets a wrong duration.

use std::fs::File;
use std::io::BufReader;
use std::time::Duration;

use lofty::config::ParseOptions;
use lofty::file::{AudioFile, FileType};
use lofty::probe::Probe;

use super::mpeg_frame;

/// The duration of `file` read as `parser`'s format; `Err` says why it could not be read.
/// `Ok(None)`: the file parsed but states no duration. `head` is the file's first bytes
/// after any ID3v2 tag.
pub(super) fn duration(
    file: File,
    parser: FileType,
    head: &[u8],
) -> Result<Option<Duration>, String> {
    if parser == FileType::Mpeg {
        if let Some(d) = vbri(head) {
            return Ok(Some(d));
        }
    }
    let options = ParseOptions::new()
        .read_properties(true)
        .read_tags(false)
        .read_cover_art(false);
    let tagged = Probe::with_file_type(BufReader::new(file), parser)
        .options(options)
        .read()
        .map_err(|e| e.to_string())?;
    let d = tagged.properties().duration();
    Ok((!d.is_zero()).then_some(d))
}

/// The duration a VBRI header in the first frame states: its frame count times the
/// samples per frame.
fn vbri(head: &[u8]) -> Option<Duration> {
    let frame = mpeg_frame::parse(head)?;
    let vbri = head.get(36..54)?;
    if &vbri[..4] != b"VBRI" {
        return None;
    }
    let frames = u32::from_be_bytes(vbri[14..18].try_into().ok()?);
    if frames == 0 {
        return None;
    }
    let samples = u64::from(frames) * u64::from(frame.samples);
    let micros = samples * 1_000_000 / u64::from(frame.rate);
    Some(Duration::from_micros(micros))
}
