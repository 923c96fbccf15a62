//! Why a media or artwork file cannot be used, in words its author can act on. The caller
//! names the file (a diagnostic's location, a log field), so the messages do not.

/// A media or artwork file that cannot be used.
#[derive(thiserror::Error, Debug)]
pub enum MediaError {
    #[error("the file does not exist")]
    Missing,
    #[error("the file is empty")]
    Empty,
    #[error("not a regular file (a folder, device or other special file)")]
    NotAFile,
    #[error("the file cannot be read: {0}")]
    Unreadable(#[source] std::io::Error),
    #[error("unknown media type: the file's first bytes are not MP3, AAC, M4A/MP4, QuickTime, Ogg, FLAC, WAV, AIFF, WebM, PDF or EPUB")]
    UnknownType,
    /// The header names a format but the rest cannot be read: cut short (still being
    /// copied?) or damaged.
    #[error("looks like {mime} but cannot be read (cut short or damaged): {reason}")]
    Damaged { mime: &'static str, reason: String },
    #[error("not a JPEG or PNG image")]
    NotJpegOrPng,
}

impl MediaError {
    /// Sorts an IO error: a missing file is told apart from one that cannot be read.
    pub(crate) fn io(e: std::io::Error) -> MediaError {
        match e.kind() {
            std::io::ErrorKind::NotFound => MediaError::Missing,
            _ => MediaError::Unreadable(e),
        }
    }
}
