//! The permalink pattern (`content.permalink`, e.g. `/{section}/{slug}/`, or in Jekyll's and
//! Hugo's spelling `/:year/:month/:day/:title/`, or a Jekyll style name such as `pretty`):
//! checked once when the configuration is read ([`PermalinkPattern::parse`]), expanded for
//! every article ([`PermalinkPattern::expand`]).

use chrono::{Datelike, NaiveDateTime, Timelike};
use url::Url;

/// What one placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Var {
    /// `{section}`, `:section`: the first folder below the content root.
    Section,
    Year,
    Month,
    Day,
    /// `:i_month`, `:i_day`: without the leading zero.
    IMonth,
    IDay,
    /// `:short_year`: two digits.
    ShortYear,
    /// `:y_day`: the day of the year, three digits.
    YDay,
    Hour,
    Minute,
    Second,
    /// `{slug}`, Jekyll's `:title`: the `slug` field, else the file name without its date.
    Slug,
    /// Hugo's `:slug`: the `slug` field, else the title slugified.
    HugoSlug,
    /// `:filename`, `:basename`: the file's (or page bundle folder's) name, no extension.
    Filename,
    /// Hugo's `:slugorfilename`.
    SlugOrFilename,
    /// Jekyll's `:categories`: the post's categories, lower-cased, one segment each.
    Categories,
    /// Jekyll's `:output_ext`: `.html`.
    OutputExt,
}

/// The `{name}` placeholders.
const BRACED: [(&str, Var); 5] = [
    ("section", Var::Section),
    ("year", Var::Year),
    ("month", Var::Month),
    ("day", Var::Day),
    ("slug", Var::Slug),
];

/// The `:name` placeholders (Jekyll's and Hugo's); the longest name that matches is taken.
const COLON: [(&str, Var); 18] = [
    ("slugorfilename", Var::SlugOrFilename),
    ("short_year", Var::ShortYear),
    ("output_ext", Var::OutputExt),
    ("categories", Var::Categories),
    ("basename", Var::Filename),
    ("filename", Var::Filename),
    ("i_month", Var::IMonth),
    ("section", Var::Section),
    ("minute", Var::Minute),
    ("second", Var::Second),
    ("i_day", Var::IDay),
    ("y_day", Var::YDay),
    ("month", Var::Month),
    ("title", Var::Slug),
    ("year", Var::Year),
    ("hour", Var::Hour),
    ("slug", Var::HugoSlug),
    ("day", Var::Day),
];

/// Jekyll's named permalink styles.
const STYLES: [(&str, &str); 4] = [
    ("pretty", "/:categories/:year/:month/:day/:title/"),
    ("date", "/:categories/:year/:month/:day/:title:output_ext"),
    ("ordinal", "/:categories/:year/:y_day/:title:output_ext"),
    ("none", "/:categories/:title:output_ext"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(Var),
}

/// A checked `content.permalink`: only known placeholders, at least one that differs between
/// articles (a name or a date part), and no `.`, `..` or `\` segment. A date-only pattern
/// (`/news/:year/:month/:day/`) is allowed: two articles of one day then share a permalink,
/// which the store reports as a duplicate naming both files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PermalinkPattern {
    /// The path's segments, each a run of text and placeholders.
    segments: Vec<Vec<Part>>,
    trailing_slash: bool,
}

/// What an article gives the pattern.
pub(crate) struct PermalinkValues<'a> {
    pub(crate) section: &'a str,
    /// The article's slug: the `slug` field, else the file or bundle name without its date.
    pub(crate) slug: &'a str,
    /// The `slug` field as written, if any (Hugo's `:slug`).
    pub(crate) slug_field: Option<&'a str>,
    /// The title, for Hugo's `:slug` when there is no `slug` field.
    pub(crate) title: &'a str,
    /// The file's (or bundle folder's) name without extension, date prefix included.
    pub(crate) filename: &'a str,
    pub(crate) categories: &'a [String],
    /// The date, in the site's time zone.
    pub(crate) date: NaiveDateTime,
}

