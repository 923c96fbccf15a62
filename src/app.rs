//! Wiring of the stages for each subcommand: `check` (report), `build` (files) and the
//! [`Site`] the daemon keeps — the store plus the step that turns it into a served snapshot.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::content::{self, Article, FileOutcome, ParseOptions, ScanError};
use crate::diag::Diagnostic;
use crate::feed;
use crate::feed::SiteOutputs;
use crate::http::AppState;
use crate::snapshot::Snapshot;
use crate::store::{Library, Published};

/// Errors of the `build` command that are not about one content file.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Scan(#[from] ScanError),
    // `cause`, not `source`: the message says it already, and `{:#}` would repeat it.
    #[error("cannot write {path}: {cause}")]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
}

/// A diagnostic with its path shown from the working directory (`content/posts/a.md:3:1: …`),
/// so editors and terminals can jump to it.
pub fn located(config: &Config, d: &Diagnostic) -> String {
    let mut shown = d.clone();
    shown.path = config.content.dir.join(&d.path);
    shown.to_string()
}

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

/// Every diagnostic of a store at `now`: parse problems plus duplicate clashes, sorted.
pub fn all_diagnostics(library: &Library, published: &Published) -> Vec<Diagnostic> {
    let mut all = library.file_diagnostics();
    all.extend(published.diagnostics.iter().cloned());
    all.sort();
    all
}

