//! Author ids (SPEC §10): posts that credit `author: parkr` or `params: {author: william}`
//! name an entry of an authors map, as jekyll-feed and Hugo themes resolve them. The map is
//! `site.authors` from the configuration, then the site's own data file found beside or
//! above the content folder ([`SITE_DATA_FILES`]), read once, on the first lookup. A leaf
//! below config and content: the configuration holds the map, the article build looks names up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::person::{Person, PersonSpec};

/// Where a site keeps its authors, relative to the content folder or one of its ancestors
/// (at most [`ANCESTORS`] levels up): Jekyll's `_data/authors.yml`, Hugo's `data/authors.yml`
/// or one file per author in `data/authors/` (the file name is the id). JSON is read too;
/// TOML is not.
pub(crate) const SITE_DATA_FILES: &[&str] = &[
    "_data/authors.yml",
    "_data/authors.yaml",
    "_data/authors.json",
    "data/authors.yml",
    "data/authors.yaml",
    "data/authors.json",
    "data/authors/",
];

/// How far above the content folder a site's data folder is looked for
/// (`site/content/blog/` → `site/data/`).
const ANCESTORS: usize = 3;

/// The authors map: configured ids, and the site's data read on first use.
#[derive(Debug, Default)]
pub struct AuthorIds {
    configured: BTreeMap<String, Person>,
    site_data: OnceLock<SiteData>,
}

/// The site's authors data as found.
#[derive(Debug, Default)]
struct SiteData {
    people: BTreeMap<String, Person>,
    /// The file or folder read, for messages.
    source: Option<PathBuf>,
}

/// What an author name is, once looked up.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// An id of the map: the person it names.
    Found(Person),
    /// There is a map, the name is one word like an id, and it is not in it: where the map
    /// came from, for the warning.
    UnknownId(String),
    /// A name: no map, or a name with spaces.
    Name,
}

impl AuthorIds {
    /// The configured map (`site.authors`).
    pub(crate) fn new(configured: BTreeMap<String, Person>) -> Self {
        AuthorIds {
            configured,
            site_data: OnceLock::new(),
        }
    }

    /// Looks `name` up: configured ids first, then the site's data under `content_dir`.
    /// Ids match exactly, else ignoring ASCII case.
    pub(crate) fn lookup(&self, name: &str, content_dir: &Path) -> Lookup {
        let name = name.trim();
        let data = self.site_data.get_or_init(|| SiteData::find(content_dir));
        for map in [&self.configured, &data.people] {
            if let Some(person) = find(map, name) {
                return Lookup::Found(person.clone());
            }
        }
        let has_map = !self.configured.is_empty() || !data.people.is_empty();
        if !has_map || name.contains(char::is_whitespace) {
            return Lookup::Name;
        }
        let source = match &data.source {
            Some(path) if !data.people.is_empty() => path.display().to_string(),
            _ => "`site.authors`".to_string(),
        };
        Lookup::UnknownId(source)
    }
}

fn find<'a>(map: &'a BTreeMap<String, Person>, id: &str) -> Option<&'a Person> {
    map.get(id).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(id))
            .map(|(_, p)| p)
    })
}

impl SiteData {
    /// The first authors data found from `content_dir` upwards; entries that are not a
    /// person are left out with a logged warning, as is a file that cannot be read.
    fn find(content_dir: &Path) -> SiteData {
        let start = std::fs::canonicalize(content_dir).unwrap_or_else(|_| content_dir.into());
        for dir in start.ancestors().take(ANCESTORS + 1) {
            for name in SITE_DATA_FILES {
                let path = dir.join(name);
                let people = if name.ends_with('/') {
                    if !path.is_dir() {
                        continue;
                    }
                    read_folder(&path)
                } else {
                    if !path.is_file() {
                        continue;
                    }
                    read_map(&path)
                };
                return SiteData {
                    people,
                    source: Some(path),
                };
            }
        }
        SiteData::default()
    }
}

