//! Integration tests: the real `feedwright` binary on content trees the tests write into
//! temporary folders, talked to over its command line and over HTTP on 127.0.0.1.
//! One test binary (this file only declares modules) so it links once.

mod support;

mod archives;
mod bad_input;
mod cli;
mod connections;
mod daemon_warnings;
mod feeds;
mod groups;
mod http;
mod json_feed;
mod live;
mod migration;
mod podcast;
mod signals;
mod slow_files;
mod websub;
