//! The harness: content trees in temp dirs, running the binary, starting the daemon on an
//! ephemeral port, a small HTTP/1.1 client, and feed checks with an independent parser.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_feedwright"))
}

/// A content directory in a temp folder, plus a scratch folder beside it.
pub struct Tree {
    pub tmp: tempfile::TempDir,
}

impl Tree {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(tmp.path().join("content")).expect("mkdir content");
        Self { tmp }
    }

    pub fn content(&self) -> PathBuf {
        self.tmp.path().join("content")
    }

    pub fn out(&self) -> PathBuf {
        self.tmp.path().join("out")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.content().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        self.write_bytes(rel, text.as_bytes())
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) -> &Self {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write");
        self
    }

    /// Write as editors do: a temp file beside the target, then a rename over it.
    pub fn atomic_save(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let tmp = path.with_file_name(format!(
            ".{}.swp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("x")
        ));
        std::fs::write(&tmp, text).expect("write tmp");
        std::fs::rename(&tmp, &path).expect("rename");
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).expect("remove");
    }

    /// Runs the binary with `--content` pointing at this tree (plus `args`).
    pub fn run(&self, args: &[&str]) -> Output {
        let content = self.content();
        let mut all: Vec<&str> = vec!["--content", content.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        run(&all)
    }

    /// `build --out <tmp>/out`, asserting exit 0; returns stderr.
    pub fn build(&self) -> String {
        let out = self.out();
        let output = self.run(&[
            "--base-url",
            "https://example.com/",
            "build",
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(output.status.success(), "build failed: {stderr}");
        stderr
    }

    pub fn read_out(&self, name: &str) -> String {
        std::fs::read_to_string(self.out().join(name)).expect("read output")
    }
}

/// A minimal valid article.
pub fn article(title: &str, date: &str, body: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndate: {date}\n---\n{body}\n")
}

pub fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run feedwright")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// The daemon, started on 127.0.0.1:0; killed on drop.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn start(content: &Path, extra: &[&str]) -> Self {
        Self::start_with_env(content, extra, &[])
    }

    pub fn start_with_env(content: &Path, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(bin());
        cmd.args(["--base-url", "https://example.com/"]);
        Self::start_command(cmd, content, extra, env)
    }

    /// Starts `cmd` (the binary with any leading flags) as `serve` on 127.0.0.1:0.
    pub fn start_command(
        cmd: Command,
        content: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let server = Self::spawn_command(cmd, content, extra, env);
        server.wait_ready();
        server
    }

    /// Starts the daemon and returns once it has printed its address, before it is ready
    /// (the first load may still run).
    pub fn spawn_unready(content: &Path, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(bin());
        cmd.args(["--base-url", "https://example.com/"]);
        Self::spawn_command(cmd, content, extra, env)
    }

    fn spawn_command(
        mut cmd: Command,
        content: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        cmd.args(["--content", content.to_str().expect("utf-8")])
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn server");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        // Drain both pipes for the whole life of the child, so it never blocks on a full pipe.
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().expect("stderr")) as Box<dyn Read + Send>,
        ] {
            let log = Arc::clone(&log);
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Some(i) = line.find("listening on http://") {
                        // The address ends where the text or JSON line goes on.
                        let addr: String = line[i + "listening on http://".len()..]
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || ".:[]".contains(*c))
                            .collect();
                        let _ = tx.send(addr);
                    }
                    log.lock().expect("log").push(line);
                }
            });
        }
        let addr = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(a) => match a.parse() {
                Ok(addr) => addr,
                Err(e) => {
                    // Never leave the daemon running behind a failed test.
                    let _ = child.kill();
                    panic!("address in log line {a:?}: {e}");
                }
            },
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "server did not print its address: {:?}",
                    log.lock().expect("log")
                );
            }
        };
        Self { child, addr, log }
    }

    pub fn wait_ready(&self) {
        self.wait_ready_within(Duration::from_secs(10));
    }

    pub fn wait_ready_within(&self, limit: Duration) {
        let ok = wait_until(limit, || {
            get(self.addr, "/readyz", &[])
                .map(|r| r.status == 200)
                .unwrap_or(false)
        });
        assert!(ok, "server never became ready: {:?}", self.log());
    }

    pub fn get(&self, path: &str) -> Response {
        get(self.addr, path, &[]).expect("GET")
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
        request(self.addr, method, path, headers).expect("request")
    }

    pub fn log(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    /// Sends SIGTERM and waits (bounded) for the exit status.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Waits (bounded) for the exit status, without signalling.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Whether a log line so far contains `text`.
    pub fn logged(&self, text: &str) -> bool {
        self.log
            .lock()
            .expect("log")
            .iter()
            .any(|l| l.contains(text))
    }

    pub fn signal(&self, sig: &str) {
        let _ = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` every 25 ms until it is true or `limit` passes.
pub fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Lower-case names.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
    pub fn text(&self) -> String {
        text(&self.body)
    }
}

pub fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> std::io::Result<Response> {
    request(addr, "GET", path, headers)
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`), bounded by timeouts.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw, method == "HEAD")
}

pub fn parse_response(raw: &[u8], head: bool) -> std::io::Result<Response> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no header end"))?;
    let head_text = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().ok_or_else(|| bad("no status line"))?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let mut headers = BTreeMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let mut body = raw[end + 4..].to_vec();
    if head {
        body.clear();
    } else if let Some(len) = headers
        .get("content-length")
        .and_then(|l| l.parse::<usize>().ok())
    {
        body.truncate(len);
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// Parses a feed with `feed-rs` (not the crates that wrote it) and checks what every entry
/// must have: title, absolute link, id, date, summary and full content.
pub fn parse_feed(bytes: &[u8]) -> feed_rs::model::Feed {
    let feed =
        feed_rs::parser::parse(bytes).unwrap_or_else(|e| panic!("feed-rs: {e}\n{}", text(bytes)));
    for e in &feed.entries {
        let title = e
            .title
            .as_ref()
            .map(|t| t.content.clone())
            .unwrap_or_default();
        assert!(!title.is_empty(), "entry without title: {e:?}");
        assert!(!e.id.is_empty(), "entry without id: {title}");
        let link = e.links.first().map(|l| l.href.clone()).unwrap_or_default();
        assert!(
            link.starts_with("http://") || link.starts_with("https://"),
            "relative link {link:?} in {title}"
        );
        assert!(
            e.published.is_some() || e.updated.is_some(),
            "no date in {title}"
        );
        let summary = e
            .summary
            .as_ref()
            .map(|s| s.content.clone())
            .unwrap_or_default();
        assert!(!summary.trim().is_empty(), "no summary in {title}");
        let content = e
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .unwrap_or_default();
        assert!(!content.trim().is_empty(), "no content in {title}");
    }
    feed
}

/// The entry titles of the feed the server answers at `path` (which must answer 200).
pub fn titles(server: &Server, path: &str) -> Vec<String> {
    let r = server.get(path);
    assert_eq!(r.status, 200, "{path}");
    entry_titles(&parse_feed(&r.body))
}

pub fn entry_titles(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| {
            e.title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default()
        })
        .collect()
}
