//! The lead image (`image`, `image_alt`, `image_credit`): made absolute against the
//! permalink.
//!
//! It is written into the content HTML outside the body's sanitizer, so only http(s) URLs
//! may pass (no `javascript:`, `data:`, `file:`); a bad one only loses the image, so the
//! article still publishes.

use url::Url;

use super::build::{text_of, Fields};
use super::LeadImage;
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
