//! Moving a site from another generator (SPEC §10): Jekyll/Hugo permalink patterns, the
//! `feeds.entry_id` rule, and `check --previous-feed` comparing the old feed with what
//! would be published.

use crate::support::*;

/// A Jekyll-style posts folder: two posts, one with a `uuid`.
fn jekyll_tree() -> Tree {
    let tree = Tree::new();
    tree.write(
        "_posts/2024-01-02-alpha.md",
        "---\ntitle: Alpha post\ndate: 2024-01-02 09:00:00 +0000\nuuid: 0f8fad5b-d9cb-469f-a165-70867728950e\n---\nAlpha body.\n",
    );
    tree.write(
        "_posts/2024-02-03-beta.md",
        "---\ntitle: Beta post\nuuid: 7c9e6679-7425-40de-944b-e07fc1f90ae7\n---\nBeta body.\n",
    );
    tree
}

fn config(tree: &Tree, extra: &str) -> String {
    let path = tree.tmp.path().join("config.yaml");
    std::fs::write(
        &path,
        format!(
            "site:\n  base_url: https://old.example/\ncontent:\n  permalink: \"/:year/:month/:day/:title/\"\n{extra}"
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn write_old_feed(tree: &Tree, name: &str, text: &str) -> String {
    let path = tree.tmp.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// The old site's RSS: Alpha by its permalink, Beta under an old `.html` address (found by
/// title and date), and a post that was not moved over.
const OLD_RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>Old site</title>
  <link>https://old.example/</link>
  <description>The old generator's feed</description>
  <item>
    <title>Alpha post</title>
    <link>https://old.example/2024/01/02/alpha/</link>
    <guid>https://old.example/2024/01/02/alpha/</guid>
    <pubDate>Tue, 02 Jan 2024 09:00:00 +0000</pubDate>
  </item>
  <item>
    <title>Beta  Post</title>
    <link>https://old.example/beta.html</link>
    <guid isPermaLink="false">beta-1</guid>
    <pubDate>Sat, 03 Feb 2024 10:00:00 +0000</pubDate>
  </item>
  <item>
    <title>Gamma post</title>
    <link>https://old.example/2023/12/01/gamma/</link>
    <pubDate>Fri, 01 Dec 2023 10:00:00 +0000</pubDate>
  </item>
</channel>
</rss>
"#;

#[test]
fn previous_feed_lists_changed_ids_and_links_and_unmatched_entries() {
    let tree = jekyll_tree();
    let old = write_old_feed(&tree, "old.rss", OLD_RSS);
    let cfg = config(&tree, "");
    let out = tree.run(&["--config", &cfg, "check", "--previous-feed", &old]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let content = tree.content();
    let content = content.display();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        vec![
            format!("{content}/_posts/2024-01-02-alpha.md:1:1: warning: entry id changes from the previous feed's `https://old.example/2024/01/02/alpha/` to `tag:old.example,2024-01-02:alpha`: readers would show it again as new (keep it with `id: https://old.example/2024/01/02/alpha/` or a feeds.entry_id rule)"),
            format!("{content}/_posts/2024-02-03-beta.md:1:1: warning: entry id changes from the previous feed's `beta-1` to `tag:old.example,2024-02-03:beta`: readers would show it again as new (keep it with `id: beta-1` or a feeds.entry_id rule)"),
            format!("{content}/_posts/2024-02-03-beta.md:1:1: warning: link changes from the previous feed's `https://old.example/beta.html` to `https://old.example/2024/02/03/beta/` (check content.permalink and site.base_url, or redirect the old address)"),
            format!("{old}:19:3: warning: the previous feed's entry `Gamma post` (`https://old.example/2023/12/01/gamma/`) matches no published article (not moved over, a draft, or a different title and link)"),
        ],
        "{stdout}"
    );
    assert!(
        stderr.contains("previous feed: 3 entries, 2 matched: 2 would change id, 1 would change link; 1 match no published article"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 published, 0 errors, 4 warnings"),
        "{stderr}"
    );

    // `--strict` fails on them, as on every warning.
    let out = tree.run(&[
        "--config",
        &cfg,
        "check",
        "--strict",
        "--previous-feed",
        &old,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    // The old ids kept by rule: Alpha no longer changes.
    let cfg = config(&tree, "feeds:\n  entry_id: \"{permalink}\"\n");
    let out = tree.run(&["--config", &cfg, "check", "--previous-feed", &old]);
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("alpha.md"), "{stdout}");
    assert!(
        text(&out.stderr).contains("3 entries, 2 matched: 1 would change id, 1 would change link"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn previous_atom_feed_with_uuid_ids_matches_the_uuid_rule() {
    let tree = jekyll_tree();
    let old = write_old_feed(
        &tree,
        "old.atom",
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <title>Old site</title>
  <updated>2024-02-03T10:00:00Z</updated>
  <entry>
    <id>urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7</id>
    <title>Beta post</title>
    <link href="https://old.example/2024/02/03/beta/"/>
    <updated>2024-02-03T10:00:00Z</updated>
  </entry>
  <entry>
    <id>urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e</id>
    <title>Alpha post</title>
    <link rel="alternate" href="https://old.example/2024/01/02/alpha/"/>
    <updated>2024-01-02T09:00:00Z</updated>
  </entry>
</feed>
"#,
    );
    let cfg = config(&tree, "feeds:\n  entry_id: \"urn:uuid:{uuid}\"\n");
    let out = tree.run(&["--config", &cfg, "check", "--previous-feed", &old]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("previous feed: 2 entries, 2 matched: 0 would change id, 0 would change link; 0 match no published article"),
        "{}",
        text(&out.stderr)
    );

    // The built feeds carry those ids and links.
    let outdir = tree.out();
    let out = tree.run(&["--config", &cfg, "build", "--out", outdir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let feed = parse_feed(tree.read_out("atom.xml").as_bytes());
    let ids: Vec<(&str, &str)> = feed
        .entries
        .iter()
        .map(|e| (e.id.as_str(), e.links[0].href.as_str()))
        .collect();
    assert_eq!(
        ids,
        vec![
            (
                "urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7",
                "https://old.example/2024/02/03/beta/"
            ),
            (
                "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
                "https://old.example/2024/01/02/alpha/"
            ),
        ]
    );
    let rss = parse_feed(tree.read_out("feed.xml").as_bytes());
    assert_eq!(
        rss.entries[0].id,
        "urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7"
    );

    // A post without a `uuid` is an error under that rule.
    tree.write("_posts/2024-03-04-gamma.md", "---\ntitle: Gamma\n---\nx\n");
    let out = tree.run(&["--config", &cfg, "check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("2024-03-04-gamma.md:1:1: error: missing `uuid`"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn previous_feed_that_is_no_feed_is_a_failure() {
    let tree = jekyll_tree();
    let cfg = config(&tree, "");
    let bad = write_old_feed(&tree, "old.html", "<html><body>not a feed</body></html>");
    let out = tree.run(&["--config", &cfg, "check", "--previous-feed", &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is neither RSS"),
        "{}",
        text(&out.stderr)
    );
    let missing = tree.tmp.path().join("nope.xml");
    let out = tree.run(&[
        "--config",
        &cfg,
        "check",
        "--previous-feed",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read the previous feed"));
}

#[test]
fn date_only_permalinks_work_until_two_posts_share_a_day() {
    let tree = Tree::new();
    tree.write("news/2024-01-02-a.md", &article("A", "2024-01-02", "A."));
    tree.write("news/2024-01-03-b.md", &article("B", "2024-01-03", "B."));
    let cfg = tree.tmp.path().join("config.yaml");
    std::fs::write(
        &cfg,
        "site:\n  base_url: https://example.com/\ncontent:\n  permalink: /blog/:year/:month/:day/\n",
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let out = tree.run(&["--config", cfg, "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    tree.write("news/2024-01-03-c.md", &article("C", "2024-01-03", "C."));
    let out = tree.run(&["--config", cfg, "check"]);
    assert_eq!(out.status.code(), Some(1));
    let content = tree.content();
    assert_eq!(
        text(&out.stdout).trim(),
        format!(
            "{}/news/2024-01-03-c.md:1:1: error: duplicate permalink `https://example.com/blog/2024/01/03/`: also used by news/2024-01-03-b.md, which is published instead",
            content.display()
        )
    );
}

/// `post_url` and `ref` name a post by its file; the link is the target's real permalink
/// (its own `slug` here, which the file name does not give), also after the target changes.
#[test]
fn links_by_file_name_resolve_to_the_targets_real_permalink() {
    let tree = Tree::new();
    tree.write(
        "_posts/2024-01-02-target.md",
        "---\ntitle: Target\nslug: chosen-slug\n---\nThe target.\n",
    );
    tree.write(
        "_posts/2024-02-03-linker.md",
        "---\ntitle: Linker\n---\nSee [the target]({% post_url 2024-01-02-target %}), [its part]({{< ref \"_posts/2024-01-02-target.md#part\" >}}) and [a lost one]({% post_url 2023-05-06-lost %}).\n",
    );
    let cfg = tree.tmp.path().join("config.yaml");
    std::fs::write(
        &cfg,
        "site:\n  base_url: https://example.com/\ncontent:\n  permalink: /:year/:title/\n",
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap().to_string();
    let out = tree.run(&["--config", &cfg, "check"]);
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout.trim(),
        format!(
            "{}/_posts/2024-02-03-linker.md:4:129: warning: link to `2023-05-06-lost` names no article; written as https://example.com/2023/lost/ (guessed from the name and content.permalink)",
            tree.content().display()
        )
    );
    let outdir = tree.out();
    let out = tree.run(&["--config", &cfg, "build", "--out", outdir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let feed = parse_feed(tree.read_out("atom.xml").as_bytes());
    let linker = feed
        .entries
        .iter()
        .find(|e| e.title.as_ref().unwrap().content == "Linker")
        .unwrap();
    let html = linker.content.as_ref().unwrap().body.clone().unwrap();
    assert!(
        html.contains("href=\"https://example.com/2024/chosen-slug/\"")
            && html.contains("href=\"https://example.com/2024/chosen-slug/#part\"")
            && html.contains("href=\"https://example.com/2023/lost/\"")
            && !html.contains("/2024/target/"),
        "{html}"
    );

    // The daemon follows the target: a new slug changes the linking entry too.
    let server = Server::start(&tree.content(), &["--config", &cfg]);
    let linked = |slug: &str| {
        let feed = parse_feed(&server.get("/atom.xml").body);
        feed.entries.iter().any(|e| {
            e.content
                .as_ref()
                .and_then(|c| c.body.as_ref())
                .is_some_and(|b| b.contains(&format!("href=\"https://example.com/2024/{slug}/\"")))
        })
    };
    assert!(linked("chosen-slug"));
    tree.atomic_save(
        "_posts/2024-01-02-target.md",
        "---\ntitle: Target\nslug: renamed\n---\nThe target.\n",
    );
    assert!(
        wait_until(std::time::Duration::from_secs(5), || linked("renamed")),
        "{:#?}",
        server.log()
    );
}
