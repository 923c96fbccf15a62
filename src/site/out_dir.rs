//! Writing the outputs of `build --out DIR` all or nothing.
//!
//! Every output is first written into a staging folder beside DIR (`.DIR.feedwright-stage.PID`
//! in DIR's parent, so on the same filesystem) and synced to disk; only then does anything in
//! DIR change. A write error (ENOSPC, a read-only disk, …) therefore leaves DIR untouched and
//! names the file that could not be written. How the staged set is swapped in depends on what
//! DIR holds:
//!
//! - DIR missing, or holding nothing but this build's outputs (the routes' files and the
//!   folders leading to them): the staged folder takes DIR's place in one step, a rename, or
//!   on Linux an exchange of the two folders (`renameat2(RENAME_EXCHANGE)`). A reader sees
//!   the old set or the new one, never a mix.
//! - DIR holding other files too (the user's, never moved or deleted), or a filesystem
//!   without the exchange: the staged files are renamed in one by one. A reader can see a mix
//!   only during those few renames. Each existing output is hard-linked into the staging
//!   folder first, and if a rename fails the ones already done are undone, so a failure still
//!   leaves DIR as it was.
//!
//! Leftovers of a killed run (staging folders of processes no longer running, and the
//! `.NAME.PID.tmp` files of the former one-file-at-a-time scheme) are removed at the next run.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// Why writing DIR failed; DIR is as it was before the run.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {cause} (nothing under {out} was changed)")]
pub struct OutDirError {
    /// The output file concerned, as the user named it (`out/feed.xml`).
    pub path: PathBuf,
    pub out: PathBuf,
    // `cause`, not `source`: the message says it already, and `{:#}` would repeat it.
    pub cause: io::Error,
}

/// One output: its path relative to DIR (plain components only) and its bytes.
pub(crate) struct Output<'a> {
    pub relative: PathBuf,
    pub bytes: &'a [u8],
}

/// Writes `outputs` under `out`, all or nothing (see the module doc).
pub(crate) fn write_all_or_nothing(out: &Path, outputs: &[Output<'_>]) -> Result<(), OutDirError> {
    let fail = |relative: &Path, cause| OutDirError {
        path: out.join(relative),
        out: out.to_path_buf(),
        cause,
    };
    let first = outputs.first().map_or(Path::new(""), |o| &o.relative);
    let target = resolve(out).map_err(|e| fail(first, e))?;
    remove_leftovers(&target, outputs);
    let stage = stage_path(&target, std::process::id()).map_err(|e| fail(first, e))?;
    let result = stage_outputs(&stage, outputs).and_then(|()| swap_in(&stage, &target, outputs));
    // The stage now holds either nothing we need or DIR's previous contents.
    let _ = fs::remove_dir_all(&stage);
    result.map_err(|(relative, cause)| fail(&relative, cause))
}

/// DIR as an absolute path with symlinks resolved (a symlinked DIR keeps being a symlink: its
/// target is swapped), its parent created if missing.
fn resolve(out: &Path) -> io::Result<PathBuf> {
    if let Ok(real) = fs::canonicalize(out) {
        return Ok(real);
    }
    let absolute = std::path::absolute(out)?;
    let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
        return Err(io::Error::other(
            "the output folder has no parent to stage in",
        ));
    };
    fs::create_dir_all(parent)?;
    Ok(fs::canonicalize(parent)?.join(name))
}

fn stage_prefix(target: &Path) -> Option<String> {
    let name = target.file_name()?.to_string_lossy();
    Some(format!(".{name}.feedwright-stage."))
}

fn stage_path(target: &Path, pid: u32) -> io::Result<PathBuf> {
    let (Some(parent), Some(prefix)) = (target.parent(), stage_prefix(target)) else {
        return Err(io::Error::other(
            "the output folder has no parent to stage in",
        ));
    };
    Ok(parent.join(format!("{prefix}{pid}")))
}

