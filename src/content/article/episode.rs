//! An episode's part of an article (SPEC §11): the front matter fields of an article in the
//! podcast section (`podcast.section`) read into an [`Episode`]. Pure: a local enclosure
//! is a path here; its size, type and duration are read when the site publishes it.
//!
//! `enclosure` outside the podcast section keeps its warning and is left out: the site's
//! feeds carry the enclosures of episodes only, so no file outside the podcast is served.

use url::Url;

use super::fields::{text_of, Fields};
use crate::config::Config;
use crate::content::front_matter::{Located, RawFrontMatter};
use crate::yaml_text::Text;

/// Where an episode's media is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaRef {
    /// A file under `content.dir`, `/`-separated.
    Local(String),
    /// Hosted elsewhere; never fetched.
    Remote(Url),
}

/// The episode's media file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enclosure {
    /// A file under `content.dir`: length and type come from the file.
    Local(String),
    /// `{url, length, type}`: taken as written.
    Remote { url: Url, length: u64, mime: String },
}

/// `episode_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpisodeType {
    Full,
    Trailer,
    Bonus,
}

impl EpisodeType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            EpisodeType::Full => "full",
            EpisodeType::Trailer => "trailer",
            EpisodeType::Bonus => "bonus",
        }
    }
}

/// `transcript`: where it is and its type (from the file extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub at: MediaRef,
    pub mime: &'static str,
}

/// The podcast fields of an article in the podcast section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    /// `None`: an episode without media (`check` reports it; the podcast feed leaves it out).
    pub enclosure: Option<Enclosure>,
    /// `duration`, in seconds; a local file's own duration is used when absent.
    pub duration: Option<u64>,
    pub number: Option<u32>,
    pub season: Option<u32>,
    pub episode_type: EpisodeType,
    pub explicit: Option<bool>,
    pub transcript: Option<Transcript>,
}

/// The episode fields as written.
pub(super) struct Written {
    pub enclosure: Option<serde_yaml::Value>,
    pub duration: Option<Text>,
    pub episode: Option<Text>,
    pub season: Option<Text>,
    pub episode_type: Option<Text>,
    pub explicit: Option<Text>,
    pub transcript: Option<Text>,
}

impl Written {
    pub(super) fn take(raw: &mut RawFrontMatter) -> Written {
        Written {
            enclosure: raw.enclosure.take(),
            duration: raw.duration.take(),
            episode: raw.episode.take(),
            season: raw.season.take(),
            episode_type: raw.episode_type.take(),
            explicit: raw.explicit.take(),
            transcript: raw.transcript.take(),
        }
    }
}

/// The episode fields of `raw`, for an article at `source` (in the podcast section when
/// `in_podcast`); outside it, a given `enclosure` gets a warning and nothing is read.
pub(super) fn episode(
    fields: &mut Fields<'_>,
    mut raw: Written,
    source: &str,
    config: &Config,
    in_podcast: bool,
) -> Result<Option<Episode>, Located> {
    if !in_podcast {
        if raw.enclosure.is_some() {
            let message = match &config.podcast {
                Some(p) => format!(
                    "`enclosure` is read only for episodes, the articles under `{}/` (`podcast.section`); the entry goes out without it",
                    p.section
                ),
                None => "`enclosure` is read only for podcast episodes (set `podcast.section`); the entry goes out without it".to_string(),
            };
            fields.warn("enclosure", message);
        }
        return Ok(None);
    }
    let enclosure = match raw.enclosure.take() {
        None | Some(serde_yaml::Value::Null) => None,
        Some(value) => Some(enclosure(&value, source).map_err(|m| fields.at_key("enclosure", m))?),
    };
    let duration = match text_of(raw.duration.take()) {
        Some(text) => Some(parse_duration(&text).ok_or_else(|| {
            fields.at_key(
                "duration",
                format!("`duration`: `{text}` is not HH:MM:SS, MM:SS or a number of seconds"),
            )
        })?),
        None => None,
    };
    let number = positive(fields, "episode", raw.episode.take())?;
    let season = positive(fields, "season", raw.season.take())?;
    let episode_type = match text_of(raw.episode_type.take())
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("full") => EpisodeType::Full,
        Some("trailer") => EpisodeType::Trailer,
        Some("bonus") => EpisodeType::Bonus,
        Some(other) => {
            return Err(fields.at_key(
                "episode_type",
                format!("`episode_type`: `{other}` is not full, trailer or bonus"),
            ))
        }
    };
    let explicit = match text_of(raw.explicit.take())
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => None,
        Some("true" | "yes") => Some(true),
        Some("false" | "no" | "clean") => Some(false),
        Some(other) => {
            return Err(fields.at_key(
                "explicit",
                format!("`explicit`: `{other}` is not true or false"),
            ))
        }
    };
    let transcript = match text_of(raw.transcript.take()) {
        Some(text) => Some(transcript(&text, source).map_err(|m| fields.at_key("transcript", m))?),
        None => None,
    };
    Ok(Some(Episode {
        enclosure,
        duration,
        number,
        season,
        episode_type,
        explicit,
        transcript,
    }))
}

