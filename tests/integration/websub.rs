//! WebSub (issue 16, item 4): `websub.hub` puts `rel="hub"` links in the feeds and the
//! `Link` header, and each real change of a feed's bytes sends the hub one publish ping
//! per changed feed URL; a failing hub is retried, then given up and counted. The hub is
//! a stand-in: a small hyper server on 127.0.0.1 that records the forms posted to it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};

use crate::support::*;

/// A hub stand-in: answers every POST with `status` and keeps each form it was sent.
struct Hub {
    addr: SocketAddr,
    forms: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
    status: Arc<AtomicU16>,
}

impl Hub {
    fn start(status: u16) -> Hub {
        let forms = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(status));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind hub");
        let addr = listener.local_addr().expect("hub addr");
        listener.set_nonblocking(true).expect("nonblocking");
        let (f, s) = (Arc::clone(&forms), Arc::clone(&status));
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("hub runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let (f, s) = (Arc::clone(&f), Arc::clone(&s));
                    tokio::spawn(async move {
                        let service = hyper::service::service_fn(
                            move |req: Request<hyper::body::Incoming>| {
                                let (f, s) = (Arc::clone(&f), Arc::clone(&s));
                                async move {
                                    let body = req.into_body().collect().await?.to_bytes();
                                    let form = url::form_urlencoded::parse(&body)
                                        .into_owned()
                                        .collect::<BTreeMap<String, String>>();
                                    f.lock().expect("forms").push(form);
                                    let mut response = Response::new(Full::new(Bytes::new()));
                                    *response.status_mut() =
                                        hyper::StatusCode::from_u16(s.load(Ordering::SeqCst))
                                            .expect("status");
                                    Ok::<_, hyper::Error>(response)
                                }
                            },
                        );
                        let io = hyper_util::rt::TokioIo::new(stream);
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(io, service)
                            .await;
                    });
                }
            });
        });
        Hub {
            addr,
            forms,
            status,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/hub", self.addr)
    }

    fn forms(&self) -> Vec<BTreeMap<String, String>> {
        self.forms.lock().expect("forms").clone()
    }

    /// The `hub.url` of every ping so far, sorted.
    fn pinged(&self) -> Vec<String> {
        let mut urls: Vec<String> = self
            .forms()
            .iter()
            .map(|f| f.get("hub.url").cloned().unwrap_or_default())
            .collect();
        urls.sort();
        urls
    }
}

fn start(tree: &Tree, hub: &Hub, extra_env: &[(&str, &str)]) -> Server {
    let url = hub.url();
    let mut env = vec![
        ("FEEDWRIGHT_WEBSUB_HUB", url.as_str()),
        ("FEEDWRIGHT_WEBSUB_DEBOUNCE_MS", "300"),
    ];
    env.extend_from_slice(extra_env);
    Server::start_with_env(&tree.content(), &[], &env)
}

