//! A media file's type from its first bytes (magic numbers), not its name: a podcast
//! directory trusts the enclosure's `type`, and a renamed or mislabelled file must not go out
//! under the wrong one. The extension only settles what the bytes leave open (an MP4
//! container holding audio only is `audio/x-m4a` when named `.m4a`).
//!
//! A small hand-written table: the handful of formats podcast apps play, each with the
//! parser (`lofty`) that reads its duration.

use lofty::file::FileType;

use super::mpeg_frame;

/// How many bytes (after any ID3v2 tag) the table looks at.
pub(super) const HEAD_BYTES: usize = 4096;

/// A recognised format: its MIME type and, for audio, the parser that reads its duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Kind {
    pub(super) mime: &'static str,
    pub(super) parser: Option<FileType>,
}

const fn kind(mime: &'static str, parser: Option<FileType>) -> Kind {
    Kind { mime, parser }
}

/// The size of an ID3v2 tag at the start of `head` (header, body and footer), if there is
/// one: MP3 (and some AAC and FLAC) files put tags, cover art included, before the audio.
pub(super) fn id3v2_len(head: &[u8]) -> Option<u64> {
    if head.len() < 10 || &head[..3] != b"ID3" || head[3] == 0xFF || head[4] == 0xFF {
        return None;
    }
    let size = &head[6..10];
    // Sizes are "syncsafe": seven bits per byte.
    if size.iter().any(|b| b & 0x80 != 0) {
        return None;
    }
    let body = size.iter().fold(0u64, |acc, &b| (acc << 7) | u64::from(b));
    let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
    Some(10 + body + footer)
}

/// The format of a file whose first bytes (after any ID3v2 tag) are `head`; `had_id3`
/// says a tag was skipped; `ext` is the file name's extension, lowercase.
pub(super) fn sniff(head: &[u8], had_id3: bool, ext: &str) -> Option<Kind> {
    if head.starts_with(b"fLaC") {
        return Some(kind("audio/flac", Some(FileType::Flac)));
    }
    if head.starts_with(b"OggS") {
        return Some(ogg(head));
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WAVE" {
        return Some(kind("audio/wav", Some(FileType::Wav)));
    }
    if head.len() >= 12 && &head[..4] == b"FORM" && matches!(&head[8..12], b"AIFF" | b"AIFC") {
        return Some(kind("audio/aiff", Some(FileType::Aiff)));
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return Some(iso_media(&head[8..12], ext));
    }
    // QuickTime files older than `ftyp` open with one of these atoms.
    if head.len() >= 8 && matches!(&head[4..8], b"moov" | b"mdat" | b"wide" | b"free") {
        return Some(kind("video/quicktime", Some(FileType::Mp4)));
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Some(matroska(head, ext));
    }
    if head.starts_with(b"%PDF-") {
        return Some(kind("application/pdf", None));
    }
    if head.starts_with(b"PK\x03\x04") && head.get(30..58) == Some(b"mimetypeapplication/epub+zip")
    {
        return Some(kind("application/epub+zip", None));
    }
    mpeg_audio(head, had_id3)
}

/// Ogg: the first packet names the codec.
fn ogg(head: &[u8]) -> Kind {
    // Page header: 27 bytes, then one lacing byte per segment, then the first packet.
    let segments = head.get(26).copied().map_or(0, usize::from);
    let packet = head.get(27 + segments..).unwrap_or(&[]);
    if packet.starts_with(b"OpusHead") {
        // RFC 7845 §9: Ogg Opus files are `audio/ogg` (`audio/opus` is RTP's).
        kind("audio/ogg", Some(FileType::Opus))
    } else if packet.starts_with(b"\x01vorbis") {
        kind("audio/ogg", Some(FileType::Vorbis))
    } else if packet.starts_with(b"Speex   ") {
        kind("audio/ogg", Some(FileType::Speex))
    } else if packet.starts_with(b"\x80theora") {
        kind("video/ogg", None)
    } else {
        kind("audio/ogg", None)
    }
}

/// ISO base media (MP4, M4A, QuickTime, 3GP): the major brand, then the extension.
fn iso_media(brand: &[u8], ext: &str) -> Kind {
    let mp4 = Some(FileType::Mp4);
    match brand {
        b"M4A " | b"M4B " | b"M4P " => kind("audio/x-m4a", mp4),
        b"M4V " | b"M4VH" | b"M4VP" => kind("video/x-m4v", mp4),
        b"qt  " => kind("video/quicktime", mp4),
        _ if brand.starts_with(b"3g") => kind("video/3gpp", mp4),
        // Generic brands (isom, mp41, mp42, dash, …) say nothing about audio or video.
        _ => match ext {
            "m4a" | "m4b" | "aac" => kind("audio/x-m4a", mp4),
            "m4v" => kind("video/x-m4v", mp4),
            "mov" => kind("video/quicktime", mp4),
            _ => kind("video/mp4", mp4),
        },
    }
}

