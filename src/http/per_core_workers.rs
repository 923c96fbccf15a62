//! Speed work: one single-threaded runtime per core serves the connections, instead of
//! tokio's multi-threaded scheduler.
//!
//! One event loop per core, like nginx's worker processes: a connection's wake-ups, timers
//! and buffers stay on one thread, with no work stealing or cross-thread wake-ups per
//! request. The acceptor ([`super::server`]) deals connections to the workers in turn;
//! this file owns the threads, the dealing and the wait for them at shutdown.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinSet;

use super::serve_connection::{serve_connection, Accepted, Shared};

/// The acceptor's side of one worker thread.
struct WorkerHandle {
    connections: mpsc::UnboundedSender<Accepted>,
    finished: oneshot::Receiver<()>,
}

/// The running workers, and which one gets the next connection.
pub(super) struct Workers {
    handles: Vec<WorkerHandle>,
    next: usize,
}

/// Workers whose queues are closed: they finish their connections (graceful shutdown)
/// until told to abort.
pub(super) struct Finishing(Vec<oneshot::Receiver<()>>);

impl Workers {
    /// Builds every worker's runtime here, so a failure is reported before serving starts,
    /// then runs each on its own thread. `aborted` tells them to drop what is left at the
    /// end of the shutdown grace.
    pub(super) fn start(
        count: usize,
        shared: &Arc<Shared>,
        aborted: &watch::Receiver<bool>,
    ) -> std::io::Result<Workers> {
        let mut handles = Vec::with_capacity(count);
        for index in 0..count {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let (connections, incoming) = mpsc::unbounded_channel();
            let (done, finished) = oneshot::channel();
            let shared = Arc::clone(shared);
            let aborted = aborted.clone();
            std::thread::Builder::new()
                .name(format!("feedwright-http-{index}"))
                .spawn(move || {
                    runtime.block_on(worker(incoming, aborted, shared));
                    drop(runtime);
                    let _ = done.send(());
                })?;
            handles.push(WorkerHandle {
                connections,
                finished,
            });
        }
        Ok(Workers { handles, next: 0 })
    }

    /// Hands `accepted` to the next worker (round robin); a worker is only gone if its
    /// thread died, then the next one serves. False when no worker is running.
    pub(super) fn deal(&mut self, accepted: Accepted) -> bool {
        let count = self.handles.len();
        let mut pending = Some(accepted);
        for _ in 0..count {
            let worker = &self.handles[self.next];
            self.next = (self.next + 1) % count;
            match pending.take().map(|a| worker.connections.send(a)) {
                Some(Err(returned)) => pending = Some(returned.0),
                _ => break,
            }
        }
        pending.is_none()
    }

    /// Closes every queue: tells the workers no more connections are coming.
    pub(super) fn close_queues(self) -> Finishing {
        Finishing(
            self.handles
                .into_iter()
                .map(|worker| {
                    drop(worker.connections);
                    worker.finished
                })
                .collect(),
        )
    }
}

impl Finishing {
    /// Waits for every worker thread to end (call after signalling abort).
    pub(super) async fn wait(self) {
        for done in self.0 {
            // Aborting is immediate; the bound only guards against a worker that hangs. An
            // error means the worker thread is already gone.
            let _ = tokio::time::timeout(Duration::from_secs(5), done).await;
        }
    }
}

/// One worker: serves the connections dealt to it until the acceptor closes the queue, then
/// lets them finish (graceful shutdown) until told to abort what is left.
async fn worker(
    mut incoming: mpsc::UnboundedReceiver<Accepted>,
    mut aborted: watch::Receiver<bool>,
    shared: Arc<Shared>,
) {
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = incoming.recv() => match accepted {
                Some(accepted) => accepted,
                None => break,
            },
            // A finished connection's task is freed as soon as it ends: until joined it
            // keeps its allocation, sized for the whole connection future, so many
            // connections closing at once would leave their memory held until as many new
            // ones came.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let peer = accepted.peer;
        match TcpStream::from_std(accepted.stream) {
            Ok(stream) => {
                connections.spawn(serve_connection(
                    stream,
                    (peer, accepted.lane),
                    accepted.permit,
                    accepted.watcher,
                    Arc::clone(&shared),
                ));
            }
            Err(error) => tracing::debug!(%peer, %error, "cannot register the connection"),
        }
    }
    tokio::select! {
        () = async { while connections.join_next().await.is_some() {} } => {}
        // Also when the sender is gone: nobody is left to wait for the stragglers.
        _ = aborted.wait_for(|aborted| *aborted) => {}
    }
    connections.shutdown().await;
}
