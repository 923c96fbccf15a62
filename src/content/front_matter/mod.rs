//! Front matter: splitting a file into its YAML block and body ([`block`]), and reading the
//! YAML ([`yaml`]) into the fields as written ([`fields`]), numbers keeping their spelling
//! ([`spelling`]), with every error located at the file's own line and column.
//!
//! This and the config module are the only places that touch YAML.

mod block;
mod fields;
mod spelling;
mod yaml;

pub(crate) use block::{key_position, split, Located, Split};
pub(crate) use fields::{ImageSpec, OneOrMany, RawFrontMatter};
pub(crate) use spelling::respelled;
pub(crate) use yaml::{parse_yaml, parse_yaml_listing_unknown};
