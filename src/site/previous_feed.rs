//! `feedwright check --previous-feed FILE`: a site's old feed (RSS or Atom, as another
//! generator wrote it) compared with what feedwright would publish, so a migration is not
//! done blind. Each old entry is matched to a published article — by id, then by link, then
//! by title and date, then by a title only one article has — and every entry whose id or
//! link would change, or that matches no article, is a warning.
//!
//! A changed id is what matters most: feed readers remember entries by id, so each one
//! shows again as new to every subscriber.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use crate::content::Article;
use crate::diag::Diagnostic;

/// Why the previous feed cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum PreviousFeedError {
    #[error("cannot read the previous feed {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the previous feed {path} is neither RSS ({rss}) nor Atom ({atom})")]
    Parse {
        path: PathBuf,
        rss: String,
        atom: String,
    },
}

/// One entry of the old feed, as its generator wrote it.
#[derive(Debug, Clone)]
pub struct OldEntry {
    /// The RSS `guid` (else its link, as readers then do) or the Atom `id`.
    id: String,
    link: Option<String>,
    title: Option<String>,
    date: Option<DateTime<FixedOffset>>,
    /// Where the entry starts in the file.
    line: usize,
    column: usize,
}

/// The old feed: where it was read from and its entries.
#[derive(Debug)]
pub struct PreviousFeed {
    path: PathBuf,
    entries: Vec<OldEntry>,
}

/// What the comparison found.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Warnings on the articles whose id or link changes (paths under the content root).
    pub on_articles: Vec<Diagnostic>,
    /// Warnings on the old feed's entries that match no article, at their place in the
    /// feed file (its path as given).
    pub on_feed: Vec<Diagnostic>,
    pub entries: usize,
    pub matched: usize,
    pub ids_changed: usize,
    pub links_changed: usize,
    pub unmatched: usize,
}

impl PreviousFeed {
    /// Reads an RSS 2.0 or Atom 1.0 file.
    pub fn read(path: &Path) -> Result<Self, PreviousFeedError> {
        let bytes = std::fs::read(path).map_err(|source| PreviousFeedError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let entries = match rss::Channel::read_from(&bytes[..]) {
            Ok(channel) => rss_entries(&channel, &text),
            Err(rss) => match atom_syndication::Feed::read_from(&bytes[..]) {
                Ok(feed) => atom_entries(&feed, &text),
                Err(atom) => {
                    return Err(PreviousFeedError::Parse {
                        path: path.to_path_buf(),
                        rss: rss.to_string(),
                        atom: atom.to_string(),
                    })
                }
            },
        };
        Ok(Self {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// Matches every old entry to one of `published` and reports what changes.
    pub fn compare(&self, published: &[Arc<Article>]) -> Comparison {
        let mut by_id: HashMap<&str, &Article> = HashMap::new();
        let mut by_link: HashMap<String, &Article> = HashMap::new();
        let mut by_title: HashMap<String, Vec<&Article>> = HashMap::new();
        for article in published {
            by_id.insert(article.id.as_str(), article);
            by_link.insert(link_key(article.permalink.as_str()), article);
            by_link.insert(link_key(article.entry_link().as_str()), article);
            by_title
                .entry(title_key(&article.title))
                .or_default()
                .push(article);
        }
        let mut out = Comparison {
            entries: self.entries.len(),
            ..Comparison::default()
        };
        for old in &self.entries {
            let by_title_and_date = || {
                let candidates = by_title.get(&title_key(old.title.as_deref()?))?;
                let date = old.date;
                let same_day = candidates
                    .iter()
                    .find(|a| date.is_some_and(|d| (a.date - d).num_hours().abs() <= 36));
                // A title only one article has is enough when the dates disagree (a date
                // the old generator wrote differently).
                same_day
                    .or_else(|| (candidates.len() == 1).then(|| &candidates[0]))
                    .copied()
            };
            let found = by_id
                .get(old.id.as_str())
                .copied()
                .or_else(|| by_link.get(&link_key(old.link.as_deref()?)).copied())
                .or_else(by_title_and_date);
            let Some(article) = found else {
                out.unmatched += 1;
                let what = old.title.as_deref().map_or_else(
                    || format!("`{}`", old.id),
                    |t| format!("`{t}` (`{}`)", old.id),
                );
                out.on_feed.push(Diagnostic::warning(
                    &self.path,
                    old.line,
                    old.column,
                    format!("the previous feed's entry {what} matches no published article (not moved over, a draft, or a different title and link)"),
                ));
                continue;
            };
            out.matched += 1;
            let path = Path::new(&article.source);
            if old.id != article.id {
                out.ids_changed += 1;
                out.on_articles.push(Diagnostic::warning(
                    path,
                    1,
                    1,
                    format!(
                        "entry id changes from the previous feed's `{}` to `{}`: readers would show it again as new (keep it with `id: {}` or a feeds.entry_id rule)",
                        old.id, article.id, old.id
                    ),
                ));
            }
            let link = article.entry_link().as_str();
            if let Some(old_link) = old.link.as_deref().filter(|l| *l != link) {
                out.links_changed += 1;
                out.on_articles.push(Diagnostic::warning(
                    path,
                    1,
                    1,
                    format!("link changes from the previous feed's `{old_link}` to `{link}` (check content.permalink and site.base_url, or redirect the old address)"),
                ));
            }
        }
        out.on_articles.sort();
        out
    }
}

/// An RSS channel's items. An item without a `guid` is known to readers by its link.
fn rss_entries(channel: &rss::Channel, text: &str) -> Vec<OldEntry> {
    let starts = element_starts(text, "item");
    channel
        .items()
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let link = item.link().map(|l| l.trim().to_string());
            let id = item
                .guid()
                .map(|g| g.value().trim().to_string())
                .filter(|g| !g.is_empty())
                .or_else(|| link.clone())?;
            let (line, column) = starts.get(i).copied().unwrap_or((1, 1));
            Some(OldEntry {
                id,
                link,
                title: item.title().map(str::to_string),
                date: item
                    .pub_date()
                    .and_then(|d| DateTime::parse_from_rfc2822(d.trim()).ok()),
                line,
                column,
            })
        })
        .collect()
}

/// An Atom feed's entries; the link is the `alternate` one (no `rel` means `alternate`).
fn atom_entries(feed: &atom_syndication::Feed, text: &str) -> Vec<OldEntry> {
    let starts = element_starts(text, "entry");
    feed.entries()
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let link = entry
                .links()
                .iter()
                .find(|l| l.rel() == "alternate")
                .map(|l| l.href().trim().to_string());
            let (line, column) = starts.get(i).copied().unwrap_or((1, 1));
            OldEntry {
                id: entry.id().trim().to_string(),
                link,
                title: Some(entry.title().value.clone()),
                date: entry.published().copied().or(Some(*entry.updated())),
                line,
                column,
            }
        })
        .collect()
}

