//! The in-memory store: the last good [`Article`] and the current diagnostics of every content
//! file, keyed by path. It decides what is published at a given instant, including the
//! duplicate permalink/id rule (SPEC §1), and when the next scheduled article is due.
//!
//! A file that fails to parse keeps its last good version here (SPEC §5): only a successful
//! parse replaces an article, only a vanished file removes it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::content::{Article, FileOutcome, KeptBody};
use crate::diag::Diagnostic;

#[derive(Debug, Default, Clone)]
struct FileEntry {
    good: Option<Arc<Article>>,
    diagnostics: Vec<Diagnostic>,
    /// Names the version of `good`: a new one for each new good version the file's
    /// changes bring, kept when only its body is dropped, restored or read back. Lets a
    /// document built from many articles (an RFC 5005 archive) be reused unrendered.
    version: u64,
}

/// Every content file's state.
#[derive(Debug, Default, Clone)]
pub struct Library {
    files: BTreeMap<String, FileEntry>,
    /// The last version handed out (see `FileEntry::version`).
    versions: u64,
    /// How many times a path left the store: what is kept per path elsewhere (feed items)
    /// needs pruning only after one did.
    removals: u64,
    /// The last [`Library::published`] answer, patched rather than made again when only
    /// some articles' versions changed (see [`PublishedCache`]).
    published_cache: CachedPublished,
}

/// A [`Library::published`] answer with what it holds for: from `at` until `until` (when
/// an article enters or leaves by the clock alone), while the paths in `touched` got new
/// versions with the same place, permalink and dates.
#[derive(Debug)]
struct PublishedCache {
    at: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
    articles: Vec<Arc<Article>>,
    /// Paths whose article value was replaced since.
    touched: Vec<String>,
}

/// More paths touched than this and the answer is made again whole: patching is for edits.
const MAX_TOUCHED: usize = 256;

/// The cache, behind a lock so that [`Library::published`] can take `&self`; a clone of the
/// library starts without one.
#[derive(Debug, Default)]
struct CachedPublished(std::sync::Mutex<Option<PublishedCache>>);

impl Clone for CachedPublished {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl CachedPublished {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<PublishedCache>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A path's article was replaced by another version.
    fn touch(&self, source: &str) {
        let mut cache = self.lock();
        if let Some(c) = cache.as_mut() {
            if c.touched.len() >= MAX_TOUCHED {
                *cache = None;
            } else {
                c.touched.push(source.to_string());
            }
        }
    }

