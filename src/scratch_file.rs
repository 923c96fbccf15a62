//! Unnamed scratch files on disk and positioned reads and writes in them: where the daemon
//! keeps bytes it must be able to read back but not hold in memory (the last good bodies of
//! articles outside the feeds, `site::kept_bodies`; the group feeds' items,
//! `snapshot::items`). The file has no name, so nothing is left behind, whatever ends the
//! process.

use std::fs::File;
use std::io;

/// A new empty file in the temporary folder that no other process can open: `O_TMPFILE` on
/// Linux; elsewhere a file created under a name no one else uses and unlinked at once.
#[cfg(target_os = "linux")]
pub(crate) fn unnamed_file() -> io::Result<File> {
    use rustix::fs::{open, Mode, OFlags};
    let fd = open(
        std::env::temp_dir(),
        OFlags::TMPFILE | OFlags::EXCL | OFlags::RDWR | OFlags::CLOEXEC,
        Mode::RUSR | Mode::WUSR,
    )?;
    Ok(File::from(fd))
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn unnamed_file() -> io::Result<File> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        ".feedwright-scratch.{}.{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    );
    let path = std::env::temp_dir().join(name);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    // Windows cannot remove an open file; there it stays until the next reboot's cleanup.
    let _ = std::fs::remove_file(&path);
    Ok(file)
}

#[cfg(unix)]
pub(crate) fn write_all_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(unix)]
pub(crate) fn read_exact_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(not(unix))]
pub(crate) fn write_all_at(_file: &File, _bytes: &[u8], _offset: u64) -> io::Result<()> {
    Err(io::Error::other("positioned writes are only used on Unix"))
}

#[cfg(not(unix))]
pub(crate) fn read_exact_at(_file: &File, _bytes: &mut [u8], _offset: u64) -> io::Result<()> {
    Err(io::Error::other("positioned reads are only used on Unix"))
}
