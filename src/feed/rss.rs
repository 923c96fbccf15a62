//! RSS 2.0 with the content, atom and Dublin Core namespaces (SPEC §3.2).

use std::sync::Arc;

use chrono::Utc;
use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::{Category, Channel, Guid, Image, Item};

use super::{content_html, feed_updated, generator};
use crate::config::{Config, Person};
use crate::content::Article;

/// `email (Name)`, the only author form RSS 2.0 allows; None without an email.
fn rss_person(person: &Person) -> Option<String> {
    person
        .email
        .as_ref()
        .map(|email| format!("{email} ({})", person.name))
}

fn item(article: &Article, config: &Config) -> Item {
    let rendered = article.rendered(config);
    let mut item = Item::default();
    item.set_title(article.title.clone());
    item.set_link(article.entry_link().to_string());
    item.set_description(rendered.summary_html.clone());
    item.set_content(content_html(article, config));
    item.set_guid(Guid {
        value: article.id.clone(),
        permalink: article.id == article.permalink.as_str(),
    });
    item.set_pub_date(article.date.to_rfc2822());
    item.set_categories(
        article
            .tags
            .iter()
            .map(|t| Category {
                name: t.clone(),
                domain: None,
            })
            .collect::<Vec<_>>(),
    );
    // RSS `author` must be an email; names without one go to `dc:creator`. Never both for
    // one item: the W3C validator flags that as duplicate semantics.
    match article.authors.iter().find_map(rss_person) {
        Some(author) => item.set_author(author),
        None => {
            let mut dc = DublinCoreExtension::default();
            dc.set_creators(
                article
                    .authors
                    .iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>(),
            );
            item.set_dublin_core_ext(dc);
        }
    }
    item
}

/// The RSS document for `entries` (already selected and ordered).
pub fn render_rss(entries: &[Arc<Article>], config: &Config) -> String {
    let site = &config.site;
    let self_url = config.public_url(&config.feeds.rss_path);
    let mut channel = Channel::default();
    channel.set_title(site.title.clone());
    channel.set_link(site.base_url.to_string());
    channel.set_description(site.description.clone());
    channel.set_language(site.language.clone());
    channel.set_generator(generator());
    channel.set_managing_editor(rss_person(&site.author));
    channel.set_last_build_date(feed_updated(entries).map(|d| d.with_timezone(&Utc).to_rfc2822()));
    if let Some(icon) = &site.icon {
        channel.set_image(Image {
            url: icon.to_string(),
            title: site.title.clone(),
            link: site.base_url.to_string(),
            ..Image::default()
        });
    }
    let mut self_link = Link::default();
    self_link.set_href(self_url.to_string());
    self_link.set_rel("self");
    self_link.set_mime_type(Some("application/rss+xml".to_string()));
    let mut atom = AtomExtension::default();
    atom.set_links(vec![self_link]);
    channel.set_atom_ext(atom);
    channel.set_items(entries.iter().map(|a| item(a, config)).collect::<Vec<_>>());
    channel.to_string() + "\n"
}
