//! A content file: first line its name (e.g. `posts/2024-03-26-hello.md`), the rest its
//! bytes. Front matter split + YAML, fields, dates, body render, then the three outputs
//! over this one entry: feeds well-formed, no script anywhere in what readers render.
#![no_main]

use feedwright_fuzz::{check_feed, check_html, split_name};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (name, bytes) = split_name(data);
    // `check --strict` reads unknown fields too; take it from the name's length so both
    // paths get inputs without costing a byte of the file.
    let strict = name.len() % 2 == 1;
    if let Some(out) = feedwright::fuzzing::article(&name, bytes, strict) {
        check_html("content_html", &out.content_html);
        check_html("summary_html", &out.summary_html);
        check_html("index.html", &out.index_html);
        check_feed("rss", &out.rss);
        check_feed("atom", &out.atom);
    }
});
