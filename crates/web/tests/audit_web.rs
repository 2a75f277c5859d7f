//! The audit log in the web app (requirement 8 of the application-layer issue): every change an admin or an
//! analyst makes is recorded with the right action, the signed-in user and the client's address; no key secret,
//! password or share token reaches the log; the admins' page `/settings/audit` filters, pages, speaks both
//! languages and escapes everything it shows.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{enc, harness, harness_with, html, page_get, page_post, Harness, NOW};
use tropa_app::audit::{Action, Actor, Done, Filter, Who};
use tropa_meta::Role;

/// A request as the socket at `peer` would hand it to the router.
fn from(peer: &str, mut req: Request<Body>) -> Request<Body> {
    let addr: std::net::SocketAddr = peer.parse().unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    req
}

/// A text between `start` and the next `end` in `page`.
fn between(page: &str, start: &str, end: &str) -> String {
    let at = page.find(start).unwrap_or_else(|| panic!("no {start} in {page}")) + start.len();
    page[at..].split(end).next().unwrap().to_string()
}

fn entries(h: &Harness) -> Vec<tropa_app::audit::Entry> {
    let mut all = tropa_app::audit::list(&h.state.meta, &Filter { limit: 1000, ..Filter::default() }).unwrap();
    all.reverse();
    all
}

const PEER: &str = "198.51.100.7:40000";

