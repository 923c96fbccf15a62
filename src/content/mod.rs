//! Content: everything between the content directory and a validated [`Article`] — finding
//! files ([`discover`]), splitting and reading front matter ([`front_matter`], its nesting
//! checked first by `flow_depth`), dates
//! ([`dates`]), identity and validation ([`article`]), body rendering ([`render`]: Markdown,
//! sanitizing, summaries, MathML made readable) and reading HTML as written ([`html`]).
//!
//! Parsing is pure (`parse_article(source, bytes)`); [`load_file`] and [`load_all`] do the IO.

pub(crate) mod article;
pub(crate) mod dates;
pub(crate) mod discover;
mod flow_depth;
pub(crate) mod front_matter;
pub(crate) mod html;
pub mod render;
mod templates;

use std::io::ErrorKind;
use std::path::Path;

use rayon::prelude::*;

pub(crate) use article::{parse_article, Article, KeptBody, ParseOptions, Parsed};
pub(crate) use discover::{Candidate, ScanError};

use crate::config::Config;
use crate::diag::Diagnostic;

/// What loading one path gave.
// `Gone` is the rare case; boxing `Parsed` would cost an allocation for every file.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum FileOutcome {
    /// Parsed (with an article, or with only errors).
    Parsed(Parsed),
    /// The file is not there (deleted, renamed away, or never an article).
    Gone,
}

/// Reads and parses one candidate.
pub(crate) fn load_file(
    candidate: &Candidate,
    config: &Config,
    options: ParseOptions,
) -> FileOutcome {
    match discover::read_candidate(candidate, config.content.max_file_bytes) {
        discover::ReadOutcome::Bytes(bytes) => {
            FileOutcome::Parsed(parse_article(&candidate.source, &bytes, config, options))
        }
        discover::ReadOutcome::Gone => FileOutcome::Gone,
        discover::ReadOutcome::Failed(d) => FileOutcome::Parsed(Parsed {
            article: None,
            diagnostics: vec![d],
        }),
    }
}

/// Loads one path relative to the root (used by the watcher for a changed file): applies the
/// ignore and symlink rules as the full scan does.
pub(crate) fn load_path(
    root: &Path,
    source: &str,
    config: &Config,
    options: ParseOptions,
) -> FileOutcome {
    let name = source.rsplit('/').next().unwrap_or(source);
    if discover::is_ignored_path(source) || !discover::is_article_name(name) {
        return FileOutcome::Gone;
    }
    let path = root.join(source);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        // Gone, or a folder on its path replaced by a file: the article is no more.
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return FileOutcome::Gone
        }
        // Still there as far as we know (e.g. its folder was made unreadable): an error that
        // keeps the last good version, as a file that no longer parses does.
        Err(e) => {
            return FileOutcome::Parsed(Parsed {
                article: None,
                diagnostics: vec![Diagnostic::error(
                    Path::new(source),
                    1,
                    1,
                    format!("cannot read file: {e}"),
                )],
            })
        }
    };
    let open_path = if meta.file_type().is_symlink() {
        let resolved = std::fs::canonicalize(root)
            .map_err(|e| format!("cannot resolve content root: {e}"))
            .and_then(|canonical_root| discover::resolve_symlink(&path, &canonical_root));
        match resolved {
            Ok(target) => target,
            Err(message) => {
                return FileOutcome::Parsed(Parsed {
                    article: None,
                    diagnostics: vec![Diagnostic::error(Path::new(source), 1, 1, message)],
                })
            }
        }
    } else if meta.is_file() {
        path
    } else {
        return FileOutcome::Gone;
    };
    let candidate = Candidate {
        source: source.to_string(),
        open_path,
    };
    load_file(&candidate, config, options)
}

/// One file's result from a full load.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub source: String,
    pub outcome: FileOutcome,
}

/// What a full load found: every file's outcome, sorted by path, and the folders that could
/// not be read (their files are neither found nor known to be gone).
#[derive(Debug)]
pub(crate) struct FullLoad {
    pub files: Vec<Loaded>,
    /// Relative paths, as the folders' diagnostics name them.
    pub unreadable_folders: Vec<String>,
}

/// Called by [`load_all`] with each article's body before it is dropped
/// (`keep_body: false`): returns where a copy of it is kept, if anywhere.
pub(crate) type KeepBodyCopy<'a> = &'a (dyn Fn(&str) -> Option<KeptBody> + Sync);

/// Scans the root and parses every file on all cores. The order of the result is the sorted
/// order of paths, whatever the thread timing.
pub(crate) fn load_all(
    config: &Config,
    options: ParseOptions,
    keep_copy: Option<KeepBodyCopy<'_>>,
) -> Result<FullLoad, ScanError> {
    let scan = discover::scan(&config.content.dir)?;
    let read_options = ParseOptions {
        keep_body: options.keep_body || keep_copy.is_some(),
        ..options
    };
    let mut loaded: Vec<Loaded> = scan
        .candidates
        .par_iter()
        .map(|c| {
            let mut outcome = load_file(c, config, read_options);
            if let (Some(keep_copy), false) = (keep_copy, options.keep_body) {
                if let FileOutcome::Parsed(Parsed {
                    article: Some(article),
                    ..
                }) = &mut outcome
                {
                    let kept = keep_copy(&article.body);
                    article.drop_body(kept);
                }
            }
            Loaded {
                source: c.source.clone(),
                outcome,
            }
        })
        .collect();
    for d in scan.diagnostics {
        loaded.push(Loaded {
            source: d.path.display().to_string(),
            outcome: FileOutcome::Parsed(Parsed {
                article: None,
                diagnostics: vec![d],
            }),
        });
    }
    // Sources are unique, so an unstable sort is deterministic, and it needs no scratch
    // buffer (a stable one allocates one as large as the vector: 667 KB for 1,000 articles).
    loaded.sort_unstable_by(|a, b| a.source.cmp(&b.source));
    Ok(FullLoad {
        files: loaded,
        unreadable_folders: scan.unreadable_folders,
    })
}
