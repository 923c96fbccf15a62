//! SPEC §8: every kind of bad content gets a located message from `check`, `build` still
//! publishes every good article, the feeds stay valid, and nothing of a draft, a future
//! article or an outside file leaks.

use crate::support::*;

const GOOD: &str = "---\ntitle: The good one\ndate: 2024-01-01\n---\nGood body.\n";

/// One bad file next to a good one: check names it at `line:col`, build publishes the good.
fn assert_rejected(rel: &str, bytes: &[u8], expect_line: usize, expect_words: &[&str]) {
    let tree = Tree::new();
    tree.write("good.md", GOOD);
    tree.write_bytes(rel, bytes);
    let out = tree.run(&["check"]);
    let report = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "check should fail for {rel}: {report}"
    );
    let line = report
        .lines()
        .find(|l| l.contains(rel) && l.contains("error"))
        .unwrap_or_else(|| panic!("no error for {rel}: {report}"));
    assert!(
        line.contains(&format!("{rel}:{expect_line}:")),
        "wrong line for {rel}: {line}"
    );
    for w in expect_words {
        assert!(
            line.to_lowercase().contains(&w.to_lowercase()),
            "{rel}: {line} lacks {w}"
        );
    }
    let stderr = tree.build();
    assert!(stderr.contains(rel), "build should report {rel}: {stderr}");
    for feed in ["feed.xml", "atom.xml"] {
        let f = parse_feed(tree.read_out(feed).as_bytes());
        assert_eq!(entry_titles(&f), vec!["The good one"], "{rel} in {feed}");
    }
}

#[test]
fn bad_missing_front_matter() {
    assert_rejected("a.md", b"# Just markdown\n", 1, &["missing front matter"]);
}

#[test]
fn bad_unterminated_front_matter() {
    assert_rejected(
        "a.md",
        b"---\ntitle: x\ndate: 2024-01-01\nbody\n",
        1,
        &["unterminated"],
    );
}

#[test]
fn bad_invalid_yaml_points_at_file_line() {
    assert_rejected(
        "a.md",
        b"---\ntitle: x\ndate: 2024-01-01\ntags: [a, b\n---\n",
        5,
        &["invalid front matter"],
    );
}

#[test]
fn bad_wrong_type_title_list() {
    assert_rejected(
        "a.md",
        b"---\ndate: 2024-01-01\ntitle: [1, 2]\n---\n",
        3,
        &["title"],
    );
}

#[test]
fn bad_wrong_type_draft_string() {
    assert_rejected(
        "a.md",
        b"---\ntitle: x\ndate: 2024-01-01\ndraft: \"yes please\"\n---\n",
        4,
        &["draft"],
    );
}

#[test]
fn bad_impossible_date() {
    assert_rejected(
        "a.md",
        b"---\ntitle: x\ndate: 2024-02-30\n---\n",
        3,
        &["2024-02-30"],
    );
}

#[test]
fn bad_empty_file() {
    assert_rejected("a.md", b"", 1, &["empty"]);
}

#[test]
fn bad_file_over_size_limit_is_not_read() {
    let mut big = b"---\ntitle: big\ndate: 2024-01-01\n---\n".to_vec();
    big.resize(5 * 1024 * 1024, b'a');
    assert_rejected("big.md", &big, 1, &["max_file_bytes"]);
}

#[test]
fn bad_invalid_utf8_names_the_line() {
    assert_rejected(
        "a.md",
        b"---\ntitle: x\ndate: 2024-01-01\n---\nfine\nbad \xC3\x28 byte\n",
        6,
        &["UTF-8"],
    );
}

#[test]
fn bad_control_characters_removed_and_published() {
    let tree = Tree::new();
    tree.write(
        "a.md",
        "---\ntitle: \"Bell\u{7} and NUL\u{0}\"\ndate: 2024-01-01\n---\nEsc\u{1b} here\n",
    );
    let out = tree.run(&["check"]);
    assert!(out.status.success(), "warnings only: {}", text(&out.stdout));
    let report = text(&out.stdout);
    assert!(
        report.contains("a.md:2:13: warning: control character U+0007"),
        "{report}"
    );
    assert!(
        report.contains("a.md:5:4: warning: control character U+001B"),
        "{report}"
    );
    tree.build();
    for feed in ["feed.xml", "atom.xml"] {
        let xml = tree.read_out(feed);
        assert!(!xml.contains('\u{7}') && !xml.contains('\u{0}') && !xml.contains('\u{1b}'));
        let f = parse_feed(xml.as_bytes());
        assert_eq!(entry_titles(&f), vec!["Bell and NUL"]);
    }
}

