//! Finding and reading article files under the content root: the ignore rules, the symlink
//! rules (followed only to regular files inside the root) and the size cap, checked before
//! anything is read.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

/// One article file found under the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// Relative to the root, `/`-separated: the article's key everywhere.
    pub source: String,
    /// What to open: the file itself or, for a symlink, its resolved target inside the root.
    pub open_path: PathBuf,
}

/// What a directory walk found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub candidates: Vec<Candidate>,
    /// Problems tied to a path (symlink loops, escapes, unreadable folders).
    pub diagnostics: Vec<Diagnostic>,
    /// Folders below the root that could not be read (or listed to the end), as their
    /// diagnostics name them: what they hold is unknown, not gone.
    pub unreadable_folders: Vec<String>,
}

/// Errors that stop a whole scan: the root itself is unusable.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    // `cause`, not `source`: the message says it already, and `{:#}` would repeat it.
    #[error("content directory {path}: {cause}")]
    Root { path: PathBuf, cause: io::Error },
    #[error("content directory {0} is not a directory")]
    NotADirectory(PathBuf),
}

/// True for names the walk never looks at: hidden files and editor droppings (SPEC §1).
pub(crate) fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name.to_ascii_lowercase().ends_with(".tmp")
        || name.to_ascii_lowercase().ends_with(".swp")
}

/// True for file names that hold articles.
pub(crate) fn is_article_name(name: &str) -> bool {
    if is_ignored_name(name) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    // `.markdown` is Jekyll's default (`jekyll new` writes `_posts/…-welcome-to-jekyll.markdown`).
    // `.mdx` (Astro, Docusaurus): read as Markdown when it holds no JSX (`article::mdx`).
    lower.ends_with(".md")
        || lower.ends_with(".markdown")
        || lower.ends_with(".mdx")
        || lower.ends_with(".html")
}

/// True when a relative path (`/`-separated) has an ignored component.
pub(crate) fn is_ignored_path(source: &str) -> bool {
    source.split('/').any(is_ignored_name)
}

/// Walks the root recursively. Results are sorted, so diagnostics are deterministic.
pub(crate) fn scan(root: &Path) -> Result<Scan, ScanError> {
    let meta = fs::metadata(root).map_err(|cause| ScanError::Root {
        path: root.to_path_buf(),
        cause,
    })?;
    if !meta.is_dir() {
        return Err(ScanError::NotADirectory(root.to_path_buf()));
    }
    let canonical_root = fs::canonicalize(root).map_err(|cause| ScanError::Root {
        path: root.to_path_buf(),
        cause,
    })?;
    let mut scan = Scan::default();
    // The root must be readable; a failure below it is a per-folder diagnostic instead.
    fs::read_dir(root).map_err(|cause| ScanError::Root {
        path: root.to_path_buf(),
        cause,
    })?;
    walk(root, &canonical_root, "", &mut scan);
    scan.candidates.sort_by(|a, b| a.source.cmp(&b.source));
    scan.diagnostics.sort();
    Ok(scan)
}

fn walk(dir: &Path, canonical_root: &Path, prefix: &str, scan: &mut Scan) {
    let unreadable = |scan: &mut Scan, e: io::Error| {
        let folder = if prefix.is_empty() {
            "."
        } else {
            prefix.trim_end_matches('/')
        };
        scan.diagnostics.push(Diagnostic::error(
            Path::new(folder),
            1,
            1,
            format!("cannot read folder: {e}"),
        ));
        scan.unreadable_folders.push(folder.to_string());
    };
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return unreadable(scan, e),
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => return unreadable(scan, e),
        };
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            report_undecodable(&entry, prefix, scan);
            continue;
        };
        if is_ignored_name(&name) {
            continue;
        }
        let source = format!("{prefix}{name}");
        let Ok(file_type) = entry.file_type() else {
            continue; // vanished during the walk
        };
        if file_type.is_dir() {
            walk(&entry.path(), canonical_root, &format!("{source}/"), scan);
        } else if file_type.is_file() {
            if is_article_name(&name) {
                scan.candidates.push(Candidate {
                    source,
                    open_path: entry.path(),
                });
            }
        } else if file_type.is_symlink() && is_article_name(&name) {
            match resolve_symlink(&entry.path(), canonical_root) {
                Ok(target) => scan.candidates.push(Candidate {
                    source,
                    open_path: target,
                }),
                Err(message) => {
                    scan.diagnostics
                        .push(Diagnostic::error(Path::new(&source), 1, 1, message))
                }
            }
        }
        // Sockets, FIFOs, devices and symlinked folders are not articles: ignored.
    }
}

