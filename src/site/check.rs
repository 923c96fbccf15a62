//! `feedwright check`: parse every file and report every problem, writing nothing (group
//! feed slug collisions included); with `--previous-feed`, also what would change for the
//! old feed's entries ([`previous_feed`](super::previous_feed)).

use std::path::Path;

use chrono::{DateTime, Utc};

use super::all_diagnostics;
use super::links::LinkTargets;
use super::previous_feed::{Comparison, PreviousFeed};
use crate::config::Config;
use crate::content::{self, FileOutcome, ParseOptions, ScanError};
use crate::diag::Diagnostic;
use crate::feed;
use crate::store::Library;

/// What `check` found.
#[derive(Debug)]
pub struct CheckReport {
    pub files: usize,
    pub published: usize,
    /// Located under the content root; the previous feed's changes to articles among them.
    pub diagnostics: Vec<Diagnostic>,
    /// The comparison with `--previous-feed`, if given.
    pub previous_feed: Option<Comparison>,
}

impl CheckReport {
    /// Every diagnostic: the content's, then the previous feed's own (its unmatched entries).
    fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        let on_feed = self.previous_feed.iter().flat_map(|c| c.on_feed.iter());
        self.diagnostics.iter().chain(on_feed)
    }
    pub fn errors(&self) -> usize {
        self.all().filter(|d| d.is_error()).count()
    }
    pub fn warnings(&self) -> usize {
        self.all().filter(|d| !d.is_error()).count()
    }
}

/// `feedwright check`: parse everything, report everything; compare with `previous` when given.
pub fn check(
    config: &Config,
    strict: bool,
    previous: Option<&PreviousFeed>,
    now: DateTime<Utc>,
) -> Result<CheckReport, ScanError> {
    let options = ParseOptions {
        report_unknown_fields: strict,
        keep_body: false,
    };
    let mut library = Library::new();
    let mut vanished = Vec::new();
    for loaded in content::load_all(config, options, None)?.files {
        if matches!(loaded.outcome, FileOutcome::Gone) {
            // Listed, then gone before it could be read: say so rather than stay silent.
            vanished.push(Diagnostic::warning(
                Path::new(&loaded.source),
                1,
                1,
                "file disappeared while being read; skipped",
            ));
        }
        library.apply(&loaded.source, loaded.outcome);
    }
    let mut published = library.published(now);
    if let Some(targets) = LinkTargets::if_needed(&library, &published.articles) {
        published
            .diagnostics
            .extend(targets.warnings(&published.articles));
    }
    let mut diagnostics = all_diagnostics(&library, &published);
    diagnostics.extend(vanished);
    // Two spellings of a tag (section, author) with one slug share a feed: say which.
    for group in feed::groups(&published.articles, config) {
        diagnostics.extend(group.collisions(config));
    }
    let previous_feed = previous.map(|feed| feed.compare(&published.articles));
    if let Some(comparison) = &previous_feed {
        diagnostics.extend(comparison.on_articles.iter().cloned());
    }
    diagnostics.extend(super::podcast_check::findings(config, &published.articles));
    diagnostics.sort();
    Ok(CheckReport {
        files: library.len(),
        published: published.articles.len(),
        diagnostics,
        previous_feed,
    })
}
