//! Front matter: splitting a file into its YAML block and body, and reading the YAML into
//! [`RawFrontMatter`] with every error located at the file's own line and column.
//!
//! This and the config module are the only places that touch YAML.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::person::PersonSpec;
use crate::yaml_text::{scalars_as_text, Text};

/// A problem located inside the file (1-based line and column of the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Located {
    fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            column,
            message: message.into(),
        }
    }
}

/// The two parts of an article file.
#[derive(Debug)]
pub struct Split<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// 1-based file line of the YAML's first line.
    pub yaml_first_line: usize,
    pub body: &'a str,
}

/// Splits `---\n yaml \n---\n body` (the closing line may also be `...`). Accepts CRLF line
/// ends and trailing blanks on fences.
pub fn split(text: &str) -> Result<Split<'_>, Located> {
    if text.trim().is_empty() {
        return Err(Located::new(
            1,
            1,
            "empty file: an article needs front matter between `---` lines and a body",
        ));
    }
    let mut lines = LineIter::new(text);
    let Some((_, _, first)) = lines.next() else {
        return Err(Located::new(1, 1, "empty file"));
    };
    if first.trim_end() == "+++" {
        // Hugo's TOML front matter: say what it is, or the author hunts for a missing `---`.
        return Err(Located::new(
            1,
            1,
            "TOML front matter (`+++`) is not supported: write the fields as YAML between `---` lines (`title: \"…\"`, not `title = \"…\"`)",
        ));
    }
    if first.trim_end() != "---" {
        return Err(Located::new(
            1,
            1,
            "missing front matter: the first line must be `---`, followed by YAML fields and a closing `---`",
        ));
    }
    let yaml_start = lines.offset();
    while let Some((_, line_start, line)) = lines.next() {
        // `...` is YAML's own document-end marker (Pandoc and Quarto close with it).
        if matches!(line.trim_end(), "---" | "...") {
            return Ok(Split {
                yaml: &text[yaml_start..line_start],
                yaml_first_line: 2,
                body: &text[lines.offset()..],
            });
        }
    }
    Err(Located::new(
        1,
        1,
        "unterminated front matter: no closing `---` (or `...`) line after the opening one on line 1",
    ))
}

/// Lines with their 1-based numbers, tracking the byte offset after each line's terminator.
struct LineIter<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> LineIter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            line: 0,
        }
    }
    fn offset(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for LineIter<'a> {
    /// (1-based line number, byte offset of the line's start, line without terminator)
    type Item = (usize, usize, &'a str);
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.text[start..];
        let (line, advance) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        self.line += 1;
        Some((self.line, start, line.strip_suffix('\r').unwrap_or(line)))
    }
}

/// `image:` as written: a URL or path, or a mapping as jekyll-seo-tag writes it
/// (`{path: /img/cover.png, height: 100, width: 100}`; others use `url` or `src`, and `alt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSpec {
    Src(Text),
    /// The first of `path`, `url`, `src` that is given (other keys are ignored), and `alt`.
    Map {
        src: Option<Text>,
        alt: Option<Text>,
    },
}

impl<'de> Deserialize<'de> for ImageSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::MapAccess;

        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ImageSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a URL or path, or a mapping with `path`, `url` or `src`")
            }
            scalars_as_text!(|text| Text::checked(text).map(ImageSpec::Src));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ImageSpec, A::Error> {
                // Indexed by priority, not by the order the keys are written in.
                let mut srcs: [Option<Text>; 3] = [None, None, None];
                let mut alt = None;
                while let Some(Text(key)) = map.next_key::<Text>()? {
                    let slot = match key.as_str() {
                        "path" => &mut srcs[0],
                        "url" => &mut srcs[1],
                        "src" => &mut srcs[2],
                        "alt" => &mut alt,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = map.next_value::<Option<Text>>()?;
                }
                let src = srcs.into_iter().flatten().find(|t| !t.0.trim().is_empty());
                Ok(ImageSpec::Map { src, alt })
            }
        }
        d.deserialize_any(V)
    }
}

