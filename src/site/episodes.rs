//! The media of published episodes (SPEC §11): each local enclosure's file looked at —
//! size, type, duration — and whether it is complete, so an episode is published only once
//! its article and its media are both there; remote enclosures are taken as written.
//!
//! A local media file is complete when it can be read as media and, in the daemon, has not
//! changed for `podcast.media_settle_ms` (its modification time is at least that old): a
//! file still being copied in keeps changing, and a player given a half-copied file would
//! stop halfway. Until then the episode is left out of every feed, with a warning; the
//! daemon wakes when the settle time has passed ([`EpisodeMedia::next_look`]). The one-shot
//! commands (`build`, `check`) do not wait. Looks are cached by size and modification time,
//! so a reload reads only the files that changed (`stat` for the rest).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::config::Config;
use crate::content::{Article, Enclosure, MediaRef};
use crate::diag::Diagnostic;
use crate::feed::{media_url, EpisodeMedia as FeedMedia, EpisodeMediaMap};

/// What one look at a media file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Probed {
    pub length: u64,
    pub mime: &'static str,
    pub duration: Option<Duration>,
    pub modified: SystemTime,
}

/// Why a media file cannot be published (yet).
pub(crate) fn probe(path: &Path) -> Result<Probed, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "is missing".to_string(),
        _ => format!("cannot be read: {e}"),
    })?;
    if !meta.is_file() {
        return Err("is not a file".into());
    }
    if meta.len() == 0 {
        return Err("is empty".into());
    }
    let mut head = [0u8; 12];
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let n = file
        .read(&mut head)
        .map_err(|e| format!("cannot be read: {e}"))?;
    let mime = sniff(&head[..n])
        .ok_or("is not a media file feedwright knows (MP3, M4A/MP4, Ogg, WAV, FLAC)")?;
    Ok(Probed {
        length: meta.len(),
        mime,
        duration: None,
        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
    })
}

/// The media type from a file's first bytes.
fn sniff(head: &[u8]) -> Option<&'static str> {
    match head {
        [b'I', b'D', b'3', ..] => Some("audio/mpeg"),
        [0xFF, b, ..] if b & 0xE0 == 0xE0 => Some("audio/mpeg"),
        [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] => Some(match brand {
            [b'M', b'4', b'A', ..] | [b'M', b'4', b'B', ..] => "audio/x-m4a",
            [b'q', b't', ..] => "video/quicktime",
            _ => "video/mp4",
        }),
        [b'O', b'g', b'g', b'S', ..] => Some("audio/ogg"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'A', b'V', b'E', ..] => Some("audio/wav"),
        [b'f', b'L', b'a', b'C', ..] => Some("audio/flac"),
        _ => None,
    }
}

/// An image's width and height in pixels (the artwork check).
pub(crate) fn image_size(path: &Path) -> Result<(u32, u32), String> {
    let size = imagesize::size(path).map_err(|e| match e {
        imagesize::ImageError::IoError(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "is missing".to_string()
        }
        imagesize::ImageError::IoError(e) => format!("cannot be read: {e}"),
        _ => "is not an image feedwright can read (JPEG or PNG)".to_string(),
    })?;
    let side = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok((side(size.width), side(size.height)))
}

/// A media file as published: where it is and what a look found.
#[derive(Debug, Clone)]
pub(crate) struct PublishedFile {
    /// Path under `content.dir`, `/`-separated.
    pub path: String,
    pub fs_path: PathBuf,
    pub probed: Probed,
}

/// What resolving the published episodes gives.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    /// Media of the episodes that are ready, by article source.
    pub media: EpisodeMediaMap,
    /// Episodes whose media is missing, unreadable or not complete yet: not published.
    pub not_ready: BTreeSet<String>,
    /// The local files the ready episodes reference, for serving.
    pub files: Vec<PublishedFile>,
    /// One warning per episode left out.
    pub diagnostics: Vec<Diagnostic>,
}

/// The media files the site has looked at, kept between reloads.
#[derive(Debug, Default)]
pub(crate) struct EpisodeMedia {
    /// `None`: do not wait for files to settle (one-shot commands).
    settle: Option<Duration>,
    /// Path under `content.dir` → (size, modified, what the look found).
    looks: HashMap<String, (u64, SystemTime, Result<Probed, String>)>,
    /// The earliest moment a file that is still settling becomes complete.
    next_look: Option<SystemTime>,
    /// The last complete look of each file.
    complete: HashMap<String, Probed>,
}

