//! One article: from a file's bytes to a validated [`Article`] (pure: no IO here, but for
//! the site's authors data, read once on first use by `content::authors`).
//!
//! [`parse_article`] ([`parse`]) runs the stages in order: control characters out
//! ([`control_chars`]), front matter split and read (`content::front_matter`), then
//! [`build`] turns the fields ([`fields`]) into an article ([`model`]), with its identity
//! ([`identity`]: slug, section, id), plain-text title and summary ([`plain_text`]) and
//! lead image ([`images`]), authors ([`credits`]). What the site showed decides what is
//! published: listing pages and the generators' hiding rules ([`visibility`]), `.mdx` with
//! JSX ([`mdx`]).

mod build;
mod control_chars;
mod credits;
mod episode;
mod fields;
mod identity;
mod images;
mod mdx;
mod model;
mod parse;
mod plain_text;
#[cfg(test)]
mod test_support;
mod visibility;

pub(crate) use episode::format_duration;
pub(crate) use episode::{Enclosure, MediaRef};
pub use model::{Article, Parsed};
pub(crate) use model::{KeptBody, ParseOptions};
pub(crate) use parse::parse_article;
