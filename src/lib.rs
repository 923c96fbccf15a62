//! feedwright: a small daemon that turns a directory of Markdown articles into RSS 2.0 and
//! Atom 1.0 feeds carrying both a summary and the full content of every published article.
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! content dir ──scan/read──▶ content (parse, pure per file) ──▶ store::Library
//!    ▲                                                      (last good Article per path,
//!    │ watch (notify | poll, debounced; timer for             current diagnostics per path)
//!    │        future-dated articles)                                 │ site::window: the newest
//!    │                                                               │ `feeds.limit`, dropped bodies
//!    │                                                               ▼ read back and rendered
//!    │                                                   feed (RSS, Atom, `/` page; pure)
//!    └───────────── only changed paths ◀──┐                          ▼
//!                                         │          snapshot::Snapshot (every route's bytes,
//! HTTP request ─▶ http (route, 304, encoding) ◀────── gzip + br + ETags), swapped atomically
//! ```
//!
//! `site` runs these stages for `build`, `check` and the daemon, where `daemon` swaps each
//! new snapshot in. Every file is read, parsed and rendered within its time budget
//! (`content::budget`): one slow file is an error, never a stalled load.
//!
//! A request does one atomic load, a route lookup, a header comparison and a write of
//! prebuilt bytes; everything expensive happens once per content change.
#![forbid(unsafe_code)]

pub(crate) mod author_ids;
pub mod cli;
pub mod config;
pub(crate) mod content;
pub mod daemon;
pub(crate) mod diag;
pub(crate) mod entry_id;
pub mod feed;
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub(crate) mod language_tag;
pub mod log;
pub mod malloc_tuning;
pub mod metrics;
pub(crate) mod permalink;
pub(crate) mod person;
pub(crate) mod scratch_file;
pub mod site;
pub mod snapshot;
pub(crate) mod store;
pub(crate) mod watch;
pub(crate) mod websub;
pub(crate) mod xml_chars;
pub(crate) mod yaml_text;