#[test]
fn bad_cdata_end_and_script_in_body_are_neutralised() {
    let tree = Tree::new();
    tree.write(
        "a.md",
        "---\ntitle: \"Tricky ]]> <script>\"\ndate: 2024-01-01\n---\nText ]]> more.\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n",
    );
    tree.build();
    for feed in ["feed.xml", "atom.xml"] {
        let xml = tree.read_out(feed);
        let f = parse_feed(xml.as_bytes());
        let e = &f.entries[0];
        assert_eq!(e.title.as_ref().unwrap().content, "Tricky ]]> <script>");
        let content = e.content.as_ref().unwrap().body.clone().unwrap();
        assert!(
            content.contains("]]&gt;") || content.contains("]]>"),
            "{content}"
        );
        for bad in ["<script", "onerror", "javascript:"] {
            assert!(!content.contains(bad), "{bad} in {feed}: {content}");
        }
    }
}

#[cfg(unix)]
#[test]
fn bad_symlink_loop_and_escape_are_reported_and_never_read() {
    use std::os::unix::fs::symlink;
    let tree = Tree::new();
    tree.write("good.md", GOOD);
    let outside = tree.tmp.path().join("outside.md");
    std::fs::write(
        &outside,
        "---\ntitle: SECRET OUTSIDE\ndate: 2024-01-01\n---\nsecret\n",
    )
    .unwrap();
    symlink(&outside, tree.path("escape.md")).unwrap();
    symlink(tree.path("loop-b.md"), tree.path("loop-a.md")).unwrap();
    symlink(tree.path("loop-a.md"), tree.path("loop-b.md")).unwrap();
    let out = tree.run(&["check"]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        report.contains("escape.md:1:1: error") && report.contains("outside"),
        "{report}"
    );
    assert!(
        report.contains("loop-a.md:1:1: error") && report.contains("loop"),
        "{report}"
    );
    tree.build();
    for feed in ["feed.xml", "atom.xml", "index.html"] {
        assert!(
            !tree.read_out(feed).contains("SECRET"),
            "outside file leaked into {feed}"
        );
    }
}

#[test]
fn bad_drafts_and_future_articles_never_leak() {
    let tree = Tree::new();
    tree.write("good.md", GOOD);
    tree.write(
        "draft.md",
        "---\ntitle: DRAFT-LEAK\ndate: 2024-01-01\ndraft: true\n---\nx\n",
    );
    tree.write(
        "future.md",
        "---\ntitle: FUTURE-LEAK\ndate: 2999-01-01\n---\nx\n",
    );
    tree.write(
        "broken-draft.md",
        "---\ntitle: BROKEN-DRAFT\ndraft: true\n---\nx\n",
    );
    let out = tree.run(&["check"]);
    let report = text(&out.stdout);
    assert!(!report.contains("DRAFT-LEAK") && !report.contains("FUTURE-LEAK"));
    tree.build();
    for feed in ["feed.xml", "atom.xml", "index.html"] {
        let xml = tree.read_out(feed);
        assert!(!xml.contains("LEAK"), "{feed}: {xml}");
    }
}

