//! The per-file time budget (`content.file_timeout_ms`): a file that takes too long is an
//! error that keeps its last good version, and the reload goes on without it. Slowness is
//! injected (debug-build hook `TEST_FEEDWRIGHT_SLOW_TEXT`), so the test does not depend on
//! which inputs the parsers find hard.

use std::time::{Duration, Instant};

use crate::support::*;

/// Files containing this take 30 s to load.
const SLOW: &str = "SLOW-PARSE";

#[test]
fn slow_file_is_an_error_keeps_its_last_good_version_and_the_reload_goes_on() {
    let tree = Tree::new();
    tree.write("a.md", &article("A v1", "2024-01-01", "A."));
    tree.write("b.md", &article("B v1", "2024-01-02", "B."));
    // Sorted after b.md: a load whose only worker is stuck on b.md would skip them.
    tree.write("c.md", &article("C", "2023-01-01", "C."));
    tree.write("d.md", &article("D", "2023-01-02", "D."));
    let mut server = Server::start_with_env(
        &tree.content(),
        &[],
        &[
            ("TEST_FEEDWRIGHT_SLOW_TEXT", &format!("{SLOW}:30000")),
            ("FEEDWRIGHT_CONTENT_FILE_TIMEOUT_MS", "300"),
        ],
    );
    assert_eq!(titles(&server, "/atom.xml"), ["B v1", "A v1", "D", "C"]);

    // b.md turns slow and a.md changes in the same moment.
    let saved = Instant::now();
    tree.atomic_save("b.md", &article("B v2", "2024-01-02", SLOW));
    tree.atomic_save("a.md", &article("A v2", "2024-01-01", "A."));
    let moved_on = wait_until(Duration::from_secs(15), || {
        titles(&server, "/atom.xml").contains(&"A v2".to_string())
    });
    assert!(moved_on, "{:?}", server.log());
    assert!(saved.elapsed() < Duration::from_secs(15));
    let readyz = wait_until(Duration::from_secs(10), || {
        server
            .get("/readyz")
            .text()
            .contains("b.md:1:1: error: took longer than 300 ms; skipped")
    });
    assert!(readyz, "{}", server.get("/readyz").text());
    // Keep last good: the slow version never replaced the good one.
    assert_eq!(titles(&server, "/atom.xml"), ["B v1", "A v2", "D", "C"]);
    let metrics = server.get("/metrics").text();
    assert!(metrics.contains("feedwright_content_errors 1"), "{metrics}");

    // Rescans do not parse the unchanged slow file again: were each to leave one more
    // abandoned parse running, the cap on those would soon skip every file.
    let reloads = |server: &Server| {
        server
            .log()
            .iter()
            .filter(|l| l.contains("reloaded"))
            .count()
    };
    let before = reloads(&server);
    for round in 1..=4 {
        server.signal("HUP");
        let done = wait_until(Duration::from_secs(15), || {
            reloads(&server) >= before + round
        });
        assert!(done, "{:?}", server.log());
    }
    let readyz = server.get("/readyz").text();
    assert!(!readyz.contains("not read"), "{readyz}");
    assert!(
        readyz.contains("b.md:1:1: error: took longer than 300 ms"),
        "{readyz}"
    );
    assert_eq!(titles(&server, "/atom.xml"), ["B v1", "A v2", "D", "C"]);

    // Fixed: the error goes, the new version is served, while the abandoned parse of the
    // slow version is still running.
    tree.atomic_save("b.md", &article("B v3", "2024-01-02", "B."));
    let fixed = wait_until(Duration::from_secs(15), || {
        titles(&server, "/atom.xml").contains(&"B v3".to_string())
    });
    assert!(fixed, "{:?}", server.log());
    assert!(!server.get("/readyz").text().contains("took longer"));

    // And SIGTERM does not wait for the abandoned parse.
    let sent = Instant::now();
    let status = server.terminate().expect("exited");
    assert!(status.success(), "{status:?}");
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{:?}",
        sent.elapsed()
    );
}

#[test]
fn slow_file_at_the_first_load_is_reported_and_the_rest_is_served() {
    let tree = Tree::new();
    for i in 0..30 {
        tree.write(
            &format!("n{i:02}.md"),
            &article(&format!("N{i}"), "2024-01-01", "Body."),
        );
    }
    for i in 0..4 {
        tree.write(
            &format!("slow{i}.md"),
            &article(&format!("S{i}"), "2024-01-02", SLOW),
        );
    }
    let started = Instant::now();
    let server = Server::start_with_env(
        &tree.content(),
        &[],
        &[
            ("TEST_FEEDWRIGHT_SLOW_TEXT", &format!("{SLOW}:30000")),
            ("FEEDWRIGHT_CONTENT_FILE_TIMEOUT_MS", "300"),
        ],
    );
    assert!(started.elapsed() < Duration::from_secs(15));
    let readyz = server.get("/readyz").text();
    for i in 0..4 {
        assert!(
            readyz.contains(&format!("slow{i}.md:1:1: error:")),
            "{readyz}"
        );
    }
    assert_eq!(titles(&server, "/atom.xml").len(), 20);
}
