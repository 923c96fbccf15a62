//! Reading HTML as written, without building a document: the tag scanner the rendering
//! passes use to rewrite a body by byte offsets ([`scan`]), and character references as
//! browsers read them ([`entities`]).

pub(crate) mod entities;
pub(crate) mod scan;
