//! The site's tests: publishing, windows, kept bodies, archives and the staged first load.

use super::*;
use std::fs;

fn now() -> DateTime<Utc> {
    "2025-01-01T00:00:00Z".parse().expect("date")
}

fn site(dir: &std::path::Path, limit: usize) -> Site {
    let mut config = Config::defaults();
    config.content.dir = dir.to_path_buf();
    config.feeds.limit = limit;
    // Only the site feed: these tests count which bodies its window holds.
    config.feeds.tags = None;
    config.feeds.sections = None;
    config.feeds.authors = None;
    config.feeds.archive_page_size = 0;
    Site::new(Arc::new(config))
}

/// An archive whose articles did not change is served from the previous snapshot as is,
/// not built again: a file changed on disk behind the store's back (no reload) shows
/// that its archive was not read again, while the archive being filled was.
#[test]
fn unchanged_archives_are_reused_not_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    for i in 1..=7 {
        let date = format!("2024-01-{i:02}");
        write(
            dir.path(),
            &format!("p{i}.md"),
            &format!("P{i}"),
            &date,
            "Body.",
        );
    }
    let mut config = Config::defaults();
    config.content.dir = dir.path().to_path_buf();
    config.feeds.limit = 1;
    config.feeds.archive_page_size = 3;
    let mut site = Site::new(Arc::new(config));
    site.rescan().unwrap();
    let first = site.publish(&Snapshot::starting(&site.config), now()).0;
    assert!(first.body("/archive/1/feed.xml").is_some());
    write(
        dir.path(),
        "p1.md",
        "P1",
        "2024-01-01",
        "Changed behind its back.",
    );
    write(dir.path(), "p8.md", "P8", "2024-01-08", "Body.");
    site.reload_paths(["p8.md"]);
    let second = site.publish(&first, now()).0;
    let rss = |s: &Snapshot, p: &str| String::from_utf8_lossy(&s.body(p).unwrap()).to_string();
    assert_eq!(
        rss(&second, "/archive/1/feed.xml"),
        rss(&first, "/archive/1/feed.xml")
    );
    assert!(Arc::ptr_eq(
        second.resource("/archive/1/atom.xml").unwrap(),
        first.resource("/archive/1/atom.xml").unwrap()
    ));
    // The tail (P7, P8) is longer than the feed: an archive at its own address.
    assert!(rss(&second, "/archive/3-2/feed.xml").contains("P8"));
    // Its own change (a reload) builds it again.
    site.reload_paths(["p1.md"]);
    let third = site.publish(&second, now()).0;
    assert!(rss(&third, "/archive/1/feed.xml").contains("Changed behind its back."));
}

fn write(dir: &std::path::Path, rel: &str, title: &str, date: &str, body: &str) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let text = format!("---\ntitle: {title}\ndate: {date}\n---\n{body}\n");
    fs::write(path, text).unwrap();
}

/// The first publish of a site over the threshold serves its site feeds and `/` page;
/// the group feeds answer 503 until the next publish brings them, and the `/` page
/// (which names them) keeps its bytes.
#[test]
fn site_feeds_first_then_everything() {
    let dir = tempfile::tempdir().unwrap();
    for i in 1..=3 {
        let text = format!("---\ntitle: P{i}\ndate: 2024-01-0{i}\ntags: [rust]\n---\nBody {i}.\n");
        fs::write(dir.path().join(format!("p{i}.md")), text).unwrap();
    }
    let mut config = Config::defaults();
    config.content.dir = dir.path().to_path_buf();
    config.feeds.limit = 2;
    config.feeds.archive_page_size = 1;
    let mut site = Site::new(Arc::new(config));
    site.site_feeds_first_above = 0;
    site.rescan().unwrap();
    let starting = Snapshot::starting(&site.config);
    let (first, stats) = site.publish_staged(&starting, now(), Stage::SiteFeedsFirst);
    assert!(!stats.complete && !first.is_complete() && first.is_ready());
    assert!(first.resource("/feed.xml").is_some());
    assert!(first.resource("/tags/rust/feed.xml").is_none());
    assert!(first.resource("/tags/").is_none());
    assert!(first.resource("/archive/1/feed.xml").is_none());
    let body = String::from_utf8_lossy(first.readyz_body()).into_owned();
    assert!(body.contains("group feeds and archives: loading"), "{body}");
    let (second, stats) = site.publish_staged(&first, now(), Stage::Everything);
    assert!(stats.complete && second.is_complete());
    assert!(second.resource("/tags/rust/feed.xml").is_some());
    assert!(second.resource("/archive/1/feed.xml").is_some());
    for path in ["/", "/feed.xml", "/atom.xml"] {
        let (a, b) = (
            first.resource(path).unwrap(),
            second.resource(path).unwrap(),
        );
        assert_eq!(
            a.identity().bytes().unwrap(),
            b.identity().bytes().unwrap(),
            "{path}"
        );
    }
    // Under the threshold, the first publish is the whole one.
    site.site_feeds_first_above = 100;
    let (whole, stats) = site.publish_staged(&starting, now(), Stage::SiteFeedsFirst);
    assert!(stats.complete && whole.resource("/tags/rust/feed.xml").is_some());
}

