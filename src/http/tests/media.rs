//! `/media/`: the in-process server with a snapshot whose media table is filled directly
//! (the podcast section fills it in the daemon). Ranges, If-Range, 416, HEAD, 304, 404 for
//! anything not in the table, path tricks, symlinks, replaced files, and bodies that arrive
//! exact over keep-alive, pipelining, small socket buffers and h2c.

use std::path::{Path, PathBuf};

use super::*;
use crate::content::media::{etag, MediaInfo};
use crate::snapshot::{MediaFile, MediaTable};

/// A content folder with `episodes/ep1.mp3` (`len` bytes, a pattern no two offsets share
/// in a short window) and `episodes/draft.mp3` and `secret.txt` beside it, not in the table.
struct Media {
    dir: tempfile::TempDir,
    bytes: Vec<u8>,
}

fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 56) as u8
        })
        .collect()
}

impl Media {
    fn new(len: usize) -> Media {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("episodes")).expect("mkdir");
        let bytes = pattern(len, 11);
        std::fs::write(dir.path().join("episodes/ep1.mp3"), &bytes).expect("write");
        std::fs::write(dir.path().join("episodes/draft.mp3"), b"draft audio").expect("write");
        std::fs::write(dir.path().join("secret.txt"), b"secret").expect("write");
        Media { dir, bytes }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn snapshot(&self, cfg: &Config) -> Snapshot {
        let mut snapshot = Snapshot::build(cfg, outputs(), vec![], 1, None, Utc::now());
        let fs_path = self.path("episodes/ep1.mp3");
        let meta = std::fs::metadata(&fs_path).expect("stat");
        let info = MediaInfo {
            length: meta.len(),
            mime: "audio/mpeg",
            duration: None,
            modified: meta.modified().expect("mtime"),
            etag: etag(&meta),
        };
        let file = MediaFile { fs_path, info };
        let table = MediaTable::new([("episodes/ep1.mp3".to_string(), file)]);
        snapshot.set_media(Arc::new(table));
        snapshot
    }

    async fn serve(&self) -> Server {
        let cfg = media_config();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let snapshot = self.snapshot(&cfg);
        Server::start_with(cfg, snapshot, listener)
    }
}

/// `/media/` is served only for a podcast whose media is not hosted elsewhere.
fn media_config() -> Config {
    let mut cfg = test_config();
    let env = [("FEEDWRIGHT_PODCAST_SECTION".into(), "episodes".into())];
    cfg.podcast = Config::load_with_env(&Default::default(), env)
        .expect("config")
        .podcast;
    cfg
}

fn current_etag(path: &Path) -> String {
    etag(&std::fs::metadata(path).expect("stat"))
}

fn get(target: &str, extra: &str) -> String {
    format!("GET {target} HTTP/1.1\r\nHost: x\r\n{extra}\r\n")
}

#[tokio::test]
async fn get_and_head_serve_the_file_with_its_headers() {
    let media = Media::new(10_000);
    let server = media.serve().await;
    let reply = server.get(&get("/media/episodes/ep1.mp3", "")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, media.bytes);
    assert_eq!(reply.header("content-type"), Some("audio/mpeg"));
    assert_eq!(reply.header("content-length"), Some("10000"));
    assert_eq!(reply.header("accept-ranges"), Some("bytes"));
    assert_eq!(reply.header("cache-control"), Some("public, max-age=120"));
    let tag = current_etag(&media.path("episodes/ep1.mp3"));
    assert_eq!(reply.header("etag"), Some(tag.as_str()));
    assert!(reply.header("last-modified").is_some());
    assert_eq!(reply.header("content-encoding"), None);

    let head = server
        .get("HEAD /media/episodes/ep1.mp3 HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\n\r\n")
        .await;
    assert_eq!(head.status, 200, "HEAD ignores Range");
    assert_eq!(head.header("content-length"), Some("10000"));
    assert_eq!(head.header("etag"), Some(tag.as_str()));
    assert!(head.body.is_empty());

    let post = server
        .get("POST /media/episodes/ep1.mp3 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        .await;
    assert_eq!(post.status, 405);
    server.shutdown().await;
}

#[tokio::test]
async fn single_ranges_suffixes_and_416() {
    let media = Media::new(10_000);
    let server = media.serve().await;
    let cases = [
        ("bytes=100-199", 100, 200),
        ("bytes=9990-", 9990, 10_000),
        ("bytes=-10", 9990, 10_000),
        ("bytes=9000-20000", 9000, 10_000),
    ];
    for (range, start, end) in cases {
        let reply = server
            .get(&get(
                "/media/episodes/ep1.mp3",
                &format!("Range: {range}\r\n"),
            ))
            .await;
        assert_eq!(reply.status, 206, "{range}");
        assert_eq!(reply.body, &media.bytes[start..end], "{range}");
        let want = format!("bytes {start}-{}/10000", end - 1);
        assert_eq!(
            reply.header("content-range"),
            Some(want.as_str()),
            "{range}"
        );
        assert_eq!(
            reply.header("content-length"),
            Some(&*(end - start).to_string())
        );
    }
    let reply = server
        .get(&get("/media/episodes/ep1.mp3", "Range: bytes=10000-\r\n"))
        .await;
    assert_eq!(reply.status, 416);
    assert_eq!(reply.header("content-range"), Some("bytes */10000"));
    // Several ranges: the whole file.
    let reply = server
        .get(&get("/media/episodes/ep1.mp3", "Range: bytes=0-1, 5-6\r\n"))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, media.bytes);
    server.shutdown().await;
}

