//! RFC 5005 archives (issue 16, item 3): fixed slices of history counted from the oldest
//! article, linked from the subscription feeds (`prev-archive`) and to each other; complete
//! archives keep their bytes and ETags when new articles arrive and are served with a long,
//! immutable `Cache-Control`; a site whose history fits says `fh:complete`.

use std::time::Duration;

use crate::support::*;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn post(tree: &Tree, i: usize) {
    // One article a day from 2020-01-01 on: the order is the number's.
    let date = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("date")
        + chrono::Duration::days(i as i64);
    tree.write(
        &format!("posts/p{i:03}.md"),
        &article(
            &format!("Post {i}"),
            &date.to_string(),
            &format!("Body {i}."),
        ),
    );
}

fn links(feed: &feed_rs::model::Feed, rel: &str) -> Vec<String> {
    feed.links
        .iter()
        .filter(|l| l.rel.as_deref() == Some(rel))
        .map(|l| l.href.clone())
        .collect()
}

#[test]
fn archives_keep_their_bytes_when_new_articles_arrive() {
    let tree = Tree::new();
    for i in 1..=25 {
        post(&tree, i);
    }
    let env = [
        ("FEEDWRIGHT_FEEDS_LIMIT", "5"),
        ("FEEDWRIGHT_FEEDS_ARCHIVE_PAGE_SIZE", "10"),
    ];
    let server = Server::start_with_env(&tree.content(), &[], &env);

    // 25 articles, 10 per archive: archives 1 and 2 complete; the tail (5) fits in the
    // subscription feed.
    for (feed, file) in [("/feed.xml", "feed.xml"), ("/atom.xml", "atom.xml")] {
        let sub = server.get(feed);
        let parsed = parse_feed(&sub.body);
        assert_eq!(entry_titles(&parsed).len(), 5);
        assert_eq!(
            links(&parsed, "prev-archive"),
            [format!("https://example.com/archive/2/{file}")]
        );
        assert_eq!(sub.header("cache-control"), Some("public, max-age=300"));
        assert!(!sub.text().contains("fh:complete"));
    }
    let first = server.get("/archive/1/atom.xml");
    assert_eq!(first.status, 200);
    assert_eq!(first.header("cache-control"), Some(IMMUTABLE));
    let parsed = parse_feed(&first.body);
    let names = entry_titles(&parsed);
    assert_eq!(names.first().map(String::as_str), Some("Post 10"));
    assert_eq!(names.last().map(String::as_str), Some("Post 1"));
    assert!(first.text().contains("<fh:archive"), "{}", first.text());
    assert_eq!(links(&parsed, "current"), ["https://example.com/atom.xml"]);
    assert!(links(&parsed, "prev-archive").is_empty());
    assert_eq!(
        links(&parsed, "next-archive"),
        ["https://example.com/archive/2/atom.xml"]
    );
    assert_eq!(server.get("/archive/3/feed.xml").status, 404);
    assert_eq!(server.get("/archive/3-5/feed.xml").status, 404);

    let paths = [
        "/archive/1/feed.xml",
        "/archive/1/atom.xml",
        "/archive/2/feed.xml",
        "/archive/2/atom.xml",
    ];
    let before: Vec<_> = paths
        .iter()
        .map(|p| {
            let r = server.get(p);
            (
                r.body.clone(),
                r.header("etag").map(str::to_string),
                r.header("last-modified").map(str::to_string),
            )
        })
        .collect();

    // 50 new articles and 3 more: 78 in all, archives 1–7 complete, and a tail of 8, more
    // than the feed's 5, at an address of its own.
    for i in 26..=78 {
        post(&tree, i);
    }
    let ok = wait_until(Duration::from_secs(15), || {
        titles(&server, "/feed.xml").first().map(String::as_str) == Some("Post 78")
    });
    assert!(ok, "{:#?}", server.log());
    for (path, old) in paths.iter().zip(&before) {
        let r = server.get(path);
        let now = (
            r.body.clone(),
            r.header("etag").map(str::to_string),
            r.header("last-modified").map(str::to_string),
        );
        assert!(now == *old, "{path} changed");
        assert_eq!(r.header("cache-control"), Some(IMMUTABLE), "{path}");
    }
    // Archive 3 filled up: complete now, and immutable.
    let third = server.get("/archive/3/feed.xml");
    assert_eq!(third.header("cache-control"), Some(IMMUTABLE));
    let third = parse_feed(&third.body);
    assert_eq!(entry_titles(&third).len(), 10);
    assert_eq!(
        links(&third, "next-archive"),
        ["https://example.com/archive/4/feed.xml"]
    );
    let sub = parse_feed(&server.get("/feed.xml").body);
    assert_eq!(
        links(&sub, "prev-archive"),
        ["https://example.com/archive/8-8/feed.xml"]
    );
    let tail = server.get("/archive/8-8/feed.xml");
    assert_eq!(tail.header("cache-control"), Some("public, max-age=300"));
    let tail = parse_feed(&tail.body);
    assert_eq!(entry_titles(&tail).len(), 8);
    assert_eq!(
        links(&tail, "prev-archive"),
        ["https://example.com/archive/7/feed.xml"]
    );
    assert!(links(&tail, "next-archive").is_empty());

    // Every article is in the subscription feed or an archive, walking prev-archive.
    let mut seen = std::collections::BTreeSet::new();
    let mut next = Some("/atom.xml".to_string());
    while let Some(path) = next {
        let feed = parse_feed(&server.get(&path).body);
        seen.extend(entry_titles(&feed));
        next = links(&feed, "prev-archive")
            .first()
            .map(|u| u.trim_start_matches("https://example.com").to_string());
    }
    assert_eq!(seen.len(), 78);

    // Editing an old article changes its archive (new content), and only that one.
    tree.write(
        "posts/p003.md",
        &article("Post 3 (edited)", "2020-01-04", "Body 3, again."),
    );
    let ok = wait_until(Duration::from_secs(10), || {
        server
            .get("/archive/1/feed.xml")
            .text()
            .contains("Post 3 (edited)")
    });
    assert!(ok);
    assert_eq!(server.get("/archive/2/feed.xml").body, before[2].0);
}

