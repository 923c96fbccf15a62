//! Podcasts (SPEC §11) with the real binary: the podcast feed carries every published
//! episode with its enclosure (length and type from the file) and `itunes:`/`podcast:`
//! tags, the site's and group feeds carry it too (JSON Feed as `attachments`), a draft's
//! media is listed nowhere, `check` reports what directories refuse, and the
//! daemon publishes an episode only once its media file is complete.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/podcast")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const CONFIG: &str = "site:\n  title: Site\n  author: {name: Jane Doe, email: jane@example.com}\nfeeds: {limit: 1}\npodcast:\n  section: episodes\n  title: The Show\n  author: Jane Doe\n  owner: {name: Jane Doe, email: jane@example.com}\n  image: cover.jpg\n  categories: [Technology, \"Society & Culture/Documentary\"]\n  media_settle_ms: 300\n";

/// A podcast with two published episodes (MP3 with a transcript, M4A in a bundle), a draft
/// and a plain post; returns the config file's path.
/// [`podcast_tree`] with a site feed long enough to hold every episode.
fn podcast_tree_every_episode_in_the_site_feed(tree: &Tree) -> PathBuf {
    let config = podcast_tree(tree);
    std::fs::write(
        &config,
        CONFIG.replace("feeds: {limit: 1}", "feeds: {limit: 10}"),
    )
    .unwrap();
    config
}

fn podcast_tree(tree: &Tree) -> PathBuf {
    let config = tree.tmp.path().join("feedwright.yaml");
    std::fs::write(&config, CONFIG).unwrap();
    tree.write_bytes("cover.jpg", &fixture("cover.jpg"));
    tree.write_bytes("episodes/ep1.mp3", &fixture("tone.mp3"));
    tree.write(
        "episodes/ep1.vtt",
        "WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n",
    );
    tree.write(
        "episodes/ep1.md",
        "---\ntitle: \"Episode 1: Hello & <welcome>\"\ndate: 2024-03-01T10:00:00Z\nenclosure: ep1.mp3\nepisode: 1\nseason: 1\ntranscript: ep1.vtt\n---\nShow notes for **episode 1**.\n",
    );
    tree.write_bytes("episodes/ep2/audio.m4a", &fixture("tone.m4a"));
    tree.write(
        "episodes/ep2/index.md",
        "---\ntitle: Episode 2\ndate: 2024-03-08T10:00:00Z\nenclosure: audio.m4a\nepisode: 2\nseason: 1\nepisode_type: bonus\nexplicit: true\nduration: 1:02:03\n---\nNotes 2.\n",
    );
    tree.write_bytes("episodes/draft.mp3", &fixture("tone-vbr.mp3"));
    tree.write(
        "episodes/draft.md",
        "---\ntitle: Draft\ndate: 2024-03-10\ndraft: true\nenclosure: draft.mp3\n---\nSecret.\n",
    );
    tree.write("post.md", &article("A post", "2024-04-01", "Text."));
    config
}

fn start(tree: &Tree, config: &Path) -> Server {
    // Media copied in just now must settle first (`media_settle_ms`).
    std::thread::sleep(Duration::from_millis(350));
    Server::start_with_env(
        &tree.content(),
        &[],
        &[("FEEDWRIGHT_CONFIG", config.to_str().unwrap())],
    )
}

