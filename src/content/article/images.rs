//! The lead image (`image`, `image_alt`, `image_credit`): made absolute against the
//! permalink.
//!
//! It is written into the content HTML outside the body's sanitizer, so only http(s) URLs
//! may pass (no `javascript:`, `data:`, `file:`); a bad one only loses the image, so the
//! article still publishes.

use url::Url;

use super::fields::{text_of, Fields};
use super::model::LeadImage;
use crate::content::front_matter::ImageSpec;
use crate::yaml_text::Text;

pub(super) fn lead_image(
    fields: &mut Fields<'_>,
    image: Option<ImageSpec>,
    image_alt: Option<Text>,
    image_credit: Option<Text>,
    permalink: &Url,
) -> Option<LeadImage> {
    let (image_src, map_alt) = match image {
        None => (None, None),
        Some(ImageSpec::Src(src)) => (text_of(Some(src)), None),
        Some(ImageSpec::Map { src: None, .. }) => {
            // Like a bad URL: only the image is lost, not the article.
            fields.warn(
                "image",
                "`image` is a mapping without `path`, `url` or `src`; the image is left out"
                    .to_string(),
            );
            (None, None)
        }
        Some(ImageSpec::Map { src, alt }) => (text_of(src), text_of(alt)),
    };
    let src = image_src?;
    match image_url(permalink, &src) {
        Ok(url) => Some(LeadImage {
            url,
            alt: text_of(image_alt).or(map_alt),
            credit: text_of(image_credit),
        }),
        Err(m) => {
            fields.warn(
                "image",
                format!("`image` `{src}` {m}; the image is left out"),
            );
            None
        }
    }
}

/// A lead image source: an http(s) URL, or a path resolved against the permalink.
fn image_url(permalink: &Url, src: &str) -> Result<Url, String> {
    let url = permalink
        .join(src)
        .map_err(|e| format!("is not a URL or path ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "must be an http(s) URL or a path, not a `{}:` URL",
            url.scheme()
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn article_image_must_be_http_or_a_path() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:image/png;base64,AAAA",
            "file:///etc/passwd",
            "vbscript:x",
        ] {
            let text = format!("---\ntitle: x\ndate: 2024-01-01\nimage: \"{bad}\"\n---\n");
            let p = parse("a.md", &text);
            assert_eq!(p.article.unwrap().image, None, "{bad}");
            let d = &p.diagnostics[0];
            assert!(!d.is_error(), "{d}");
            assert!(d.message.starts_with("`image`"), "{d}");
            assert_eq!(d.line, 4, "{d}");
        }
        let a = ok(
            "a.md",
            "---\ntitle: x\ndate: 2024-01-01\nimage: //cdn.example.net/p.jpg\n---\n",
        );
        assert_eq!(
            a.image.unwrap().url.as_str(),
            "https://cdn.example.net/p.jpg"
        );
    }

    #[test]
    fn article_image_mapping() {
        let fm = |image: &str| format!("---\ntitle: x\ndate: 2024-01-01\n{image}\n---\n");
        let a = ok(
            "posts/a.md",
            &fm("image:\n  path: /img/cover.png\n  height: 100\n  width: 100"),
        );
        let img = a.image.unwrap();
        assert_eq!(img.url.as_str(), "https://example.com/img/cover.png");
        assert_eq!(img.alt, None);
        let a = ok("posts/a.md", &fm("image: {url: pic.jpg, alt: From map}"));
        let img = a.image.unwrap();
        assert_eq!(img.url.as_str(), "https://example.com/blog/posts/a/pic.jpg");
        assert_eq!(img.alt.as_deref(), Some("From map"));
        // `image_alt` wins over the mapping's `alt`.
        let a = ok(
            "a.md",
            &fm("image: {src: p.jpg, alt: Map}\nimage_alt: Field\nimage_credit: C"),
        );
        let img = a.image.unwrap();
        assert_eq!(img.alt.as_deref(), Some("Field"));
        assert_eq!(img.credit.as_deref(), Some("C"));
        // No source: a warning at the key; the article still publishes.
        let p = parse("a.md", &fm("image: {height: 100, alt: x}"));
        assert_eq!(p.article.unwrap().image, None);
        let d = &p.diagnostics[0];
        assert!(!d.is_error(), "{d}");
        assert_eq!(d.line, 4, "{d}");
        assert!(
            d.message.starts_with("`image`") && d.message.contains("`path`"),
            "{d}"
        );
        // The same URL check as for a plain `image`.
        let p = parse("a.md", &fm("image: {url: \"javascript:alert(1)\"}"));
        assert_eq!(p.article.unwrap().image, None);
        assert!(
            p.diagnostics[0].message.contains("http(s)"),
            "{}",
            p.diagnostics[0]
        );
    }
}
