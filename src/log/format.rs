//! The text log line: `2026-01-31T12:00:00.123456Z  INFO message key=value …`, the layout of
//! `tracing-subscriber`'s default format, written with less work per line.
//!
//! The access log writes one line per request, so its formatting is on the request path:
//! the default formatter's per-line calendar arithmetic, ANSI style wrappers (even with
//! colours off) and generic formatting cost about 5 % of the CPU of a 304 answer. Here the
//! date and time are formatted once per second per thread, and numbers and fields are
//! appended directly.
//!
//! Control characters in messages and values are escaped (`\u{1b}`), so a file name or a
//! request header cannot forge log lines or terminal escapes; string values are quoted as
//! the default format does.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The event formatter for `log.format: text`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextFormat {
    ansi: bool,
}

impl TextFormat {
    /// `ansi`: colour the level (for a terminal).
    pub(crate) fn new(ansi: bool) -> TextFormat {
        TextFormat { ansi }
    }
}

impl<S, N> FormatEvent<S, N> for TextFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        // The line is built in a `String` of this thread's and handed over with one call:
        // `writer` is a `dyn fmt::Write`, and writing the ~30 pieces of an access line
        // through it one by one cost ~50 of the ~310 ns of formatting it. Should a line be
        // formatted while another is (tracing drops events logged from inside a dispatch,
        // but that is its choice), it gets a fresh buffer instead of a panic.
        LINE.with(|cell| {
            let mut fresh = Line::default();
            let mut kept = cell.try_borrow_mut();
            let line = match &mut kept {
                Ok(kept) => &mut **kept,
                Err(_) => &mut fresh,
            };
            self.format_line(ctx, event, line);
            let written = writer.write_str(&line.text);
            // A rare long line (a long error message) is not kept for the thread's life.
            if line.text.capacity() > MAX_KEPT_LINE {
                line.text = String::new();
            }
            written
        })
    }
}

impl TextFormat {
    fn format_line<S, N>(&self, ctx: &FmtContext<'_, S, N>, event: &Event<'_>, line: &mut Line)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        N: for<'a> FormatFields<'a> + 'static,
    {
        line.text.clear();
        line.write_timestamp(SystemTime::now());
        let out = &mut line.text;
        let level = *event.metadata().level();
        let (name, colour) = match level {
            Level::TRACE => ("TRACE", "\x1b[35m"),
            Level::DEBUG => ("DEBUG", "\x1b[34m"),
            Level::INFO => (" INFO", "\x1b[32m"),
            Level::WARN => (" WARN", "\x1b[33m"),
            Level::ERROR => ("ERROR", "\x1b[31m"),
        };
        if self.ansi {
            out.push_str(colour);
            out.push_str(name);
            out.push_str("\x1b[0m ");
        } else {
            out.push_str(name);
            out.push(' ');
        }
        // Span context, as the default format shows it (feedwright itself opens no spans;
        // dependencies do at debug and trace level).
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                out.push_str(span.name());
                out.push_str(": ");
            }
        }
        event.record(&mut Fields { out, first: true });
        out.push('\n');
    }
}

/// A thread's line buffer and the date and time of the last second it formatted.
struct Line {
    text: String,
    /// Unix seconds of `second_text`.
    second: u64,
    /// `YYYY-MM-DDTHH:MM:SS`.
    second_text: String,
}

impl Default for Line {
    fn default() -> Line {
        Line {
            text: String::new(),
            second: u64::MAX,
            second_text: String::new(),
        }
    }
}

/// A line buffer grown beyond this is freed after use.
const MAX_KEPT_LINE: usize = 16 * 1024;

thread_local! {
    static LINE: RefCell<Line> = RefCell::new(Line::default());
}

impl Line {
    /// Appends `2026-01-31T12:00:00.123456Z `: RFC 3339 in UTC with microseconds, like the
    /// default format; the calendar part is formatted once a second.
    fn write_timestamp(&mut self, now: SystemTime) {
        let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        let seconds = since_epoch.as_secs();
        if self.second != seconds {
            self.second_text.clear();
            let time = i64::try_from(seconds)
                .ok()
                .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
                .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
            // Writing to a `String` cannot fail.
            let _ = write!(self.second_text, "{}", time.format("%Y-%m-%dT%H:%M:%S"));
            self.second = seconds;
        }
        self.text.push_str(&self.second_text);
        let mut micros = since_epoch.subsec_micros();
        let mut digits = *b".000000Z ";
        for slot in digits[1..7].iter_mut().rev() {
            // `micros % 10` is a single digit.
            *slot = b'0' + (micros % 10) as u8;
            micros /= 10;
        }
        // The array is ASCII by construction.
        self.text
            .push_str(std::str::from_utf8(&digits).unwrap_or(".000000Z "));
    }
}

/// Writes an event's fields: the message bare, the rest as ` key=value`.
struct Fields<'a> {
    out: &'a mut String,
    first: bool,
}

