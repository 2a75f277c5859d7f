//! The web app through `Router::oneshot`: sign-in, CSRF and sessions, every route's role, settings, the
//! stages editor, saved reports and downloads, customer search, journey maps and personas.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use tropa_server::router_with;

use common::*;

/// The web app: sign-in with CSRF, session cookie, the overview with charts, language switch, roles, sign-out.
#[tokio::test]
async fn sign_in_overview_language_and_sign_out() {
    let h = harness();
    h.shop().await;
    h.user("maria@shop.ru", tropa_meta::Role::Viewer);
    let get = |path: &str, cookie: &str| {
        Request::get(path).header("cookie", cookie).header("accept-language", "en").body(Body::empty()).unwrap()
    };
    let post = |path: &str, cookie: &str, form: String| {
        Request::post(path)
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap()
    };
    // signed out: every page sends to the sign-in form
    let r = h.send(get("/", "")).await;
    assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/login"));
    let form = h.send(get("/login", "")).await;
    let set = form.headers["set-cookie"].to_str().unwrap().to_string();
    let pre = set.split(';').next().unwrap().to_string(); // tropa_csrf=…
    let csrf = pre.split_once('=').unwrap().1.to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"));
    // a form without the matching token is refused; a wrong password is shown next to the field
    let r = h.send(post("/login", &pre, "csrf=forged&email=maria%40shop.ru&password=x".to_string())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = h.send(post("/login", &pre, format!("csrf={csrf}&email=maria%40shop.ru&password=wrong+password"))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.as_str().unwrap().contains("Wrong e-mail or password"));
    let r =
        h.send(post("/login", &pre, format!("csrf={csrf}&email=Maria%40shop.ru&password=correct+horse+battery"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let set = r.headers["set-cookie"].to_str().unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && !set.contains("Secure"));
    let session = set.split(';').next().unwrap().to_string();
    // project b has no events: the empty state says how to send the first one
    let r = h.send(get("/?project=b", &session)).await;
    let html = r.body.as_str().unwrap().to_string();
    assert_eq!(r.status, StatusCode::OK);
    assert!(html.contains("No events yet") && html.contains("tropa key create"), "{html}");
    assert!(html.contains("href=\"/funnels?project=b\""), "the navigation keeps the project: {html}");
    let r = h.send(get("/?project=nope", &session)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // project a: 3 customers, 6 events, 1 of 3 bought; charts inline
    let html = h.send(get("/", &session)).await.body.as_str().unwrap().to_string();
    for must in ["<svg", "33.3%", "1,500", "Customers by first channel", "Where customers are now", "Revenue per day"] {
        assert!(html.contains(must), "{must} missing");
    }
    let token = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = h.send(post("/settings/lang", &session, "csrf=bad&lang=ru".into())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = h.send(post("/settings/lang", &session, format!("csrf={token}&lang=ru"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = h.send(get("/?project=a", &session)).await.body.as_str().unwrap().to_string();
    assert!(html.contains("Где клиенты сейчас") && html.contains("33,3\u{a0}%") && html.contains("lang=\"ru\""));
    // the funnel builder: the report for the steps given, problems next to their fields
    let html =
        h.send(get("/funnels?project=a&steps=view_item%0Aadd_to_cart%0Apurchase&breakdown=channel", &session)).await;
    let page = html.body.as_str().unwrap().to_string();
    assert_eq!(html.status, StatusCode::OK);
    assert!(page.contains("<svg") && page.contains("Клиенты на каждом шаге") && page.contains("33,3\u{a0}%"), "{page}");
    let bad = h.send(get("/funnels?project=a&steps=view_item+where+price+%3E%0Abuy&window=soon", &session)).await;
    let page = bad.body.as_str().unwrap().to_string();
    // each problem beside its own field, the reason alone (no field path before it), in the session's language
    // (regression: what the user typed was read back in English)
    let window = "placeholder=\"7d\" aria-invalid=\"true\"><p class=\"err\" role=\"alert\">'soon': перед 's' должно";
    assert!(page.contains("строка 1: после '&gt;' нет значения"), "{page}");
    assert!(page.contains(window) && !page.contains("window: "), "{page}");
    assert!(!page.contains("<svg"), "no report for an invalid funnel");
    // the paths page: the Sankey and the top paths; a start that does not parse is shown at its field
    let html = h.send(get("/paths?project=a&from=view_item&depth=3", &session)).await;
    let page = html.body.as_str().unwrap().to_string();
    assert_eq!(html.status, StatusCode::OK);
    assert!(page.contains("<svg") && page.contains("view_item → add_to_cart → purchase"), "{page}");
    let page =
        h.send(get("/paths?project=a&from=view_item+where&depth=3", &session)).await.body.as_str().unwrap().to_string();
    assert!(page.contains("aria-invalid=\"true\"") && !page.contains("<svg"), "{page}");
    // the retention page: curve and cohort heatmap; a bad period is shown at its field
    let html = h.send(get("/retention?project=a&period=day&periods=3", &session)).await;
    let page = html.body.as_str().unwrap().to_string();
    assert_eq!(html.status, StatusCode::OK);
    assert!(page.contains("Когорты: доля вернувшихся") && page.contains("01.05.2026 (3)"), "{page}");
    let page = h.send(get("/retention?project=a&period=fortnight", &session)).await.body.as_str().unwrap().to_string();
    let period = page.split("id=\"period\" name=\"period\" aria-invalid=\"true\"").nth(1).unwrap_or_default();
    assert!(
        period
            .split("</select>")
            .nth(1)
            .unwrap_or_default()
            .starts_with("<p class=\"err\" role=\"alert\">неизвестное значение 'fortnight'")
            && !page.contains("<svg"),
        "{page}"
    );
    // the customer page: a timeline by any id; an unknown id is said so
    let page = h.send(get("/customers?project=a&id=u1", &session)).await.body.as_str().unwrap().to_string();
    assert!(page.contains("Хронология") && page.contains("purchase") && page.contains("Платный поиск"), "{page}");
    let page = h.send(get("/customers?project=a&id=nobody", &session)).await.body.as_str().unwrap().to_string();
    assert!(page.contains("Нет клиента с таким id, e-mail, телефоном или номером заказа"), "{page}");
    // the query API answers a signed-in user too, for the project named in the query
    let r = h.send(get("/api/v1/stats?project=a", &session)).await;
    assert_eq!((r.status, r.body["events"].as_u64()), (StatusCode::OK, Some(6)), "{}", r.body);
    let r = h.send(get("/api/v1/stats?project=nope", &session)).await;
    assert_eq!((r.status, r.body["error"]["field"].clone()), (StatusCode::NOT_FOUND, json!("project")));
    let r = h.send(post("/logout", &session, format!("csrf={token}"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = h.send(get("/", &session)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the session is gone after sign-out");
    assert_eq!(h.send(get("/api/v1/stats?project=a", &session)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn admins_manage_projects_keys_and_users_and_everyone_their_password() {
    let h = harness();
    h.user("boss@x.ru", tropa_meta::Role::Admin);
    let (admin, csrf) = h.sign_in("boss@x.ru", "correct horse battery").await;
    // a project: a bad id is shown at its field, a good one leads to its keys
    let r = h.send(page_post("/settings/projects", &admin, &format!("csrf={csrf}&project=Bad+Id&name=x"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(html(&r).contains("is not a project id") && html(&r).contains("aria-invalid=\"true\""), "{}", html(&r));
    let r = h.send(page_post("/settings/projects", &admin, &format!("csrf={csrf}&project=shop&name=My+shop"))).await;
    assert_eq!(
        (r.status, r.headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/settings/keys?project=shop")
    );
    let r = h.send(page_post("/settings/projects", &admin, &format!("csrf={csrf}&project=shop&name=again"))).await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("already exists"));
    assert!(html(&h.send(page_get("/settings/projects", &admin)).await).contains("My shop"));
    // a write key: shown once, works at once, not stored, revoked at once
    let r =
        h.send(page_post("/settings/keys", &admin, &format!("csrf={csrf}&project=shop&kind=write&label=site"))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.headers["cache-control"], "no-store");
    let page = html(&r);
    let secret = page.split("<pre id=\"new-key\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert!(secret.starts_with("tw_") && page.contains(&format!("data-key=&quot;{secret}&quot;")), "{page}");
    let event = json!({"event":"signup","userId":"u9","timestamp":"2026-05-01T10:00:00Z"}).to_string();
    assert_eq!(h.post("/v1/track", Some(&secret), event.clone()).await.status, StatusCode::OK);
    let list = html(&h.send(page_get("/settings/keys?project=shop", &admin)).await);
    assert!(!list.contains(&secret) && list.contains(&secret[..7]), "the list shows only the hint");
    let id = h.state.meta.keys(Some("shop")).unwrap()[0].id;
    let r = h.send(page_post("/settings/keys/revoke", &admin, &format!("csrf={csrf}&project=a&id={id}"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a key is revoked only through its own project");
    let r = h.send(page_post("/settings/keys/revoke", &admin, &format!("csrf={csrf}&project=shop&id={id}"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(h.post("/v1/track", Some(&secret), event).await.status, StatusCode::UNAUTHORIZED);
    let r = h.send(page_post("/settings/keys", &admin, &format!("csrf={csrf}&project=shop&kind=admin"))).await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("not a key kind"));
    // a user: the generated password is shown once and signs in; role changes; the last admin stays
    let r = h.send(page_post("/settings/users", &admin, &format!("csrf={csrf}&email=new%40x.ru&role=analyst"))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let password = html(&r).split("<pre id=\"new-password\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    let (analyst, _) = h.sign_in("new@x.ru", &password).await;
    assert!(html(&h.send(page_get("/settings", &analyst)).await).contains("analyst"));
    let r = h.send(page_post("/settings/users", &admin, &format!("csrf={csrf}&email=not-an-email&role=viewer"))).await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("is not an e-mail address"));
    let new_id = h.state.meta.user("new@x.ru").unwrap().unwrap().id;
    let boss_id = h.state.meta.user("boss@x.ru").unwrap().unwrap().id;
    let r = h.send(page_post("/settings/users/role", &admin, &format!("csrf={csrf}&user={new_id}&role=viewer"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(h.state.meta.user("new@x.ru").unwrap().unwrap().role, tropa_meta::Role::Viewer);
    let r = h.send(page_post("/settings/users/role", &admin, &format!("csrf={csrf}&user={boss_id}&role=viewer"))).await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("the last admin"), "{}", html(&r));
    let r = h.send(page_post("/settings/users/password", &admin, &format!("csrf={csrf}&user={new_id}"))).await;
    let reset = html(&r).split("<pre id=\"new-password\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(h.send(page_get("/", &analyst)).await.status, StatusCode::SEE_OTHER, "a reset ends the user's sessions");
    let (viewer, vcsrf) = h.sign_in("new@x.ru", &reset).await;
    // the own password: the current one is checked, the two new ones must agree, then every session ends
    let change = |cur: &str, new: &str, rep: &str| {
        format!("csrf={vcsrf}&current={}&password={}&repeat={}", enc(cur), enc(new), enc(rep))
    };
    let r = h
        .send(page_post("/settings/password", &viewer, &change("wrong one!!", "brand new pass", "brand new pass")))
        .await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("not your current password"));
    let r = h.send(page_post("/settings/password", &viewer, &change(&reset, "brand new pass", "other new pass"))).await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("differ"));
    let r = h.send(page_post("/settings/password", &viewer, &change(&reset, "short", "short"))).await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("shorter than 10"), "{}", html(&r));
    let r = h.send(page_post("/settings/password", &viewer, &change(&reset, "brand new pass", "brand new pass"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(h.send(page_get("/", &viewer)).await.status, StatusCode::SEE_OTHER);
    h.sign_in("new@x.ru", "brand new pass").await;
    // delete the user
    let r = h.send(page_post("/settings/users/delete", &admin, &format!("csrf={csrf}&user={new_id}"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(h.state.meta.user("new@x.ru").unwrap().is_none());
    // language: back to the page it was switched on, never to another site
    let r = h.send(page_post("/settings/lang", &admin, &format!("csrf={csrf}&lang=ru&back=%2F%2Fevil.example"))).await;
    assert_eq!(r.headers["location"], "/");
    let r = h.send(page_post("/settings/lang", &admin, &format!("csrf={csrf}&lang=xx"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn stages_page_edits_validates_and_saves_the_definition() {
    let h = harness();
    h.shop().await;
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (viewer, vcsrf) = h.sign_in("v@x.ru", "correct horse battery").await;
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    // the default definition: 3 customers reached awareness and interest, 2 consideration, 1 purchase
    let r = h.send(page_get("/stages?project=a", &viewer)).await;
    let page = html(&r);
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        page.contains("the five stages from awareness to repeat purchase")
            && page.contains("Customers who reached each stage")
    );
    assert!(page.contains("Lifecycle transitions") && page.contains("66.7%"), "{page}");
    assert!(page.contains("met a problem there") && page.contains("download=problems"), "the seed's problem chart");
    let r = h.send(page_get("/stages?project=a&problems=purchase&download=problems&format=csv", &viewer)).await;
    assert!(html(&r).contains("Purchase,1\r\n"), "every buyer met the 'problem' in Purchase: {}", html(&r));
    let r = h.send(page_get("/stages?project=a&problems=buy+where", &viewer)).await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("id=\"problems\""), "{}", html(&r));
    // the stage editor's fields: (key, names, event, nth) per stage
    let form = |csrf: &str, action: &str, stages: &[(&str, &str, &str, &str, &str)]| {
        let mut f = format!("csrf={csrf}&project=a&action={action}&name=two&order=sequential");
        for (i, (key, en, ru, event, nth)) in stages.iter().enumerate() {
            f.push_str(&format!(
                "&s{i}.key={key}&s{i}.name_en={}&s{i}.name_ru={}&s{i}.e0.event={}&s{i}.e0.field=&s{i}.e0.op=%3D&s{i}.e0.value=&s{i}.nth={nth}&s{i}.within=",
                enc(en),
                enc(ru),
                enc(event)
            ));
        }
        f
    };
    // a broken definition: every problem at its field, no report
    let bad = [("a", "A", "А", "view_item where", "0")];
    let r = h.send(page_post("/stages", &viewer, &form(&vcsrf, "show", &bad))).await;
    let page = html(&r);
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for field in ["s0.e0.event", "s0.nth"] {
        let at = page.split(&format!("name=\"{field}\"")).nth(1).unwrap().split('>').next().unwrap();
        assert!(at.contains("aria-invalid=\"true\""), "{field}: {page}");
    }
    assert!(!page.contains("<svg"), "{page}");
    // a viewer may try a definition but not save it
    let two = [("seen", "Seen", "Видел", "view_item", ""), ("carted", "Carted", "В корзине", "add_to_cart", "")];
    let r = h.send(page_post("/stages", &viewer, &form(&vcsrf, "show", &two))).await;
    assert!(r.status == StatusCode::OK && html(&r).contains("Carted"));
    assert_eq!(h.send(page_post("/stages", &viewer, &form(&vcsrf, "save", &two))).await.status, StatusCode::FORBIDDEN);
    let r = h.send(page_post("/stages", &analyst, &form(&csrf, "save", &bad))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(h.state.meta.definition("a").unwrap(), None, "a broken definition is not saved");
    let r = h.send(page_post("/stages", &analyst, &form(&csrf, "save", &two))).await;
    assert_eq!(
        (r.status, r.headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/stages?project=a&done=saved")
    );
    // the saved definition is the project's: the stages page, the overview and stage filters use it
    let page = html(&h.send(page_get("/stages?project=a&done=saved", &viewer)).await);
    assert!(page.contains("Saved: the overview") && page.contains("Carted") && !page.contains("Repeat purchase"));
    let page = html(&h.send(page_get("/?project=a", &viewer)).await);
    assert!(page.contains("Carted"), "the overview's stage chart uses the saved definition");
    let stuck = json!({"filters": {"stage": ["carted"]}});
    let r = h
        .send(
            Request::post("/api/v1/stats?project=a")
                .header("cookie", &viewer)
                .header("content-type", "application/json")
                .body(Body::from(stuck.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!((r.status, r.body["customers"].as_u64()), (StatusCode::OK, Some(2)), "stage filters use it: {}", r.body);
    let r =
        h.send(Request::post("/api/v1/stages?project=a").header("cookie", &viewer).body(Body::empty()).unwrap()).await;
    assert_eq!(r.body["definition"], "two", "the stages API uses it: {}", r.body);
    let r = h.send(page_post("/stages", &analyst, &form(&csrf, "reset", &[]))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(h.state.meta.definition("a").unwrap(), None);
    // the report's dates are checked at their fields
    let r = h.send(page_get("/stages?project=a&now=yesterday", &viewer)).await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("aria-invalid=\"true\""));
}

#[tokio::test]
async fn funnels_are_saved_reopened_and_charts_downloaded() {
    let h = harness();
    h.shop().await;
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (viewer, vcsrf) = h.sign_in("v@x.ru", "correct horse battery").await;
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let query = "steps=view_item%0Apurchase&window=7d";
    let page = html(&h.send(page_get(&format!("/funnels?project=a&{query}"), &analyst)).await);
    let kept = input_value(&page, "query");
    let save = format!("csrf={csrf}&project=a&kind=funnels&name=Buy+now&query={}", enc(&kept));
    let r = h.send(page_post("/reports/save", &analyst, &save)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let back = r.headers["location"].to_str().unwrap().to_string();
    assert!(back.starts_with("/funnels?project=a&") && back.ends_with("saved=Buy%20now"), "{back}");
    let page = html(&h.send(page_get(&back, &viewer)).await);
    assert!(page.contains(">Buy now</a>") && page.contains("Saved: «Buy now»") && page.contains("33.3%"), "{page}");
    assert!(!page.contains("action=\"/reports/save\""), "viewers see saved funnels but no save form");
    let bad = format!("csrf={vcsrf}&project=a&kind=funnels&name=x&query=");
    assert_eq!(h.send(page_post("/reports/save", &viewer, &bad)).await.status, StatusCode::FORBIDDEN);
    let r = h
        .send(page_post("/reports/save", &analyst, &format!("csrf={csrf}&project=a&kind=funnels&name=+&query=")))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = h.send(page_post("/reports/save", &analyst, &format!("csrf={csrf}&project=a&kind=nope&name=x"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // exclusions and customer filters, hand-counted: u1 (paid search) buys, u2 and u3 (VK ads) do not
    let csv = |q: &str| format!("/funnels?project=a&steps=view_item%0Apurchase&download=funnel&format=csv&{q}");
    let counts = |body: String| {
        body.lines().skip(1).map(|l| l.split(',').nth(2).unwrap().to_string()).collect::<Vec<_>>().join("/")
    };
    assert_eq!(counts(html(&h.send(page_get(&csv("exclude=1%3A+add_to_cart"), &viewer)).await)), "3/0");
    assert_eq!(counts(html(&h.send(page_get(&csv("first_channel=paid_search"), &viewer)).await)), "1/1");
    assert_eq!(counts(html(&h.send(page_get(&csv("did_not=add_to_cart"), &viewer)).await)), "1/0");
    assert_eq!(counts(html(&h.send(page_get(&csv("stage=purchase"), &viewer)).await)), "1/1");
    let page = html(&h.send(page_get("/funnels?project=a&steps=view_item%0Apurchase&exclude=soon", &viewer)).await);
    assert!(page.contains("line 1: 'soon': write N: EVENT") && !page.contains("<svg"), "{page}");
    let page = html(&h.send(page_get("/funnels?project=a&steps=view_item%0Apurchase&exclude=5%3Ax", &viewer)).await);
    assert!(
        page.contains("step 5 has no next step")
            && page
                .contains("id=\"exclude\" name=\"exclude\" rows=\"2\" placeholder=\"2: support_ticket\" aria-invalid"),
        "{page}"
    );
    let page = html(&h.send(page_get("/paths?project=a&from=view_item&did=purchase+where", &viewer)).await);
    let did = "placeholder=\"email_open\" aria-invalid=\"true\"><p class=\"err\" role=\"alert\">a condition is missing";
    assert!(page.contains("<details class=\"filters\" open>") && page.contains(did), "{page}");
    assert!(!page.contains("filters.did[0]"), "the message is in the user's words, without the field's path");
    // downloads: the chart as SVG and PNG, its data as CSV
    let r = h.send(page_get(&format!("/funnels?project=a&{query}&download=funnel&format=svg"), &viewer)).await;
    assert_eq!(r.headers["content-type"], "image/svg+xml");
    assert!(r.headers["content-disposition"].to_str().unwrap().contains("tropa-funnels-funnel.svg"));
    assert!(html(&r).starts_with("<svg"));
    let res = router_with(h.state.clone(), h.pages.clone().unwrap())
        .oneshot(page_get(&format!("/funnels?project=a&{query}&download=funnel&format=png"), &viewer))
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/png");
    let png = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert!(width > 800, "rendered at twice the SVG's size: {width}");
    let r = h.send(page_get(&format!("/funnels?project=a&{query}&download=funnel&format=csv"), &viewer)).await;
    assert_eq!(html(&r), "\u{feff}step,label,customers,of_first\r\n1,view_item,3,1\r\n2,purchase,1,0.333333\r\n");
    let r = h.send(page_get(&format!("/funnels?project=a&{query}&download=nope&format=csv"), &viewer)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = h.send(page_get(&format!("/funnels?project=a&{query}&download=funnel&format=gif"), &viewer)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let page = html(&h.send(page_get("/?project=a", &viewer)).await);
    assert!(page.contains("download=revenue&amp;format=png"), "every chart has its download links");
    let r = h.send(page_get("/?project=a&download=channels&format=csv", &viewer)).await;
    assert!(
        html(&r).contains("Paid social,2") && html(&r).contains("Paid search,1"),
        "customers by first channel: {}",
        html(&r)
    );
    // delete the saved funnel
    let id = h.state.meta.saved_reports("a", "funnels").unwrap()[0].id;
    let r =
        h.send(page_post("/reports/delete", &analyst, &format!("csrf={csrf}&project=b&kind=funnels&id={id}"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not through another project");
    let r =
        h.send(page_post("/reports/delete", &analyst, &format!("csrf={csrf}&project=a&kind=funnels&id={id}"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(h.state.meta.saved_reports("a", "funnels").unwrap().is_empty());
}

#[tokio::test]
async fn customers_are_found_by_trait_event_and_channel() {
    let h = harness();
    h.shop().await;
    let identify = json!({"batch":[
        {"type":"identify","userId":"u1","traits":{"city":"Казань"},"timestamp":"2026-05-01T09:00:00Z"},
        {"type":"identify","userId":"u2","traits":{"city":"Москва"},"timestamp":"2026-05-01T09:00:00Z"}]});
    assert_eq!(h.post("/v1/batch", Some(&h.write_a), identify.to_string()).await.status, StatusCode::OK);
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (viewer, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    let find = |q: &str| page_get(&format!("/customers?project=a&{q}"), &viewer);
    let page = html(&h.send(find(&format!("trait={}", enc("city = Казань")))).await);
    assert!(page.contains("Customers found: 1") && page.contains("id=u1\">u1</a>") && page.contains("1,500"), "{page}");
    let page = html(&h.send(find("did=add_to_cart")).await);
    assert!(page.contains("Customers found: 2") && page.contains(">u2</a>") && !page.contains(">u3</a>"), "{page}");
    // u2's first touch is now the identify without a campaign (direct); u3 came from VK ads
    let page = html(&h.send(find("did=view_item&channel=paid_social")).await);
    assert!(page.contains("Customers found: 1") && page.contains(">u3</a>"), "{page}");
    let page = html(&h.send(find(&format!("trait={}", enc("city >")))).await);
    assert!(page.contains("aria-invalid=\"true\"") && !page.contains("Customers found"), "{page}");
    let page = html(&h.send(find("did=view_item+where")).await);
    assert!(page.contains("aria-invalid=\"true\"") && !page.contains("Customers found"), "{page}");
}

#[tokio::test]
async fn journey_maps_are_edited_versioned_compared_exported_and_shared() {
    let h = harness();
    h.shop().await;
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (viewer, vcsrf) = h.sign_in("v@x.ru", "correct horse battery").await;
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    // a map from the online-store template, in English, with the template's personas
    let r = h.send(page_post("/maps", &analyst, &format!("csrf={csrf}&project=a&template=online_store&lang=en"))).await;
    assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/maps/1?project=a"));
    assert_eq!(h.state.meta.personas("a").unwrap().len(), 2, "Maria and Alexey came with the template");
    let page = html(&h.send(page_get("/maps/1?project=a", &analyst)).await);
    for must in [
        "Outdoor gear online store",
        "First contact",
        "After-sale service",
        "data-edit=",
        "Customers who reached the stage",
        "/map.js",
    ] {
        assert!(page.contains(must), "{must} missing");
    }
    // the data lanes, hand-counted on the shop: 3 customers, 2 add to the cart, 1 buys
    let reached: Vec<&str> = page
        .split("data-lane=\"reached\"")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap()
        .split("<span class=\"value\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    assert_eq!(reached, ["3", "3", "2", "1", "0"]);
    // one edit as JSON: a new version; a stale or invalid one is refused with its field
    let json_edit = |cookie: &str, token: &str, body: Value| {
        Request::post("/maps/1/edit?project=a")
            .header("cookie", cookie)
            .header("content-type", "application/json")
            .header("x-csrf-token", token)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let cell = json!({"version": 1, "edit": {"op": "set_cell", "lane": "pains", "stage": "research", "text": "No photos of the tent inside"}});
    let r = h.send(json_edit(&analyst, &csrf, cell.clone())).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(2)), "{}", r.body);
    let r = h.send(json_edit(&analyst, &csrf, cell)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "an edit on version 1 when the map is at 2");
    let same = json!({"version": 2, "edit": {"op": "set_cell", "lane": "pains", "stage": "research", "text": "No photos of the tent inside"}});
    let r = h.send(json_edit(&analyst, &csrf, same)).await;
    assert_eq!(
        (r.status, r.body["version"].as_i64()),
        (StatusCode::OK, Some(2)),
        "saving the same text makes no version"
    );
    let bad = json!({"version": 2, "edit": {"op": "set_score", "lane": "emotions", "stage": "research", "score": 5}});
    let r = h.send(json_edit(&analyst, &csrf, bad)).await;
    assert_eq!(
        (r.status, r.body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("lanes[4].scores.research")),
        "{}",
        r.body
    );
    let unknown = json!({"version": 2, "edit": {"op": "set_cell", "lane": "pains"}});
    assert_eq!(h.send(json_edit(&analyst, &csrf, unknown)).await.status, StatusCode::BAD_REQUEST);
    let r =
        h.send(json_edit(&analyst, "forged", json!({"version": 2, "edit": {"op": "set_title", "title": "x"}}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no CSRF token, no edit");
    let r = h.send(json_edit(&viewer, &vcsrf, json!({"version": 2, "edit": {"op": "set_title", "title": "x"}}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "viewers do not edit");
    // a form edit: move a stage (works without JavaScript)
    let r = h
        .send(page_post(
            "/maps/1/edit",
            &analyst,
            &format!("csrf={csrf}&project=a&version=2&op=move_stage&stage=research&to=0"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = h
        .send(page_post(
            "/maps/1/edit",
            &analyst,
            &format!("csrf={csrf}&project=a&version=3&op=add_stage&name=Review&event=purchase&after=after_sale"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let info = h.state.meta.map("a", 1).unwrap().unwrap();
    assert_eq!(info.version, 4);
    // the map's segment: only customers who added to the cart (2 of 3)
    let r = h
        .send(page_post(
            "/maps/1/edit",
            &analyst,
            &format!("csrf={csrf}&project=a&op=set_segment&traits=&did=add_to_cart&first_channel="),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(html(&h.send(page_get("/maps/1?project=a", &analyst)).await).contains("· customers: 2"));
    let r = h
        .send(page_post(
            "/maps/1/edit",
            &analyst,
            &format!("csrf={csrf}&project=a&op=set_segment&did=add_to_cart+where"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a broken segment rule is refused");
    let r = h.send(page_post("/maps/1/edit", &analyst, &format!("csrf={csrf}&project=a&op=set_segment&did="))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(h.state.meta.map("a", 1).unwrap().unwrap().version, 6);
    let doc =
        tropa_core::cjm::JourneyMap::from_json(&h.state.meta.map_version("a", 1, None).unwrap().unwrap().document)
            .unwrap();
    assert_eq!(
        doc.stages.iter().map(|s| s.key.as_str()).collect::<Vec<_>>(),
        ["research", "first_contact", "decision", "purchase", "after_sale", "review"]
    );
    // viewers read the map without editors
    let page = html(&h.send(page_get("/maps/1?project=a", &viewer)).await);
    assert!(page.contains("No photos of the tent inside") && !page.contains("data-edit=") && !page.contains("/map.js"));
    // history and the comparison of two versions
    let page = html(&h.send(page_get("/maps/1/history?project=a", &viewer)).await);
    assert!(
        page.contains("from the template online_store")
            && page.contains("an@x.ru")
            && page.contains("+ Stage «Review»"),
        "{page}"
    );
    let ru = Request::get("/maps/1/history?project=a")
        .header("cookie", &viewer)
        .header("accept-language", "ru")
        .body(Body::empty())
        .unwrap();
    let page = html(&h.send(ru).await);
    assert!(
        page.contains("Порядок этапов: research → first_contact") && page.contains("+ Этап «Review»"),
        "the history reads in Russian: {page}"
    );
    let page = html(&h.send(page_get("/maps/1/compare?project=a&a=1&b=6", &viewer)).await);
    assert!(
        page.contains("class=\"changed\"")
            && page.contains("«No photos of the tent inside»")
            && page.contains("+ Stage «Review»"),
        "{page}"
    );
    let page = html(
        &h.send(page_get("/maps/1/compare?project=a&pa=2026-04-01..2026-05-01&pb=2026-05-01..2026-06-01", &viewer))
            .await,
    );
    assert!(page.contains("2026-04-01..2026-05-01") && page.contains("data-lane=\"reached\""), "{page}");
    assert_eq!(
        h.send(page_get("/maps/1/compare?project=a&pa=april&pb=may", &viewer)).await.status,
        StatusCode::BAD_REQUEST
    );
    // exports
    let file = |format: &str| page_get(&format!("/maps/1/export?project=a&format={format}"), &viewer);
    let res = router_with(h.state.clone(), h.pages.clone().unwrap()).oneshot(file("pdf")).await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.into_body().collect().await.unwrap().to_bytes().starts_with(b"%PDF-"));
    let res = router_with(h.state.clone(), h.pages.clone().unwrap()).oneshot(file("png")).await.unwrap();
    assert!(res.into_body().collect().await.unwrap().to_bytes().starts_with(b"\x89PNG"));
    assert!(html(&h.send(file("svg")).await).starts_with("<svg"));
    let md = html(&h.send(file("md")).await);
    assert!(
        md.starts_with("# Outdoor gear online store")
            && md.contains("No photos of the tent inside")
            && md.contains("| **Customers who reached the stage** | 3 |"),
        "{md}"
    );
    let json_doc = h.send(file("json")).await;
    let back = tropa_core::cjm::JourneyMap::from_json(&json_doc.body.to_string()).unwrap();
    assert_eq!(back, doc);
    let yaml = html(&h.send(file("yaml")).await);
    assert_eq!(tropa_core::cjm::JourneyMap::from_yaml(&yaml).unwrap(), doc);
    assert_eq!(h.send(file("gif")).await.status, StatusCode::BAD_REQUEST);
    // import the YAML as a new map; a broken document names its field
    let r =
        h.send(page_post("/maps/import", &analyst, &format!("csrf={csrf}&project=a&document={}", enc(&yaml)))).await;
    assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/maps/2?project=a"));
    let broken = yaml.replacen("lang: en", "lang: de", 1);
    let r =
        h.send(page_post("/maps/import", &analyst, &format!("csrf={csrf}&project=a&document={}", enc(&broken)))).await;
    assert!(r.status == StatusCode::BAD_REQUEST && html(&r).contains("lang: 'de': use ru or en"), "{}", html(&r));
    // a read-only share link: no sign-in needed, revocable
    let r = h.send(page_post("/maps/1/share", &analyst, &format!("csrf={csrf}&project=a"))).await;
    let token = r.headers["location"].to_str().unwrap().split("share=").nth(1).unwrap().to_string();
    let page = html(&h.send(page_get(&format!("/maps/1?project=a&share={token}"), &analyst)).await);
    assert!(page.contains(&format!("/share/{token}</pre>")));
    let public = h.send(page_get(&format!("/share/{token}"), "")).await;
    assert!(
        public.status == StatusCode::OK
            && html(&public).contains("Outdoor gear online store")
            && !html(&public).contains("data-edit=")
    );
    let res = router_with(h.state.clone(), h.pages.clone().unwrap())
        .oneshot(page_get(&format!("/share/{token}/export?format=pdf"), ""))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        h.send(page_get(&format!("/share/{token}/export?format=json"), "")).await.status,
        StatusCode::BAD_REQUEST
    );
    h.send(page_post("/maps/1/unshare", &analyst, &format!("csrf={csrf}&project=a"))).await;
    assert_eq!(h.send(page_get(&format!("/share/{token}"), "")).await.status, StatusCode::NOT_FOUND);
    // other projects do not see the map; delete
    assert_eq!(h.send(page_get("/maps/1?project=b", &viewer)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        h.send(page_post("/maps/2/delete", &analyst, &format!("csrf={csrf}&project=a"))).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(h.send(page_get("/maps/2?project=a", &viewer)).await.status, StatusCode::NOT_FOUND);
    let list = html(&h.send(page_get("/maps?project=a", &viewer)).await);
    assert!(list.contains("/maps/1?project=a") && !list.contains("/maps/2?project=a"));
}

#[tokio::test]
async fn personas_have_sizes_and_switch_the_data_lanes() {
    let h = harness();
    h.shop().await;
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    h.send(page_post("/maps", &analyst, &format!("csrf={csrf}&project=a&template=sales_funnel&lang=ru"))).await;
    let form = format!(
        "csrf={csrf}&project=a&key=buyers&name={}&age=35&occupation={}&quote=&goals={}&did=purchase&traits=",
        enc("Покупатели"),
        enc("мама двоих детей"),
        enc("Быстрая доставка\nЧестные отзывы")
    );
    assert_eq!(h.send(page_post("/personas", &analyst, &form)).await.status, StatusCode::SEE_OTHER);
    let page = html(&h.send(page_get("/personas?project=a", &analyst)).await);
    assert!(
        page.contains("Покупатели, 35")
            && page.contains("<li>Честные отзывы</li>")
            && page.contains("Customers: <b>1</b>"),
        "{page}"
    );
    // regression: an update that sends one field kept none of the others (the persona then matched everyone);
    // now it changes what it sends and keeps the rest, and the edit form comes filled in
    let quote = format!("csrf={csrf}&project=a&key=buyers&quote={}", enc("Хочу, чтобы привезли завтра"));
    assert_eq!(h.send(page_post("/personas", &analyst, &quote)).await.status, StatusCode::SEE_OTHER);
    let page = html(&h.send(page_get("/personas?project=a&edit=buyers", &analyst)).await);
    assert!(
        page.contains("Покупатели, 35")
            && page.contains("<blockquote>Хочу, чтобы привезли завтра</blockquote>")
            && page.contains("<li>Честные отзывы</li>")
            && page.contains("Customers: <b>1</b>"),
        "{page}"
    );
    let form = page.split("id=\"persona-form\"").nth(1).unwrap();
    assert!(
        form.contains("name=\"key\" value=\"buyers\"")
            && form.contains("value=\"Покупатели\"")
            && form.contains("Быстрая доставка\nЧестные отзывы</textarea>")
            && form.contains(">purchase</textarea>"),
        "{form}"
    );
    let bad = format!("csrf={csrf}&project=a&key=Bad+Key&name=&traits=city");
    let r = h.send(page_post("/personas", &analyst, &bad)).await;
    assert!(
        r.status == StatusCode::BAD_REQUEST && html(&r).contains("key: ") && html(&r).contains("segment.traits[0]"),
        "{}",
        html(&r)
    );
    // the map for everyone: 3 customers at the first stage; for the persona: 1
    let all = html(&h.send(page_get("/maps/1?project=a", &analyst)).await);
    let mine = html(&h.send(page_get("/maps/1?project=a&persona=buyers", &analyst)).await);
    assert!(
        all.contains("клиентов: 3") && mine.contains("Персона: Покупатели, 35") && mine.contains("клиентов: 1"),
        "{mine}"
    );
    // the persona's card is on the map it is shown for (who they are, what they want), not on the map for all
    let card = mine.split("id=\"persona-card\"").nth(1).unwrap_or_default();
    assert!(card.contains("Покупатели, 35") && card.contains("<li>Честные отзывы</li>"), "{mine}");
    assert!(!all.contains("id=\"persona-card\""));
    let r = h.send(page_post("/personas/delete", &analyst, &format!("csrf={csrf}&project=a&key=buyers"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        h.send(page_post("/personas/delete", &analyst, &format!("csrf={csrf}&project=a&key=buyers"))).await.status,
        StatusCode::NOT_FOUND
    );
}

/// No silent wrong answers: an event the data never had is refused at its field with the name it most likely
/// meant — a typo or the Russian keyboard layout left on — instead of an empty report (regression: the step
/// `view_itme` showed "no data yet").
#[tokio::test]
async fn unknown_events_are_refused_with_a_suggestion() {
    let h = harness();
    h.shop().await;
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (cookie, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    let page = |q: &str| page_get(&format!("/funnels?project=a&{q}"), &cookie);
    let r = h.send(page("steps=view_itme%0Apurchase")).await;
    let text = html(&r);
    assert!(text.contains("line 1: no event 'view_itme' in the data: did you mean 'view_item'?"), "{text}");
    assert!(!text.contains("<svg"), "no report for a step the data never had");
    let r = h.send(page("steps=%D0%BC%D1%88%D1%83%D1%86_%D1%88%D0%B5%D1%83%D1%8C%0Apurchase")).await;
    assert!(html(&r).contains("did you mean 'view_item'?"), "the Russian layout: {}", html(&r));
    let r = h.send(page("steps=view_item%0Apurchase&did=add_to_card")).await;
    let text = html(&r);
    assert!(text.contains("no event 'add_to_card' in the data: did you mean 'add_to_cart'?"), "{text}");
    // the same names spelled right give the report
    let r = h.send(page("steps=view_item%0Apurchase&did=add_to_cart")).await;
    assert!(html(&r).contains("<svg"));
}

/// Regression (map versions): the comparison computed the older version's data lanes with the newer version's
/// stages, so its numbers differed from opening that version. Each side is now computed with its own rules: the
/// compare view's numbers for version N are those of version N opened directly.
#[tokio::test]
async fn comparing_versions_shows_each_versions_own_numbers() {
    let h = harness();
    h.shop().await;
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let r = h.send(page_post("/maps", &analyst, &format!("csrf={csrf}&project=a&template=online_store&lang=en"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // version 2: "Decision" is entered by a purchase instead of adding to the cart (fewer customers reach it)
    let edit = json!({"version": 1, "edit": {"op": "set_stage_rule", "stage": "decision", "event": ["purchase"]}});
    let req = Request::post("/maps/1/edit?project=a")
        .header("cookie", &analyst)
        .header("content-type", "application/json")
        .header("x-csrf-token", &csrf)
        .body(Body::from(edit.to_string()))
        .unwrap();
    let r = h.send(req).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(2)), "{}", r.body);
    // the "reached" lane of each grid on a page, in order
    let reached = |page: &str| -> Vec<Vec<String>> {
        page.split("data-lane=\"reached\"")
            .skip(1)
            .map(|row| {
                let row = row.split("</tr>").next().unwrap();
                row.split("<span class=\"value\">").skip(1).map(|c| c.split('<').next().unwrap().to_string()).collect()
            })
            .collect()
    };
    let v1 = reached(&html(&h.send(page_get("/maps/1?project=a&version=1", &analyst)).await));
    let v2 = reached(&html(&h.send(page_get("/maps/1?project=a&version=2", &analyst)).await));
    assert_ne!(v1, v2, "the rule changed the numbers");
    // the comparison is one grid of version 2 whose changed cells say what version 1 showed
    let page = html(&h.send(page_get("/maps/1/compare?project=a&a=1&b=2", &analyst)).await);
    assert_eq!(reached(&page), [v2[0].clone()]);
    let row = page.split("data-lane=\"reached\"").nth(1).unwrap().split("</tr>").next().unwrap();
    let earlier: Vec<String> = row
        .split("<td")
        .skip(1)
        .map(|td| match td.split_once("data-was=\"") {
            Some((_, rest)) if !td.starts_with('>') => rest.split('"').next().unwrap().to_string(),
            _ => td.split("<span class=\"value\">").nth(1).unwrap().split('<').next().unwrap().to_string(),
        })
        .collect();
    assert_eq!(earlier, v1[0], "version 1's numbers, as opening version 1 shows them");
    assert!(row.contains("class=\"changed\""), "{row}");
}

/// A customer is found by what a person knows about them — an id, their e-mail or phone, an order number
/// (regression: only internal ids found anyone).
#[tokio::test]
async fn a_customer_is_found_by_email_phone_or_order_id() {
    let h = harness();
    let batch = json!({"batch": [
        {"type":"identify","userId":"u9","traits":{"email":"olga@shop.ru","phone":"+7 912 345-67-89"},
         "timestamp":"2026-05-01T10:00:00Z","messageId":"i1"},
        {"type":"track","userId":"u9","event":"purchase","properties":{"order_id":"A-1042","revenue":900},
         "timestamp":"2026-05-01T10:05:00Z","messageId":"t1"},
        {"type":"track","userId":"u10","event":"view_item","timestamp":"2026-05-01T11:00:00Z","messageId":"t2"}
    ]});
    let r = h.post("/v1/batch", Some(&h.write_a), batch.to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (cookie, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    for asked in ["u9", "olga@shop.ru", "+7 912 345-67-89", "A-1042"] {
        let page = html(&h.send(page_get(&format!("/customers?project=a&id={}", enc(asked)), &cookie)).await);
        assert!(page.contains("u9") && page.contains("A-1042") && !page.contains("No customer"), "{asked}: {page}");
    }
    let page = html(&h.send(page_get("/customers?project=a&id=nobody%40shop.ru", &cookie)).await);
    assert!(page.contains("No customer"), "{page}");
}

/// No silent wrong answers: an empty report says why instead of drawing empty charts — no events in the period
/// (with the data's dates), an event that happened only in other periods, or filters that leave nobody.
#[tokio::test]
async fn an_empty_report_says_why() {
    let h = harness();
    h.shop().await;
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (cookie, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    let page = |q: &str| page_get(&format!("/funnels?project=a&{q}"), &cookie);
    let text = html(&h.send(page("steps=view_item%0Apurchase&since=2031-01-01")).await);
    assert!(
        text.contains("Nobody in this report") && text.contains("no events in this period: the data runs from"),
        "{text}"
    );
    assert!(!text.contains("<svg"), "no empty chart");
    let text = html(&h.send(page("steps=view_item%0Apurchase&traits=plan+%3D+nobody")).await);
    assert!(text.contains("no customer passes the filters"), "{text}");
    let text = html(&h.send(page("steps=view_item%0Apurchase")).await);
    assert!(text.contains("<svg") && !text.contains("Nobody in this report"), "{text}");
}

/// A map's data lanes are worded and formatted in the reader's language, whatever the map's own (its exports keep
/// the map's): an English map read in the Russian interface has Russian numbers and words in its data cells.
#[tokio::test]
async fn a_maps_data_cells_follow_the_readers_language() {
    let h = harness();
    h.shop().await;
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let r = h.send(page_post("/maps", &analyst, &format!("csrf={csrf}&project=a&template=online_store&lang=en"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let en = html(&h.send(page_get("/maps/1?project=a", &analyst)).await);
    assert!(en.contains("no answers yet") && !en.contains("ответов пока нет"), "{en}");
    let r = h.send(page_post("/settings/lang", &analyst, &format!("csrf={csrf}&lang=ru"))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let ru = html(&h.send(page_get("/maps/1?project=a", &analyst)).await);
    assert!(ru.contains("ответов пока нет") && !ru.contains("no answers yet"), "{ru}");
    assert!(ru.contains("Outdoor gear online store"), "the map's own texts stay as written");
}
