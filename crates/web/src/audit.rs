//! Recording what signed-in users change, in the audit log (`tropa_app::audit`), as the user from the client's
//! address: the middleware [`keep_client`] keeps where each request came from; pages call [`record`].

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderName};
use axum::response::Response;
use tropa_app::audit::{Action, Done, Who};

use crate::session::Session;
use crate::WebState;

/// What the request says about where it came from: the socket's peer and the `X-Forwarded-For` headers.
#[derive(Clone, Default)]
struct Client {
    peer: Option<IpAddr>,
    forwarded: HeaderMap,
}

tokio::task_local! {
    static CLIENT: Client;
}

const FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Keeps where the request came from for [`record`].
pub(crate) async fn keep_client(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let mut forwarded = HeaderMap::new();
    for v in req.headers().get_all(&FORWARDED_FOR) {
        forwarded.append(FORWARDED_FOR, v.clone());
    }
    CLIENT.scope(Client { peer, forwarded }, next.run(req)).await
}

/// Adds what the signed-in user just did to the audit log. The change is made already, so a failure to record
/// is logged (as an error, for the operator) rather than undoing it or failing the page.
pub(crate) fn record(st: &WebState, s: &Session, done: Done<'_>) {
    let trusted = &st.trusted_proxies;
    let address = CLIENT.try_with(|c| crate::throttle::client_ip(c.peer, &c.forwarded, trusted)).ok().flatten();
    let who = Who::user(s.user.id, &s.user.email, address);
    let action = done.action.as_str();
    if let Err(e) = tropa_app::audit::record(&st.meta, &who, done, (st.clock)()) {
        tracing::error!(error = %e, action, "audit log: the entry could not be written");
    }
}

/// The signed-in user as the audit log names them, from the client's address, for changes the application layer
/// records itself (a dashboard's, a dictionary note's).
pub(crate) fn who(st: &WebState, s: &Session) -> Who {
    let trusted = &st.trusted_proxies;
    let address = CLIENT.try_with(|c| crate::throttle::client_ip(c.peer, &c.forwarded, trusted)).ok().flatten();
    Who::user(s.user.id, &s.user.email, address)
}

/// An action on map `id` of `project`, the map named by its id and current title (so take it before a delete).
pub(crate) fn on_map<'a>(st: &WebState, action: Action, project: &'a str, id: i64) -> Done<'a> {
    let title = st.meta.map(project, id).ok().flatten().map(|m| m.title);
    Done::new(action, Some(project), tropa_app::audit::map_target(id, title.as_deref()))
}
