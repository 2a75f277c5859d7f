use super::*;
use tropa_meta::audit::Filter;

fn meta() -> (tempfile::TempDir, Meta) {
    let dir = tempfile::tempdir().unwrap();
    let meta = Meta::open(&dir.path().join("meta.sqlite")).unwrap();
    meta.create_project("shop", "", 0).unwrap();
    meta.create_project("other", "", 0).unwrap();
    (dir, meta)
}

#[test]
fn a_period_is_read_with_every_problem_at_its_field() {
    let p = read_period("2026-03-01", "2026-04-01", "previous").unwrap();
    assert_eq!((p.since.as_str(), p.until.as_str(), p.compare.as_str()), ("2026-03-01", "2026-04-01", "previous"));
    assert_eq!(read_period("", "", "").unwrap().compare, "none");
    let fields = |r: Result<DashboardPeriod, Vec<(&'static str, Reason)>>| {
        r.unwrap_err().into_iter().map(|(f, _)| f).collect::<Vec<_>>()
    };
    assert_eq!(fields(read_period("March", "2026-04-01", "none")), ["since"]);
    assert_eq!(fields(read_period("2026-04-01", "2026-04-01", "none")), ["until"]);
    assert_eq!(fields(read_period("2026-03-01", "", "previous")), ["compare"]);
    assert_eq!(fields(read_period("x", "y", "year")), ["since", "until", "compare"]);
    assert_eq!(previous("2026-03-01", "2026-03-08"), Some(("2026-02-22".into(), "2026-03-01".into())));
    assert_eq!(previous("", "2026-03-08"), None);
}

#[test]
fn a_tile_reads_in_the_dashboards_period() {
    let tile = |kind: &str, query: &str| Tile {
        id: 1,
        position: 0,
        kind: kind.into(),
        title: "t".into(),
        query: query.into(),
        map_id: None,
        lane: String::new(),
    };
    let q = tile_query(&tile("funnels", "since=2025-01-01&steps=a%0Ab"), "2026-03-01", "2026-04-01");
    assert!(q.contains(&("steps".into(), "a\nb".into())));
    assert!(q.contains(&("since".into(), "2026-03-01".into())) && q.contains(&("until".into(), "2026-04-01".into())));
    assert_eq!(q.len(), 3, "the tile's own start is replaced");
    let open = tile_query(&tile("paths", "since=2025-01-01"), "", "");
    assert_eq!(open, [("since".to_string(), "2025-01-01".to_string())], "an open period keeps the tile's own");
    let stages = tile_query(&tile("stages", ""), "2026-03-01", "2026-04-01");
    assert_eq!(stages, [("now".to_string(), "2026-04-01".to_string())]);
}

