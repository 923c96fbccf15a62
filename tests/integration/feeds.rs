//! The feeds themselves: every field checked with an independent parser (`feed-rs`),
//! identity stability, ordering, limits, byte-for-byte determinism, and snapshots of the
//! bundled sample content.

use std::path::Path;

use crate::support::*;

fn rich_tree() -> Tree {
    let tree = Tree::new();
    tree.write(
        "posts/2024-03-05-rich.md",
        "---\ntitle: \"Rich: <div> & more\"\ndate: 2024-03-05T10:00:00+02:00\nupdated: 2024-03-06T12:00:00Z\n\
tags: [alpha, beta]\nauthor: {name: Ada Example, email: ada@example.com}\nimage: lead.jpg\nimage_alt: Lead\n---\n\
First paragraph with a [relative link](../other/) and ![pic](img/p.png).\n\n<!-- more -->\n\nSecond part with a footnote[^1].\n\n[^1]: The note.\n",
    );
    tree.write(
        "notes/plain.md",
        "---\ntitle: Plain\ndate: 2024-01-01\nsummary: Given summary.\n---\nBody text.\n",
    );
    tree.write("link.md", "---\ntitle: Elsewhere\ndate: 2023-06-01\nlink: https://other.example/page\n---\nWhy it matters.\n");
    tree
}

