//! RFC 5005 (Feed Paging and Archiving) in the feed documents: where a document stands in
//! the feed's history — a complete feed (`fh:complete`, §2), the subscription feed linking
//! to its newest archive (`prev-archive`, §4), or an archive document (`fh:archive` with
//! `current`, `prev-archive` and `next-archive`, §4). RSS carries the same elements and
//! links (`atom:link`) as Atom (the RFC's Appendix B).

use std::collections::BTreeMap;

use crate::config::Config;

/// The RFC 5005 namespace (`fh:`).
pub(crate) const FH_NAMESPACE: &str = "http://purl.org/syndication/history/1.0";

/// Where one feed document stands in the feed's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum History {
    /// Nothing said (a feed with no archives, e.g. a per-tag feed).
    Unstated,
    /// Every entry of the feed is in this document (RFC 5005 §2).
    Complete,
    /// The subscription document; its older entries start at this archive route.
    Subscription { prev_archive: String },
    /// An archive document: `current` is the subscription document's route.
    Archive {
        current: String,
        prev_archive: Option<String>,
        next_archive: Option<String>,
    },
}

impl History {
    /// The `fh:` element this document carries, if any (`complete` or `archive`).
    pub(crate) fn marker(&self) -> Option<&'static str> {
        match self {
            History::Complete => Some("complete"),
            History::Archive { .. } => Some("archive"),
            History::Unstated | History::Subscription { .. } => None,
        }
    }

    /// `(rel, absolute URL)` of each history link, in a fixed order.
    pub(crate) fn links(&self, config: &Config) -> Vec<(&'static str, String)> {
        let url = |route: &str| config.public_url(route).to_string();
        match self {
            History::Unstated | History::Complete => Vec::new(),
            History::Subscription { prev_archive } => vec![("prev-archive", url(prev_archive))],
            History::Archive {
                current,
                prev_archive,
                next_archive,
            } => {
                let mut links = vec![("current", url(current))];
                links.extend(prev_archive.iter().map(|p| ("prev-archive", url(p))));
                links.extend(next_archive.iter().map(|n| ("next-archive", url(n))));
                links
            }
        }
    }
}

/// The `fh:` marker as an RSS extension map (prefix → name → elements) and the namespace
/// to declare for it; None when the document carries none.
pub(crate) fn rss_extensions(
    history: &History,
) -> Option<(rss::extension::ExtensionMap, BTreeMap<String, String>)> {
    let name = history.marker()?;
    let element = rss::extension::Extension {
        name: format!("fh:{name}"),
        ..rss::extension::Extension::default()
    };
    let mut by_name = BTreeMap::new();
    by_name.insert(name.to_string(), vec![element]);
    let mut map = rss::extension::ExtensionMap::new();
    map.insert("fh".to_string(), by_name);
    let namespaces = BTreeMap::from([("fh".to_string(), FH_NAMESPACE.to_string())]);
    Some((map, namespaces))
}

/// The same for Atom.
pub(crate) fn atom_extensions(
    history: &History,
) -> Option<(
    atom_syndication::extension::ExtensionMap,
    BTreeMap<String, String>,
)> {
    let name = history.marker()?;
    let element = atom_syndication::extension::Extension {
        name: format!("fh:{name}"),
        ..atom_syndication::extension::Extension::default()
    };
    let mut by_name = BTreeMap::new();
    by_name.insert(name.to_string(), vec![element]);
    let mut map = atom_syndication::extension::ExtensionMap::new();
    map.insert("fh".to_string(), by_name);
    let namespaces = BTreeMap::from([("fh".to_string(), FH_NAMESPACE.to_string())]);
    Some((map, namespaces))
}

