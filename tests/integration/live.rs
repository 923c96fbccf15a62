//! Live content (SPEC §5): the running daemon follows edits, atomic saves, deletes, renames,
//! new and moved folders, keeps the last good version of a broken file, publishes scheduled
//! articles on time, and never serves a torn or empty feed. Every wait is a bounded poll.

use std::time::{Duration, Instant};

use crate::support::*;

const WAIT: Duration = Duration::from_secs(5);

fn eventually(server: &Server, what: &str, mut check: impl FnMut(&[String]) -> bool) {
    let mut last = Vec::new();
    let ok = wait_until(WAIT, || {
        last = titles(server, "/atom.xml");
        check(&last)
    });
    assert!(ok, "{what}: feed shows {last:?}; log: {:#?}", server.log());
}

fn has(t: &[String], title: &str) -> bool {
    t.iter().any(|x| x == title)
}

fn live_suite(mode: &str) {
    let tree = Tree::new();
    tree.write("posts/first.md", &article("First", "2024-01-01", "One."));
    let server = Server::start(&tree.content(), &[]);
    let _ = mode;
    assert_eq!(titles(&server, "/feed.xml"), vec!["First"]);

    // Create.
    tree.write("posts/second.md", &article("Second", "2024-01-02", "Two."));
    eventually(&server, "create", |t| has(t, "Second"));

    // Edit in place, in several chunks.
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(tree.path("posts/second.md"))
            .unwrap();
        f.write_all(b"---\ntitle: Second edited\n").unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(30));
        f.write_all(b"date: 2024-01-02\n---\nTwo, again.\n")
            .unwrap();
    }
    eventually(&server, "edit", |t| {
        has(t, "Second edited") && !has(t, "Second")
    });

    // Editor-style atomic save (temp file + rename).
    tree.atomic_save(
        "posts/first.md",
        &article("First saved", "2024-01-01", "One."),
    );
    eventually(&server, "atomic save", |t| {
        has(t, "First saved") && !has(t, "First")
    });

    // Broken save keeps the previous version; /readyz names the file; a fix restores.
    tree.write("posts/first.md", "---\ntitle: [oops\n---\n");
    let ok = wait_until(WAIT, || {
        server.get("/readyz").text().contains("posts/first.md:")
    });
    assert!(ok, "readyz: {}", server.get("/readyz").text());
    assert!(has(&titles(&server, "/atom.xml"), "First saved"));
    let metrics = server.get("/metrics").text();
    assert!(metrics.contains("feedwright_content_errors 1"), "{metrics}");
    // Another file's reload does not log the standing error again.
    tree.write("posts/third.md", &article("Third", "2024-01-03", "Three."));
    eventually(&server, "unrelated change", |t| has(t, "Third"));
    let error_lines = || {
        server
            .log()
            .iter()
            .filter(|l| l.contains("posts/first.md:") && !l.contains("no longer reported"))
            .count()
    };
    assert_eq!(error_lines(), 1, "{:#?}", server.log());
    tree.write(
        "posts/first.md",
        &article("First fixed", "2024-01-01", "One."),
    );
    eventually(&server, "fix", |t| has(t, "First fixed"));
    assert!(!server.get("/readyz").text().contains("posts/first.md:"));
    let resolved = wait_until(WAIT, || {
        server
            .log()
            .iter()
            .any(|l| l.contains("no longer reported: ") && l.contains("posts/first.md:"))
    });
    assert!(resolved, "{:#?}", server.log());
    tree.remove("posts/third.md");

    // Delete.
    tree.remove("posts/second.md");
    eventually(&server, "delete", |t| !has(t, "Second edited"));

    // Rename within the tree, then out of it.
    std::fs::rename(tree.path("posts/first.md"), tree.path("posts/renamed.md")).unwrap();
    eventually(&server, "rename", |t| has(t, "First fixed"));
    std::fs::rename(
        tree.path("posts/renamed.md"),
        tree.tmp.path().join("outside.md"),
    )
    .unwrap();
    eventually(&server, "rename out", |t| t.is_empty());

    // New folder with a file; a folder moved in from outside; a folder moved out.
    tree.write(
        "fresh/deep/new.md",
        &article("In new folder", "2024-02-01", "x"),
    );
    eventually(&server, "new folder", |t| has(t, "In new folder"));
    let outside = tree.tmp.path().join("incoming");
    std::fs::create_dir_all(outside.join("sub")).unwrap();
    std::fs::write(
        outside.join("sub/a.md"),
        article("Moved in", "2024-02-02", "x"),
    )
    .unwrap();
    std::fs::rename(&outside, tree.path("incoming")).unwrap();
    eventually(&server, "folder moved in", |t| has(t, "Moved in"));
    std::fs::rename(tree.path("incoming"), tree.tmp.path().join("gone")).unwrap();
    eventually(&server, "folder moved out", |t| {
        !has(t, "Moved in") && has(t, "In new folder")
    });

    // Draft flipped to published and back.
    tree.write(
        "d.md",
        "---\ntitle: Drafty\ndate: 2024-03-01\ndraft: true\n---\nx\n",
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(!has(&titles(&server, "/atom.xml"), "Drafty"));
    tree.write(
        "d.md",
        "---\ntitle: Drafty\ndate: 2024-03-01\ndraft: false\n---\nx\n",
    );
    eventually(&server, "draft published", |t| has(t, "Drafty"));
    tree.write(
        "d.md",
        "---\ntitle: Drafty\ndate: 2024-03-01\ndraft: true\n---\nx\n",
    );
    eventually(&server, "draft unpublished", |t| !has(t, "Drafty"));
}

