//! Group feeds (SPEC §12): the published articles grouped by tag, section (the first folder
//! below the content root) and author, each group named by its [`slug`](super::slug). Two
//! spellings with one slug are one group; [`Group::collisions`] says so for `check`.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;
use std::sync::Arc;

use super::slug::slug as slug_of;
use crate::config::{Config, GroupPaths};
use crate::content::Article;
use crate::diag::Diagnostic;

/// A kind of group feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKind {
    Tag,
    Section,
    Author,
}

impl GroupKind {
    pub const ALL: [GroupKind; 3] = [GroupKind::Tag, GroupKind::Section, GroupKind::Author];

    /// The word used in titles and messages.
    pub fn word(self) -> &'static str {
        match self {
            GroupKind::Tag => "tag",
            GroupKind::Section => "section",
            GroupKind::Author => "author",
        }
    }

    /// The plural, for index pages.
    pub fn plural(self) -> &'static str {
        match self {
            GroupKind::Tag => "Tags",
            GroupKind::Section => "Sections",
            GroupKind::Author => "Authors",
        }
    }

    /// Where this kind is served; `None` when it is switched off.
    pub fn paths(self, config: &Config) -> Option<&GroupPaths> {
        let feeds = &config.feeds;
        match self {
            GroupKind::Tag => feeds.tags.as_ref(),
            GroupKind::Section => feeds.sections.as_ref(),
            GroupKind::Author => feeds.authors.as_ref(),
        }
    }

    /// The names `article` belongs to in this kind, as written.
    fn names(self, article: &Article) -> Vec<&str> {
        match self {
            GroupKind::Tag => article.tags.iter().map(String::as_str).collect(),
            GroupKind::Section => match article.source.split_once('/') {
                Some((section, _)) => vec![section],
                None => Vec::new(),
            },
            GroupKind::Author => article.authors.iter().map(|p| p.name.as_str()).collect(),
        }
    }
}

/// One group over the published articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub kind: GroupKind,
    pub slug: String,
    /// How it is shown: the spelling most articles use (ties: the first in sort order).
    pub name: String,
    /// Positions of its articles in the published list (newest first), ascending.
    pub members: Vec<usize>,
    /// Every spelling that gave this slug: how many articles use it and the newest one's
    /// source file.
    spellings: BTreeMap<String, (usize, String)>,
}

impl Group {
    /// One warning per spelling beyond the first that shares this group's slug, naming both
    /// spellings and a file using each.
    pub fn collisions(&self, config: &Config) -> Vec<Diagnostic> {
        let mut spellings = self.spellings.iter();
        let Some((first, (_, first_source))) = spellings.next() else {
            return Vec::new();
        };
        let folder = self
            .kind
            .paths(config)
            .map(|p| p.folder(&self.slug))
            .unwrap_or_default();
        spellings
            .map(|(other, (_, source))| {
                Diagnostic::warning(
                    Path::new(source),
                    1,
                    1,
                    format!(
                        "{kind} `{other}` and {kind} `{first}` (used in {first_source}) have the same slug `{slug}`: they share one feed at {folder}",
                        kind = self.kind.word(),
                        slug = self.slug,
                    ),
                )
            })
            .collect()
    }
}

/// Every group of every enabled kind over `published` (newest first), sorted by kind then
/// slug. Only published articles count: a tag that only drafts use has no group.
pub fn groups(published: &[Arc<Article>], config: &Config) -> Vec<Group> {
    let mut all = Vec::new();
    for kind in GroupKind::ALL {
        if kind.paths(config).is_some() {
            all.extend(groups_of(kind, published));
        }
    }
    all
}

/// The groups of the last publish and the articles they were made from: a publish whose
/// published list holds the same files in the same places with the same tags and authors
/// (an edited body, a fixed title) takes them as they are instead of grouping every
/// article again.
#[derive(Debug, Default)]
pub struct GroupCache {
    made_from: Vec<Arc<Article>>,
    groups: Arc<Vec<Group>>,
}

impl GroupCache {
    /// [`groups`] over `published`, reused when its grouping inputs did not change.
    pub fn groups(&mut self, published: &[Arc<Article>], config: &Config) -> Arc<Vec<Group>> {
        let same = self.made_from.len() == published.len()
            && self
                .made_from
                .iter()
                .zip(published)
                .all(|(before, now)| same_grouping(before, now));
        if !same {
            self.groups = Arc::new(groups(published, config));
        }
        self.made_from = published.to_vec();
        Arc::clone(&self.groups)
    }
}

/// Whether two versions of an article fall in the same groups (the section is the
/// source's first folder).
fn same_grouping(before: &Article, now: &Article) -> bool {
    std::ptr::eq(before, now)
        || (before.source == now.source
            && before.tags == now.tags
            && before.authors.len() == now.authors.len()
            && before
                .authors
                .iter()
                .zip(&now.authors)
                .all(|(a, b)| a.name == b.name))
}