/// `episode`/`season`: a whole number from 1.
fn positive(fields: &Fields<'_>, key: &str, value: Option<Text>) -> Result<Option<u32>, Located> {
    let Some(text) = text_of(value) else {
        return Ok(None);
    };
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(fields.at_key(
            key,
            format!("`{key}`: `{text}` is not a whole number from 1"),
        )),
    }
}

/// `enclosure: path` or `{url | path, length, type}`.
fn enclosure(value: &serde_yaml::Value, source: &str) -> Result<Enclosure, String> {
    use serde_yaml::Value;
    let text = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
        .filter(|s| !s.is_empty())
    };
    match value {
        Value::Mapping(map) => {
            let get = |key: &str| map.get(key);
            let url = get("url").and_then(text);
            let path = get("path").and_then(text);
            match (url, path) {
                (Some(url), _) if url.contains("://") => {
                    let url = remote_url(&url)?;
                    let length = match get("length") {
                        None | Some(Value::Null) => {
                            return Err("`enclosure`: a remote `url` needs `length` (the size in bytes): the file is never fetched".into())
                        }
                        Some(v) => text(v)
                            .and_then(|t| t.parse::<u64>().ok())
                            .filter(|n| *n > 0)
                            .ok_or("`enclosure.length` must be the file's size in bytes, a whole number from 1")?,
                    };
                    let mime = match get("type").and_then(text) {
                        Some(t) if is_media_type(&t) => t,
                        Some(t) => return Err(format!("`enclosure.type`: `{t}` is not a media type like audio/mpeg")),
                        None => mime_from_extension(url.path())
                            .ok_or("`enclosure`: a remote `url` needs `type` (e.g. audio/mpeg) when its extension does not say it")?
                            .to_string(),
                    };
                    Ok(Enclosure::Remote { url, length, mime })
                }
                (Some(path), _) | (None, Some(path)) => {
                    Ok(Enclosure::Local(local_path(&path, source)?))
                }
                (None, None) => Err("`enclosure` needs `url` (with `length` and `type`) or `path`".into()),
            }
        }
        other => match text(other) {
            Some(t) if t.contains("://") => Err(format!(
                "`enclosure`: `{t}` is remote; write `{{url: …, length: …, type: …}}` (the file is never fetched)"
            )),
            Some(t) => Ok(Enclosure::Local(local_path(&t, source)?)),
            None => Err("`enclosure` must be a path relative to the article, or `{url, length, type}`".into()),
        },
    }
}

