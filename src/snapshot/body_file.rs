//! Response bodies kept in files for `sendfile(2)`: speed work with a boundary. A
//! [`BodyFile`] holds the same bytes as one representation's body, in an unnamed file on disk
//! or a sealed memfd; the snapshot owns it, the HTTP layer only reads it.

use std::io::Write;

/// Bodies at least this large are also kept in a [`BodyFile`] for `sendfile(2)`, when the
/// file can be on a disk filesystem. Measured with `bench/http.sh` (ext4, loopback, A/B of
/// the same build): the 175 KB feed costs ~25 µs of CPU per response sent from such a file,
/// ~28 µs from a memfd and 34-60 µs copied; its 52 KB gzip form ~13 µs from the file and
/// ~13.5 µs copied.
pub(crate) const BODY_FILE_MIN_BYTES: usize = 32 * 1024;

/// The same when the file can only be shared memory (a memfd, or a temporary directory on
/// tmpfs). The kernel splices those from 4 KiB pages, one lookup each, where a disk
/// filesystem's page cache holds large folios: copying is cheaper up to about here (52 KB
/// and 105 KB bodies: 14 vs 16 µs and 23 vs 27 µs).
pub(crate) const SHMEM_BODY_FILE_MIN_BYTES: usize = 128 * 1024;

/// `statfs.f_type` of tmpfs (`i128`: the field's type differs between architectures).
#[cfg(target_os = "linux")]
const TMPFS_MAGIC: i128 = 0x0102_1994;

/// Where a [`BodyFile`] lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backing {
    /// An unnamed file (`O_TMPFILE | O_EXCL`: it can never be given a name) in the temporary
    /// directory (`$TMPDIR`, else `/tmp`), on a disk filesystem. It vanishes with the
    /// snapshot. Like any file it is written back to disk (~30 s after a reload) and then
    /// served from the page cache, where constant use keeps it; should memory pressure
    /// evict it anyway, a response reads it back from disk, as nginx does with its files.
    DiskTemp,
    /// A sealed anonymous in-memory file (`memfd`): used where the temporary directory is
    /// missing, read-only, not writable, full, on tmpfs, or cannot hold unnamed files (e.g.
    /// overlayfs before Linux 6.6).
    Memfd,
}

/// A file holding the same bytes as one representation's body, so the HTTP layer can pass
/// them to the socket with `sendfile(2)` instead of copying them from user memory on every
/// response, as nginx does with files. Its pages are not mapped into the process, so they
/// do not count in its resident memory. Nothing writes to it after it is made.
#[derive(Debug)]
pub(crate) struct BodyFile {
    file: std::fs::File,
    #[cfg_attr(not(test), allow(dead_code))] // only the tests ask which backing a body got
    backing: Backing,
}

impl BodyFile {
    /// A file holding `bytes`: [`Backing::DiskTemp`] from [`BODY_FILE_MIN_BYTES`] on, else
    /// [`Backing::Memfd`] from [`SHMEM_BODY_FILE_MIN_BYTES`] on. `None` for smaller bodies
    /// and where neither is available (other systems, a seccomp filter): the body is then
    /// written from memory as usual.
    #[cfg(target_os = "linux")]
    pub(crate) fn new(bytes: &[u8]) -> Option<BodyFile> {
        if bytes.len() < BODY_FILE_MIN_BYTES {
            return None;
        }
        if let Some(file) = BodyFile::disk_temp(&std::env::temp_dir(), bytes) {
            return Some(file);
        }
        if bytes.len() < SHMEM_BODY_FILE_MIN_BYTES {
            return None;
        }
        BodyFile::memfd(bytes)
    }

    #[cfg(not(target_os = "linux"))]
    pub(crate) fn new(_bytes: &[u8]) -> Option<BodyFile> {
        None
    }

    /// `bytes` in an unnamed file in `dir`, unless that is tmpfs.
    #[cfg(target_os = "linux")]
    fn disk_temp(dir: &std::path::Path, bytes: &[u8]) -> Option<BodyFile> {
        use rustix::fs::{fstatfs, open, Mode, OFlags};
        let create = || -> std::io::Result<Option<std::fs::File>> {
            let fd = open(
                dir,
                OFlags::TMPFILE | OFlags::EXCL | OFlags::RDWR | OFlags::CLOEXEC,
                Mode::RUSR | Mode::WUSR,
            )?;
            if i128::from(fstatfs(&fd)?.f_type) == TMPFS_MAGIC {
                return Ok(None);
            }
            let mut file = std::fs::File::from(fd);
            file.write_all(bytes)?;
            Ok(Some(file))
        };
        match create() {
            Ok(file) => file.map(|file| BodyFile {
                file,
                backing: Backing::DiskTemp,
            }),
            Err(error) => {
                tracing::debug!(%error, "no unnamed temporary file for a response body");
                None
            }
        }
    }

