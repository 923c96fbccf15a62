//! The daemon over real HTTP on 127.0.0.1 (SPEC §4): routes, methods, conditional requests,
//! content negotiation, limits against hostile clients, and graceful shutdown.

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

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gunzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("brotli");
    out
}

#[test]
fn http_routes_methods_and_headers() {
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
        assert_eq!(
            r.header("content-length").unwrap(),
            r.body.len().to_string()
        );
        assert_eq!(r.header("cache-control"), Some("public, max-age=300"));
        assert!(r
            .header("vary")
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-encoding"));
        let etag = r.header("etag").unwrap();
        assert!(
            etag.starts_with('"') && !etag.starts_with("W/"),
            "strong etag: {etag}"
        );
        assert!(r.header("last-modified").unwrap().ends_with("GMT"));
        if path != "/" {
            let feed = parse_feed(&r.body);
            assert_eq!(entry_titles(&feed), vec!["Beta", "Alpha & <Omega>"]);
        } else {
            let html = r.text();
            assert!(html.contains("Alpha &amp; &lt;Omega&gt;"), "{html}");
            assert!(html.contains("application/atom+xml"));
        }
        // HEAD: the GET headers, no body.
        let h = server.request("HEAD", path, &[]);
        assert_eq!(h.status, 200);
        assert!(h.body.is_empty());
        for name in [
            "content-type",
            "content-length",
            "etag",
            "last-modified",
            "cache-control",
            "vary",
        ] {
            assert_eq!(h.header(name), r.header(name), "HEAD {path} {name}");
        }
    }
    // Query strings are ignored.
    assert_eq!(
        server.get("/feed.xml?utm_source=x").body,
        server.get("/feed.xml").body
    );
    assert_eq!(server.get("/healthz").status, 200);
    assert_eq!(server.get("/readyz").status, 200);
    let metrics = server.get("/metrics").text();
    assert!(
        metrics.contains("feedwright_published_articles 2"),
        "{metrics}"
    );
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let r = server.request(method, "/feed.xml", &[("Content-Length", "0")]);
        assert_eq!(r.status, 405, "{method}");
        let allow = r.header("allow").unwrap();
        assert!(allow.contains("GET") && allow.contains("HEAD"), "{allow}");
    }
    assert_eq!(server.get("/nope.xml").status, 404);
    assert_eq!(server.get("/../feed.xml").status, 404);
    assert_eq!(server.get("/%2e%2e/etc/passwd").status, 404);
}

#[test]
fn http_conditional_requests() {
    let tree = sample_tree();
    let server = Server::start(&tree.content(), &[]);
    let r = server.get("/atom.xml");
    let etag = r.header("etag").unwrap().to_string();
    let lm = r.header("last-modified").unwrap().to_string();
    let cond = |headers: &[(&str, &str)]| server.request("GET", "/atom.xml", headers);

    let nm = cond(&[("If-None-Match", &etag)]);
    assert_eq!(nm.status, 304);
    assert!(nm.body.is_empty());
    assert_eq!(nm.header("etag"), Some(etag.as_str()));
    assert!(nm.header("cache-control").is_some() && nm.header("vary").is_some());
    assert_eq!(
        cond(&[("If-None-Match", &format!("\"nope\", {etag}"))]).status,
        304
    );
    assert_eq!(
        cond(&[("If-None-Match", &format!("W/{etag}"))]).status,
        304,
        "weak comparison"
    );
    assert_eq!(cond(&[("If-None-Match", "*")]).status, 304);
    assert_eq!(cond(&[("If-None-Match", "\"other\"")]).status, 200);
    assert_eq!(cond(&[("If-Modified-Since", &lm)]).status, 304);
    assert_eq!(
        cond(&[("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")]).status,
        200
    );
    // If-None-Match wins over If-Modified-Since.
    assert_eq!(
        cond(&[("If-None-Match", "\"other\""), ("If-Modified-Since", &lm)]).status,
        200
    );
    assert_eq!(cond(&[("If-Modified-Since", "garbage")]).status, 200);

    // If-Match and If-Unmodified-Since (RFC 9110 §13.1.1, §13.1.4, order §13.2.2).
    assert_eq!(cond(&[("If-Match", &etag)]).status, 200);
    assert_eq!(cond(&[("If-Match", "*")]).status, 200);
    let failed = cond(&[("If-Match", "\"stale\"")]);
    assert_eq!(failed.status, 412);
    assert!(failed.body.len() < 64, "{}", failed.text());
    assert_eq!(cond(&[("If-Match", &format!("W/{etag}"))]).status, 412);
    assert_eq!(
        cond(&[("If-Match", &etag), ("If-None-Match", &etag)]).status,
        304
    );
    assert_eq!(cond(&[("If-Unmodified-Since", &lm)]).status, 200);
    assert_eq!(
        cond(&[("If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")]).status,
        412
    );
    assert_eq!(cond(&[("If-Unmodified-Since", "garbage")]).status, 200);
    let metrics = server.get("/metrics").text();
    assert!(
        metrics.contains(r#"feedwright_http_requests_total{route="/atom.xml",status="412"} 3"#),
        "{metrics}"
    );
}

#[test]
fn http_compression_and_etags_per_encoding() {
    let tree = sample_tree();
    let server = Server::start(&tree.content(), &[]);
    let plain = server.get("/feed.xml");
    let gz = server.request("GET", "/feed.xml", &[("Accept-Encoding", "gzip")]);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(&gz.body), plain.body);
    let br = server.request(
        "GET",
        "/feed.xml",
        &[("Accept-Encoding", "gzip, deflate, br")],
    );
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(unbrotli(&br.body), plain.body);
    let tags = [plain.header("etag"), gz.header("etag"), br.header("etag")];
    assert!(
        tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2],
        "{tags:?}"
    );
    let q = server.request(
        "GET",
        "/feed.xml",
        &[("Accept-Encoding", "br;q=0, gzip;q=0.5")],
    );
    assert_eq!(q.header("content-encoding"), Some("gzip"));
    let none = server.request("GET", "/feed.xml", &[("Accept-Encoding", "gzip;q=0")]);
    assert_eq!(none.header("content-encoding"), None);
    assert_eq!(none.body, plain.body);
    let refused = server.request(
        "GET",
        "/feed.xml",
        &[("Accept-Encoding", "identity;q=0, *;q=0")],
    );
    assert_eq!(refused.status, 406);
    // A 304 for the gzip variant carries the gzip ETag.
    let gz_tag = gz.header("etag").unwrap();
    let nm = server.request(
        "GET",
        "/feed.xml",
        &[("Accept-Encoding", "gzip"), ("If-None-Match", gz_tag)],
    );
    assert_eq!(nm.status, 304);
    assert_eq!(nm.header("etag"), Some(gz_tag));
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

