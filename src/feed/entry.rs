//! One feed entry — a window article with its rendered body — and the HTML pieces every
//! writer takes from it: summary, full content (lead image included), escaping.

use chrono::{DateTime, Utc};

use super::media::EpisodeMedia;
use crate::content::render::RenderedBody;
use crate::content::Article;

/// One entry of the feeds: an article of the window with its body already rendered.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub(crate) article: &'a Article,
    pub(crate) rendered: &'a RenderedBody,
    /// An episode's media (`None` for other articles, and for episodes whose media is not
    /// ready); set by the site from what it read.
    pub(crate) media: Option<&'a EpisodeMedia>,
}

/// The newest `updated` among the entries: the feed's own updated time.
pub(crate) fn feed_updated(entries: &[Entry<'_>]) -> Option<DateTime<Utc>> {
    entries
        .iter()
        .map(|e| e.article.updated.with_timezone(&Utc))
        .max()
}

/// The summary HTML of an entry. Readers and validators expect one even when the body has
/// no text (a bare link post, an image-only note): the title stands in then.
pub(crate) fn summary_html(entry: &Entry<'_>) -> String {
    let summary = &entry.rendered.summary_html;
    if summary.trim().is_empty() {
        escape_html(&entry.article.title)
    } else {
        summary.clone()
    }
}

/// The full-content HTML of an entry: the lead image (if any) above the rendered body. A body
/// with nothing in it becomes a link to the entry's page, so no entry has blank content.
pub(crate) fn content_html(entry: &Entry<'_>) -> String {
    let Entry {
        article, rendered, ..
    } = *entry;
    match &article.image {
        None if rendered.content_html.trim().is_empty() => format!(
            "<p><a href=\"{}\">{}</a></p>\n",
            escape_html(article.entry_link().as_str()),
            escape_html(&article.title)
        ),
        None => rendered.content_html.clone(),
        Some(image) => {
            let mut html = String::with_capacity(rendered.content_html.len() + 200);
            html.push_str("<figure><img src=\"");
            html.push_str(&escape_html(image.url.as_str()));
            html.push_str("\" alt=\"");
            html.push_str(&escape_html(image.alt.as_deref().unwrap_or("")));
            html.push_str("\">");
            if let Some(credit) = &image.credit {
                html.push_str("<figcaption>");
                html.push_str(&escape_html(credit));
                html.push_str("</figcaption>");
            }
            html.push_str("</figure>\n");
            html.push_str(&rendered.content_html);
            html
        }
    }
}

/// Escapes text for HTML element content and attribute values. Kept by hand rather than
/// `html-escape` (which the renderer uses): it spells `'` as `&#39;`, which `html-escape`
/// writes `&#x27;` or not at all, and changing it would change the bytes and ETags of every
/// feed and `/` page whose titles hold an apostrophe (444 of the 1,000 generated corpus
/// titles) — a change of output for no reader's benefit.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::config::Config;
    use crate::content::{parse_article, ParseOptions};

    /// An entry as the feed window makes it (rendering included).
    pub(crate) fn entry<'a>(article: &'a Article, config: &Config) -> Entry<'a> {
        Entry {
            article,
            rendered: article.rendered(config),
            media: None,
        }
    }

    pub(crate) fn article(source: &str, text: &str) -> Arc<Article> {
        let mut c = Config::defaults();
        c.site.base_url = url::Url::parse("https://example.com/").unwrap();
        Arc::new(
            parse_article(source, text.as_bytes(), &c, ParseOptions::default())
                .article
                .unwrap(),
        )
    }

    #[test]
    fn feed_empty_bodies_still_have_summary_and_content() {
        let c = Config::defaults();
        let a = article(
            "a.md",
            "---\ntitle: A & B\ndate: 2024-01-01\nlink: https://example.org/x\n---\n",
        );
        assert_eq!(summary_html(&entry(&a, &c)), "A &amp; B");
        assert_eq!(
            content_html(&entry(&a, &c)),
            "<p><a href=\"https://example.org/x\">A &amp; B</a></p>\n"
        );
        let b = article("b.md", "---\ntitle: B\ndate: 2024-01-01\n---\nText.\n");
        assert_eq!(summary_html(&entry(&b, &c)), "Text.");
    }

    #[test]
    fn feed_escape_html() {
        assert_eq!(
            escape_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
