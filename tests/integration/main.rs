//! Integration tests: the real `feedwright` binary on content trees the tests write into
//! temporary folders, talked to over its command line and over HTTP on 127.0.0.1.
//! One test binary (this file only declares modules) so it links once.

mod support;

mod bad_input;
mod cli;
mod feeds;
mod http;
mod live;
mod podcast;
mod signals;
mod slow_files;
