//! WebSub publishing (W3C Recommendation, 2018): telling the configured hubs that a feed
//! changed, so they fetch it and push it to subscribers instead of everyone polling.
//!
//! The daemon hands the URLs of the feeds whose bytes changed at a snapshot swap to
//! [`Pinger::changed`], which only queues them: the swap never waits for a hub. One task
//! ([`run`]) coalesces the URLs that arrive within `websub.debounce_ms` of the first one,
//! then sends each hub one publish ping per URL ([`ping`]), each retried with exponential
//! backoff up to `websub.max_attempts` tries. Pings still queued or retrying when the
//! daemon stops are dropped: hubs also poll, and the next change pings again.
//!
//! Discovery (§4) is the feed writers' and the snapshot's job (`rel="hub"` links in each
//! document and in the `Link` header).

mod ping;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use url::Url;

use crate::config::{Config, WebSubConfig};
use crate::metrics::WebSubMetrics;

use self::ping::{Client, Outcome};

/// Longest wait between two tries of one ping, however many attempts are configured.
const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// The daemon's handle on the ping task: cheap to clone, never blocks.
#[derive(Debug, Clone)]
pub(crate) struct Pinger {
    queue: mpsc::UnboundedSender<Vec<String>>,
}

impl Pinger {
    /// Starts the ping task when hubs are configured (None otherwise). Must be called
    /// within the tokio runtime; abort the handle to stop pinging.
    pub(crate) fn start(
        config: &Arc<Config>,
        metrics: WebSubMetrics,
    ) -> Option<(Pinger, JoinHandle<()>)> {
        if config.websub.hubs.is_empty() {
            return None;
        }
        let (queue, changes) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(config.websub.clone(), changes, metrics));
        Some((Pinger { queue }, task))
    }

    /// Queues pings for these feed URLs (absolute). Returns at once.
    pub(crate) fn changed(&self, topics: Vec<String>) {
        if !topics.is_empty() {
            // The task only ends with the daemon: nothing to tell anyone then.
            let _ = self.queue.send(topics);
        }
    }
}

/// Absolute URLs of changed feed routes, as hubs and subscribers know them.
pub(crate) fn topics(config: &Config, paths: &[String]) -> Vec<String> {
    paths
        .iter()
        .map(|path| config.public_url(path).to_string())
        .collect()
}

/// The ping task: batches of changed feed URLs in, pings out. Deliveries run in a
/// [`JoinSet`] owned here, so aborting this task stops them all.
async fn run(
    config: WebSubConfig,
    mut changes: mpsc::UnboundedReceiver<Vec<String>>,
    metrics: WebSubMetrics,
) {
    let client = Client::new(config.timeout);
    let mut deliveries = JoinSet::new();
    while let Some(first) = changes.recv().await {
        let mut pending: BTreeSet<String> = first.into_iter().collect();
        let window = tokio::time::sleep(config.debounce);
        tokio::pin!(window);
        loop {
            tokio::select! {
                () = &mut window => break,
                more = changes.recv() => match more {
                    Some(more) => pending.extend(more),
                    None => break,
                },
            }
        }
        while deliveries.try_join_next().is_some() {}
        for hub in &config.hubs {
            for topic in &pending {
                deliveries.spawn(deliver(
                    client.clone(),
                    hub.clone(),
                    topic.clone(),
                    config.clone(),
                    metrics.clone(),
                ));
            }
        }
    }
    // The daemon is stopping: whatever is still retrying goes with the set.
}

/// One ping to one hub for one feed, retried while the failure may pass.
async fn deliver(
    client: Client,
    hub: Url,
    topic: String,
    config: WebSubConfig,
    metrics: WebSubMetrics,
) {
    for attempt in 1..=config.max_attempts {
        let outcome = client.publish(&hub, &topic).await;
        match outcome {
            Outcome::Accepted => {
                metrics.sent.inc();
                tracing::debug!(%hub, %topic, attempt, "WebSub hub notified");
                return;
            }
            Outcome::Refused(status) => {
                // The hub answered and said no (unknown topic, bad request): asking again
                // gets the same answer.
                metrics.failures.inc();
                tracing::warn!(%hub, %topic, status, "WebSub hub refused the publish ping");
                return;
            }
            Outcome::Failed(why) if attempt == config.max_attempts => {
                metrics.failures.inc();
                tracing::warn!(%hub, %topic, attempts = attempt, error = %why, "WebSub publish ping given up");
                return;
            }
            Outcome::Failed(why) => {
                metrics.retries.inc();
                let wait = backoff(config.retry, attempt);
                tracing::debug!(%hub, %topic, attempt, error = %why, retry_in_ms = wait.as_millis() as u64, "WebSub publish ping failed; retrying");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// `retry`, doubled for each attempt after the first, at most [`MAX_BACKOFF`].
fn backoff(retry: Duration, failed_attempts: u32) -> Duration {
    let factor = 1u32 << failed_attempts.saturating_sub(1).min(16);
    retry.saturating_mul(factor).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_millis(500);
        assert_eq!(backoff(base, 1), Duration::from_millis(500));
        assert_eq!(backoff(base, 2), Duration::from_millis(1000));
        assert_eq!(backoff(base, 4), Duration::from_millis(4000));
        assert_eq!(backoff(base, 40), MAX_BACKOFF);
    }

    #[test]
    fn topics_are_absolute_feed_urls() {
        let mut config = Config::defaults();
        config.site.base_url = Url::parse("https://example.com/blog/").expect("url");
        assert_eq!(
            topics(&config, &["/feed.xml".to_string()]),
            ["https://example.com/blog/feed.xml"]
        );
    }
}