fn groups_of(kind: GroupKind, published: &[Arc<Article>]) -> Vec<Group> {
    // Each distinct spelling is slugged once, and each slug is one group (by index).
    let mut spelling_group: HashMap<&str, Option<usize>> = HashMap::default();
    let mut slug_group: HashMap<String, usize> = HashMap::default();
    let mut groups: Vec<Group> = Vec::new();
    // Per group: spelling -> (articles using it, the newest one's source).
    let mut spellings: Vec<HashMap<&str, (usize, &str)>> = Vec::new();
    for (at, article) in published.iter().enumerate() {
        let mut seen: Vec<usize> = Vec::new();
        for name in kind.names(article) {
            let index = *spelling_group.entry(name).or_insert_with(|| {
                let slug = slug_of(name)?;
                Some(*slug_group.entry(slug.clone()).or_insert_with(|| {
                    groups.push(Group {
                        kind,
                        slug,
                        name: String::new(),
                        members: Vec::new(),
                        spellings: BTreeMap::new(),
                    });
                    spellings.push(HashMap::default());
                    groups.len() - 1
                }))
            });
            let Some(index) = index else { continue };
            spellings[index]
                .entry(name)
                .or_insert((0, article.source.as_str()))
                .0 += 1;
            // An article naming one group twice (`Rust` and `rust`) is in it once.
            if !seen.contains(&index) {
                groups[index].members.push(at);
                seen.push(index);
            }
        }
    }
    for (group, spellings) in groups.iter_mut().zip(spellings) {
        group.spellings = spellings
            .into_iter()
            .map(|(spelling, (count, source))| (spelling.to_string(), (count, source.to_string())))
            .collect();
        let mut best: Option<(&String, usize)> = None;
        for (spelling, (count, _)) in &group.spellings {
            if best.is_none_or(|(_, n)| *count > n) {
                best = Some((spelling, *count));
            }
        }
        group.name = best.map(|(s, _)| s.clone()).unwrap_or_default();
    }
    groups.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::entry::tests::article;

    #[test]
    fn cache_regroups_only_when_tags_authors_or_places_change() {
        let make = |name: &str, tags: &str, body: &str| {
            article(
                &format!("posts/{name}.md"),
                &format!(
                    "---\ntitle: {name}\ndate: 2024-01-0{}\ntags: [{tags}]\n---\n{body}",
                    name.len()
                ),
            )
        };
        let c = Config::defaults();
        let mut cache = GroupCache::default();
        let first = cache.groups(&[make("aa", "x", "one"), make("b", "y", "one")], &c);
        // A body edit: a new article value, same grouping: the same groups, not regrouped.
        let edited = cache.groups(&[make("aa", "x", "two"), make("b", "y", "one")], &c);
        assert!(Arc::ptr_eq(&first, &edited));
        let retagged = cache.groups(&[make("aa", "z", "two"), make("b", "y", "one")], &c);
        assert!(!Arc::ptr_eq(&edited, &retagged));
        assert!(retagged.iter().any(|g| g.slug == "z"));
        assert!(!retagged.iter().any(|g| g.slug == "x"));
        assert_eq!(
            *retagged,
            groups(&[make("aa", "z", "two"), make("b", "y", "one")], &c)
        );
        let fewer = cache.groups(&[make("b", "y", "one")], &c);
        assert_eq!(*fewer, groups(&[make("b", "y", "one")], &c));
    }

    #[test]
    fn groups_merge_spellings_and_count_each_article_once() {
        let a = article(
            "posts/a.md",
            "---\ntitle: a\ndate: 2024-01-02\ntags: [Café, cafe, rust]\nauthor: Amélie\n---\nx",
        );
        let b = article(
            "notes/b.md",
            "---\ntitle: b\ndate: 2024-01-01\ntags: [CAFÉ]\n---\nx",
        );
        let c = Config::defaults();
        let all = groups(&[a, b], &c);
        let tag = |s: &str| {
            all.iter()
                .find(|g| g.kind == GroupKind::Tag && g.slug == s)
                .cloned()
        };
        let cafe = tag("cafe").expect("cafe group");
        assert_eq!(cafe.members, vec![0, 1]);
        assert_eq!(cafe.spellings.len(), 3);
        let warnings = cafe.collisions(&c);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].message.contains("`CAFÉ`"), "{warnings:?}");
        assert!(warnings[0].message.contains("/tags/cafe/"), "{warnings:?}");
        assert_eq!(tag("rust").expect("rust").members, vec![0]);
        assert!(tag("rust").expect("rust").collisions(&c).is_empty());
        let sections: Vec<_> = all
            .iter()
            .filter(|g| g.kind == GroupKind::Section)
            .map(|g| g.slug.as_str())
            .collect();
        assert_eq!(sections, ["notes", "posts"]);
        assert!(all
            .iter()
            .any(|g| g.kind == GroupKind::Author && g.slug == "amelie" && g.name == "Amélie"));
    }
}
