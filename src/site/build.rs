//! `feedwright build --out DIR`: the site's outputs written as files, at the paths the daemon
//! serves them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::out_dir::{self, OutDirError};
use super::{Rendering, Site};
use crate::config::Config;
use crate::content::ScanError;
use crate::diag::Diagnostic;

/// Errors of the `build` command that are not about one content file.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Scan(#[from] ScanError),
    // `cause`, not `source`: the message says it already, and `{:#}` would repeat it.
    #[error(transparent)]
    OutDir(#[from] OutDirError),
    #[error("cannot write {path}: {cause}")]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
}

/// What `build` wrote.
#[derive(Debug)]
pub struct BuildReport {
    pub written: Vec<PathBuf>,
    pub published: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// The file a route is written to under `out` (`/` → `index.html`, `/feed/` → `feed/index.html`).
pub(crate) fn route_file(out: &Path, route: &str) -> PathBuf {
    let relative = route.trim_start_matches('/');
    if relative.is_empty() || relative.ends_with('/') {
        out.join(relative).join("index.html")
    } else {
        out.join(relative)
    }
}

/// `feedwright build --out DIR`: broken files are reported and left out; the rest is written.
pub fn build(config: &Config, out: &Path, now: DateTime<Utc>) -> Result<BuildReport, BuildError> {
    // The daemon's own path: metadata of every file, bodies only for what reaches an output.
    let mut site = Site::one_shot(Arc::new(config.clone()));
    site.rescan()?;
    let Rendering {
        outputs,
        mut diagnostics,
        published,
        ..
    } = site.render(now, None);
    let mut written = Vec::new();
    let mut staged = Vec::new();
    // The site feed's files first, in the order they were always listed; then the rest by
    // path.
    let feeds = &config.feeds;
    let first = [
        Some(feeds.rss_path.as_str()),
        Some(feeds.atom_path.as_str()),
        Some(feeds.index_path.as_str()),
        feeds.rss_alias_path.as_deref(),
    ];
    let rank = |path: &str| {
        first
            .iter()
            .position(|p| *p == Some(path))
            .unwrap_or(first.len())
    };
    // Chunked documents (group feeds) put together from their items.
    let (documents, new_items) = outputs.into_parts();
    site.items.put(new_items);
    let mut documents: Vec<_> = documents
        .iter()
        .filter_map(|document| Some((document, site.items.text_of(document)?)))
        .collect();
    documents.sort_by_key(|(d, _)| rank(&d.path));
    for (document, body) in &documents {
        let route = &document.path;
        let path = route_file(out, route);
        let relative = out_dir::relative_path(&path, out).ok_or_else(|| BuildError::Write {
            path: path.clone(),
            cause: std::io::Error::other("the route does not name a file under the output folder"),
        })?;
        staged.push(out_dir::Output {
            relative,
            bytes: body.as_bytes(),
        });
        written.push(path);
    }
    out_dir::write_all_or_nothing(out, &staged)?;
    diagnostics.sort();
    Ok(BuildReport {
        written,
        published,
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_file_maps_routes_to_files() {
        let out = Path::new("out");
        assert_eq!(route_file(out, "/feed.xml"), PathBuf::from("out/feed.xml"));
        assert_eq!(route_file(out, "/"), PathBuf::from("out/index.html"));
        assert_eq!(
            route_file(out, "/news/"),
            PathBuf::from("out/news/index.html")
        );
    }
}
