//! Dates as authors write them (SPEC §1): RFC 3339, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]`;
//! anything without an offset is read in the site's time zone.

use chrono::{
    DateTime, Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike,
};
use chrono_tz::Tz;

/// Parses one date or datetime; the error says what was expected.
pub(crate) fn parse_date(text: &str, tz: Tz) -> Result<DateTime<FixedOffset>, String> {
    parse_as_written(text, tz)
        .map(without_leap_second)
        .and_then(|date| in_range(date, text.trim()))
}

/// Feed dates are four-digit years (RFC 822, RFC 3339), in the author's offset and in UTC.
/// `9999-12-31T23:59:59-01:00` is year 10000 in UTC, which no feed can carry.
fn in_range(date: DateTime<FixedOffset>, text: &str) -> Result<DateTime<FixedOffset>, String> {
    let years = 1..=9999;
    if years.contains(&date.year()) && years.contains(&date.naive_utc().year()) {
        Ok(date)
    } else {
        Err(format!(
            "`{text}` is outside the years 0001–9999 that feeds can carry"
        ))
    }
}

/// RFC 3339 allows a leap second (`23:59:60`), which chrono keeps and would print back as
/// `:60`, a time RFC 822 parsers (feedparser among them) reject. It is read as second :59.
fn without_leap_second(date: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    let nanos = date.nanosecond();
    if nanos < 1_000_000_000 {
        return date;
    }
    date.with_nanosecond(0).unwrap_or(date)
}

fn parse_as_written(text: &str, tz: Tz) -> Result<DateTime<FixedOffset>, String> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt);
    }
    // RFC 3339 with a space instead of `T` is common in hand-written front matter.
    if t.len() > 10 && t.as_bytes().get(10) == Some(&b' ') {
        let with_t = format!("{}T{}", &t[..10], &t[11..]);
        if let Ok(dt) = DateTime::parse_from_rfc3339(&with_t) {
            return Ok(dt);
        }
    }
    // Jekyll and Hugo write `2024-03-26 09:30:00 +0100`: an offset after a space, no colon.
    for format in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(t, format) {
            return Ok(dt);
        }
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, format) {
            return in_zone(naive, tz, t);
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return in_zone(day.and_time(NaiveTime::MIN), tz, t);
    }
    Err(explain_bad_date(t))
}

/// Midnight of a calendar day in the site's zone (for dates taken from file names).
pub(crate) fn start_of_day(day: NaiveDate, tz: Tz) -> Result<DateTime<FixedOffset>, String> {
    let text = day.to_string();
    in_zone(day.and_time(NaiveTime::MIN), tz, &text).and_then(|date| in_range(date, &text))
}

/// Reads `YYYY-MM-DD-` at the start of a file stem (or a bundle folder's name: `what` says
/// which, for the message); `Some(Err)` for an impossible date.
pub(crate) fn date_prefix<'a>(
    stem: &'a str,
    what: &str,
) -> Option<(Result<NaiveDate, String>, &'a str)> {
    let bytes = stem.as_bytes();
    let shaped = bytes.len() > 11
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && bytes[10] == b'-';
    if !shaped {
        return None;
    }
    let date = NaiveDate::parse_from_str(&stem[..10], "%Y-%m-%d")
        .map_err(|_| format!("`{}` in the {what} is not a calendar date", &stem[..10]));
    Some((date, &stem[11..]))
}

fn in_zone(naive: NaiveDateTime, tz: Tz, text: &str) -> Result<DateTime<FixedOffset>, String> {
    let local = match tz.from_local_datetime(&naive) {
        LocalResult::Single(dt) => dt.fixed_offset(),
        // A repeated hour (clocks going back): the first occurrence, as most tools do.
        LocalResult::Ambiguous(first, _) => first.fixed_offset(),
        LocalResult::None => {
            return Err(format!(
                "`{text}` does not exist in time zone {tz} (clocks skip that hour); give an offset"
            ))
        }
    };
    // Before standard time a zone's offset is the local mean time (+00:53:28 in Berlin);
    // RFC 3339 and RFC 822 offsets have no seconds, so such instants are written in UTC.
    Ok(if local.offset().local_minus_utc() % 60 == 0 {
        local
    } else {
        local.with_timezone(&chrono::Utc).fixed_offset()
    })
}