    /// A path came or went: the answer is made again whole.
    fn forget(&self) {
        *self.lock() = None;
    }
}

/// What is published at one instant.
#[derive(Debug, Default)]
pub struct Published {
    /// Newest `date` first, ties broken by id (never by the file system's order).
    pub articles: Vec<Arc<Article>>,
    /// Duplicate permalink/id errors among the published articles.
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Library {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Records one file's outcome. Returns true when anything visible may have changed.
    pub(crate) fn apply(&mut self, source: &str, outcome: FileOutcome) -> bool {
        match outcome {
            FileOutcome::Gone => {
                let removed = self.files.remove(source).is_some();
                self.removals += u64::from(removed);
                if removed {
                    self.published_cache.forget();
                }
                removed
            }
            FileOutcome::Parsed(parsed) => {
                let entry = self.files.entry(source.to_string()).or_default();
                if let Some(article) = parsed.article {
                    if entry.good.is_some() {
                        self.published_cache.touch(source);
                    } else {
                        self.published_cache.forget();
                    }
                    entry.good = Some(Arc::new(article));
                    self.versions += 1;
                    entry.version = self.versions;
                }
                // Keep last good (SPEC §5): an error leaves `good` as it was.
                entry.diagnostics = parsed.diagnostics;
                if entry.good.is_none() && entry.diagnostics.is_empty() {
                    self.files.remove(source);
                    self.removals += 1;
                }
                true
            }
        }
    }

    /// [`Library::apply`] for a file read again only for its body (the window's read-back):
    /// its version stays, so what was built from it is not built again. A file that did
    /// change meanwhile gets a new version from the watcher's reload, which follows.
    pub(crate) fn apply_read_back(&mut self, source: &str, outcome: FileOutcome) -> bool {
        let version = self.version(source);
        let changed = self.apply(source, outcome);
        if let (Some(version), Some(entry)) = (version, self.files.get_mut(source)) {
            entry.version = version;
        }
        changed
    }

    /// The version of a path's current article (see `FileEntry::version`).
    pub(crate) fn version(&self, source: &str) -> Option<u64> {
        self.files
            .get(source)
            .filter(|e| e.good.is_some())
            .map(|e| e.version)
    }

    /// Drops every path not in `keep` (after a full rescan): deleted files leave the store.
    pub(crate) fn retain_sources(&mut self, keep: &std::collections::BTreeSet<String>) -> bool {
        let before = self.files.len();
        self.files.retain(|source, _| keep.contains(source));
        self.removals += (before - self.files.len()) as u64;
        if before != self.files.len() {
            self.published_cache.forget();
        }
        before != self.files.len()
    }

    /// A number that grows whenever a path leaves the store.
    pub(crate) fn removals(&self) -> u64 {
        self.removals
    }

    /// Paths under a folder (for a folder renamed away or deleted).
    pub(crate) fn sources_under(&self, folder: &str) -> Vec<String> {
        let prefix = format!("{}/", folder.trim_end_matches('/'));
        self.files
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect()
    }

    pub(crate) fn sources(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }

    /// Replaces the article of a path with a body-less copy unless `keep` says otherwise;
    /// returns how many bodies were dropped. Only articles that reach an output need a body.
    /// `copy` keeps a copy of a body being dropped, unless the article already has one.
    pub(crate) fn shed_bodies(
        &mut self,
        keep: impl Fn(&str) -> bool,
        copy: impl Fn(&str) -> Option<KeptBody>,
    ) -> usize {
        let mut dropped = 0;
        for (source, entry) in self.files.iter_mut() {
            if let Some(article) = &entry.good {
                if article.body_loaded && !keep(source) {
                    let kept = article.kept_body.or_else(|| copy(&article.body));
                    entry.good = Some(Arc::new(article.without_body(kept)));
                    self.published_cache.touch(source);
                    dropped += 1;
                }
            }
        }
        dropped
    }

    /// Gives a path's current (body-less) article its body back, read from its kept copy.
    pub(crate) fn restore_body(&mut self, source: &str, body: Arc<str>) {
        if let Some(entry) = self.files.get_mut(source) {
            if let Some(article) = &entry.good {
                entry.good = Some(Arc::new(article.with_body(body)));
                self.published_cache.touch(source);
            }
        }
    }

    /// How many bytes the current articles' kept body copies take.
    pub(crate) fn kept_bodies_len(&self) -> u64 {
        self.files
            .values()
            .filter_map(|e| e.good.as_ref().and_then(|a| a.kept_body))
            .map(|k| k.len)
            .sum()
    }

    /// Where the current articles' dropped bodies were copied to, in path order.
    pub(crate) fn kept_bodies(&self) -> Vec<KeptBody> {
        self.files
            .values()
            .filter_map(|e| e.good.as_ref().and_then(|a| a.kept_body))
            .collect()
    }

    /// Points the current articles at moved copies: `moved[i]` replaces the i-th of
    /// [`Library::kept_bodies`] (nothing may change in between).
    pub(crate) fn move_kept_bodies(&mut self, moved: &[KeptBody]) {
        let mut moved = moved.iter();
        // Every kept copy moves: simpler made again than patched.
        self.published_cache.forget();
        for entry in self.files.values_mut() {
            let Some(article) = &entry.good else { continue };
            if article.kept_body.is_none() {
                continue;
            }
            let Some(new) = moved.next() else { return };
            let mut updated = Article::clone(article);
            updated.kept_body = Some(*new);
            entry.good = Some(Arc::new(updated));
        }
    }

    /// The current article of a path (its last good version).
    pub(crate) fn article(&self, source: &str) -> Option<&Arc<Article>> {
        self.files.get(source).and_then(|e| e.good.as_ref())
    }

    /// Parse diagnostics of every file, sorted by path then position.
    pub(crate) fn file_diagnostics(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = self
            .files
            .values()
            .flat_map(|e| e.diagnostics.iter().cloned())
            .collect();
        all.sort();
        all
    }

    /// The published articles at `now`, sorted, with duplicates resolved: of two published
    /// articles with the same permalink or id, the one whose path sorts first wins.
    ///
    /// An answer without diagnostics is kept; the next call patches it when the paths
    /// changed since only got new versions at the same place (same date, id, permalink,
    /// `updated` and publication times): an edited body on a large site is not a pass over
    /// every article and a sort.
    pub fn published(&self, now: DateTime<Utc>) -> Published {
        if let Some(articles) = self.patched_published(now) {
            return Published {
                articles,
                diagnostics: Vec::new(),
            };
        }
        let out = self.published_whole(now);
        if out.diagnostics.is_empty() {
            let until = self
                .files
                .values()
                .filter_map(|e| e.good.as_ref())
                .filter_map(|a| a.next_change_after(now))
                .min();
            *self.published_cache.lock() = Some(PublishedCache {
                at: now,
                until,
                articles: out.articles.clone(),
                touched: Vec::new(),
            });
        } else {
            self.published_cache.forget();
        }
        out
    }

    /// The kept answer, brought up to date; `None` when it cannot be (see
    /// [`Library::published`]).
    fn patched_published(&self, now: DateTime<Utc>) -> Option<Vec<Arc<Article>>> {
        let mut guard = self.published_cache.lock();
        let cache = guard.as_mut()?;
        if now < cache.at || cache.until.is_some_and(|until| now >= until) {
            return None;
        }
        let mut touched = std::mem::take(&mut cache.touched);
        touched.sort_unstable();
        touched.dedup();
        for source in &touched {
            let new = self.article(source)?;
            if !new.is_published(now) {
                return None;
            }
            // The list is newest first, ties by id: where an article with this date and
            // id sits.
            let at = cache
                .articles
                .binary_search_by(|probe| {
                    new.date
                        .cmp(&probe.date)
                        .then_with(|| probe.id.cmp(&new.id))
                })
                .ok()?;
            let old = &cache.articles[at];
            let same_place = old.source == new.source
                && old.permalink == new.permalink
                && old.updated == new.updated
                && old.next_change_after(cache.at) == new.next_change_after(cache.at);
            if !same_place {
                return None;
            }
            cache.articles[at] = Arc::clone(new);
        }
        Some(cache.articles.clone())
    }

    fn published_whole(&self, now: DateTime<Utc>) -> Published {
        let mut out = Published {
            articles: Vec::with_capacity(self.files.len()),
            diagnostics: Vec::new(),
        };
        let mut by_permalink: FxHashMap<&str, &str> =
            FxHashMap::with_capacity_and_hasher(self.files.len(), Default::default());
        let mut by_id: FxHashMap<&str, &str> =
            FxHashMap::with_capacity_and_hasher(self.files.len(), Default::default());
        let far_future = now + chrono::TimeDelta::days(1);
        // BTreeMap iteration is path-sorted, so "first" is deterministic.
        for (source, entry) in &self.files {
            let Some(article) = &entry.good else { continue };
            if !article.is_published(now) {
                continue;
            }
            let clash = by_permalink
                .get(article.permalink.as_str())
                .map(|first| (*first, "permalink", article.permalink.as_str()))
                .or_else(|| {
                    by_id
                        .get(article.id.as_str())
                        .map(|first| (*first, "id", article.id.as_str()))
                });
            if let Some((first, what, value)) = clash {
                out.diagnostics.push(Diagnostic::error(
                    Path::new(source),
                    1,
                    1,
                    format!("duplicate {what} `{value}`: also used by {first}, which is published instead"),
                ));
                continue;
            }
            // A typo'd year (`updated: 2052-…`) would pin the feed's date and Last-Modified
            // until then; a day of slack leaves time zones alone.
            if article.updated > far_future {
                out.diagnostics.push(Diagnostic::warning(
                    Path::new(source),
                    1,
                    1,
                    format!(
                        "`updated` {} is in the future; the feeds' updated date and Last-Modified stay there until then",
                        article.updated.to_rfc3339()
                    ),
                ));
            }
            by_permalink.insert(article.permalink.as_str(), source);
            by_id.insert(article.id.as_str(), source);
            out.articles.push(Arc::clone(article));
        }
        // Ids are unique among published articles (duplicates were set aside above), so an
        // unstable sort gives one order only.
        out.articles
            .sort_unstable_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
        out
    }

    /// When the published set next changes by the clock alone: a not-yet-published,
    /// non-draft article becomes due, or a published one expires (Hugo's `expiryDate`).
    pub(crate) fn next_publish_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.files
            .values()
            .filter_map(|e| e.good.as_ref())
            .filter_map(|a| a.next_change_after(now))
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::content::{parse_article, ParseOptions, Parsed};

    fn parsed(source: &str, text: &str) -> FileOutcome {
        FileOutcome::Parsed(parse_article(
            source,
            text.as_bytes(),
            &Config::defaults(),
            ParseOptions::default(),
        ))
    }

    fn now() -> DateTime<Utc> {
        "2025-01-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn store_orders_newest_first_with_id_tie_break() {
        let mut lib = Library::new();
        lib.apply(
            "b.md",
            parsed("b.md", "---\ntitle: B\ndate: 2024-01-01\n---\n"),
        );
        lib.apply(
            "a.md",
            parsed("a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n"),
        );
        lib.apply(
            "c.md",
            parsed("c.md", "---\ntitle: C\ndate: 2024-06-01\n---\n"),
        );
        let titles: Vec<_> = lib
            .published(now())
            .articles
            .iter()
            .map(|a| a.title.clone())
            .collect();
        assert_eq!(titles, vec!["C", "A", "B"]);
    }

    #[test]
    fn store_date_only_permalinks_collide_naming_both_files() {
        let mut config = Config::defaults();
        config.content.permalink =
            crate::permalink::PermalinkPattern::parse("/news/:year/:month/:day/".into()).unwrap();
        let mut lib = Library::new();
        for (source, date) in [
            ("b.md", "2024-01-01"),
            ("a.md", "2024-01-01 10:00"),
            ("c.md", "2024-01-02"),
        ] {
            let text = format!("---\ntitle: T\ndate: {date}\n---\n");
            let parsed = parse_article(source, text.as_bytes(), &config, ParseOptions::default());
            lib.apply(source, FileOutcome::Parsed(parsed));
        }
        let published = lib.published(now());
        assert_eq!(published.articles.len(), 2);
        let lines: Vec<String> = published
            .diagnostics
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            lines,
            vec!["b.md:1:1: error: duplicate permalink `http://127.0.0.1:8080/news/2024/01/01/`: also used by a.md, which is published instead"]
        );
    }

