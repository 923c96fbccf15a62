//! People named in feeds: [`Person`] (checked) and [`PersonSpec`] (as written in YAML, for
//! `site.author` and an article's `author`/`authors`).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

// The lead repoints this to `crate::xml_chars` at merge.
use crate::xml_chars::is_feed_char;
use crate::yaml_text::{scalars_as_text, Text};

/// A person named in feeds: the site author or an article author.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Person {
    pub name: String,
    pub email: Option<String>,
    pub uri: Option<String>,
}

/// A person as written in YAML: `Ada`, or `{name: Ada, email: a@x.org, uri: https://…}`.
#[derive(Debug, Clone)]
pub(crate) enum PersonSpec {
    Name(String),
    Full {
        name: String,
        email: Option<String>,
        uri: Option<String>,
    },
}

// Hand-written rather than `#[serde(untagged)]`, whose only error is "data did not match any
// variant": this one says what is missing, at the value's position. Scalars read as text,
// like every other front matter string (`name: 1984`).
impl<'de> Deserialize<'de> for PersonSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PersonSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a name or a `{name, email, uri}` mapping")
            }
            scalars_as_text!(|text| Ok(PersonSpec::Name(text)));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PersonSpec, A::Error> {
                let (mut name, mut email, mut uri) = (None, None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "name" => name = map.next_value::<Option<Text>>()?,
                        "email" => email = map.next_value::<Option<Text>>()?,
                        "uri" => uri = map.next_value::<Option<Text>>()?,
                        // Other keys are ignored, as everywhere in front matter.
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                let Some(Text(name)) = name else {
                    return Err(de::Error::custom(
                        "each author needs a `name` (write `Name` or `{name: Name, email: …, uri: …}`)",
                    ));
                };
                Ok(PersonSpec::Full {
                    name,
                    email: email.map(|t| t.0),
                    uri: uri.map(|t| t.0),
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl PersonSpec {
    /// Validates the fields; the message says what is wrong.
    pub(crate) fn into_person(self) -> Result<Person, String> {
        let (name, email, uri) = match self {
            PersonSpec::Name(name) => (name, None, None),
            PersonSpec::Full { name, email, uri } => (name, email, uri),
        };
        let unfeedable = [Some(&name), email.as_ref(), uri.as_ref()]
            .into_iter()
            .flatten()
            .find_map(|field| field.chars().find(|&c| !is_feed_char(c)));
        if let Some(c) = unfeedable {
            return Err(format!(
                "author contains U+{:04X}, a character feeds cannot carry",
                c as u32
            ));
        }
        let name = name.trim().to_string();
        if name.is_empty() {
            return Err("author name must not be empty".into());
        }
        let email = email
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty());
        if let Some(e) = &email {
            let ok = e.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty() && host.contains('.') && !e.contains([' ', '<', '>', '(', ')'])
            });
            if !ok {
                return Err(format!(
                    "`{e}` is not an email address like name@example.com"
                ));
            }
        }
        let uri = uri.map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
        if let Some(u) = &uri {
            url::Url::parse(u).map_err(|err| format!("author uri `{u}` is not a URL: {err}"))?;
        }
        Ok(Person { name, email, uri })
    }
}