/// `feedwright check`: parse everything, report everything.
pub fn check(config: &Config, strict: bool, now: DateTime<Utc>) -> Result<CheckReport, ScanError> {
    let options = ParseOptions {
        report_unknown_fields: strict,
        keep_body: false,
    };
    let mut library = Library::new();
    let mut vanished = Vec::new();
    for loaded in content::load_all(config, options)? {
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
    diagnostics.sort();
    Ok(CheckReport {
        files: library.len(),
        published: published.articles.len(),
        diagnostics,
    })
}

/// What `build` wrote.
#[derive(Debug)]
pub struct BuildReport {
    pub written: Vec<PathBuf>,
    pub published: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// The file a route is written to under `out` (`/` → `index.html`, `/feed/` → `feed/index.html`).
pub fn route_file(out: &Path, route: &str) -> PathBuf {
    let relative = route.trim_start_matches('/');
    if relative.is_empty() || relative.ends_with('/') {
        out.join(relative).join("index.html")
    } else {
        out.join(relative)
    }
}

/// `feedwright build --out DIR`: broken files are reported and left out; the rest is written.
pub fn build(config: &Config, out: &Path, now: DateTime<Utc>) -> Result<BuildReport, AppError> {
    // The daemon's own path: metadata of every file, bodies only for what reaches an output.
    let mut site = Site::new(Arc::new(config.clone()));
    site.rescan()?;
    let Rendering {
        outputs,
        mut diagnostics,
        published,
    } = site.render(now);
    let mut files: Vec<(String, &str)> = vec![
        (config.feeds.rss_path.clone(), outputs.rss.as_str()),
        (config.feeds.atom_path.clone(), outputs.atom.as_str()),
        (config.feeds.index_path.clone(), outputs.index_html.as_str()),
    ];
    if let Some(alias) = &config.feeds.rss_alias_path {
        let body = outputs.rss_alias.as_deref().unwrap_or(&outputs.rss);
        files.push((alias.clone(), body));
    }
    let mut written = Vec::new();
    for (route, body) in files {
        let path = route_file(out, &route);
        write_atomically(&path, body.as_bytes())?;
        written.push(path);
    }
    diagnostics.sort();
    Ok(BuildReport {
        written,
        published,
        diagnostics,
    })
}

/// Writes via a temporary file in the same folder and a rename, so a reader (a web server
/// serving DIR) sees the old file or the new one, never a partial one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let err = |cause| AppError::Write {
        path: path.to_path_buf(),
        cause,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(err)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// The daemon's content state: the store and how it becomes the served snapshot.
pub struct Site {
    pub config: Arc<Config>,
    pub library: Library,
    /// Why the content directory cannot be read right now (it vanished, or lost its
    /// permissions): listed first among the errors `/readyz` shows, while the last good
    /// state stays served.
    pub root_problem: Option<String>,
}

/// One content state rendered: the outputs, every current diagnostic, the published count.
#[derive(Debug)]
pub struct Rendering {
    pub outputs: SiteOutputs,
    pub diagnostics: Vec<Diagnostic>,
    pub published: usize,
}

/// What one publish step did, for logs and metrics.
#[derive(Debug, Clone, Copy)]
pub struct PublishStats {
    pub published: usize,
    pub errors: usize,
    pub seconds: f64,
}

impl Site {
    pub fn new(config: Arc<Config>) -> Self {
        Self {
            config,
            library: Library::new(),
            root_problem: None,
        }
    }

    /// Full rescan: reads every file again. On a scan failure (root gone or unreadable) the
    /// store is left as it is, so the last good feeds stay served.
    pub fn rescan(&mut self) -> Result<usize, ScanError> {
        // Metadata only: `publish` reads the bodies of the few articles that reach an output.
        let metadata_only = ParseOptions {
            keep_body: false,
            ..ParseOptions::default()
        };
        let loaded = content::load_all(&self.config, metadata_only)?;
        let keep: BTreeSet<String> = loaded.iter().map(|l| l.source.clone()).collect();
        let count = loaded.len();
        for l in loaded {
            self.library.apply(&l.source, l.outcome);
        }
        self.library.retain_sources(&keep);
        Ok(count)
    }

    /// Reads only the given paths (relative to the root) again.
    pub fn reload_paths<'a>(&mut self, sources: impl IntoIterator<Item = &'a str>) -> usize {
        let mut n = 0;
        for source in sources {
            let outcome = content::load_path(
                &self.config.content.dir,
                source,
                &self.config,
                ParseOptions::default(),
            );
            self.library.apply(source, outcome);
            n += 1;
        }
        n
    }

    /// Drops every file under a folder that went away.
    pub fn forget_folder(&mut self, folder: &str) -> usize {
        let gone = self.library.sources_under(folder);
        for source in &gone {
            self.library.apply(source, FileOutcome::Gone);
        }
        gone.len()
    }

    /// The feed window at `now`: the newest `feeds.limit` published articles, each with its
    /// body. Bodies the store dropped are read again; a file that no longer parses at that
    /// moment has its error recorded and is left out until it is fixed. Returns whether any
    /// file was read again.
    pub fn window(
        &mut self,
        published: &[Arc<Article>],
        now: DateTime<Utc>,
    ) -> (Vec<Arc<Article>>, bool) {
        let mut window = Vec::with_capacity(self.config.feeds.limit);
        let mut reread = false;
        for article in published {
            if window.len() == self.config.feeds.limit {
                break;
            }
            if article.body_loaded {
                window.push(Arc::clone(article));
                continue;
            }
            let outcome = content::load_path(
                &self.config.content.dir,
                &article.source,
                &self.config,
                ParseOptions::default(),
            );
            self.library.apply(&article.source, outcome);
            reread = true;
            match self.library.article(&article.source) {
                Some(fresh) if fresh.body_loaded && fresh.is_published(now) => {
                    window.push(Arc::clone(fresh))
                }
                _ => {}
            }
        }
        // Keep bodies only where an output needs them (memory stays flat with site size).
        let keep: std::collections::HashSet<&str> =
            window.iter().map(|a| a.source.as_str()).collect();
        self.library.shed_bodies(|source| keep.contains(source));
        (window, reread)
    }

    /// Renders the store at `now` and swaps the result in. Unchanged bytes keep their ETag
    /// and Last-Modified (the snapshot compares with the one it replaces).
    /// Renders the store at `now`: the outputs and every current diagnostic. Shared by the
    /// daemon ([`Site::publish`]) and `build`.
    pub fn render(&mut self, now: DateTime<Utc>) -> Rendering {
        let mut published = self.library.published(now);
        let (window, reread) = self.window(&published.articles, now);
        if reread {
            // Reading bodies may have found new problems; report the store as it is now.
            published.diagnostics = self.library.published(now).diagnostics;
        }
        Rendering {
            outputs: feed::render_outputs(&window, &self.config),
            diagnostics: all_diagnostics(&self.library, &published),
            published: published.articles.len(),
        }
    }

    pub fn publish(&mut self, state: &AppState, now: DateTime<Utc>) -> PublishStats {
        let started = Instant::now();
        let rendering = self.render(now);
        let errors: Vec<String> = self
            .root_problem
            .iter()
            .cloned()
            .chain(
                rendering
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| located(&self.config, d)),
            )
            .collect();
        let previous = state.snapshot.load_full();
        let previous = previous.is_ready().then_some(&*previous);
        let error_count = errors.len();
        let snapshot = Snapshot::build(
            &self.config,
            rendering.outputs,
            errors,
            rendering.published,
            previous,
            now,
        );
        state.snapshot.store(Arc::new(snapshot));
        let seconds = started.elapsed().as_secs_f64();
        state.metrics.set_published(rendering.published);
        state.metrics.set_content_errors(error_count);
        state.metrics.observe_build(seconds);
        PublishStats {
            published: rendering.published,
            errors: error_count,
            seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_route_file_maps_routes_to_files() {
        let out = Path::new("out");
        assert_eq!(route_file(out, "/feed.xml"), PathBuf::from("out/feed.xml"));
        assert_eq!(route_file(out, "/"), PathBuf::from("out/index.html"));
        assert_eq!(
            route_file(out, "/news/"),
            PathBuf::from("out/news/index.html")
        );
    }

    #[test]
    fn app_write_atomically_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/feed.xml");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path().join("sub")).unwrap().count(), 1);
    }
}