/// How the published history is split into the subscription feed and archive documents
/// (RFC 5005 §4), from the number of published articles alone.
///
/// The subscription feeds carry the newest `feeds.limit` articles (SPEC §3.1). Archives hold
/// fixed slices counted from the oldest article: archive 1 the oldest `page_size`, archive
/// 2 the next, …, so a new article never moves a boundary and a complete archive never
/// changes by one. The articles after the complete archives (fewer than `page_size`) are
/// "the tail". While the tail fits in the subscription feed, its `prev-archive` names the
/// newest complete archive (the two overlap, which RFC 5005 allows: readers merge entries
/// by id). When the tail is longer, the articles between would be in no document, so the
/// tail is published as one more archive document, named by its archive number *and* its
/// length (`/archive/8-12/`): a new article gives it a new address instead of changing the
/// document a reader may have kept (RFC 5005 §4: an archive's entries SHOULD NOT change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchivePlan {
    pub(crate) published: usize,
    /// Articles per archive; 0: archives off.
    pub(crate) page_size: usize,
    /// Archives that hold `page_size` articles.
    pub(crate) complete: usize,
    /// Articles after the complete archives.
    pub(crate) tail: usize,
    /// Entries of the subscription feeds (RSS, Atom, JSON Feed): `feeds.limit`.
    pub(crate) subscription_len: usize,
}

/// The plan for `published` articles under `config`.
pub(crate) fn plan(published: usize, config: &Config) -> ArchivePlan {
    let page_size = config.feeds.archive_page_size;
    let limit = config.feeds.limit;
    let complete = if published <= limit {
        // Everything is in the feed (fh:complete): no archive needed.
        0
    } else {
        published.checked_div(page_size).unwrap_or(0)
    };
    ArchivePlan {
        published,
        page_size,
        complete,
        tail: if page_size == 0 {
            0
        } else {
            published - complete * page_size
        },
        subscription_len: limit,
    }
}

impl ArchivePlan {
    /// Whether the tail is published as an archive document of its own (see the type).
    fn tail_archive(&self) -> bool {
        self.page_size > 0 && self.tail > self.subscription_len
    }

    /// How many archive documents (per format) there are: the complete ones, and the tail's
    /// when it has one (numbered `complete`, 0-based).
    pub(crate) fn archives(&self) -> usize {
        self.complete + usize::from(self.tail_archive())
    }

    /// Whether archive `k` (0-based) holds a full slice.
    pub(crate) fn is_complete(&self, k: usize) -> bool {
        k < self.complete
    }

    /// Archive `k`'s articles as positions in the published list (newest first).
    pub(crate) fn positions(&self, k: usize) -> std::ops::Range<usize> {
        let end = self
            .published
            .saturating_sub(k.saturating_mul(self.page_size));
        end.saturating_sub(self.page_size)..end
    }

    /// Archive `k`'s route in `file` (`feed.xml` or `atom.xml`).
    pub(crate) fn route(&self, config: &Config, k: usize, file: &str) -> String {
        let number = if self.is_complete(k) {
            (k + 1).to_string()
        } else {
            format!("{}-{}", k + 1, self.tail)
        };
        config.feeds.archive_path.replace("{n}", &number) + file
    }

    /// The subscription document's place in the history; `file` names the archive
    /// documents of the same format.
    pub(crate) fn subscription(&self, config: &Config, file: &str) -> History {
        if self.published <= self.subscription_len {
            History::Complete
        } else if self.archives() == 0 {
            History::Unstated
        } else {
            History::Subscription {
                prev_archive: self.route(config, self.archives() - 1, file),
            }
        }
    }

    /// Archive `k`'s place; `current` is the subscription document of its format. A
    /// complete archive's `next-archive` is the next complete one's address, fixed in
    /// advance so its bytes never change: until that archive is complete, nothing is served
    /// there (the tail is in the subscription feed, or at an address of its own).
    pub(crate) fn archive(&self, config: &Config, k: usize, current: &str, file: &str) -> History {
        let fixed = |k: usize| {
            config
                .feeds
                .archive_path
                .replace("{n}", &(k + 1).to_string())
                + file
        };
        History::Archive {
            current: current.to_string(),
            prev_archive: (k > 0).then(|| self.route(config, k - 1, file)),
            next_archive: self.is_complete(k).then(|| fixed(k + 1)),
        }
    }
}

/// The archive file names: RSS, Atom.
pub(crate) const ARCHIVE_RSS: &str = "feed.xml";
pub(crate) const ARCHIVE_ATOM: &str = "atom.xml";

