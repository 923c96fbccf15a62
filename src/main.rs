//! The binary edge: parse the command line, load the configuration, run a subcommand, map
//! the outcome to an exit code (0 ok, 1 failure or content errors in `check`, 2 usage).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use feedwright::cli::{Cli, Command};
use feedwright::config::Config;
use feedwright::log;
use feedwright::malloc_tuning::{self, MALLOC_CONF, MALLOC_CONF_VAR};
use feedwright::site;
use feedwright::site::previous_feed::PreviousFeed;

/// jemalloc, which returns freed memory to the system (glibc's malloc keeps what lies below
/// live allocations): see `malloc_tuning` and docs/performance.md.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
            let tuning_failed = malloc_tuning::reexec_with_malloc_conf();
            serve(config, tuning_failed)
        }
        Some(Command::Build { out }) => build(&config, &out),
        Some(Command::Check {
            strict,
            previous_feed,
        }) => check(&config, strict, previous_feed.as_deref()),
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

/// `1 file`, `2 files`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn check(
    config: &Config,
    strict: bool,
    previous_feed: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    log::init(config, false)?;
    let previous = previous_feed.map(PreviousFeed::read).transpose()?;
    let report = site::check::check(config, strict, previous.as_ref(), chrono::Utc::now())?;
    for d in &report.diagnostics {
        println!("{}", site::located(config, d));
    }
    if let Some(comparison) = &report.previous_feed {
        for d in &comparison.on_feed {
            println!("{d}");
        }
        eprintln!(
            "previous feed: {}, {} matched: {} would change id, {} would change link; {} match no published article",
            if comparison.entries == 1 {
                "1 entry".to_string()
            } else {
                format!("{} entries", comparison.entries)
            },
            comparison.matched,
            comparison.ids_changed,
            comparison.links_changed,
            comparison.unmatched,
        );
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
    log::init(config, false)?;
    let report = site::build::build(config, out, chrono::Utc::now())
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
    let _log_guard = log::init(&config, true).context("start the log writer thread")?;
    if let Some(e) = tuning_failed {
        tracing::warn!("could not restart with {MALLOC_CONF_VAR}={MALLOC_CONF} ({e}); running with the allocator's defaults, which keep memory freed after a burst of connections");
    }
    // This thread accepts connections and runs the content loop (whose heavy work goes to
    // the blocking pool); requests are served by the HTTP worker threads (`http::serve`).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("start the async runtime")?;
    let result = runtime.block_on(feedwright::daemon::run(Arc::new(config)));
    // Dropping the runtime would wait for its blocking tasks, among them a content load
    // that can take seconds (a large site) or longer (a file that parses slowly): the
    // daemon has stopped serving, so the exit does not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    result?;
    Ok(ExitCode::SUCCESS)
}