fn explain_bad_date(t: &str) -> String {
    // Name impossible calendar dates precisely: `2024-02-30` looks right but is not a day.
    if let Some(day) = t.get(..10) {
        let shaped = day.len() == 10 && day.as_bytes()[4] == b'-' && day.as_bytes()[7] == b'-';
        if shaped && NaiveDate::parse_from_str(day, "%Y-%m-%d").is_err() {
            return format!("`{day}` is not a calendar date");
        }
    }
    format!(
        "`{t}` is not a date; use `2024-03-26`, `2024-03-26 09:30` or RFC 3339 `2024-03-26T09:30:00+03:00`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> String {
        parse_date(text, Tz::UTC).unwrap().to_rfc3339()
    }

    #[test]
    fn leap_second_reads_as_second_59() {
        assert_eq!(utc("2016-12-31T23:59:60Z"), "2016-12-31T23:59:59+00:00");
        assert_eq!(utc("2016-12-31T23:59:60.5Z"), "2016-12-31T23:59:59+00:00");
        assert_eq!(
            utc("2016-12-31T23:59:59.5Z"),
            "2016-12-31T23:59:59.500+00:00"
        );
    }

    #[test]
    fn dates_accept_every_documented_form() {
        assert_eq!(
            utc("2024-03-26T09:30:00+03:00"),
            "2024-03-26T09:30:00+03:00"
        );
        assert_eq!(utc("2024-03-26T09:30:00Z"), "2024-03-26T09:30:00+00:00");
        assert_eq!(
            utc("2024-03-26 09:30:00+03:00"),
            "2024-03-26T09:30:00+03:00"
        );
        assert_eq!(utc("2024-03-26"), "2024-03-26T00:00:00+00:00");
        assert_eq!(utc("2024-03-26 09:30"), "2024-03-26T09:30:00+00:00");
        assert_eq!(utc("2024-03-26 09:30:15"), "2024-03-26T09:30:15+00:00");
        assert_eq!(
            utc("2024-03-26 09:30:00 +0100"),
            "2024-03-26T09:30:00+01:00"
        );
        assert_eq!(utc("2024-03-26 09:30 -05:00"), "2024-03-26T09:30:00-05:00");
        assert_eq!(utc("2024-03-26T09:30:00+0100"), "2024-03-26T09:30:00+01:00");
    }

    #[test]
    fn dates_without_offset_use_site_timezone() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let d = parse_date("2024-07-01 12:00", tz).unwrap();
        assert_eq!(d.to_rfc3339(), "2024-07-01T12:00:00+02:00");
        // Years a feed cannot carry, in the author's offset or in UTC.
        for text in [
            "9999-12-31T23:59:59-01:00",
            "0000-01-01T00:00:00+00:15",
            "0000-06-01",
        ] {
            let e = parse_date(text, Tz::UTC).unwrap_err();
            assert!(e.contains("0001–9999"), "{text}: {e}");
        }
        let day = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
        assert!(start_of_day(day, chrono_tz::Europe::Berlin).is_err());
        assert!(parse_date("9999-12-31T23:59:59+01:00", Tz::UTC).is_ok());
        let lmt = parse_date("1850-01-01", chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(lmt.to_rfc3339(), "1849-12-31T23:06:32+00:00");
        let d = parse_date("2024-01-01", tz).unwrap();
        assert_eq!(d.to_rfc3339(), "2024-01-01T00:00:00+01:00");
    }

    #[test]
    fn dates_impossible_are_named() {
        let err = parse_date("2024-02-30", Tz::UTC).unwrap_err();
        assert!(
            err.contains("2024-02-30") && err.contains("calendar"),
            "{err}"
        );
        let err = parse_date("next tuesday", Tz::UTC).unwrap_err();
        assert!(err.contains("not a date"), "{err}");
    }

    #[test]
    fn dates_in_a_dst_gap_are_rejected() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        assert!(parse_date("2024-03-31 02:30", tz).is_err());
    }

    #[test]
    fn dates_file_name_prefix() {
        let (d, rest) = date_prefix("2024-03-27-terror", "file name").unwrap();
        assert_eq!(d.unwrap().to_string(), "2024-03-27");
        assert_eq!(rest, "terror");
        assert!(date_prefix("hello", "file name").is_none());
        assert!(date_prefix("2024-03-27", "file name").is_none());
        assert!(date_prefix("2024-02-30-x", "file name").unwrap().0.is_err());
    }
}