    #[test]
    fn store_warns_about_an_updated_date_in_the_future() {
        let mut lib = Library::new();
        let text =
            |updated: &str| format!("---\ntitle: T\ndate: 2024-04-02\nupdated: {updated}\n---\n");
        lib.apply("typo.md", parsed("typo.md", &text("2031-01-01")));
        lib.apply("ok.md", parsed("ok.md", &text("2025-01-01T12:00:00+05:00")));
        let published = lib.published(now());
        assert_eq!(published.articles.len(), 2);
        let lines: Vec<String> = published
            .diagnostics
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("typo.md:1:1: warning: `updated` 2031-01-01"),
            "{lines:?}"
        );
    }

    #[test]
    fn store_hides_drafts_and_future_until_due() {
        let mut lib = Library::new();
        lib.apply(
            "d.md",
            parsed(
                "d.md",
                "---\ntitle: D\ndate: 2024-01-01\ndraft: true\n---\n",
            ),
        );
        lib.apply(
            "f.md",
            parsed("f.md", "---\ntitle: F\ndate: 2025-06-01\n---\n"),
        );
        assert!(lib.published(now()).articles.is_empty());
        let due = lib.next_publish_at(now()).unwrap();
        assert_eq!(due.to_rfc3339(), "2025-06-01T00:00:00+00:00");
        assert_eq!(lib.published(due).articles.len(), 1);
    }