#[test]
fn dashboards_are_changed_and_audited_and_refuse_bad_input() {
    let (_d, meta) = meta();
    let who = Who::cli("ops");
    let d = create(&meta, &who, "shop", "Weekly", 1).unwrap();
    let t = report_tile("funnels", "Checkout", [("steps", "view\nbuy"), ("project", "other")]);
    assert_eq!(t.query, "steps=view%0Abuy", "the tile cannot name another project");
    let t1 = pin(&meta, &who, "shop", d.id, &t, 2).unwrap();
    let t2 = pin(&meta, &who, "shop", d.id, &report_tile("retention", "Return", []), 3).unwrap();
    move_tile(&meta, &who, "shop", d.id, t2.id, Move::Up, 4).unwrap();
    let order: Vec<i64> = meta.tiles("shop", d.id).unwrap().iter().map(|t| t.id).collect();
    assert_eq!(order, [t2.id, t1.id]);
    unpin(&meta, &who, "shop", d.id, t1.id, 5).unwrap();
    let p = read_period("2026-03-01", "2026-04-01", "previous").unwrap();
    set_period(&meta, &who, "shop", d.id, &p, 6).unwrap();
    rename(&meta, &who, "shop", d.id, "Monthly", 7).unwrap();
    let bad = |r: Result<Tile, AppError>| match r {
        Err(AppError::Invalid { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(bad(pin(&meta, &who, "shop", d.id, &report_tile("sankey", "x", []), 0)), "kind");
    assert_eq!(bad(pin(&meta, &who, "shop", d.id, &report_tile("paths", " ", []), 0)), "name");
    let lane =
        NewTile { kind: "map".into(), title: "m".into(), map_id: Some(1), lane: "goals".into(), ..NewTile::default() };
    assert_eq!(bad(pin(&meta, &who, "shop", d.id, &lane, 0)), "lane", "a written lane has no numbers");
    // another project's dashboard is not found
    assert!(matches!(pin(&meta, &who, "other", d.id, &t, 0), Err(AppError::NotFound(Missing::Dashboard(_)))));
    assert!(matches!(unpin(&meta, &who, "shop", d.id, 999, 0), Err(AppError::NotFound(Missing::Tile(999)))));
    let link = share(&meta, &who, "shop", d.id, "7d", 10).unwrap();
    assert_eq!(
        meta.shared_dashboard(&link.token, 10 + 7 * DAY_MS).unwrap(),
        Some(tropa_meta::Shared::Expired(10 + 7 * DAY_MS))
    );
    assert!(matches!(share(&meta, &who, "shop", d.id, "2y", 10), Err(AppError::Invalid { field: "expires", .. })));
    assert!(matches!(share(&meta, &who, "shop", d.id, "soon", 10), Err(AppError::Invalid { field: "expires", .. })));
    assert_eq!(unshare(&meta, &who, "shop", d.id, 11).unwrap(), 1);
    delete(&meta, &who, "shop", d.id, 12).unwrap();
    let actions: Vec<&str> = crate::audit::list(&meta, &Filter { limit: 100, ..Filter::default() })
        .unwrap()
        .iter()
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "dashboard.change").count(), 6, "{actions:?}");
    for a in ["dashboard.create", "dashboard.share", "dashboard.unshare", "dashboard.delete"] {
        assert!(actions.contains(&a), "{a}: {actions:?}");
    }
}

#[test]
fn the_cache_keeps_results_until_it_is_full() {
    let c = TileCache::default();
    assert!(c.get("a").is_none());
    c.put("a".into(), "<svg/>".into());
    assert_eq!(c.get("a").unwrap().as_str(), "<svg/>");
    for i in 0..CACHE_ENTRIES + 10 {
        c.put(format!("k{i}"), String::new());
    }
    assert!(c.len() <= CACHE_ENTRIES && c.len() > CACHE_ENTRIES / 3);
    assert!(c.get(&format!("k{}", CACHE_ENTRIES + 9)).is_some(), "the newest stays");
}

#[test]
fn the_starter_dashboard_pins_the_main_reports_in_the_language() {
    let (_d, meta) = meta();
    let d = starter(&meta, &Who::system(), "shop", None, Lang::Ru, 1).unwrap();
    assert_eq!(d.name, "Магазин с первого взгляда");
    let kinds: Vec<String> = meta.tiles("shop", d.id).unwrap().into_iter().map(|t| t.kind).collect();
    assert_eq!(kinds, ["funnels", "paths", "retention", "stages"]);
}

/// A backfill — an event of a name the data has, inside the data's old time range — changes the data's version,
/// so a cached chart is drawn again (time bounds and dictionary sizes alone stay the same).
#[test]
fn a_backfill_inside_the_old_bounds_changes_the_data_version() {
    use tropa_engine::Engine;
    use tropa_testkit::{track, NaiveEngine};
    let (_dir, meta) = meta();
    let engine = NaiveEngine::new();
    engine.ingest(vec![track(1, "a", 1_000, "view_item"), track(2, "a", 9_000, "view_item")]).unwrap();
    let before = data_version(&meta, &engine, "shop").unwrap();
    assert_eq!(data_version(&meta, &engine, "shop").unwrap(), before, "the same data, the same version");
    engine.ingest(vec![track(3, "b", 5_000, "view_item")]).unwrap();
    assert_ne!(data_version(&meta, &engine, "shop").unwrap(), before);
}
