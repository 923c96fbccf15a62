//! In-process server tests: `serve` on 127.0.0.1:0, spoken to with raw TCP (and the hyper
//! client for h2c). Every wait is bounded by a timeout.

use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use super::{serve, AppState};
use crate::config::Config;
use crate::feed::SiteOutputs;
use crate::metrics::Metrics;
use crate::snapshot::Snapshot;

const WAIT: Duration = Duration::from_secs(10);

fn updated() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-03-27T09:30:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn rss() -> String {
    let items = "<item><title>Entry</title><description>Some words about it.</description></item>";
    format!(
        "<?xml version=\"1.0\"?><rss><channel>{}</channel></rss>",
        items.repeat(30)
    )
}

fn outputs_with(rss: String, updated: Option<DateTime<Utc>>) -> SiteOutputs {
    SiteOutputs::site_for_tests(
        rss,
        format!(
            "<?xml version=\"1.0\"?><feed>{}</feed>",
            "<entry>x</entry>".repeat(50)
        ),
        "<!doctype html><title>Site</title><p>feeds</p>".to_string(),
        updated,
    )
}

fn outputs() -> SiteOutputs {
    outputs_with(rss(), Some(updated()))
}

struct Server {
    addr: SocketAddr,
    state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(cfg: Config) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let snapshot = Snapshot::build(&cfg, outputs(), vec![], 2, None, Utc::now());
        Server::start_with(cfg, snapshot, listener)
    }

    fn start_with(cfg: Config, snapshot: Snapshot, listener: TcpListener) -> Server {
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(AppState {
            config: Arc::new(cfg),
            snapshot: ArcSwap::from_pointee(snapshot),
            metrics: Metrics::new(),
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, Arc::clone(&state), async move {
            let _ = stopped.await;
        }));
        Server {
            addr,
            state,
            stop: Some(stop),
            task,
        }
    }

    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = timeout(WAIT, self.task)
            .await
            .expect("serve returns in time");
        result.expect("serve task").expect("serve result");
    }

    async fn connect(&self) -> BufReader<TcpStream> {
        let stream = timeout(WAIT, TcpStream::connect(self.addr))
            .await
            .expect("connect in time")
            .expect("connect");
        BufReader::new(stream)
    }

    /// One request on a fresh connection.
    async fn get(&self, request: &str) -> Reply {
        exchange(&mut self.connect().await, request).await
    }
}

