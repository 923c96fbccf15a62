//! Reading the YAML block into [`RawFrontMatter`] in one typed pass, with every error
//! placed at the file's own line and column and worded for authors, not for serde; and
//! the unknown top-level keys that `check --strict` reports.

use serde::Deserialize;
use serde_ignored::Path;

use super::block::{key_position, LineIter, Located, Split};
use super::fields::RawFrontMatter;
use super::spelling::keep_written_scalars;

/// A top-level front matter key that no field reads, at its file position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownField {
    pub name: String,
    pub line: usize,
    pub column: usize,
}

/// Parses the YAML block. Locations are translated to file lines.
pub(crate) fn parse_yaml(split: &Split<'_>) -> Result<RawFrontMatter, Located> {
    read(split, None)
}

/// [`parse_yaml`], also listing the top-level keys no field reads (`check --strict`), in
/// file order: the deserializer reports each key it skips.
pub(crate) fn parse_yaml_listing_unknown(
    split: &Split<'_>,
) -> Result<(RawFrontMatter, Vec<UnknownField>), Located> {
    let mut skipped = Vec::new();
    let mut on_skipped = |path: Path<'_>| {
        // Keys skipped inside a value (`author: {name: Ada, x: 1}`) belong to that value.
        if let Path::Map {
            parent: Path::Root,
            key,
        } = path
        {
            skipped.push(key);
        }
    };
    let raw = read(split, Some(&mut on_skipped))?;
    // `permalink` is read as Eleventy's `permalink: false` or a post's own path (a string);
    // any other shape is not used.
    let permalink_unused = raw.permalink.as_ref().is_some_and(|v| {
        !matches!(
            v,
            serde_yaml::Value::Bool(false) | serde_yaml::Value::String(_)
        )
    });
    if permalink_unused {
        skipped.push("permalink".to_string());
    }
    Ok((raw, unknown_fields(split, skipped)))
}

