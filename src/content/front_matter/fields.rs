//! The front matter fields as written ([`RawFrontMatter`]), with the value shapes they
//! accept: a scalar as text, `x` or `[x, y]` ([`OneOrMany`]), an image as text or mapping
//! ([`ImageSpec`]). Validation happens in the article module.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::person::PersonSpec;
use crate::yaml_text::{scalars_as_text, Text};

/// `image:` as written: a URL or path, or a mapping as jekyll-seo-tag writes it
/// (`{path: /img/cover.png, height: 100, width: 100}`; others use `url` or `src`, and `alt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ImageSpec {
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
                // A `String` key, as in a person mapping: `serde_ignored` (`check --strict`)
                // can only follow keys read as strings, not as options.
                while let Some(key) = map.next_key::<String>()? {
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
pub(crate) enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

/// What a [`OneOrMany`] field holds, for its error messages.
pub(crate) trait OneOrManyItem: for<'de> Deserialize<'de> {
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
    pub(crate) fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(x) => vec![x],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Front matter fields as written; validation happens in the article module.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawFrontMatter {
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
    // An episode's fields (SPEC §11), read for articles in `podcast.section` only
    // (`article::episode`); `enclosure` elsewhere gets a warning.
    pub enclosure: Option<serde_yaml::Value>,
    pub duration: Option<Text>,
    pub episode: Option<Text>,
    pub season: Option<Text>,
    pub episode_type: Option<Text>,
    pub explicit: Option<Text>,
    pub transcript: Option<Text>,
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
    // How each generator keeps a post off the site (SPEC §10); `article::visibility` reads them.
    /// Hugo: the post appears at this time (`date` stays the entry's date).
    #[serde(rename = "publishDate")]
    pub publish_date: Option<Text>,
    /// Hugo: the post leaves the site at this time (`unpublishDate` is Hugo's other name).
    #[serde(rename = "expiryDate", alias = "unpublishDate")]
    pub expiry_date: Option<Text>,
    /// Hugo: `build: {render: never, list: never}` (`false` in older sites).
    pub build: Option<BuildOptions>,
    /// Hugo's name for `build` before 0.100.
    #[serde(rename = "_build")]
    pub underscore_build: Option<BuildOptions>,
    /// Hugo: a headless bundle has no page and is in no list.
    pub headless: Option<bool>,
    /// Eleventy: `true`, or the names of the collections the post is left out of.
    #[serde(rename = "eleventyExcludeFromCollections")]
    pub eleventy_exclude: Option<serde_yaml::Value>,
    /// Jekyll: the post's own permalink (a path, placeholders allowed); Eleventy:
    /// `permalink: false` writes no page (a template string is not read).
    pub permalink: Option<serde_yaml::Value>,
    /// Hugo: the page's own path.
    pub url: Option<Text>,
    /// Pelican: `status: draft | hidden | published`.
    pub status: Option<Text>,
    /// A UUID kept from another generator, for `feeds.entry_id: "urn:uuid:{uuid}"`.
    pub uuid: Option<Text>,
    /// Hugo: the site's own fields; only `author`/`authors` are read.
    pub params: Option<Params>,
}

/// Hugo's `build` options as written: `always`, `never`, `local`, `link`, or a boolean.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct BuildOptions {
    #[serde(alias = "Render")]
    pub render: Option<Text>,
    #[serde(alias = "List")]
    pub list: Option<Text>,
}

/// Hugo's `params`: the fields feedwright reads from it, as any value: a site's own params
/// may hold shapes feedwright does not know, which must not reject the post.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Params {
    pub author: Option<serde_yaml::Value>,
    pub authors: Option<serde_yaml::Value>,
}

/// Every top-level key [`RawFrontMatter`] reads, as spelled there: the keys written in
/// another case (`Draft:`, `Title:`, `publishdate:`) are read as these (Hugo's and
/// Pelican's keys are case-insensitive; `front_matter::key_case`).
pub(crate) const KNOWN_KEYS: &[&str] = &[
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
    "lang",
    "link",
    "enclosure",
    "duration",
    "episode",
    "season",
    "episode_type",
    "explicit",
    "transcript",
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
    "publishDate",
    "expiryDate",
    "unpublishDate",
    "build",
    "_build",
    "headless",
    "eleventyExcludeFromCollections",
    "permalink",
    "url",
    "status",
    "uuid",
    "params",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::front_matter::{parse_yaml, split};

    #[test]
    fn front_matter_scalars_read_as_text() {
        let s = split("---\ntitle: 1984\ntags: solo\n---\n").unwrap();
        let fm = parse_yaml(&s).unwrap();
        assert_eq!(fm.title, Some(Text("1984".into())));
        assert_eq!(fm.tags.unwrap().into_vec(), vec![Text("solo".into())]);
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
