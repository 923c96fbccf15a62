//! The feed window: the articles that reach an output (which ones: [`selection`]), and the
//! re-reading of bodies the store dropped.
//!
//! This is the memory design of the daemon. A full scan keeps only every file's metadata;
//! the store keeps a body only for the articles in the window, and an article that enters
//! the window has its file read again here — the one place after the store where content
//! files are read. The window's bodies are rendered by the load that reads them, within
//! each file's time budget (`content::budget`; an article rendered already keeps its
//! result), so the feed stage receives finished [`Entry`]s and only writes documents.
//!
//! Keep-last-good (SPEC §5) across that drop: a file can break (or its folder become
//! unreadable, or its file run out of time) while its article is outside the window, and
//! re-reading it when it enters would then find nothing good. So whenever the daemon drops
//! a body — after the full scan parsed it, or when it leaves the window — a copy goes to the
//! [`KeptBodies`] file, an unnamed temporary file on disk, and the article records where.
//! When a re-read fails, the article's last good metadata (still in the store) gets its kept
//! body back, rendered within the file's budget too, and is published as before, until the
//! file is fixed (a good parse replaces both) or deleted (the store forgets the article).
//! Memory stays bounded by the window, as without the copies: they cost disk (about the
//! size of the site's bodies, plus garbage of replaced versions, bounded by rewriting the
//! file) and one write per dropped body. Kept in memory, even compressed, they would grow
//! with the site; re-reading cannot recover a version the file no longer holds. Where no
//! temporary file can be made (or on a full disk) there is no copy, and such an article is
//! left out until fixed, as before. The one-shot `build` keeps no copies: it reads every
//! file once.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::config::Config;
use crate::content::budget::Outcome;
use crate::content::{self, Article, FileBudget, ParseOptions};
use crate::feed::{Entry, Group, GroupFeed, Member};
use crate::store::Library;

use super::kept_bodies::KeptBodies;
use super::links::{self, LinkTargets};
use super::selection::Want;
use crate::content::render::RenderedBody;

/// The published articles some document needs at one instant (see
/// [`selection`]), newest first, each with its body.
#[derive(Debug)]
pub struct FeedWindow {
    articles: Vec<Arc<Article>>,
    /// Each article's position in the published list it was filled from.
    positions: Vec<usize>,
    /// Whether any file was read again to fill the window.
    reread: bool,
    /// Per article, its rendering with links to other articles resolved, when that
    /// changed it (see [`super::links`]).
    resolved: Vec<Option<RenderedBody>>,
}

/// The article of `source` after a re-read: the new version if the file parsed, else its last
/// good version with the body read back from its kept copy (if it has one).
fn restore_if_broken(
    library: &mut Library,
    source: &str,
    kept: Option<&KeptBodies>,
) -> Option<Arc<Article>> {
    let current = library.article(source)?;
    if current.body_loaded {
        return Some(Arc::clone(current));
    }
    let copy = current.kept_body?;
    let body = kept?.read(copy).ok()?;
    library.restore_body(source, Arc::from(body));
    library.article(source).cloned()
}

/// `listed` (from a published list made before this window), or the store's article for
/// its file when that is the same version with its body in memory: an earlier window of
/// the same publish (an item batch) may have read it back already.
fn current_version<'a>(library: &'a Library, listed: &'a Arc<Article>) -> &'a Arc<Article> {
    match library.article(&listed.source) {
        Some(current)
            if !listed.body_loaded
                && current.body_loaded
                && current.fingerprint == listed.fingerprint =>
        {
            current
        }
        _ => listed,
    }
}

/// The articles with a body in memory but not yet rendered (last good versions restored from
/// their kept bodies, or articles that were not published when they were read) whose bodies
/// render within the budget, rendered: a file that ran out of time may be slow in its last
/// good version too, and is then left out (its error is in the store already).
fn rendered_within(
    budget: &FileBudget,
    config: &Arc<Config>,
    unrendered: Vec<(usize, Arc<Article>)>,
) -> Vec<(usize, Arc<Article>)> {
    if unrendered.is_empty() {
        return unrendered;
    }
    let job_config = Arc::clone(config);
    let articles = unrendered.iter().map(|(_, a)| Arc::clone(a)).collect();
    let outcomes = budget.run(articles, move |article: &Arc<Article>| {
        article.rendered(&job_config);
    });
    unrendered
        .into_iter()
        .zip(outcomes)
        .filter(|(_, outcome)| matches!(outcome, Outcome::Done(())))
        .map(|(article, _)| article)
        .collect()
}

