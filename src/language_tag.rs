//! BCP 47 language tags (RFC 5646), as written in an article's `lang` and in
//! `site.language`: both go out as RSS `language` and Atom `xml:lang`.

/// What [`check_language`] made of a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Language {
    /// Well-formed as written.
    Valid,
    /// `en_US`: the common underscore spelling, with the BCP 47 form to use instead.
    Normalised(String),
    /// Not a language tag; the message says why.
    Invalid(String),
}

/// A grammar check of a BCP 47 language tag (RFC 5646): a primary language of 2–3 letters,
/// then subtags of 1–8 letters or digits separated by `-`.
///
/// The registry is not consulted (it changes; unknown but well-formed tags are the author's
/// call). Primary subtags of 5–8 letters are allowed by the grammar but none has ever been
/// registered, and accepting them would let `english` through, so they are refused.
pub(crate) fn check_language(tag: &str) -> Language {
    if well_formed_language(tag) {
        return Language::Valid;
    }
    let dashed = tag.replace('_', "-");
    if dashed != tag && well_formed_language(&dashed) {
        return Language::Normalised(dashed);
    }
    Language::Invalid(format!(
        "`{tag}` is not a BCP 47 language tag such as `en`, `en-US`, `pt-BR` or `zh-Hant`"
    ))
}

fn well_formed_language(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let primary = subtags.next().unwrap_or("");
    if !((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic())) {
        return false;
    }
    let rest: Vec<&str> = subtags.collect();
    let subtag_ok =
        |s: &&str| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric());
    // A singleton (extension or `x` private use) must introduce at least one subtag.
    rest.iter().all(subtag_ok) && rest.last().is_none_or(|s| s.len() > 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_checked() {
        for tag in [
            "en",
            "de-DE-1996",
            "zh-Hant-TW",
            "es-419",
            "en-x-pirate",
            "sgn-ase",
        ] {
            assert_eq!(check_language(tag), Language::Valid, "{tag}");
        }
        assert_eq!(
            check_language("en_US"),
            Language::Normalised("en-US".into())
        );
        for tag in [
            "english",
            "123",
            "en US",
            "xx-invalid-",
            "",
            "e",
            "en--US",
            "en-x",
            "en-abcdefghi",
            "en_",
            "_en",
        ] {
            assert!(
                matches!(check_language(tag), Language::Invalid(m) if m.contains("BCP 47")),
                "{tag}"
            );
        }
    }
}
