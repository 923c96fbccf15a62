//! Raw bytes a client sends on one connection (HTTP/1.1, pipelined requests, or h2c with
//! the preface), answered in process by hyper with the server's settings and the real
//! handler over a snapshot of two articles. The exchange must end (the client closes its
//! side after sending) and no answer may be a server error.
#![no_main]

use std::sync::OnceLock;

use feedwright::fuzzing::HttpServer;
use libfuzzer_sys::fuzz_target;

const ARTICLES: [(&str, &str); 2] = [
    (
        "posts/2024-03-26-hello.md",
        "---\ntitle: Hello\ndate: 2024-03-26T09:30:00Z\n---\nFirst *post*, with [a link](/a/).\n",
    ),
    (
        "notes/short.md",
        "---\ntitle: A note\ndate: 2024-04-01\ntags: [x]\n---\nShort.\n",
    ),
];

fn server() -> &'static HttpServer {
    static SERVER: OnceLock<HttpServer> = OnceLock::new();
    SERVER.get_or_init(|| HttpServer::new(&ARTICLES).expect("in-memory server"))
}

fuzz_target!(|data: &[u8]| {
    let answer = server()
        .exchange(data)
        .unwrap_or_else(|| panic!("no end to the exchange within 5 s"));
    if answer.starts_with(b"HTTP/1.1 5") {
        let head = String::from_utf8_lossy(&answer[..answer.len().min(300)]);
        panic!("server error: {head}");
    }
});
