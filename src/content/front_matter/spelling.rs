//! Numbers and booleans kept as written: YAML reads `3.10` as `3.1` and `True` as `true`
//! where a field reads any value; this finds the spelling on the key's line and keeps it
//! ([`keep_written_scalars`]), or names it for a warning where it cannot ([`respelled`]).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::block::{after_key, LineIter, Split};
use super::fields::{ImageSpec, OneOrMany, RawFrontMatter};
use crate::person::PersonSpec;
use crate::yaml_text::Text;

/// The fields that may be a list or a mapping are read with `deserialize_any`, so a single
/// plain scalar there comes as YAML's reading of it (`tags: 3.10` as `3.1`). When it stands
/// on the key's own line, the text as written there replaces it — only when that text reads
/// as exactly this value, so nothing else (a value continued on the next line) is touched.
pub(super) fn keep_written_scalars(raw: &mut RawFrontMatter, split: &Split<'_>) {
    let written = |key: &str, read: &str| {
        plain_value(split, key)
            .filter(|w| *w != read && yaml_reading(w).is_some_and(|(r, _)| r == read))
            .map(str::to_string)
    };
    let lists = [
        ("tags", &mut raw.tags),
        ("categories", &mut raw.categories),
        ("category", &mut raw.category),
    ];
    for (key, field) in lists {
        if let Some(OneOrMany::One(Text(text))) = field {
            if let Some(w) = written(key, text) {
                *text = w;
            }
        }
    }
    for (key, field) in [("author", &mut raw.author), ("authors", &mut raw.authors)] {
        if let Some(OneOrMany::One(PersonSpec::Name(name))) = field {
            if let Some(w) = written(key, name) {
                *name = w;
            }
        }
    }
    if let Some(ImageSpec::Src(Text(src))) = &mut raw.image {
        if let Some(w) = written("image", src) {
            *src = w;
        }
    }
}

/// The plain scalar on a top-level `key:` line as written: the text after `key:`, without a
/// ` #comment`, trimmed; `None` when there is none, or the value is quoted, a flow list or
/// mapping, a block scalar, an anchor, alias or tag.
fn plain_value<'a>(split: &Split<'a>, key: &str) -> Option<&'a str> {
    let value = LineIter::new(split.yaml).find_map(|(_, _, line)| after_key(line, key))?;
    if !value.is_empty() && !value.starts_with([' ', '\t']) {
        return None;
    }
    let value = strip_comment(value).trim();
    let indicator = |c: char| "\"'[]{}|>&*!%@`#,?-".contains(c);
    match value.chars().next() {
        None => None,
        // `-1`, `-.5`, `?x` are plain scalars; `- x` and `? x` are not.
        Some('-' | '?') if value.len() > 1 && !value[1..].starts_with([' ', '\t']) => Some(value),
        Some(c) if indicator(c) => None,
        Some(_) => Some(value),
    }
}

/// `text` up to a YAML comment: a `#` after a blank.
fn strip_comment(text: &str) -> &str {
    let mut prev_blank = true;
    for (i, c) in text.char_indices() {
        if c == '#' && prev_blank {
            return &text[..i];
        }
        prev_blank = c == ' ' || c == '\t';
    }
    text
}

