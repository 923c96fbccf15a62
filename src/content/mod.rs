//! Content: everything between the content directory and a validated [`Article`] — finding
//! files ([`discover`]), splitting and reading front matter
//! ([`front_matter`], its nesting and size checked first by `flow_depth`), dates
//! ([`dates`]), identity and validation ([`article`]), body rendering ([`render`]: Markdown,
//! sanitizing, summaries, MathML made readable) and reading HTML as written ([`html`]).
//!
//! Parsing is pure (`parse_article(source, bytes)`); [`load_file`] and [`load_all`] do the IO,
//! each file within its time budget ([`budget`]).

pub(crate) mod article;
pub(crate) mod budget;
pub(crate) mod dates;
pub(crate) mod discover;
mod flow_depth;
pub(crate) mod front_matter;
pub(crate) mod html;
pub mod media;
pub mod render;
mod templates;

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

pub(crate) use article::format_duration;
pub(crate) use article::{parse_article, Article, KeptBody, ParseOptions, Parsed};
pub(crate) use article::{Enclosure, MediaRef};
pub(crate) use budget::FileBudget;
pub(crate) use discover::{Candidate, ScanError};

use budget::{FileStamp, Outcome};

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

/// Called by a full load with each article's body before it is dropped
/// (`keep_body: false`), inside the file's job: returns where a copy of it is kept, if
/// anywhere. Shared with the jobs, which may outlive the load when abandoned.
pub(crate) type KeepBodyCopy = Arc<dyn Fn(&str) -> Option<KeptBody> + Send + Sync>;

/// Scans the root and loads every file on all cores, each within `content.file_timeout_ms`
/// (`check`). The order of the result is the sorted order of paths, whatever the timing.
pub(crate) fn load_all(
    config: &Config,
    options: ParseOptions,
    keep_copy: Option<KeepBodyCopy>,
) -> Result<FullLoad, ScanError> {
    let budget = FileBudget::new(config.content.file_timeout);
    load_all_within(&Arc::new(config.clone()), options, keep_copy, &budget)
}