/// `transcript: path-or-url`; its type from the extension.
fn transcript(text: &str, source: &str) -> Result<Transcript, String> {
    let (at, path) = if text.contains("://") {
        let url = remote_url(text)?;
        let path = url.path().to_string();
        (MediaRef::Remote(url), path)
    } else {
        let path = local_path(text, source)?;
        (MediaRef::Local(path.clone()), path)
    };
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let mime = match ext.as_deref() {
        Some("vtt") => "text/vtt",
        Some("srt") => "application/x-subrip",
        Some("json") => "application/json",
        Some("html" | "htm") => "text/html",
        Some("txt") => "text/plain",
        _ => {
            return Err(format!(
                "`transcript`: `{text}` must end in .vtt, .srt, .json, .html or .txt (its type is taken from the extension)"
            ))
        }
    };
    Ok(Transcript { at, mime })
}

fn remote_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("`{text}` is not an absolute URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("`{text}` must be an http(s) URL"));
    }
    Ok(url)
}

/// A path relative to the article's folder (or to `content.dir` with a leading `/`), as a
/// `/`-separated path under `content.dir`; it may not climb out of it.
pub(crate) fn local_path(text: &str, source: &str) -> Result<String, String> {
    let mut parts: Vec<&str> = Vec::new();
    if !text.starts_with('/') {
        parts.extend(source.split('/'));
        parts.pop(); // the article's own file name
    }
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("`{text}` is outside content.dir"));
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() || text.contains('\\') {
        return Err(format!("`{text}` is not a file path"));
    }
    let path = parts.join("/");
    // Hidden files and folders (`.git`, `.env`) and editor droppings are never published.
    if crate::content::discover::is_ignored_path(&path) {
        return Err(format!("`{text}` is a hidden or ignored file"));
    }
    Ok(path)
}

/// `type/subtype` with no spaces.
fn is_media_type(text: &str) -> bool {
    text.split_once('/').is_some_and(|(t, s)| {
        !t.is_empty() && !s.is_empty() && !text.contains([' ', '"', '<', '>', ','])
    })
}

/// The media type for a file name's extension, for remote enclosures written without one.
fn mime_from_extension(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "mp3" => "audio/mpeg",
        "m4a" => "audio/x-m4a",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "aac" => "audio/aac",
        "pdf" => "application/pdf",
        "epub" => "application/epub+zip",
        _ => return None,
    })
}

/// `HH:MM:SS`, `MM:SS` or seconds (a fraction is dropped).
pub(crate) fn parse_duration(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let whole = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let last = parts.last()?;
    let seconds = match last.split_once('.') {
        Some((s, frac)) if frac.bytes().all(|b| b.is_ascii_digit()) => whole(s)?,
        Some(_) => return None,
        None => whole(last)?,
    };
    match parts.len() {
        1 => Some(seconds),
        2 if seconds < 60 => Some(whole(parts[0])? * 60 + seconds),
        3 if seconds < 60 => {
            let minutes = whole(parts[1])?;
            (minutes < 60).then_some(())?;
            Some(whole(parts[0])? * 3600 + minutes * 60 + seconds)
        }
        _ => None,
    }
}

