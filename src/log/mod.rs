//! Logging: where lines go ([`sink`]: batched to stdout for the daemon) and how a text line
//! looks ([`mod@format`]), and the subscriber that ties them to `log.level` and `log.format`.

mod format;
mod sink;

use std::io::IsTerminal;

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use self::format::TextFormat;
use self::sink::StdoutSink;

pub use self::sink::SinkGuard;
use crate::config::{Config, LogFormat};

/// Logs go to stdout for the daemon (containers collect stdout) and to stderr for the
/// one-shot commands, whose stdout is their report. The daemon's lines are written by a
/// background thread ([`sink`]), so a request never waits on a `write` to stdout; the
/// returned guard writes out what is queued when dropped at exit.
pub fn init(config: &Config, to_stdout: bool) -> std::io::Result<Option<SinkGuard>> {
    // `RUST_LOG` wins over `log.level` (validated with the config): `warn`, or per-target
    // levels such as `info,feedwright=debug`.
    let from_config = || {
        config
            .log
            .level
            .parse()
            .unwrap_or_else(|_| Targets::new().with_default(LevelFilter::INFO))
            // The watcher crate's own info lines (its paths, its internal states) mean
            // nothing to an operator; its warnings still show. `RUST_LOG` can ask for them.
            .with_target("notify", LevelFilter::WARN)
            .with_target("notify_debouncer_full", LevelFilter::WARN)
            // The media parser warns about ordinary files (an MP3 without a Xing header
            // "estimated" from its bit rate); `content::media` reports real problems itself.
            .with_target("lofty", LevelFilter::ERROR)
    };
    let (filter, ignored_env) = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => match crate::config::log_filter(&v) {
            Ok(filter) => (filter, None),
            Err(e) => (
                from_config(),
                Some(format!("ignoring RUST_LOG: {e}; using log.level")),
            ),
        },
        _ => (from_config(), None),
    };
    // Colours only for a terminal: log collectors would store the escape codes.
    let ansi = if to_stdout {
        std::io::stdout().is_terminal()
    } else {
        std::io::stderr().is_terminal()
    };
    let guard = if to_stdout {
        let (sink, guard) = StdoutSink::stdout()?;
        install_subscriber(config.log.format, ansi, filter, sink);
        Some(guard)
    } else {
        install_subscriber(config.log.format, ansi, filter, std::io::stderr);
        None
    };
    if let Some(message) = ignored_env {
        tracing::warn!("{message}");
    }
    Ok(guard)
}

/// Installs the global subscriber: `log.format`'s layout, filtered, written to `writer`.
fn install_subscriber<W>(format: LogFormat, ansi: bool, filter: Targets, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    // Not TRACE: `try_init` hands this level to the `log` bridge as `log`'s own maximum, so
    // a `log::debug!` below it (html5ever writes one per token it reads) is skipped where it
    // is written instead of reaching the filter.
    let builder = tracing_subscriber::fmt()
        .with_max_level(most_verbose(&filter))
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Json => builder.json().finish().with(filter).try_init(),
        LogFormat::Text => builder
            .event_format(TextFormat::new(ansi))
            .finish()
            .with(filter)
            .try_init(),
    };
}

/// The most verbose level `filter` lets through for any target.
fn most_verbose(filter: &Targets) -> LevelFilter {
    filter
        .default_level()
        .into_iter()
        .chain(filter.iter().map(|(_, level)| level))
        .max()
        .unwrap_or(LevelFilter::OFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_verbose_is_the_widest_level_of_any_target() {
        let parse = |s: &str| s.parse::<Targets>().map(|t| most_verbose(&t)).ok();
        assert_eq!(parse("info"), Some(LevelFilter::INFO));
        assert_eq!(parse("warn,html5ever=debug"), Some(LevelFilter::DEBUG));
        assert_eq!(parse("trace,notify=warn"), Some(LevelFilter::TRACE));
        assert_eq!(parse("feedwright=error"), Some(LevelFilter::ERROR));
    }
}