/// [`load_all`] with the caller's budget (the daemon's, shared by all its loads). Each
/// file's job reads, parses, copies the body it drops (`keep_copy`) and renders the body
/// it keeps, so all of that is within the file's budget.
pub(crate) fn load_all_within(
    config: &Arc<Config>,
    options: ParseOptions,
    keep_copy: Option<KeepBodyCopy>,
    budget: &FileBudget,
) -> Result<FullLoad, ScanError> {
    let scan = discover::scan(&config.content.dir)?;
    let sources: Vec<String> = scan.candidates.iter().map(|c| c.source.clone()).collect();
    let job_config = Arc::clone(config);
    let slow = budget.slow_files();
    let per_file = budget.per_file();
    let read_options = ParseOptions {
        keep_body: options.keep_body || keep_copy.is_some(),
        ..options
    };
    let renders = Arc::new(RenderedKeep::for_config(config));
    let outcomes = budget.run(scan.candidates, move |c: &Candidate| {
        if let Some(known) = still_slow(&slow, &job_config, &c.source, per_file) {
            return (known, true);
        }
        let mut outcome = load_file(c, &job_config, read_options);
        if !options.keep_body {
            if let FileOutcome::Parsed(Parsed {
                article: Some(article),
                ..
            }) = &mut outcome
            {
                if article.body_loaded && !renders.take(article) {
                    let kept = keep_copy.as_ref().and_then(|keep| keep(&article.body));
                    article.drop_body(kept);
                }
            }
        }
        (rendered_when_kept(outcome, &job_config), false)
    });
    if budget.is_cancelled() {
        // The caller applies nothing.
        return Ok(FullLoad {
            files: Vec::new(),
            unreadable_folders: Vec::new(),
        });
    }
    let mut loaded = within_budget(sources, outcomes, config, budget);
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

/// Loads the given paths (relative to the root; see [`load_path`]) on all cores, each
/// within the budget; the result is in the order given.
pub(crate) fn load_paths(
    sources: Vec<String>,
    config: &Arc<Config>,
    options: ParseOptions,
    budget: &FileBudget,
) -> Vec<Loaded> {
    let job_config = Arc::clone(config);
    let slow = budget.slow_files();
    let per_file = budget.per_file();
    let outcomes = budget.run(sources.clone(), move |source: &String| {
        if let Some(known) = still_slow(&slow, &job_config, source, per_file) {
            return (known, true);
        }
        let outcome = load_path(&job_config.content.dir, source, &job_config, options);
        (rendered_when_kept(outcome, &job_config), false)
    });
    within_budget(sources, outcomes, config, budget)
}

/// The timeout error again, without parsing, for a file that ran out of time and has not
/// changed since (see [`budget`]).
fn still_slow(
    slow: &HashMap<String, FileStamp>,
    config: &Config,
    source: &str,
    per_file: Duration,
) -> Option<FileOutcome> {
    if slow.is_empty() {
        return None;
    }
    let known = slow.get(source)?;
    (stamp(config, source).as_ref() == Some(known)).then(|| timed_out(source, per_file))
}

/// A file's size and modification time (through a symlink, its target's).
fn stamp(config: &Config, source: &str) -> Option<FileStamp> {
    let meta = std::fs::metadata(config.content.dir.join(source)).ok()?;
    Some((meta.len(), meta.modified().ok()))
}

fn timed_out(source: &str, per_file: Duration) -> FileOutcome {
    error_outcome(
        source,
        format!("took longer than {}; skipped", shown(per_file)),
    )
}

fn error_outcome(source: &str, message: String) -> FileOutcome {
    FileOutcome::Parsed(Parsed {
        article: None,
        diagnostics: vec![Diagnostic::error(Path::new(source), 1, 1, message)],
    })
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

/// How many bytes of bodies a metadata-only load may keep with their renderings: those the
/// parse rendered already (bodies that could exceed the rendered-size bound, checked at
/// parse time), which the feed window would otherwise read and render again. One
/// largest-possible article's worth, so memory stays bounded by `content.max_file_bytes`
/// whatever the number of large files; past it, bodies are dropped as the others are.
struct RenderedKeep {
    left: std::sync::atomic::AtomicUsize,
}

impl RenderedKeep {
    fn for_config(config: &Config) -> Self {
        let max_file = usize::try_from(config.content.max_file_bytes).unwrap_or(usize::MAX);
        // Content and summary are each within the rendered bound.
        let max_rendered = render::max_rendered_bytes(config.content.max_file_bytes);
        Self {
            left: max_rendered
                .saturating_mul(2)
                .saturating_add(max_file)
                .into(),
        }
    }

    /// Whether `article` (body in memory) keeps its body and rendering: it was rendered, and
    /// they fit in what is left, which they then take.
    fn take(&self, article: &Article) -> bool {
        use std::sync::atomic::Ordering;
        let Some(rendered) = article.rendered_if_done() else {
            return false;
        };
        let cost = article.body.len() + rendered.content_html.len() + rendered.summary_html.len();
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(cost)
            })
            .is_ok()
    }
}