impl EpisodeMedia {
    pub(crate) fn new(settle: Option<Duration>) -> Self {
        Self {
            settle,
            ..Self::default()
        }
    }

    /// When the daemon should look again (a file was still settling).
    pub(crate) fn next_look(&self) -> Option<SystemTime> {
        self.next_look
    }

    /// Looks at the media of every published episode in `published`.
    pub(crate) fn resolve(&mut self, config: &Config, published: &[Arc<Article>]) -> Resolved {
        let mut out = Resolved::default();
        self.next_look = None;
        if config.podcast.is_none() {
            return out;
        }
        let wall_now = SystemTime::now();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut looked: BTreeSet<String> = BTreeSet::new();
        for article in published {
            let Some(episode) = &article.episode else {
                continue;
            };
            let Some(enclosure) = &episode.enclosure else {
                continue;
            };
            let transcript = episode.transcript.as_ref().map(|t| {
                let url = match &t.at {
                    MediaRef::Remote(url) => url.to_string(),
                    MediaRef::Local(path) => media_url(config, path).to_string(),
                };
                (url, t.mime)
            });
            let (url, length, mime, file_duration) = match enclosure {
                Enclosure::Remote { url, length, mime } => {
                    (url.to_string(), *length, mime.clone(), None)
                }
                Enclosure::Local(path) => {
                    let fs_path = config.content.dir.join(path);
                    looked.insert(path.clone());
                    let look = self.look(path, &fs_path, wall_now);
                    match look {
                        Ok(probed) => {
                            if seen.insert(path.clone()) {
                                out.files.push(PublishedFile {
                                    path: path.clone(),
                                    fs_path,
                                    probed: probed.clone(),
                                });
                            }
                            (
                                media_url(config, path).to_string(),
                                probed.length,
                                probed.mime.to_string(),
                                probed.duration.map(|d| d.as_secs()),
                            )
                        }
                        Err(why) => {
                            out.diagnostics.push(Diagnostic::warning(
                                Path::new(&article.source),
                                1,
                                1,
                                format!("media file `{path}` {why}: the episode is not published until it is complete"),
                            ));
                            out.not_ready.insert(article.source.clone());
                            continue;
                        }
                    }
                }
            };
            out.media.insert(
                article.source.clone(),
                FeedMedia {
                    url,
                    length,
                    mime,
                    duration: episode.duration.or(file_duration),
                    transcript,
                },
            );
        }
        // Forget files no episode references any more.
        self.looks.retain(|path, _| looked.contains(path));
        self.complete.retain(|path, _| looked.contains(path));
        out.files.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// One file: the cached look when size and modification time are unchanged, else a new
    /// one; complete only once it has settled.
    fn look(&mut self, path: &str, fs_path: &Path, wall_now: SystemTime) -> Result<Probed, String> {
        let stat = std::fs::metadata(fs_path)
            .ok()
            .map(|m| (m.len(), m.modified().unwrap_or(SystemTime::UNIX_EPOCH)));
        let probed = match (stat, self.looks.get(path)) {
            (Some((len, modified)), Some((l, m, result))) if *l == len && *m == modified => {
                result.clone()
            }
            (Some((len, modified)), _) => {
                let result = probe(fs_path);
                self.looks
                    .insert(path.to_string(), (len, modified, result.clone()));
                result
            }
            (None, _) => probe(fs_path),
        }?;
        if let Some(settle) = self.settle {
            let ready_at = probed.modified + settle;
            if ready_at > wall_now {
                self.next_look = Some(self.next_look.map_or(ready_at, |t| t.min(ready_at)));
                // A published file being replaced keeps its last complete look until the
                // new one has settled: the episode does not vanish from the feeds meanwhile.
                if let Some(last) = self.complete.get(path) {
                    return Ok(last.clone());
                }
                return Err(
                    "is still being written (changed less than `podcast.media_settle_ms` ago)"
                        .into(),
                );
            }
        }
        self.complete.insert(path.to_string(), probed.clone());
        Ok(probed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_come_from_the_header() {
        assert_eq!(sniff(b"ID3\x04\0\0\0\0\0\0\0\0"), Some("audio/mpeg"));
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x64]), Some("audio/mpeg"));
        assert_eq!(sniff(b"\0\0\0\x20ftypM4A \0\0"), Some("audio/x-m4a"));
        assert_eq!(sniff(b"\0\0\0\x20ftypisom\0\0"), Some("video/mp4"));
        assert_eq!(sniff(b"OggS\0\x02"), Some("audio/ogg"));
        assert_eq!(sniff(b"<html>"), None);
    }
}
