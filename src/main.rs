//! The binary edge: parse the command line, load the configuration, run a subcommand, map
//! the outcome to an exit code (0 ok, 1 failure or content errors in `check`, 2 usage).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use feedwright::app;
use feedwright::cli::{Cli, Command};
use feedwright::config::{Config, LogFormat};
use feedwright::log_format::TextFormat;
use feedwright::log_sink::{SinkGuard, StdoutSink};

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
        None | Some(Command::Serve(_)) => serve(config),
        Some(Command::Build { out }) => build(&config, &out),
        Some(Command::Check { strict }) => check(&config, strict),
        Some(Command::Healthcheck) => Ok(if feedwright::http::healthcheck(&config) {
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
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| (v.parse::<Targets>(), v));
    let bad_env = match &from_env {
        Some((Err(e), v)) => Some(format!(
            "RUST_LOG={v:?} is not a log filter ({e}); using log.level"
        )),
        _ => None,
    };
    let filter: Targets = from_env
        .and_then(|(parsed, _)| parsed.ok())
        .or_else(|| config.log.level.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    // Colours only for a terminal: log collectors would store the escape codes.
    let ansi = if to_stdout {
        std::io::stdout().is_terminal()
    } else {
        std::io::stderr().is_terminal()
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(LevelFilter::TRACE)
        .with_target(false)
        .with_ansi(ansi);
    if !to_stdout {
        let _ = match config.log.format {
            LogFormat::Json => builder
                .json()
                .with_writer(std::io::stderr)
                .finish()
                .with(filter)
                .try_init(),
            LogFormat::Text => builder
                .event_format(TextFormat::new(ansi))
                .with_writer(std::io::stderr)
                .finish()
                .with(filter)
                .try_init(),
        };
        warn_bad_env(bad_env);
        return Ok(None);
    }
    let (sink, guard) = StdoutSink::stdout().context("start the log writer thread")?;
    let _ = match config.log.format {
        LogFormat::Json => builder
            .json()
            .with_writer(sink)
            .finish()
            .with(filter)
            .try_init(),
        LogFormat::Text => builder
            .event_format(TextFormat::new(ansi))
            .with_writer(sink)
            .finish()
            .with(filter)
            .try_init(),
    };
    warn_bad_env(bad_env);
    Ok(Some(guard))
}

/// Says, once logging is up, that `RUST_LOG` was ignored.
fn warn_bad_env(message: Option<String>) {
    if let Some(message) = message {
        tracing::warn!("{message}");
    }
}

fn check(config: &Config, strict: bool) -> anyhow::Result<ExitCode> {
    init_logging(config, false)?;
    let report = app::check(config, strict, chrono::Utc::now())?;
    for d in &report.diagnostics {
        println!("{}", app::located(config, d));
    }
    eprintln!(
        "checked {} files in {}: {} published, {} errors, {} warnings",
        report.files,
        config.content.dir.display(),
        report.published,
        report.errors(),
        report.warnings()
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
    let report = app::build(config, out, chrono::Utc::now())
        .with_context(|| format!("build into {}", out.display()))?;
    for d in &report.diagnostics {
        eprintln!("{}", app::located(config, d));
    }
    for path in &report.written {
        eprintln!("wrote {}", path.display());
    }
    eprintln!("{} published articles", report.published);
    Ok(ExitCode::SUCCESS)
}

fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let _log_guard = init_logging(&config, true)?;
    // This thread accepts connections and runs the content loop (whose heavy work goes to
    // the blocking pool); requests are served by the HTTP worker threads (`http::serve`).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("start the async runtime")?;
    runtime.block_on(feedwright::daemon::run(Arc::new(config)))?;
    Ok(ExitCode::SUCCESS)
}
