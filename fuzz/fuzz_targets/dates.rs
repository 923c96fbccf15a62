//! A front matter date: first byte picks the site time zone, the rest is the text.
//! Whatever parses must be a date every feed can carry and print back the same instant.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&zone, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    if let Ok(date) = feedwright::fuzzing::date(text, zone) {
        let printed = date.to_rfc3339();
        let back = chrono::DateTime::parse_from_rfc3339(&printed)
            .unwrap_or_else(|e| panic!("{text:?} → {printed} does not read back: {e}"));
        assert_eq!(back, date, "{text:?} → {printed}");
        let rfc2822 = date.to_rfc2822();
        chrono::DateTime::parse_from_rfc2822(&rfc2822)
            .unwrap_or_else(|e| panic!("{text:?} → RSS date {rfc2822} does not read back: {e}"));
    }
});