#[tokio::test]
async fn if_range_and_conditional_requests() {
    let media = Media::new(10_000);
    let server = media.serve().await;
    let first = server.get(&get("/media/episodes/ep1.mp3", "")).await;
    let tag = first.header("etag").expect("etag").to_string();
    let date = first.header("last-modified").expect("lm").to_string();

    let range = |if_range: &str| format!("Range: bytes=10-19\r\nIf-Range: {if_range}\r\n");
    let matching = server
        .get(&get("/media/episodes/ep1.mp3", &range(&tag)))
        .await;
    assert_eq!(matching.status, 206);
    assert_eq!(matching.body, &media.bytes[10..20]);
    let other = server
        .get(&get("/media/episodes/ep1.mp3", &range("\"someone-else\"")))
        .await;
    assert_eq!(other.status, 200, "If-Range mismatch: the whole file");
    assert_eq!(other.body, media.bytes);
    let weak = server
        .get(&get("/media/episodes/ep1.mp3", &range(&format!("W/{tag}"))))
        .await;
    assert_eq!(weak.status, 200, "a weak tag never matches If-Range");
    // The file was written just now: its date is not a strong validator until a second
    // has passed, then it is.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let by_date = server
        .get(&get("/media/episodes/ep1.mp3", &range(&date)))
        .await;
    assert_eq!(by_date.status, 206);

    let inm = format!("If-None-Match: {tag}\r\n");
    let reply = server.get(&get("/media/episodes/ep1.mp3", &inm)).await;
    assert_eq!(reply.status, 304);
    assert_eq!(reply.header("etag"), Some(tag.as_str()));
    let ims = format!("If-Modified-Since: {date}\r\n");
    assert_eq!(
        server
            .get(&get("/media/episodes/ep1.mp3", &ims))
            .await
            .status,
        304
    );
    let im = "If-Match: \"stale\"\r\n";
    assert_eq!(
        server.get(&get("/media/episodes/ep1.mp3", im)).await.status,
        412
    );
    server.shutdown().await;
}

/// Without a podcast section (or with its media hosted at `media_base_url`) nothing is
/// served under `/media/`, whatever a snapshot's table holds.
#[tokio::test]
async fn no_podcast_serves_no_media() {
    let media = Media::new(100);
    let cfg = test_config();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let snapshot = media.snapshot(&cfg);
    let server = Server::start_with(cfg, snapshot, listener);
    let reply = server.get(&get("/media/episodes/ep1.mp3", "")).await;
    assert_eq!(reply.status, 404);
    server.shutdown().await;
}