/// `id: {name, email, uri}` (or `id: Name`) entries of one file.
fn read_map(path: &Path) -> BTreeMap<String, Person> {
    let mut people = BTreeMap::new();
    let Some(value) = read_yaml(path) else {
        return people;
    };
    let Some(map) = value.as_mapping() else {
        tracing::warn!(file = %path.display(), "authors data is not a mapping of ids; ignored");
        return people;
    };
    for (id, entry) in map {
        let Some(id) = id.as_str() else { continue };
        if let Some(person) = person(path, id, entry) {
            people.insert(id.to_string(), person);
        }
    }
    people
}

/// One `<id>.yml` (or `.yaml`, `.json`) per author.
fn read_folder(dir: &Path) -> BTreeMap<String, Person> {
    let mut people = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return people;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "yml" | "yaml" | "json") {
            continue;
        }
        let Some(id) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if let Some(person) = read_yaml(&path).and_then(|v| person(&path, id, &v)) {
            people.insert(id.to_string(), person);
        }
    }
    people
}

fn read_yaml(path: &Path) -> Option<serde_yaml::Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| tracing::warn!(file = %path.display(), error = %e, "cannot read authors data"))
        .ok()?;
    serde_yaml::from_str(&text)
        .map_err(|e| tracing::warn!(file = %path.display(), error = %e, "cannot read authors data"))
        .ok()
}

/// An entry as a person: a name, or a mapping with `name` (also `display_name`, `title`),
/// `email`, and `uri` (also `url`, `website`, `web`); other keys are ignored.
fn person(path: &Path, id: &str, entry: &serde_yaml::Value) -> Option<Person> {
    let spec = match entry {
        serde_yaml::Value::String(name) => PersonSpec::Name(name.clone()),
        serde_yaml::Value::Mapping(map) => {
            let text = |keys: &[&str]| {
                keys.iter()
                    .find_map(|k| map.get(*k).and_then(|v| v.as_str()))
                    .map(str::to_string)
            };
            PersonSpec::Full {
                name: text(&["name", "display_name", "title"]).unwrap_or_else(|| id.to_string()),
                email: text(&["email"]),
                uri: text(&["uri", "url", "website", "web"]),
            }
        }
        _ => return None,
    };
    spec.into_person()
        .map_err(|m| tracing::warn!(file = %path.display(), id, "authors data: {m}; ignored"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn named(name: &str, email: Option<&str>) -> Lookup {
        Lookup::Found(Person {
            name: name.into(),
            email: email.map(Into::into),
            uri: None,
        })
    }

    #[test]
    fn jekyll_data_above_the_posts_folder() {
        let site = tempfile::tempdir().unwrap();
        write(
            site.path(),
            "_data/authors.yml",
            "parkr:\n  name: Parker Example\n  email: p@example.com\n  twitter: x\nsolo: Solo Name\nbad: [1]\n",
        );
        std::fs::create_dir_all(site.path().join("_posts")).unwrap();
        let ids = AuthorIds::default();
        let posts = site.path().join("_posts");
        assert_eq!(
            ids.lookup("parkr", &posts),
            named("Parker Example", Some("p@example.com"))
        );
        assert_eq!(ids.lookup("Solo", &posts), named("Solo Name", None));
        assert!(
            matches!(ids.lookup("nobody", &posts), Lookup::UnknownId(s) if s.ends_with("authors.yml"))
        );
        assert_eq!(ids.lookup("Jane Doe", &posts), Lookup::Name);
    }

    #[test]
    fn hugo_data_folder_per_author_and_configured_ids_first() {
        let site = tempfile::tempdir().unwrap();
        write(
            site.path(),
            "data/authors/william.yaml",
            "name: William Example\nbio: x\n",
        );
        write(
            site.path(),
            "data/authors/ada.json",
            "{\"name\": \"Ada Data\"}",
        );
        let content = site.path().join("content/blog");
        std::fs::create_dir_all(&content).unwrap();
        let configured = BTreeMap::from([(
            "ada".to_string(),
            Person {
                name: "Ada Config".into(),
                email: None,
                uri: None,
            },
        )]);
        let ids = AuthorIds::new(configured);
        assert_eq!(
            ids.lookup("william", &content),
            named("William Example", None)
        );
        assert_eq!(ids.lookup("ada", &content), named("Ada Config", None));
        // No map anywhere: every name is a name.
        let bare = tempfile::tempdir().unwrap();
        assert_eq!(AuthorIds::default().lookup("x", bare.path()), Lookup::Name);
    }
}
