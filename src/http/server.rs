//! The accept loop: connection limit, dealing connections to the workers, and the graceful
//! drain on shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use super::conn::Limits;
use super::idle_reclaim::{OpenConnections, SPARE_LANE};
use super::per_core_workers::Workers;
use super::router::Router;
use super::serve_connection::{connection_builder, spare_lane_builder, Accepted, Shared};
use super::AppState;

/// Accepts connections until `shutdown` resolves (at most `server.max_connections` served
/// at once, idle and unserved ones giving way to new ones: see [`super::idle_reclaim`]), then drains
/// gracefully: the listener is
/// closed, idle connections are closed, in-flight requests get `server.shutdown_grace` to
/// finish, and whatever is left after that is aborted. Returns `Ok` in every case but a
/// failure to start the workers.
///
/// Connections are served by `server.workers` threads (see [`super::per_core_workers`]);
/// this task only accepts and deals connections to them in turn.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let server = &state.config.server;
    let grace = server.shutdown_grace;
    let shared = Arc::new(Shared {
        builder: connection_builder(&state.config),
        spare_builder: spare_lane_builder(&state.config),
        router: Router::new(&state.config, &state.metrics),
        limits: Limits::from_config(server),
        spare_limits: Limits::from_config(server).for_spare_lane(),
        open: Arc::new(OpenConnections::new(server.reclaim_wait)),
        state: Arc::clone(&state),
    });
    let (abort, aborted) = watch::channel(false);
    let mut workers = Workers::start(server.workers.max(1), &shared, &aborted)?;
    let permits = Arc::new(Semaphore::new(server.max_connections));
    let spare = Arc::new(Semaphore::new(SPARE_LANE));
    let mut full_since = None;
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_error(error).await;
                    continue;
                }
            },
        };
        // A free slot, or one an idle keep-alive connection gives back. While every slot is
        // busy, this one connection waits here and the next ones in the kernel backlog.
        let (permit, lane) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            slot = shared.open.slot(&permits, &spare, &mut full_since) => match slot {
                Some(slot) => slot,
                None => break, // the semaphores are never closed
            },
        };
        // Handed over as a plain socket: the worker registers it with its own event loop.
        let stream = match stream.into_std() {
            Ok(stream) => stream,
            Err(error) => {
                tracing::debug!(%peer, %error, "cannot hand the connection to a worker");
                continue;
            }
        };
        let accepted = Accepted {
            stream,
            peer,
            permit,
            lane,
            watcher: graceful.watcher(),
        };
        if !workers.deal(accepted) {
            tracing::error!("no HTTP worker is running; stopping the server");
            break;
        }
    }

    // Stop accepting first: new clients are refused by the kernel, not left hanging.
    drop(listener);
    let open = graceful.count();
    tracing::info!(open_connections = open, "shutting down HTTP server");
    let finished = workers.close_queues();
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_ms = u64::try_from(grace.as_millis()).unwrap_or(u64::MAX),
            "connections still open after the shutdown grace period; closing them"
        );
    }
    let _ = abort.send(true);
    finished.wait().await;
    Ok(())
}

/// Transient accept failures (out of file descriptors, aborted handshakes) must not end the
/// server or spin the loop.
async fn accept_error(error: std::io::Error) {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted => {
            tracing::debug!(%error, "accept failed");
        }
        _ => {
            tracing::warn!(%error, "accept failed; retrying shortly");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