#[test]
fn live_notify_mode_follows_every_kind_of_change() {
    live_suite("notify");
}

#[test]
fn live_poll_mode_follows_every_kind_of_change() {
    let tree = Tree::new();
    tree.write("a.md", &article("Polled", "2024-01-01", "x"));
    let server = Server::start_with_env(
        &tree.content(),
        &[],
        &[
            ("FEEDWRIGHT_WATCH_MODE", "poll"),
            ("FEEDWRIGHT_WATCH_POLL_INTERVAL_MS", "100"),
        ],
    );
    assert!(server.get("/metrics").text().contains("mode=\"poll\"} 1"));
    tree.write("b.md", &article("Polled two", "2024-01-02", "x"));
    eventually(&server, "poll create", |t| has(t, "Polled two"));
    tree.atomic_save("a.md", &article("Polled saved", "2024-01-01", "x"));
    eventually(&server, "poll atomic save", |t| has(t, "Polled saved"));
    tree.write("dir/c.md", &article("Polled folder", "2024-01-03", "x"));
    eventually(&server, "poll new folder", |t| has(t, "Polled folder"));
    tree.remove("b.md");
    eventually(&server, "poll delete", |t| !has(t, "Polled two"));
    tree.write("a.md", "---\ntitle: [broken\n---\n");
    let ok = wait_until(WAIT, || server.get("/readyz").text().contains("a.md:"));
    assert!(ok);
    assert!(has(&titles(&server, "/atom.xml"), "Polled saved"));
}

