//! The `/` page: a small HTML page naming the site, its feeds (with autodiscovery links) and
//! the newest articles. Everything from content is escaped.

use std::fmt::Write;

use super::entry::{escape_html, Entry};
use super::group_feeds::{discovery_links, GroupFeed};
use super::groups::GroupKind;
use crate::config::Config;

pub(crate) fn render_index(
    entries: &[Entry<'_>],
    groups: &[GroupFeed<'_>],
    config: &Config,
) -> String {
    let site = &config.site;
    let title = escape_html(&site.title);
    let rss = escape_html(config.public_url(&config.feeds.rss_path).as_str());
    let atom = escape_html(config.public_url(&config.feeds.atom_path).as_str());
    let json = config
        .feeds
        .json_path
        .as_deref()
        .map(|path| escape_html(config.public_url(path).as_str()));
    let (json_link, json_anchor) = match &json {
        Some(json) => (
            format!("<link rel=\"alternate\" type=\"application/feed+json\" title=\"{title} (JSON Feed)\" href=\"{json}\">\n"),
            format!(" · <a href=\"{json}\">JSON Feed 1.1</a>"),
        ),
        None => (String::new(), String::new()),
    };
    let mut html = String::with_capacity(4096);
    // `write!` into a String cannot fail.
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title}</title>\n\
<link rel=\"alternate\" type=\"application/rss+xml\" title=\"{title} (RSS)\" href=\"{rss}\">\n\
<link rel=\"alternate\" type=\"application/atom+xml\" title=\"{title} (Atom)\" href=\"{atom}\">\n\
{json_link}",
        lang = escape_html(&site.language),
    );
    // Every group feed is discoverable here, but for kinds with more feeds than
    // `feeds.autodiscovery_max`: their index page lists them (and carries their links).
    let kinds: Vec<GroupKind> = GroupKind::ALL
        .into_iter()
        .filter(|k| k.paths(config).is_some())
        .collect();
    for kind in &kinds {
        let of_kind = groups.iter().filter(|g| g.group.kind == *kind);
        if of_kind.clone().count() <= config.feeds.autodiscovery_max {
            for feed in of_kind {
                discovery_links(feed, config, &mut html);
            }
        }
    }
    let _ = write!(
        html,
        "<style>body{{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
li{{margin-bottom:1rem}}time{{color:#555}}</style>\n</head>\n<body>\n\
<h1>{title}</h1>\n<p>{description}</p>\n\
<p>Subscribe: <a href=\"{rss}\">RSS 2.0</a> · <a href=\"{atom}\">Atom 1.0</a>{json_anchor}</p>\n",
        description = escape_html(&site.description),
    );
    let indexes: Vec<String> = kinds
        .iter()
        .filter_map(|kind| {
            let paths = kind.paths(config)?;
            let href = escape_html(config.public_url(&paths.prefix).as_str());
            Some(format!("<a href=\"{href}\">{}</a>", kind.plural()))
        })
        .collect();
    if !indexes.is_empty() {
        let _ = writeln!(html, "<p>Feeds by topic: {}</p>", indexes.join(" · "));
    }
    if entries.is_empty() {
        html.push_str("<p>No published articles yet.</p>\n");
    } else {
        html.push_str("<h2>Newest articles</h2>\n<ul>\n");
        for a in entries.iter().map(|e| e.article) {
            let _ = writeln!(
                html,
                "<li><a href=\"{href}\">{title}</a><br><time datetime=\"{iso}\">{day}</time></li>",
                href = escape_html(a.entry_link().as_str()),
                title = escape_html(&a.title),
                iso = a.date.to_rfc3339(),
                day = a.date.format("%Y-%m-%d"),
            );
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</body>\n</html>\n");
    html
}