/// Sends one request on `conn` and reads its reply.
async fn exchange(conn: &mut BufReader<TcpStream>, request: &str) -> Reply {
    conn.get_mut()
        .write_all(request.as_bytes())
        .await
        .expect("write");
    read_reply(conn, request.starts_with("HEAD ")).await
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one response: status line, headers, then Content-Length bytes (none for HEAD/304).
async fn read_reply(conn: &mut BufReader<TcpStream>, head: bool) -> Reply {
    timeout(WAIT, async {
        let mut line = String::new();
        conn.read_line(&mut line).await.expect("status line");
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {line:?}"));
        let mut headers = Vec::new();
        loop {
            line.clear();
            conn.read_line(&mut line).await.expect("header line");
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            let (name, value) = trimmed.split_once(':').expect("header colon");
            headers.push((name.to_string(), value.trim().to_string()));
        }
        let mut reply = Reply {
            status,
            headers,
            body: Vec::new(),
        };
        let length: usize = reply
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if !head && status != 304 {
            reply.body = vec![0; length];
            conn.read_exact(&mut reply.body).await.expect("body");
        }
        reply
    })
    .await
    .expect("response in time")
}

fn test_config() -> Config {
    let mut cfg = Config::defaults();
    cfg.server.cache_max_age = 120;
    cfg
}

#[tokio::test]
async fn get_serves_feed_with_all_headers() {
    let server = Server::start(test_config()).await;
    let reply = server
        .get("GET /feed.xml HTTP/1.1\r\nHost: t\r\nUser-Agent: test\r\n\r\n")
        .await;
    let snapshot = server.state.snapshot.load();
    assert_eq!(reply.status, 200);
    assert_eq!(
        Some(&Bytes::from(reply.body.clone())),
        snapshot.body("/feed.xml").as_ref()
    );
    assert_eq!(
        reply.header("content-type"),
        Some("application/rss+xml; charset=utf-8")
    );
    assert_eq!(
        reply.header("content-length"),
        Some(reply.body.len().to_string().as_str())
    );
    assert_eq!(reply.header("etag"), snapshot.etag("/feed.xml"));
    assert!(
        reply.header("etag").is_some_and(|t| t.starts_with('"')),
        "a strong ETag"
    );
    assert_eq!(
        reply.header("last-modified"),
        Some("Wed, 27 Mar 2024 09:30:00 GMT")
    );
    assert_eq!(reply.header("cache-control"), Some("public, max-age=120"));
    assert_eq!(reply.header("vary"), Some("Accept-Encoding"));
    assert_eq!(reply.header("content-encoding"), None);

    let alias = server.get("GET /rss.xml HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!(alias.body, reply.body);
    let atom = server
        .get("GET /atom.xml HTTP/1.1\r\nHost: t\r\n\r\n")
        .await;
    assert_eq!(
        atom.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    let index = server.get("GET /?utm=1 HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(index.header("etag").is_some() && index.header("last-modified").is_some());
    drop(snapshot);
    server.shutdown().await;
}

#[tokio::test]
async fn head_has_the_headers_of_get_without_body() {
    let server = Server::start(test_config()).await;
    let get = server
        .get("GET /feed.xml HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")
        .await;
    let mut conn = server.connect().await;
    conn.get_mut()
        .write_all(b"HEAD /feed.xml HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .expect("write");
    let head = read_reply(&mut conn, true).await;
    assert_eq!(head.status, 200);
    for name in [
        "content-type",
        "content-length",
        "etag",
        "last-modified",
        "content-encoding",
    ] {
        assert_eq!(head.header(name), get.header(name), "{name}");
    }
    // The next response on the same connection starts right after HEAD's headers.
    let next = read_reply(&mut conn, false).await;
    assert_eq!((next.status, &next.body[..]), (200, &b"ok\n"[..]));
    server.shutdown().await;
}

#[tokio::test]
async fn other_methods_get_405_and_unknown_paths_404() {
    let server = Server::start(test_config()).await;
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        let reply = server
            .get(&format!(
                "{method} /feed.xml HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"
            ))
            .await;
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("allow"), Some("GET, HEAD"));
    }
    for path in [
        "/nope",
        "/feed.xml/",
        "/../feed.xml",
        "/x/../feed.xml",
        "/feed%2Exml",
        "/%66eed.xml",
        "/FEED.XML",
        "//feed.xml",
        "/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
    ] {
        let reply = server
            .get(&format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n"))
            .await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
    }
    server.shutdown().await;
}

/// The Host check comes first, on every route and before routing; which lines and values
/// are valid is `host`'s unit test.
#[tokio::test]
async fn request_needs_one_valid_host_header() {
    let server = Server::start(test_config()).await;
    for request in [
        "GET /feed.xml HTTP/1.1\r\n\r\n",
        "GET /feed.xml HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET http://example.com/feed.xml HTTP/1.1\r\n\r\n",
        "GET /nope HTTP/1.1\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: user@example.com\r\n\r\n",
        "GET /feed.xml HTTP/1.0\r\nHost: a b\r\n\r\n",
    ] {
        let reply = server.get(request).await;
        assert_eq!(reply.status, 400, "{request:?}");
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
    for request in [
        "GET /feed.xml HTTP/1.0\r\n\r\n",
        "GET /feed.xml HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
    ] {
        assert_eq!(server.get(request).await.status, 200, "{request:?}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn absolute_form_target_uses_the_path() {
    let server = Server::start(test_config()).await;
    let reply = server
        .get("GET http://example.com/feed.xml?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/rss+xml; charset=utf-8")
    );
    server.shutdown().await;
}

/// What 304 and 412 answers look like on the wire, and that they are counted; which
/// header combinations lead to them is `conditional`'s unit test.
#[tokio::test]
async fn conditional_requests() {
    let server = Server::start(test_config()).await;
    let first = server
        .get("GET /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n")
        .await;
    let etag = first.header("etag").expect("etag").to_string();
    let lm = first.header("last-modified").expect("lm").to_string();

    let cases: &[(String, u16)] = &[
        (format!("If-None-Match: {etag}"), 304),
        (format!("If-Modified-Since: {lm}"), 304),
        ("If-None-Match: \"stale\"".to_string(), 200),
        ("If-Match: \"stale\"".to_string(), 412),
        (
            "If-Unmodified-Since: Tue, 26 Mar 2024 00:00:00 GMT".to_string(),
            412,
        ),
    ];
    for (header, want) in cases {
        let reply = server
            .get(&format!(
                "GET /feed.xml HTTP/1.1\r\nHost: t\r\n{header}\r\n\r\n"
            ))
            .await;
        assert_eq!(reply.status, *want, "{header}");
        if *want == 304 {
            assert_eq!(reply.header("etag"), Some(etag.as_str()));
            assert_eq!(reply.header("last-modified"), Some(lm.as_str()));
            assert_eq!(reply.header("cache-control"), Some("public, max-age=120"));
            assert_eq!(reply.header("vary"), Some("Accept-Encoding"));
            assert_eq!(reply.header("content-length"), None, "{header}");
            assert!(reply.body.is_empty());
        }
        if *want == 412 {
            assert_eq!(reply.header("cache-control"), Some("no-store"), "{header}");
            assert_eq!(reply.header("vary"), Some("Accept-Encoding"), "{header}");
            assert!(reply.body.len() < 64, "{header}");
            assert_eq!(reply.header("etag"), None, "{header}");
        }
    }

    // If-Match compares with the tag of the encoding being sent; HEAD gets no body.
    let gz_request = |if_match: &str| {
        format!(
            "GET /feed.xml HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nIf-Match: {if_match}\r\n\r\n"
        )
    };
    assert_eq!(server.get(&gz_request(&etag)).await.status, 412);
    let reply = server
        .get(&format!("HEAD{}", &gz_request(&etag)[3..]))
        .await;
    assert_eq!((reply.status, reply.body.len()), (412, 0));

    // 412s are counted like any status, in series that exist before the first one.
    let metrics = server.state.metrics.encode();
    for series in [
        r#"feedwright_http_requests_total{route="/feed.xml",status="412"} 4"#,
        r#"feedwright_http_requests_total{route="/atom.xml",status="412"} 0"#,
    ] {
        assert!(metrics.contains(series), "{series}: {metrics}");
    }

    // The gzip tag revalidates a gzip request and is confirmed as such.
    let gz = server
        .get("GET /feed.xml HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")
        .await;
    let gz_tag = gz.header("etag").expect("gzip etag").to_string();
    assert_ne!(gz_tag, etag);
    let reply = server
        .get(&format!(
            "GET /feed.xml HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nIf-None-Match: {gz_tag}\r\n\r\n"
        ))
        .await;
    assert_eq!(
        (reply.status, reply.header("etag")),
        (304, Some(gz_tag.as_str()))
    );
    // HEAD honours conditionals too.
    let reply = server
        .get(&format!(
            "HEAD /feed.xml HTTP/1.1\r\nHost: t\r\nIf-None-Match: {etag}\r\n\r\n"
        ))
        .await;
    assert_eq!(reply.status, 304);
    server.shutdown().await;
}

/// Quick successive changes push a snapshot's Last-Modified ahead of the clock; what is
/// sent is then the Date value (RFC 9110 §8.8.2.1), and the snapshot keeps its own.
#[tokio::test]
async fn last_modified_is_never_later_than_date() {
    let cfg = test_config();
    let ahead = Utc::now() + chrono::Duration::hours(1);
    let out = outputs_with(rss(), Some(ahead));
    let snapshot = Snapshot::build(&cfg, out, vec![], 2, None, ahead);
    let own = snapshot.resource("/feed.xml").expect("feed").clone();
    assert!(own.last_modified_unix > Utc::now().timestamp() + 3000);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = Server::start_with(cfg, snapshot, listener);
    let http_date = |v: Option<&str>| {
        httpdate::parse_http_date(v.expect("date header"))
            .map(|t| DateTime::<Utc>::from(t).timestamp())
            .expect("http date")
    };

    let before = Utc::now().timestamp();
    for request in [
        "GET /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n",
        "HEAD /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /feed.xml HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n",
    ] {
        let reply = server.get(request).await;
        assert_eq!(reply.status, 200, "{request:?}");
        let dates = reply
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("date"));
        assert_eq!(dates.count(), 1, "{request:?}: {:?}", reply.headers);
        assert_eq!(
            reply.header("last-modified"),
            reply.header("date"),
            "{request:?}"
        );
        let sent = http_date(reply.header("date"));
        assert!(
            before <= sent && sent <= Utc::now().timestamp(),
            "{request:?}"
        );
    }
    let own_lm = own.last_modified.to_str().expect("ascii").to_string();
    let current = server.state.snapshot.load();
    let served = current.resource("/feed.xml").expect("feed");
    assert_eq!(
        served.last_modified, own.last_modified,
        "the snapshot keeps its value"
    );

    // If-Modified-Since is compared with the snapshot's own value: the current second, which
    // a client holding the previous bytes may also have been sent, is no proof of freshness.
    let sent = server
        .get("GET /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n")
        .await;
    let sent_lm = sent.header("last-modified").expect("lm").to_string();
    let reply = server
        .get(&format!(
            "GET /feed.xml HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: {sent_lm}\r\n\r\n"
        ))
        .await;
    assert_eq!(reply.status, 200);
    let reply = server
        .get(&format!(
            "GET /feed.xml HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: {own_lm}\r\n\r\n"
        ))
        .await;
    assert_eq!(reply.status, 304);
    assert_eq!(reply.header("last-modified"), reply.header("date"));

    // If-Unmodified-Since is compared with what is sent, the current second, not with the
    // snapshot's value an hour ahead.
    let minute = Duration::from_secs(60);
    let minute_ago = httpdate::fmt_http_date(std::time::SystemTime::now() - minute);
    let in_a_minute = httpdate::fmt_http_date(std::time::SystemTime::now() + minute);
    for (since, want) in [(in_a_minute.as_str(), 200), (minute_ago.as_str(), 412)] {
        let reply = server
            .get(&format!(
                "GET /feed.xml HTTP/1.1\r\nHost: t\r\nIf-Unmodified-Since: {since}\r\n\r\n"
            ))
            .await;
        assert_eq!(reply.status, want, "If-Unmodified-Since: {since}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn content_codings_and_406() {
    let server = Server::start(test_config()).await;
    let identity = server
        .state
        .snapshot
        .load()
        .body("/feed.xml")
        .expect("body");

    let gz = server
        .get("GET /feed.xml HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip, deflate\r\n\r\n")
        .await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(gz.header("etag").is_some_and(|t| t.ends_with("-gz\"")));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..])
        .read_to_end(&mut out)
        .expect("gunzip");
    assert_eq!(&out[..], &identity[..]);

    let br = server
        .get("GET /feed.xml HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip;q=0.5, br;q=1.0, *;q=0\r\n\r\n")
        .await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert!(br.header("etag").is_some_and(|t| t.ends_with("-br\"")));
    let mut out = Vec::new();
    brotli::Decompressor::new(&br.body[..], 4096)
        .read_to_end(&mut out)
        .expect("unbrotli");
    assert_eq!(&out[..], &identity[..]);

    // Nothing acceptable: 406, varying by Accept-Encoding (which codings are refused is
    // `negotiate`'s unit test).
    let none = server
        .get("GET /feed.xml HTTP/1.1\r\nHost: t\r\nAccept-Encoding: identity;q=0\r\n\r\n")
        .await;
    assert_eq!(none.status, 406);
    assert_eq!(none.header("vary"), Some("Accept-Encoding"));
    assert_eq!(none.header("cache-control"), Some("no-store"));
    server.shutdown().await;
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let cfg = test_config();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = Server::start_with(cfg.clone(), Snapshot::starting(&cfg), listener);

    let health = server.get("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!((health.status, &health.body[..]), (200, &b"ok\n"[..]));
    assert_eq!(health.header("cache-control"), Some("no-store"));
    let ready = server.get("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!((ready.status, &ready.body[..]), (503, &b"starting\n"[..]));
    let feed = server
        .get("GET /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n")
        .await;
    assert_eq!(feed.status, 503);
    assert_eq!(feed.header("retry-after"), Some("1"));

    let errors = vec!["bad.md:3:1: error: invalid YAML".to_string()];
    let loaded = Snapshot::build(&cfg, outputs(), errors, 4, None, Utc::now());
    server.state.snapshot.store(Arc::new(loaded));
    let ready = server.get("GET /readyz HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!(ready.status, 200);
    assert_eq!(
        String::from_utf8_lossy(&ready.body),
        "ready\n4 published articles\ncontent errors: 1\nbad.md:3:1: error: invalid YAML\n"
    );
    let feed = server
        .get("GET /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n")
        .await;
    assert_eq!(feed.status, 200);
    let _ = server
        .get("GET /wp-login.php HTTP/1.1\r\nHost: t\r\n\r\n")
        .await;

    let metrics = server.get("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!(metrics.status, 200);
    assert_eq!(metrics.header("cache-control"), Some("no-store"));
    assert!(metrics
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/openmetrics-text")));
    let text = String::from_utf8_lossy(&metrics.body);
    for needle in [
        r#"feedwright_http_requests_total{route="/feed.xml",status="200"} 1"#,
        r#"feedwright_http_requests_total{route="/feed.xml",status="503"} 1"#,
        r#"feedwright_http_requests_total{route="other",status="404"} 1"#,
        r#"feedwright_http_requests_total{route="/healthz",status="200"} 1"#,
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
    assert!(!text.contains("wp-login"), "raw paths never become labels");
    server.shutdown().await;
}

#[tokio::test]
async fn huge_header_and_malformed_request_are_refused() {
    let mut cfg = test_config();
    cfg.server.max_header_bytes = 8192;
    let server = Server::start(cfg).await;
    let mut conn = server.connect().await;
    let request = format!(
        "GET /feed.xml HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    // The server may close before reading it all: a failed write is fine.
    let _ = conn.get_mut().write_all(request.as_bytes()).await;
    let mut response = Vec::new();
    let read = timeout(WAIT, conn.read_to_end(&mut response))
        .await
        .expect("answered or closed in time");
    let text = String::from_utf8_lossy(&response);
    assert!(
        read.is_err() || response.is_empty() || text.starts_with("HTTP/1.1 431"),
        "unexpected answer: {text:.200}"
    );

    // A request line that is not HTTP: 400 (or closed), and the server is still fine.
    let mut conn = server.connect().await;
    let _ = conn.get_mut().write_all(b"THIS IS NOT HTTP\r\n\r\n").await;
    let mut response = Vec::new();
    let read = timeout(WAIT, conn.read_to_end(&mut response))
        .await
        .expect("answered or closed in time");
    let text = String::from_utf8_lossy(&response);
    assert!(
        read.is_err() || response.is_empty() || text.starts_with("HTTP/1.1 400"),
        "unexpected answer: {text:.200}"
    );
    let ok = server.get("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!(ok.status, 200);
    server.shutdown().await;
}

/// Reads until the server closes the connection; returns how long that took.
async fn time_until_closed(conn: &mut (impl tokio::io::AsyncRead + Unpin)) -> Duration {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    timeout(WAIT, async {
        loop {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await
    .expect("server closed the connection in time");
    started.elapsed()
}

/// Sends `request` one byte every 200 ms (repeating it) until the server closes the
/// connection; returns how long that took.
async fn drip_until_closed(stream: TcpStream, request: &'static [u8]) -> Duration {
    let (mut reader, mut writer) = stream.into_split();
    let drip = tokio::spawn(async move {
        for byte in request.iter().cycle().take(100) {
            if writer.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let took = time_until_closed(&mut reader).await;
    drip.abort();
    took
}

#[tokio::test]
async fn slowloris_is_cut_off() {
    let mut cfg = test_config();
    cfg.server.header_read_timeout = Duration::from_secs(1);
    let server = Server::start(cfg).await;
    let stream = TcpStream::connect(server.addr).await.expect("connect");
    let took = drip_until_closed(
        stream,
        b"GET /feed.xml HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    )
    .await;
    assert!(took < Duration::from_secs(3), "took {took:?}");

    // A silent client is cut off too.
    let mut silent = TcpStream::connect(server.addr).await.expect("connect");
    let took = time_until_closed(&mut silent).await;
    assert!(took < Duration::from_secs(3), "silent took {took:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn idle_keep_alive_connection_is_closed() {
    let mut cfg = test_config();
    cfg.server.idle_timeout = Duration::from_millis(500);
    let server = Server::start(cfg).await;
    let mut conn = server.connect().await;
    assert_eq!(
        exchange(&mut conn, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .status,
        200
    );
    let mut stream = conn.into_inner();
    let took = time_until_closed(&mut stream).await;
    assert!(took < Duration::from_secs(3), "took {took:?}");
    server.shutdown().await;
}

/// Whatever the first request's method (POST starts with `P`, like the h2 preface).
#[tokio::test]
async fn slow_second_request_head_is_cut_off() {
    let mut cfg = test_config();
    cfg.server.header_read_timeout = Duration::from_secs(1);
    let server = Server::start(cfg).await;
    for (first, status) in [
        ("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 200),
        (
            "POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
            405,
        ),
    ] {
        let mut conn = server.connect().await;
        assert_eq!(exchange(&mut conn, first).await.status, status, "{first:?}");
        // A kept-alive connection that idles is fine for longer than the header timeout...
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(
            exchange(&mut conn, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                .await
                .status,
            200
        );
        // ...but the next head, once started, must be complete within it.
        let took = drip_until_closed(conn.into_inner(), b"GET /healthz HTTP/1.1\r\nX-Slow: ").await;
        assert!(took < Duration::from_secs(3), "{first:?}: took {took:?}");
    }
    server.shutdown().await;
}
/// While every slot is busy with a response (here: clients that do not read theirs), a new
/// client waits briefly for a slot; then it goes on the spare lane, where the health probes
/// are answered within a second and anything else gets 503 with `Retry-After` at once,
/// one request per connection. When a slot frees, clients are served as usual again.
#[tokio::test]
async fn with_every_slot_busy_the_spare_lane_answers_health_probes_within_a_second() {
    const SLOTS: usize = 2;
    let mut cfg = test_config();
    cfg.server.max_connections = SLOTS;
    let server = start_small_buffers(cfg).await;
    let mut readers = Vec::new();
    for _ in 0..SLOTS {
        let mut reader = slow_client(server.addr).await;
        reader
            .write_all(b"GET /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .expect("write");
        readers.push(reader);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Not at once: a slot may yet come free.
    let mut waiting = server.connect().await; // completes in the kernel backlog
    waiting
        .get_mut()
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .expect("write");
    let mut byte = [0u8; 1];
    let early = timeout(
        Duration::from_millis(150),
        waiting.get_mut().peek(&mut byte),
    )
    .await;
    assert!(early.is_err(), "answered before waiting for a slot");
    assert_eq!(read_reply(&mut waiting, false).await.status, 200);

    for (path, status) in [("/healthz", 200), ("/readyz", 200), ("/feed.xml", 503)] {
        let started = Instant::now();
        let mut client = server.connect().await;
        let request = format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n");
        let reply = exchange(&mut client, &request).await;
        let took = started.elapsed();
        assert_eq!(reply.status, status, "{path}");
        assert!(took < Duration::from_secs(1), "{path} took {took:?}");
        if status == 503 {
            assert_eq!(reply.header("retry-after"), Some("1"));
        }
        // One request per connection on the spare lane.
        assert_eq!(reply.header("connection"), Some("close"), "{path}");
        let closed = time_until_closed(client.get_mut()).await;
        assert!(closed < Duration::from_secs(1), "{path}: {closed:?}");
    }

    // A slot frees: a new client gets the feed again.
    readers.pop();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut client = server.connect().await;
    let reply = exchange(&mut client, "GET /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert_eq!(reply.status, 200);
    drop(readers);
    server.shutdown().await;
}

/// When every slot holds a client that sends nothing, or its request head a byte at a
/// time, a new client is served within a second, not after the header timeout: the
/// connection waiting longest for its request gives its slot up (issue 17).
#[tokio::test]
async fn silent_and_slow_clients_give_way_to_new_clients_oldest_first() {
    const SLOTS: usize = 16;
    let mut cfg = test_config();
    cfg.server.max_connections = SLOTS;
    cfg.server.workers = 2;
    cfg.server.header_read_timeout = Duration::from_secs(60);
    let server = Server::start(cfg).await;
    let mut held = Vec::new();
    for i in 0..SLOTS {
        let mut conn = server.connect().await;
        if i % 2 == 1 {
            // Slow-loris: the head started, never finished.
            conn.get_mut()
                .write_all(b"GET /healthz HTTP/1.1\r\nHost")
                .await
                .expect("write");
        }
        held.push(conn);
        // Distinct times (milliseconds), so "oldest" is well defined.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Every slot is taken by now.
    tokio::time::sleep(Duration::from_millis(100)).await;

    for (round, path) in ["/healthz", "/readyz", "/healthz"].iter().enumerate() {
        let started = Instant::now();
        let mut client = server.connect().await;
        let request = format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n");
        let reply = exchange(&mut client, &request).await;
        let took = started.elapsed();
        assert_eq!(reply.status, 200, "{path}");
        assert!(took < Duration::from_secs(1), "{path} took {took:?}");
        // The oldest held connection was closed.
        let closed = time_until_closed(held[round].get_mut()).await;
        assert!(closed < Duration::from_secs(1), "{round}: {closed:?}");
        // The slot goes to a new silent client, so the next round needs one given up
        // again (an idle keep-alive client would be the first to go).
        drop(client);
        held.push(server.connect().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The next oldest and the newest are still open: they get an answer when they finish.
    for conn in [3, SLOTS - 1] {
        held[conn]
            .get_mut()
            .write_all(b": t\r\n\r\n")
            .await
            .expect("write");
        let mut byte = [0u8; 1];
        let open = timeout(
            Duration::from_millis(300),
            held[conn].get_mut().peek(&mut byte),
        )
        .await;
        assert!(
            matches!(open, Ok(Ok(1))),
            "{conn}: closed or unanswered: {open:?}"
        );
    }
    drop(held);
    server.shutdown().await;
}

/// `server.reclaim_wait_ms` is how long a silent client keeps its slot from a new one: with
/// 1.5 s, the new client waits until the silent one has held its slot that long.
#[tokio::test]
async fn silent_clients_keep_their_slot_for_the_configured_reclaim_wait() {
    let mut cfg = test_config();
    cfg.server.max_connections = 1;
    cfg.server.reclaim_wait = Duration::from_millis(1500);
    cfg.server.header_read_timeout = Duration::from_secs(60);
    let server = Server::start(cfg).await;
    let started = Instant::now();
    let mut silent = server.connect().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut client = server.connect().await;
    let reply = exchange(&mut client, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await;
    let took = started.elapsed();
    assert_eq!(reply.status, 200);
    assert!(
        took >= Duration::from_millis(1400) && took < Duration::from_secs(4),
        "served after {took:?}"
    );
    let closed = time_until_closed(silent.get_mut()).await;
    assert!(closed < Duration::from_secs(1), "{closed:?}");
    server.shutdown().await;
}

/// When every slot holds an idle keep-alive connection, a new client is served at once:
/// the connection idle for longest gives its slot up, then the next oldest (issue 17).
#[tokio::test]
async fn idle_keep_alive_connections_give_way_to_new_clients_oldest_first() {
    const SLOTS: usize = 16;
    let mut cfg = test_config();
    cfg.server.max_connections = SLOTS;
    cfg.server.workers = 2;
    let server = Server::start(cfg).await;
    let mut idle = Vec::new();
    for _ in 0..SLOTS {
        let mut conn = server.connect().await;
        let reply = exchange(&mut conn, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await;
        assert_eq!(reply.status, 200);
        idle.push(conn);
        // Distinct idle-since times (milliseconds), so "oldest" is well defined.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // New clients stay connected: each one needs a slot given up.
    let mut new_clients = Vec::new();
    for (round, oldest) in idle.iter_mut().take(3).enumerate() {
        let started = Instant::now();
        let mut client = server.connect().await;
        let health = exchange(&mut client, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await;
        let took = started.elapsed();
        new_clients.push(client);
        assert_eq!(health.status, 200);
        assert!(took < Duration::from_secs(1), "/healthz took {took:?}");
        // The oldest idle connection was closed.
        let closed = time_until_closed(oldest.get_mut()).await;
        assert!(closed < Duration::from_secs(1), "{round}: {closed:?}");
    }
    // The next oldest and the newest were left alone.
    for conn in [3, SLOTS - 1] {
        let reply = exchange(&mut idle[conn], "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await;
        assert_eq!(reply.status, 200, "{conn}");
    }
    server.shutdown().await;
}

/// A feed large enough that a client that does not read blocks the server's writes.
fn big_outputs() -> SiteOutputs {
    let mut x: u64 = 7;
    let mut rss = String::with_capacity(1_100_000);
    rss.push_str("<rss>");
    while rss.len() < 1_000_000 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        rss.push(char::from(b'a' + ((x >> 33) % 26) as u8));
    }
    rss.push_str("</rss>");
    outputs_with(rss, Some(updated()))
}

/// Server sockets with a small send buffer and a client with a small receive buffer, so a
/// 1 MB response really waits for the client.
async fn start_small_buffers(cfg: Config) -> Server {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_send_buffer_size(4096).expect("sndbuf");
    socket
        .bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let listener = socket.listen(64).expect("listen");
    let snapshot = Snapshot::build(&cfg, big_outputs(), vec![], 1, None, Utc::now());
    Server::start_with(cfg, snapshot, listener)
}

async fn slow_client(addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("rcvbuf");
    timeout(WAIT, socket.connect(addr))
        .await
        .expect("connect in time")
        .expect("connect")
}

#[tokio::test]
async fn client_that_stops_reading_is_cut_off() {
    let mut cfg = test_config();
    cfg.server.request_timeout = Duration::from_secs(1);
    let server = start_small_buffers(cfg).await;
    let mut client = slow_client(server.addr).await;
    client
        .write_all(b"GET /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .expect("write");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut received = Vec::new();
    let _ = timeout(WAIT, client.read_to_end(&mut received))
        .await
        .expect("closed in time");
    assert!(
        received.len() < 1_000_000,
        "the stalled response should have been cut off, got {} bytes",
        received.len()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_requests() {
    let mut cfg = test_config();
    cfg.server.shutdown_grace = Duration::from_secs(5);
    let server = start_small_buffers(cfg).await;
    let expected = server
        .state
        .snapshot
        .load()
        .body("/feed.xml")
        .map(|b| b.len())
        .expect("body");
    let mut client = slow_client(server.addr).await;
    client
        .write_all(b"GET /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .expect("write");
    let mut idle = TcpStream::connect(server.addr).await.expect("idle connect");
    // Let the server start writing and block on the full client buffer.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let addr = server.addr;
    let stopping = tokio::spawn(server.shutdown());
    tokio::time::sleep(Duration::from_millis(300)).await;
    // New connections are refused once shutdown started.
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "listener still open"
    );

    // The in-flight response still arrives whole.
    let mut received = Vec::new();
    timeout(WAIT, client.read_to_end(&mut received))
        .await
        .expect("response in time")
        .expect("read");
    let text = String::from_utf8_lossy(&received[..received.len().min(200)]).to_string();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let header_end = received
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    assert_eq!(received.len() - header_end - 4, expected);
    // The idle connection was closed, and serve returned.
    let _ = time_until_closed(&mut idle).await;
    timeout(WAIT, stopping)
        .await
        .expect("serve stopped in time")
        .expect("shutdown task");
}

#[tokio::test]
async fn h2c_prior_knowledge() {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let server = Server::start(test_config()).await;
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http::<Empty<Bytes>>();
    let url = format!("http://{}/atom.xml", server.addr);
    let request = hyper::Request::get(&url)
        .header("accept-encoding", "br")
        .body(Empty::new())
        .expect("request");
    let response = timeout(WAIT, client.request(request))
        .await
        .expect("in time")
        .expect("h2 response");
    assert_eq!(response.version(), hyper::Version::HTTP_2);
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .map(|v| v.as_bytes()),
        Some(&b"br"[..])
    );
    let etag = response.headers().get("etag").cloned().expect("etag");
    let body = timeout(WAIT, response.into_body().collect())
        .await
        .expect("in time")
        .expect("body")
        .to_bytes();
    let mut out = Vec::new();
    brotli::Decompressor::new(&body[..], 4096)
        .read_to_end(&mut out)
        .expect("unbrotli");
    assert_eq!(
        Some(&Bytes::from(out)),
        server.state.snapshot.load().body("/atom.xml").as_ref()
    );

    let request = hyper::Request::head(&url)
        .header("accept-encoding", "br")
        .header("if-none-match", etag.clone())
        .body(Empty::new())
        .expect("request");
    let response = timeout(WAIT, client.request(request))
        .await
        .expect("in time")
        .expect("h2 response");
    assert_eq!(response.status(), 304);
    assert_eq!(response.headers().get("etag"), Some(&etag));
    drop(client);
    server.shutdown().await;
}

/// Large bodies leave through `sendfile` (Linux): what arrives must be exactly the body,
/// also when the client reads slowly (many partial writes from varying offsets), for each
/// encoding, and a second request on the same connection must follow intact.
#[tokio::test]
async fn large_bodies_arrive_exact_through_partial_writes() {
    let server = start_small_buffers(test_config()).await;
    let snapshot = server.state.snapshot.load_full();
    let resource = snapshot.resource("/feed.xml").expect("feed").clone();
    let mut client = BufReader::new(slow_client(server.addr).await);
    for coding in ["identity", "gzip", "br", "identity"] {
        client
            .get_mut()
            .write_all(
                format!("GET /feed.xml HTTP/1.1\r\nHost: t\r\nAccept-Encoding: {coding}\r\n\r\n")
                    .as_bytes(),
            )
            .await
            .expect("write");
        // Let the server fill the small buffers and wait on the reader a few times.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let reply = read_reply(&mut client, false).await;
        assert_eq!(reply.status, 200, "{coding}");
        let expected = match coding {
            "gzip" => resource.representation(crate::snapshot::Coding::Gzip),
            "br" => resource.representation(crate::snapshot::Coding::Br),
            _ => Some(resource.identity()),
        }
        .expect("representation");
        assert!(expected.body.len() >= crate::snapshot::body_file::BODY_FILE_MIN_BYTES);
        assert!(
            reply.body == expected.body,
            "{coding}: {} bytes received, {} expected, first difference at {:?}",
            reply.body.len(),
            expected.body.len(),
            reply
                .body
                .iter()
                .zip(expected.body.iter())
                .position(|(a, b)| a != b)
        );
    }
    server.shutdown().await;
}

/// Connections are dealt to several worker threads (more than this machine may have
/// cores): every request on every connection is answered and counted once.
#[tokio::test]
async fn several_workers_serve_every_connection() {
    let mut cfg = test_config();
    cfg.server.workers = 3;
    let server = Server::start(cfg).await;
    let expected = server
        .state
        .snapshot
        .load()
        .body("/feed.xml")
        .expect("body");
    let mut clients = Vec::new();
    for _ in 0..12 {
        let mut conn = server.connect().await;
        let expected = expected.clone();
        clients.push(tokio::spawn(async move {
            for _ in 0..5 {
                let reply = exchange(&mut conn, "GET /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n").await;
                assert_eq!(reply.status, 200);
                assert_eq!(reply.body, expected);
            }
        }));
    }
    for client in clients {
        timeout(WAIT, client)
            .await
            .expect("client in time")
            .expect("client");
    }
    let metrics = server.state.metrics.encode();
    let needle = r#"feedwright_http_requests_total{route="/feed.xml",status="200"} 60"#;
    assert!(metrics.contains(needle), "missing {needle} in\n{metrics}");
    server.shutdown().await;
}

/// h2 frames a large body into DATA frames whose payloads point into the same bytes: they
/// may go out through `sendfile` too, and must arrive exact.
#[tokio::test]
async fn large_body_over_h2c_arrives_exact() {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let server = start_small_buffers(test_config()).await;
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http::<Empty<Bytes>>();
    let url = format!("http://{}/feed.xml", server.addr);
    for _ in 0..2 {
        let request = hyper::Request::get(&url)
            .body(Empty::new())
            .expect("request");
        let response = timeout(WAIT, client.request(request))
            .await
            .expect("in time")
            .expect("h2 response");
        assert_eq!(response.version(), hyper::Version::HTTP_2);
        assert_eq!(response.status(), 200);
        let body = timeout(WAIT, response.into_body().collect())
            .await
            .expect("in time")
            .expect("body")
            .to_bytes();
        assert!(
            Some(&body) == server.state.snapshot.load().body("/feed.xml").as_ref(),
            "h2 body differs ({} bytes)",
            body.len()
        );
    }
    drop(client);
    server.shutdown().await;
}

/// Workers keep their own copies of header values: after a snapshot swap every worker must
/// send the new resource's ETag and Last-Modified, never a copy of the old one.
#[tokio::test]
async fn header_values_follow_snapshot_swaps_on_every_worker() {
    let mut cfg = test_config();
    cfg.server.workers = 3;
    let server = Server::start(cfg.clone()).await;
    let mut previous: Option<String> = None;
    for round in 0..3 {
        let outputs = outputs_with(
            rss().replace("Entry", &format!("Entry {round}")),
            Some(updated()),
        );
        let snapshot = Snapshot::build(&cfg, outputs, vec![], 2, None, Utc::now());
        let resource = snapshot.resource("/feed.xml").expect("feed").clone();
        server.state.snapshot.store(Arc::new(snapshot));
        let expected_etag = resource
            .identity()
            .etag
            .to_str()
            .expect("ascii")
            .to_string();
        let expected_date = resource.last_modified.to_str().expect("ascii").to_string();
        assert_ne!(previous.as_deref(), Some(expected_etag.as_str()));
        // Fresh connections are dealt to every worker in turn.
        for _ in 0..6 {
            let reply = server
                .get("GET /feed.xml HTTP/1.1\r\nHost: t\r\n\r\n")
                .await;
            assert_eq!(reply.header("etag"), Some(expected_etag.as_str()));
            assert_eq!(reply.header("last-modified"), Some(expected_date.as_str()));
            let confirmed = server
                .get(&format!(
                    "GET /feed.xml HTTP/1.1\r\nHost: t\r\nIf-None-Match: {expected_etag}\r\n\r\n"
                ))
                .await;
            assert_eq!(confirmed.status, 304);
            assert_eq!(confirmed.header("etag"), Some(expected_etag.as_str()));
        }
        previous = Some(expected_etag);
    }
    server.shutdown().await;
}

#[cfg(test)]
mod media;