/// `x` or `[x, y]`.
#[derive(Debug, Clone)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

/// What a [`OneOrMany`] field holds, for its error messages.
pub trait OneOrManyItem: for<'de> Deserialize<'de> {
    /// The whole field's shape, e.g. "a string or a list of strings".
    const EXPECTING: &'static str;
    /// Whether a single item may be a mapping (`{name: …}`).
    const MAP: bool;
}

impl OneOrManyItem for Text {
    const EXPECTING: &'static str = "a string or a list of strings";
    const MAP: bool = false;
}

impl OneOrManyItem for PersonSpec {
    const EXPECTING: &'static str = "a name, a `{name, email, uri}` mapping, or a list of those";
    const MAP: bool = true;
}

// Hand-written rather than `#[serde(untagged)]`: an untagged enum buffers the value and
// reports only "did not match any variant", losing the field name and position.
impl<'de, T: OneOrManyItem> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::value::{MapAccessDeserializer, StringDeserializer};
        use serde::de::{MapAccess, SeqAccess};
        use std::marker::PhantomData;

        struct V<T>(PhantomData<T>);
        impl<'de, T: OneOrManyItem> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(T::EXPECTING)
            }
            scalars_as_text!(|text| {
                T::deserialize(StringDeserializer::new(text)).map(OneOrMany::One)
            });
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(OneOrMany::Many(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                if !T::MAP {
                    return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
                }
                T::deserialize(MapAccessDeserializer::new(map)).map(OneOrMany::One)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<T> OneOrMany<T> {
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(x) => vec![x],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Front matter fields as written; validation happens in the article module.
#[derive(Debug, Default, Deserialize)]
pub struct RawFrontMatter {
    pub title: Option<Text>,
    pub date: Option<Text>,
    pub updated: Option<Text>,
    pub draft: Option<bool>,
    pub slug: Option<Text>,
    pub id: Option<Text>,
    pub summary: Option<Text>,
    pub author: Option<OneOrMany<PersonSpec>>,
    pub authors: Option<OneOrMany<PersonSpec>>,
    pub tags: Option<OneOrMany<Text>>,
    pub image: Option<ImageSpec>,
    pub image_alt: Option<Text>,
    pub image_credit: Option<Text>,
    pub lang: Option<Text>,
    pub link: Option<Text>,
    /// Podcast attachments are a later feature: only noticed, to say that they are left out.
    pub enclosure: Option<de::IgnoredAny>,
    // Names other generators use for the same things, so content moved from Jekyll or Hugo
    // keeps its meaning (and a Jekyll `published: false` never leaks).
    pub published: Option<bool>,
    /// Obsidian Publish: `publish: false` is a draft too.
    pub publish: Option<bool>,
    pub description: Option<Text>,
    pub excerpt: Option<Text>,
    pub lastmod: Option<Text>,
    pub last_modified_at: Option<Text>,
    pub categories: Option<OneOrMany<Text>>,
    // Astro's and Pelican's names.
    #[serde(rename = "pubDate")]
    pub pub_date: Option<Text>,
    #[serde(rename = "updatedDate")]
    pub updated_date: Option<Text>,
    pub modified: Option<Text>,
    /// One category (Pelican, Jekyll): one tag, not split.
    pub category: Option<OneOrMany<Text>>,
}

/// Every field the format knows, for `check --strict`'s unknown-field report.
pub const KNOWN_FIELDS: &[&str] = &[
    "title",
    "date",
    "updated",
    "draft",
    "slug",
    "id",
    "summary",
    "author",
    "authors",
    "tags",
    "image",
    "image_alt",
    "image_credit",
    "enclosure",
    "lang",
    "link",
    "published",
    "publish",
    "description",
    "excerpt",
    "lastmod",
    "last_modified_at",
    "categories",
    "pubDate",
    "updatedDate",
    "modified",
    "category",
];

/// Parses the YAML block. Locations are translated to file lines.
pub fn parse_yaml(split: &Split<'_>) -> Result<RawFrontMatter, Located> {
    if split.yaml.trim().is_empty() {
        return Ok(RawFrontMatter::default());
    }
    // One typed pass: this runs for every file on every full load.
    let mut raw: RawFrontMatter = serde_yaml::from_str(split.yaml).map_err(|e| {
        let mut located = yaml_error(&e, split);
        // Some type errors are reported at the block's start; point at the key instead.
        if let Some(field) = located
            .message
            .trim_start_matches("invalid front matter: ")
            .split(':')
            .next()
        {
            let field = field.split(['[', '.']).next().unwrap_or(field).trim();
            if let Some((line, column)) = key_position(split, field) {
                if e.location().is_none() || located.line == split.yaml_first_line {
                    located.line = line;
                    located.column = column;
                }
            }
            // `draft: no` is the string "no" in YAML 1.2: not guessed, but say what to write.
            if located.message.ends_with("expected a boolean") {
                located.message = format!(
                    "{}; write `{field}: true` or `{field}: false`",
                    located.message
                );
            }
        }
        if located.message.contains("mapping values are not allowed") {
            located.message = unquoted_colon_message(split, located.line, &located.message);
        }
        if located
            .message
            .ends_with("invalid type: sequence, expected a string")
        {
            located.message.push_str(
                "; a value starting with `[` is a list: quote it (`title: \"[Draft] …\"`)",
            );
        }
        if located.message.contains("expected struct RawFrontMatter") {
            located.message = "invalid front matter: expected `key: value` fields".into();
        }
        located
    })?;
    keep_written_scalars(&mut raw, split);
    Ok(raw)
}

/// The fields that may be a list or a mapping are read with `deserialize_any`, so a single
/// plain scalar there comes as YAML's reading of it (`tags: 3.10` as `3.1`). When it stands
/// on the key's own line, the text as written there replaces it — only when that text reads
/// as exactly this value, so nothing else (a value continued on the next line) is touched.
fn keep_written_scalars(raw: &mut RawFrontMatter, split: &Split<'_>) {
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
pub fn respelled(split: &Split<'_>, key: &str, read: &str) -> Option<(String, &'static str)> {
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

/// A `: ` inside an unquoted value (`title: « Paris : été »`) is the usual cause of YAML's
/// "mapping values are not allowed": name the key of that line and say how to fix it.
fn unquoted_colon_message(split: &Split<'_>, file_line: usize, message: &str) -> String {
    let key = file_line
        .checked_sub(split.yaml_first_line)
        .and_then(|n| LineIter::new(split.yaml).nth(n))
        .and_then(|(_, _, line)| {
            // Only a top-level key: an indented line belongs to some nested value.
            if line.starts_with([' ', '\t']) {
                return None;
            }
            let key = line.split_once(':')?.0.trim();
            (!key.is_empty() && !key.starts_with('#')).then_some(key)
        });
    let reason = message.trim_start_matches("invalid front matter: ");
    let example = key.unwrap_or("title");
    let hint = format!("a value containing `: ` must be quoted (`{example}: \"…\"`)");
    match key {
        Some(key) => format!("invalid front matter: `{key}`: {reason}; {hint}"),
        None => format!("invalid front matter: {reason}; {hint}"),
    }
}

fn yaml_error(e: &serde_yaml::Error, split: &Split<'_>) -> Located {
    let offset = split.yaml_first_line - 1;
    // The crate appends " at line L column C" relative to the block: drop that final one
    // (we report the position ourselves) and shift any inner ones to file lines.
    let mut message = e.to_string();
    if let Some(i) = message.rfind(" at line ") {
        if message[i..].split_whitespace().count() == 5 {
            message.truncate(i);
        }
    }
    let (line, column) = match e.location() {
        Some(loc) => (offset + loc.line(), loc.column()),
        None => (split.yaml_first_line, 1),
    };
    // The scanner names the position inside its message too ("… at line 5 column 1, while
    // scanning …"): the report's own position says it already.
    let positioned = format!(" at line {} column {column}", line - offset);
    let message = message.replacen(&positioned, "", 1);
    let message = shift_line_numbers(&message, offset);
    let found_tab = e.location().is_some_and(|loc| {
        LineIter::new(split.yaml)
            .nth(loc.line().saturating_sub(1))
            .and_then(|(_, _, text)| text.chars().nth(loc.column().saturating_sub(1)))
            == Some('\t')
    });
    let message = if found_tab && message.contains("cannot start any token") {
        "a tab where YAML needs spaces: indent with spaces".to_string()
    } else {
        message
    };
    Located::new(line, column, format!("invalid front matter: {message}"))
}

/// Rewrites every "line N" in a YAML message to the file's line numbering.
fn shift_line_numbers(message: &str, offset: usize) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = &rest[i + 5..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

/// File position of a top-level `key:` in the front matter.
pub fn key_position(split: &Split<'_>, key: &str) -> Option<(usize, usize)> {
    LineIter::new(split.yaml)
        .find(|(_, _, line)| after_key(line, key).is_some())
        .map(|(n, _, _)| (split.yaml_first_line + n - 1, 1))
}

/// What follows `key:` on a line that starts with the top-level key `key`.
fn after_key<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.strip_prefix(key)?.trim_start().strip_prefix(':')
}

/// Top-level keys the format does not know, with their positions.
pub fn unknown_keys(split: &Split<'_>) -> Vec<(String, usize, usize)> {
    let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_str::<serde_yaml::Value>(split.yaml)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in map.keys() {
        let name = match key {
            serde_yaml::Value::String(s) => s.clone(),
            other => format!("{other:?}"),
        };
        if !KNOWN_FIELDS.contains(&name.as_str()) {
            let (line, column) = key_position(split, &name).unwrap_or((split.yaml_first_line, 1));
            out.push((name, line, column));
        }
    }
    out.sort_by_key(|(_, line, _)| *line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_splits_yaml_and_body() {
        let s = split("---\ntitle: A\n---\nBody\n").unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "Body\n");
        let s = split("---\r\ntitle: A\r\n---\r\nBody").unwrap();
        assert_eq!(s.yaml, "title: A\r\n");
        assert_eq!(s.body, "Body");
        let s = split("---\n---\n").unwrap();
        assert_eq!(s.yaml, "");
    }

    #[test]
    fn front_matter_missing_and_unterminated_are_named() {
        assert!(split("# Title\n")
            .unwrap_err()
            .message
            .contains("missing front matter"));
        assert!(split("---\ntitle: x\nbody")
            .unwrap_err()
            .message
            .contains("unterminated"));
        assert!(split("").unwrap_err().message.contains("empty"));
        assert!(split("  \n\n").unwrap_err().message.contains("empty"));
    }

    #[test]
    fn front_matter_toml_is_named() {
        let e = split("+++\ntitle = \"x\"\n+++\nbody\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("TOML"), "{e:?}");
        assert!(!e.message.contains("missing"), "{e:?}");
    }

    #[test]
    fn front_matter_closes_with_yaml_document_end() {
        let s = split("---\ntitle: A\n...\nBody\n").unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "Body\n");
        let s = split("---\r\ntitle: A\r\n... \r\nBody").unwrap();
        assert_eq!(s.body, "Body");
        // `...` opens nothing: only `---` starts front matter.
        assert!(split("...\ntitle: A\n...\n").is_err());
    }

    #[test]
    fn front_matter_unquoted_colon_names_key_and_fix() {
        let text = "---\ndate: 2024-07-14\ntitle: « L’été à Paris : chaleur »\n---\n";
        let s = split(text).unwrap();
        let e = parse_yaml(&s).unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        assert!(e.message.contains("mapping values"), "{e:?}");
        assert!(e.message.contains("`title`: mapping"), "{e:?}");
        assert!(e.message.contains("(`title: \"…\"`)"), "{e:?}");
        assert!(e.message.contains("must be quoted"), "{e:?}");
        // A nested line names no (wrong) top-level key, but still gets the hint.
        let s = split("---\ntitle: x\nauthor:\n  name: a: b\n---\n").unwrap();
        let e = parse_yaml(&s).unwrap_err();
        assert!(e.message.contains("must be quoted"), "{e:?}");
        assert!(!e.message.contains("`author`"), "{e:?}");
    }

    #[test]
    fn front_matter_yaml_error_points_at_file_line() {
        let text = "---\ntitle: ok\ntags: [a, b\ndate: 2024-01-01\n---\nbody";
        let s = split(text).unwrap();
        let err = parse_yaml(&s).unwrap_err();
        assert!(err.line >= 3, "{err:?}");
        assert!(err.message.starts_with("invalid front matter"), "{err:?}");
        assert!(!err.message.contains("line 3 column"), "{err:?}");
    }

    #[test]
    fn front_matter_wrong_types_name_the_field() {
        let s = split("---\ndate: 2024-01-01\ntitle: [1, 2]\n---\n").unwrap();
        let err = parse_yaml(&s).unwrap_err();
        assert!(err.message.contains("title"), "{err:?}");
        assert_eq!(err.line, 3, "{err:?}");
        let s = split("---\ntitle: x\ndraft: \"yes please\"\n---\n").unwrap();
        let err = parse_yaml(&s).unwrap_err();
        assert!(err.message.contains("draft"), "{err:?}");
        assert_eq!(err.line, 3, "{err:?}");
    }

    #[test]
    fn front_matter_boolean_errors_say_what_to_write() {
        for key in ["draft", "published", "publish"] {
            for value in ["no", "yes", "\"false\"", "0", "[true]"] {
                let e = yaml_err(&format!("{key}: {value}\n"));
                assert_eq!(e.line, 4, "{e:?}");
                assert!(e.message.contains("expected a boolean"), "{e:?}");
                assert!(
                    e.message
                        .ends_with(&format!("; write `{key}: true` or `{key}: false`")),
                    "{e:?}"
                );
            }
        }
        let e = yaml_err("draft: no\n");
        assert_eq!(
            e.message,
            "invalid front matter: draft: invalid type: string \"no\", expected a boolean; write `draft: true` or `draft: false`"
        );
    }

    #[test]
    fn front_matter_must_be_a_mapping() {
        let s = split("---\njust a string\n---\n").unwrap();
        let err = parse_yaml(&s).unwrap_err();
        assert!(err.message.contains("key: value"), "{err:?}");
        assert_eq!(err.line, 2);
    }

    #[test]
    fn front_matter_scalars_read_as_text() {
        let s = split("---\ntitle: 1984\ntags: solo\n---\n").unwrap();
        let fm = parse_yaml(&s).unwrap();
        assert_eq!(fm.title, Some(Text("1984".into())));
        assert_eq!(fm.tags.unwrap().into_vec(), vec![Text("solo".into())]);
    }

    #[test]
    fn front_matter_tabs_and_unquoted_brackets_say_what_to_do() {
        let err = |text: &str| parse_yaml(&split(text).unwrap()).unwrap_err();
        let e = err("---\ntitle: T\ntags:\n\t- a\n---\n");
        assert_eq!((e.line, e.column), (4, 1));
        assert_eq!(
            e.message,
            "invalid front matter: a tab where YAML needs spaces: indent with spaces"
        );
        let e = err("---\ntitle: [Draft] notes\n---\n");
        assert!(e.message.contains("quote it"), "{}", e.message);
    }

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

    #[test]
    fn front_matter_image_as_text_or_mapping() {
        let image = |yaml: &str| {
            let text = format!("---\ntitle: x\n{yaml}\n---\n");
            parse_yaml(&split(&text).unwrap()).map(|fm| fm.image)
        };
        let t = |s: &str| Some(Text(s.into()));
        assert_eq!(
            image("image: a.png"),
            Ok(Some(ImageSpec::Src(Text("a.png".into()))))
        );
        assert_eq!(
            image("image:\n  path: /img/cover.png\n  height: 100\n  width: 100"),
            Ok(Some(ImageSpec::Map {
                src: t("/img/cover.png"),
                alt: None
            }))
        );
        // `path`, then `url`, then `src`, whatever the order written; empty ones skipped.
        assert_eq!(
            image("image: {src: c.png, url: b.png, alt: A cat, path: \"\"}"),
            Ok(Some(ImageSpec::Map {
                src: t("b.png"),
                alt: t("A cat")
            }))
        );
        assert_eq!(
            image("image: {height: 1, extra: [x, {y: z}]}"),
            Ok(Some(ImageSpec::Map {
                src: None,
                alt: None
            }))
        );
        assert_eq!(
            image("image: {url: ~}"),
            Ok(Some(ImageSpec::Map {
                src: None,
                alt: None
            }))
        );
        let e = image("image: [a.png]").unwrap_err();
        assert!(
            e.message.contains("image") && e.message.contains("mapping"),
            "{e:?}"
        );
        assert_eq!(e.line, 3, "{e:?}");
        let e = image("image: {path: [a, b]}").unwrap_err();
        assert!(e.message.contains("image.path"), "{e:?}");
    }

    #[test]
    fn front_matter_unknown_keys_are_listed_with_lines() {
        let s = split("---\ntitle: x\ncolour: red\n---\n").unwrap();
        assert_eq!(unknown_keys(&s), vec![("colour".to_string(), 3, 1)]);
    }

    fn yaml_err(yaml: &str) -> Located {
        let text = format!("---\ntitle: x\ndate: 2024-01-01\n{yaml}---\n");
        let s = split(&text).unwrap();
        parse_yaml(&s).unwrap_err()
    }

    #[test]
    fn front_matter_list_fields_name_the_key_and_the_shape() {
        let e = yaml_err("tags: {a: 1}\n");
        assert!(
            e.message.contains("tags") && e.message.contains("a string or a list of strings"),
            "{e:?}"
        );
        assert_eq!(e.line, 4, "{e:?}");
        let e = yaml_err("categories: {a: 1}\n");
        assert!(e.message.contains("categories"), "{e:?}");
        let e = yaml_err("authors: [{email: only@example.com}]\n");
        assert!(
            e.message.contains("authors") && e.message.contains("needs a `name`"),
            "{e:?}"
        );
        assert_eq!(e.line, 4, "{e:?}");
        let e = yaml_err("title2: y\nauthor:\n  - ok\n  - [nested]\n");
        assert!(e.message.contains("author[1]"), "{e:?}");
        assert_eq!(e.line, 7, "{e:?}");
        assert!(!e.message.contains("untagged"), "{e:?}");
    }

    #[test]
    fn front_matter_scalars_in_lists_read_as_text() {
        let s = split("---\ntags: [1, true, x]\nauthor: [Ada, {name: 42}]\n---\n").unwrap();
        let fm = parse_yaml(&s).unwrap();
        let tags: Vec<String> = fm
            .tags
            .unwrap()
            .into_vec()
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(tags, vec!["1", "true", "x"]);
        let authors: Vec<String> = fm
            .author
            .unwrap()
            .into_vec()
            .into_iter()
            .map(|p| p.into_person().unwrap().name)
            .collect();
        assert_eq!(authors, vec!["Ada", "42"]);
    }
}
