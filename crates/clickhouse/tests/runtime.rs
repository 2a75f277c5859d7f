//! The engine is synchronous and owns its runtime: called from inside another tokio runtime (as the server's
//! handlers do, on a worker or a blocking thread) it neither panics nor deadlocks.

mod front;

use tropa_core::{CountFold, Event, MessageKind};
use tropa_engine::{fold, Engine, ScanSpec};

fn ev(i: i64) -> Event {
    Event {
        message_id: format!("rt-{i}"),
        kind: MessageKind::Track,
        timestamp: 1_000 + i,
        received_at: 1_000 + i,
        anonymous_id: format!("anon-{}", i % 5),
        name: "page_view".into(),
        properties: "{}".into(),
        traits: "{}".into(),
        ..Event::default()
    }
}

#[test]
fn calls_from_inside_another_runtime_do_not_panic() {
    let Some(engine) = front::engine() else { return };
    let engine = std::sync::Arc::new(engine);
    for flavour in ["current_thread", "multi_thread"] {
        let rt = match flavour {
            "current_thread" => tokio::runtime::Builder::new_current_thread().enable_all().build(),
            _ => tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build(),
        }
        .expect("runtime");
        let e = engine.clone();
        let base = if flavour == "current_thread" { 0 } else { 100 };
        let counts = rt.block_on(async move {
            e.ingest((base..base + 50).map(ev).collect()).expect("ingest from async code");
            e.customer_key("anon-1").expect("lookup from async code");
            fold(e.as_ref(), &ScanSpec::default(), &CountFold).expect("scan from async code")
        });
        assert_eq!(counts.events, base as u64 / 2 + 50, "{flavour}: 50 events per round");
        assert_eq!(counts.customers, 5);
    }
}