/// Matroska/WebM: the EBML header's doc type; audio-only WebM by its extension.
fn matroska(head: &[u8], ext: &str) -> Kind {
    let webm = head
        .get(..64.min(head.len()))
        .is_some_and(|h| h.windows(4).any(|w| w == b"webm"));
    match (webm, ext) {
        (true, "weba") => kind("audio/webm", None),
        (true, _) => kind("video/webm", None),
        (false, "mka") => kind("audio/x-matroska", None),
        (false, _) => kind("video/x-matroska", None),
    }
}

/// MPEG audio (MP3, MP2) or ADTS AAC: a frame header, confirmed by the next one when it is
/// within `head` (two random bytes may look like one header; two in a row rarely do).
/// After an ID3v2 tag the first frame may sit a little further on (padding); without one
/// it must open the file, so text files never pass.
fn mpeg_audio(head: &[u8], had_id3: bool) -> Option<Kind> {
    let search = if had_id3 {
        head.len().min(HEAD_BYTES)
    } else {
        1
    };
    (0..search).find_map(|at| {
        let rest = head.get(at..)?;
        if let Some(len) = mpeg_frame::parse(rest).map(|f| f.len) {
            let confirmed = match rest.get(len..) {
                Some(next) if next.len() >= 4 => mpeg_frame::parse(next).is_some(),
                _ => true,
            };
            return confirmed.then_some(kind("audio/mpeg", Some(FileType::Mpeg)));
        }
        if let Some(len) = adts_frame_len(rest) {
            let confirmed = match rest.get(len..) {
                Some(next) if next.len() >= 7 => adts_frame_len(next).is_some(),
                _ => true,
            };
            return confirmed.then_some(kind("audio/aac", Some(FileType::Aac)));
        }
        None
    })
}

/// The length of the ADTS (raw AAC) frame whose header opens `b`, if it is one.
fn adts_frame_len(b: &[u8]) -> Option<usize> {
    let &[b0, b1, b2, b3, b4, b5, _, ..] = b else {
        return None;
    };
    if b0 != 0xFF || b1 & 0xF6 != 0xF0 || (b2 >> 2) & 0x0F > 12 {
        return None;
    }
    let len = (usize::from(b3 & 0b11) << 11) | (usize::from(b4) << 3) | usize::from(b5 >> 5);
    (len >= 7).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id3v2_length_is_syncsafe_and_counts_the_footer() {
        assert_eq!(
            id3v2_len(b"ID3\x04\x00\x00\x00\x00\x02\x01rest"),
            Some(10 + 257)
        );
        assert_eq!(id3v2_len(b"ID3\x04\x00\x10\x00\x00\x00\x05rest"), Some(25));
        assert_eq!(id3v2_len(b"ID3\x04\x00\x00\x80\x00\x00\x00"), None);
        assert_eq!(id3v2_len(b"not a tag at all"), None);
    }

    #[test]
    fn brands_decide_and_the_extension_breaks_ties() {
        let ftyp = |brand: &[u8; 4]| {
            let mut b = b"\0\0\0\x20ftyp".to_vec();
            b.extend_from_slice(brand);
            b.extend_from_slice(&[0; 16]);
            b
        };
        assert_eq!(
            sniff(&ftyp(b"M4A "), false, "mp4").unwrap().mime,
            "audio/x-m4a"
        );
        assert_eq!(
            sniff(&ftyp(b"isom"), false, "mp4").unwrap().mime,
            "video/mp4"
        );
        assert_eq!(
            sniff(&ftyp(b"isom"), false, "m4a").unwrap().mime,
            "audio/x-m4a"
        );
        assert_eq!(
            sniff(&ftyp(b"qt  "), false, "mp4").unwrap().mime,
            "video/quicktime"
        );
    }

    #[test]
    fn text_is_not_audio_even_when_it_starts_with_ff() {
        assert_eq!(sniff(b"# Episode notes\n\nHello", false, "mp3"), None);
        assert_eq!(sniff(&[0xFF, 0xFF, 0xFF, 0xFF, 0, 0], false, "mp3"), None);
        assert_eq!(sniff(b"", false, "mp3"), None);
    }
}