    #[test]
    fn store_wakes_for_publish_dates_and_expiries() {
        let mut lib = Library::new();
        // Dated in the past, shown from its `publishDate`, gone at its `expiryDate`.
        lib.apply(
            "p.md",
            parsed(
                "p.md",
                "---\ntitle: P\ndate: 2024-01-01\npublishDate: 2025-03-01\nexpiryDate: 2025-04-01\n---\n",
            ),
        );
        // Published now, leaving the feeds by itself at its expiry.
        lib.apply(
            "e.md",
            parsed(
                "e.md",
                "---\ntitle: E\ndate: 2024-01-01\nexpiryDate: 2025-02-01T12:00:00Z\n---\n",
            ),
        );
        // Expired before it was ever due: never a reason to wake.
        lib.apply(
            "n.md",
            parsed(
                "n.md",
                "---\ntitle: N\ndate: 2025-05-01\nexpiryDate: 2025-04-01\n---\n",
            ),
        );
        let titles = |at| -> Vec<String> {
            let published = lib.published(at);
            published.articles.iter().map(|a| a.title.clone()).collect()
        };
        assert_eq!(titles(now()), vec!["E"]);
        let wake = lib.next_publish_at(now()).unwrap();
        assert_eq!(wake.to_rfc3339(), "2025-02-01T12:00:00+00:00");
        assert!(titles(wake).is_empty());
        let wake = lib.next_publish_at(wake).unwrap();
        assert_eq!(wake.to_rfc3339(), "2025-03-01T00:00:00+00:00");
        assert_eq!(titles(wake), vec!["P"]);
        let wake = lib.next_publish_at(wake).unwrap();
        assert_eq!(wake.to_rfc3339(), "2025-04-01T00:00:00+00:00");
        assert!(titles(wake).is_empty());
        assert_eq!(lib.next_publish_at(wake), None);
    }

