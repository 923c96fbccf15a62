//! Shared by the article tests: the test site's configuration and parse shorthands.

pub(super) use super::model::{Article, ParseOptions, Parsed};
pub(super) use super::parse::parse_article;
pub(super) use crate::config::Config;
pub(super) use crate::diag::Diagnostic;
pub(super) use url::Url;

pub(super) fn config() -> Config {
    let mut c = Config::defaults();
    c.site.base_url = Url::parse("https://example.com/blog/").unwrap();
    c
}

pub(super) fn parse(source: &str, text: &str) -> Parsed {
    parse_article(source, text.as_bytes(), &config(), ParseOptions::default())
}

pub(super) fn ok(source: &str, text: &str) -> Article {
    let p = parse(source, text);
    p.article.unwrap_or_else(|| panic!("{:?}", p.diagnostics))
}

pub(super) fn err(source: &str, text: &[u8]) -> Diagnostic {
    let p = parse_article(source, text, &config(), ParseOptions::default());
    assert!(p.article.is_none(), "expected an error for {source}");
    p.diagnostics.into_iter().find(|d| d.is_error()).unwrap()
}

pub(super) fn assert_link_and_id(a: &Article, link: &str, id: &str) {
    assert_eq!(a.permalink.as_str(), link);
    assert_eq!(a.id, id);
    let segment = a.permalink.path().trim_end_matches('/').rsplit('/').next();
    assert_eq!(id.rsplit_once(':').map(|(_, s)| s), segment);
}
