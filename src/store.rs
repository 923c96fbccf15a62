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
                removed
            }
            FileOutcome::Parsed(parsed) => {
                let entry = self.files.entry(source.to_string()).or_default();
                if let Some(article) = parsed.article {
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
    pub fn published(&self, now: DateTime<Utc>) -> Published {
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