/// (title, enclosure url, length, type) of each entry, through feed-rs.
fn enclosures(feed: &feed_rs::model::Feed) -> Vec<(String, String, u64, String)> {
    feed.entries
        .iter()
        .map(|e| {
            let title = e
                .title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default();
            let content = e
                .media
                .iter()
                .flat_map(|m| &m.content)
                .find(|c| c.url.is_some())
                .unwrap_or_else(|| panic!("no enclosure in {title}"));
            (
                title,
                content
                    .url
                    .as_ref()
                    .map(|u| u.to_string())
                    .unwrap_or_default(),
                content.size.unwrap_or(0),
                content
                    .content_type
                    .as_ref()
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn podcast_feed_carries_every_episode_with_enclosures_and_itunes_tags() {
    let tree = Tree::new();
    let config = podcast_tree(&tree);
    let server = start(&tree, &config);
    let r = server.get("/podcast.xml");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("application/rss+xml; charset=utf-8")
    );
    let xml = r.text();
    let feed = parse_feed(&r.body);
    // Every episode, though `feeds.limit` is 1; no draft, no plain post.
    assert_eq!(
        enclosures(&feed),
        vec![
            (
                "Episode 2".to_string(),
                "https://example.com/media/episodes/ep2/audio.m4a".to_string(),
                fixture("tone.m4a").len() as u64,
                "audio/x-m4a".to_string()
            ),
            (
                "Episode 1: Hello & <welcome>".to_string(),
                "https://example.com/media/episodes/ep1.mp3".to_string(),
                fixture("tone.mp3").len() as u64,
                "audio/mpeg".to_string()
            ),
        ]
    );
    // itunes: item fields as feed-rs reads them. Durations: the front matter's, else the
    // file's own.
    let itunes: Vec<_> = feed
        .entries
        .iter()
        .map(|e| {
            let m = e
                .media
                .iter()
                .find(|m| m.episode.is_some())
                .expect("itunes fields");
            (
                m.duration,
                m.episode.as_ref().map(|e| e.number),
                m.season.as_ref().map(|s| s.number),
            )
        })
        .collect();
    assert_eq!(
        itunes,
        vec![
            (Some(Duration::from_secs(3723)), Some(2.0), Some(1)),
            (Some(Duration::from_secs(3)), Some(1.0), Some(1)),
        ]
    );
    let categories: Vec<(String, Vec<String>)> = feed
        .categories
        .iter()
        .map(|c| {
            (
                c.term.clone(),
                c.subcategories.iter().map(|s| s.term.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        categories,
        vec![
            ("Technology".to_string(), vec![]),
            (
                "Society & Culture".to_string(),
                vec!["Documentary".to_string()]
            ),
        ]
    );
    assert!(
        feed.contributors
            .iter()
            .any(|p| p.email.as_deref() == Some("jane@example.com")),
        "itunes:owner: {:?}",
        feed.contributors
    );
    for wanted in [
        "<itunes:author>Jane Doe</itunes:author>",
        "<itunes:email>jane@example.com</itunes:email>",
        "<itunes:image href=\"https://example.com/media/cover.jpg\"/>",
        "<itunes:category text=\"Society &#x26; Culture\"><itunes:category text=\"Documentary\">",
        "<itunes:explicit>false</itunes:explicit>",
        "<itunes:explicit>true</itunes:explicit>",
        "<itunes:type>episodic</itunes:type>",
        "<itunes:episode>2</itunes:episode>",
        "<itunes:season>1</itunes:season>",
        "<itunes:episodeType>bonus</itunes:episodeType>",
        "<podcast:locked owner=\"jane@example.com\">yes</podcast:locked>",
        // UUIDv5 of `example.com/podcast.xml` in the Podcasting 2.0 namespace.
        "<podcast:guid>8d435561-be52-5398-9646-b8b0c9abb123</podcast:guid>",
        "<podcast:transcript type=\"text/vtt\" url=\"https://example.com/media/episodes/ep1.vtt\">",
    ] {
        assert!(xml.contains(wanted), "{wanted} not in {xml}");
    }

    // The site's own feeds: the newest article only (`feeds.limit: 1`); with a larger
    // window the episodes carry their enclosure there too.
    assert_eq!(titles(&server, "/feed.xml"), vec!["A post"]);
    for path in ["/feed.xml", "/atom.xml", "/podcast.xml"] {
        let body = server.get(path).text();
        assert!(
            !body.contains("draft.mp3") && !body.contains("Secret"),
            "{path}: {body}"
        );
    }
}

#[test]
fn site_feeds_carry_episode_enclosures() {
    let tree = Tree::new();
    let config = podcast_tree_every_episode_in_the_site_feed(&tree);
    let out = tree.out();
    let output = tree.run(&[
        "--config",
        config.to_str().unwrap(),
        "--base-url",
        "https://example.com/",
        "build",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let rss = parse_feed(tree.read_out("feed.xml").as_bytes());
    let with_media: Vec<_> = rss.entries.iter().filter(|e| !e.media.is_empty()).collect();
    assert_eq!(with_media.len(), 2);
    let atom = tree.read_out("atom.xml");
    let link = format!(
        "<link href=\"https://example.com/media/episodes/ep1.mp3\" rel=\"enclosure\" type=\"audio/mpeg\" length=\"{}\"/>",
        fixture("tone.mp3").len()
    );
    assert!(atom.contains(&link), "{atom}");
    let atom = parse_feed(atom.as_bytes());
    let enclosure_links = atom
        .entries
        .iter()
        .flat_map(|e| &e.links)
        .filter(|l| l.rel.as_deref() == Some("enclosure") && l.length.is_some());
    assert_eq!(enclosure_links.count(), 2);
    // `build` writes the podcast feed at its path, the same bytes the daemon serves.
    assert!(tree
        .read_out("podcast.xml")
        .contains("<itunes:type>episodic</itunes:type>"));
}

#[test]
fn check_reports_what_directories_refuse() {
    let tree = Tree::new();
    let config = podcast_tree(&tree);
    let run_check = |config: &Path| {
        let out = tree.run(&["--config", config.to_str().unwrap(), "check"]);
        (out.status.code(), text(&out.stdout))
    };
    let (code, stdout) = run_check(&config);
    assert_eq!(code, Some(0), "{stdout}");

    let broken = tree.tmp.path().join("broken.yaml");
    std::fs::write(
        &broken,
        CONFIG
            .replace(
                "owner: {name: Jane Doe, email: jane@example.com}",
                "owner: Jane Doe",
            )
            .replace("[Technology, \"Society & Culture/Documentary\"]", "[Tech]")
            .replace("image: cover.jpg", "image: small.png"),
    )
    .unwrap();
    tree.write_bytes("small.png", &fixture("cover.jpg")[..0]);
    tree.write_bytes("episodes/ep2/audio.m4a", b"");
    tree.write(
        "episodes/ep3.md",
        "---\ntitle: No media\ndate: 2024-03-20\nepisode: 1\nseason: 1\n---\nx\n",
    );
    let (code, stdout) = run_check(&broken);
    assert_eq!(code, Some(1), "{stdout}");
    let content = tree.content();
    let at = |rel: &str| format!("{}:1:1:", content.join(rel).display());
    for (file, wanted) in [
        (
            "episodes",
            "error: `podcast.categories[0]`: `Tech` is not on Apple Podcasts' category list",
        ),
        ("episodes", "error: `podcast.owner` needs an email"),
        (
            "small.png",
            "error: `podcast.image`: `small.png`: the file is empty",
        ),
        (
            "episodes/ep2/index.md",
            "error: `enclosure`: media file `episodes/ep2/audio.m4a`: the file is empty",
        ),
        ("episodes/ep3.md", "error: episode without media"),
        (
            "episodes/ep3.md",
            "warning: `episode`: number 1 in season 1 is also used by episodes/ep1.md",
        ),
    ] {
        let line = format!("{} {wanted}", at(file));
        assert!(
            stdout.lines().any(|l| l.starts_with(&line)),
            "{line}\nnot in:\n{stdout}"
        );
    }
}

/// Polls the podcast feed until `check` holds on its body.
fn podcast_eventually(server: &Server, what: &str, mut check: impl FnMut(&str) -> bool) {
    let mut last = String::new();
    let ok = wait_until(Duration::from_secs(8), || {
        last = server.get("/podcast.xml").text();
        check(&last)
    });
    assert!(ok, "{what}: {last}\nlog: {:#?}", server.log());
}

#[test]
fn an_episode_is_published_once_its_media_file_is_complete() {
    let tree = Tree::new();
    let config = podcast_tree(&tree);
    let server = start(&tree, &config);
    assert!(server.get("/podcast.xml").text().contains("Episode 2"));

    // The article first, then its media copied in slowly, the file held open.
    tree.write(
        "episodes/ep3.md",
        "---\ntitle: Episode 3\ndate: 2024-03-15T10:00:00Z\nenclosure: ep3.mp3\nepisode: 3\n---\nThree.\n",
    );
    let media = fixture("tone-vbr.mp3");
    let mut file = std::fs::File::create(tree.path("episodes/ep3.mp3")).unwrap();
    let started = Instant::now();
    for chunk in media.chunks(media.len() / 6 + 1) {
        file.write_all(chunk).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
        let xml = server.get("/podcast.xml").text();
        assert!(
            !xml.contains("Episode 3"),
            "published while being copied ({:?} in)",
            started.elapsed()
        );
        assert!(!server.get("/feed.xml").text().contains("Episode 3"));
    }
    drop(file);
    let length = format!("length=\"{}\"", media.len());
    podcast_eventually(&server, "published once complete", |xml| {
        xml.contains("Episode 3") && xml.contains(&length)
    });

    // Replaced by another file: the feed gives the new length (the media file alone
    // changed, no article).
    let bigger = fixture("tone.m4a");
    let tmp = tree.path("episodes/.ep3.mp3.part");
    std::fs::write(&tmp, &bigger).unwrap();
    std::fs::rename(&tmp, tree.path("episodes/ep3.mp3")).unwrap();
    let length = format!("length=\"{}\" type=\"audio/x-m4a\"", bigger.len());
    podcast_eventually(&server, "new length after replacing", |xml| {
        xml.contains(&length)
    });

    // Deleted: the episode leaves the feeds.
    tree.remove("episodes/ep3.mp3");
    podcast_eventually(&server, "gone with its media", |xml| {
        !xml.contains("Episode 3") && xml.contains("Episode 2")
    });
}

/// Only the media of published episodes is served at `/media/`; a draft's is 404.
#[test]
fn only_the_media_of_published_episodes_is_served() {
    let tree = Tree::new();
    let config = podcast_tree(&tree);
    let server = start(&tree, &config);
    let ep1 = server.get("/media/episodes/ep1.mp3");
    assert_eq!(ep1.status, 200);
    assert_eq!(ep1.body, fixture("tone.mp3"));
    assert_eq!(ep1.header("content-type"), Some("audio/mpeg"));
    assert_eq!(server.get("/media/episodes/ep1.vtt").status, 200);
    assert_eq!(server.get("/media/cover.jpg").status, 200);
    // A draft's media, an article, a file no episode references: never served.
    for path in [
        "/media/episodes/draft.mp3",
        "/media/episodes/ep1.md",
        "/media/post.md",
    ] {
        assert_eq!(server.get(path).status, 404, "{path}");
    }
    // Unpublished (made a draft): its media is no longer served.
    tree.write(
        "episodes/ep1.md",
        "---\ntitle: Episode 1\ndate: 2024-03-01T10:00:00Z\ndraft: true\nenclosure: ep1.mp3\n---\nx\n",
    );
    assert!(wait_until(Duration::from_secs(5), || server
        .get("/media/episodes/ep1.mp3")
        .status
        == 404));
}

/// JSON Feed attachments (SPEC §12): each episode's media, in the site's `/feed.json` and in
/// a group feed's JSON (items written once and shared), as serde_json and feed-rs read them.
#[test]
fn json_feeds_carry_episode_media_as_attachments() {
    let tree = Tree::new();
    let config = podcast_tree_every_episode_in_the_site_feed(&tree);
    let server = start(&tree, &config);
    let mp3_len = fixture("tone.mp3").len() as u64;
    let m4a_len = fixture("tone.m4a").len() as u64;
    for path in ["/feed.json", "/sections/episodes/feed.json"] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}");
        let json: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON");
        let attachments = |title: &str| {
            let item = json["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|i| i["title"] == title)
                .unwrap_or_else(|| panic!("{path}: no item {title}"));
            item["attachments"].clone()
        };
        let ep1 = attachments("Episode 1: Hello & <welcome>");
        assert_eq!(ep1.as_array().map(Vec::len), Some(1), "{path}: {ep1}");
        assert_eq!(ep1[0]["url"], "https://example.com/media/episodes/ep1.mp3");
        assert_eq!(ep1[0]["mime_type"], "audio/mpeg");
        assert_eq!(ep1[0]["size_in_bytes"], mp3_len);
        // The MP3's own duration (whole seconds, at least one).
        assert!(
            ep1[0]["duration_in_seconds"]
                .as_u64()
                .is_some_and(|s| s >= 1),
            "{path}: {ep1}"
        );
        let ep2 = attachments("Episode 2");
        assert_eq!(
            ep2,
            serde_json::json!([{
                "url": "https://example.com/media/episodes/ep2/audio.m4a",
                "mime_type": "audio/x-m4a",
                "size_in_bytes": m4a_len,
                "duration_in_seconds": 3723
            }]),
            "{path}"
        );
        // A plain post has none: the key is left out.
        if path == "/feed.json" {
            assert!(attachments("A post").is_null(), "{path}");
        }
        // feed-rs reads an attachment as a link with the media type and length.
        let feed = parse_feed(&r.body);
        let mut links: Vec<(String, String, Option<u64>)> = feed
            .entries
            .iter()
            .flat_map(|e| &e.links)
            .filter(|l| l.href.contains("/media/"))
            .map(|l| {
                (
                    l.href.clone(),
                    l.media_type.clone().unwrap_or_default(),
                    l.length,
                )
            })
            .collect();
        links.sort();
        assert_eq!(
            links,
            vec![
                (
                    "https://example.com/media/episodes/ep1.mp3".to_string(),
                    "audio/mpeg".to_string(),
                    Some(mp3_len)
                ),
                (
                    "https://example.com/media/episodes/ep2/audio.m4a".to_string(),
                    "audio/x-m4a".to_string(),
                    Some(m4a_len)
                ),
            ],
            "{path}"
        );
    }
}