impl Fields<'_> {
    /// Starts a field: the separator and, except for the message, `key=`.
    fn key(&mut self, field: &Field) -> &mut String {
        if !std::mem::take(&mut self.first) {
            self.out.push(' ');
        }
        if field.name() != "message" {
            self.out.push_str(field.name());
            self.out.push('=');
        }
        self.out
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        let message = field.name() == "message";
        let out = self.key(field);
        if message {
            push_escaped(out, value);
        } else {
            push_quoted(out, value);
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.key(field).push_str(itoa::Buffer::new().format(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.key(field).push_str(itoa::Buffer::new().format(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.key(field)
            .push_str(if value { "true" } else { "false" });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // Writing to a `String` cannot fail.
        let _ = write!(Escaped(self.key(field)), "{value:?}");
    }
}

/// Appends `value` quoted as `{value:?}` writes it: quotes, backslashes and control
/// characters escaped. Printable ASCII without `"` or `\` (user agents, paths) is copied
/// as is, which is what Debug would write, without its character-by-character formatting.
fn push_quoted(out: &mut String, value: &str) {
    if value
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push('"');
        out.push_str(value);
        out.push('"');
    } else {
        let _ = write!(out, "{value:?}");
    }
}

/// Appends `value` with its control characters (`\n`, ESC, …) escaped.
fn push_escaped(out: &mut String, value: &str) {
    let _ = Escaped(out).write_str(value);
}

/// Escapes control characters (`\n`, ESC, …) of what is written through it.
struct Escaped<'a>(&'a mut String);

impl fmt::Write for Escaped<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // 0xC2 leads the UTF-8 of U+0080..U+00BF, where the C1 controls (U+0080..U+009F,
        // e.g. the single-character CSI) are.
        if !s.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
            self.0.push_str(s);
            return Ok(());
        }
        for c in s.chars() {
            if c.is_control() {
                write!(self.0, "{}", c.escape_default())?;
            } else {
                self.0.push(c);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::sink::tests::Captured;
    use std::time::Duration;

    fn capture(ansi: bool, log: impl FnOnce()) -> String {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(Level::TRACE)
            .with_ansi(ansi)
            .event_format(TextFormat::new(ansi))
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, log);
        out.text()
    }

    #[test]
    fn lines_look_like_the_default_format() {
        let text = capture(false, || {
            tracing::info!(files = 8u64, published = 6i64, ok = true, "content loaded");
            tracing::warn!(target: "access", method = %"GET", path = "/feed.xml", status = 200u16, user_agent = "curl/8 \"x\"");
        });
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        let (stamp, rest) = lines[0].split_at(27);
        assert!(
            stamp.len() == 27 && stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T',
            "{stamp}"
        );
        assert!(DateTime::parse_from_rfc3339(stamp).is_ok(), "{stamp}");
        assert_eq!(rest, "  INFO content loaded files=8 published=6 ok=true");
        assert_eq!(
            &lines[1][27..],
            r#"  WARN method=GET path="/feed.xml" status=200 user_agent="curl/8 \"x\"""#
        );
    }

    #[test]
    fn control_characters_cannot_forge_lines_or_escapes() {
        let text = capture(false, || {
            let name = "evil\n2026-01-01T00:00:00.000000Z ERROR forged\x1b[31m\u{9b}31m";
            tracing::warn!("{name}");
            tracing::warn!(error = %name, value = name);
        });
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains('\x1b') && !text.contains('\u{9b}'), "{text}");
        assert!(text.contains(r"evil\n2026"), "{text}");
    }

    #[test]
    fn quoted_values_are_written_as_debug_writes_them() {
        for value in [
            "",
            "curl/8.5.0",
            "Mozilla/5.0 (X11; Linux x86_64) Feedly/1.0 (+http://www.feedly.com/fetcher.html)",
            "say \"hi\"",
            r"back\slash",
            "tab\there",
            "del\x7f",
            "caf\u{e9} \u{9b}31m \u{200b}",
            "~ !#$%&'()*+,-./:;<=>?@[]^_`{|}",
        ] {
            let mut quoted = String::new();
            push_quoted(&mut quoted, value);
            assert_eq!(quoted, format!("{value:?}"), "{value}");
        }
    }

    #[test]
    fn a_value_that_logs_while_formatted_breaks_no_line() {
        struct Chatty;
        impl fmt::Debug for Chatty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                tracing::info!(inner = 1u64, "from inside");
                f.write_str("chatty")
            }
        }
        let text = capture(false, || {
            tracing::info!(value = ?Chatty, "outer");
            tracing::info!("after");
        });
        // tracing drops an event dispatched from inside another's; if it ever delivers it,
        // it must come out as a line of its own.
        let rests: Vec<&str> = text
            .lines()
            .map(|line| &line[27..])
            .filter(|rest| *rest != "  INFO from inside inner=1")
            .collect();
        assert_eq!(
            rests,
            ["  INFO outer value=chatty", "  INFO after"],
            "{text}"
        );
    }

    #[test]
    fn ansi_colours_only_the_level() {
        let text = capture(true, || tracing::error!("boom"));
        assert!(text.contains("\x1b[31mERROR\x1b[0m boom"), "{text:?}");
    }

    #[test]
    fn timestamps_are_rfc3339_with_microseconds() {
        let mut line = Line::default();
        let mut at = |secs: u64, micros: u32| {
            line.text.clear();
            line.write_timestamp(
                UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros.into()),
            );
            line.text.clone()
        };
        assert_eq!(at(0, 5), "1970-01-01T00:00:00.000005Z ");
        assert_eq!(at(1_767_225_599, 999_999), "2025-12-31T23:59:59.999999Z ");
        // The per-second cache moves on with the clock.
        assert_eq!(at(1_767_225_600, 0), "2026-01-01T00:00:00.000000Z ");
    }
}
