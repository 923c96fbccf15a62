//! Which published articles need their bodies: every document's wants, in one place. The
//! site feed wants the newest `feeds.limit`; each feature that writes other documents adds
//! its wants to [`wants`] (a group feed its newest members, a podcast every episode, an
//! archive its slice of history). [`window`](super::window) reads back and renders the
//! union, and nothing else keeps a body in memory.

use std::sync::Arc;

use crate::config::Config;
use crate::content::Article;
use crate::feed::history::plan;

/// Some published articles a document needs: the first `limit` of `candidates` that can be
/// published (an article whose file breaks and has no last good copy is skipped, and the
/// next candidate takes its place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Want {
    /// Positions in the published list (newest first), ascending; `None`: all of them.
    pub(crate) candidates: Option<Vec<usize>>,
    pub(crate) limit: usize,
    /// Whether the store keeps these bodies after the window is rendered (the site feed's,
    /// needed on every publish), or lets them go (group feeds' items are kept instead).
    pub(crate) keep_body: bool,
}

impl Want {
    /// The newest `limit` published articles.
    pub(crate) fn newest(limit: usize) -> Want {
        Want {
            candidates: None,
            limit,
            keep_body: true,
        }
    }

    /// The newest `limit` published articles for which `member` holds.
    pub(crate) fn newest_where(
        published: &[Arc<Article>],
        limit: usize,
        member: impl Fn(&Article) -> bool,
    ) -> Want {
        let candidates = published
            .iter()
            .enumerate()
            .filter(|(_, a)| member(a))
            .map(|(at, _)| at)
            .collect();
        Want {
            candidates: Some(candidates),
            limit,
            keep_body: true,
        }
    }

    /// Exactly these positions (ascending), bodies not kept afterwards: a batch of group
    /// feed members and archived articles whose items are written.
    pub(crate) fn batch(positions: Vec<usize>) -> Want {
        Want {
            limit: positions.len(),
            candidates: Some(positions),
            keep_body: false,
        }
    }

    /// The first `limit` candidates for which `usable` holds, in order.
    pub(crate) fn pick(
        &self,
        published: usize,
        mut usable: impl FnMut(usize) -> bool,
    ) -> Vec<usize> {
        let mut picked = Vec::with_capacity(self.limit.min(published));
        if self.limit == 0 {
            return picked;
        }
        let mut take = |at: usize| {
            if usable(at) {
                picked.push(at);
            }
            picked.len() < self.limit
        };
        match &self.candidates {
            None => {
                for at in 0..published {
                    if !take(at) {
                        break;
                    }
                }
            }
            Some(candidates) => {
                for &at in candidates {
                    if !take(at) {
                        break;
                    }
                }
            }
        }
        picked
    }
}

/// Every document's wants over `published` (newest first). The group feeds' and the
/// archives' (RFC 5005) are not here: their entries are items written ahead, in batches
/// (`Site::write_items`), so that the whole history is never in memory at once.
pub(crate) fn wants(published: &[Arc<Article>], config: &Config) -> Vec<Want> {
    let mut wants = vec![Want::newest(plan(published.len(), config).subscription_len)];
    if config.podcast.is_some() {
        // The podcast feed carries every episode with media (directories want the whole
        // back catalogue).
        wants.push(Want::newest_where(published, usize::MAX, |a| {
            a.episode.as_ref().is_some_and(|e| e.enclosure.is_some())
        }));
    }
    wants
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_skips_unusable_candidates_and_stops_at_the_limit() {
        let all = Want::newest(2);
        assert_eq!(all.pick(5, |_| true), vec![0, 1]);
        assert_eq!(all.pick(5, |at| at != 0), vec![1, 2]);
        assert_eq!(all.pick(1, |_| true), vec![0]);
        let some = Want {
            candidates: Some(vec![1, 3, 4]),
            limit: 2,
            keep_body: true,
        };
        assert_eq!(some.pick(5, |at| at != 3), vec![1, 4]);
        assert!(Want::newest(0).pick(5, |_| true).is_empty());
    }
}
