//! Speed work at the process edge: glibc's malloc tunables for the daemon, applied by
//! executing `serve` once more with them (they are read only when a process starts).

#[cfg(all(target_os = "linux", target_env = "gnu"))]
use crate::config::REEXECUTED_VAR;

/// glibc's malloc defaults, tuned for the daemon (see [`reexec_with_malloc_tunables`]).
pub const MALLOC_TUNABLES: &str = "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072";

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
pub fn reexec_with_malloc_tunables() -> Option<std::io::Error> {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("GLIBC_TUNABLES").is_some() || std::env::var_os(REEXECUTED_VAR).is_some() {
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
        .env(REEXECUTED_VAR, "1")
        .exec();
    Some(error)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn reexec_with_malloc_tunables() -> Option<std::io::Error> {
    None
}
