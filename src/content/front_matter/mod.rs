//! Front matter: splitting a file into its YAML block and body ([`block`]), and reading the
//! YAML ([`yaml`]) into the fields as written ([`fields`]), numbers keeping their spelling
//! ([`spelling`]), keys in another case read as their field's ([`key_case`]), with every
//! error located at the file's own line and column.
//!
//! This and the config module are the only places that touch YAML.

mod block;
mod fields;
mod key_case;
mod spelling;
mod yaml;

pub(crate) use block::{key_position, split, Located, Split};
pub(crate) use fields::{BuildOptions, ImageSpec, OneOrMany, Params, RawFrontMatter};
pub(crate) use key_case::canonical_keys;
pub(crate) use spelling::respelled;
pub(crate) use yaml::{parse_yaml, parse_yaml_listing_unknown};
