//! `feedwright check`: parse every file and report every problem, writing nothing.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::all_diagnostics;
use crate::config::Config;
use crate::content::{self, FileOutcome, ParseOptions, ScanError};
use crate::diag::Diagnostic;
use crate::store::Library;

/// What `check` found.
#[derive(Debug)]
pub struct CheckReport {
    pub files: usize,
    pub published: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// `feedwright check`: parse everything, report everything.
pub fn check(config: &Config, strict: bool, now: DateTime<Utc>) -> Result<CheckReport, ScanError> {
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
    let published = library.published(now);
    let mut diagnostics = all_diagnostics(&library, &published);
    diagnostics.extend(vanished);
    diagnostics.extend(super::podcast_check::findings(config, &published.articles));
    diagnostics.sort();
    Ok(CheckReport {
        files: library.len(),
        published: published.articles.len(),
        diagnostics,
    })
}