/// A site feed of one article over `new.md` and an older `old.md`, loaded, with a kept-bodies
/// file (old's body is dropped from memory once rendered).
fn new_and_old_loaded(dir: &std::path::Path) -> Site {
    write(dir, "new.md", "New", "2024-02-01", "New body.");
    write(dir, "old.md", "Old", "2024-01-01", "Old body.");
    let mut site = site(dir, 1);
    assert!(site.kept.is_some(), "no temporary file for kept bodies");
    site.rescan().unwrap();
    site
}

fn errors(rendering: &Rendering) -> Vec<String> {
    let errors = rendering.diagnostics.iter().filter(|d| d.is_error());
    errors.map(|d| d.to_string()).collect()
}

#[test]
fn a_broken_file_keeps_its_last_good_version_when_it_enters_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = new_and_old_loaded(dir.path());
    let first = site.render(now(), None);
    assert!(first.outputs.body("/feed.xml").contains("New body."));
    assert!(!first.outputs.body("/feed.xml").contains("Old body."));
    assert!(site
        .library
        .article("old.md")
        .is_some_and(|a| !a.body_loaded));

    // Old breaks while outside the window, then enters it when New is deleted.
    fs::write(
        dir.path().join("old.md"),
        "---\ntitle: [Old\n---\nBroken.\n",
    )
    .unwrap();
    site.reload_paths(["old.md"]);
    fs::remove_file(dir.path().join("new.md")).unwrap();
    site.reload_paths(["new.md"]);
    let second = site.render(now(), None);
    assert!(
        second.outputs.body("/feed.xml").contains("Old body."),
        "{}",
        second.outputs.body("/feed.xml")
    );
    assert!(!second.outputs.body("/feed.xml").contains("Broken."));
    assert!(
        errors(&second).iter().any(|e| e.starts_with("old.md:")),
        "{:?}",
        errors(&second)
    );

    // Left again and back: the copy is reused, not written again.
    write(dir.path(), "new.md", "New", "2024-02-01", "New body.");
    site.reload_paths(["new.md"]);
    site.render(now(), None);
    fs::remove_file(dir.path().join("new.md")).unwrap();
    site.reload_paths(["new.md"]);
    assert!(site
        .render(now(), None)
        .outputs
        .body("/feed.xml")
        .contains("Old body."));

    // Fixed: the new version replaces it; deleted: it is gone.
    write(dir.path(), "old.md", "Old", "2024-01-01", "Old fixed.");
    site.reload_paths(["old.md"]);
    let fixed = site.render(now(), None);
    assert!(fixed.outputs.body("/feed.xml").contains("Old fixed.") && errors(&fixed).is_empty());
    fs::remove_file(dir.path().join("old.md")).unwrap();
    site.reload_paths(["old.md"]);
    assert!(!site
        .render(now(), None)
        .outputs
        .body("/feed.xml")
        .contains("Old"));
}

