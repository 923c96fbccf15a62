//! The permalink pattern (`content.permalink`, e.g. `/{section}/{slug}/`): checked once when
//! the configuration is read ([`PermalinkPattern::parse`]), expanded for every article
//! ([`PermalinkPattern::expand`]).

use chrono::Datelike;
use url::Url;

/// A checked `content.permalink`: it holds `{slug}`, only known placeholders, and no `.`,
/// `..` or `\` segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PermalinkPattern(String);

impl PermalinkPattern {
    /// The pattern used when none is configured.
    pub(crate) const DEFAULT: &'static str = "/{section}/{slug}/";

    /// Checks a pattern as written; the message says what is wrong.
    pub(crate) fn parse(pattern: String) -> Result<Self, String> {
        if !pattern.contains("{slug}") {
            return Err(format!(
                "`{pattern}` must contain `{{slug}}` so every article gets its own URL"
            ));
        }
        // Caught here once rather than as an error on every article (see `expand`).
        for segment in pattern.split('/') {
            if is_dot_segment(segment) || segment.contains('\\') {
                return Err(format!(
                    "`{pattern}` must not contain `.` or `..` segments or `\\`"
                ));
            }
        }
        let mut rest = pattern.as_str();
        while let Some(start) = rest.find('{') {
            let end = rest[start..]
                .find('}')
                .ok_or_else(|| format!("`{pattern}` has an unclosed `{{`"))?;
            let name = &rest[start + 1..start + end];
            if !matches!(name, "section" | "year" | "month" | "day" | "slug") {
                return Err(format!(
                    "unknown placeholder `{{{name}}}`; use {{section}}, {{year}}, {{month}}, {{day}}, {{slug}}"
                ));
            }
            rest = &rest[start + end + 1..];
        }
        Ok(Self(pattern))
    }

    /// A pattern taken as is, for tests of what `expand` does with patterns `parse` refuses.
    #[cfg(test)]
    pub(crate) fn unchecked(pattern: &str) -> Self {
        Self(pattern.to_string())
    }

    /// `base` joined with this pattern; empty segments collapse.
    ///
    /// Every substituted value (section, slug, date parts) becomes exactly one opaque path
    /// segment: the WHATWG parser behind `url` reads `\` as `/` and `%2e%2e` as `..`, so an
    /// unencoded value could add segments or climb out of the base path.
    pub(crate) fn expand(
        &self,
        base: &Url,
        section: &str,
        slug: &str,
        day: chrono::NaiveDate,
    ) -> Result<Url, String> {
        let pattern = &self.0;
        let year = format!("{:04}", day.year());
        let month = format!("{:02}", day.month());
        let day = format!("{:02}", day.day());
        let mut segments = Vec::new();
        for part in pattern.split('/') {
            let mut segment = String::new();
            let mut rest = part;
            while let Some(start) = rest.find('{') {
                segment.push_str(&encode_segment(&rest[..start]));
                let after = &rest[start..];
                let (value, len) = match after {
                    a if a.starts_with("{section}") => (section, "{section}".len()),
                    a if a.starts_with("{year}") => (year.as_str(), "{year}".len()),
                    a if a.starts_with("{month}") => (month.as_str(), "{month}".len()),
                    a if a.starts_with("{day}") => (day.as_str(), "{day}".len()),
                    a if a.starts_with("{slug}") => (slug, "{slug}".len()),
                    // `parse` allows no other placeholder; keep the text literal.
                    _ => ("{", 1),
                };
                segment.push_str(&encode_segment(value));
                rest = &after[len..];
            }
            segment.push_str(&encode_segment(rest));
            if is_dot_segment(&segment) {
                return Err(format!(
                    "permalink segment `{segment}` would be read as `.` or `..` (check content.permalink)"
                ));
            }
            if !segment.is_empty() {
                segments.push(segment);
            }
        }
        let mut path = segments.join("/");
        if pattern.ends_with('/') && !path.is_empty() {
            path.push('/');
        }
        // `set_path`, not `join`: a first segment like `http:x` would make `join` read the
        // path as an absolute URL.
        let mut url = base.clone();
        url.set_path(&format!("{}{path}", base.path()));
        // Last line of defence (e.g. a `..` segment written into content.permalink): a link
        // outside the site is an error, never a wrong link.
        if url.origin() != base.origin() || !url.path().starts_with(base.path()) {
            return Err(format!(
                "permalink `{url}` is outside site.base_url `{base}` (check content.permalink)"
            ));
        }
        Ok(url)
    }
}

/// Percent-encodes everything but RFC 3986 `pchar`s (and `%` itself), so the text is one
/// opaque path segment however a URL parser reads it; unicode and spaces come out exactly
/// as the `url` crate itself would encode them.
fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// True when a URL parser would read `segment` as `.` or `..` (WHATWG also decodes `%2e`).
pub(crate) fn is_dot_segment(segment: &str) -> bool {
    let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}
