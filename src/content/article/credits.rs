//! Who an article credits: `author` and `authors`, else Hugo's `params.author(s)`, else the
//! site author; a bare name that is an author id is the person the site's authors map names
//! (`content::authors`).

use super::fields::Fields;
use crate::author_ids::Lookup;
use crate::config::Config;
use crate::content::front_matter::{Located, OneOrMany, Params};
use crate::person::{Person, PersonSpec};

/// `author` then `authors`, each one name, mapping or list; else Hugo's `params.author`
/// and `params.authors`; the site author when none names anyone. A bare name that is an
/// author id (`content::authors`) is the person it names.
pub(super) fn authors(
    fields: &mut Fields<'_>,
    written: [(&str, Option<OneOrMany<PersonSpec>>); 2],
    params: Option<Params>,
    config: &Config,
) -> Result<Vec<Person>, Located> {
    let params = params.unwrap_or_default();
    let params = [
        ("params.author", params.author),
        ("params.authors", params.authors),
    ];
    let mut authors = Vec::new();
    for (key, specs) in written {
        for spec in specs.into_iter().flat_map(|a| a.into_vec()) {
            if let PersonSpec::Name(name) = &spec {
                fields.warn_if_respelled(key, name);
            }
            let is_name = matches!(spec, PersonSpec::Name(_));
            let person = spec
                .into_person()
                .map_err(|m| fields.at_key(key, format!("`{key}`: {m}")))?;
            authors.push(resolved(fields, key, person, is_name, config));
        }
    }
    if authors.is_empty() {
        authors = params_authors(fields, params, config);
    }
    if authors.is_empty() {
        authors.push(config.site.author.clone());
    }
    Ok(authors)
}

/// A bare name looked up as an author id: the person it names, or the name itself (with a
/// warning when a map exists and the name looks like an id that is not in it).
fn resolved(
    fields: &mut Fields<'_>,
    key: &str,
    person: Person,
    is_name: bool,
    config: &Config,
) -> Person {
    if !is_name {
        return person;
    }
    match config
        .site
        .authors
        .lookup(&person.name, &config.content.dir)
    {
        Lookup::Found(found) => found,
        Lookup::Name => person,
        Lookup::UnknownId(source) => {
            let warn_key = key.split('.').next().unwrap_or(key);
            fields.warn(
                warn_key,
                format!(
                    "`{key}`: `{}` is not an author id of {source}; used as the name",
                    person.name
                ),
            );
            person
        }
    }
}

/// Hugo's `params.author(s)`: a site's own params may hold any shape, so one that is not a
/// name, mapping or list of those is ignored with a warning rather than reject the post.
fn params_authors(
    fields: &mut Fields<'_>,
    params: [(&str, Option<serde_yaml::Value>); 2],
    config: &Config,
) -> Vec<Person> {
    let mut authors = Vec::new();
    for (key, value) in params {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            continue;
        };
        let people = serde_yaml::from_value::<OneOrMany<PersonSpec>>(value)
            .map_err(|e| e.to_string())
            .and_then(|specs| {
                let specs = specs.into_vec().into_iter();
                specs
                    .map(|spec| {
                        let is_name = matches!(spec, PersonSpec::Name(_));
                        spec.into_person().map(|p| (p, is_name))
                    })
                    .collect::<Result<Vec<_>, _>>()
            });
        match people {
            Ok(people) => {
                for (person, is_name) in people {
                    let person = resolved(fields, key, person, is_name, config);
                    authors.push(person);
                }
            }
            Err(m) => fields.warn("params", format!("`{key}` ignored: {m}")),
        }
    }
    authors
}
