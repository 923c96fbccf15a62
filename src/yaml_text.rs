//! YAML scalars read as text: [`Text`] (a scalar as written, `3.10` stays `3.10`) and the
//! [`scalars_as_text!`] visitor methods. Front matter and the configuration file read all
//! their strings this way, so `title: 1984` and `name: 1984` are text, not a type error.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

// The lead repoints this to `crate::xml_chars` at merge.
use crate::xml_chars::is_feed_char;

/// The scalar methods of a serde `Visitor` that reads every YAML scalar as text and hands
/// that `String` to `$convert`: front matter and config read all their scalars this way.
/// Through `deserialize_any` a number or boolean arrives as YAML's reading of it (`3.10` as
/// `3.1`); [`Text`] asks for the scalar as written instead, and `front_matter::respelled` finds the
/// spelling where a field cannot.
macro_rules! scalars_as_text {
    ($convert:expr) => {
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            $convert(v.to_string())
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
            $convert(v)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            $convert(v.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            $convert(v.to_string())
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
            $convert(v.to_string())
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
            $convert(v.to_string())
        }
    };
}
pub(crate) use scalars_as_text;

/// A YAML scalar read as text: `title: 1984` is the string "1984", not a type error, but a
/// list or mapping is still rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text(pub String);

impl Text {
    /// `text` as a front matter string, refused if it holds a character no feed may carry.
    pub(crate) fn checked<E: de::Error>(text: String) -> Result<Text, E> {
        feed_text(&text)?;
        Ok(Text(text))
    }
}

// A scalar is read with `deserialize_str`, which hands over its text exactly as written
// (`3.10`, `0x1F`, `1.20`, `True`), where `deserialize_any` gives YAML's reading of it (`3.1`,
// `31`, `1.2`, `true`) and the author's spelling is lost. A null is looked at first: it is
// empty text (a field's own null is `None` before this is reached; a null list item,
// `tags: [a, ~]`, is then dropped like any empty one), never the text "~" or "null".
impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_none<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(String::new()))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Text, D::Error> {
                d.deserialize_str(V)
            }
            // Deserializers other than YAML's (a `StringDeserializer`) answer with a scalar.
            scalars_as_text!(Text::checked);
        }
        d.deserialize_option(V)
    }
}

/// Raw control characters are removed from the file before YAML sees it (with a warning),
/// but an escape such as `"\x01"` or `"\uFFFF"` decodes to one afterwards: refused here, or
/// it would make every feed unparseable XML.
fn feed_text<E: de::Error>(v: &str) -> Result<(), E> {
    match v.chars().find(|&c| !is_feed_char(c)) {
        None => Ok(()),
        Some(c) => Err(E::custom(format_args!(
            "contains U+{:04X}, a character feeds cannot carry (remove the escape)",
            c as u32
        ))),
    }
}
