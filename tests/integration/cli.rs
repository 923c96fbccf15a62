//! The command line as users meet it: help, version, usage errors, config errors, `build`
//! output files and `check` exit codes.

use crate::support::*;

#[test]
fn cli_help_and_version_exit_zero() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for word in [
        "serve",
        "build",
        "check",
        "--config",
        "--content",
        "--base-url",
    ] {
        assert!(help.contains(word), "help lacks {word}: {help}");
    }
    let out = run(&["--version"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("feedwright "));
}

#[test]
fn cli_usage_errors_exit_two() {
    for args in [
        &["--bogus"][..],
        &["build"][..],
        &["frobnicate"][..],
        &["check", "--listen", "x"][..],
    ] {
        let out = run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn cli_invalid_config_names_the_key_and_exits_nonzero() {
    let tree = Tree::new();
    let config = tree.tmp.path().join("bad.yaml");
    std::fs::write(&config, "feeds:\n  limit: lots\n").unwrap();
    let out = tree.run(&["--config", config.to_str().unwrap(), "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("feeds.limit"),
        "{}",
        text(&out.stderr)
    );

    let out = std::process::Command::new(bin())
        .args(["--content", tree.content().to_str().unwrap(), "check"])
        .env("FEEDWRIGHT_SITE_TIMEZONE", "Nowhere/Special")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("site.timezone"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn cli_environment_and_flags_override_the_file() {
    let tree = Tree::new();
    tree.write("a.md", &article("A", "2024-01-01", "Body."));
    let config = tree.tmp.path().join("c.yaml");
    std::fs::write(
        &config,
        "site:\n  title: File title\n  base_url: https://file.example/\n",
    )
    .unwrap();
    let out_dir = tree.out();
    let out = std::process::Command::new(bin())
        .args([
            "--config",
            config.to_str().unwrap(),
            "--content",
            tree.content().to_str().unwrap(),
        ])
        .args(["build", "--out", out_dir.to_str().unwrap()])
        .env("FEEDWRIGHT_SITE_TITLE", "Env title")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rss = tree.read_out("feed.xml");
    assert!(rss.contains("<title>Env title</title>"), "{rss}");
    assert!(
        rss.contains("https://file.example/a/") || rss.contains("https://file.example/a"),
        "{rss}"
    );

    let out = std::process::Command::new(bin())
        .args([
            "--config",
            config.to_str().unwrap(),
            "--content",
            tree.content().to_str().unwrap(),
        ])
        .args([
            "--base-url",
            "https://flag.example/",
            "build",
            "--out",
            out_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(tree
        .read_out("atom.xml")
        .contains("https://flag.example/a/"));
}

#[test]
fn cli_build_writes_every_route_and_no_temp_files() {
    let tree = Tree::new();
    tree.write("posts/a.md", &article("A", "2024-01-01", "Body."));
    tree.build();
    let mut names: Vec<String> = std::fs::read_dir(tree.out())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "atom.xml",
            "authors",
            "feed.json",
            "feed.xml",
            "index.html",
            "rss.xml",
            "sections",
            "tags"
        ]
    );
    // The alias is the same document, but for the self link naming where it is served.
    let (feed, alias) = (tree.read_out("feed.xml"), tree.read_out("rss.xml"));
    assert!(alias.contains("/rss.xml\" rel=\"self\""), "{alias}");
    assert_eq!(feed.replace("/feed.xml\" rel=", "/rss.xml\" rel="), alias);
    let index = tree.read_out("index.html");
    assert!(
        index.contains("rel=\"alternate\" type=\"application/rss+xml\""),
        "{index}"
    );
}

#[test]
fn cli_check_exit_codes_and_strict_unknown_fields() {
    let tree = Tree::new();
    tree.write(
        "a.md",
        "---\ntitle: A\ndate: 2024-01-01\ncolour: blue\n---\nBody\n",
    );
    let out = tree.run(&["check"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let out = tree.run(&["check", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(
        report.contains("a.md:4:1:") && report.contains("colour"),
        "{report}"
    );

    tree.write("b.md", "---\ntitle: B\n---\n");
    let out = tree.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("b.md:1:1: error: missing required field `date`"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn cli_missing_content_dir_is_a_clear_error() {
    let tree = Tree::new();
    let out = run(&[
        "--content",
        tree.tmp.path().join("nope").to_str().unwrap(),
        "check",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nope"), "{}", text(&out.stderr));
}

/// `build --out` with the tree's out folder, not asserting success.
fn try_build(tree: &Tree) -> std::process::Output {
    let out = tree.out();
    tree.run(&["build", "--out", out.to_str().unwrap()])
}

fn snapshot_of(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn cli_build_cleans_what_a_killed_run_left() {
    let tree = Tree::new();
    tree.write("a.md", &article("A", "2024-01-01", "Body."));
    // A run killed while staging (no process has pid 4,000,000,000), and a temp file of the
    // former write-one-file-at-a-time scheme.
    let stale = tree.tmp.path().join(".out.feedwright-stage.4000000000");
    std::fs::create_dir_all(stale.join("news")).unwrap();
    std::fs::write(stale.join("feed.xml"), "half").unwrap();
    std::fs::create_dir_all(tree.out()).unwrap();
    std::fs::write(tree.out().join(".atom.xml.12345.tmp"), "half").unwrap();
    std::fs::write(tree.out().join("robots.txt"), "the user's").unwrap();
    tree.build();
    assert!(!stale.exists());
    let names: Vec<String> = snapshot_of(&tree.out()).into_iter().map(|f| f.0).collect();
    assert_eq!(
        names,
        [
            "atom.xml",
            "feed.json",
            "feed.xml",
            "index.html",
            "robots.txt",
            "rss.xml"
        ]
    );
    let beside: Vec<_> = std::fs::read_dir(tree.tmp.path()).unwrap().collect();
    assert_eq!(beside.len(), 2, "only content/ and out/ remain: {beside:?}");
}

#[test]
fn cli_build_that_fails_midway_changes_nothing() {
    let tree = Tree::new();
    tree.write("a.md", &article("Old", "2024-01-01", "Body."));
    tree.build();
    // The last route's file cannot be replaced: a folder of the user's is in its place.
    std::fs::remove_file(tree.out().join("rss.xml")).unwrap();
    std::fs::create_dir(tree.out().join("rss.xml")).unwrap();
    std::fs::write(tree.out().join("rss.xml/keep"), "mine").unwrap();
    let before = snapshot_of(&tree.out());
    tree.write("a.md", &article("New", "2024-01-01", "Body."));
    let out = try_build(&tree);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("rss.xml") && stderr.contains("nothing under"),
        "{stderr}"
    );
    assert_eq!(snapshot_of(&tree.out()), before);
    assert!(tree.read_out("feed.xml").contains("<title>Old</title>"));
    assert_eq!(std::fs::read_dir(tree.tmp.path()).unwrap().count(), 2);
}

#[test]
fn cli_build_into_a_read_only_folder_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let tree = Tree::new();
    tree.write("a.md", &article("Old", "2024-01-01", "Body."));
    tree.build();
    std::fs::write(tree.out().join("robots.txt"), "the user's").unwrap();
    let before = snapshot_of(&tree.out());
    std::fs::set_permissions(tree.out(), std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(tree.out().join("probe"), "x").is_ok() {
        eprintln!("skipped: running as root, a read-only folder stays writable");
        std::fs::set_permissions(tree.out(), std::fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    tree.write("a.md", &article("New", "2024-01-01", "Body."));
    let out = try_build(&tree);
    std::fs::set_permissions(tree.out(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot write") && stderr.contains(".xml: Permission denied"),
        "{stderr}"
    );
    assert_eq!(snapshot_of(&tree.out()), before);
}

/// A full disk while staging leaves the output folder as it was and names the file. Needs a
/// small tmpfs (root with CAP_SYS_ADMIN); skipped where one cannot be mounted.
#[test]
fn cli_build_on_a_full_disk_changes_nothing() {
    struct Mounted(std::path::PathBuf);
    impl Drop for Mounted {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let tree = Tree::new();
    let disk = tree.tmp.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=200k", "tmpfs"])
        .arg(&disk)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    }
    let _guard = Mounted(disk.clone());
    let out_dir = disk.join("out");
    let build = |tree: &Tree| tree.run(&["build", "--out", out_dir.to_str().unwrap()]);
    tree.write("a.md", &article("Small", "2024-01-01", "Body."));
    assert!(build(&tree).status.success());
    std::fs::write(out_dir.join("robots.txt"), "the user's").unwrap();
    let before = snapshot_of(&out_dir);
    // Three feeds of ~150 KB each cannot fit in 200 KB.
    tree.write(
        "a.md",
        &article("Big", "2024-01-01", &"word ".repeat(30_000)),
    );
    let out = build(&tree);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("No space left on device") && stderr.contains("nothing under"),
        "{stderr}"
    );
    assert_eq!(snapshot_of(&out_dir), before);
    assert_eq!(
        std::fs::read_dir(&disk).unwrap().count(),
        1,
        "a staging folder was left"
    );
}
