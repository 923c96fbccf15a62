//! The `feedwright healthcheck` subcommand's probe: one `GET /healthz` over blocking std
//! I/O, for container health checks.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use crate::config::Config;

/// `feedwright healthcheck`: `GET /healthz` on the configured listen address (loopback when
/// it is a wildcard), true iff the answer is 200 within 2 s. Blocking std I/O on purpose:
/// it runs once in a short-lived process and needs no runtime.
pub fn healthcheck(cfg: &Config) -> bool {
    let mut addr = cfg.server.listen;
    if addr.ip().is_unspecified() {
        let loopback = match addr {
            SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => Ipv6Addr::LOCALHOST.into(),
        };
        addr.set_ip(loopback);
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    probe(addr, &cfg.server.healthz_path, deadline).unwrap_or(false)
}

fn probe(addr: SocketAddr, path: &str, deadline: Instant) -> std::io::Result<bool> {
    let remaining = || {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(std::io::Error::from(std::io::ErrorKind::TimedOut))
        } else {
            Ok(left)
        }
    };
    let mut stream = std::net::TcpStream::connect_timeout(&addr, remaining()?)?;
    stream.set_write_timeout(Some(remaining()?))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: feedwright-healthcheck\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 16];
    let mut filled = 0;
    while filled < head.len() {
        stream.set_read_timeout(Some(remaining()?))?;
        let n = stream.read(&mut head[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    let head = &head[..filled];
    Ok(head.starts_with(b"HTTP/1.1 200 ") || head.starts_with(b"HTTP/1.0 200 "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A one-shot server on loopback that reads the probe's request and answers `reply`;
    /// returns its address and the request it read.
    fn answer_once(reply: &'static [u8]) -> (SocketAddr, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            let mut request = Vec::new();
            let mut buf = [0u8; 512];
            while !request.ends_with(b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(reply);
            String::from_utf8_lossy(&request).into_owned()
        });
        (addr, server)
    }

    fn deadline() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    #[test]
    fn probe_is_true_on_200_only() {
        let (addr, server) = answer_once(b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n");
        assert!(probe(addr, "/healthz", deadline()).expect("probe"));
        let request = server.join().expect("server");
        assert!(
            request.starts_with("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:"),
            "{request}"
        );

        let (addr, server) = answer_once(b"HTTP/1.1 503 Service Unavailable\r\n\r\n");
        assert!(!probe(addr, "/healthz", deadline()).expect("probe"));
        let _ = server.join();
    }

    #[test]
    fn healthcheck_is_false_when_nothing_listens() {
        // A port that was just free: connecting is refused.
        let addr = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port");
        let mut cfg = Config::defaults();
        cfg.server.listen = addr;
        assert!(!healthcheck(&cfg));
    }
}
