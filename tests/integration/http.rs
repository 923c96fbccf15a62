//! The daemon over real HTTP on 127.0.0.1 (SPEC §4), for what needs the binary: feeds built
//! from content, restarts, live edits, configuration from the environment, signals, logs.
//!
//! Routing, response headers, conditional requests, negotiation, Host validation and the
//! per-connection limits are tested in process, where a fault shows closest to its cause:
//! `src/http/tests.rs` (over a socket) and the unit tests beside each `src/http/` module.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::*;

fn sample_tree() -> Tree {
    let tree = Tree::new();
    tree.write(
        "posts/a.md",
        &article(
            "Alpha & <Omega>",
            "2024-01-01",
            "Body with [a link](../b/).",
        ),
    );
    tree.write("posts/b.md", &article("Beta", "2024-02-01", "Second body."));
    tree
}

/// The daemon serves the feeds and index it built from the content, with its default cache
/// lifetime. Response shapes (headers, HEAD, query strings, 404, 405, health routes) are
/// tested in process (src/http/tests.rs).
#[test]
fn http_serves_what_it_built_from_the_content() {
    let tree = sample_tree();
    let server = Server::start(&tree.content(), &[]);
    for (path, ctype) in [
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/rss.xml", "application/rss+xml; charset=utf-8"),
        ("/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(ctype), "{path}");
        assert_eq!(r.header("cache-control"), Some("public, max-age=300"));
        if path != "/" {
            let feed = parse_feed(&r.body);
            assert_eq!(entry_titles(&feed), vec!["Beta", "Alpha & <Omega>"]);
        } else {
            let html = r.text();
            assert!(html.contains("Alpha &amp; &lt;Omega&gt;"), "{html}");
            assert!(html.contains("application/atom+xml"));
        }
    }
    assert_eq!(server.get("/readyz").status, 200);
    let metrics = server.get("/metrics").text();
    assert!(
        metrics.contains("feedwright_published_articles 2"),
        "{metrics}"
    );
}

#[test]
fn http_etags_and_last_modified_stable_across_restarts() {
    let tree = sample_tree();
    let first: Vec<_> = {
        let server = Server::start(&tree.content(), &[]);
        ["/feed.xml", "/atom.xml"]
            .iter()
            .map(|p| {
                let r = server.request("GET", p, &[("Accept-Encoding", "br")]);
                (
                    r.header("etag").unwrap().to_string(),
                    r.header("last-modified").unwrap().to_string(),
                    r.body,
                )
            })
            .collect()
    };
    let server = Server::start(&tree.content(), &[]);
    for (i, p) in ["/feed.xml", "/atom.xml"].iter().enumerate() {
        let r = server.request("GET", p, &[("Accept-Encoding", "br")]);
        assert_eq!(r.header("etag").unwrap(), first[i].0, "{p}");
        assert_eq!(r.header("last-modified").unwrap(), first[i].1, "{p}");
        assert_eq!(r.body, first[i].2, "{p}");
    }
}

#[test]
fn http_last_modified_moves_forward_when_bytes_change() {
    let tree = sample_tree();
    let server = Server::start(&tree.content(), &[]);
    let before = server.get("/atom.xml");
    let lm_before = httpdate(before.header("last-modified").unwrap());
    // Edit an older entry without touching `updated`: bytes change, newest updated does not.
    tree.write(
        "posts/a.md",
        &article("Alpha edited", "2024-01-01", "Changed."),
    );
    let ok = wait_until(Duration::from_secs(5), || {
        server.get("/atom.xml").text().contains("Alpha edited")
    });
    assert!(ok);
    let after = server.get("/atom.xml");
    assert_ne!(after.header("etag"), before.header("etag"));
    let lm_after = httpdate(after.header("last-modified").unwrap());
    assert!(lm_after > lm_before, "{lm_before} -> {lm_after}");
}

/// Quick edits move Last-Modified a second past the previous value each time, ahead of the
/// clock; it is never sent later than Date (RFC 9110 §8.8.2.1), yet still moves on.
#[test]
fn http_last_modified_is_never_later_than_date_after_quick_edits() {
    let tree = sample_tree();
    let server = Server::start_with_env(
        &tree.content(),
        &[],
        &[("FEEDWRIGHT_WATCH_DEBOUNCE_MS", "20")],
    );
    let mut last = httpdate(server.get("/atom.xml").header("last-modified").unwrap());
    for round in 0..5 {
        let title = format!("Alpha edit {round}");
        tree.write("posts/a.md", &article(&title, "2024-01-01", "Changed."));
        let mut seen = None;
        let ok = wait_until(Duration::from_secs(5), || {
            let r = server.get("/atom.xml");
            let (lm, date) = (r.header("last-modified"), r.header("date"));
            let (lm, date) = (httpdate(lm.unwrap()), httpdate(date.unwrap()));
            assert!(
                lm <= date,
                "round {round}: Last-Modified {lm} > Date {date}"
            );
            if r.text().contains(&title) {
                seen = Some(lm);
            }
            seen.is_some()
        });
        assert!(ok, "edit {round} not served");
        let lm = seen.unwrap();
        assert!(lm >= last, "round {round}: {last} -> {lm}");
        last = lm;
    }
}

fn httpdate(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc2822(&s.replace("GMT", "+0000"))
        .expect("http date")
        .to_utc()
}

/// What the daemon as a whole must withstand: a slowloris client cut off after the
/// configured header timeout, clients that never read, many rapid connections. Malformed
/// and oversized requests are tested in process (src/http/tests.rs).
#[test]
fn http_hostile_clients_are_bounded() {
    let tree = sample_tree();
    let server = Server::start_with_env(
        &tree.content(),
        &[],
        &[("FEEDWRIGHT_SERVER_HEADER_READ_TIMEOUT_MS", "1000")],
    );
    let addr = server.addr;

    // Slowloris: one byte at a time is cut off after the header timeout set in the
    // environment (the timeout mechanism itself is tested in process).
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut closed = false;
    for b in
        b"GET /feed.xml HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            .iter()
    {
        if s.write_all(&[*b]).is_err() {
            closed = true;
            break;
        }
        let mut one = [0u8; 512];
        match s.read(&mut one) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(_) => {
                closed = true; // an error response (408) also ends it
                break;
            }
            Err(_) => {}
        }
        if started.elapsed() > Duration::from_secs(8) {
            break;
        }
    }
    assert!(
        closed,
        "slow client not cut off after {:?}",
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // A client that never reads its response does not stop others.
    let mut lazy = Vec::new();
    for _ in 0..20 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(
            b"GET /feed.xml HTTP/1.1\r\nHost: x\r\n\r\n"
                .repeat(50)
                .as_slice(),
        )
        .unwrap();
        lazy.push(s);
    }
    assert_eq!(server.get("/feed.xml").status, 200);
    drop(lazy);

    // Many rapid connections, each answered.
    let started = Instant::now();
    let mut ok = 0;
    for _ in 0..10_000 {
        if started.elapsed() > Duration::from_secs(60) {
            break;
        }
        if get(addr, "/healthz", &[])
            .map(|r| r.status == 200)
            .unwrap_or(false)
        {
            ok += 1;
        }
    }
    assert!(ok >= 9_990, "{ok} of 10000 rapid connections answered");
    assert_eq!(server.get("/feed.xml").status, 200);
}

