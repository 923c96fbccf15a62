//! The request path without a socket, for the fuzz targets (`crate::fuzzing`): raw bytes go
//! through hyper's HTTP/1.1 + h2c connection (the server's own builder settings) and the
//! real [`handle`] over an in-memory pipe; what the server wrote comes back. The connection
//! watchdog and the accept loop are left out: they own time limits, not request parsing.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::handler::handle;
use super::idle_reclaim::Lane;
use super::router::Router;
use super::serve_connection::connection_builder;
use super::AppState;

/// One server state, reused for every exchange (building it costs more than a request).
pub(crate) struct InMemoryServer {
    runtime: tokio::runtime::Runtime,
    state: Arc<AppState>,
    router: Arc<Router>,
    builder: auto::Builder<TokioExecutor>,
}

/// How long one exchange may take before it counts as a hang.
const EXCHANGE_LIMIT: Duration = Duration::from_secs(5);

impl InMemoryServer {
    pub(crate) fn new(state: Arc<AppState>) -> std::io::Result<InMemoryServer> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let router = Arc::new(Router::new(&state.config, &state.metrics));
        let builder = connection_builder(&state.config);
        Ok(InMemoryServer {
            runtime,
            state,
            router,
            builder,
        })
    }

    /// Sends `request` on a fresh connection, closes the client's writing side, and returns
    /// everything the server wrote until it closed. `None`: the exchange did not end within
    /// [`EXCHANGE_LIMIT`].
    pub(crate) fn exchange(&self, request: &[u8]) -> Option<Vec<u8>> {
        self.runtime.block_on(async {
            let (client, server) = tokio::io::duplex(64 * 1024);
            let service = {
                let state = Arc::clone(&self.state);
                let router = Arc::clone(&self.router);
                service_fn(move |request: Request<hyper::body::Incoming>| {
                    // No socket writer to send file regions: media is read.
                    let response = handle(
                        &state,
                        &router,
                        &request,
                        ("127.0.0.1", Lane::Regular),
                        None,
                    );
                    std::future::ready(Ok::<_, Infallible>(response))
                })
            };
            let connection = self.builder.serve_connection(TokioIo::new(server), service);
            let (mut read_half, mut write_half) = tokio::io::split(client);
            // Writing and reading run together: a large answer must not wait for the end of
            // a large request, nor the other way round.
            let write = async move {
                let _ = write_half.write_all(request).await;
                let _ = write_half.shutdown().await;
            };
            let read = async move {
                let mut answer = Vec::new();
                let _ = read_half.read_to_end(&mut answer).await;
                answer
            };
            let all = async {
                let (_, (), answer) = tokio::join!(connection, write, read);
                answer
            };
            tokio::time::timeout(EXCHANGE_LIMIT, all).await.ok()
        })
    }
}