fn metric(server: &Server, name: &str) -> Option<u64> {
    let text = server.get("/metrics").text();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// Every feed an edit of the one article changes: the site feeds and its author's (the
/// site default) group feeds.
const FEEDS: [&str; 7] = [
    "https://example.com/atom.xml",
    "https://example.com/authors/my-feedwright-site/atom.xml",
    "https://example.com/authors/my-feedwright-site/feed.json",
    "https://example.com/authors/my-feedwright-site/feed.xml",
    "https://example.com/feed.json",
    "https://example.com/feed.xml",
    "https://example.com/rss.xml",
];

#[test]
fn websub_hub_links_and_one_ping_per_changed_feed() {
    let hub = Hub::start(204);
    let tree = Tree::new();
    tree.write("a.md", &article("A", "2024-01-01", "First words."));
    let server = start(&tree, &hub, &[]);
    let hub_url = hub.url();

    // Discovery: in each document and in the Link header.
    let rss = server.get("/feed.xml");
    assert!(
        rss.text()
            .contains(&format!("<atom:link href=\"{hub_url}\" rel=\"hub\"/>")),
        "{}",
        rss.text()
    );
    assert_eq!(
        rss.header("link"),
        Some(
            format!("<{hub_url}>; rel=\"hub\", <https://example.com/feed.xml>; rel=\"self\"")
                .as_str()
        )
    );
    let atom = server.get("/atom.xml");
    assert!(
        atom.text()
            .contains(&format!("<link href=\"{hub_url}\" rel=\"hub\"/>")),
        "{}",
        atom.text()
    );
    let parsed = parse_feed(&atom.body);
    assert!(parsed
        .links
        .iter()
        .any(|l| l.rel.as_deref() == Some("hub") && l.href == hub_url));
    assert!(
        server.get("/").header("link").is_none(),
        "pages name no hub"
    );

    // The first load pings nobody.
    std::thread::sleep(Duration::from_millis(800));
    assert!(hub.forms().is_empty(), "{:?}", hub.forms());

    // An edit changes every feed: one ping per feed URL, each a WebSub publish form.
    tree.write("a.md", &article("A", "2024-01-01", "Second words."));
    let ok = wait_until(Duration::from_secs(10), || hub.forms().len() >= FEEDS.len());
    assert!(ok, "no pings: {:?}\n{:#?}", hub.forms(), server.log());
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(hub.pinged(), FEEDS, "{:?}", hub.forms());
    for form in hub.forms() {
        assert_eq!(form.get("hub.mode").map(String::as_str), Some("publish"));
        assert_eq!(form.get("hub.topic"), form.get("hub.url"));
    }
    assert_eq!(
        metric(&server, "feedwright_websub_pings_total"),
        Some(FEEDS.len() as u64)
    );

    // The same bytes written again: a reload, but no ping.
    let reloads = metric(&server, "feedwright_reloads_total").unwrap_or(0);
    tree.write("a.md", &article("A", "2024-01-01", "Second words."));
    let reloaded = wait_until(Duration::from_secs(10), || {
        metric(&server, "feedwright_reloads_total").unwrap_or(0) > reloads
    });
    assert!(reloaded, "no reload: {:#?}", server.log());
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(hub.forms().len(), FEEDS.len(), "{:?}", hub.forms());

    // Two quick edits inside the window: coalesced into one ping per feed.
    tree.write("a.md", &article("A", "2024-01-01", "Third words."));
    std::thread::sleep(Duration::from_millis(60));
    tree.write("b.md", &article("B", "2024-01-02", "Other words."));
    let ok = wait_until(Duration::from_secs(10), || {
        hub.forms().len() >= 2 * FEEDS.len()
    });
    assert!(ok, "{:?}", hub.forms());
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(
        hub.forms().len(),
        2 * FEEDS.len(),
        "edits within the window ping once: {:?}",
        hub.pinged()
    );
}

#[test]
fn websub_failing_hub_is_retried_then_given_up_and_counted() {
    let hub = Hub::start(500);
    let tree = Tree::new();
    tree.write("a.md", &article("A", "2024-01-01", "First words."));
    let server = start(
        &tree,
        &hub,
        &[
            ("FEEDWRIGHT_WEBSUB_MAX_ATTEMPTS", "3"),
            ("FEEDWRIGHT_WEBSUB_RETRY_MS", "50"),
        ],
    );
    tree.write("a.md", &article("A", "2024-01-01", "Second words."));
    let given_up = wait_until(Duration::from_secs(15), || {
        metric(&server, "feedwright_websub_ping_failures_total") == Some(FEEDS.len() as u64)
    });
    assert!(given_up, "{:?}\n{:#?}", hub.pinged(), server.log());
    // Three tries per feed, then no more.
    std::thread::sleep(Duration::from_millis(500));
    let pinged = hub.pinged();
    assert_eq!(pinged.len(), 3 * FEEDS.len(), "{pinged:?}");
    for feed in FEEDS {
        assert_eq!(
            pinged.iter().filter(|u| *u == feed).count(),
            3,
            "{pinged:?}"
        );
    }
    assert_eq!(
        metric(&server, "feedwright_websub_ping_retries_total"),
        Some(2 * FEEDS.len() as u64)
    );
    assert_eq!(metric(&server, "feedwright_websub_pings_total"), Some(0));
    assert!(server.logged("WebSub publish ping given up"));

    // The hub recovers: the next change is delivered.
    hub.status.store(202, Ordering::SeqCst);
    tree.write("a.md", &article("A", "2024-01-01", "Third words."));
    let sent = wait_until(Duration::from_secs(10), || {
        metric(&server, "feedwright_websub_pings_total") == Some(FEEDS.len() as u64)
    });
    assert!(sent, "{:?}", hub.pinged());
}

#[test]
fn websub_refuses_a_hub_it_cannot_reach() {
    let tree = Tree::new();
    let out = std::process::Command::new(bin())
        .args([
            "--content",
            tree.content().to_str().expect("utf-8"),
            "check",
        ])
        .env("FEEDWRIGHT_WEBSUB_HUB", "https://hub.example/")
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("websub.hub"),
        "{}",
        text(&out.stderr)
    );
}
