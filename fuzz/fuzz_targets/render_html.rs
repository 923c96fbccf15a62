//! An article body written in Html: render, sanitize, summary. The first byte sets the
//! automatic summary length (0–255; 0 is read as 1), the rest is the body. Content and
//! summary may carry no script.
#![no_main]

use feedwright_fuzz::check_html;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&length, body)) = data.split_first() else {
        return;
    };
    let body = String::from_utf8_lossy(body);
    let (content, summary) = feedwright::fuzzing::render(&body, true, None, usize::from(length));
    check_html("content_html", &content);
    check_html("summary_html", &summary);
});
