//! The binary edge: parse the command line, load the configuration, run a subcommand, map
//! the outcome to an exit code (0 ok, 1 failure or content errors in `check`, 2 usage).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use feedwright::app;
use feedwright::cli::{Cli, Command};
use feedwright::config::{Config, LogFormat};

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
/// one-shot commands, whose stdout is their report. The daemon's lines are handed to a
/// background writer thread, so a request never waits on a `write` to stdout; the returned
/// guard flushes what is queued when dropped at exit.
fn init_logging(config: &Config, to_stdout: bool) -> Option<WorkerGuard> {
    let filter = match EnvFilter::try_from_default_env() {
        Ok(filter) => filter,
        // `log.level` was validated with the config.
        Err(_) => EnvFilter::try_new(&config.log.level).unwrap_or_else(|_| EnvFilter::new("info")),
    };
    // Colours only for a terminal: log collectors would store the escape codes.
    let ansi = if to_stdout {
        std::io::stdout().is_terminal()
    } else {
        std::io::stderr().is_terminal()
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi);
    if !to_stdout {
        let _ = match config.log.format {
            LogFormat::Json => builder.json().with_writer(std::io::stderr).try_init(),
            LogFormat::Text => builder.with_writer(std::io::stderr).try_init(),
        };
        return None;
    }
    // Lossy: under extreme overload, dropping access-log lines beats stalling requests.
    // The queue is allocated up front (32 bytes a line): 8,192 lines keep it at 256 KiB
    // instead of the default 128,000 lines' 4 MiB of resident memory.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(8_192)
        .thread_name("feedwright-log")
        .finish(std::io::stdout());
    let _ = match config.log.format {
        LogFormat::Json => builder.json().with_writer(writer).try_init(),
        LogFormat::Text => builder.with_writer(writer).try_init(),
    };
    Some(guard)
}

fn check(config: &Config, strict: bool) -> anyhow::Result<ExitCode> {
    init_logging(config, false);
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
    init_logging(config, false);
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
    let _log_guard = init_logging(&config, true);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("start the async runtime")?;
    runtime.block_on(feedwright::daemon::run(Arc::new(config)))?;
    Ok(ExitCode::SUCCESS)
}
