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
            let tuning_failed = reexec_with_malloc_tunables();
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

/// glibc's malloc defaults, tuned for the daemon (see [`reexec_with_malloc_tunables`]).
const MALLOC_TUNABLES: &str = "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072";

/// glibc's defaults suit short programs, not a daemon whose heap is mostly one snapshot
/// rebuilt now and then: every thread that allocates gets its own heap ("arena", up to 8
/// per core), and the first large free (compressor tables, a feed body) raises the mmap
/// threshold, after which each heap keeps up to twice that much freed memory. Two arenas
/// and fixed 128 KiB thresholds hold the daemon at ~13.5 MiB instead of ~16.3 after serving
/// 64 connections flat out (1,000 articles). Tunables are read only when a process starts,
/// so `serve` executes itself once more with them (same PID, arguments and environment
/// plus `GLIBC_TUNABLES` and a marker). An operator's own `GLIBC_TUNABLES`, even empty, is
/// left alone. The marker, not `GLIBC_TUNABLES`, stops a second exec: glibc removes the
/// latter from the environment of a binary with file capabilities (`setcap` to bind port 80).
/// Returns the error when the exec failed: the daemon then runs untuned.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn reexec_with_malloc_tunables() -> Option<std::io::Error> {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("GLIBC_TUNABLES").is_some()
        || std::env::var_os(feedwright::config::REEXECUTED_VAR).is_some()
    {
        return None;
    }
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| "feedwright".into());
    // The binary's own path, so the process keeps its name (`comm`, what `ps`, `pgrep` and
    // `top` show), which exec takes from the path: `/proc/self/exe` would make it `exe`.
    let program =
        std::env::current_exe().unwrap_or_else(|_| std::path::PathBuf::from("/proc/self/exe"));
    let error = std::process::Command::new(program)
        .arg0(arg0)
        .args(args)
        .env("GLIBC_TUNABLES", MALLOC_TUNABLES)
        .env(feedwright::config::REEXECUTED_VAR, "1")
        .exec();
    Some(error)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn reexec_with_malloc_tunables() -> Option<std::io::Error> {
    None
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
