//! The one slug rule for group path segments (tags, sections, authors; SPEC §12): ASCII,
//! stable across case and accents, so `Café`, `cafe` and `CAFÉ` share one feed.
//!
//! The rule: transliterate to ASCII (`deunicode`: accents folded, `é` → `e`, `ß` → `ss`,
//! other scripts spelled in Latin letters, `日本` → `ri ben`), lowercase, turn every run of
//! characters other than `a-z` and `0-9` into one `-`, trim `-` at both ends. A name with
//! nothing left (only punctuation) has no slug and so no feed.

/// The slug of `name`; `None` when nothing of it is left.
pub fn slug(name: &str) -> Option<String> {
    let ascii = deunicode::deunicode(name);
    let mut out = String::with_capacity(ascii.len());
    let mut dash = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_case_accents_and_punctuation() {
        let s = |t: &str| slug(t).unwrap_or_default();
        assert_eq!(s("Rust"), "rust");
        assert_eq!(s("café"), "cafe");
        assert_eq!(s("CAFÉ"), "cafe");
        assert_eq!(s("Café"), s("cafe"));
        assert_eq!(s("open source"), "open-source");
        assert_eq!(s("  --open__Source!! "), "open-source");
        assert_eq!(s("über-alles"), "uber-alles");
        assert_eq!(s("Straße"), "strasse");
        assert_eq!(s("año-nuevo"), "ano-nuevo");
        assert_eq!(s("c++"), "c");
        assert_eq!(s("Amélie Durand"), "amelie-durand");
        assert_eq!(s("путешествия"), "puteshestviia");
        assert!(s("日本")
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '-'));
        assert!(!s("日本").is_empty());
        assert_eq!(slug("+++"), None);
        assert_eq!(slug(""), None);
    }
}