#[tokio::test]
async fn only_files_in_the_table_are_served() {
    let media = Media::new(100);
    let server = media.serve().await;
    for target in [
        "/media/episodes/draft.mp3",
        "/media/secret.txt",
        "/media/episodes/../secret.txt",
        "/media/episodes/%2e%2e/secret.txt",
        "/media/episodes/..%2fsecret.txt",
        "/media/..%2Fsecret.txt",
        "/media/%2Fetc%2Fpasswd",
        "/media//episodes/ep1.mp3",
        "/media/episodes/ep1.mp3/",
        "/media/",
        "/media",
        "/media/episodes/ep1.mp3%00",
    ] {
        let reply = server.get(&get(target, "")).await;
        assert_eq!(reply.status, 404, "{target}");
        assert!(!reply.body.starts_with(b"secret") && !reply.body.starts_with(b"draft"));
    }
    // Percent-encoding of an ordinary character still names the file.
    let reply = server.get(&get("/media/episodes/ep%31.mp3", "")).await;
    assert_eq!(reply.status, 200);

    let metrics = server.get(&get("/metrics", "")).await;
    let text = String::from_utf8_lossy(&metrics.body);
    assert!(
        text.contains(r#"feedwright_http_requests_total{route="/media",status="404"} 11"#),
        "{text}"
    );
    assert!(text.contains(r#"feedwright_http_requests_total{route="/media",status="200"} 1"#));
    server.shutdown().await;
}

#[tokio::test]
async fn a_symlink_swapped_in_or_a_replaced_file_is_never_served_stale() {
    let media = Media::new(1000);
    let server = media.serve().await;
    let path = media.path("episodes/ep1.mp3");
    let before = server.get(&get("/media/episodes/ep1.mp3", "")).await;
    assert_eq!(before.status, 200);

    // Replaced by a symlink to a file elsewhere: refused.
    std::fs::remove_file(&path).expect("rm");
    std::os::unix::fs::symlink(media.path("secret.txt"), &path).expect("symlink");
    let reply = server.get(&get("/media/episodes/ep1.mp3", "")).await;
    assert_eq!(reply.status, 404);
    // A folder in its place: refused.
    std::fs::remove_file(&path).expect("rm");
    std::fs::create_dir(&path).expect("mkdir");
    assert_eq!(
        server.get(&get("/media/episodes/ep1.mp3", "")).await.status,
        404
    );

    // A new file, of another length: its own length and ETag, from the opened file.
    std::fs::remove_dir(&path).expect("rmdir");
    let new_bytes = pattern(1500, 5);
    let tmp = media.path("episodes/ep1.part");
    std::fs::write(&tmp, &new_bytes).expect("write");
    std::fs::rename(&tmp, &path).expect("rename");
    let reply = server.get(&get("/media/episodes/ep1.mp3", "")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, new_bytes);
    assert_ne!(reply.header("etag"), before.header("etag"));
    assert_eq!(reply.header("etag"), Some(current_etag(&path).as_str()));
    // A client resuming with the old tag gets the whole new file, not a spliced one.
    let old = before.header("etag").expect("etag");
    let resume = format!("Range: bytes=500-\r\nIf-Range: {old}\r\n");
    let reply = server.get(&get("/media/episodes/ep1.mp3", &resume)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, new_bytes);
    server.shutdown().await;
}

/// Larger than one placeholder chunk, so `sendfile` runs many times per response.
const BIG: usize = 2_500_000;

#[tokio::test]
async fn large_files_arrive_exact_over_keep_alive_and_pipelining() {
    let media = Media::new(BIG);
    let server = media.serve().await;
    let mut conn = server.connect().await;
    // Whole, then a range crossing a chunk boundary, on one connection.
    let reply = exchange(&mut conn, &get("/media/episodes/ep1.mp3", "")).await;
    assert!(reply.body == media.bytes, "whole file differs");
    let range = "Range: bytes=1000000-2100000\r\n";
    let reply = exchange(&mut conn, &get("/media/episodes/ep1.mp3", range)).await;
    assert_eq!(reply.status, 206);
    assert!(
        reply.body == media.bytes[1_000_000..=2_100_000],
        "range differs"
    );

    // Two requests written at once, then a feed: every body in order and exact.
    let both = format!(
        "{}{}{}",
        get("/media/episodes/ep1.mp3", "Range: bytes=-1500000\r\n"),
        get("/media/episodes/ep1.mp3", ""),
        get("/feed.xml", ""),
    );
    conn.get_mut()
        .write_all(both.as_bytes())
        .await
        .expect("write");
    let first = read_reply(&mut conn, false).await;
    assert!(
        first.body == media.bytes[BIG - 1_500_000..],
        "first pipelined differs"
    );
    let second = read_reply(&mut conn, false).await;
    assert!(second.body == media.bytes, "second pipelined differs");
    let feed = read_reply(&mut conn, false).await;
    assert_eq!(feed.status, 200);
    assert!(feed.body.starts_with(b"<?xml"));
    server.shutdown().await;
}

#[tokio::test]
async fn a_slow_reader_gets_the_file_exact() {
    let media = Media::new(BIG);
    let cfg = media_config();
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_send_buffer_size(4096).expect("sndbuf");
    socket
        .bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let listener = socket.listen(64).expect("listen");
    let snapshot = media.snapshot(&cfg);
    let server = Server::start_with(cfg, snapshot, listener);
    let mut conn = BufReader::new(slow_client(server.addr).await);
    let reply = exchange(&mut conn, &get("/media/episodes/ep1.mp3", "")).await;
    assert!(reply.body == media.bytes, "body differs");
    server.shutdown().await;
}

#[tokio::test]
async fn large_file_over_h2c_arrives_exact() {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let media = Media::new(BIG);
    let server = media.serve().await;
    let client = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http::<Empty<Bytes>>();
    let url = format!("http://{}/media/episodes/ep1.mp3", server.addr);
    for range in [None, Some(("bytes=1000-1999999", 1000, 2_000_000))] {
        let mut request = hyper::Request::get(&url);
        if let Some((value, _, _)) = range {
            request = request.header("range", value);
        }
        let request = request.body(Empty::new()).expect("request");
        let response = timeout(WAIT, client.request(request))
            .await
            .expect("in time")
            .expect("h2 response");
        assert_eq!(response.version(), hyper::Version::HTTP_2);
        let body = timeout(WAIT, response.into_body().collect())
            .await
            .expect("in time")
            .expect("body")
            .to_bytes();
        let want = range.map_or(&media.bytes[..], |(_, s, e)| &media.bytes[s..e]);
        assert!(body == want, "h2 body differs ({} bytes)", body.len());
    }
    drop(client);
    server.shutdown().await;
}