#[test]
fn live_future_article_appears_on_its_own() {
    let tree = Tree::new();
    tree.write("now.md", &article("Now", "2024-01-01", "x"));
    let due = chrono::Utc::now() + chrono::Duration::seconds(2);
    tree.write(
        "soon.md",
        &format!(
            "---\ntitle: Soon\ndate: {}\n---\nx\n",
            due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
    );
    let server = Server::start(&tree.content(), &[]);
    assert!(!has(&titles(&server, "/atom.xml"), "Soon"));
    let ok = wait_until(Duration::from_secs(6), || {
        has(&titles(&server, "/atom.xml"), "Soon")
    });
    assert!(ok, "scheduled article never appeared: {:?}", server.log());
}

#[test]
fn live_expiring_article_leaves_on_its_own() {
    let tree = Tree::new();
    tree.write("now.md", &article("Now", "2024-01-01", "x"));
    let expiry = chrono::Utc::now() + chrono::Duration::seconds(2);
    tree.write(
        "going.md",
        &format!(
            "---\ntitle: Going\ndate: 2024-01-02\nexpiryDate: {}\n---\nx\n",
            expiry.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
    );
    let server = Server::start(&tree.content(), &[]);
    assert!(has(&titles(&server, "/atom.xml"), "Going"));
    let ok = wait_until(Duration::from_secs(6), || {
        !has(&titles(&server, "/atom.xml"), "Going")
    });
    assert!(ok, "expired article never left: {:?}", server.log());
    assert!(has(&titles(&server, "/atom.xml"), "Now"));
}

/// A writer that pauses longer than the debounce between chunks (one open file) must not get
/// its half-written article published: the file is read once it is closed.
#[test]
fn live_slow_writer_is_read_only_once_the_file_is_closed() {
    use std::io::Write;
    let tree = Tree::new();
    tree.write("a.md", &article("Whole", "2024-01-01", "Old body."));
    let server =
        Server::start_with_env(&tree.content(), &[], &[("FEEDWRIGHT_WATCH_MODE", "notify")]);
    assert_eq!(titles(&server, "/atom.xml"), vec!["Whole"]);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(tree.path("a.md"))
        .unwrap();
    // A valid article on its own: published if the daemon read it now.
    file.write_all(b"---\ntitle: Half\ndate: 2024-01-01\n---\nFirst half")
        .unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(900));
    assert_eq!(
        titles(&server, "/atom.xml"),
        vec!["Whole"],
        "{:#?}",
        server.log()
    );
    file.write_all(b" and the second half.\n").unwrap();
    drop(file);
    eventually(&server, "closed", |t| t == ["Half"]);
    assert!(server.get("/atom.xml").text().contains("second half"));
}

/// A new file copied slowly (created, then written in chunks, not yet closed) is not read
/// half-way either, though the watcher folds its writes into the create.
#[test]
fn live_new_file_written_slowly_is_read_once_closed() {
    use std::io::Write;
    let tree = Tree::new();
    tree.write("a.md", &article("Old", "2024-01-01", "x"));
    let server =
        Server::start_with_env(&tree.content(), &[], &[("FEEDWRIGHT_WATCH_MODE", "notify")]);
    let mut file = std::fs::File::create(tree.path("b.md")).unwrap();
    file.write_all(b"---\ntitle: Half\ndate: 2024-01-02\n---\nFirst chunk")
        .unwrap();
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(250));
        file.write_all(b" more").unwrap();
    }
    assert_eq!(
        titles(&server, "/atom.xml"),
        vec!["Old"],
        "{:#?}",
        server.log()
    );
    file.write_all(b" and the end.\n").unwrap();
    drop(file);
    eventually(&server, "closed", |t| has(t, "Half"));
    assert!(server.get("/atom.xml").text().contains("the end."));
}