/// RFC 9112 §3.2: one Host field line with a valid `host[:port]`, else 400.
#[test]
fn http_host_header_is_validated() {
    let tree = sample_tree();
    let server = Server::start(&tree.content(), &[]);
    let status = |head: &str| {
        let mut s = TcpStream::connect(server.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(format!("{head}Connection: close\r\n\r\n").as_bytes())
            .unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        parse_response(&raw, false).map(|r| r.status).unwrap_or(0)
    };
    for bad in [
        "GET /feed.xml HTTP/1.1\r\nHost: a b\r\n",
        "GET /feed.xml HTTP/1.1\r\nHost: x/y@z\r\n",
        "GET /feed.xml HTTP/1.1\r\nHost: x, y\r\n",
        "GET /feed.xml HTTP/1.1\r\n",
        "GET /feed.xml HTTP/1.0\r\nHost: a\r\nHost: b\r\n",
    ] {
        assert_eq!(status(bad), 400, "{bad:?}");
    }
    for good in [
        "GET /feed.xml HTTP/1.1\r\nHost: feeds.example.com\r\n",
        "GET /feed.xml HTTP/1.1\r\nHost: [::1]:8080\r\n",
        "GET /feed.xml HTTP/1.0\r\n",
    ] {
        assert_eq!(status(good), 200, "{good:?}");
    }
}

fn httpdate(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc2822(&s.replace("GMT", "+0000"))
        .expect("http date")
        .to_utc()
}

#[test]
fn http_hostile_clients_are_bounded() {
    let tree = sample_tree();
    let server = Server::start_with_env(
        &tree.content(),
        &[],
        &[("FEEDWRIGHT_SERVER_HEADER_READ_TIMEOUT_MS", "1000")],
    );
    let addr = server.addr;

    // Malformed request line.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"THIS IS NOT HTTP\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let head = String::from_utf8_lossy(&buf);
    assert!(buf.is_empty() || head.starts_with("HTTP/1.1 400"), "{head}");

    // Absolute-form target uses only the path.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET http://example.com/feed.xml HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    assert!(
        String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf)
    );

    // Huge headers: refused, not buffered forever.
    let big = "x".repeat(64 * 1024);
    let r = request(addr, "GET", "/feed.xml", &[("X-Big", &big)]);
    // Either an error status or a closed connection is acceptable.
    if let Ok(r) = r {
        assert!(r.status == 431 || r.status == 400, "{}", r.status);
    }

    // Slowloris: one byte at a time is cut off after the header timeout.
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

/// The daemon runs with glibc heap tunables it sets itself by re-executing once (same PID),
/// unless the operator set `GLIBC_TUNABLES`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn http_daemon_runs_with_its_malloc_tunables_unless_the_operator_set_them() {
    let tunables_of = |server: &Server| {
        let environ = std::fs::read(format!("/proc/{}/environ", server.child.id()))
            .expect("read the daemon's environment");
        environ
            .split(|&b| b == 0)
            .find_map(|var| var.strip_prefix(b"GLIBC_TUNABLES="))
            .map(text)
    };
    let tree = sample_tree();
    let server = Server::start_with_env(&tree.content(), &[], &[]);
    let tuned = tunables_of(&server).expect("GLIBC_TUNABLES set by the daemon");
    assert!(tuned.contains("glibc.malloc.arena_max=2"), "{tuned}");
    // Re-executed, the daemon still serves, logs its address first and keeps its name.
    assert_eq!(server.get("/feed.xml").status, 200);
    let comm = std::fs::read_to_string(format!("/proc/{}/comm", server.child.id())).unwrap();
    assert_eq!(comm.trim(), "feedwright");
    assert!(
        server.log()[0].contains("listening on"),
        "{:?}",
        server.log()
    );

    // Executed once only: the marker stops it even where glibc drops GLIBC_TUNABLES.
    let server = Server::start_with_env(&tree.content(), &[], &[("FEEDWRIGHT_REEXECUTED", "1")]);
    assert_eq!(tunables_of(&server), None);

    let own = "glibc.malloc.arena_max=5";
    let server = Server::start_with_env(&tree.content(), &[], &[("GLIBC_TUNABLES", own)]);
    assert_eq!(tunables_of(&server).as_deref(), Some(own));
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
