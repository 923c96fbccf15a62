//! What `check` reports about the podcast (SPEC §11): what Apple Podcasts or Podcast Index
//! would refuse. The show: no artwork, artwork not square or outside 1400–3000 px, no
//! category or one not on Apple's list, an owner without email. Each published episode: no
//! media, a media file missing, empty, unreadable or of an unknown type; a duplicate
//! episode number within one season (a warning). Show-level findings are placed at the
//! podcast's folder (or the artwork file), episode findings at the episode's file.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::config::apple_categories::is_apple_category;
use crate::config::{Config, PodcastImage};
use crate::content::{Article, Enclosure};
use crate::diag::Diagnostic;

use crate::content::media::{image_size, probe};

/// Artwork sizes Apple accepts, in pixels per side.
const ARTWORK_SIDE: std::ops::RangeInclusive<u32> = 1400..=3000;

/// Every podcast finding for the published articles.
pub(crate) fn findings(config: &Config, published: &[Arc<Article>]) -> Vec<Diagnostic> {
    let Some(podcast) = &config.podcast else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let show = Path::new(&podcast.section);
    let error = |path: &Path, message: String| Diagnostic::error(path, 1, 1, message);
    match &podcast.image {
        None => out.push(error(
            show,
            "`podcast.image` is not set: Apple Podcasts needs square artwork of 1400 to 3000 px"
                .into(),
        )),
        Some(PodcastImage::Remote(_)) => {}
        Some(PodcastImage::Local(path)) => {
            let file = Path::new(path);
            match image_size(&config.content.dir.join(path)) {
                Err(why) => out.push(error(file, format!("`podcast.image`: `{path}`: {why}"))),
                Ok((w, h)) if w != h || !ARTWORK_SIDE.contains(&w) => out.push(error(
                    file,
                    format!("`podcast.image`: the artwork is {w}×{h} px; Apple Podcasts needs it square, 1400 to 3000 px a side"),
                )),
                Ok(_) => {}
            }
        }
    }
    if podcast.categories.is_empty() {
        out.push(error(
            show,
            "`podcast.categories` is empty: Apple Podcasts needs at least one category from its list".into(),
        ));
    }
    for (i, c) in podcast.categories.iter().enumerate() {
        if !is_apple_category(&c.name, c.sub.as_deref()) {
            let written = match &c.sub {
                Some(sub) => format!("{}/{sub}", c.name),
                None => c.name.clone(),
            };
            out.push(error(
                show,
                format!("`podcast.categories[{i}]`: `{written}` is not on Apple Podcasts' category list"),
            ));
        }
    }
    if podcast
        .owner
        .as_ref()
        .and_then(|o| o.email.as_ref())
        .is_none()
    {
        out.push(error(
            show,
            "`podcast.owner` needs an email (`{name, email}`): Apple Podcasts and Podcast Index verify ownership through it".into(),
        ));
    }
    // (season, number) → the first episode with it, in path order.
    let mut numbers: BTreeMap<(Option<u32>, u32), &str> = BTreeMap::new();
    let mut episodes: Vec<&Arc<Article>> =
        published.iter().filter(|a| a.episode.is_some()).collect();
    episodes.sort_by(|a, b| a.source.cmp(&b.source));
    for article in episodes {
        let Some(episode) = &article.episode else {
            continue;
        };
        let file = Path::new(&article.source);
        match &episode.enclosure {
            None => out.push(error(
                file,
                "episode without media: `enclosure` is not set (the podcast feed leaves it out)"
                    .into(),
            )),
            Some(Enclosure::Remote { .. }) => {}
            Some(Enclosure::Local(path)) => {
                if let Err(why) = probe(&config.content.dir.join(path)) {
                    out.push(error(
                        file,
                        format!("`enclosure`: media file `{path}`: {why}"),
                    ));
                }
            }
        }
        if let Some(number) = episode.number {
            let key = (episode.season, number);
            match numbers.get(&key) {
                Some(first) => {
                    let season = episode
                        .season
                        .map_or(String::new(), |s| format!(" in season {s}"));
                    out.push(Diagnostic::warning(
                        file,
                        1,
                        1,
                        format!("`episode`: number {number}{season} is also used by {first}"),
                    ));
                }
                None => {
                    numbers.insert(key, &article.source);
                }
            }
        }
    }
    out
}