impl FeedWindow {
    /// The window at `now` over `published` (newest first). Bodies the store dropped, and
    /// bodies not rendered yet, are read again and rendered, each file within its time
    /// budget and those a window needs all at once; a file that no longer parses (or cannot
    /// be read, or runs out of time) at that moment has its error recorded in the store, and
    /// its last good version is published from its kept copy (see the module doc), or left
    /// out until fixed when there is none. Afterwards the store keeps bodies only for the
    /// window's articles, so memory stays flat with the size of the site; the dropped ones
    /// are copied to `kept` first.
    pub(crate) fn fill(
        library: &mut Library,
        config: &Arc<Config>,
        budget: &FileBudget,
        published: &[Arc<Article>],
        wants: &[Want],
        now: DateTime<Utc>,
        kept: Option<&KeptBodies>,
    ) -> FeedWindow {
        // Position in `published` -> the article ready to publish (files read again come
        // back out of order), and the positions that cannot be published now.
        let mut ready: BTreeMap<usize, Arc<Article>> = BTreeMap::new();
        let mut failed: HashSet<usize> = HashSet::new();
        let mut reread = false;
        loop {
            // What every want picks now: ready ones are taken, the others read again (or
            // rendered) together; any that fail leave room for the next candidates in the
            // next round.
            let mut needed: BTreeSet<usize> = BTreeSet::new();
            for want in wants {
                needed.extend(
                    want.pick(published.len(), |at| !failed.contains(&at))
                        .into_iter()
                        .filter(|at| !ready.contains_key(at)),
                );
            }
            if needed.is_empty() {
                break;
            }
            let mut to_read: Vec<usize> = Vec::new();
            // A body already in memory is rendered from there, not read again.
            let mut to_render: Vec<(usize, Arc<Article>)> = Vec::new();
            for at in needed {
                let article = current_version(library, &published[at]);
                match (article.body_loaded, article.is_rendered()) {
                    (true, true) => {
                        ready.insert(at, Arc::clone(article));
                    }
                    (true, false) => to_render.push((at, Arc::clone(article))),
                    (false, _) => to_read.push(at),
                }
            }
            if !to_read.is_empty() {
                reread = true;
                let sources = to_read
                    .iter()
                    .map(|&at| published[at].source.clone())
                    .collect();
                let loaded = content::load_paths(sources, config, ParseOptions::default(), budget);
                for (at, l) in to_read.into_iter().zip(loaded) {
                    library.apply_read_back(&l.source, l.outcome);
                    let read_back = library.article(&l.source).is_some_and(|a| a.body_loaded);
                    match restore_if_broken(library, &l.source, kept) {
                        Some(fresh) if fresh.body_loaded && fresh.is_published(now) => {
                            if read_back {
                                ready.insert(at, fresh);
                            } else {
                                to_render.push((at, fresh));
                            }
                        }
                        _ => {
                            failed.insert(at);
                        }
                    }
                }
            }
            let tried: Vec<usize> = to_render.iter().map(|(at, _)| *at).collect();
            ready.extend(rendered_within(budget, config, to_render));
            failed.extend(tried.into_iter().filter(|at| !ready.contains_key(at)));
        }
        let positions: Vec<usize> = ready.keys().copied().collect();
        let articles: Vec<Arc<Article>> = ready.into_values().collect();
        // The store keeps the bodies of the wants that ask for it (the site feed's, read
        // on every publish); the others' go with this window once rendered.
        let mut keep: HashSet<&str> = HashSet::new();
        for want in wants.iter().filter(|w| w.keep_body) {
            for at in want.pick(published.len(), |at| positions.binary_search(&at).is_ok()) {
                if let Ok(i) = positions.binary_search(&at) {
                    keep.insert(articles[i].source.as_str());
                }
            }
        }
        library.shed_bodies(
            |source| keep.contains(source),
            |body| kept.and_then(|k| k.keep(body)),
        );
        FeedWindow {
            articles,
            positions,
            reread,
            resolved: Vec::new(),
        }
    }

