//! Memory work at the process edge: the daemon's heap settings. On Linux the binary's
//! allocator is jemalloc (`src/main.rs`); `serve` executes itself once more with its
//! settings, which jemalloc reads only when the process starts.

#[cfg(target_os = "linux")]
use crate::config::REEXECUTED_VAR;

/// jemalloc's configuration variable (the crate prefixes jemalloc's symbols with `_rjem_`,
/// and so its variable).
pub const MALLOC_CONF_VAR: &str = "_RJEM_MALLOC_CONF";

/// jemalloc's settings for the daemon (see [`reexec_with_malloc_conf`]).
pub const MALLOC_CONF: &str =
    "background_thread:true,max_background_threads:1,narenas:2,dirty_decay_ms:0";

/// The daemon's heap is mostly one snapshot rebuilt now and then, plus bursts: thousands of
/// connections that come and go, a reload's temporaries. Pages a burst frees go back to
/// the system at once (`dirty_decay_ms:0`; jemalloc's default keeps them 10 s, which lets
/// a first load of a large site peak higher than the group-feed memory bound), and a
/// background thread (one; jemalloc would start one per core) purges whatever is left
/// even while the daemon is quiet. Two arenas, as glibc had, keep a reload on all cores
/// from spreading the heap over one arena per thread.
/// Settings are read only when a process starts, so `serve` executes itself once more with
/// them (same PID, arguments and environment plus the variable and a marker). An operator's
/// own `_RJEM_MALLOC_CONF`, even empty, is left alone. The marker stops a second exec even
/// where the variable is dropped. Returns the error when the exec failed: the daemon then
/// runs with jemalloc's defaults.
#[cfg(target_os = "linux")]
pub fn reexec_with_malloc_conf() -> Option<std::io::Error> {
    use std::os::unix::process::CommandExt;
    if std::env::var_os(MALLOC_CONF_VAR).is_some() || std::env::var_os(REEXECUTED_VAR).is_some() {
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
        .env(MALLOC_CONF_VAR, MALLOC_CONF)
        .env(REEXECUTED_VAR, "1")
        .exec();
    Some(error)
}

/// Other systems keep their own allocator, untuned.
#[cfg(not(target_os = "linux"))]
pub fn reexec_with_malloc_conf() -> Option<std::io::Error> {
    None
}
