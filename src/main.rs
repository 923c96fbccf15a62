//! The binary edge: parse the command line, load the configuration, run a subcommand, map
//! the outcome to an exit code (0 ok, 1 failure or content errors in `check`, 2 usage).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use feedwright::cli::{Cli, Command};
use feedwright::config::{Config, LogFormat};
use feedwright::log_format::TextFormat;
use feedwright::log_sink::{SinkGuard, StdoutSink};
use feedwright::malloc_tuning::{self, MALLOC_TUNABLES};
use feedwright::site;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let config = match Config::load(&cli.overrides()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("feedwright: invalid configuration: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        None | Some(Command::Serve(_)) => {
            let tuning_failed = malloc_tuning::reexec_with_malloc_tunables();
            serve(config, tuning_failed)
        }
        Some(Command::Build { out }) => build(&config, &out),
        Some(Command::Check { strict }) => check(&config, strict),
        Some(Command::Healthcheck { .. }) => Ok(if feedwright::http::healthcheck(&config) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("feedwright: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stdout for the daemon (containers collect stdout) and to stderr for the
/// one-shot commands, whose stdout is their report. The daemon's lines are written by a
/// background thread (`log_sink`), so a request never waits on a `write` to stdout; the
/// returned guard writes out what is queued when dropped at exit.
fn init_logging(config: &Config, to_stdout: bool) -> anyhow::Result<Option<SinkGuard>> {
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
    };
    let (filter, ignored_env) = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => match feedwright::config::log_filter(&v) {
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
        let (sink, guard) = StdoutSink::stdout().context("start the log writer thread")?;
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
    let builder = tracing_subscriber::fmt()
        .with_max_level(LevelFilter::TRACE)
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

/// `1 file`, `2 files`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn check(config: &Config, strict: bool) -> anyhow::Result<ExitCode> {
    init_logging(config, false)?;
    let report = site::check(config, strict, chrono::Utc::now())?;
    for d in &report.diagnostics {
        println!("{}", site::located(config, d));
    }
    eprintln!(
        "checked {} in {}: {} published, {}, {}",
        count(report.files, "file"),
        config.content.dir.display(),
        report.published,
        count(report.errors(), "error"),
        count(report.warnings(), "warning"),
    );
    let failed = report.errors() > 0 || (strict && report.warnings() > 0);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn build(config: &Config, out: &std::path::Path) -> anyhow::Result<ExitCode> {
    init_logging(config, false)?;
    let report = site::build(config, out, chrono::Utc::now())
        .with_context(|| format!("build into {}", out.display()))?;
    for d in &report.diagnostics {
        eprintln!("{}", site::located(config, d));
    }
    for path in &report.written {
        eprintln!("wrote {}", path.display());
    }
    eprintln!("{} published articles", report.published);
    Ok(ExitCode::SUCCESS)
}

fn serve(config: Config, tuning_failed: Option<std::io::Error>) -> anyhow::Result<ExitCode> {
    let _log_guard = init_logging(&config, true)?;
    if let Some(e) = tuning_failed {
        tracing::warn!("could not restart with GLIBC_TUNABLES={MALLOC_TUNABLES} ({e}); running with glibc's default heap settings, which keep more memory");
    }
    // This thread accepts connections and runs the content loop (whose heavy work goes to
    // the blocking pool); requests are served by the HTTP worker threads (`http::serve`).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("start the async runtime")?;
    runtime.block_on(feedwright::daemon::run(Arc::new(config)))?;
    Ok(ExitCode::SUCCESS)
}
