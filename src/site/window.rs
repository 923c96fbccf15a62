//! The feed window: which articles reach an output, and the re-reading of bodies the store
//! dropped.
//!
//! This is the memory design of the daemon. A full scan keeps only every file's metadata;
//! the store keeps a body only for the articles in the window, and an article that enters
//! the window has its file read again here — the one place after the store where content
//! files are read. The window's bodies are rendered by the load that reads them, within
//! each file's time budget (`content::budget`; an article rendered already keeps its
//! result), so the feed stage receives finished [`Entry`]s and only writes documents.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Article, FileBudget, ParseOptions};
use crate::feed::Entry;
use crate::store::Library;

/// The newest `feeds.limit` published articles at one instant, each with its body.
#[derive(Debug)]
pub struct FeedWindow {
    articles: Vec<Arc<Article>>,
    /// Whether any file was read again to fill the window.
    reread: bool,
}

impl FeedWindow {
    /// The window at `now` over `published` (newest first). Bodies the store dropped, and
    /// bodies not rendered yet, are read again and rendered, each file within its time
    /// budget and those a window needs all at once; a file that no longer parses (or runs
    /// out of time) at that moment has its error recorded in the store and is left out
    /// until it is fixed. Afterwards the store keeps bodies only for the window's articles,
    /// so memory stays flat with the size of the site.
    pub(crate) fn fill(
        library: &mut Library,
        config: &Arc<Config>,
        budget: &FileBudget,
        published: &[Arc<Article>],
        now: DateTime<Utc>,
    ) -> FeedWindow {
        let limit = config.feeds.limit;
        // (position in `published`, article): files read again come back out of order.
        let mut chosen: Vec<(usize, Arc<Article>)> = Vec::with_capacity(limit);
        let mut reread = false;
        let mut next = 0;
        while chosen.len() < limit && next < published.len() {
            // The next articles that could complete the window: ready ones are taken, the
            // others read again together; any that fail leave room for the next round.
            let mut to_read: Vec<usize> = Vec::new();
            let wanted = limit - chosen.len();
            for (at, article) in published.iter().enumerate().skip(next).take(wanted) {
                if article.body_loaded && article.is_rendered() {
                    chosen.push((at, Arc::clone(article)));
                } else {
                    to_read.push(at);
                }
                next = at + 1;
            }
            if to_read.is_empty() {
                continue;
            }
            reread = true;
            let sources = to_read
                .iter()
                .map(|&at| published[at].source.clone())
                .collect();
            let loaded = content::load_paths(sources, config, ParseOptions::default(), budget);
            for (at, l) in to_read.into_iter().zip(loaded) {
                library.apply(&l.source, l.outcome);
                match library.article(&l.source) {
                    Some(fresh) if fresh.body_loaded && fresh.is_published(now) => {
                        chosen.push((at, Arc::clone(fresh)))
                    }
                    _ => {}
                }
            }
        }
        chosen.sort_unstable_by_key(|(at, _)| *at);
        let articles: Vec<Arc<Article>> = chosen.into_iter().map(|(_, a)| a).collect();
        let keep: HashSet<&str> = articles.iter().map(|a| a.source.as_str()).collect();
        library.shed_bodies(|source| keep.contains(source));
        FeedWindow { articles, reread }
    }

    /// Whether filling the window read any file again (the store may hold new problems).
    pub(crate) fn reread(&self) -> bool {
        self.reread
    }

    /// The window's articles with their rendered bodies, in feed order. `fill` leaves them
    /// rendered (the article caches it); one that went live between its load and `now` is
    /// rendered here, on all cores.
    pub fn entries(&self, config: &Config) -> Vec<Entry<'_>> {
        self.articles
            .par_iter()
            .map(|article| Entry {
                article,
                rendered: article.rendered(config),
            })
            .collect()
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
        let window = FeedWindow::fill(&mut library, &config, &budget, &published, now);
        assert!(!window.reread());
        let entries = window.entries(&config);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].article.title, "a");
        assert!(entries[0].rendered.content_html.contains("A body."));
        let kept = |source: &str| library.article(source).is_some_and(|a| a.body_loaded);
        assert!(kept("a.md") && !kept("b.md"));
    }
}