#[tokio::test]
async fn web_changes_are_recorded_with_the_user_and_their_address_and_never_a_secret() {
    let h = harness();
    h.user("boss@x.ru", Role::Admin);
    h.user("an@x.ru", Role::Analyst);
    let (admin, csrf) = h.sign_in("boss@x.ru", "correct horse battery").await;
    let post = |path: &str, cookie: &str, form: String| from(PEER, page_post(path, cookie, &form));

    // projects, keys, users
    let r = h.send(post("/settings/projects", &admin, format!("csrf={csrf}&project=shop&name=Shop"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let label = enc("<script>alert(1)</script>");
    let r = h.send(post("/settings/keys", &admin, format!("csrf={csrf}&project=shop&kind=write&label={label}"))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let secret = between(&html(&r), "<pre id=\"new-key\">", "</pre>");
    assert!(secret.starts_with("tw_") && secret.len() == 35, "{secret}");
    let key_id = h.state.meta.keys(Some("shop")).unwrap()[0].id;
    let r = h.send(post("/settings/keys/revoke", &admin, format!("csrf={csrf}&project=shop&id={key_id}"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = h.send(post("/settings/users", &admin, format!("csrf={csrf}&email=new%40x.ru&role=viewer"))).await;
    let first_password = between(&html(&r), "<pre id=\"new-password\">", "</pre>");
    let user = h.state.meta.user("new@x.ru").unwrap().unwrap().id;
    h.send(post("/settings/users/role", &admin, format!("csrf={csrf}&user={user}&role=analyst"))).await;
    let r = h.send(post("/settings/users/password", &admin, format!("csrf={csrf}&user={user}"))).await;
    let second_password = between(&html(&r), "<pre id=\"new-password\">", "</pre>");
    h.send(post("/settings/users/delete", &admin, format!("csrf={csrf}&user={user}"))).await;

    // maps, share links, personas, the journey definition (an analyst)
    let (analyst, acsrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let r = h.send(post("/maps", &analyst, format!("csrf={acsrf}&project=a&template=online_store&lang=en"))).await;
    assert_eq!(r.headers["location"], "/maps/1?project=a");
    let yaml = html(&h.send(page_get("/maps/1/export?project=a&format=yaml", &analyst)).await);
    let evil = yaml.replacen("title: Outdoor gear online store", "title: <img src=x onerror=alert(1)>", 1);
    assert_ne!(evil, yaml);
    let r = h.send(post("/maps/import", &analyst, format!("csrf={acsrf}&project=a&document={}", enc(&evil)))).await;
    assert_eq!(r.headers["location"], "/maps/2?project=a");
    let r = h.send(post("/maps/1/share", &analyst, format!("csrf={acsrf}&project=a"))).await;
    let token = r.headers["location"].to_str().unwrap().split("share=").nth(1).unwrap().to_string();
    assert!(token.starts_with("sh_"));
    h.send(post("/maps/1/unshare", &analyst, format!("csrf={acsrf}&project=a"))).await;
    let persona =
        format!("csrf={acsrf}&project=a&key=ivan&name=Ivan&age=&occupation=&quote=&goals=&did=purchase&traits=");
    assert_eq!(h.send(post("/personas", &analyst, persona)).await.status, StatusCode::SEE_OTHER);
    h.send(post("/personas/delete", &analyst, format!("csrf={acsrf}&project=a&key=ivan"))).await;
    // the stage editor's fields: two stages
    let two = format!(
        "name=two&order=sequential&s0.key=seen&s0.name_en=Seen&s0.name_ru={}&s0.e0.event=view_item\
         &s1.key=bought&s1.name_en=Bought&s1.name_ru={}&s1.e0.event=purchase",
        enc("Видел"),
        enc("Купил")
    );
    let stages = |action: &str| format!("csrf={acsrf}&project=a&action={action}&{two}");
    assert_eq!(h.send(post("/stages", &analyst, stages("save"))).await.status, StatusCode::SEE_OTHER);
    assert_eq!(h.send(post("/stages", &analyst, stages("reset"))).await.status, StatusCode::SEE_OTHER);
    h.send(post("/maps/2/delete", &analyst, format!("csrf={acsrf}&project=a"))).await;
    // the analyst's own password (it ends their session)
    let form = format!(
        "csrf={acsrf}&current={}&password={pw}&repeat={pw}",
        enc("correct horse battery"),
        pw = enc("brand new secret pw")
    );
    assert_eq!(h.send(post("/settings/password", &analyst, form)).await.status, StatusCode::SEE_OTHER);
    // a refused change is not recorded
    let r = h.send(post("/settings/projects", &admin, format!("csrf={csrf}&project=shop"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let all = entries(&h);
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "project.create",
            "key.create",
            "key.revoke",
            "user.create",
            "user.role",
            "user.password_reset",
            "user.delete",
            "map.create",
            "map.import",
            "map.share",
            "map.unshare",
            "persona.save",
            "persona.delete",
            "definition.save",
            "definition.reset",
            "map.delete",
            "user.password_change",
        ]
    );
    let boss = h.state.meta.user("boss@x.ru").unwrap().unwrap().id;
    let an = h.state.meta.user("an@x.ru").unwrap().unwrap().id;
    for (i, e) in all.iter().enumerate() {
        assert_eq!((e.address.as_str(), e.at), ("198.51.100.7", NOW), "{e:?}");
        let (id, email) = if i < 7 { (boss, "boss@x.ru") } else { (an, "an@x.ru") };
        assert_eq!(e.actor, Actor::User { id, email: email.into() }, "{e:?}");
    }
    let by = |a: Action| all.iter().find(|e| e.action == a).unwrap();
    assert_eq!(
        (by(Action::KeyCreate).project.as_deref(), by(Action::KeyCreate).target.as_str()),
        (Some("shop"), &secret[..7])
    );
    assert!(by(Action::KeyCreate).details.contains("\"kind\":\"write\""));
    assert_eq!(by(Action::UserDelete).target, "new@x.ru", "a deleted user is named by the e-mail they had");
    assert_eq!(by(Action::UserRole).details, "{\"role\":\"analyst\"}");
    assert_eq!(by(Action::MapCreate).target, "#1 Outdoor gear online store");
    assert_eq!(by(Action::MapDelete).target, "#2 <img src=x onerror=alert(1)>", "named as it was before the delete");
    assert_eq!(by(Action::DefinitionSave).target, "two");
    assert_eq!(by(Action::MapUnshare).details, "{\"revoked\":1}");
    assert_eq!(by(Action::UserPasswordChange).target, "an@x.ru");

    // no secret anywhere in the log
    let text = format!("{all:?}");
    for needle in [&secret[3..], &first_password, &second_password, &token[3..], "correct horse battery", "brand new"] {
        assert!(!text.contains(needle), "{needle} in the audit log");
    }
}

#[tokio::test]
async fn the_address_is_the_client_behind_a_trusted_proxy_and_unknown_without_a_socket() {
    let config = tropa_server::Config { trusted_proxies: vec!["10.0.0.1".parse().unwrap()], ..Default::default() };
    let h = harness_with(config, || NOW);
    h.user("boss@x.ru", Role::Admin);
    let (admin, csrf) = h.sign_in("boss@x.ru", "correct horse battery").await;
    let mut req = from("10.0.0.1:1", page_post("/settings/projects", &admin, &format!("csrf={csrf}&project=p1")));
    req.headers_mut().insert("x-forwarded-for", "2001:db8::1:2, 10.0.0.1".parse().unwrap());
    h.send(req).await;
    // an untrusted peer cannot name another address
    let mut req = from("192.0.2.5:1", page_post("/settings/projects", &admin, &format!("csrf={csrf}&project=p2")));
    req.headers_mut().insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
    h.send(req).await;
    h.send(page_post("/settings/projects", &admin, &format!("csrf={csrf}&project=p3"))).await;
    let addresses: Vec<String> = entries(&h).into_iter().map(|e| e.address).collect();
    assert_eq!(addresses, ["2001:db8::1:2", "192.0.2.5", ""], "the whole IPv6 address, not its /64");
}

#[tokio::test]
async fn the_admins_page_filters_pages_speaks_both_languages_and_escapes_everything() {
    let h = harness();
    h.user("boss@x.ru", Role::Admin);
    let (admin, _) = h.sign_in("boss@x.ru", "correct horse battery").await;
    let meta = &h.state.meta;
    let who = Who::user(1, "<b>mallory</b>@x.ru", Some("192.0.2.1".parse().unwrap()));
    let evil = "<script>alert(1)</script>";
    let done = Done::new(Action::MapImport, Some("a"), format!("#9 {evil}"))
        .with(serde_json::json!({"label": evil, "quote": "\"'&"}));
    tropa_app::audit::record(meta, &who, done, NOW).unwrap();
    tropa_app::audit::record(meta, &Who::cli("ops"), Done::new(Action::DataForget, Some("b"), "ab12"), NOW).unwrap();
    for i in 0..60 {
        tropa_app::audit::record(
            meta,
            &Who::system(),
            Done::new(Action::KeyCreate, Some("b"), format!("tw_k{i:03}")),
            NOW + i,
        )
        .unwrap();
    }

    let page = html(&h.send(page_get("/settings/audit", &admin)).await);
    assert!(
        page.contains("<h1>Settings</h1>") && page.contains("href=\"/settings/audit\" class=\"on\">Audit log</a>"),
        "{page}"
    );
    assert_eq!(page.matches("<tr><td>").count(), 50, "a page holds 50 entries");
    assert!(page.contains("tw_k059") && !page.contains("tw_k009"), "newest first");
    assert!(page.contains("2026-06-01 00:00") && page.contains("tropa itself") && page.contains("Key created"));
    let older = between(&page, "<a href=\"/settings/audit?project=&amp;action=&amp;before=", "\"");
    let page2 = html(&h.send(page_get(&format!("/settings/audit?before={older}"), &admin)).await);
    assert_eq!(page2.matches("<tr><td>").count(), 12);
    assert!(page2.contains("tw_k000") && page2.contains("← Latest") && !page2.contains("Older →"));
    // everything anyone could have typed is escaped
    for needle in ["<script>alert", "<b>mallory", "\"'&"] {
        assert!(!page2.contains(needle), "{needle} unescaped");
    }
    assert!(
        page2.contains("#9 &lt;script&gt;alert(1)&lt;/script&gt;") && page2.contains("&lt;b&gt;mallory&lt;/b&gt;@x.ru")
    );
    assert!(page2.contains("&quot;label&quot;:&quot;&lt;script&gt;") && page2.contains("command line (ops)"));

    // filters: by action, by project (both kept in the paging links)
    let forgets = html(&h.send(page_get("/settings/audit?action=data.forget", &admin)).await);
    assert_eq!(forgets.matches("<tr><td>").count(), 1);
    assert!(forgets.contains("Customer's data deleted"), "{forgets}");
    assert!(forgets.contains("<option value=\"data.forget\" selected>"));
    let a = html(&h.send(page_get("/settings/audit?project=a", &admin)).await);
    assert_eq!(a.matches("<tr><td>").count(), 1);
    let b = html(&h.send(page_get("/settings/audit?project=b&action=key.create", &admin)).await);
    assert!(
        b.contains("href=\"/settings/audit?project=b&amp;action=key.create&amp;before="),
        "the next page keeps the filters"
    );
    let none = html(&h.send(page_get("/settings/audit?project=zz", &admin)).await);
    assert!(none.contains("No entries."));

    // in Russian, with the date day first
    let ru = Request::get("/settings/audit?action=data.forget")
        .header("cookie", &admin)
        .header("accept-language", "ru")
        .body(Body::empty())
        .unwrap();
    let ru = html(&h.send(ru).await);
    assert!(
        ru.contains("Журнал действий") && ru.contains("Удалены данные клиента") && ru.contains("01.06.2026 00:00"),
        "{ru}"
    );

    // the tab is an admin's only
    h.user("v@x.ru", Role::Viewer);
    let (viewer, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    assert!(!html(&h.send(page_get("/settings", &viewer)).await).contains("/settings/audit"));
    assert_eq!(h.send(page_get("/settings/audit", &viewer)).await.status, StatusCode::FORBIDDEN);
}
