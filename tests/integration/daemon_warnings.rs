//! The daemon's log carries each file's warnings (the template pass's dropped constructs
//! at `path:line:column`) when the file is read — at the first load and when the file
//! changes — and not again at every publish or rescan.

use std::time::Duration;

use crate::support::*;

const WAIT: Duration = Duration::from_secs(5);

fn count(server: &Server, text: &str) -> usize {
    server.log().iter().filter(|l| l.contains(text)).count()
}

#[test]
fn daemon_logs_each_files_warnings_when_it_is_read() {
    let tree = Tree::new();
    let with_construct = |title: &str| {
        format!("---\ntitle: {title}\ndate: 2024-01-01\n---\nText {{% mystery_tag x %}} here.\n")
    };
    tree.write("a.md", &with_construct("A one"));
    let server = Server::start(&tree.content(), &[]);
    let warning = "a.md:5:6: warning: Liquid tag `{% mystery_tag %}` is not supported; dropped";
    assert!(
        wait_until(WAIT, || count(&server, warning) == 1),
        "{:#?}",
        server.log()
    );
    let line = server
        .log()
        .into_iter()
        .find(|l| l.contains(warning))
        .unwrap();
    assert!(line.contains(" WARN "), "{line}");
    assert!(
        line.contains(&format!("{}/a.md:5:6", tree.content().display())),
        "{line}"
    );

    // Another file changes: a publish, but a.md was not read again.
    let reloads = count(&server, "reloaded");
    tree.write("b.md", &article("B", "2024-01-02", "Plain."));
    assert!(wait_until(WAIT, || titles(&server, "/atom.xml").len() == 2));
    assert!(
        wait_until(WAIT, || count(&server, "reloaded") > reloads),
        "{:#?}",
        server.log()
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(count(&server, warning), 1, "{:#?}", server.log());

    // a.md changes and still has the construct: read again, logged again.
    tree.atomic_save("a.md", &with_construct("A two"));
    assert!(wait_until(WAIT, || titles(&server, "/atom.xml")
        .contains(&"A two".to_string())));
    assert!(
        wait_until(WAIT, || count(&server, warning) == 2),
        "{:#?}",
        server.log()
    );

    // A full rescan reads every file, but repeats no warning already logged for it.
    let reloads = count(&server, "reloaded");
    server.signal("HUP");
    assert!(
        wait_until(WAIT, || count(&server, "reloaded") > reloads),
        "{:#?}",
        server.log()
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(count(&server, warning), 2, "{:#?}", server.log());
}