impl PermalinkPattern {
    /// The pattern used when none is configured.
    pub(crate) const DEFAULT: &'static str = "/{section}/{slug}/";

    /// Checks a pattern as written; the message says what is wrong.
    pub(crate) fn parse(pattern: String) -> Result<Self, String> {
        Self::parse_checking(pattern, true)
    }

    /// One article's own path (Jekyll's `permalink`, Hugo's `url`): placeholders allowed,
    /// none required, since it names one article only.
    pub(crate) fn parse_own(path: &str) -> Result<Self, String> {
        Self::parse_checking(path.to_string(), false)
    }

    fn parse_checking(pattern: String, for_every_article: bool) -> Result<Self, String> {
        let written = pattern.trim();
        let expanded = STYLES
            .iter()
            .find(|(name, _)| *name == written)
            .map_or(written, |(_, pattern)| pattern);
        // Caught here once rather than as an error on every article (see `expand`).
        for segment in expanded.split('/') {
            if is_dot_segment(segment) || segment.contains('\\') {
                return Err(format!(
                    "`{pattern}` must not contain `.` or `..` segments or `\\`"
                ));
            }
        }
        let mut segments = Vec::new();
        for segment in expanded.split('/') {
            segments.push(parse_segment(segment).map_err(|m| format!("`{pattern}`: {m}"))?);
        }
        let vars = || {
            segments
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    Part::Var(v) => Some(*v),
                    Part::Text(_) => None,
                })
                .collect::<Vec<Var>>()
        };
        let names_articles = vars().iter().any(|v| {
            matches!(
                v,
                Var::Slug | Var::HugoSlug | Var::Filename | Var::SlugOrFilename
            )
        });
        let dated = vars().iter().any(|v| {
            matches!(
                v,
                Var::Year | Var::Month | Var::Day | Var::IMonth | Var::IDay | Var::YDay
            )
        });
        if for_every_article && !names_articles && !dated {
            return Err(format!(
                "`{pattern}` must contain `{{slug}}` (or `:title`, `:slug`, `:filename`), or at least a date, so articles get their own URLs"
            ));
        }
        Ok(Self {
            segments,
            trailing_slash: expanded.ends_with('/'),
        })
    }

    /// A pattern taken as is, for tests of what `expand` does with patterns `parse` refuses.
    #[cfg(test)]
    pub(crate) fn unchecked(pattern: &str) -> Self {
        Self {
            segments: pattern
                .split('/')
                .map(|s| parse_segment(s).unwrap_or_else(|_| vec![Part::Text(s.into())]))
                .collect(),
            trailing_slash: pattern.ends_with('/'),
        }
    }

    /// `base` joined with this pattern; empty segments collapse.
    ///
    /// Every substituted value (section, slug, date parts, each category) becomes exactly
    /// one opaque path segment: the WHATWG parser behind `url` reads `\` as `/` and `%2e%2e`
    /// as `..`, so an unencoded value could add segments or climb out of the base path.
    pub(crate) fn expand(&self, base: &Url, values: &PermalinkValues<'_>) -> Result<Url, String> {
        let mut segments = Vec::new();
        for parts in &self.segments {
            // A segment that is only `:categories` becomes one segment per category.
            if let [Part::Var(Var::Categories)] = parts.as_slice() {
                for category in values.categories {
                    push_segment(&mut segments, encode_segment(category))?;
                }
                continue;
            }
            let mut segment = String::new();
            for part in parts {
                match part {
                    Part::Text(text) => segment.push_str(&encode_segment(text)),
                    Part::Var(var) => segment.push_str(&encode_segment(&value(*var, values))),
                }
            }
            push_segment(&mut segments, segment)?;
        }
        let mut path = segments.join("/");
        if self.trailing_slash && !path.is_empty() {
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

/// One segment of the pattern as written: text and `{name}` / `:name` placeholders.
fn parse_segment(segment: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = segment;
    while let Some(c) = rest.chars().next() {
        let var = match c {
            '{' => {
                let end = rest
                    .find('}')
                    .ok_or_else(|| "has an unclosed `{`".to_string())?;
                let name = &rest[1..end];
                let var = BRACED
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| *v)
                    .ok_or_else(|| {
                        format!(
                            "unknown placeholder `{{{name}}}`; use {{section}}, {{year}}, {{month}}, {{day}}, {{slug}}, or Jekyll's and Hugo's :year, :month, :day, :i_month, :i_day, :title, :slug, :categories, :section, :filename"
                        )
                    })?;
                rest = &rest[end + 1..];
                Some(var)
            }
            ':' => {
                let after = &rest[1..];
                let name_len = after
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                    .unwrap_or(after.len());
                if name_len == 0 {
                    None
                } else {
                    let (name, var) = COLON
                        .iter()
                        .filter(|(n, _)| after.starts_with(n))
                        .max_by_key(|(n, _)| n.len())
                        .ok_or_else(|| {
                            format!(
                                "unknown placeholder `:{}`; use :year, :month, :day, :i_month, :i_day, :short_year, :y_day, :hour, :minute, :second, :title, :slug, :slugorfilename, :categories, :section, :filename, :basename, :output_ext",
                                &after[..name_len]
                            )
                        })?;
                    rest = &after[name.len()..];
                    Some(*var)
                }
            }
            _ => None,
        };
        match var {
            Some(var) => {
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Var(var));
            }
            None => {
                text.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

/// The text a placeholder stands for, before encoding.
fn value(var: Var, v: &PermalinkValues<'_>) -> String {
    let d = v.date;
    match var {
        Var::Section => v.section.to_string(),
        Var::Year => format!("{:04}", d.year()),
        Var::Month => format!("{:02}", d.month()),
        Var::Day => format!("{:02}", d.day()),
        Var::IMonth => d.month().to_string(),
        Var::IDay => d.day().to_string(),
        Var::ShortYear => format!("{:02}", d.year().rem_euclid(100)),
        Var::YDay => format!("{:03}", d.ordinal()),
        Var::Hour => format!("{:02}", d.hour()),
        Var::Minute => format!("{:02}", d.minute()),
        Var::Second => format!("{:02}", d.second()),
        Var::Slug => v.slug.to_string(),
        Var::HugoSlug => match v.slug_field {
            Some(slug) => slug.to_string(),
            None => urlize(v.title),
        },
        Var::Filename => v.filename.to_string(),
        Var::SlugOrFilename => v.slug_field.unwrap_or(v.filename).to_string(),
        Var::Categories => v.categories.join("-"),
        Var::OutputExt => ".html".to_string(),
    }
}

/// Adds a segment unless empty; a segment that reads as `.` or `..` is an error.
fn push_segment(segments: &mut Vec<String>, segment: String) -> Result<(), String> {
    if is_dot_segment(&segment) {
        return Err(format!(
            "permalink segment `{segment}` would be read as `.` or `..` (check content.permalink)"
        ));
    }
    if !segment.is_empty() {
        segments.push(segment);
    }
    Ok(())
}

/// A title as Hugo writes it into a path (`urlize`): lower-case, spaces as `-`, letters,
/// digits, `-`, `_` and `.` kept, other punctuation dropped.
pub(crate) fn urlize(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for c in title.trim().chars() {
        if c.is_whitespace() {
            out.push('-');
        } else if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.extend(c.to_lowercase());
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(categories: &'a [String], slug_field: Option<&'a str>) -> PermalinkValues<'a> {
        PermalinkValues {
            section: "posts",
            slug: "first-trip",
            slug_field,
            title: "A Trip: Part 1, Again!",
            filename: "2024-03-07-first-trip",
            categories,
            date: chrono::NaiveDate::from_ymd_opt(2024, 3, 7)
                .unwrap()
                .and_hms_opt(9, 5, 1)
                .unwrap(),
        }
    }

    fn expand(pattern: &str, v: &PermalinkValues<'_>) -> String {
        let base = Url::parse("https://example.com/blog/").unwrap();
        let p = PermalinkPattern::parse(pattern.to_string()).unwrap_or_else(|e| panic!("{e}"));
        p.expand(&base, v).unwrap().to_string()
    }

    #[test]
    fn jekyll_and_hugo_placeholders() {
        let none: Vec<String> = Vec::new();
        let v = values(&none, None);
        let b = "https://example.com/blog";
        assert_eq!(
            expand("/:year/:month/:day/:title/", &v),
            format!("{b}/2024/03/07/first-trip/")
        );
        assert_eq!(
            expand(
                "/:year/:i_month/:i_day/:short_year/:y_day/:hour:minute:second",
                &v
            ),
            format!("{b}/2024/3/7/24/067/090501")
        );
        // Hugo's `:slug` falls back to the title, slugified.
        assert_eq!(
            expand("/:section/:slug/", &v),
            format!("{b}/posts/a-trip-part-1-again/")
        );
        let v = values(&none, Some("own"));
        assert_eq!(expand("/:slug/", &v), format!("{b}/own/"));
        assert_eq!(expand("/:slugorfilename/", &v), format!("{b}/own/"));
        assert_eq!(
            expand("/:filename/", &v),
            format!("{b}/2024-03-07-first-trip/")
        );
        assert_eq!(
            expand("/:basename.html", &v),
            format!("{b}/2024-03-07-first-trip.html")
        );
        // Both spellings mix.
        assert_eq!(
            expand("/{section}/:year/{slug}/", &v),
            format!("{b}/posts/2024/first-trip/")
        );
    }

    #[test]
    fn jekyll_styles_and_categories() {
        let cats = vec!["release".to_string(), "news".to_string()];
        let v = values(&cats, None);
        let b = "https://example.com/blog";
        assert_eq!(
            expand("pretty", &v),
            format!("{b}/release/news/2024/03/07/first-trip/")
        );
        assert_eq!(
            expand("date", &v),
            format!("{b}/release/news/2024/03/07/first-trip.html")
        );
        assert_eq!(
            expand("ordinal", &v),
            format!("{b}/release/news/2024/067/first-trip.html")
        );
        assert_eq!(
            expand("none", &v),
            format!("{b}/release/news/first-trip.html")
        );
        let none: Vec<String> = Vec::new();
        assert_eq!(
            expand("pretty", &values(&none, None)),
            format!("{b}/2024/03/07/first-trip/")
        );
        // A category is one segment, whatever it holds.
        let odd = vec!["a/b".to_string()];
        assert_eq!(
            expand("/:categories/:title/", &values(&odd, None)),
            format!("{b}/a%2Fb/first-trip/")
        );
    }

    #[test]
    fn date_only_patterns_are_accepted() {
        let none: Vec<String> = Vec::new();
        assert_eq!(
            expand("/news/:year/:month/:day/", &values(&none, None)),
            "https://example.com/blog/news/2024/03/07/"
        );
    }

    #[test]
    fn bad_patterns_are_named() {
        for (pattern, needle) in [
            ("/:categories/", "at least a date"),
            ("/blog/", "at least a date"),
            ("/:year/:bogus/", "unknown placeholder `:bogus`"),
            ("/{title}/", "unknown placeholder `{title}`"),
            ("/{slug", "unclosed"),
            ("/../:title/", "`..`"),
        ] {
            let err = PermalinkPattern::parse(pattern.into()).unwrap_err();
            assert!(err.contains(needle), "{pattern}: {err}");
        }
        // A colon not followed by a name is text.
        let none: Vec<String> = Vec::new();
        assert_eq!(
            expand("/a:/{slug}/", &values(&none, None)),
            "https://example.com/blog/a:/first-trip/"
        );
    }

    #[test]
    fn urlize_is_hugos() {
        assert_eq!(urlize("Hello, World!"), "hello-world");
        assert_eq!(urlize("Ruby 3.3 Released"), "ruby-3.3-released");
        assert_eq!(urlize("Café au lait"), "café-au-lait");
    }
}