    /// `bytes` in a sealed memfd.
    #[cfg(target_os = "linux")]
    fn memfd(bytes: &[u8]) -> Option<BodyFile> {
        use rustix::fs::{fcntl_add_seals, memfd_create, MemfdFlags, SealFlags};
        let create = || -> std::io::Result<std::fs::File> {
            let fd = memfd_create(
                "feedwright-body",
                MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
            )?;
            let mut file = std::fs::File::from(fd);
            file.write_all(bytes)?;
            // Nothing may change the bytes after this: they must stay equal to `body`.
            fcntl_add_seals(
                &file,
                SealFlags::WRITE | SealFlags::SHRINK | SealFlags::GROW | SealFlags::SEAL,
            )?;
            Ok(file)
        };
        match create() {
            Ok(file) => Some(BodyFile {
                file,
                backing: Backing::Memfd,
            }),
            Err(error) => {
                tracing::debug!(%error, "no memfd for a response body; it is copied instead");
                None
            }
        }
    }

    pub(crate) fn file(&self) -> &std::fs::File {
        &self.file
    }

    #[cfg(test)]
    pub(crate) fn backing(&self) -> Backing {
        self.backing
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    pub(crate) fn file_bytes(file: &BodyFile) -> Vec<u8> {
        use std::os::unix::fs::FileExt;
        let len = file.file().metadata().expect("stat").len();
        let mut copy = vec![0; usize::try_from(len).expect("size")];
        file.file()
            .read_exact_at(&mut copy, 0)
            .expect("read body file");
        copy
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn body_files_pick_their_backing_by_size_and_hold_the_bytes() {
        let body = |len: usize| -> Vec<u8> { (0..len).map(|i| b"0123456789"[i % 10]).collect() };
        assert!(BodyFile::new(&body(BODY_FILE_MIN_BYTES - 1)).is_none());

        // Disk-backed in a folder of the checkout, when that is on a filesystem known to hold
        // unnamed files (ext4, xfs, btrfs: CI's is).
        let mid = body(BODY_FILE_MIN_BYTES);
        let on_disk = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).expect("temp dir");
        let fs_type = rustix::fs::statfs(on_disk.path()).map(|s| i128::from(s.f_type));
        if matches!(fs_type, Ok(0xEF53 | 0x5846_5342 | 0x9123_683E)) {
            let file = BodyFile::disk_temp(on_disk.path(), &mid).expect("an unnamed file");
            assert_eq!(file.backing(), Backing::DiskTemp);
            assert_eq!(file_bytes(&file), mid);
            // Unnamed: nothing appears in the folder.
            assert_eq!(std::fs::read_dir(on_disk.path()).expect("list").count(), 0);
        } else {
            eprintln!("checkout on filesystem {fs_type:x?}: disk-backed body files not tested");
        }
        // No such folder, or shared memory only (tmpfs): no disk file.
        let missing = on_disk.path().join("missing");
        assert!(BodyFile::disk_temp(&missing, &mid).is_none());
        if let Ok(shm) = tempfile::tempdir_in("/dev/shm") {
            assert!(BodyFile::disk_temp(shm.path(), &mid).is_none(), "tmpfs");
        }
        // What `new` picks depends on the machine's temporary directory; whichever it is,
        // a mid-sized body only ever goes to disk, never to shared memory.
        match BodyFile::new(&mid) {
            Some(file) => assert_eq!(file.backing(), Backing::DiskTemp),
            None => assert!(BodyFile::disk_temp(&std::env::temp_dir(), &mid).is_none()),
        }

        let large = body(SHMEM_BODY_FILE_MIN_BYTES);
        let memfd = BodyFile::memfd(&large).expect("memfd");
        assert_eq!(memfd.backing(), Backing::Memfd);
        assert_eq!(file_bytes(&memfd), large);
        // Sealed: the bytes cannot change under a response being sent.
        assert!(std::io::Write::write_all(&mut memfd.file(), b"x").is_err());
        assert!(memfd.file().set_len(1).is_err());
        assert!(BodyFile::new(&large).is_some());
    }
}