/// `itunes:duration`: whole seconds, the form Apple recommends and every reader parses.
pub(crate) fn format_duration(seconds: u64) -> String {
    seconds.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{parse_article, ParseOptions};

    fn podcast_config() -> Config {
        let raw = crate::config::RawConfig::from_yaml(
            "site: {base_url: https://example.com/}\npodcast: {section: episodes}\n",
        )
        .unwrap();
        Config::from_raw(raw).unwrap()
    }

    fn parse(source: &str, fm: &str) -> crate::content::Parsed {
        let text = format!("---\ntitle: T\ndate: 2024-01-01\n{fm}\n---\nNotes.\n");
        parse_article(
            source,
            text.as_bytes(),
            &podcast_config(),
            ParseOptions::default(),
        )
    }

    fn episode_of(fm: &str) -> Episode {
        let p = parse("episodes/one/index.md", fm);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        p.article.unwrap().episode.unwrap()
    }

    fn error_of(fm: &str) -> String {
        let p = parse("episodes/one.md", fm);
        assert!(p.article.is_none(), "{fm}");
        p.diagnostics[0].to_string()
    }

    #[test]
    fn episode_fields_are_read() {
        let e = episode_of("enclosure: audio/ep1.mp3\nduration: 00:31:05\nepisode: 3\nseason: 1\nepisode_type: Trailer\nexplicit: false\ntranscript: ep1.vtt");
        assert_eq!(
            e.enclosure,
            Some(Enclosure::Local("episodes/one/audio/ep1.mp3".into()))
        );
        assert_eq!(e.duration, Some(1865));
        assert_eq!((e.number, e.season), (Some(3), Some(1)));
        assert_eq!(e.episode_type, EpisodeType::Trailer);
        assert_eq!(e.explicit, Some(false));
        let t = e.transcript.unwrap();
        assert_eq!(
            (t.at, t.mime),
            (MediaRef::Local("episodes/one/ep1.vtt".into()), "text/vtt")
        );

        let e = episode_of("enclosure: {url: https://cdn.example.com/e1.mp3, length: 1234}\ntranscript: https://x.example/t.srt");
        assert_eq!(
            e.enclosure,
            Some(Enclosure::Remote {
                url: Url::parse("https://cdn.example.com/e1.mp3").unwrap(),
                length: 1234,
                mime: "audio/mpeg".into()
            })
        );
        assert_eq!(e.transcript.unwrap().mime, "application/x-subrip");
        assert_eq!(
            episode_of("enclosure: /media/../a.m4a").enclosure,
            Some(Enclosure::Local("a.m4a".into()))
        );
        assert_eq!(
            episode_of("enclosure: {path: ../x.mp3}").enclosure,
            Some(Enclosure::Local("episodes/x.mp3".into()))
        );
        // An article of the section without media is still an episode (check reports it).
        assert_eq!(episode_of("episode: 2").enclosure, None);
    }

    #[test]
    fn episode_errors_are_at_their_key() {
        for (fm, wanted) in [
            ("enclosure: https://cdn.example.com/e.mp3", "episodes/one.md:4:1: error: `enclosure`: `https://cdn.example.com/e.mp3` is remote"),
            ("enclosure: {url: https://cdn.example.com/e.mp3}", "needs `length`"),
            ("enclosure: {url: https://cdn.example.com/e, length: 5}", "needs `type`"),
            ("enclosure: {url: https://c.example/e.mp3, length: -5}", "`enclosure.length`"),
            ("enclosure: ../../../etc/passwd", "outside content.dir"),
            ("enclosure: /.git/x.mp3", "hidden or ignored"),
            ("enclosure: [a, b]", "`enclosure` must be"),
            ("duration: 1:75", "`duration`"),
            ("episode: 0", "`episode`: `0`"),
            ("season: two", "`season`"),
            ("episode_type: pilot", "`episode_type`"),
            ("explicit: maybe", "`explicit`"),
            ("transcript: t.docx", "`transcript`"),
        ] {
            let e = error_of(fm);
            assert!(e.contains(wanted) && e.contains(":4:1:"), "{fm}: {e}");
        }
    }

    #[test]
    fn enclosure_outside_the_podcast_is_a_warning() {
        let p = parse("posts/a.md", "enclosure: a.mp3\nepisode: x");
        let a = p.article.unwrap();
        assert!(a.episode.is_none());
        assert!(
            p.diagnostics[0]
                .to_string()
                .contains("read only for episodes, the articles under `episodes/`"),
            "{:?}",
            p.diagnostics
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1865"), Some(1865));
        assert_eq!(parse_duration("31:05"), Some(1865));
        assert_eq!(parse_duration("1:00:00.5"), Some(3600));
        assert_eq!(parse_duration("1:60"), None);
        assert_eq!(parse_duration("a:05"), None);
        assert_eq!(format_duration(3725), "3725");
    }
}