    /// The patched answer is the whole one, through edits, date changes, drafts, new and
    /// deleted files, and the clock passing a future article's date.
    #[test]
    fn published_patched_after_edits_equals_published_whole() {
        let mut lib = Library::new();
        let text = |title: &str, date: &str, extra: &str| {
            format!("---\ntitle: {title}\ndate: {date}\n{extra}---\nBody of {title}.\n")
        };
        for i in 1..=9 {
            let source = format!("p{i}.md");
            let t = text(&format!("P{i}"), &format!("2024-01-0{i}"), "");
            lib.apply(&source, parsed(&source, &t));
        }
        let future = text("F", "2025-06-01", "");
        lib.apply("f.md", parsed("f.md", &future));
        let sources = |p: &Published| -> Vec<(String, String)> {
            p.articles
                .iter()
                .map(|a| (a.source.clone(), a.title.clone()))
                .collect()
        };
        let check = |lib: &Library, at: DateTime<Utc>| {
            let got = lib.published(at);
            let whole = lib.published_whole(at);
            assert_eq!(sources(&got), sources(&whole));
            assert!(got
                .articles
                .iter()
                .zip(&whole.articles)
                .all(|(a, b)| Arc::ptr_eq(a, b)));
        };
        check(&lib, now());
        let edits: [(&str, String); 6] = [
            ("p3.md", text("P3 edited", "2024-01-03", "")),
            ("p3.md", text("P3 moved", "2023-12-01", "")),
            ("p5.md", text("P5", "2024-01-05", "draft: true\n")),
            ("new.md", text("New", "2024-02-01", "")),
            ("p5.md", text("P5 back", "2024-01-05", "")),
            ("p7.md", text("P7", "2024-01-07", "updated: 2024-03-01\n")),
        ];
        for (source, t) in &edits {
            lib.apply(source, parsed(source, t));
            check(&lib, now());
        }
        lib.apply("p2.md", FileOutcome::Gone);
        check(&lib, now());
        // Past the future article's date, it is in.
        let later: DateTime<Utc> = "2025-07-01T00:00:00Z".parse().unwrap();
        check(&lib, later);
        assert!(lib
            .published(later)
            .articles
            .iter()
            .any(|a| a.source == "f.md"));
        lib.apply(
            "p4.md",
            parsed("p4.md", &text("P4 again", "2024-01-04", "")),
        );
        check(&lib, later);
    }

