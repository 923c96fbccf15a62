//! The permalink of an article another one links to by file name (`post_url`, `link`,
//! `ref`), guessed from that name: the target's front matter is not read here, since each
//! file is parsed on its own. The link is recorded ([`LinkRef`]) and resolved against the
//! real articles once all are read (`site::links`), which replaces the guess.

use chrono::NaiveDate;

use super::Context;
use crate::permalink::PermalinkValues;

/// A link to another article by file name, as written and as guessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkRef {
    /// The target as written (`2010-07-21-name`, `_posts/x.md`, `posts/x.md#part`).
    pub(crate) target: String,
    /// The permalink written into the body for now (fragment included).
    pub(crate) guess: String,
    /// Where the construct is in the file.
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// The permalink a post named like a file (`2010-07-21-name`, `_posts/2010-07-21-name.md`,
/// `posts/name/index.md`) would get with the configured pattern: a guess from its name,
/// since the target's front matter (a `slug`, a `date`) is not read here.
pub(super) fn guess_permalink(context: &Context<'_>, target: &str) -> Option<String> {
    let (target, fragment) = match target.split_once('#') {
        Some((t, f)) => (t, Some(f)),
        None => (target, None),
    };
    let target = target.trim().trim_start_matches('/');
    let mut parts: Vec<&str> = target.split('/').filter(|s| !s.is_empty()).collect();
    let mut last = parts.pop()?;
    for ext in [".md", ".markdown", ".html", ".mdx"] {
        if last.len() > ext.len() && last.to_ascii_lowercase().ends_with(ext) {
            last = &last[..last.len() - ext.len()];
        }
    }
    if matches!(last, "index" | "_index") {
        last = parts.pop()?;
    }
    let name = last;
    let (day, slug) = match (
        last.get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        last.get(10..11),
    ) {
        (Some(day), Some("-")) => (day, &last[11..]),
        _ => (context.day, last),
    };
    let section = match parts.first() {
        Some(first) if !first.starts_with('_') => first,
        // Jekyll's `_posts` is not a URL segment; the linking post's own section is the guess.
        _ => context.source.split_once('/').map_or("", |(s, _)| s),
    };
    let config = context.config;
    // The target's title, categories and time of day are not known here: its slug stands in.
    let values = PermalinkValues {
        section,
        slug,
        slug_field: Some(slug),
        title: slug,
        filename: name,
        categories: &[],
        date: day.and_time(chrono::NaiveTime::MIN),
    };
    let url = config
        .content
        .permalink
        .expand(&config.site.base_url, &values)
        .ok()?;
    Some(match fragment {
        Some(f) => format!("{url}#{f}"),
        None => url.to_string(),
    })
}