/// A name that is not UTF-8 cannot be a source key or a URL segment, so the entry is skipped;
/// a folder or an article-named file is reported (its name shown escaped, see
/// [`crate::diag::shown_path`]) rather than left out without a word.
fn report_undecodable(entry: &fs::DirEntry, prefix: &str, scan: &mut Scan) {
    let raw = entry.file_name();
    let lossy = raw.to_string_lossy();
    if is_ignored_name(&lossy) {
        return;
    }
    let what = match entry.file_type() {
        Ok(t) if t.is_dir() => "folder name is not valid UTF-8; the folder is skipped",
        Ok(_) if is_article_name(&lossy) => "file name is not valid UTF-8; the file is skipped",
        _ => return,
    };
    let path = Path::new(prefix).join(raw);
    scan.diagnostics
        .push(Diagnostic::error(&path, 1, 1, what.to_string()));
}

/// SECURITY: a symlink is followed only to a regular file inside the root; the canonical
/// target is what gets opened, so a link cannot smuggle in an outside file.
pub(crate) fn resolve_symlink(link: &Path, canonical_root: &Path) -> Result<PathBuf, String> {
    let target = fs::canonicalize(link).map_err(|e| {
        if e.raw_os_error() == Some(40) {
            "symlink loop; skipped".to_string()
        } else if e.kind() == io::ErrorKind::NotFound {
            "broken symlink (its target does not exist); skipped".to_string()
        } else {
            format!("cannot resolve symlink: {e}; skipped")
        }
    })?;
    if !target.starts_with(canonical_root) {
        return Err("symlink points outside the content directory; skipped (not read)".into());
    }
    match fs::metadata(&target) {
        Ok(m) if m.is_file() => Ok(target),
        Ok(_) => Err("symlink does not point to a regular file; skipped".into()),
        Err(e) => Err(format!("cannot read symlink target: {e}; skipped")),
    }
}

/// Result of reading one candidate.
#[derive(Debug)]
pub(crate) enum ReadOutcome {
    Bytes(Vec<u8>),
    /// The file vanished between listing and reading (a delete or rename raced us).
    Gone,
    Failed(Diagnostic),
}

