//! JSON Feed 1.1 (issue 16, item 2): `/feed.json` beside RSS and Atom, with the 1.1
//! spec's required fields, ids equal to the Atom ids, `application/feed+json`,
//! autodiscovery on `/`, and `feeds.json_path: ""` switching it off.

use crate::support::*;

/// The 1.1 spec's MUSTs, checked on the JSON as written (not through a reader library):
/// `version` is the 1.1 URL, `title` a string, `items` an array; each item has a string
/// `id` and `content_html` or `content_text`; dates are RFC 3339; every author object has
/// at least one of `name`, `url`, `avatar`; attachments have `url` and `mime_type`.
fn check_required(feed: &serde_json::Value) {
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert!(feed["title"].is_string());
    let items = feed["items"].as_array().expect("items is an array");
    for item in items {
        assert!(
            item["id"].as_str().is_some_and(|id| !id.is_empty()),
            "{item}"
        );
        assert!(
            item["content_html"].is_string() || item["content_text"].is_string(),
            "{item}"
        );
        for date in ["date_published", "date_modified"] {
            if let Some(d) = item.get(date) {
                let d = d.as_str().expect("date is a string");
                assert!(
                    chrono::DateTime::parse_from_rfc3339(d).is_ok(),
                    "{date}: {d}"
                );
            }
        }
        for author in item["authors"].as_array().into_iter().flatten() {
            assert!(
                author.get("name").is_some()
                    || author.get("url").is_some()
                    || author.get("avatar").is_some(),
                "{author}"
            );
        }
        for attachment in item["attachments"].as_array().into_iter().flatten() {
            assert!(attachment["url"].is_string() && attachment["mime_type"].is_string());
        }
        // `tags` is an array of strings when present.
        for tag in item["tags"].as_array().into_iter().flatten() {
            assert!(tag.is_string());
        }
    }
    for key in ["home_page_url", "feed_url"] {
        assert!(
            feed[key]
                .as_str()
                .is_some_and(|u| u.starts_with("https://")),
            "{key}"
        );
    }
}

#[test]
fn json_feed_is_served_beside_rss_and_atom_with_the_same_ids() {
    let tree = Tree::new();
    tree.write(
        "posts/a.md",
        "---\ntitle: \"Ups & downs\"\ndate: 2024-01-02\ntags: [rust, web]\nauthor: {name: Ada, uri: https://ada.example/}\nimage: https://example.com/a.png\n---\nSome *text* & more.\n",
    );
    tree.write(
        "links/b.md",
        "---\ntitle: Elsewhere\ndate: 2024-01-03\nlink: https://other.example/page\n---\nWorth reading.\n",
    );
    let server = Server::start(&tree.content(), &[]);
    let r = server.get("/feed.json");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/feed+json"));
    assert!(r.header("etag").is_some());
    let json: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON");
    check_required(&json);
    assert_eq!(json["feed_url"], "https://example.com/feed.json");
    assert_eq!(json["home_page_url"], "https://example.com/");

    // feed-rs reads it, and sees the same entries under the same ids as Atom.
    let from_json = parse_feed(&r.body);
    let from_atom = parse_feed(&server.get("/atom.xml").body);
    let ids = |f: &feed_rs::model::Feed| f.entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&from_json), ids(&from_atom));
    assert_eq!(entry_titles(&from_json), ["Elsewhere", "Ups & downs"]);

    let items = json["items"].as_array().expect("items");
    let link_post = &items[0];
    assert_eq!(link_post["external_url"], "https://other.example/page");
    let a = &items[1];
    assert_eq!(a["tags"], serde_json::json!(["rust", "web"]));
    assert_eq!(a["image"], "https://example.com/a.png");
    assert_eq!(a["authors"][0]["url"], "https://ada.example/");
    assert_eq!(a["summary"], "Some text & more.");

    // Compressed like the other feeds; autodiscovery on `/`.
    let gz = server.request("GET", "/feed.json", &[("accept-encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    let index = server.get("/").text();
    assert!(index.contains(
        "<link rel=\"alternate\" type=\"application/feed+json\" title=\"My feedwright site (JSON Feed)\" href=\"https://example.com/feed.json\">"
    ), "{index}");
}

#[test]
fn json_feed_can_be_switched_off_or_moved() {
    let tree = Tree::new();
    tree.write("a.md", &article("A", "2024-01-01", "Body."));
    let off = Server::start_with_env(&tree.content(), &[], &[("FEEDWRIGHT_FEEDS_JSON_PATH", "")]);
    assert_eq!(off.get("/feed.json").status, 404);
    assert!(!off.get("/").text().contains("feed+json"));
    drop(off);
    let moved = Server::start_with_env(
        &tree.content(),
        &[],
        &[("FEEDWRIGHT_FEEDS_JSON_PATH", "/feeds/all.json")],
    );
    let r = moved.get("/feeds/all.json");
    assert_eq!(r.status, 200);
    let json: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON");
    assert_eq!(json["feed_url"], "https://example.com/feeds/all.json");
    assert_eq!(moved.get("/feed.json").status, 404);
}
