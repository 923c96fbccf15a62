//! One WebSub publish ping: `POST <hub>` with the form `hub.mode=publish`, `hub.topic` and
//! `hub.url` (both the feed's URL: WebSub-era hubs read `hub.topic`, Google's
//! PubSubHubbub hub and its kin `hub.url`), over plain HTTP with a time bound.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, USER_AGENT};
use hyper::Request;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use url::Url;

/// What a hub made of one ping.
#[derive(Debug)]
pub(super) enum Outcome {
    /// 2xx (the Recommendation's hubs answer 202 or 204).
    Accepted,
    /// A redirect, or a 4xx other than 408 and 429: asking again will not help.
    Refused(u16),
    /// No answer, a timeout, a 5xx, 408 or 429: worth another try.
    Failed(String),
}

/// An HTTP/1.1 client with pooled connections to the hubs; cheap to clone.
#[derive(Clone)]
pub(super) struct Client {
    inner: HyperClient<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

impl Client {
    pub(super) fn new(timeout: Duration) -> Client {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        Client {
            inner: HyperClient::builder(TokioExecutor::new()).build(connector),
            timeout,
        }
    }

    /// Sends one publish ping for `topic` to `hub`, within the configured timeout.
    pub(super) async fn publish(&self, hub: &Url, topic: &str) -> Outcome {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("hub.mode", "publish")
            .append_pair("hub.topic", topic)
            .append_pair("hub.url", topic)
            .finish();
        let request = Request::post(hub.as_str())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(
                USER_AGENT,
                concat!("feedwright/", env!("CARGO_PKG_VERSION")),
            )
            .body(Full::new(Bytes::from(form)));
        let request = match request {
            Ok(request) => request,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        match tokio::time::timeout(self.timeout, self.inner.request(request)).await {
            Err(_) => Outcome::Failed(format!("no answer within {:?}", self.timeout)),
            Ok(Err(e)) => Outcome::Failed(e.to_string()),
            Ok(Ok(response)) => classify(response.status().as_u16()),
        }
    }
}

fn classify(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Accepted,
        408 | 429 => Outcome::Failed(format!("hub answered {status}")),
        300..=499 => Outcome::Refused(status),
        _ => Outcome::Failed(format!("hub answered {status}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        assert!(matches!(classify(202), Outcome::Accepted));
        assert!(matches!(classify(204), Outcome::Accepted));
        assert!(matches!(classify(404), Outcome::Refused(404)));
        assert!(matches!(classify(429), Outcome::Failed(_)));
        assert!(matches!(classify(503), Outcome::Failed(_)));
        // A redirect is not followed: the hub's address should be configured as it is.
        assert!(matches!(classify(301), Outcome::Refused(301)));
    }
}