/// `ln` and `ln -s` make a whole file at once (no write, no close): read at once, not after
/// the hold for unclosed files.
#[cfg(unix)]
#[test]
fn live_new_links_are_read_at_once() {
    let tree = Tree::new();
    tree.write("posts/a.md", &article("Original", "2024-01-01", "x"));
    let outside = Tree::new();
    outside.write("b.md", &article("Hard linked", "2024-01-02", "y"));
    let server =
        Server::start_with_env(&tree.content(), &[], &[("FEEDWRIGHT_WATCH_MODE", "notify")]);
    let started = Instant::now();
    std::os::unix::fs::symlink("../posts/a.md", {
        std::fs::create_dir_all(tree.path("notes")).unwrap();
        tree.path("notes/linked.md")
    })
    .unwrap();
    std::fs::hard_link(outside.path("b.md"), tree.path("posts/b.md")).unwrap();
    let ok = wait_until(Duration::from_secs(3), || {
        let t = titles(&server, "/atom.xml");
        // The symlink is an article of its own (another slug), with the same title.
        has(&t, "Hard linked") && t.iter().filter(|x| *x == "Original").count() == 2
    });
    assert!(ok, "{:?} {:#?}", titles(&server, "/atom.xml"), server.log());
    assert!(
        // The daemon holds unclosed files for 5 s.
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn live_vanished_root_keeps_last_good_feeds_and_catches_up() {
    let tree = Tree::new();
    tree.write("a.md", &article("Survivor", "2024-01-01", "x"));
    let server = Server::start_with_env(
        &tree.content(),
        &[],
        &[("FEEDWRIGHT_WATCH_POLL_INTERVAL_MS", "100")],
    );
    let etag = server.get("/atom.xml").header("etag").unwrap().to_string();
    let parked = tree.tmp.path().join("parked");
    std::fs::rename(tree.content(), &parked).unwrap();
    // /readyz says why nothing changes any more; the feeds stay as they were.
    let said = wait_until(WAIT, || {
        let r = server.get("/readyz");
        r.status == 200 && r.text().contains("content directory is gone or unreadable")
    });
    assert!(said, "{}", server.get("/readyz").text());
    let atom = server.get("/atom.xml");
    assert_eq!(atom.header("etag"), Some(etag.as_str()));
    assert_eq!(entry_titles(&parse_feed(&atom.body)), vec!["Survivor"]);
    // The watch follows the parked folder; an edit there must not unpublish the article
    // under the configured (now empty) root.
    std::fs::write(
        parked.join("a.md"),
        article("Survivor", "2024-01-01", "edited"),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(titles(&server, "/atom.xml"), vec!["Survivor"]);
    std::fs::write(parked.join("b.md"), article("Back", "2024-01-02", "x")).unwrap();
    std::fs::rename(&parked, tree.content()).unwrap();
    eventually(&server, "root back", |t| {
        has(t, "Back") && has(t, "Survivor")
    });
    assert!(
        !server.get("/readyz").text().contains("gone"),
        "{}",
        server.get("/readyz").text()
    );
}

#[test]
fn live_unchanged_output_keeps_its_etag() {
    let tree = Tree::new();
    tree.write("a.md", &article("Stable", "2024-01-01", "x"));
    let server = Server::start(&tree.content(), &[]);
    let before = server.get("/atom.xml");
    let etag = before.header("etag").unwrap().to_string();
    // A draft changing does not change any output: no churn for pollers.
    tree.write(
        "draft.md",
        "---\ntitle: D\ndate: 2024-01-01\ndraft: true\n---\nx\n",
    );
    let reloaded = wait_until(WAIT, || {
        server
            .get("/metrics")
            .text()
            .contains("feedwright_reloads_total 1")
    });
    assert!(reloaded, "{}", server.get("/metrics").text());
    let after = server.get("/atom.xml");
    assert_eq!(after.header("etag").unwrap(), etag);
    assert_eq!(
        after.header("last-modified"),
        before.header("last-modified")
    );
}

#[test]
fn live_sighup_forces_a_rescan() {
    let tree = Tree::new();
    tree.write("a.md", &article("Before", "2024-01-01", "x"));
    let server = Server::start_with_env(
        &tree.content(),
        &[],
        &[
            ("FEEDWRIGHT_WATCH_MODE", "poll"),
            ("FEEDWRIGHT_WATCH_POLL_INTERVAL_MS", "3600000"),
        ],
    );
    tree.write("b.md", &article("After hup", "2024-01-02", "x"));
    server.signal("HUP");
    eventually(&server, "SIGHUP", |t| has(t, "After hup"));
}

/// Readers hammer the feeds during a burst of writes: every response is whole, parses, is
/// non-empty, and its ETag belongs to its body.
#[test]
fn live_readers_never_see_a_torn_or_empty_feed() {
    let tree = Tree::new();
    for i in 0..5 {
        tree.write(
            &format!("base{i}.md"),
            &article(&format!("Base {i}"), "2023-01-01", "x"),
        );
    }
    let server = Server::start(&tree.content(), &[]);
    let addr = server.addr;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for r in 0..3 {
        let stop = std::sync::Arc::clone(&stop);
        readers.push(std::thread::spawn(move || {
            let mut seen = std::collections::HashMap::<String, Vec<u8>>::new();
            let mut n = 0;
            let path = if r % 2 == 0 { "/atom.xml" } else { "/feed.xml" };
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 2000 {
                let resp = get(addr, path, &[]).expect("GET during burst");
                assert_eq!(resp.status, 200);
                let feed = parse_feed(&resp.body);
                assert!(!feed.entries.is_empty(), "empty feed served");
                let etag = resp.header("etag").unwrap().to_string();
                if let Some(prev) = seen.get(&etag) {
                    assert_eq!(prev, &resp.body, "one ETag, two bodies");
                } else {
                    seen.insert(etag, resp.body.clone());
                }
                n += 1;
            }
            n
        }));
    }
    for i in 0..500 {
        let name = format!("burst{}.md", i % 25);
        tree.write(&name, &article(&format!("Burst {i}"), "2024-01-01", "x"));
    }
    eventually(&server, "burst settled", |t| has(t, "Burst 499"));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        assert!(r.join().expect("reader panicked") > 0);
    }
}

/// Bodies are kept only for articles in the feeds; an older article that moves into the
/// window (here: the newer one is deleted) is read again and served with its full content.
#[test]
fn live_article_entering_the_window_gets_its_body() {
    let tree = Tree::new();
    tree.write("old.md", &article("Old", "2024-01-01", "Old body text."));
    tree.write("new.md", &article("New", "2024-02-01", "New body text."));
    let server = Server::start_with_env(&tree.content(), &[], &[("FEEDWRIGHT_FEEDS_LIMIT", "1")]);
    assert_eq!(titles(&server, "/atom.xml"), vec!["New"]);
    tree.remove("new.md");
    eventually(&server, "older enters window", |t| t == ["Old"]);
    let feed = parse_feed(&server.get("/atom.xml").body);
    let content = feed.entries[0]
        .content
        .as_ref()
        .unwrap()
        .body
        .clone()
        .unwrap();
    assert!(content.contains("Old body text."), "{content}");
}

/// An older article that breaks while outside the feeds keeps its last good version when it
/// enters them (its newer neighbour deleted), until it is fixed.
#[test]
fn live_broken_older_article_enters_the_feed_with_its_last_good_version() {
    let tree = Tree::new();
    tree.write("new.md", &article("New", "2024-02-01", "New body."));
    tree.write("old.md", &article("Old", "2024-01-01", "Old body."));
    let server = Server::start_with_env(&tree.content(), &[], &[("FEEDWRIGHT_FEEDS_LIMIT", "1")]);
    assert_eq!(titles(&server, "/atom.xml"), vec!["New"]);
    tree.write("old.md", "---\ntitle: [Old\n---\nBroken.\n");
    let ok = wait_until(WAIT, || server.get("/readyz").text().contains("old.md:"));
    assert!(ok, "readyz: {}", server.get("/readyz").text());
    tree.remove("new.md");
    eventually(&server, "old enters", |t| t == ["Old"]);
    let atom = server.get("/atom.xml").text();
    assert!(
        atom.contains("Old body.") && !atom.contains("Broken."),
        "{atom}"
    );
    tree.write("old.md", &article("Old fixed", "2024-01-01", "Fixed."));
    eventually(&server, "fixed", |t| t == ["Old fixed"]);
}

/// A folder that cannot be read (mode 000) keeps its articles, as the live events and a
/// SIGHUP rescan see it, and is reported. Root reads through mode 000, so this one is skipped
/// under root; `site::tests::an_unreadable_folder_keeps_its_articles_last_good_versions`
/// covers the rescan there.
#[test]
fn live_unreadable_folder_keeps_its_articles() {
    use std::os::unix::fs::PermissionsExt;
    let tree = Tree::new();
    tree.write("top.md", &article("Top", "2024-03-01", "Top."));
    tree.write("posts/a.md", &article("A", "2024-02-01", "A body."));
    tree.write("posts/b.md", &article("B", "2024-01-01", "B body."));
    let probe = tree.tmp.path().join("probe");
    std::fs::create_dir(&probe).unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).unwrap();
    let privileged = std::fs::read_dir(&probe).is_ok();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o755)).unwrap();
    if privileged {
        eprintln!("skipped: running as root, which reads folders of mode 000");
        return;
    }
    let server = Server::start(&tree.content(), &[]);
    assert_eq!(titles(&server, "/atom.xml"), vec!["Top", "A", "B"]);
    let posts = tree.path("posts");
    std::fs::set_permissions(&posts, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    server.signal("HUP");
    let ok = wait_until(WAIT, || {
        server
            .get("/readyz")
            .text()
            .contains("keeping its 2 articles' last good versions")
    });
    let readyz = server.get("/readyz").text();
    std::fs::set_permissions(&posts, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(ok, "readyz: {readyz}");
    assert_eq!(titles(&server, "/atom.xml"), vec!["Top", "A", "B"]);
}
