use super::*;

fn report(title: &str) -> NewTile {
    NewTile { kind: "funnels".into(), title: title.into(), query: "steps=a%0Ab".into(), ..NewTile::default() }
}

crate::testing::backend_tests! {
    fn dashboards_keep_their_tiles_in_order_and_stay_in_their_project() {
        let (_d, m) = meta();
        m.create_project("a", "", 0).unwrap();
        m.create_project("b", "", 0).unwrap();
        let d = m.create_dashboard("a", "  Weekly  ", 1).unwrap();
        assert_eq!((d.name.as_str(), d.compare.as_str(), d.tiles), ("Weekly", "none", 0));
        let t1 = m.add_tile("a", d.id, &report("Checkout"), 2).unwrap();
        let t2 = m.add_tile("a", d.id, &report("Browse"), 3).unwrap();
        let t3 = m.add_tile("a", d.id, &report("Retention"), 4).unwrap();
        let order = |m: &crate::Meta| m.tiles("a", d.id).unwrap().into_iter().map(|t| t.title).collect::<Vec<_>>();
        assert_eq!(order(&m), ["Checkout", "Browse", "Retention"]);
        m.move_tile("a", d.id, t3.id, Move::Up, 5).unwrap();
        assert_eq!(order(&m), ["Checkout", "Retention", "Browse"]);
        m.move_tile("a", d.id, t1.id, Move::Up, 5).unwrap();
        m.move_tile("a", d.id, t1.id, Move::Down, 5).unwrap();
        assert_eq!(order(&m), ["Retention", "Checkout", "Browse"]);
        m.remove_tile("a", d.id, t2.id, 6).unwrap();
        assert_eq!(order(&m), ["Retention", "Checkout"]);
        assert_eq!(m.dashboard("a", d.id).unwrap().unwrap().tiles, 2);
        let period = DashboardPeriod { since: "2026-03-01".into(), until: "2026-04-01".into(), compare: "previous".into() };
        m.set_dashboard_period("a", d.id, &period, 7).unwrap();
        m.rename_dashboard("a", d.id, "Monthly", 8).unwrap();
        let d2 = m.dashboard("a", d.id).unwrap().unwrap();
        assert_eq!(
            (d2.name.as_str(), d2.since.as_str(), d2.compare.as_str(), d2.updated_at),
            ("Monthly", "2026-03-01", "previous", 8)
        );
        // another project sees and changes nothing
        assert!(m.dashboard("b", d.id).unwrap().is_none());
        assert!(m.dashboards("b").unwrap().is_empty());
        assert!(m.tiles("b", d.id).unwrap().is_empty());
        let nf = |r: Result<(), MetaError>| matches!(r, Err(MetaError::NotFound { .. }));
        assert!(nf(m.rename_dashboard("b", d.id, "x", 0)));
        assert!(nf(m.delete_dashboard("b", d.id)));
        assert!(nf(m.remove_tile("b", d.id, t1.id, 0)));
        assert!(nf(m.move_tile("b", d.id, t1.id, Move::Down, 0)));
        assert!(matches!(m.add_tile("b", d.id, &report("x"), 0), Err(MetaError::NotFound { .. })));
        assert!(matches!(m.create_dashboard_share("b", d.id, None, 0), Err(MetaError::NotFound { .. })));
        m.delete_dashboard("a", d.id).unwrap();
        assert!(m.dashboards("a").unwrap().is_empty());
    }

    fn bad_dashboards_and_tiles_are_refused_at_their_field() {
        let (_d, m) = meta();
        m.create_project("a", "", 0).unwrap();
        m.create_project("b", "", 0).unwrap();
        let field = |e: MetaError| match e {
            MetaError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(m.create_dashboard("a", " ", 0).unwrap_err()), "name");
        let d = m.create_dashboard("a", "D", 0).unwrap();
        let bad = DashboardPeriod { compare: "year".into(), ..DashboardPeriod::default() };
        assert_eq!(field(m.set_dashboard_period("a", d.id, &bad, 0).unwrap_err()), "compare");
        let tile = |kind: &str, map: Option<i64>, lane: &str| NewTile {
            kind: kind.into(),
            title: "T".into(),
            map_id: map,
            lane: lane.into(),
            ..NewTile::default()
        };
        assert_eq!(field(m.add_tile("a", d.id, &tile("sankey", None, ""), 0).unwrap_err()), "kind");
        assert_eq!(field(m.add_tile("a", d.id, &tile("map", None, "reached"), 0).unwrap_err()), "map");
        assert_eq!(field(m.add_tile("a", d.id, &tile("funnels", Some(1), ""), 0).unwrap_err()), "map");
        let other_map = m.create_map("b", "B", "{}", "", None, 0).unwrap();
        let r = m.add_tile("a", d.id, &tile("map", Some(other_map.id), "reached"), 0);
        assert!(matches!(r, Err(MetaError::NotFound { what: "map", .. })), "another project's map");
        let map = m.create_map("a", "A", "{}", "", None, 0).unwrap();
        let t = m.add_tile("a", d.id, &tile("map", Some(map.id), "reached"), 0).unwrap();
        assert_eq!((t.map_id, t.lane.as_str()), (Some(map.id), "reached"));
        for i in 1..MAX_TILES {
            m.add_tile("a", d.id, &report(&format!("t{i}")), 0).unwrap();
        }
        assert_eq!(field(m.add_tile("a", d.id, &report("one too many"), 0).unwrap_err()), "tiles");
        // deleting the map unpins its tiles
        m.delete_map("a", map.id).unwrap();
        assert_eq!(m.tiles("a", d.id).unwrap().len(), MAX_TILES - 1);
    }

    fn dashboard_share_links_expire_and_are_revoked() {
        let (_d, m) = meta();
        m.create_project("a", "", 0).unwrap();
        let d = m.create_dashboard("a", "D", 0).unwrap();
        let forever = m.create_dashboard_share("a", d.id, None, 10).unwrap();
        let week = m.create_dashboard_share("a", d.id, Some(1_000), 10).unwrap();
        assert!(forever.token.starts_with("sd_") && forever.hint.len() == 7);
        assert_eq!(m.shared_dashboard(&week.token, 999).unwrap(), Some(Shared::Live("a".into(), d.id)));
        assert_eq!(m.shared_dashboard(&week.token, 1_000).unwrap(), Some(Shared::Expired(1_000)));
        assert_eq!(m.dashboard_shares("a", d.id, 500).unwrap().len(), 2);
        let live = m.dashboard_shares("a", d.id, 2_000).unwrap();
        assert_eq!((live.len(), live[0].expires_at), (1, None), "an expired link is no longer listed");
        assert_eq!(m.shared_dashboard("sd_forged", 0).unwrap(), None);
        assert_eq!(m.revoke_dashboard_shares("a", d.id, 20).unwrap(), 2);
        assert_eq!(m.shared_dashboard(&forever.token, 30).unwrap(), None);
        assert_eq!(m.shared_dashboard(&week.token, 30).unwrap(), None, "a revoked link is gone, expired or not");
    }

    fn map_share_links_may_expire() {
        let (_d, m) = meta();
        m.create_project("a", "", 0).unwrap();
        let map = m.create_map("a", "Shop", "{}", "", None, 0).unwrap();
        let s = m.create_share("a", map.id, Some(100), 5).unwrap();
        assert_eq!(m.shared_map(&s.token, 99).unwrap(), Some(Shared::Live("a".into(), map.id)));
        assert_eq!(m.shared_map(&s.token, 100).unwrap(), Some(Shared::Expired(100)));
        assert_eq!(m.shares("a", map.id, 50).unwrap()[0].expires_at, Some(100));
        assert!(m.shares("a", map.id, 100).unwrap().is_empty());
    }
}
