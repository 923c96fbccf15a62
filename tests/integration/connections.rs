//! Connections that hold a slot without being served (issue 17, SPEC §4: every request
//! answered or closed in bounded time): an h2 stream stalled by flow control.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::client::SendRequest;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

use crate::support::*;

/// Feeds of about 100 KB: more than h2's default 64 KiB window, so a normal client must
/// open its window for the body to arrive.
fn big_tree() -> Tree {
    let tree = Tree::new();
    let paragraph = "Words that fill a long article, over and over again. ".repeat(150);
    for i in 0..12 {
        tree.write(
            &format!("big{i:02}.md"),
            &article(&format!("Big {i}"), "2024-01-01", &paragraph),
        );
    }
    tree
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// An h2c (prior knowledge) client; `window` sets the stream window it advertises. The
/// handle ends when the connection does.
async fn h2_client(
    addr: SocketAddr,
    window: Option<u32>,
) -> (SendRequest<Bytes>, JoinHandle<Result<(), h2::Error>>) {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let mut builder = h2::client::Builder::new();
    if let Some(window) = window {
        builder.initial_window_size(window);
    }
    let (send, connection) = tokio::time::timeout(Duration::from_secs(5), builder.handshake(tcp))
        .await
        .expect("handshake in time")
        .expect("handshake");
    (send, tokio::spawn(connection))
}

fn get(path: &str) -> hyper::Request<()> {
    hyper::Request::get(format!("http://127.0.0.1{path}"))
        .body(())
        .expect("request")
}

/// GETs `path` and reads the whole body, releasing window as it goes (as every h2 client
/// does), within 5 s.
async fn fetch(send: &mut SendRequest<Bytes>, path: &str) -> (u16, Vec<u8>) {
    tokio::time::timeout(Duration::from_secs(5), async {
        let mut ready = send.clone().ready().await.expect("stream slot");
        let (response, _) = ready.send_request(get(path), true).expect("send");
        let response = response.await.expect("response");
        let status = response.status().as_u16();
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.expect("body chunk");
            bytes.extend_from_slice(&chunk);
            let _ = body.flow_control().release_capacity(chunk.len());
        }
        (status, bytes)
    })
    .await
    .expect("response in time")
}

/// A client that advertises a one-byte window and never opens it, asking for something
/// new every few hundred milliseconds, is closed within `server.request_timeout_ms` (the
/// response never fully handed over), not kept for ever because each response is queued
/// inside h2; a client that reads its responses keeps its connection.
#[test]
fn h2_stream_stalled_by_flow_control_is_closed_within_the_request_timeout() {
    let tree = big_tree();
    let server = Server::start_with_env(
        &tree.content(),
        &[],
        &[
            ("FEEDWRIGHT_SERVER_REQUEST_TIMEOUT_MS", "1000"),
            ("FEEDWRIGHT_SERVER_IDLE_TIMEOUT_MS", "60000"),
        ],
    );
    let http1 = server.get("/feed.xml").body;
    assert!(http1.len() > 70_000, "feed of {} bytes", http1.len());
    let addr = server.addr;

    runtime().block_on(async {
        // Normal client first, over longer than the request timeout.
        let (mut send, connection) = h2_client(addr, None).await;
        for round in 0..6 {
            let (status, body) = fetch(&mut send, "/feed.xml").await;
            assert_eq!(status, 200, "round {round}");
            assert!(body == http1, "round {round}: h2 body differs");
            let (status, body) = fetch(&mut send, "/healthz").await;
            assert_eq!((status, body.as_slice()), (200, &b"ok\n"[..]));
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        assert!(!connection.is_finished(), "a reading client was closed");
        drop(send);

        for path in ["/feed.xml", "/healthz"] {
            let (send, connection) = h2_client(addr, Some(1)).await;
            let started = Instant::now();
            let mut responses = Vec::new();
            // Bounded: 30 requests, 300 ms apart.
            for _ in 0..30 {
                if connection.is_finished() {
                    break;
                }
                if let Ok(mut ready) = send.clone().ready().await {
                    if let Ok((response, _)) = ready.send_request(get(path), true) {
                        responses.push(response);
                    }
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            let took = started.elapsed();
            assert!(
                connection.is_finished(),
                "{path}: still open after {took:?} with the window shut"
            );
            assert!(
                took < Duration::from_secs(4),
                "{path}: closed after {took:?}"
            );
        }
    });
    assert_eq!(server.get("/healthz").status, 200);
}