/// How YAML reads a plain scalar when it is not a string: its text as a field holding it
/// gets it (`3.10` → `3.1`, `0x1F` → `31`, `True` → `true`), and whether it is "the number"
/// or "the boolean". `None` for a string, a null, or anything that is not one scalar.
fn yaml_reading(token: &str) -> Option<(String, &'static str)> {
    struct Reading(Option<(String, &'static str)>);
    impl<'de> Deserialize<'de> for Reading {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Reading;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a scalar")
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Reading, E> {
                    Ok(Reading(Some((v.to_string(), "the number"))))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Reading, E> {
                    Ok(Reading(Some((v.to_string(), "the number"))))
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<Reading, E> {
                    Ok(Reading(Some((v.to_string(), "the number"))))
                }
                fn visit_bool<E: de::Error>(self, v: bool) -> Result<Reading, E> {
                    Ok(Reading(Some((v.to_string(), "the boolean"))))
                }
                fn visit_str<E: de::Error>(self, _: &str) -> Result<Reading, E> {
                    Ok(Reading(None))
                }
                fn visit_unit<E: de::Error>(self) -> Result<Reading, E> {
                    Ok(Reading(None))
                }
            }
            d.deserialize_any(V)
        }
    }
    serde_yaml::from_str::<Reading>(token).ok()?.0
}

/// For a value under the top-level `key` that YAML read from a plain number or boolean where
/// its spelling cannot be kept (an author name in a list: `author: [Ada, 3.10]`), the
/// spelling written under `key` that reads as `read` but differs from it, and what it was
/// read as: for a warning that says what to quote. `None` when `read` is spelled as written
/// (`1984`), or no such spelling is found.
pub(crate) fn respelled(
    split: &Split<'_>,
    key: &str,
    read: &str,
) -> Option<(String, &'static str)> {
    // Only the text a number or boolean becomes can have been respelled.
    if read.parse::<f64>().is_err() && read != "true" && read != "false" {
        return None;
    }
    let mut lines =
        LineIter::new(split.yaml).skip_while(|(_, _, line)| after_key(line, key).is_none());
    let (_, _, first) = lines.next()?;
    let value = after_key(first, key).unwrap_or("");
    // The key's block: its line, then the indented (or blank) lines below it.
    let block = std::iter::once(value).chain(
        lines
            .map(|(_, _, line)| line)
            .take_while(|line| line.trim().is_empty() || line.starts_with([' ', '\t'])),
    );
    block
        .flat_map(|line| {
            strip_comment(line).split(|c: char| c.is_whitespace() || "[]{},".contains(c))
        })
        .filter(|token| !token.is_empty() && *token != read)
        .find_map(|token| {
            let (reading, what) = yaml_reading(token)?;
            (reading == read).then(|| (token.to_string(), what))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::front_matter::{parse_yaml, split};

    #[test]
    fn front_matter_numbers_keep_their_spelling() {
        let fm = |yaml: &str| {
            let text = format!("---\n{yaml}\n---\n");
            parse_yaml(&split(&text).unwrap()).unwrap()
        };
        let t = |s: &str| Some(Text(s.into()));
        let raw = fm("title: 3.10  # a comment\nslug: 1.20\nsummary: 2e3\nid: 0x1F\nlang: .inf");
        assert_eq!(raw.title, t("3.10"));
        assert_eq!(raw.slug, t("1.20"));
        assert_eq!(raw.summary, t("2e3"));
        assert_eq!(raw.id, t("0x1F"));
        assert_eq!(raw.lang, t(".inf"));
        assert_eq!(fm("title: True\ndescription: +1").title, t("True"));
        let items = |field: Option<OneOrMany<Text>>| -> Vec<String> {
            field.unwrap().into_vec().into_iter().map(|t| t.0).collect()
        };
        let raw =
            fm("tags: [python, 3.10, 0x1F, 2e3, .inf, 2024]\ncategories:\n  - 1.50 # c\n  - 007");
        assert_eq!(
            items(raw.tags),
            vec!["python", "3.10", "0x1F", "2e3", ".inf", "2024"]
        );
        assert_eq!(items(raw.categories), vec!["1.50", "007"]);
        // A single value of a field that may be a list, on the key's line.
        let raw = fm("tags: 3.10 # one\ncategories: 2e3\nimage: 1.0\nauthor: 1.50");
        assert_eq!(items(raw.tags), vec!["3.10"]);
        assert_eq!(items(raw.categories), vec!["2e3"]);
        assert_eq!(raw.image, Some(ImageSpec::Src(Text("1.0".into()))));
        let names = |field: Option<OneOrMany<PersonSpec>>| -> Vec<String> {
            let specs = field.unwrap().into_vec().into_iter();
            specs.map(|p| p.into_person().unwrap().name).collect()
        };
        assert_eq!(names(raw.author), vec!["1.50"]);
        let raw = fm("authors: [{name: 3.10, email: a@example.com}]");
        assert_eq!(names(raw.authors), vec!["3.10"]);
        // Not respelled: strings and a value continued on the next line are YAML's reading.
        let raw = fm("tags: 3.10\n  and more\ncategories: \"1.0\"");
        assert_eq!(items(raw.tags), vec!["3.10 and more"]);
        assert_eq!(items(raw.categories), vec!["1.0"]);
        // A null list item is empty, not the text "~" or "null".
        let raw = fm("tags: [a, ~, null, \"~\"]");
        assert_eq!(items(raw.tags), vec!["a", "", "", "~"]);
    }

    #[test]
    fn front_matter_respelled_numbers_are_found() {
        let s = split(
            "---\nauthor: [Ada, 3.10, 0x1F]\nauthors:\n  - True # c\n  - 1984\ntags: [3.1]\n---\n",
        )
        .unwrap();
        assert_eq!(
            respelled(&s, "author", "3.1"),
            Some(("3.10".into(), "the number"))
        );
        assert_eq!(
            respelled(&s, "author", "31"),
            Some(("0x1F".into(), "the number"))
        );
        assert_eq!(
            respelled(&s, "authors", "true"),
            Some(("True".into(), "the boolean"))
        );
        // Written as read, or not a number at all: nothing to say.
        assert_eq!(respelled(&s, "authors", "1984"), None);
        assert_eq!(respelled(&s, "tags", "3.1"), None);
        assert_eq!(respelled(&s, "author", "Ada"), None);
    }
}