/// Whether `path` is an archive document's route (they are not subscribed to: no WebSub).
pub(crate) fn is_archive_route(config: &Config, path: &str) -> bool {
    if config.feeds.archive_page_size == 0 {
        return false;
    }
    let Some((before, after)) = config.feeds.archive_path.split_once("{n}") else {
        return false;
    };
    let Some(rest) = path.strip_prefix(before) else {
        return false;
    };
    let number_len = rest.find('/').unwrap_or(rest.len());
    let (number, file) = rest.split_at(number_len);
    let (archive, tail) = number.split_once('-').unwrap_or((number, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(archive)
        && digits(tail)
        && file
            .strip_prefix(after)
            .is_some_and(|file| file == ARCHIVE_RSS || file == ARCHIVE_ATOM)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(limit: usize, page: usize) -> Config {
        let mut c = Config::defaults();
        c.feeds.limit = limit;
        c.feeds.archive_page_size = page;
        c
    }

    #[test]
    fn boundaries_count_from_the_oldest_and_never_move() {
        let c = config(20, 50);
        let small = plan(20, &c);
        assert_eq!((small.archives(), small.subscription_len), (0, 20));
        assert_eq!(small.subscription(&c, ARCHIVE_RSS), History::Complete);
        // More than the limit, less than a page: the tail is the only archive.
        let p = plan(30, &c);
        assert_eq!((p.complete, p.archives()), (0, 1));
        assert_eq!(p.positions(0), 0..30);
        assert_eq!(
            p.subscription(&c, ARCHIVE_RSS),
            History::Subscription {
                prev_archive: "/archive/1-30/feed.xml".into()
            }
        );
        // 130: archives 1 and 2 complete; a tail of 30 > 20 at its own address.
        let p = plan(130, &c);
        assert_eq!((p.complete, p.tail, p.archives()), (2, 30, 3));
        // Newest first: archive 1 (k = 0) is the oldest 50.
        assert_eq!(p.positions(0), 80..130);
        assert_eq!(p.positions(1), 30..80);
        assert_eq!(p.positions(2), 0..30);
        assert_eq!(p.route(&c, 2, ARCHIVE_ATOM), "/archive/3-30/atom.xml");
        // One more article: every complete slice keeps its articles (positions shift by one
        // because the list is newest first); the tail moves to a new address.
        let q = plan(131, &c);
        assert_eq!(q.positions(0), 81..131);
        assert_eq!(q.route(&c, 2, ARCHIVE_ATOM), "/archive/3-31/atom.xml");
        assert_eq!(
            p.archive(&c, 0, "/feed.xml", ARCHIVE_RSS),
            History::Archive {
                current: "/feed.xml".into(),
                prev_archive: None,
                next_archive: Some("/archive/2/feed.xml".into()),
            }
        );
        assert_eq!(
            p.archive(&c, 2, "/feed.xml", ARCHIVE_RSS),
            History::Archive {
                current: "/feed.xml".into(),
                prev_archive: Some("/archive/2/feed.xml".into()),
                next_archive: None,
            }
        );
        // A tail that fits in the feed: prev-archive names the newest complete archive.
        let p = plan(110, &c);
        assert_eq!((p.complete, p.tail, p.archives()), (2, 10, 2));
        assert_eq!(
            p.subscription(&c, ARCHIVE_ATOM),
            History::Subscription {
                prev_archive: "/archive/2/atom.xml".into()
            }
        );
        // Off: the limit, and fh:complete only when everything fits.
        let off = config(20, 0);
        assert_eq!(plan(500, &off).archives(), 0);
        assert_eq!(
            plan(500, &off).subscription(&off, ARCHIVE_RSS),
            History::Unstated
        );
        assert_eq!(
            plan(5, &off).subscription(&off, ARCHIVE_RSS),
            History::Complete
        );
    }

    #[test]
    fn archive_routes_are_recognised() {
        let c = config(20, 50);
        assert!(is_archive_route(&c, "/archive/12/atom.xml"));
        assert!(is_archive_route(&c, "/archive/12-31/feed.xml"));
        assert!(!is_archive_route(&c, "/archive/12-/feed.xml"));
        assert!(!is_archive_route(&c, "/archive/x/atom.xml"));
        assert!(!is_archive_route(&c, "/feed.xml"));
        assert!(!is_archive_route(&config(20, 0), "/archive/1/feed.xml"));
    }
}