/// The file's time budget and the kept copies together: a file known to run out of time
/// (as the budget records one, by size and mtime) is not parsed when it enters the
/// window, and its last good version is published from the kept copy, rendered within
/// the budget.
#[test]
fn a_file_that_runs_out_of_time_keeps_its_last_good_version_when_it_enters_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = new_and_old_loaded(dir.path());
    assert!(!site
        .render(now(), None)
        .outputs
        .body("/feed.xml")
        .contains("Old body."));
    let copy = site.library.article("old.md").and_then(|a| a.kept_body);
    assert!(copy.is_some(), "the full load copied the dropped body");

    let meta = fs::metadata(dir.path().join("old.md")).unwrap();
    let stamp = (meta.len(), meta.modified().ok());
    site.budget
        .note_slow_files(vec![("old.md".to_string(), stamp)], []);
    fs::remove_file(dir.path().join("new.md")).unwrap();
    site.reload_paths(["new.md"]);
    let second = site.render(now(), None);
    assert!(
        second.outputs.body("/feed.xml").contains("Old body."),
        "{}",
        second.outputs.body("/feed.xml")
    );
    assert!(
        errors(&second)
            .iter()
            .any(|e| e.starts_with("old.md:1:1: error: took longer than")),
        "{:?}",
        errors(&second)
    );
}

/// Runs as root too (where mode 000 does not stop reading): the scan's report of an
/// unreadable folder is made by hand.
#[test]
fn an_unreadable_folder_keeps_its_articles_last_good_versions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "top.md", "Top", "2024-03-01", "Top body.");
    write(dir.path(), "posts/a.md", "A", "2024-02-01", "A body.");
    write(dir.path(), "posts/deep/b.md", "B", "2024-01-01", "B body.");
    let mut site = site(dir.path(), 10);
    site.rescan().unwrap();
    assert!(site
        .render(now(), None)
        .outputs
        .body("/feed.xml")
        .contains("B body."));

    // The scan cannot read `posts`, and its files cannot be read either (here: broken).
    fs::write(dir.path().join("posts/a.md"), "not an article").unwrap();
    fs::write(dir.path().join("posts/deep/b.md"), "not an article").unwrap();
    let options = ParseOptions {
        keep_body: false,
        ..ParseOptions::default()
    };
    let mut load = content::load_all(&site.config, options, None).unwrap();
    load.files.retain(|l| !l.source.starts_with("posts/"));
    load.files.push(content::Loaded {
        source: "posts".into(),
        outcome: FileOutcome::Parsed(content::Parsed {
            article: None,
            diagnostics: vec![Diagnostic::error(
                std::path::Path::new("posts"),
                1,
                1,
                "cannot read folder: Permission denied (os error 13)",
            )],
        }),
    });
    load.unreadable_folders.push("posts".into());
    site.apply_full_load(load);
    let rendering = site.render(now(), None);
    for body in ["Top body.", "A body.", "B body."] {
        assert!(rendering.outputs.body("/feed.xml").contains(body), "{body}");
    }
    assert!(
        errors(&rendering).contains(&"posts:1:1: error: cannot read folder: Permission denied (os error 13); keeping its 2 articles' last good versions".to_string()),
        "{:?}",
        errors(&rendering)
    );

    // Readable again (and gone): the next scan drops them.
    fs::remove_dir_all(dir.path().join("posts")).unwrap();
    site.rescan().unwrap();
    let rendering = site.render(now(), None);
    assert!(
        !rendering.outputs.body("/feed.xml").contains("A body.") && errors(&rendering).is_empty()
    );
}

#[test]
fn the_kept_bodies_file_is_rewritten_when_garbage_outgrows_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "new.md", "New", "2024-02-01", "New body.");
    let big = "x".repeat(3 << 20);
    write(dir.path(), "old.md", "Old", "2024-01-01", &big);
    let mut site = site(dir.path(), 1);
    for _ in 0..6 {
        site.rescan().unwrap(); // each scan copies every body again
        site.render(now(), None);
    }
    let size = site.kept.as_ref().unwrap().size();
    assert!(size < 2 * (3 << 20) + (8 << 20) + 100, "{size}");
    let kept = site.library.article("old.md").unwrap().kept_body.unwrap();
    assert_eq!(
        site.kept.as_ref().unwrap().read(kept).unwrap().trim_end(),
        big
    );
}
