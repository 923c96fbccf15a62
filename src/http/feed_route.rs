//! A feed or index route: the snapshot's resource, `Accept-Encoding` negotiation, the
//! preconditions, then the pre-built representation with its ETag and Last-Modified.

use hyper::{Request, Response};

use super::clock;
use super::conditional::{self, Precondition};
use super::negotiate;
use super::response::{self, no_resource, not_acceptable, precondition_failed};
use super::response_body::ResponseBody;
use super::AppState;

/// Answers a request for the feed route `path`.
pub(super) fn feed<B>(
    state: &AppState,
    request: &Request<B>,
    path: &str,
) -> Response<ResponseBody> {
    let snapshot = state.snapshot.load();
    let Some(resource) = snapshot.resource(path) else {
        return no_resource(request, snapshot.is_ready() && snapshot.is_complete());
    };
    let headers = request.headers();

    // Negotiation first: a request that would get 406 ignores its preconditions (RFC 9110
    // §13.2.1).
    let Some(coding) = negotiate::choose_coding(headers, |c| resource.offers(c)) else {
        return not_acceptable(request);
    };
    let selected = resource
        .representation(coding)
        .unwrap_or_else(|| resource.identity());

    // RFC 9110 §8.8.2.1: Last-Modified must not be later than Date. The snapshot's value runs
    // ahead of the clock after quick successive changes (each moves it a second past the
    // previous one); while it does, the current second is sent instead, with a Date of that
    // same second. The snapshot keeps its value: the next change must still move past it.
    let now = clock::now();
    let ahead = resource.last_modified_unix > now.unix;
    let sent_last_modified = if ahead {
        (&now.date, now.unix)
    } else {
        (&resource.last_modified, resource.last_modified_unix)
    };

    let (described, not_modified) =
        match conditional::evaluate(headers, resource, selected, sent_last_modified) {
            Precondition::Failed => return precondition_failed(request),
            Precondition::NotModified(described) => (described, true),
            Precondition::Passed => (selected, false),
        };
    response::representation(request, resource, described, not_modified, now, ahead)
}
