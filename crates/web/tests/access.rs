//! Who may see what in the web app: every route's least role (from a table that must list every route in the
//! source), per-project membership (a non-member gets 404 on every project route), members and roles, a
//! project's settings.

mod common;

use axum::http::StatusCode;

use common::*;

#[tokio::test]
async fn every_web_route_checks_the_role_itself() {
    // The table above must list every route the web app declares (read from its source, so a new page cannot
    // be added without deciding who may see it).
    let sources: Vec<String> = web_sources().into_iter().map(|f| f.1).collect();
    let mut declared: Vec<String> = sources
        .iter()
        .flat_map(|s| {
            s.split(".route(\"").skip(1).map(|r| r.split('"').next().unwrap().to_string()).collect::<Vec<_>>()
        })
        .collect();
    declared.sort();
    declared.dedup();
    let mut listed: Vec<String> = WEB_ROUTES.iter().map(|r| r.1.to_string()).collect();
    listed.sort();
    listed.dedup();
    assert_eq!(declared, listed, "every web route has a role in WEB_ROUTES");

    let h = harness();
    h.shop().await;
    use tropa_meta::Role;
    for (email, role) in [("v@x.ru", Role::Viewer), ("an@x.ru", Role::Analyst), ("ad@x.ru", Role::Admin)] {
        h.user(email, role);
    }
    let mut sessions = vec![(None, String::new(), String::new())];
    for (email, role) in [("v@x.ru", Role::Viewer), ("an@x.ru", Role::Analyst), ("ad@x.ru", Role::Admin)] {
        let (cookie, csrf) = h.sign_in(email, "correct horse battery").await;
        sessions.push((Some(role), cookie, csrf));
    }
    for (method, path, need) in WEB_ROUTES {
        let Some(need) = need else { continue };
        for (role, cookie, csrf) in &sessions {
            if *path == "/logout" {
                continue; // it would end the session the other checks use; see sign_in_overview_language_and_sign_out
            }
            let path = path.replace("{id}", "1").replace("{v}", "1").replace("{token}", "sh_x");
            let r = match *method {
                "GET" => h.send(page_get(&format!("{path}?project=a"), cookie)).await,
                _ => h.send(page_post(&path, cookie, &format!("csrf={csrf}&project=a&action=save&kind=funnels"))).await,
            };
            match role {
                None => assert_eq!(
                    (r.status, r.headers.get("location").map(|l| l.to_str().unwrap().to_string())),
                    (StatusCode::SEE_OTHER, Some("/login".into())),
                    "{method} {path} signed out"
                ),
                Some(role) if role < need => {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path} as {role:?}: {}", html(&r))
                }
                Some(role) => assert!(
                    r.status != StatusCode::FORBIDDEN && r.status != StatusCode::SEE_OTHER || *method == "POST",
                    "{method} {path} as {role:?}: {}",
                    r.status
                ),
            }
        }
    }
    // the query API refuses a session without a project it knows and a write key; viewers may read
    let (_, viewer, _) = &sessions[1];
    assert_eq!(h.send(page_get("/api/v1/stats?project=a", viewer)).await.status, StatusCode::OK);
    // a forbidden page says which role it needs and keeps the navigation
    let page = html(&h.send(page_get("/settings/users", viewer)).await);
    assert!(page.contains("This page needs the role") && page.contains("admin") && page.contains("href=\"/funnels"));
}