/// Reads a candidate with the size cap checked first, then enforced while reading (the file
/// may grow between the check and the read).
pub(crate) fn read_candidate(candidate: &Candidate, max_bytes: u64) -> ReadOutcome {
    let path = Path::new(&candidate.source);
    let fail = |message: String| ReadOutcome::Failed(Diagnostic::error(path, 1, 1, message));
    let file = match fs::File::open(&candidate.open_path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return ReadOutcome::Gone,
        Err(e) => return fail(format!("cannot read file: {e}")),
    };
    let len = match file.metadata() {
        Ok(m) if !m.is_file() => return fail("not a regular file".into()),
        Ok(m) => m.len(),
        Err(e) => return fail(format!("cannot read file: {e}")),
    };
    let too_big = |len: u64| {
        format!("file is {len} bytes, over content.max_file_bytes ({max_bytes}); skipped")
    };
    if len > max_bytes {
        return fail(too_big(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    match file.take(max_bytes + 1).read_to_end(&mut bytes) {
        Ok(n) if n as u64 > max_bytes => fail(too_big(n as u64)),
        Ok(_) => ReadOutcome::Bytes(bytes),
        Err(e) => fail(format!("cannot read file: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discover_ignore_rules() {
        for name in [
            ".git",
            ".a.md.swp",
            "a.md~",
            "#a.md#",
            "a.tmp",
            ".hidden.md",
        ] {
            assert!(is_ignored_name(name), "{name}");
        }
        assert!(is_article_name("a.md"));
        assert!(is_article_name("A.HTML"));
        assert!(!is_article_name("a.txt"));
        assert!(is_article_name("2019-05-03-welcome.markdown"));
        assert!(is_article_name("B.Markdown"));
        assert!(!is_article_name(".a.markdown"));
        assert!(!is_article_name("a.markdown~"));
        assert!(is_article_name("a.mdx"));
        for other in ["a.mkd", "a.htm", "a.markdn"] {
            assert!(!is_article_name(other), "{other}");
        }
        assert!(is_ignored_path("posts/.drafts/a.md"));
    }

    #[test]
    fn discover_walks_recursively_and_applies_rules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("posts/deep")).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::write(root.join("top.md"), "x").unwrap();
        fs::write(root.join("posts/deep/a.md"), "x").unwrap();
        fs::write(root.join("posts/j.markdown"), "x").unwrap();
        fs::write(root.join("posts/note.txt"), "x").unwrap();
        fs::write(root.join(".git/b.md"), "x").unwrap();
        fs::write(root.join("posts/c.md~"), "x").unwrap();
        let scan = scan(root).unwrap();
        let names: Vec<_> = scan.candidates.iter().map(|c| c.source.as_str()).collect();
        assert_eq!(names, vec!["posts/deep/a.md", "posts/j.markdown", "top.md"]);
    }

    #[cfg(unix)]
    #[test]
    fn discover_symlinks_inside_followed_outside_and_loops_reported() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        fs::write(
            outside.path().join("secret.md"),
            "---\ntitle: secret\n---\n",
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("real.md"), "x").unwrap();
        symlink(root.join("real.md"), root.join("alias.md")).unwrap();
        symlink(outside.path().join("secret.md"), root.join("escape.md")).unwrap();
        symlink(root.join("loop2.md"), root.join("loop1.md")).unwrap();
        symlink(root.join("loop1.md"), root.join("loop2.md")).unwrap();
        let scan = scan(root).unwrap();
        let names: Vec<_> = scan.candidates.iter().map(|c| c.source.as_str()).collect();
        assert_eq!(names, vec!["alias.md", "real.md"]);
        let msgs: Vec<String> = scan.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("escape.md:1:1") && m.contains("outside")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("loop1.md:1:1") && m.contains("loop")),
            "{msgs:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn discover_reports_names_that_are_not_utf8() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join(OsStr::from_bytes(b"f\xe9"))).unwrap();
        fs::write(root.join(OsStr::from_bytes(b"f\xe9/in.md")), "x").unwrap();
        fs::write(root.join(OsStr::from_bytes(b"caf\xe9.md")), "x").unwrap();
        fs::write(root.join(OsStr::from_bytes(b"photo\xe9.jpg")), "x").unwrap();
        fs::write(root.join(OsStr::from_bytes(b".hidden\xe9.md")), "x").unwrap();
        fs::write(root.join("ok.md"), "x").unwrap();
        let scan = scan(root).unwrap();
        let names: Vec<_> = scan.candidates.iter().map(|c| c.source.as_str()).collect();
        assert_eq!(names, ["ok.md"]);
        let msgs: Vec<String> = scan.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "caf\\xe9.md:1:1: error: file name is not valid UTF-8; the file is skipped",
                "f\\xe9:1:1: error: folder name is not valid UTF-8; the folder is skipped",
            ]
        );
    }

    #[test]
    fn discover_size_cap_checked_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.md");
        fs::write(&path, vec![b'a'; 2000]).unwrap();
        let c = Candidate {
            source: "big.md".into(),
            open_path: path,
        };
        match read_candidate(&c, 1000) {
            ReadOutcome::Failed(d) => assert!(d.message.contains("max_file_bytes"), "{d}"),
            other => panic!("{other:?}"),
        }
        let gone = Candidate {
            source: "gone.md".into(),
            open_path: dir.path().join("gone.md"),
        };
        assert!(matches!(read_candidate(&gone, 1000), ReadOutcome::Gone));
    }
}
