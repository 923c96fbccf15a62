//! The media of published episodes (SPEC §11): each local enclosure's file looked at —
//! size, type, duration — and whether it is complete, so an episode is published only once
//! its article and its media are both there; remote enclosures are taken as written.
//!
//! A local media file is complete when it can be read as media and, in the daemon, has not
//! changed for `podcast.media_settle_ms` (its modification time is at least that old): a
//! file still being copied in keeps changing, and a player given a half-copied file would
//! stop halfway. Until then the episode is left out of every feed; the daemon wakes when the settle time has passed ([`EpisodeMedia::next_look`]). The one-shot
//! commands (`build`, `check`) do not wait. Looks are cached by size and modification time,
//! so a reload reads only the files that changed (`stat` for the rest).

use std::collections::{BTreeSet, HashMap};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::config::{Config, PodcastImage};
use crate::content::media::{self, MediaInfo};
use crate::content::{Article, Enclosure, MediaRef};
use crate::diag::Diagnostic;
use crate::feed::{media_url, EpisodeMedia as FeedMedia, EpisodeMediaMap};
use crate::snapshot::media::MediaFile;

/// A file's identity for the look cache: size, modification time, inode.
type Stamp = (u64, SystemTime, u64);

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((
        meta.len(),
        meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        meta.ino(),
    ))
}

/// A file that is served as it is (a transcript, the artwork): size, time and ETag, with
/// the type its name gives.
fn plain_file(path: &Path, mime: &'static str) -> Result<MediaInfo, String> {
    let meta = std::fs::metadata(path).map_err(|e| media::MediaError::io(e).to_string())?;
    if !meta.is_file() {
        return Err(media::MediaError::NotAFile.to_string());
    }
    if meta.len() == 0 {
        return Err(media::MediaError::Empty.to_string());
    }
    Ok(MediaInfo {
        length: meta.len(),
        mime,
        duration: None,
        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        etag: media::etag(&meta),
    })
}

/// The file at `path` under the content root, its symlinks resolved; `Err` when it is
/// missing or leads outside the root (never served).
fn inside_root(root: &Path, real_root: &Path, path: &str) -> Result<PathBuf, String> {
    let full = root.join(path);
    let real = full
        .canonicalize()
        .map_err(|e| media::MediaError::io(e).to_string())?;
    if !real.starts_with(real_root) {
        return Err("leads outside the content directory".into());
    }
    Ok(real)
}

/// Why an episode's media cannot be published now.
enum NotReady {
    /// Changed within the settle time (maybe still being copied in): no message, the
    /// daemon looks again when it has settled.
    Settling,
    /// Missing, empty, unreadable, outside the root or not media: an error on the episode.
    Broken(String),
}

/// What resolving the published episodes gives.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    /// Media of the episodes that are ready, by article source.
    pub media: EpisodeMediaMap,
    /// Episodes whose media is missing, unreadable or not complete yet: not published.
    pub not_ready: BTreeSet<String>,
    /// The local files the ready episodes (and the show) reference, for serving: path
    /// under `content.dir` → file. Empty with `podcast.media_base_url`.
    pub files: Vec<(String, MediaFile)>,
    /// One error per episode left out for a broken media file.
    pub diagnostics: Vec<Diagnostic>,
}

/// The media files the site has looked at, kept between reloads.
#[derive(Debug, Default)]
pub(crate) struct EpisodeMedia {
    /// `None`: do not wait for files to settle (one-shot commands).
    settle: Option<Duration>,
    /// Path under `content.dir` → (size, modified, what the look found).
    /// The file's resolved path is kept with the look: a changed symlink target is a
    /// changed stamp.
    looks: HashMap<String, (Stamp, PathBuf, Result<MediaInfo, String>)>,
    /// The earliest moment a file that is still settling becomes complete.
    next_look: Option<SystemTime>,
    /// The last complete look of each file.
    complete: HashMap<String, MediaInfo>,
    /// What the last resolve found at each local media path (`None`: nothing there), so a
    /// change the watcher missed is still noticed ([`EpisodeMedia::changed_on_disk`]).
    seen: HashMap<String, Option<Stamp>>,
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