/// Regression (per-project access): any viewer used to read every project. Now a member of project b — even its
/// admin — gets 404 for every project route asked about project a (the same answer as for a project that does
/// not exist, so names do not leak), through the query API too; the instance's admin pages stay 403.
#[tokio::test]
async fn every_project_route_refuses_a_non_member() {
    let h = harness();
    h.shop().await;
    use tropa_meta::Role;
    h.member("b-admin@x.ru", "b", Role::Admin);
    let (cookie, csrf) = h.sign_in("b-admin@x.ru", "correct horse battery").await;
    let mut project_routes = 0;
    for (method, path, need) in WEB_ROUTES {
        if need.is_none() || INSTANCE_ROUTES.contains(path) {
            continue;
        }
        project_routes += 1;
        let path = path.replace("{id}", "1").replace("{v}", "1").replace("{token}", "sh_x");
        let form = format!("csrf={csrf}&project=a&action=save&kind=funnels&name=x&email=v%40x.ru&role=viewer&user=999");
        let r = match *method {
            "GET" => h.send(page_get(&format!("{path}?project=a"), &cookie)).await,
            _ => h.send(page_post(&path, &cookie, &form)).await,
        };
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path} about project a: {}", html(&r));
        // the same request about their own project is not refused for membership
        let r = match *method {
            "GET" => h.send(page_get(&format!("{path}?project=b"), &cookie)).await,
            _ => h.send(page_post(&path, &cookie, &form.replace("project=a", "project=b"))).await,
        };
        assert_ne!(r.status, StatusCode::FORBIDDEN, "{method} {path} about project b");
    }
    assert!(project_routes >= 25, "{project_routes}");
    // the query API with the session cookie: the same
    assert_eq!(h.send(page_get("/api/v1/stats?project=a", &cookie)).await.status, StatusCode::NOT_FOUND);
    let r = h.send(page_get("/api/v1/stats?project=b", &cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // the instance's admin pages need an instance admin
    for path in ["/settings/projects", "/settings/users"] {
        assert_eq!(h.send(page_get(path, &cookie)).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    // the pickers and the overview offer only their project: with no project named, the overview opens b
    let page = html(&h.send(page_get("/", &cookie)).await);
    assert!(page.contains("value=\"b\"") && !page.contains("value=\"a\""), "{page}");
}

/// Members: a project's admin adds a user by e-mail with a role, changes it, removes them; the member then sees
/// the project (and only with their role); a new project grants only its creator.
#[tokio::test]
async fn project_admins_manage_members_and_roles_apply_per_project() {
    let h = harness();
    h.shop().await;
    use tropa_meta::Role;
    h.member("boss-a@x.ru", "a", Role::Admin);
    h.member("ann@x.ru", "b", Role::Viewer);
    let (boss, csrf) = h.sign_in("boss-a@x.ru", "correct horse battery").await;
    let (ann, _) = h.sign_in("ann@x.ru", "correct horse battery").await;
    assert_eq!(h.send(page_get("/funnels?project=a", &ann)).await.status, StatusCode::NOT_FOUND);
    // unknown e-mail and role are shown at their fields
    let r = h
        .send(page_post("/settings/members", &boss, &format!("csrf={csrf}&project=a&email=nobody%40x.ru&role=viewer")))
        .await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("no such user"), "{}", html(&r));
    let r = h
        .send(page_post("/settings/members", &boss, &format!("csrf={csrf}&project=a&email=ann%40x.ru&role=chief")))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // added as a viewer: reads, may not save
    let r = h
        .send(page_post("/settings/members", &boss, &format!("csrf={csrf}&project=a&email=ann%40x.ru&role=viewer")))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(html(&h.send(page_get("/settings/members?project=a", &boss)).await).contains("ann@x.ru"));
    assert_eq!(h.send(page_get("/funnels?project=a", &ann)).await.status, StatusCode::OK);
    let (_, ann_csrf) = (ann.clone(), h.sign_in("ann@x.ru", "correct horse battery").await.1);
    let _ = ann_csrf;
    assert_eq!(h.send(page_get("/settings/keys?project=a", &ann)).await.status, StatusCode::FORBIDDEN);
    // promoted to analyst in a, still a viewer in b
    let r = h
        .send(page_post("/settings/members", &boss, &format!("csrf={csrf}&project=a&email=ann%40x.ru&role=analyst")))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let user = h.state.meta.user("ann@x.ru").unwrap().unwrap();
    assert_eq!(h.state.meta.project_role(&user, "a").unwrap(), Some(Role::Analyst));
    assert_eq!(h.state.meta.project_role(&user, "b").unwrap(), Some(Role::Viewer));
    // the admin of a cannot manage b's members
    let r = h
        .send(page_post("/settings/members", &boss, &format!("csrf={csrf}&project=b&email=ann%40x.ru&role=admin")))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // removed: a is gone for her
    let r =
        h.send(page_post("/settings/members/remove", &boss, &format!("csrf={csrf}&project=a&user={}", user.id))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(h.send(page_get("/funnels?project=a", &ann)).await.status, StatusCode::NOT_FOUND);
    // every membership change is in the audit log, with who did it
    let entries = h
        .state
        .meta
        .audit(&tropa_meta::audit::Filter { project: Some("a".into()), limit: 50, ..Default::default() })
        .unwrap();
    let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["member.set", "member.set", "member.remove"], "{entries:?}");
    assert!(entries.iter().all(|e| e.target == "ann@x.ru"), "{entries:?}");
    // a new project made by an instance admin grants its creator, not the other users
    h.user("root@x.ru", Role::Admin);
    let (root, root_csrf) = h.sign_in("root@x.ru", "correct horse battery").await;
    let r = h.send(page_post("/settings/projects", &root, &format!("csrf={root_csrf}&project=shop&name=Shop"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let root_user = h.state.meta.user("root@x.ru").unwrap().unwrap();
    assert_eq!(h.state.meta.members("shop").unwrap().iter().map(|m| m.user.id).collect::<Vec<_>>(), [root_user.id]);
    assert_eq!(h.state.meta.project_role(&user, "shop").unwrap(), None);
    // a user created on the Users page works in the project chosen, with the role chosen
    let r = h
        .send(page_post(
            "/settings/users",
            &root,
            &format!("csrf={root_csrf}&email=new%40x.ru&role=analyst&project=shop"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let new = h.state.meta.user("new@x.ru").unwrap().unwrap();
    assert_eq!(h.state.meta.project_role(&new, "shop").unwrap(), Some(Role::Analyst));
    assert_eq!(h.state.meta.project_role(&new, "a").unwrap(), None);
}

/// A project's admin sets its time zone and currency on the Project tab: bad values are shown at their fields in
/// the reader's language, nothing changes; good ones are saved (and audited) and the overview labels revenue with
/// the currency; a viewer may not.
#[tokio::test]
async fn project_admins_set_the_time_zone_and_currency() {
    let h = harness();
    h.shop().await;
    use tropa_meta::Role;
    h.member("boss@x.ru", "a", Role::Admin);
    h.member("ann@x.ru", "a", Role::Viewer);
    let (boss, csrf) = h.sign_in("boss@x.ru", "correct horse battery").await;
    let (ann, ann_csrf) = h.sign_in("ann@x.ru", "correct horse battery").await;
    let page = html(&h.send(page_get("/settings/project?project=a", &boss)).await);
    assert!(page.contains("value=\"UTC\"") && page.contains("value=\"RUB\""), "{page}");
    let r = h
        .send(page_post(
            "/settings/project",
            &boss,
            &format!("csrf={csrf}&project=a&time_zone=Europe%2FMoskva&currency=euro"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let page = html(&r);
    assert!(page.matches("aria-invalid=\"true\"").count() == 2, "both fields marked: {page}");
    assert_eq!(tropa_app::settings::project(&h.state.meta, "a").unwrap().calendar.name(), "UTC", "nothing changed");
    let r = h
        .send(page_post(
            "/settings/project",
            &boss,
            &format!("csrf={csrf}&project=a&time_zone=Europe%2FMoscow&currency=eur"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let now = tropa_app::settings::project(&h.state.meta, "a").unwrap();
    assert_eq!((now.calendar.name(), now.currency.as_str()), ("Europe/Moscow", "EUR"));
    assert!(html(&h.send(page_get("/?project=a", &boss)).await).contains("EUR"));
    let entries = h.state.meta.audit(&tropa_meta::audit::Filter { limit: 10, ..Default::default() }).unwrap();
    assert_eq!(entries[0].action.as_str(), "project.settings");
    let r = h
        .send(page_post("/settings/project", &ann, &format!("csrf={ann_csrf}&project=a&time_zone=UTC&currency=RUB")))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
