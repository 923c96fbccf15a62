//! A configuration file's text: read and validated as `--config` does; when valid, the
//! feeds over one fixed article must be well-formed and carry no script.
#![no_main]

use feedwright_fuzz::{check_feed, check_html};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(Some(out)) = feedwright::fuzzing::config(text) {
        check_html("content_html", &out.content_html);
        check_html("index.html", &out.index_html);
        check_feed("rss", &out.rss);
        check_feed("atom", &out.atom);
    }
});