#[test]
fn archives_a_small_site_is_complete_and_build_writes_archives() {
    let tree = Tree::new();
    for i in 1..=3 {
        post(&tree, i);
    }
    let server = Server::start(&tree.content(), &[]);
    for feed in ["/feed.xml", "/atom.xml"] {
        let text = server.get(feed).text();
        assert!(text.contains("<fh:complete"), "{text}");
        assert!(text.contains("xmlns:fh=\"http://purl.org/syndication/history/1.0\""));
    }
    assert_eq!(server.get("/archive/1/feed.xml").status, 404);
    drop(server);

    for i in 4..=12 {
        post(&tree, i);
    }
    let out = tree.out();
    let run = tree.run(&[
        "--base-url",
        "https://example.com/",
        "build",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    // FEEDWRIGHT_* is not inherited here: the defaults (limit 20, pages of 50) hold 12.
    assert!(!out.join("archive").exists());
    let run = std::process::Command::new(bin())
        .args(["--content", tree.content().to_str().expect("utf-8")])
        .args(["--base-url", "https://example.com/", "build", "--out"])
        .arg(&out)
        .env("FEEDWRIGHT_FEEDS_LIMIT", "2")
        .env("FEEDWRIGHT_FEEDS_ARCHIVE_PAGE_SIZE", "5")
        .output()
        .expect("build");
    assert!(run.status.success(), "{}", text(&run.stderr));
    for n in 1..=2 {
        for file in ["feed.xml", "atom.xml"] {
            let path = out.join(format!("archive/{n}/{file}"));
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            parse_feed(&bytes);
        }
    }
    assert!(!out.join("archive/3").exists());
    let sub = std::fs::read_to_string(out.join("feed.xml")).expect("feed");
    assert!(
        sub.contains("https://example.com/archive/2/feed.xml\" rel=\"prev-archive\""),
        "{sub}"
    );
}