#[test]
fn http_sigterm_finishes_in_flight_requests_and_exits_zero() {
    // Feeds of several MiB, so a response is still being written (the client has read only
    // its first bytes) when the signal arrives: truly in flight, not already finished.
    let tree = Tree::new();
    let paragraph = "Words that fill a long article, over and over again. ".repeat(6_000);
    for i in 0..12 {
        tree.write(
            &format!("big{i:02}.md"),
            &article(&format!("Big {i}"), "2024-01-01", &paragraph),
        );
    }
    let mut server = Server::start(&tree.content(), &[]);
    let addr = server.addr;
    let mut conns = Vec::new();
    for _ in 0..3 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.write_all(b"GET /atom.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut first = [0u8; 1024];
        s.read_exact(&mut first).expect("response started");
        conns.push((s, first.to_vec()));
    }
    let status = server.terminate().expect("exited within the bound");
    assert!(status.success(), "{status:?}");
    for (mut s, mut buf) in conns {
        s.read_to_end(&mut buf).expect("rest of the response");
        let r = parse_response(&buf, false).expect("a whole response");
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-length").unwrap(),
            r.body.len().to_string()
        );
        assert_eq!(parse_feed(&r.body).entries.len(), 12);
    }
    let log = server.log().join("\n");
    assert!(log.contains("SIGTERM"), "{log}");
}

