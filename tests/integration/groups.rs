//! Group feeds (SPEC §12): per-tag, per-section and per-author RSS and Atom feeds served
//! by the daemon and written by `build`, their index pages and autodiscovery links on `/`,
//! the slug rule (case and accents fold; spellings sharing a slug share a feed and `check`
//! says so), drafts-only tags without a feed, and live edits reaching the tag feed.

use std::time::Duration;

use crate::support::*;

fn post(title: &str, date: &str, tags: &str, author: &str, body: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\ndate: {date}\ntags: [{tags}]\nauthor: {author}\n---\n{body}\n"
    )
}

fn tree() -> Tree {
    let tree = Tree::new();
    tree.write(
        "posts/a.md",
        &post(
            "Alpha",
            "2024-01-03",
            "Rust, Café",
            "Amélie Durand",
            "Alpha body.",
        ),
    );
    tree.write(
        "posts/b.md",
        &post("Beta", "2024-01-02", "rust, cafe", "Ada", "Beta body."),
    );
    tree.write(
        "notes/c.md",
        &post("Gamma", "2024-01-01", "CAFÉ, travel", "Ada", "Gamma body."),
    );
    tree.write(
        "posts/draft.md",
        "---\ntitle: Draft\ndate: 2024-01-04\ntags: [secret-plans, rust]\ndraft: true\n---\nDraft body.\n",
    );
    tree
}

#[test]
fn groups_serve_tag_section_and_author_feeds_in_both_formats() {
    let tree = tree();
    let server = Server::start(&tree.content(), &[]);
    for (path, want) in [
        ("/tags/rust/feed.xml", vec!["Alpha", "Beta"]),
        ("/tags/rust/atom.xml", vec!["Alpha", "Beta"]),
        // Café, cafe and CAFÉ: one slug, one feed.
        ("/tags/cafe/feed.xml", vec!["Alpha", "Beta", "Gamma"]),
        ("/tags/travel/atom.xml", vec!["Gamma"]),
        ("/sections/posts/feed.xml", vec!["Alpha", "Beta"]),
        ("/sections/notes/atom.xml", vec!["Gamma"]),
        ("/authors/ada/feed.xml", vec!["Beta", "Gamma"]),
        ("/authors/amelie-durand/atom.xml", vec!["Alpha"]),
        // JSON Feed beside them (feeds.json_path on by default).
        ("/tags/rust/feed.json", vec!["Alpha", "Beta"]),
        ("/sections/notes/feed.json", vec!["Gamma"]),
        ("/authors/ada/feed.json", vec!["Beta", "Gamma"]),
    ] {
        assert_eq!(titles(&server, path), want, "{path}");
    }
    // The feed's own title and self link name the group.
    let rss = server.get("/tags/rust/feed.xml");
    let feed = parse_feed(&rss.body);
    let title = feed.title.map(|t| t.content).unwrap_or_default();
    assert!(
        title.ends_with("— tag Rust") || title.ends_with("— tag rust"),
        "{title}"
    );
    assert!(rss.text().contains("/tags/rust/feed.xml\" rel=\"self\""));
    assert_eq!(
        rss.header("content-type"),
        Some("application/rss+xml; charset=utf-8")
    );
    // Compressed on first request; the same entity in every coding.
    for coding in ["gzip", "br"] {
        let r = server.request("GET", "/tags/rust/atom.xml", &[("accept-encoding", coding)]);
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-encoding"), Some(coding));
        let etag = r.header("etag").unwrap_or_default().to_string();
        let again = server.request(
            "GET",
            "/tags/rust/atom.xml",
            &[("accept-encoding", coding), ("if-none-match", &etag)],
        );
        assert_eq!(again.status, 304, "{coding}");
    }
    let json = server.get("/tags/cafe/feed.json");
    assert_eq!(json.header("content-type"), Some("application/feed+json"));
    let value: serde_json::Value = serde_json::from_slice(&json.body).expect("JSON");
    assert_eq!(value["version"], "https://jsonfeed.org/version/1.1");
    assert!(value["feed_url"]
        .as_str()
        .is_some_and(|u| u.ends_with("/tags/cafe/feed.json")));
    assert_eq!(value["items"].as_array().map(Vec::len), Some(3));
    // A tag only a draft uses has no feed; an unknown group neither.
    for path in [
        "/tags/secret-plans/feed.xml",
        "/tags/secret-plans/atom.xml",
        "/tags/nope/feed.xml",
    ] {
        assert_eq!(server.get(path).status, 404, "{path}");
    }
    assert!(!server.get("/tags/").text().contains("secret-plans"));
}