/// Where each `<name>` element starts (line, column), in document order.
fn element_starts(text: &str, name: &str) -> Vec<(usize, usize)> {
    let open = format!("<{name}");
    text.match_indices(&open)
        .filter(|(at, _)| {
            text[at + open.len()..]
                .chars()
                .next()
                .is_some_and(|c| c == '>' || c == '/' || c.is_whitespace())
        })
        .map(|(at, _)| crate::diag::line_col(text, at))
        .collect()
}

/// A link as the same page: scheme, `www.`, a final `/`, `index.html` or `.html` aside.
fn link_key(link: &str) -> String {
    let link = link.trim();
    let rest = link
        .split_once("://")
        .map_or(link, |(_, rest)| rest)
        .trim_start_matches("www.");
    let rest = rest.split('#').next().unwrap_or(rest);
    let rest = rest.strip_suffix("index.html").unwrap_or(rest);
    let rest = rest.strip_suffix(".html").unwrap_or(rest);
    rest.trim_end_matches('/').to_lowercase()
}

/// A title compared without case or runs of whitespace.
fn title_key(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_match_across_spellings_of_one_page() {
        let key = link_key("https://www.example.com/2024/01/02/x/");
        for other in [
            "http://example.com/2024/01/02/x",
            "https://example.com/2024/01/02/x.html",
            "https://example.com/2024/01/02/x/index.html",
            "https://Example.com/2024/01/02/x/#top",
        ] {
            assert_eq!(link_key(other), key, "{other}");
        }
        assert_ne!(link_key("https://example.com/2024/01/02/y/"), key);
        assert_eq!(title_key("  Ruby  3.3\nReleased "), "ruby 3.3 released");
    }

    #[test]
    fn entry_starts_are_located() {
        let text = "<rss>\n<channel>\n  <items/>\n  <item>\n  </item>\n  <item id=\"x\"></item>";
        assert_eq!(element_starts(text, "item"), vec![(4, 3), (6, 3)]);
    }
}