#[test]
fn http_readyz_lists_content_errors() {
    let tree = sample_tree();
    tree.write("broken.md", "---\ntitle: broken\n");
    let server = Server::start(&tree.content(), &[]);
    let r = server.get("/readyz");
    assert_eq!(r.status, 200);
    assert!(
        r.text()
            .contains("broken.md:1:1: error: unterminated front matter"),
        "{}",
        r.text()
    );
}

/// One access-log line per request, on stdout, in both formats: method, path, status,
/// bytes, duration and user agent. Lines are batched, so wait (bounded) for them.
#[test]
fn http_access_log_line_per_request_in_text_and_json() {
    let tree = sample_tree();
    for format in ["text", "json"] {
        let server =
            Server::start_with_env(&tree.content(), &[], &[("FEEDWRIGHT_LOG_FORMAT", format)]);
        // Quotes are escaped; non-ASCII is kept.
        let agent = format!("feedwright-test/{format} \"quoted\" (ünïcödé)");
        let feed = server.request("GET", "/feed.xml", &[("User-Agent", &agent)]);
        assert_eq!(feed.status, 200);
        let missing = server.request("HEAD", "/nope?q=1", &[("User-Agent", &agent)]);
        assert_eq!(missing.status, 404);
        let access_lines = || -> Vec<String> {
            server
                .log()
                .into_iter()
                .filter(|l| l.contains("feedwright-test/"))
                .collect()
        };
        assert!(
            wait_until(Duration::from_secs(5), || access_lines().len() >= 2),
            "{format}: no access lines in {:?}",
            server.log()
        );
        let lines = access_lines();
        assert_eq!(lines.len(), 2, "{lines:?}");
        let bytes = feed.body.len();
        if format == "text" {
            assert!(
                lines[0].contains(&format!(
                    "method=GET path=\"/feed.xml\" status=200 bytes={bytes} duration_us="
                )),
                "{}",
                lines[0]
            );
            assert!(
                lines[0].ends_with(
                    r#"remote="127.0.0.1" proto="HTTP/1.1" user_agent="feedwright-test/text \"quoted\" (ünïcödé)""#
                ),
                "{}",
                lines[0]
            );
            assert!(
                lines[1].contains("method=HEAD path=\"/nope\" status=404 bytes=0 "),
                "{}",
                lines[1]
            );
        } else {
            let first: serde_json::Value = serde_json::from_str(&lines[0]).expect("json line");
            let fields = &first["fields"];
            assert_eq!(fields["method"], "GET", "{first}");
            assert_eq!(fields["path"], "/feed.xml");
            assert_eq!(fields["status"], 200);
            assert_eq!(fields["bytes"], bytes);
            assert!(fields["duration_us"].is_u64(), "{first}");
            assert_eq!(fields["user_agent"], agent);
            assert_eq!(fields["remote"], "127.0.0.1", "{first}");
            assert_eq!(fields["proto"], "HTTP/1.1", "{first}");
            assert_eq!(first["level"], "INFO");
            let second: serde_json::Value = serde_json::from_str(&lines[1]).expect("json line");
            assert_eq!(second["fields"]["status"], 404);
        }
    }
}

/// A request hyper refuses before routing (headers over the limit, a malformed request line)
/// still gets an access-log line and is counted, under the `other` route.
#[test]
fn http_rejected_requests_are_logged_and_counted() {
    let tree = sample_tree();
    let server = Server::start(&tree.content(), &[]);
    let big = "x".repeat(64 * 1024);
    let _ = server.request("GET", "/feed.xml", &[("X-Big", &big)]);
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"THIS IS NOT HTTP\r\n\r\n").unwrap();
    let _ = s.read_to_end(&mut Vec::new());
    let rejected = || -> Vec<String> {
        server
            .log()
            .into_iter()
            .filter(|l| l.contains("rejected="))
            .collect()
    };
    assert!(
        wait_until(Duration::from_secs(5), || rejected().len() >= 2),
        "{:?}",
        server.log()
    );
    let lines = rejected();
    // logfmt: the reason is a quoted string, like the other string fields.
    for line in &lines {
        let reason = line.split("rejected=").nth(1).unwrap_or_default();
        assert!(
            reason.len() > 2 && reason.starts_with('"') && reason.ends_with('"'),
            "{line}"
        );
    }
    assert!(lines.iter().any(|l| l.contains("status=431")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("status=400")), "{lines:?}");
    let metrics = server.get("/metrics").text();
    for status in ["431", "400"] {
        assert!(
            metrics.contains(&format!(
                "feedwright_http_requests_total{{route=\"other\",status=\"{status}\"}} 1"
            )),
            "{status}: {metrics}"
        );
    }
}