/// The jobs' outcomes as the files': one that ran out of time or never ran is an error, so
/// the store keeps the file's last good version. Files that ran out of time are remembered
/// (and forgotten once they parse in time).
fn within_budget(
    sources: Vec<String>,
    outcomes: Vec<Outcome<(FileOutcome, bool)>>,
    config: &Config,
    budget: &FileBudget,
) -> Vec<Loaded> {
    let per_file = budget.per_file();
    let mut slow = Vec::new();
    let mut in_time = Vec::new();
    let loaded: Vec<Loaded> = sources
        .into_iter()
        .zip(outcomes)
        .enumerate()
        .map(|(at, (source, outcome))| {
            let outcome = match outcome {
                Outcome::Done((outcome, known_slow)) => {
                    if !known_slow {
                        in_time.push(at);
                    }
                    outcome
                }
                Outcome::TimedOut => {
                    if let Some(stamp) = stamp(config, &source) {
                        slow.push((source.clone(), stamp));
                    }
                    timed_out(&source, per_file)
                }
                Outcome::Skipped => error_outcome(
                    &source,
                    format!(
                        "not read: files that took longer than {} are still being parsed; skipped",
                        shown(per_file)
                    ),
                ),
                Outcome::Cancelled => {
                    error_outcome(&source, "not read: the daemon is stopping".into())
                }
                Outcome::Panicked => error_outcome(
                    &source,
                    "could not be parsed (internal error); skipped".into(),
                ),
            };
            Loaded { source, outcome }
        })
        .collect();
    budget.note_slow_files(slow, in_time.iter().map(|&at| loaded[at].source.as_str()));
    loaded
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(loaded: &[Loaded], source: &str) -> bool {
        let l = loaded.iter().find(|l| l.source == source).expect(source);
        match &l.outcome {
            FileOutcome::Parsed(Parsed {
                article: Some(a), ..
            }) => a.is_rendered(),
            other => panic!("{source}: {other:?}"),
        }
    }

    #[test]
    fn loads_render_published_bodies_inside_the_budget_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("a.md"),
            "---\ntitle: A\ndate: 2024-01-01\n---\nA.\n",
        )
        .expect("write");
        let draft = "---\ntitle: D\ndate: 2024-01-01\ndraft: true\n---\nD.\n";
        std::fs::write(dir.path().join("d.md"), draft).expect("write");
        let mut config = Config::defaults();
        config.content.dir = dir.path().to_path_buf();
        let config = Arc::new(config);
        let budget = FileBudget::new(Duration::from_secs(60));
        let sources = vec!["a.md".to_string(), "d.md".to_string()];
        let loaded = load_paths(sources, &config, ParseOptions::default(), &budget);
        assert!(rendered(&loaded, "a.md"), "the render ran inside the job");
        assert!(!rendered(&loaded, "d.md"), "a draft reaches no feed");
        let metadata_only = ParseOptions {
            keep_body: false,
            ..ParseOptions::default()
        };
        let loaded = load_all_within(&config, metadata_only, None, &budget).expect("load");
        assert!(
            !rendered(&loaded.files, "a.md"),
            "no body, nothing to render"
        );
    }

    #[test]
    fn a_metadata_only_load_keeps_renderings_made_at_parse_time_up_to_one_articles_worth() {
        // Bodies this large are rendered while parsing (their rendered size is checked);
        // the feeds use that rendering rather than read and render the file again, while
        // what is kept stays within one largest article (2 × 64 KiB rendered + 64 KiB).
        let dir = tempfile::tempdir().expect("tempdir");
        let prose = "Words of prose, plain. ".repeat(2_600);
        for name in ["a.md", "b.md", "c.md", "d.md"] {
            let text = format!("---\ntitle: {name}\ndate: 2024-01-01\n---\n{prose}\n");
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        std::fs::write(
            dir.path().join("small.md"),
            "---\ntitle: S\ndate: 2024-01-01\n---\nShort.\n",
        )
        .expect("write");
        let mut config = Config::defaults();
        config.content.dir = dir.path().to_path_buf();
        config.content.max_file_bytes = 64 * 1024;
        let metadata_only = ParseOptions {
            keep_body: false,
            ..ParseOptions::default()
        };
        let budget = FileBudget::new(Duration::from_secs(60));
        let load = load_all_within(&Arc::new(config), metadata_only, None, &budget).expect("load");
        let mut kept = 0;
        for l in &load.files {
            let FileOutcome::Parsed(Parsed {
                article: Some(a), ..
            }) = &l.outcome
            else {
                panic!("{}: {:?}", l.source, l.outcome);
            };
            // Body and rendering go together: a kept body is a rendered one.
            assert_eq!(a.body_loaded, a.is_rendered(), "{}", l.source);
            assert_eq!(a.body.is_empty(), !a.body_loaded, "{}", l.source);
            kept += usize::from(a.body_loaded);
        }
        assert!(
            !rendered(&load.files, "small.md"),
            "not rendered at parse time"
        );
        assert_eq!(
            kept, 2,
            "two of the four large ones fit in one article's worth"
        );
    }

    #[test]
    fn a_full_load_copies_each_dropped_body_inside_the_files_job() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "---\ntitle: A\ndate: 2024-01-01\n---\nA body.\n";
        std::fs::write(dir.path().join("a.md"), text).expect("write");
        let mut config = Config::defaults();
        config.content.dir = dir.path().to_path_buf();
        let budget = FileBudget::new(Duration::from_secs(60));
        let copied = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let sink = Arc::clone(&copied);
        let keep_copy: KeepBodyCopy = Arc::new(move |body: &str| {
            sink.lock().ok()?.push(body.to_string());
            Some(KeptBody { offset: 7, len: 3 })
        });
        let metadata_only = ParseOptions {
            keep_body: false,
            ..ParseOptions::default()
        };
        let load = load_all_within(&Arc::new(config), metadata_only, Some(keep_copy), &budget)
            .expect("load");
        let article = match &load.files[0].outcome {
            FileOutcome::Parsed(Parsed {
                article: Some(a), ..
            }) => a,
            other => panic!("{other:?}"),
        };
        assert!(!article.body_loaded && !article.is_rendered());
        assert_eq!(article.kept_body, Some(KeptBody { offset: 7, len: 3 }));
        let copied = copied.lock().expect("lock");
        assert_eq!(copied.as_slice(), ["A body.\n"]);
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