/// One typed pass over the block (this runs for every file on every full load), through
/// `serde_ignored` when skipped keys are wanted.
fn read(
    split: &Split<'_>,
    on_skipped: Option<&mut dyn FnMut(Path<'_>)>,
) -> Result<RawFrontMatter, Located> {
    if split.yaml.trim().is_empty() {
        return Ok(RawFrontMatter::default());
    }
    let yaml = serde_yaml::Deserializer::from_str(split.yaml);
    let parsed = match on_skipped {
        None => RawFrontMatter::deserialize(yaml),
        Some(on_skipped) => serde_ignored::deserialize(yaml, on_skipped),
    };
    let mut raw = parsed.map_err(|e| located_error(&e, split))?;
    keep_written_scalars(&mut raw, split);
    Ok(raw)
}

/// A YAML or type error at its file position, worded for authors.
fn located_error(e: &serde_yaml::Error, split: &Split<'_>) -> Located {
    let mut located = yaml_error(e, split);
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
        located
            .message
            .push_str("; a value starting with `[` is a list: quote it (`title: \"[Draft] …\"`)");
    }
    if located.message.contains("expected struct RawFrontMatter") {
        located.message = "invalid front matter: expected `key: value` fields".into();
    }
    located
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

/// Names and places the skipped keys as `check --strict` has always listed them: a key
/// that is not a string (`1:`, `true:`) by its YAML value (`Number(1)`, `Bool(true)`), a
/// key's position found by its name (else the block's first line), sorted by line.
fn unknown_fields(split: &Split<'_>, skipped: Vec<String>) -> Vec<UnknownField> {
    // YAML keys are unique: a key written twice makes the block no mapping, and nothing
    // is listed for it (the typed pass above accepts the repeat of a key it skips).
    let mut names = skipped.clone();
    names.sort();
    if names.windows(2).any(|pair| pair[0] == pair[1]) {
        return Vec::new();
    }
    let mut out: Vec<UnknownField> = skipped
        .into_iter()
        .map(|key| {
            let name = match serde_yaml::from_str::<serde_yaml::Value>(&key) {
                Ok(serde_yaml::Value::String(_)) | Err(_) => key,
                Ok(other) => format!("{other:?}"),
            };
            let (line, column) = key_position(split, &name).unwrap_or((split.yaml_first_line, 1));
            UnknownField { name, line, column }
        })
        .collect();
    out.sort_by_key(|field| field.line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::front_matter::split;

    /// The error of both passes, which must be the same.
    fn error_of(s: &Split<'_>) -> Located {
        let plain = parse_yaml(s).unwrap_err();
        let listing = parse_yaml_listing_unknown(s).unwrap_err();
        assert_eq!(plain, listing);
        plain
    }

    #[test]
    fn front_matter_unquoted_colon_names_key_and_fix() {
        let text = "---\ndate: 2024-07-14\ntitle: « L’été à Paris : chaleur »\n---\n";
        let s = split(text).unwrap();
        let e = error_of(&s);
        assert_eq!(e.line, 3, "{e:?}");
        assert!(e.message.contains("mapping values"), "{e:?}");
        assert!(e.message.contains("`title`: mapping"), "{e:?}");
        assert!(e.message.contains("(`title: \"…\"`)"), "{e:?}");
        assert!(e.message.contains("must be quoted"), "{e:?}");
        // A nested line names no (wrong) top-level key, but still gets the hint.
        let s = split("---\ntitle: x\nauthor:\n  name: a: b\n---\n").unwrap();
        let e = error_of(&s);
        assert!(e.message.contains("must be quoted"), "{e:?}");
        assert!(!e.message.contains("`author`"), "{e:?}");
    }

    #[test]
    fn front_matter_yaml_error_points_at_file_line() {
        let text = "---\ntitle: ok\ntags: [a, b\ndate: 2024-01-01\n---\nbody";
        let s = split(text).unwrap();
        let err = error_of(&s);
        assert!(err.line >= 3, "{err:?}");
        assert!(err.message.starts_with("invalid front matter"), "{err:?}");
        assert!(!err.message.contains("line 3 column"), "{err:?}");
    }

    #[test]
    fn front_matter_wrong_types_name_the_field() {
        let s = split("---\ndate: 2024-01-01\ntitle: [1, 2]\n---\n").unwrap();
        let err = error_of(&s);
        assert!(err.message.contains("title"), "{err:?}");
        assert_eq!(err.line, 3, "{err:?}");
        let s = split("---\ntitle: x\ndraft: \"yes please\"\n---\n").unwrap();
        let err = error_of(&s);
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
        let err = error_of(&s);
        assert!(err.message.contains("key: value"), "{err:?}");
        assert_eq!(err.line, 2);
    }

    #[test]
    fn front_matter_tabs_and_unquoted_brackets_say_what_to_do() {
        let err = |text: &str| error_of(&split(text).unwrap());
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
    fn front_matter_unknown_keys_are_listed_with_lines() {
        let s = split("---\ntitle: x\ncolour: red\n---\n").unwrap();
        let (_, unknown) = parse_yaml_listing_unknown(&s).unwrap();
        let unknown: Vec<_> = unknown
            .into_iter()
            .map(|f| (f.name, f.line, f.column))
            .collect();
        assert_eq!(unknown, vec![("colour".to_string(), 3, 1)]);
        // A `permalink` path and Eleventy's `permalink: false` are read; another shape is not.
        let s = split("---\npermalink: {a: 1}\ntitle: x\ncolour: red\n---\n").unwrap();
        let names: Vec<String> = parse_yaml_listing_unknown(&s)
            .unwrap()
            .1
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, vec!["permalink", "colour"]);
        for read in ["permalink: false", "permalink: /a/", "url: /b/"] {
            let text = format!("---\n{read}\n---\n");
            let s = split(&text).unwrap();
            assert!(
                parse_yaml_listing_unknown(&s).unwrap().1.is_empty(),
                "{read}"
            );
        }
    }

    fn yaml_err(yaml: &str) -> Located {
        let text = format!("---\ntitle: x\ndate: 2024-01-01\n{yaml}---\n");
        let s = split(&text).unwrap();
        error_of(&s)
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
}