#[test]
fn feeds_rss_fields_parse_with_feed_rs() {
    let tree = rich_tree();
    tree.build();
    let feed = parse_feed(tree.read_out("feed.xml").as_bytes());
    assert_eq!(
        entry_titles(&feed),
        vec!["Rich: <div> & more", "Plain", "Elsewhere"]
    );
    let rich = &feed.entries[0];
    assert_eq!(rich.id, "tag:example.com,2024-03-05:rich");
    assert_eq!(rich.links[0].href, "https://example.com/posts/rich/");
    assert_eq!(
        rich.published.unwrap().to_rfc3339(),
        "2024-03-05T08:00:00+00:00"
    );
    let cats: Vec<_> = rich.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(cats, vec!["alpha", "beta"]);
    let summary = &rich.summary.as_ref().unwrap().content;
    assert!(
        summary.contains("https://example.com/posts/other/"),
        "{summary}"
    );
    assert!(!summary.contains("Second part"), "{summary}");
    let content = rich.content.as_ref().unwrap().body.clone().unwrap();
    assert!(
        content.contains("https://example.com/posts/rich/lead.jpg"),
        "{content}"
    );
    assert!(
        content.contains("https://example.com/posts/rich/img/p.png"),
        "{content}"
    );
    assert!(content.contains("Second part"), "{content}");
    assert!(
        rich.authors
            .iter()
            .any(|a| a.name.as_deref().unwrap_or("").contains("Ada Example")),
        "{:?}",
        rich.authors
    );
    let plain = &feed.entries[1];
    assert_eq!(plain.summary.as_ref().unwrap().content, "Given summary.");
    assert_eq!(feed.entries[2].links[0].href, "https://other.example/page");
    let rss = tree.read_out("feed.xml");
    assert!(rss.contains(r#"<atom:link href="https://example.com/feed.xml" rel="self" type="application/rss+xml"/>"#), "{rss}");
    assert!(
        rss.contains("<lastBuildDate>Wed, 6 Mar 2024 12:00:00 +0000</lastBuildDate>"),
        "{rss}"
    );
}

#[test]
fn feeds_atom_fields_parse_with_feed_rs() {
    let tree = rich_tree();
    tree.build();
    let xml = tree.read_out("atom.xml");
    let feed = parse_feed(xml.as_bytes());
    assert_eq!(
        feed.updated.unwrap().to_rfc3339(),
        "2024-03-06T12:00:00+00:00"
    );
    let rich = &feed.entries[0];
    assert_eq!(rich.id, "tag:example.com,2024-03-05:rich");
    assert_eq!(
        rich.updated.unwrap().to_rfc3339(),
        "2024-03-06T12:00:00+00:00"
    );
    assert_eq!(
        rich.published.unwrap().to_rfc3339(),
        "2024-03-05T08:00:00+00:00"
    );
    assert!(rich.summary.is_some() && rich.content.is_some());
    assert!(
        xml.contains(r#"<summary type="html">"#) && xml.contains(r#"<content type="html">"#),
        "{xml}"
    );
    assert!(xml.contains(r#"rel="self""#) && xml.contains("https://example.com/atom.xml"));
    // Footnote ids are prefixed per article so two entries never collide in a reader.
    let content = rich.content.as_ref().unwrap().body.clone().unwrap();
    assert!(content.contains("fn-rich-"), "{content}");
}

#[test]
fn feeds_ids_survive_title_tag_body_folder_and_base_path_changes() {
    let tree = Tree::new();
    tree.write("a/2024-05-01-keep.md", "---\ntitle: One\n---\nBody one.\n");
    tree.build();
    let before = parse_feed(tree.read_out("atom.xml").as_bytes()).entries[0]
        .id
        .clone();
    std::fs::remove_dir_all(tree.path("a")).unwrap();
    tree.write(
        "b/2024-05-01-keep.md",
        "---\ntitle: Two\ntags: [x]\nupdated: 2024-06-01\n---\nBody two.\n",
    );
    let out = tree.out();
    let o = tree.run(&[
        "--base-url",
        "https://example.com/sub/path/",
        "build",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let after = parse_feed(tree.read_out("atom.xml").as_bytes()).entries[0]
        .id
        .clone();
    assert_eq!(before, after);
    assert_eq!(after, "tag:example.com,2024-05-01:keep");
}

#[test]
fn feeds_limit_and_order_newest_first_with_id_tie_break() {
    let tree = Tree::new();
    for (name, date) in [
        ("c", "2024-01-02"),
        ("b", "2024-01-02"),
        ("a", "2024-01-01"),
        ("d", "2023-12-31"),
    ] {
        tree.write(&format!("{name}.md"), &article(name, date, "x"));
    }
    let config = tree.tmp.path().join("c.yaml");
    std::fs::write(&config, "feeds:\n  limit: 3\n").unwrap();
    let out = tree.out();
    let o = tree.run(&[
        "--config",
        config.to_str().unwrap(),
        "build",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    for name in ["feed.xml", "atom.xml"] {
        let f = parse_feed(tree.read_out(name).as_bytes());
        assert_eq!(entry_titles(&f), vec!["b", "c", "a"], "{name}");
    }
}

fn copy_tree(from: &Path, to: &Path, reverse: bool) {
    let mut entries: Vec<_> = walk(from);
    if reverse {
        entries.reverse();
    }
    for rel in entries {
        let dest = to.join(&rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&rel), &dest).unwrap();
    }
}

fn walk(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in std::fs::read_dir(root.join(&rel)).unwrap() {
            let e = e.unwrap();
            let r = rel.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                stack.push(r);
            } else {
                out.push(r);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn feeds_are_byte_identical_across_copies_mtimes_and_creation_order() {
    let source = rich_tree();
    for i in 0..12 {
        source.write(
            &format!("more/{i:02}.md"),
            &article(&format!("Same day {i}"), "2024-02-02", "Tie."),
        );
    }
    let a = Tree::new();
    let b = Tree::new();
    copy_tree(&source.content(), &a.content(), false);
    std::thread::sleep(std::time::Duration::from_millis(20));
    copy_tree(&source.content(), &b.content(), true);
    a.build();
    b.build();
    for name in ["feed.xml", "atom.xml", "index.html"] {
        assert_eq!(a.read_out(name), b.read_out(name), "{name} differs");
    }
    // And again later: no clock in the output.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let first = a.read_out("atom.xml");
    a.build();
    assert_eq!(first, a.read_out("atom.xml"));
}

/// The bundled sample content, built with built-in defaults: any byte change is reviewed.
#[test]
fn feeds_sample_content_snapshots() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run(&[
        "--content",
        repo.join("content").to_str().unwrap(),
        "build",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let rss = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    let atom = std::fs::read_to_string(out.join("atom.xml")).unwrap();
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    let json = std::fs::read_to_string(out.join("feed.json")).unwrap();
    for xml in [&rss, &atom, &json] {
        let feed = parse_feed(xml.as_bytes());
        let titles = entry_titles(&feed);
        assert_eq!(titles.len(), 6, "{titles:?}");
        assert!(
            !titles
                .iter()
                .any(|t| t.contains("Unfinished") || t.contains("future")),
            "{titles:?}"
        );
    }
    insta::assert_snapshot!("sample_rss", rss);
    insta::assert_snapshot!("sample_atom", atom);
    insta::assert_snapshot!("sample_index", index);
    insta::assert_snapshot!("sample_json", json);
}