#[test]
fn http_without_base_url_links_point_at_the_listening_address() {
    let tree = sample_tree();
    let server =
        Server::start_command(std::process::Command::new(bin()), &tree.content(), &[], &[]);
    let feed = text(&server.get("/feed.xml").body);
    let own = format!("http://{}/feed.xml", server.addr);
    assert!(
        feed.contains(&format!("<atom:link href=\"{own}\"")),
        "self link is not {own}: {feed}"
    );
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.contains("site.base_url is not set")),
        "{:?}",
        server.log()
    );
}

/// The daemon runs with jemalloc settings it sets itself by re-executing once (same PID):
/// one background thread that returns freed memory to the system. An operator's own
/// `_RJEM_MALLOC_CONF` is left alone.
#[cfg(target_os = "linux")]
#[test]
fn http_daemon_runs_with_its_allocator_settings_unless_the_operator_set_them() {
    let conf_of = |server: &Server| {
        let environ = std::fs::read(format!("/proc/{}/environ", server.child.id()))
            .expect("read the daemon's environment");
        environ
            .split(|&b| b == 0)
            .find_map(|var| var.strip_prefix(b"_RJEM_MALLOC_CONF="))
            .map(text)
    };
    // jemalloc names its background threads.
    let purge_threads = |server: &Server| {
        std::fs::read_dir(format!("/proc/{}/task", server.child.id()))
            .expect("read the daemon's threads")
            .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
            .filter(|comm| comm.trim() == "jemalloc_bg_thd")
            .count()
    };
    let tree = sample_tree();
    let server = Server::start_with_env(&tree.content(), &[], &[]);
    let conf = conf_of(&server).expect("_RJEM_MALLOC_CONF set by the daemon");
    assert!(conf.contains("background_thread:true"), "{conf}");
    // Re-executed, the daemon still serves, logs its address first and keeps its name.
    assert_eq!(server.get("/feed.xml").status, 200);
    let comm = std::fs::read_to_string(format!("/proc/{}/comm", server.child.id())).unwrap();
    assert_eq!(comm.trim(), "feedwright");
    assert!(
        server.log()[0].contains("listening on"),
        "{:?}",
        server.log()
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while purge_threads(&server) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(purge_threads(&server), 1);

    // Executed once only: the marker stops it.
    let server = Server::start_with_env(&tree.content(), &[], &[("FEEDWRIGHT_REEXECUTED", "1")]);
    assert_eq!(conf_of(&server), None);

    // The operator's own settings (here: none) are left alone: no background thread.
    let server = Server::start_with_env(&tree.content(), &[], &[("_RJEM_MALLOC_CONF", "")]);
    assert_eq!(conf_of(&server).as_deref(), Some(""));
    assert_eq!(server.get("/feed.xml").status, 200);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(purge_threads(&server), 0);
}

#[test]
fn http_rss_alias_names_itself_as_self() {
    let tree = sample_tree();
    let server = Server::start(&tree.content(), &[]);
    let feed = text(&server.get("/feed.xml").body);
    let alias = server.get("/rss.xml");
    let alias_body = text(&alias.body);
    assert!(
        alias_body.contains(r#"<atom:link href="https://example.com/rss.xml" rel="self""#),
        "{alias_body}"
    );
    assert_eq!(
        feed.replace("/feed.xml\" rel=", "/rss.xml\" rel="),
        alias_body
    );
    assert_ne!(
        alias.header("etag"),
        server.get("/feed.xml").header("etag"),
        "different bytes, different ETag"
    );
}