    #[test]
    fn store_versions_change_with_new_versions_only() {
        let mut lib = Library::new();
        lib.apply(
            "a.md",
            parsed("a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n"),
        );
        let first = lib.version("a.md");
        assert!(first.is_some());
        // Read back for its body: the same version.
        lib.apply_read_back(
            "a.md",
            parsed("a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n"),
        );
        assert_eq!(lib.version("a.md"), first);
        // A reload: a new one; a broken file keeps its last good version's.
        lib.apply(
            "a.md",
            parsed("a.md", "---\ntitle: A2\ndate: 2024-01-01\n---\n"),
        );
        let second = lib.version("a.md");
        assert_ne!(second, first);
        lib.apply("a.md", parsed("a.md", "---\ntitle: [A\n---\n"));
        assert_eq!(lib.version("a.md"), second);
        lib.apply("a.md", FileOutcome::Gone);
        assert_eq!(lib.version("a.md"), None);
    }

    #[test]
    fn store_keeps_last_good_on_error_and_removes_on_gone() {
        let mut lib = Library::new();
        lib.apply(
            "a.md",
            parsed("a.md", "---\ntitle: Good\ndate: 2024-01-01\n---\n"),
        );
        lib.apply("a.md", parsed("a.md", "---\ntitle: [broken\n---\n"));
        assert_eq!(lib.published(now()).articles[0].title, "Good");
        assert_eq!(lib.file_diagnostics().len(), 1);
        lib.apply(
            "a.md",
            parsed("a.md", "---\ntitle: Fixed\ndate: 2024-01-01\n---\n"),
        );
        assert!(lib.file_diagnostics().is_empty());
        assert_eq!(lib.published(now()).articles[0].title, "Fixed");
        lib.apply("a.md", FileOutcome::Gone);
        assert!(lib.published(now()).articles.is_empty());
        let _ = Parsed::default();
    }

    #[test]
    fn store_duplicate_permalink_names_both_and_keeps_first_path() {
        let mut lib = Library::new();
        lib.apply(
            "x/a.md",
            parsed(
                "x/a.md",
                "---\ntitle: Second\ndate: 2024-01-02\nslug: same\n---\n",
            ),
        );
        lib.apply(
            "x/2024-01-01-same.md",
            parsed("x/2024-01-01-same.md", "---\ntitle: First\n---\n"),
        );
        let p = lib.published(now());
        assert_eq!(p.articles.len(), 1);
        assert_eq!(p.articles[0].title, "First");
        let msg = p.diagnostics[0].to_string();
        assert!(
            msg.starts_with("x/a.md:1:1") && msg.contains("x/2024-01-01-same.md"),
            "{msg}"
        );
    }
}
