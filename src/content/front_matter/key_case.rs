//! Front matter keys in another case: Hugo and Pelican read `Draft:`, `Title:` and
//! `publishdate:` as `draft`, `title` and `publishDate`, so a moved site's drafts stay
//! drafts. The YAML text is rewritten before it is read, key for key, each to the spelling
//! its field has ([`KNOWN_KEYS`]): only the case of ASCII letters changes, so every byte,
//! line and column stays where it was and the messages still point at the file.

use super::fields::KNOWN_KEYS;

/// The YAML with every top-level key that matches a known key but for case respelled as
/// that key, or `None` when no key needs it (the common case: nothing is copied). A key
/// whose own spelling is also written is left alone (it stays unknown for `check --strict`)
/// rather than made a duplicate.
pub(crate) fn canonical_keys(yaml: &str) -> Option<String> {
    let mut rewrites: Vec<(usize, &'static str)> = Vec::new();
    let mut offset = 0;
    let mut written: Vec<&str> = Vec::new();
    for line in yaml.split_inclusive('\n') {
        if let Some(key) = top_level_key(line) {
            written.push(key);
            if !KNOWN_KEYS.contains(&key) {
                if let Some(known) = KNOWN_KEYS.iter().find(|k| k.eq_ignore_ascii_case(key)) {
                    rewrites.push((offset, known));
                }
            }
        }
        offset += line.len();
    }
    rewrites.retain(|(_, known)| !written.contains(known));
    if rewrites.is_empty() {
        return None;
    }
    let mut out = yaml.to_string();
    for (at, known) in rewrites {
        // Same letters but for ASCII case: the same length, on a char boundary.
        out.replace_range(at..at + known.len(), known);
    }
    Some(out)
}

/// The key of a top-level `key:` line (letters, digits, `_`, `-`), or `None`.
fn top_level_key(line: &str) -> Option<&str> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(line.len());
    let key = &line[..end];
    if key.is_empty() || key.starts_with('-') {
        return None;
    }
    line[end..]
        .trim_start_matches([' ', '\t'])
        .starts_with(':')
        .then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_another_case_are_respelled_in_place() {
        let yaml =
            "Title: T\nDraft: true\npublishdate: 2024-01-01\nEXPIRYDATE : x\nauthor:\n  Name: A\n";
        let out = canonical_keys(yaml).unwrap();
        assert_eq!(
            out,
            "title: T\ndraft: true\npublishDate: 2024-01-01\nexpiryDate : x\nauthor:\n  Name: A\n"
        );
        assert_eq!(out.len(), yaml.len());
        // Nothing to do: no copy.
        assert_eq!(canonical_keys("title: T\ncolour: red\n"), None);
        // Both spellings written: left as is, not made a duplicate.
        assert_eq!(canonical_keys("title: a\nTitle: b\n"), None);
        // Not keys: list items, comments, values, keys of other names.
        assert_eq!(
            canonical_keys("- Title: x\n# Draft: true\nTitles: x\n"),
            None
        );
    }
}
