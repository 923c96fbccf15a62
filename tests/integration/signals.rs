//! Signals from the first instant: SIGHUP and SIGTERM that arrive while the first load runs
//! (a large site, or a file that takes long to parse) neither kill the daemon nor wait for
//! the load.

use std::time::{Duration, Instant};

use crate::support::*;

/// `n` tiny articles, 1,000 to a folder.
fn many_articles(tree: &Tree, n: usize) {
    for i in 0..n {
        tree.write(
            &format!("d{:03}/a{i:06}.md", i / 1000),
            &format!("---\ntitle: \"T{i}\"\ndate: 2024-01-01\n---\nBody {i}.\n"),
        );
    }
}

#[test]
fn signals_sighup_before_the_first_load_ends_keeps_the_daemon() {
    let tree = Tree::new();
    many_articles(&tree, 20_000);
    let mut server = Server::spawn_unready(&tree.content(), &[], &[]);
    // Right after the address line: the load of 20,000 files has not finished (it starts
    // after the watcher is up), and before the fix the default action ended the process.
    server.signal("HUP");
    let early = !server.logged("content loaded");
    assert!(
        server.wait_exit(Duration::from_millis(500)).is_none(),
        "SIGHUP ended the daemon: {:?}",
        server.log()
    );
    server.wait_ready_within(Duration::from_secs(120));
    assert_eq!(server.get("/atom.xml").status, 200);
    if early {
        // The SIGHUP that came during the load brings one rescan once the load is done.
        let rescanned = wait_until(Duration::from_secs(60), || {
            server.logged("SIGHUP: full rescan")
        });
        assert!(rescanned, "{:?}", server.log());
    }
    assert!(server.child.try_wait().expect("status").is_none());
    let status = server.terminate().expect("exited within the bound");
    assert!(status.success(), "{status:?}");
}

#[test]
fn signals_sigterm_during_a_long_first_load_exits_at_once() {
    let tree = Tree::new();
    many_articles(&tree, 10);
    tree.write("slow.md", &article("Slow", "2024-01-02", "SLOW-PARSE"));
    // Loading slow.md takes 60 s (a debug-build hook), far past the bound below.
    let mut server = Server::spawn_unready(
        &tree.content(),
        &[],
        &[
            ("TEST_FEEDWRIGHT_SLOW_TEXT", "SLOW-PARSE:60000"),
            ("FEEDWRIGHT_CONTENT_FILE_TIMEOUT_MS", "120000"),
        ],
    );
    let loading = wait_until(Duration::from_secs(10), || server.logged("watching "));
    assert!(loading, "{:?}", server.log());
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        server.get("/readyz").status,
        503,
        "the load should still run"
    );
    let sent = Instant::now();
    let status = server.terminate().expect("exited");
    let took = sent.elapsed();
    assert!(status.success(), "{status:?}: {:?}", server.log());
    assert!(took < Duration::from_secs(5), "exit took {took:?}");
    assert!(server.logged("stopped"), "{:?}", server.log());
}
