//! Links between articles by file name (Jekyll's `post_url` and `link`, Hugo's `ref` and
//! `relref`), resolved against the real articles once all are read. Each file is parsed on
//! its own, so the template pass writes a guess from the target's name and records it
//! (`content::templates::LinkRef`); here the target is looked up among the store's
//! articles, and the guess in a rendered entry is replaced with the target's real permalink
//! (its `slug`, `date` and the pattern as its own front matter gives them). A target that
//! names no article, or several, keeps the guess, with a warning.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use url::Url;

use crate::content::render::RenderedBody;
use crate::content::Article;
use crate::diag::Diagnostic;
use crate::store::Library;

/// Every article's permalink under each trailing part of its path (`posts/2024-01-02-x`,
/// `2024-01-02-x`; a bundle by its folder): `None` where two articles share that part.
pub(crate) struct LinkTargets {
    by_name: HashMap<String, Option<Url>>,
}

impl LinkTargets {
    /// The targets of every article the store holds, when one of `published` links to
    /// another by name (else `None`: nothing to resolve).
    pub(crate) fn if_needed(library: &Library, published: &[Arc<Article>]) -> Option<Self> {
        published
            .iter()
            .any(|a| !a.link_refs.is_empty())
            .then(|| Self::new(library))
    }

    /// The warnings of every published article's links that name no article, or several.
    pub(crate) fn warnings(&self, published: &[Arc<Article>]) -> Vec<Diagnostic> {
        published
            .iter()
            .filter(|a| !a.link_refs.is_empty())
            .flat_map(|a| self.resolve(a).1)
            .collect()
    }

    /// The targets of every article the store holds (published or not: a link to a draft
    /// or a scheduled post still names it).
    fn new(library: &Library) -> Self {
        let mut by_name: HashMap<String, Option<Url>> = HashMap::new();
        for source in library.sources() {
            let Some(article) = library.article(source) else {
                continue;
            };
            let parts = name_parts(source);
            for start in 0..parts.len() {
                let key = parts[start..].join("/");
                by_name
                    .entry(key)
                    .and_modify(|url| {
                        if url.as_ref() != Some(&article.permalink) {
                            *url = None;
                        }
                    })
                    .or_insert_with(|| Some(article.permalink.clone()));
            }
        }
        Self { by_name }
    }

    /// The permalink a link target names: its whole path, else its trailing parts (a
    /// Jekyll `_posts/…` prefix, or a folder the content root does not have). `Err(())`
    /// when the name fits several articles.
    fn find(&self, target: &str) -> Option<Result<&Url, ()>> {
        let parts = name_parts(target);
        (0..parts.len()).find_map(|start| {
            self.by_name
                .get(&parts[start..].join("/"))
                .map(|url| url.as_ref().ok_or(()))
        })
    }

    /// The replacements (guess → real permalink, fragments kept) for one article's links,
    /// and a warning for each link that names no article or several.
    pub(crate) fn resolve(&self, article: &Article) -> (Vec<(String, String)>, Vec<Diagnostic>) {
        let mut replacements = Vec::new();
        let mut warnings = Vec::new();
        for link in &article.link_refs {
            let guess = link.guess.split('#').next().unwrap_or(&link.guess);
            let why = match self.find(&link.target) {
                Some(Ok(url)) => {
                    if url.as_str() != guess {
                        replacements.push((guess.to_string(), url.to_string()));
                    }
                    continue;
                }
                Some(Err(())) => "names several articles",
                None => "names no article",
            };
            warnings.push(Diagnostic::warning(
                Path::new(&article.source),
                link.line,
                link.column,
                format!(
                    "link to `{}` {why}; written as {} (guessed from the name and content.permalink)",
                    link.target, link.guess
                ),
            ));
        }
        (replacements, warnings)
    }
}

/// The path's parts without extension, a bundle's `index` or an `_index`, a fragment or
/// query; empty parts dropped.
fn name_parts(path: &str) -> Vec<&str> {
    let path = path.split(['#', '?']).next().unwrap_or(path).trim();
    let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if let Some(last) = parts.last_mut() {
        for ext in [".md", ".markdown", ".html", ".mdx"] {
            if last.len() > ext.len() && last.to_ascii_lowercase().ends_with(ext) {
                *last = &last[..last.len() - ext.len()];
                break;
            }
        }
    }
    if parts.len() > 1 && matches!(parts.last(), Some(&"index" | &"_index")) {
        parts.pop();
    }
    parts
}

/// `rendered` with each guessed link replaced by the real permalink: in attribute values
/// that are the guess, optionally followed by a fragment.
pub(crate) fn rewrite(rendered: &RenderedBody, replacements: &[(String, String)]) -> RenderedBody {
    RenderedBody {
        content_html: rewrite_html(&rendered.content_html, replacements),
        summary_html: rewrite_html(&rendered.summary_html, replacements),
    }
}

/// One pass over the HTML: each double-quoted attribute value that is a guess (optionally
/// followed by a fragment) is replaced; the rest is copied. Linear in the HTML, however
/// many replacements there are.
fn rewrite_html(html: &str, replacements: &[(String, String)]) -> String {
    // As the sanitizer writes attribute values: only `&` (and `"`, which no URL has) is
    // escaped.
    let by_guess: HashMap<String, String> = replacements
        .iter()
        .map(|(guess, real)| (guess.replace('&', "&amp;"), real.replace('&', "&amp;")))
        .collect();
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("=\"") {
        let value_start = at + 2;
        out.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        let value_end = rest.find('"').unwrap_or(rest.len());
        let value = &rest[..value_end];
        let (base, fragment) = match value.find('#') {
            Some(hash) => value.split_at(hash),
            None => (value, ""),
        };
        match by_guess.get(base) {
            Some(real) => {
                out.push_str(real);
                out.push_str(fragment);
            }
            None => out.push_str(value),
        }
        rest = &rest[value_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_without_extension_bundle_index_or_fragment() {
        assert_eq!(
            name_parts("_posts/2010-07-21-x.md"),
            vec!["_posts", "2010-07-21-x"]
        );
        assert_eq!(
            name_parts("/posts/trip/index.md#map"),
            vec!["posts", "trip"]
        );
        assert_eq!(name_parts("posts/_index.md"), vec!["posts"]);
        assert_eq!(name_parts("2010-07-21-x"), vec!["2010-07-21-x"]);
    }

    #[test]
    fn many_replacements_are_one_pass() {
        let n = 20_000;
        let html: String = (0..n)
            .map(|i| format!("<a href=\"https://e.com/g{i}/\">x</a>"))
            .collect();
        let replacements: Vec<(String, String)> = (0..n)
            .map(|i| {
                (
                    format!("https://e.com/g{i}/"),
                    format!("https://e.com/r{i}/"),
                )
            })
            .collect();
        let started = std::time::Instant::now();
        let out = rewrite_html(&html, &replacements);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(out.starts_with("<a href=\"https://e.com/r0/\">") && !out.contains("/g"));
    }

    #[test]
    fn only_whole_attribute_values_are_rewritten() {
        let html = "<a href=\"https://e.com/a/\">x</a> <a href=\"https://e.com/a/#s\">y</a> <a href=\"https://e.com/a/b/\">z</a> https://e.com/a/";
        let out = rewrite_html(
            html,
            &[("https://e.com/a/".into(), "https://e.com/2024/real/".into())],
        );
        assert_eq!(out, "<a href=\"https://e.com/2024/real/\">x</a> <a href=\"https://e.com/2024/real/#s\">y</a> <a href=\"https://e.com/a/b/\">z</a> https://e.com/a/");
    }
}
