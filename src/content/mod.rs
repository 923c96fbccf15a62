//! Content: everything between the content directory and a validated [`Article`] — finding
//! files ([`discover`]), splitting and reading front matter ([`front_matter`]), dates
//! ([`dates`]), identity and validation ([`article`]) and Markdown rendering ([`render`],
//! with MathML made readable by `mathml`).
//!
//! Parsing is pure (`parse_article(source, bytes)`); [`load_file`] and [`load_all`] do the IO,
//! each file within its time budget ([`budget`]).

pub(crate) mod article;
pub(crate) mod budget;
pub(crate) mod dates;
pub(crate) mod discover;
pub(crate) mod front_matter;
pub(crate) mod html;
pub mod render;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

pub(crate) use article::{parse_article, Article, ParseOptions, Parsed};
pub(crate) use budget::FileBudget;
pub(crate) use discover::{Candidate, ScanError};

use budget::Outcome;

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
            #[cfg(debug_assertions)]
            test_hook::slow_file(&bytes);
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
        Err(_) => return FileOutcome::Gone,
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

/// Scans the root and loads every file on all cores, each within `content.file_timeout_ms`
/// (`check`). The order of the result is the sorted order of paths, whatever the timing.
pub(crate) fn load_all(config: &Config, options: ParseOptions) -> Result<Vec<Loaded>, ScanError> {
    let budget = FileBudget::new(config.content.file_timeout);
    load_all_within(&Arc::new(config.clone()), options, &budget)
}

/// [`load_all`] with the caller's budget (the daemon's, shared by all its loads).
pub(crate) fn load_all_within(
    config: &Arc<Config>,
    options: ParseOptions,
    budget: &FileBudget,
) -> Result<Vec<Loaded>, ScanError> {
    let scan = discover::scan(&config.content.dir)?;
    let sources: Vec<String> = scan.candidates.iter().map(|c| c.source.clone()).collect();
    let job_config = Arc::clone(config);
    let outcomes = budget.run(scan.candidates, move |c: &Candidate| {
        rendered_when_kept(load_file(c, &job_config, options), &job_config)
    });
    if budget.is_cancelled() {
        return Ok(Vec::new()); // the caller applies nothing
    }
    let mut loaded: Vec<Loaded> = sources
        .into_iter()
        .zip(outcomes)
        .map(|(source, outcome)| Loaded {
            outcome: within_budget(&source, outcome, budget.per_file()),
            source,
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
    Ok(loaded)
}

/// Loads the given paths (relative to the root; see [`load_path`]) on all cores, each
/// within the budget; the result is in the order given.
pub(crate) fn load_paths(
    sources: Vec<String>,
    config: &Arc<Config>,
    options: ParseOptions,
    budget: &FileBudget,
) -> Vec<Loaded> {
    let job_config = Arc::clone(config);
    let outcomes = budget.run(sources.clone(), move |source: &String| {
        let outcome = load_path(&job_config.content.dir, source, &job_config, options);
        rendered_when_kept(outcome, &job_config)
    });
    sources
        .into_iter()
        .zip(outcomes)
        .map(|(source, outcome)| Loaded {
            outcome: within_budget(&source, outcome, budget.per_file()),
            source,
        })
        .collect()
}

/// Renders a published article whose body is kept, so that rendering, too, happens within
/// the file's budget (feeds then use the cached result).
fn rendered_when_kept(outcome: FileOutcome, config: &Config) -> FileOutcome {
    if let FileOutcome::Parsed(Parsed {
        article: Some(article),
        ..
    }) = &outcome
    {
        if article.body_loaded && article.is_published(Utc::now()) {
            article.rendered(config);
        }
    }
    outcome
}

/// A job's outcome as the file's: one that ran out of time or never ran is an error, so
/// the store keeps the file's last good version.
fn within_budget(source: &str, outcome: Outcome<FileOutcome>, per_file: Duration) -> FileOutcome {
    let message = match outcome {
        Outcome::Done(outcome) => return outcome,
        Outcome::TimedOut => format!("took longer than {}; skipped", shown(per_file)),
        Outcome::Skipped => format!(
            "not read: files that took longer than {} are still being parsed; skipped",
            shown(per_file)
        ),
        Outcome::Cancelled => "not read: the daemon is stopping".to_string(),
        Outcome::Panicked => "could not be parsed (internal error); skipped".to_string(),
    };
    FileOutcome::Parsed(Parsed {
        article: None,
        diagnostics: vec![Diagnostic::error(Path::new(source), 1, 1, message)],
    })
}

/// `5 s`, `1500 ms`.
fn shown(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}

/// Debug builds only (the integration tests run one): `TEST_FEEDWRIGHT_SLOW_TEXT=<text>:<ms>`
/// makes loading a file that contains `<text>` take `<ms>` longer: a parse that is slow
/// whatever the parsers become. Not under `FEEDWRIGHT_`: that prefix is for config keys.
#[cfg(debug_assertions)]
mod test_hook {
    use std::sync::OnceLock;
    use std::time::Duration;

    pub(super) fn slow_file(bytes: &[u8]) {
        static SLOW: OnceLock<Option<(Vec<u8>, Duration)>> = OnceLock::new();
        let slow = SLOW.get_or_init(|| {
            let value = std::env::var("TEST_FEEDWRIGHT_SLOW_TEXT").ok()?;
            let (text, ms) = value.rsplit_once(':')?;
            Some((
                text.as_bytes().to_vec(),
                Duration::from_millis(ms.parse().ok()?),
            ))
        });
        if let Some((text, delay)) = slow {
            if !text.is_empty() && bytes.windows(text.len()).any(|w| w == text.as_slice()) {
                std::thread::sleep(*delay);
            }
        }
    }
}