/// Every generator's way of keeping a post off its site (SPEC §10), and listing pages:
/// nothing of them reaches any output, and `check` passes on them.
#[test]
fn bad_posts_other_generators_hide_never_leak() {
    let tree = Tree::new();
    tree.write("good.md", GOOD);
    let hidden = [
        "Draft: true",
        "publishDate: 2999-01-01",
        "expiryDate: 2020-01-01",
        "build: {render: never}",
        "_build: {list: false}",
        "headless: true",
        "eleventyExcludeFromCollections: true",
        "permalink: false",
        "status: hidden",
        "Status: draft",
    ];
    for (i, yaml) in hidden.iter().enumerate() {
        tree.write(
            &format!("posts/hidden-{i}.md"),
            &format!("---\ntitle: HIDDEN-LEAK {i}\ndate: 2024-01-01\n{yaml}\n---\nx\n"),
        );
    }
    tree.write("_index.md", "---\ntitle: HOME-LEAK\n---\n");
    tree.write("posts/_index.md", "---\ntitle: SECTION-LEAK\n---\n");
    let out = tree.run(&["check", "--strict"]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(!report.contains("LEAK"), "{report}");
    tree.build();
    for feed in ["feed.xml", "atom.xml", "index.html"] {
        let xml = tree.read_out(feed);
        assert!(!xml.contains("LEAK"), "{feed}: {xml}");
    }
}

#[test]
fn bad_duplicate_permalink_names_both_files() {
    let tree = Tree::new();
    tree.write(
        "posts/a.md",
        "---\ntitle: First\ndate: 2024-01-01\nslug: same\n---\nx\n",
    );
    tree.write(
        "posts/b.md",
        "---\ntitle: Second\ndate: 2024-01-02\nslug: same\n---\nx\n",
    );
    let out = tree.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(
        report.contains("posts/b.md:1:1: error: duplicate") && report.contains("posts/a.md"),
        "{report}"
    );
    tree.build();
    let f = parse_feed(tree.read_out("atom.xml").as_bytes());
    assert_eq!(entry_titles(&f), vec!["First"]);
}

/// A newline in a file name cannot forge a `path:line:col: error:` line in `check`, `build`,
/// `/readyz` or the log: names are shown escaped (`a\nREADME.md`).
#[test]
fn bad_file_name_with_a_newline_is_shown_escaped_everywhere() {
    let tree = Tree::new();
    tree.write("good.md", GOOD);
    let name = "a\nREADME.md:1:1: error: forged.md";
    tree.write(name, "---\ntitle: broken\n");
    let forged = |output: &str| output.lines().any(|l| l.starts_with("README.md"));
    let out = tree.run(&["check"]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(!forged(&report), "{report}");
    assert!(
        report.contains("a\\nREADME.md:1:1: error: forged.md:1:1: error: unterminated"),
        "{report}"
    );
    let stderr = tree.build();
    assert!(
        !forged(&stderr) && stderr.contains("a\\nREADME.md"),
        "{stderr}"
    );

    let mut server = Server::start(&tree.content(), &[]);
    let readyz = server.get("/readyz").text();
    assert!(
        !forged(&readyz) && readyz.contains("a\\nREADME.md"),
        "{readyz}"
    );
    server.terminate();
    let log = server.log();
    assert!(log.iter().all(|l| !l.starts_with("README.md")), "{log:?}");
}

/// Names that are not UTF-8 (Linux allows any bytes but `/` and NUL) cannot be URL segments:
/// they are skipped, and reported with the bad bytes escaped rather than ignored silently.
#[test]
fn bad_file_and_folder_names_not_utf8_are_reported() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tree = Tree::new();
    tree.write("good.md", GOOD);
    let root = tree.content();
    std::fs::write(root.join(OsStr::from_bytes(b"caf\xe9.md")), GOOD).unwrap();
    std::fs::create_dir(root.join(OsStr::from_bytes(b"dr\xffafts"))).unwrap();
    std::fs::write(root.join(OsStr::from_bytes(b"dr\xffafts/x.md")), GOOD).unwrap();
    let out = tree.run(&["check"]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("caf\\xe9.md:1:1: error: file name is not valid UTF-8"),
        "{report}"
    );
    assert!(
        report.contains("dr\\xffafts:1:1: error: folder name is not valid UTF-8"),
        "{report}"
    );
    tree.build();
    let feed = parse_feed(tree.read_out("feed.xml").as_bytes());
    assert_eq!(entry_titles(&feed), vec!["The good one"]);
}

#[test]
fn bad_body_rendering_past_the_bound_is_an_error_and_not_published() {
    // 1 MiB of footnote references renders to 25 MB, over 2 × content.max_file_bytes.
    let body = "[^a]".repeat(256 * 1024) + "\n\n[^a]: The note.\n";
    let file = format!("---\ntitle: Notes\ndate: 2024-01-02\n---\n{body}");
    assert_rejected(
        "notes.md",
        file.as_bytes(),
        1,
        &["rendered body", "8388608 bytes", "max_file_bytes"],
    );
}