#[test]
fn groups_index_pages_and_autodiscovery() {
    let tree = tree();
    let server = Server::start(&tree.content(), &[]);
    let home = server.get("/").text();
    for href in [
        "/tags/rust/feed.xml",
        "/tags/cafe/atom.xml",
        "/sections/notes/feed.xml",
        "/authors/ada/atom.xml",
    ] {
        assert!(
            home.lines()
                .any(|l| l.starts_with("<link rel=\"alternate\"") && l.contains(href)),
            "{href} not discoverable on /: {home}"
        );
    }
    let tags = server.get("/tags/");
    assert_eq!(tags.status, 200);
    assert_eq!(
        tags.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let tags = tags.text();
    assert!(
        tags.contains("<tr><td>rust</td><td>2</td>")
            || tags.contains("<tr><td>Rust</td><td>2</td>"),
        "{tags}"
    );
    assert!(
        tags.contains("<td>3</td>"),
        "cafe counts its three articles: {tags}"
    );
    assert!(
        tags.contains("rel=\"alternate\" type=\"application/atom+xml\""),
        "{tags}"
    );
    assert!(server.get("/sections/").text().contains("notes"));
    assert!(server.get("/authors/").text().contains("Amélie Durand"));

    // More feeds of a kind than `feeds.autodiscovery_max`: `/` links its index page only.
    let few = Server::start_with_env(
        &tree.content(),
        &[],
        &[("FEEDWRIGHT_FEEDS_AUTODISCOVERY_MAX", "1")],
    );
    let home = few.get("/").text();
    assert!(!home.contains("/tags/rust/feed.xml"), "{home}");
    assert!(home.contains("/tags/\">Tags</a>"), "{home}");
}

#[test]
fn groups_kinds_switch_off_and_move() {
    let tree = tree();
    let server = Server::start_with_env(
        &tree.content(),
        &[],
        &[
            ("FEEDWRIGHT_FEEDS_TAG_PATH", "/topics/{tag}/"),
            ("FEEDWRIGHT_FEEDS_AUTHOR_PATH", ""),
        ],
    );
    assert_eq!(
        titles(&server, "/topics/rust/feed.xml"),
        vec!["Alpha", "Beta"]
    );
    assert_eq!(server.get("/topics/").status, 200);
    for gone in ["/tags/rust/feed.xml", "/authors/ada/feed.xml", "/authors/"] {
        assert_eq!(server.get(gone).status, 404, "{gone}");
    }
    assert!(!server.get("/").text().contains("/authors/"));
}

#[test]
fn groups_check_reports_slug_collisions() {
    let tree = tree();
    let out = tree.run(&["check"]);
    let report = text(&out.stdout) + &text(&out.stderr);
    assert!(
        report.contains("tag `Café` and tag `CAFÉ`") || report.contains("`cafe`"),
        "{report}"
    );
    let collision = report
        .lines()
        .find(|l| l.contains("have the same slug `cafe`"))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(collision.contains("warning"), "{collision}");
    assert!(collision.contains("/tags/cafe/"), "{collision}");
    // Both spellings and a file of each are named.
    assert!(collision.contains(".md"), "{collision}");
}

#[test]
fn groups_build_writes_every_group_feed() {
    let tree = tree();
    tree.build();
    for file in [
        "tags/rust/feed.xml",
        "tags/cafe/atom.xml",
        "sections/notes/feed.xml",
        "authors/ada/atom.xml",
    ] {
        let feed = parse_feed(tree.read_out(file).as_bytes());
        assert!(!feed.entries.is_empty(), "{file}");
    }
    assert!(tree.read_out("tags/index.html").contains("rust"));
    assert!(!tree.out().join("tags/secret-plans").exists());
}

#[test]
fn groups_follow_edits_under_the_running_daemon() {
    let tree = tree();
    let server = Server::start(&tree.content(), &[]);
    assert_eq!(titles(&server, "/tags/travel/feed.xml"), vec!["Gamma"]);
    let before = server
        .get("/tags/travel/feed.xml")
        .header("etag")
        .map(str::to_string);
    // An edit of a member: its tag feed shows it; a feed it is not in keeps its ETag.
    let rust_etag = server
        .get("/tags/rust/atom.xml")
        .header("etag")
        .map(str::to_string);
    tree.atomic_save(
        "notes/c.md",
        &post(
            "Gamma edited",
            "2024-01-01",
            "CAFÉ, travel",
            "Ada",
            "Gamma body, edited.",
        ),
    );
    let ok = wait_until(Duration::from_secs(5), || {
        titles(&server, "/tags/travel/feed.xml") == vec!["Gamma edited"]
    });
    assert!(ok, "log: {:#?}", server.log());
    assert!(server
        .get("/tags/travel/atom.xml")
        .text()
        .contains("Gamma body, edited."));
    assert_ne!(
        server
            .get("/tags/travel/feed.xml")
            .header("etag")
            .map(str::to_string),
        before
    );
    assert_eq!(
        server
            .get("/tags/rust/atom.xml")
            .header("etag")
            .map(str::to_string),
        rust_etag
    );
    // A new tag appears; a tag whose last article leaves it disappears.
    tree.atomic_save(
        "notes/c.md",
        &post("Gamma moved", "2024-01-01", "hiking", "Ada", "Gamma body."),
    );
    let ok = wait_until(Duration::from_secs(5), || {
        server.get("/tags/travel/feed.xml").status == 404
            && server.get("/tags/hiking/feed.xml").status == 200
    });
    assert!(ok, "log: {:#?}", server.log());
    assert_eq!(
        titles(&server, "/tags/hiking/atom.xml"),
        vec!["Gamma moved"]
    );
}

/// A site whose group feeds need more than a few hundred articles rendered is served its
/// site feed first: meanwhile a group feed answers 503 with `Retry-After` (never 404, which
/// a CDN could keep), and then its feed.
#[test]
fn a_large_site_serves_its_site_feed_before_its_group_feeds() {
    let tree = Tree::new();
    for i in 0..700 {
        let date = format!("2023-{:02}-{:02}", i % 12 + 1, i % 28 + 1);
        tree.write(
            &format!("posts/p{i:03}.md"),
            &post(
                &format!("P{i}"),
                &date,
                &format!("t{}", i % 40),
                "Ada",
                "Body text.",
            ),
        );
    }
    let server = Server::start(&tree.content(), &[]);
    let mut statuses = std::collections::BTreeSet::new();
    let served = wait_until(Duration::from_secs(60), || {
        let response = server.get("/tags/t7/feed.xml");
        if response.status == 503 {
            assert_eq!(response.header("retry-after"), Some("1"));
        }
        statuses.insert(response.status);
        response.status == 200
    });
    assert!(served, "statuses seen: {statuses:?}");
    assert!(
        statuses.iter().all(|s| [200, 503].contains(s)),
        "{statuses:?}"
    );
    assert!(server.logged("site feeds served"), "{:?}", server.log());
    assert!(wait_until(Duration::from_secs(60), || server.logged("content loaded")));
    let feed = parse_feed(&server.get("/tags/t7/feed.xml").body);
    assert!(!feed.entries.is_empty());
    assert_eq!(server.get("/feed.xml").status, 200);
}
