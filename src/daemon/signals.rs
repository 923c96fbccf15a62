//! The signals the daemon handles, registered the moment it starts: SIGTERM and SIGINT stop
//! it, SIGHUP asks for a full rescan. A signal's default action ends the process (SIGHUP's
//! with status 129), so each is registered before the listener is bound and before the
//! first load, which can take seconds on a large site; one that arrives before its consumer
//! listens waits in its stream (several of one kind count as one).

/// SIGTERM or SIGINT: the end of [`crate::http::serve`].
pub(crate) struct Stop {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
}

/// SIGHUP: a full rescan, asked for by the operator.
pub(crate) struct Hangup {
    #[cfg(unix)]
    hangup: Option<tokio::signal::unix::Signal>,
}

/// Registers every signal the daemon handles. Must run inside the runtime. A signal that
/// cannot be registered (never seen on Linux) keeps its default action, with a warning.
pub(crate) fn install() -> (Stop, Hangup) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let register = |kind: SignalKind, name: &str| match signal(kind) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "cannot handle {name}; it keeps its default action");
                None
            }
        };
        let stop = Stop {
            terminate: register(SignalKind::terminate(), "SIGTERM"),
            interrupt: register(SignalKind::interrupt(), "SIGINT"),
        };
        let hangup = Hangup {
            hangup: register(SignalKind::hangup(), "SIGHUP"),
        };
        (stop, hangup)
    }
    #[cfg(not(unix))]
    {
        (Stop {}, Hangup {})
    }
}

impl Stop {
    /// Resolves at the first SIGTERM or SIGINT (logged).
    pub(crate) async fn received(self) {
        #[cfg(unix)]
        {
            let Stop {
                mut terminate,
                mut interrupt,
            } = self;
            tokio::select! {
                Some(()) = next(&mut terminate) => tracing::info!("SIGTERM: shutting down"),
                Some(()) = next(&mut interrupt) => tracing::info!("SIGINT: shutting down"),
                // Both streams ended: the runtime is going away, so is the process.
                else => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

impl Hangup {
    /// Resolves at the next SIGHUP (never, where there is none).
    pub(crate) async fn received(&mut self) {
        #[cfg(unix)]
        {
            if next(&mut self.hangup).await.is_some() {
                return;
            }
        }
        std::future::pending::<()>().await;
    }
}

/// The next delivery of a registered signal; pending for ever when it is not registered.
#[cfg(unix)]
async fn next(signal: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
    match signal.as_mut() {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}
