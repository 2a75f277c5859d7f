//! Forgetting a customer (the right to be forgotten): the project's engine deletes every event of the customer
//! an anonymous id or user id belongs to, and the audit log records it as `data.forget` with the customer named
//! by a salted digest ([`tropa_meta::repository::Audit::customer_digest`]) and the counts of events and ids deleted — never
//! the id itself. An id nobody has is recorded too (with zero counts): the request was made and answered.

use serde::Serialize;
use serde_json::json;
use tropa_engine::Engine;
use tropa_meta::Meta;

use crate::audit::{self, Action, Done, Who};
use crate::AppError;

/// What a forget deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Forgotten {
    /// Events removed from view (compaction drops them from disk).
    pub events: u64,
    /// Anonymous ids and user ids of the customer.
    pub actors: usize,
}

/// Deletes the customer `id` belongs to from `project` (whose engine is `engine`) and records it.
pub fn customer(
    meta: &Meta,
    engine: &dyn Engine,
    (project, id): (&str, &str),
    who: &Who,
    now: i64,
) -> Result<Forgotten, AppError> {
    let actors = engine.customer(id)?.map(|c| c.actors.len()).unwrap_or(0);
    let events = engine.forget(id)?;
    let digest = meta.customer_digest(id)?;
    let done = Done::new(Action::DataForget, Some(project), digest).with(json!({"events": events, "actors": actors}));
    audit::record(meta, who, done, now)?;
    Ok(Forgotten { events, actors })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tropa_core::{Event, MessageKind};

    fn event(id: &str, anon: &str, user: &str, ts: i64) -> Event {
        Event {
            message_id: id.into(),
            kind: if user.is_empty() { MessageKind::Page } else { MessageKind::Identify },
            timestamp: ts,
            anonymous_id: anon.into(),
            user_id: user.into(),
            name: "page_view".into(),
            properties: "{}".into(),
            traits: "{}".into(),
            ..Event::default()
        }
    }

    #[test]
    fn a_forgotten_customer_is_recorded_as_a_digest_and_counts_never_the_id() {
        let dir = tempfile::tempdir().unwrap();
        let app = crate::App::open(dir.path(), Default::default()).unwrap();
        let engine = app.engine("default").unwrap();
        let who = "maria.ivanova@example.ru";
        engine
            .ingest(vec![
                event("e1", "anon-17", "", 1_000),
                event("e2", "anon-17", who, 2_000),
                event("e3", "anon-99", "", 3_000),
            ])
            .unwrap();
        let meta = app.meta();
        let gone = customer(meta, &*engine, ("default", who), &Who::cli("ops"), 9_000).unwrap();
        assert_eq!(gone, Forgotten { events: 2, actors: 2 });
        assert!(engine.customer(who).unwrap().is_none_or(|c| c.events.is_empty()));
        let none = customer(meta, &*engine, ("default", "nobody"), &Who::cli("ops"), 9_001).unwrap();
        assert_eq!(none, Forgotten { events: 0, actors: 0 });

        let entries = audit::list(meta, &audit::Filter { limit: 10, ..Default::default() }).unwrap();
        let e = &entries[1];
        assert_eq!((e.action, e.project.as_deref(), e.at), (Action::DataForget, Some("default"), 9_000));
        assert_eq!(e.target, meta.customer_digest(who).unwrap());
        let details: serde_json::Value = serde_json::from_str(&e.details).unwrap();
        assert_eq!(details, json!({"events": 2, "actors": 2}));
        for e in &entries {
            let text = format!("{e:?}");
            assert!(!text.contains("maria") && !text.contains("anon-17") && !text.contains("nobody"), "{text}");
        }
    }
}