    /// Each group's feed: its newest `limit` members (by `published`, which the window was
    /// filled from), each with its entry index when its items are to be written now (it is
    /// in the window and `kept`, per published position, says its items are not kept), else its
    /// kept items' version.
    /// A member with neither (its file broke, no last good copy) is left out.
    pub fn group_feeds<'g>(
        &'g self,
        groups: &'g [Group],
        published: &'g [Arc<Article>],
        limit: usize,
        kept: &[bool],
    ) -> Vec<GroupFeed<'g>> {
        groups
            .par_iter()
            .map(|group| GroupFeed {
                group,
                members: group
                    .members
                    .iter()
                    .take(limit)
                    .filter_map(|&at| {
                        let known = published.get(at)?;
                        let kept = kept.get(at).copied().unwrap_or(false);
                        if kept {
                            return Some(Member {
                                article: known,
                                entry: None,
                            });
                        }
                        let index = self.positions.binary_search(&at).ok()?;
                        let article = self.articles.get(index)?;
                        Some(Member {
                            article,
                            entry: (!kept).then_some(index),
                        })
                    })
                    .collect(),
            })
            .collect()
    }

    /// Whether filling the window read any file again (the store may hold new problems).
    pub(crate) fn reread(&self) -> bool {
        self.reread
    }

    /// The window's articles with their rendered bodies, newest first (the published
    /// order); each document picks its own subset. `fill` leaves them
    /// rendered (the article caches it); one that went live between its load and `now` is
    /// rendered here, on all cores.
    pub fn entries(&self, config: &Config) -> Vec<Entry<'_>> {
        self.articles
            .par_iter()
            .enumerate()
            .map(|(i, article)| Entry {
                article,
                rendered: match self.resolved.get(i) {
                    Some(Some(resolved)) => resolved,
                    _ => article.rendered(config),
                },
                media: None,
            })
            .collect()
    }

    /// Replaces the guessed links to other articles (`post_url`, `ref`) in the window's
    /// renderings with the targets' real permalinks.
    pub(crate) fn resolve_links(&mut self, config: &Config, targets: &LinkTargets) {
        self.resolved = self
            .articles
            .iter()
            .map(|article| {
                if article.link_refs.is_empty() {
                    return None;
                }
                let (replacements, _) = targets.resolve(article);
                (!replacements.is_empty())
                    .then(|| links::rewrite(article.rendered(config), &replacements))
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{parse_article, FileOutcome};

    #[test]
    fn window_respects_the_limit_and_keeps_only_its_bodies() {
        let mut config = Config::defaults();
        config.feeds.limit = 1;
        let config = Arc::new(config);
        let budget = FileBudget::new(config.content.file_timeout);
        let mut library = Library::new();
        for (source, text) in [
            ("a.md", "---\ntitle: a\ndate: 2024-01-01\n---\nA body.\n"),
            ("b.md", "---\ntitle: b\ndate: 2023-01-01\n---\nB body.\n"),
        ] {
            let parsed = parse_article(source, text.as_bytes(), &config, ParseOptions::default());
            library.apply(source, FileOutcome::Parsed(parsed));
        }
        let now = "2025-01-01T00:00:00Z".parse().expect("date");
        let published = library.published(now).articles;
        for article in &published {
            article.rendered(&config); // as a load that keeps the body does
        }
        let wants = [Want::newest(config.feeds.limit)];
        let window = FeedWindow::fill(
            &mut library,
            &config,
            &budget,
            &published,
            &wants,
            now,
            None,
        );
        assert!(!window.reread());
        let entries = window.entries(&config);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].article.title, "a");
        assert!(entries[0].rendered.content_html.contains("A body."));
        let kept = |source: &str| library.article(source).is_some_and(|a| a.body_loaded);
        assert!(kept("a.md") && !kept("b.md"));
    }
}
