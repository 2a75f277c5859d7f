//! `tropa dashboard list|show`: the dashboards made in the web app, read at the command line; a missing one is a
//! user error (exit 1) that names it.

mod common;

use common::{ok, tropa, user_error};

#[test]
fn dashboards_are_listed_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&tropa(d, &["demo", "generate", "--customers", "100", "--seed", "3"]));
    assert!(!ok(&tropa(d, &["dashboard", "list"])).contains("glance"));
    {
        let meta = tropa_meta::Meta::open(&d.join("meta.sqlite")).unwrap();
        let who = tropa_app::audit::Who::system();
        tropa_app::dashboards::starter(&meta, &who, "default", None, tropa_core::lang::Lang::En, 0).unwrap();
    }
    let list = ok(&tropa(d, &["dashboard", "list"]));
    assert!(list.contains("The store at a glance") && list.contains("all time"), "{list}");
    let shown = ok(&tropa(d, &["dashboard", "show", "1"]));
    assert!(shown.contains("Purchase funnel") && shown.contains("funnels steps=view_item%0Aadd_to_cart"), "{shown}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&tropa(d, &["dashboard", "show", "1", "--format", "json"]))).unwrap();
    assert_eq!(json["tiles"].as_array().unwrap().len(), 4);
    user_error(&tropa(d, &["dashboard", "show", "9"]), "no dashboard 9");
}