    /// Looks at the media of every published episode in `published` (and the show's
    /// artwork, which is served with them).
    pub(crate) fn resolve(&mut self, config: &Config, published: &[Arc<Article>]) -> Resolved {
        let mut out = Resolved::default();
        self.next_look = None;
        self.seen.clear();
        let Some(podcast) = &config.podcast else {
            return out;
        };
        let root = &config.content.dir;
        let real_root = root.canonicalize().unwrap_or_else(|_| root.clone());
        let serve = podcast.media_base_url.is_none();
        let wall_now = SystemTime::now();
        let mut looked: BTreeSet<String> = BTreeSet::new();
        let mut files: std::collections::BTreeMap<String, MediaFile> = Default::default();
        let mut add_file = |path: &str, fs_path: PathBuf, info: MediaInfo| {
            if serve {
                files.insert(path.to_string(), MediaFile { fs_path, info });
            }
        };
        if let Some(PodcastImage::Local(path)) = &podcast.image {
            let mime = if path.to_ascii_lowercase().ends_with(".png") {
                "image/png"
            } else {
                "image/jpeg"
            };
            // A missing or unreadable artwork is `check`'s to report; nothing is served.
            if let Ok(fs_path) = inside_root(root, &real_root, path) {
                if let Ok(info) = plain_file(&fs_path, mime) {
                    add_file(path, fs_path, info);
                }
            }
        }
        for article in published {
            let Some(episode) = &article.episode else {
                continue;
            };
            let Some(enclosure) = &episode.enclosure else {
                continue;
            };
            let (url, length, mime, file_duration) = match enclosure {
                Enclosure::Remote { url, length, mime } => {
                    (url.to_string(), *length, mime.clone(), None)
                }
                Enclosure::Local(path) => {
                    looked.insert(path.clone());
                    match self.look(root, &real_root, path, wall_now) {
                        Ok((fs_path, info)) => {
                            let media = (
                                media_url(config, path).to_string(),
                                info.length,
                                info.mime.to_string(),
                                info.duration.map(|d| d.as_secs()),
                            );
                            add_file(path, fs_path, info);
                            media
                        }
                        Err(NotReady::Settling) => {
                            out.not_ready.insert(article.source.clone());
                            continue;
                        }
                        Err(NotReady::Broken(why)) => {
                            out.diagnostics.push(Diagnostic::error(
                                Path::new(&article.source),
                                1,
                                1,
                                format!("media file `{path}`: {why}; the episode is not published until it is fixed"),
                            ));
                            out.not_ready.insert(article.source.clone());
                            continue;
                        }
                    }
                }
            };
            let transcript = match episode.transcript.as_ref() {
                None => None,
                Some(t) => match &t.at {
                    MediaRef::Remote(url) => Some((url.to_string(), t.mime)),
                    MediaRef::Local(path) => {
                        match inside_root(root, &real_root, path)
                            .and_then(|f| Ok((plain_file(&f, t.mime)?, f)))
                        {
                            Ok((info, fs_path)) => {
                                add_file(path, fs_path, info);
                                Some((media_url(config, path).to_string(), t.mime))
                            }
                            Err(why) => {
                                out.diagnostics.push(Diagnostic::warning(
                                    Path::new(&article.source),
                                    1,
                                    1,
                                    format!("transcript `{path}`: {why}; the episode goes out without it"),
                                ));
                                None
                            }
                        }
                    }
                },
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
        out.files = files.into_iter().collect();
        out
    }

    /// One media file: the cached look while size, modification time and inode are
    /// unchanged, else a new one; complete only once it has settled.
    /// Whether a media file the last resolve looked at is now different on disk (replaced,
    /// removed, come back): a safety net under the watcher, whose events for a file renamed
    /// over and then deleted within one debounce window can fold into none.
    pub(crate) fn changed_on_disk(&self, root: &Path) -> bool {
        self.seen
            .iter()
            .any(|(path, then)| stamp(&root.join(path)) != *then)
    }

    fn look(
        &mut self,
        root: &Path,
        real_root: &Path,
        path: &str,
        wall_now: SystemTime,
    ) -> Result<(PathBuf, MediaInfo), NotReady> {
        // One `stat` when nothing changed; resolving symlinks and probing only for a new
        // or changed file.
        let stamp = stamp(&root.join(path));
        self.seen.insert(path.to_string(), stamp);
        let (fs_path, result) = match (stamp, self.looks.get(path)) {
            (Some(now), Some((then, fs_path, result))) if now == *then => {
                (fs_path.clone(), result.clone())
            }
            (Some(now), _) => {
                let fs_path = inside_root(root, real_root, path).map_err(NotReady::Broken)?;
                let result = media::probe(&fs_path).map_err(|e| e.to_string());
                self.looks
                    .insert(path.to_string(), (now, fs_path.clone(), result.clone()));
                (fs_path, result)
            }
            (None, _) => return Err(NotReady::Broken(media::MediaError::Missing.to_string())),
        };
        let Some(settle) = self.settle else {
            return result.map(|info| (fs_path, info)).map_err(NotReady::Broken);
        };
        // Changed within the settle time: maybe still being copied in. Look again then.
        let ready_at = stamp.map(|(_, modified, _)| modified + settle);
        if let Some(ready_at) = ready_at.filter(|t| *t > wall_now) {
            self.next_look = Some(self.next_look.map_or(ready_at, |t| t.min(ready_at)));
            // A published file being replaced keeps its last complete look until the
            // new one has settled: the episode does not vanish from the feeds meanwhile.
            if let Some(last) = self.complete.get(path) {
                return Ok((fs_path, last.clone()));
            }
            return Err(NotReady::Settling);
        }
        let info = result.map_err(NotReady::Broken)?;
        self.complete.insert(path.to_string(), info.clone());
        Ok((fs_path, info))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{parse_article, ParseOptions};

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/podcast")
            .join(name)
    }

    fn setup(dir: &Path) -> (Config, Vec<Arc<Article>>) {
        let yaml = format!(
            "site: {{base_url: https://example.com/}}\ncontent: {{dir: {}}}\npodcast: {{section: e, image: cover.jpg}}\n",
            dir.display()
        );
        let config = Config::from_raw(crate::config::RawConfig::from_yaml(&yaml).unwrap()).unwrap();
        let text =
            "---\ntitle: One\ndate: 2024-01-01\nenclosure: one.mp3\ntranscript: one.vtt\n---\nx\n";
        let a = parse_article(
            "e/one.md",
            text.as_bytes(),
            &config,
            ParseOptions::default(),
        );
        (config, vec![Arc::new(a.article.unwrap())])
    }

    #[test]
    fn a_new_media_file_waits_for_the_settle_time_and_a_replaced_one_keeps_its_last_look() {
        let dir = tempfile::tempdir().unwrap();
        let (config, published) = setup(dir.path());
        std::fs::create_dir_all(dir.path().join("e")).unwrap();
        let mut media = EpisodeMedia::new(Some(Duration::from_millis(300)));
        let r = media.resolve(&config, &published);
        assert!(r.not_ready.contains("e/one.md") && r.files.is_empty());
        assert!(
            r.diagnostics[0].message.contains("does not exist"),
            "{:?}",
            r.diagnostics
        );

        std::fs::copy(fixture("tone.mp3"), dir.path().join("e/one.mp3")).unwrap();
        std::fs::write(dir.path().join("e/one.vtt"), "WEBVTT\n").unwrap();
        let r = media.resolve(&config, &published);
        assert!(
            r.not_ready.contains("e/one.md"),
            "fresh file published at once"
        );
        assert!(media.next_look().is_some());
        std::thread::sleep(Duration::from_millis(350));
        let r = media.resolve(&config, &published);
        assert!(r.not_ready.is_empty(), "{:?}", r.diagnostics);
        let m = &r.media["e/one.md"];
        assert_eq!((m.length, m.mime.as_str()), (3168, "audio/mpeg"));
        assert_eq!(m.url, "https://example.com/media/e/one.mp3");
        assert_eq!(
            m.transcript,
            Some(("https://example.com/media/e/one.vtt".into(), "text/vtt"))
        );
        let served: Vec<&str> = r.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            served,
            ["e/one.mp3", "e/one.vtt"],
            "no artwork file: not served"
        );

        // Replaced by a bigger file: the last complete look until it settles, then the new one.
        std::fs::copy(fixture("tone-vbr.mp3"), dir.path().join("e/one.mp3.part")).unwrap();
        std::fs::rename(
            dir.path().join("e/one.mp3.part"),
            dir.path().join("e/one.mp3"),
        )
        .unwrap();
        let r = media.resolve(&config, &published);
        assert_eq!(r.media["e/one.md"].length, 3168);
        std::thread::sleep(Duration::from_millis(350));
        let r = media.resolve(&config, &published);
        assert_eq!(r.media["e/one.md"].length, 4032);
    }

    #[test]
    fn one_shot_commands_do_not_wait_and_media_outside_the_root_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (config, published) = setup(dir.path());
        std::fs::create_dir_all(dir.path().join("e")).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::copy(fixture("tone.mp3"), outside.path().join("x.mp3")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("x.mp3"), dir.path().join("e/one.mp3"))
            .unwrap();
        let mut media = EpisodeMedia::new(None);
        let r = media.resolve(&config, &published);
        assert!(r.diagnostics[0]
            .message
            .contains("outside the content directory"));
        std::fs::remove_file(dir.path().join("e/one.mp3")).unwrap();
        std::fs::copy(fixture("tone.mp3"), dir.path().join("e/one.mp3")).unwrap();
        std::fs::copy(fixture("cover.jpg"), dir.path().join("cover.jpg")).unwrap();
        let r = media.resolve(&config, &published);
        assert!(r.not_ready.is_empty());
        assert!(r
            .files
            .iter()
            .any(|(p, f)| p == "cover.jpg" && f.info.mime == "image/jpeg"));
    }
}