/// Removes staging folders of runs that are no longer running, and the temp files the former
/// scheme (`.NAME.PID.tmp` beside each output) left. Best effort: a leftover that cannot be
/// removed does no harm.
fn remove_leftovers(target: &Path, outputs: &[Output<'_>]) {
    if let (Some(parent), Some(prefix)) = (target.parent(), stage_prefix(target)) {
        for entry in fs::read_dir(parent).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
                continue;
            };
            if pid.parse::<u32>().is_ok_and(|pid| !is_running(pid)) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    for output in outputs {
        let path = target.join(&output.relative);
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            continue;
        };
        let prefix = format!(".{}.", name.to_string_lossy());
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let entry_name = entry.file_name();
            let old_temp = entry_name
                .to_str()
                .and_then(|n| n.strip_prefix(&prefix))
                .and_then(|n| n.strip_suffix(".tmp"))
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
            if old_temp {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Whether process `pid` is alive (another build writing the same DIR keeps its stage). Where
/// there is no `/proc` to ask, only this process counts as running.
fn is_running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    Path::new("/proc/self").exists() && Path::new("/proc").join(pid.to_string()).exists()
}

type Failure = (PathBuf, io::Error);

/// Writes every output under `stage` and syncs files and folders to disk.
fn stage_outputs(stage: &Path, outputs: &[Output<'_>]) -> Result<(), Failure> {
    let first = outputs
        .first()
        .map_or(PathBuf::new(), |o| o.relative.clone());
    fs::create_dir(stage).map_err(|e| (first.clone(), e))?;
    let mut folders = BTreeSet::from([stage.to_path_buf()]);
    for output in outputs {
        let path = stage.join(&output.relative);
        let mut write = || -> io::Result<()> {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
                folders.extend(
                    dir.ancestors()
                        .take_while(|d| d.starts_with(stage))
                        .map(Path::to_path_buf),
                );
            }
            let mut file = fs::File::create(&path)?;
            file.write_all(output.bytes)?;
            file.sync_all()
        };
        write().map_err(|e| (output.relative.clone(), e))?;
    }
    for folder in folders.iter().rev() {
        sync_folder(folder).map_err(|e| (first.clone(), e))?;
    }
    Ok(())
}

fn sync_folder(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Moves the staged set into `target`: one step when DIR is missing or wholly ours, else one
/// rename per file with an undo on failure.
fn swap_in(stage: &Path, target: &Path, outputs: &[Output<'_>]) -> Result<(), Failure> {
    let first = outputs
        .first()
        .map_or(PathBuf::new(), |o| o.relative.clone());
    let parent = target.parent().unwrap_or(Path::new("/"));
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::rename(stage, target).map_err(|e| (first.clone(), e))?;
            return sync_folder(parent).map_err(|e| (first, e));
        }
        Err(e) => return Err((first, e)),
        Ok(meta) if !meta.is_dir() => {
            let e = io::Error::new(io::ErrorKind::NotADirectory, "the output folder is a file");
            return Err((first, e));
        }
        Ok(meta) => {
            if holds_only(target, outputs) && exchange(stage, target, meta.permissions()) {
                return sync_folder(parent).map_err(|e| (first, e));
            }
        }
    }
    let moves: Vec<(PathBuf, PathBuf)> = outputs
        .iter()
        .map(|o| o.relative.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|relative| (stage.join(&relative), relative))
        .collect();
    rename_each(stage, target, &moves)
}

/// Whether everything under `target` is one of the outputs or a folder leading to one.
fn holds_only(target: &Path, outputs: &[Output<'_>]) -> bool {
    let files: BTreeSet<PathBuf> = outputs.iter().map(|o| target.join(&o.relative)).collect();
    let folders: BTreeSet<&Path> = files
        .iter()
        .flat_map(|f| f.ancestors().skip(1).take_while(|d| d.starts_with(target)))
        .collect();
    let mut pending = vec![target.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            return false;
        };
        for entry in entries {
            let Ok(entry) = entry else { return false };
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_file() && files.contains(&path) => {}
                Ok(t) if t.is_dir() && folders.contains(path.as_path()) => pending.push(path),
                _ => return false,
            }
        }
    }
    true
}

/// Swaps the two folders in one step, keeping DIR's permissions; false where the system or
/// filesystem cannot (the caller falls back to renaming file by file).
#[cfg(target_os = "linux")]
fn exchange(stage: &Path, target: &Path, permissions: fs::Permissions) -> bool {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    if fs::set_permissions(stage, permissions).is_err() {
        return false;
    }
    renameat_with(CWD, stage, CWD, target, RenameFlags::EXCHANGE).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn exchange(_stage: &Path, _target: &Path, _permissions: fs::Permissions) -> bool {
    false
}

/// Renames each staged file (`moves`: staged path, path relative to DIR) over its target.
/// Existing targets are hard-linked into the stage first so that a failed rename can put every
/// earlier one back; folders created for the outputs are removed again on failure.
fn rename_each(stage: &Path, target: &Path, moves: &[(PathBuf, PathBuf)]) -> Result<(), Failure> {
    let previous = stage.join(".previous");
    let mut backups = Vec::with_capacity(moves.len());
    for (i, (_, relative)) in moves.iter().enumerate() {
        let fail = |e| (relative.clone(), e);
        let destination = target.join(relative);
        match fs::symlink_metadata(&destination) {
            Ok(meta) if meta.is_dir() => {
                let e = io::Error::new(io::ErrorKind::IsADirectory, "a folder is in the way");
                return Err(fail(e));
            }
            Ok(_) => {
                fs::create_dir_all(&previous).map_err(fail)?;
                let backup = previous.join(i.to_string());
                fs::hard_link(&destination, &backup).map_err(fail)?;
                backups.push(Some(backup));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => backups.push(None),
            Err(e) => return Err(fail(e)),
        }
    }
    let mut created_folders = Vec::new();
    let mut touched_folders = BTreeSet::new();
    for (done, (staged, relative)) in moves.iter().enumerate() {
        let destination = target.join(relative);
        let moved = (|| {
            if let Some(dir) = destination.parent() {
                create_folders(dir, &mut created_folders)?;
                touched_folders.insert(dir.to_path_buf());
            }
            fs::rename(staged, &destination)
        })();
        if let Err(e) = moved {
            undo(target, &moves[..done], &backups, &created_folders);
            return Err((relative.clone(), e));
        }
    }
    for folder in &touched_folders {
        let _ = sync_folder(folder);
    }
    Ok(())
}

/// `fs::create_dir_all` that records the folders it made, outermost first.
fn create_folders(dir: &Path, created: &mut Vec<PathBuf>) -> io::Result<()> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    for folder in missing.into_iter().rev() {
        fs::create_dir(folder)?;
        created.push(folder.to_path_buf());
    }
    Ok(())
}

/// Puts back what the first renames replaced (best effort: each step is a rename or removal of
/// something this run made).
fn undo(
    target: &Path,
    done: &[(PathBuf, PathBuf)],
    backups: &[Option<PathBuf>],
    created: &[PathBuf],
) {
    for ((_, relative), backup) in done.iter().zip(backups).rev() {
        let destination = target.join(relative);
        let _ = match backup {
            Some(backup) => fs::rename(backup, &destination),
            None => fs::remove_file(&destination),
        };
    }
    for folder in created.iter().rev() {
        let _ = fs::remove_dir(folder);
    }
}

/// The relative path of a route's file under DIR, refusing anything but plain names.
pub(crate) fn relative_path(file: &Path, out: &Path) -> Option<PathBuf> {
    let relative = file.strip_prefix(out).ok()?;
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| relative.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs<'a>(files: &[(&str, &'a str)]) -> Vec<Output<'a>> {
        files
            .iter()
            .map(|(p, b)| Output {
                relative: PathBuf::from(p),
                bytes: b.as_bytes(),
            })
            .collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_a_new_folder_then_replaces_it_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_all_or_nothing(&out, &outputs(&[("a.xml", "1"), ("n/index.html", "1")])).unwrap();
        write_all_or_nothing(&out, &outputs(&[("a.xml", "2"), ("n/index.html", "2")])).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.xml")).unwrap(), "2");
        assert_eq!(fs::read_to_string(out.join("n/index.html")).unwrap(), "2");
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn keeps_the_users_files() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("robots.txt"), "mine").unwrap();
        fs::write(out.join("a.xml"), "old").unwrap();
        write_all_or_nothing(&out, &outputs(&[("a.xml", "new"), ("b.xml", "new")])).unwrap();
        assert_eq!(names(&out), ["a.xml", "b.xml", "robots.txt"]);
        assert_eq!(fs::read_to_string(out.join("robots.txt")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(out.join("a.xml")).unwrap(), "new");
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn a_failed_rename_puts_back_the_ones_done() {
        let tmp = tempfile::tempdir().unwrap();
        let (stage, out) = (tmp.path().join("stage"), tmp.path().join("out"));
        fs::create_dir_all(&stage).unwrap();
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("a.xml"), "old a").unwrap();
        fs::write(stage.join("a.xml"), "new a").unwrap();
        fs::write(stage.join("c.xml"), "new c").unwrap();
        // The last staged file is missing, so its rename fails after the first two are done.
        let moves: Vec<(PathBuf, PathBuf)> = [
            ("a.xml", "a.xml"),
            ("c.xml", "new/c.xml"),
            ("b.xml", "b.xml"),
        ]
        .iter()
        .map(|(staged, relative)| (stage.join(staged), PathBuf::from(relative)))
        .collect();
        let (failed, _) = rename_each(&stage, &out, &moves).unwrap_err();
        assert_eq!(failed, PathBuf::from("b.xml"));
        assert_eq!(names(&out), ["a.xml"]);
        assert_eq!(fs::read_to_string(out.join("a.xml")).unwrap(), "old a");
    }

    #[test]
    fn removes_stages_of_dead_runs_and_old_temp_files() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        fs::create_dir_all(&out).unwrap();
        let target = resolve(&out).unwrap();
        // No process has pid 4,000,000,000 (Linux caps pids at 2^22).
        let dead = stage_path(&target, 4_000_000_000).unwrap();
        fs::create_dir_all(dead.join("sub")).unwrap();
        fs::write(out.join(".a.xml.123.tmp"), "x").unwrap();
        fs::write(out.join(".a.xml.notes"), "mine").unwrap();
        write_all_or_nothing(&out, &outputs(&[("a.xml", "1")])).unwrap();
        assert!(!dead.exists());
        assert_eq!(names(&out), [".a.xml.notes", "a.xml"]);
    }
}
