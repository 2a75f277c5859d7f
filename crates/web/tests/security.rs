//! The web app against an attacker: security headers on every answer, no inline code under the CSP, redirects
//! that stay on the site, the sign-in throttle, escaped Markdown exports.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use common::*;

/// The security headers every answer must carry (pages, redirects, errors, downloads, the public share page).
fn assert_security_headers(what: &str, r: &Reply) {
    let get = |name: &str| r.headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let csp = get("content-security-policy");
    for must in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.split(';').any(|d| d.trim() == must), "{what}: CSP lacks {must}: {csp:?}");
    }
    assert!(!csp.contains("unsafe"), "{what}: CSP allows unsafe sources: {csp}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    let static_file = ["/app.css", "/app.js", "/map.js"].iter().any(|p| what.starts_with(p));
    if !static_file {
        assert_eq!(get("cache-control"), "no-store", "{what}: a page or download with a user's data is not stored");
    }
}

/// Regression (security probe, headers): pages had no Content-Security-Policy, nosniff, Referrer-Policy (share
/// links carry their token in the URL) or Cache-Control, so a signed-in page could be framed, sniffed, cached and
/// its URL sent to other sites. One middleware adds them to every answer.
#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let h = harness();
    h.shop().await;
    h.user("ad@x.ru", tropa_meta::Role::Admin);
    h.user("v@x.ru", tropa_meta::Role::Viewer);
    let (admin, csrf) = h.sign_in("ad@x.ru", "correct horse battery").await;
    let (viewer, _) = h.sign_in("v@x.ru", "correct horse battery").await;
    let r = h.send(page_post("/maps", &admin, &format!("csrf={csrf}&project=a&template=online_store&lang=en"))).await;
    assert_security_headers("POST /maps (a redirect)", &r);
    let r = h.send(page_post("/maps/1/share", &admin, &format!("csrf={csrf}&project=a"))).await;
    let token = r.headers["location"].to_str().unwrap().split("share=").nth(1).unwrap().to_string();
    let dashboard = h.state.meta.create_dashboard("a", "D", 0).unwrap();
    let dashboard_token = h.state.meta.create_dashboard_share("a", dashboard.id, None, 0).unwrap().token;
    // an experiment for /experiments/{key}
    let experiment = serde_json::from_value(serde_json::json!({"key": "k", "variants": [{"name": "A"}, {"name": "B"}],
        "primary": "conversion:purchase:7d"}))
    .unwrap();
    tropa_app::experiments::save(
        &h.state.meta,
        &tropa_app::audit::Who::cli("t"),
        "a",
        &experiment,
        Default::default(),
        0,
    )
    .unwrap();
    for (method, path, _) in WEB_ROUTES.iter().filter(|r| r.0 == "GET") {
        let token = if path.starts_with("/share/d/") { &dashboard_token } else { &token };
        let path = path.replace("{id}", "1").replace("{token}", token).replace("{key}", "k");
        let r = h.send(page_get(&format!("{path}?project=a&format=svg"), &admin)).await;
        assert!(r.status.is_success(), "{method} {path}: {}", r.status);
        assert_security_headers(&format!("{path} as admin"), &r);
    }
    let public = h.send(page_get(&format!("/share/{token}"), "")).await;
    assert!(html(&public).contains("Outdoor gear online store"));
    assert_security_headers("the public share page", &public);
    let other = [
        ("/ signed out (a redirect)", page_get("/", "")),
        ("/login signed out", page_get("/login", "")),
        ("/settings/users as a viewer (403)", page_get("/settings/users", &viewer)),
        ("/maps/9 (404)", page_get("/maps/9?project=a", &admin)),
        ("/share/sh_gone (404)", page_get("/share/sh_gone", "")),
        ("/nowhere (the fallback)", page_get("/nowhere", &admin)),
        ("/funnels download as CSV", page_get("/funnels?project=a&download=funnel&format=csv", &admin)),
        ("/api/v1/stats with a session", page_get("/api/v1/stats?project=a", &admin)),
    ];
    for (what, req) in other {
        assert_security_headers(what, &h.send(req).await);
    }
    // the ingestion API's CORS and the snippet's cache stay as they were
    let pre = Request::options("/v1/track").header("origin", "https://shop.example").body(Body::empty()).unwrap();
    let r = h.send(pre).await;
    assert_eq!(r.headers["access-control-allow-origin"], "*");
    assert_eq!(h.send(page_get("/t.js", "")).await.headers["cache-control"], "public, max-age=3600");
    // without a Referer the language switch still comes back to the page it was pressed on
    let page = html(&h.send(page_get("/funnels?project=a&window=3d", &viewer)).await);
    let back = input_value(&page, "back");
    assert_eq!(back, "/funnels?project=a&window=3d");
    let r = h.send(page_post("/settings/lang", &admin, &format!("csrf={csrf}&lang=ru&back={}", enc(&back)))).await;
    assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, back.as_str()));
}

/// What a strict Content-Security-Policy would block in a page: inline `<script>`, `on…=` handlers, `javascript:`
/// URLs and `style=` attributes.
fn inline_code(page: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tag in page.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
        let lower = tag.to_ascii_lowercase();
        if lower.starts_with("script") && !lower.contains(" src=") {
            found.push(format!("<{tag}>"));
        }
        for attr in lower.split_whitespace().filter_map(|a| a.split_once('=').map(|(name, _)| name)) {
            let handler = attr.len() > 2 && attr.starts_with("on") && attr.bytes().all(|b| b.is_ascii_lowercase());
            if handler || attr == "style" {
                found.push(format!("<{tag}>"));
            }
        }
    }
    if page.to_ascii_lowercase().contains("javascript:") {
        found.push("javascript: URL".into());
    }
    found
}

/// Pages are templates that escape every value (docs/adr/0003-web-templates.md): markup that is not a
/// template — `PreEscaped` — appears only in `ui/chart.rs` (the SVG that tropa-render draws), and no HTML is
/// built as a string (`format!("<…`, `push_str("<…`), where a forgotten escape would be a hole.
#[test]
fn markup_is_only_written_by_templates() {
    let mut found = Vec::new();
    for (path, text) in web_sources() {
        let name = path.display().to_string();
        for (n, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("//") {
                continue;
            }
            let raw = line.contains("PreEscaped") && !name.ends_with("ui/chart.rs");
            let string_html =
                ["format!(\"<", "push_str(\"<", "write!(out, \"<", "concat!(\"<"].iter().any(|p| line.contains(p));
            if raw || string_html {
                found.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "markup outside templates:\n{}", found.join("\n"));
}

/// Regression (security probe, inline code): selects submitted their form with `onchange="this.form.submit()"`
/// and deleting a map asked with `onsubmit="return confirm(…)"`, which a CSP without 'unsafe-inline' blocks; the
/// behaviour now lives in `/app.js` (`data-autosubmit`, `data-confirm`), with `<noscript>` buttons kept.
#[tokio::test]
async fn pages_hold_no_inline_scripts_handlers_or_styles() {
    // the source of the web app, so that pages not visited below are covered too
    for (f, text) in web_sources() {
        let text = text.replace("\\\"", "\"");
        assert_eq!(inline_code(&text), Vec::<String>::new(), "{}", f.display());
    }
    // the pages as an admin sees them, the map with its share link, the public page and the sign-in form
    let h = harness();
    h.shop().await;
    h.user("ad@x.ru", tropa_meta::Role::Admin);
    let (admin, csrf) = h.sign_in("ad@x.ru", "correct horse battery").await;
    h.send(page_post("/maps", &admin, &format!("csrf={csrf}&project=a&template=online_store&lang=en"))).await;
    let r = h.send(page_post("/maps/1/share", &admin, &format!("csrf={csrf}&project=a"))).await;
    let token = r.headers["location"].to_str().unwrap().split("share=").nth(1).unwrap().to_string();
    let mut pages = vec![(format!("/share/{token}"), String::new()), ("/login".to_string(), String::new())];
    for (_, path, _) in WEB_ROUTES.iter().filter(|r| r.0 == "GET" && !r.1.ends_with(".js") && !r.1.ends_with(".css")) {
        pages.push((format!("{}?project=a", path.replace("{id}", "1").replace("{token}", &token)), admin.clone()));
    }
    pages.push(("/maps/1?project=a&share=x".into(), admin.clone()));
    for (path, cookie) in pages {
        let r = h.send(page_get(&path, &cookie)).await;
        let page = html(&r);
        if !r.headers["content-type"].to_str().unwrap().starts_with("text/html") {
            continue; // the exports
        }
        assert_eq!(inline_code(&page), Vec::<String>::new(), "{path}");
        assert!(page.contains("<script src=\"/app.js\" defer></script>"), "{path} loads the app's script");
    }
    // what the script hooks: the pickers that submit themselves, and the confirmed delete
    let overview = html(&h.send(page_get("/", &admin)).await);
    assert!(overview.contains("<select name=\"project\" data-autosubmit>") && overview.contains("<noscript>"));
    let keys = html(&h.send(page_get("/settings/keys?project=a", &admin)).await);
    assert!(keys.contains("data-autosubmit>"), "{keys}");
    let map = html(&h.send(page_get("/maps/1?project=a", &admin)).await);
    assert!(map.contains("id=\"persona\" name=\"persona\" data-autosubmit>"), "{map}");
    assert!(
        map.contains("action=\"/maps/1/delete\" class=\"inline\" data-confirm=\"Delete the map with all its versions?"),
        "{map}"
    );
    let r = h.send(page_get("/app.js", "")).await;
    assert_eq!(r.headers["content-type"], "text/javascript; charset=utf-8");
    assert!(html(&r).contains("data-autosubmit") && html(&r).contains("data-confirm"));
}

/// Regression (security probe, redirects): `back=/%0Ax` on the language switch and `query=steps=a%0Ab` on a saved
/// report made a `Location` that is no header (500, the report saved all the same), and `back=/%09/other-host/`
/// left the site in Chromium, which drops the tab and reads `//other-host/`. Every redirect built from input goes
/// through one helper: a path of this site or `/`.
#[tokio::test]
async fn redirects_built_from_input_stay_on_this_site() {
    let h = harness();
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    let cases = [
        ("/\nx", "/"),
        ("/\t/other-host/", "/"),
        ("/\r\n/other-host/", "/"),
        ("//other-host/", "/"),
        ("/\\other-host/", "/"),
        ("\\/other-host/", "/"),
        ("/x\\y", "/"),
        ("https://other-host/", "/"),
        ("other-host", "/"),
        ("/\u{0}", "/"),
        ("/карта", "/"),
        ("/funnels?project=a&steps=view_item%0Apurchase#top", "/funnels?project=a&steps=view_item%0Apurchase#top"),
        ("/%2F%2Fother-host", "/%2F%2Fother-host"),
    ];
    for (back, want) in cases {
        let r = h.send(page_post("/settings/lang", &analyst, &format!("csrf={csrf}&lang=en&back={}", enc(back)))).await;
        assert_eq!(
            (r.status, r.headers.get("location").map(|l| l.to_str().unwrap())),
            (StatusCode::SEE_OTHER, Some(want)),
            "back={back:?}"
        );
    }
    // a page to open after sign-in, from the cookie the sign-in form was given
    let form = h.send(page_get("/login", "")).await;
    let pre = form.headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let token = pre.split_once('=').unwrap().1.to_string();
    let body = format!("csrf={token}&email=an%40x.ru&password={}", enc("correct horse battery"));
    for next in ["%2F%0Ax", "%2F%09%2Fother-host%2F", "%2F%2Fother-host"] {
        let r = h.send(page_post("/login", &format!("{pre}; tropa_next={next}"), &body)).await;
        assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/"), "{next}");
    }
    // a saved report keeps its parameters as a clean query (newlines encoded, the project and downloads dropped)
    let save = |query: &str| format!("csrf={csrf}&project=a&kind=funnels&name=x&query={}", enc(query));
    let r = h.send(page_post("/reports/save", &analyst, &save("steps=a\nb"))).await;
    assert_eq!(
        (r.status, r.headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/funnels?project=a&steps=a%0Ab&saved=x")
    );
    assert_eq!(h.state.meta.saved_reports("a", "funnels").unwrap()[0].query, "steps=a%0Ab");
    let r =
        h.send(page_post("/reports/save", &analyst, &save("window=7d&project=b&download=funnel&steps=a%0Ab"))).await;
    assert_eq!(r.headers["location"], "/funnels?project=a&steps=a%0Ab&window=7d&saved=x");
    assert_eq!(h.state.meta.saved_reports("a", "funnels").unwrap()[0].query, "steps=a%0Ab&window=7d");
}

/// The clock of the throttle test, moved by hand.
static THROTTLE_CLOCK: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(NOW);

/// Regression (security probe, sign-in): 30 wrong passwords in a row (about 50 guesses a second), then the right
/// one signed in. Failures now lock further attempts, doubling: per account and address after 5, per account after
/// 20 (gently, so that one address cannot keep the user out); a success clears the counts.
#[tokio::test]
async fn sign_in_is_throttled_per_account_and_address() {
    use std::sync::atomic::Ordering::SeqCst;
    let h = harness_with(tropa_server::Config::default(), || THROTTLE_CLOCK.load(SeqCst));
    h.user("maria@x.ru", tropa_meta::Role::Viewer);
    let right = "correct horse battery";
    let status = |r: &Reply| (r.status, r.headers.get("retry-after").map(|v| v.to_str().unwrap().to_string()));
    let (a, b) = ("192.0.2.1:50000", "198.51.100.2:50000");
    for _ in 0..5 {
        assert_eq!(h.sign_in_from(a, "maria@x.ru", "wrong password", &[]).await.status, StatusCode::UNAUTHORIZED);
    }
    let r = h.sign_in_from(a, "maria@x.ru", right, &[]).await;
    assert_eq!(status(&r), (StatusCode::TOO_MANY_REQUESTS, Some("1".into())), "the right password is refused too");
    assert!(html(&r).contains("Too many failed sign-ins: try again in 1 s") && html(&r).contains("role=\"alert\""));
    let r = h.sign_in_from(a, "MARIA@x.ru", right, &[("accept-language", "ru")]).await;
    assert!(html(&r).contains("попробуйте снова через 1 с"), "{}", html(&r));
    // another address of the same account is let in (and its success does not unlock the first address)
    assert_eq!(h.sign_in_from(b, "maria@x.ru", right, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(h.sign_in_from(a, "maria@x.ru", right, &[]).await.status, StatusCode::TOO_MANY_REQUESTS);
    // when the wait is over the address may try again; its next failure doubles the wait
    THROTTLE_CLOCK.fetch_add(1_000, SeqCst);
    assert_eq!(h.sign_in_from(a, "maria@x.ru", "wrong again", &[]).await.status, StatusCode::UNAUTHORIZED);
    let r = h.sign_in_from(a, "maria@x.ru", right, &[]).await;
    assert_eq!(status(&r), (StatusCode::TOO_MANY_REQUESTS, Some("2".into())));
    THROTTLE_CLOCK.fetch_add(2_000, SeqCst);
    assert_eq!(h.sign_in_from(a, "maria@x.ru", right, &[]).await.status, StatusCode::SEE_OTHER);
    // the success cleared the count: 4 failures are free again
    for _ in 0..4 {
        assert_eq!(h.sign_in_from(a, "maria@x.ru", "wrong password", &[]).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(h.sign_in_from(a, "maria@x.ru", right, &[]).await.status, StatusCode::SEE_OTHER);
    // 20 failures from 5 addresses (none locked at its own) lock the account everywhere, for a second at first
    for i in 1..=5 {
        for _ in 0..4 {
            let r = h.sign_in_from(&format!("203.0.113.{i}:1"), "maria@x.ru", "guess", &[]).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
    }
    let r = h.sign_in_from("203.0.113.99:1", "maria@x.ru", right, &[]).await;
    assert_eq!(status(&r), (StatusCode::TOO_MANY_REQUESTS, Some("1".into())));
    assert_eq!(h.sign_in_from("203.0.113.99:1", "ivan@x.ru", "guess", &[]).await.status, StatusCode::UNAUTHORIZED);
    THROTTLE_CLOCK.fetch_add(1_000, SeqCst);
    assert_eq!(h.sign_in_from("203.0.113.99:1", "maria@x.ru", right, &[]).await.status, StatusCode::SEE_OTHER);

    // X-Forwarded-For names the client only behind a trusted proxy
    let config = tropa_server::Config { trusted_proxies: vec!["10.0.0.1".parse().unwrap()], ..Default::default() };
    let h = harness_with(config, || NOW);
    h.user("maria@x.ru", tropa_meta::Role::Viewer);
    for i in 0..5 {
        // a client that makes up a new X-Forwarded-For each time is still one address
        let xff = format!("192.0.2.{i}");
        let r = h.sign_in_from("198.51.100.7:1", "maria@x.ru", "guess", &[("x-forwarded-for", &xff)]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let proxied = [("x-forwarded-for", "203.0.113.5")];
        assert_eq!(
            h.sign_in_from("10.0.0.1:1", "maria@x.ru", "guess", &proxied).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let spoofed = [("x-forwarded-for", "192.0.2.77")];
    let r = h.sign_in_from("198.51.100.7:1", "maria@x.ru", right, &spoofed).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let proxied = [("x-forwarded-for", "203.0.113.5")];
    assert_eq!(h.sign_in_from("10.0.0.1:1", "maria@x.ru", right, &proxied).await.status, StatusCode::TOO_MANY_REQUESTS);
    let other = [("x-forwarded-for", "203.0.113.5, 203.0.113.6")];
    assert_eq!(h.sign_in_from("10.0.0.1:1", "maria@x.ru", right, &other).await.status, StatusCode::SEE_OTHER);
}

/// Regression (security probe, exports): a map's Markdown carried the cards' text as is, so
/// `<script>alert(1)</script>` or `<img src=x onerror=…>` in a card became markup wherever the export is rendered
/// (wikis, trackers). The text is escaped; only the app's own `<br>` line breaks remain.
#[tokio::test]
async fn markdown_export_escapes_the_cards_text() {
    let h = harness();
    h.user("an@x.ru", tropa_meta::Role::Analyst);
    let (analyst, csrf) = h.sign_in("an@x.ru", "correct horse battery").await;
    h.send(page_post("/maps", &analyst, &format!("csrf={csrf}&project=a&template=online_store&lang=en"))).await;
    let edits = [
        json!({"op": "set_cell", "lane": "pains", "stage": "research", "text": "<script>alert(1)</script>"}),
        json!({"op": "set_cell", "lane": "pains", "stage": "decision", "text": "a\n<img src=x onerror=alert(2)> & ![t](http://t.example/p.png)"}),
        json!({"op": "set_title", "title": "Shop <b>map</b>"}),
    ];
    for (i, edit) in edits.into_iter().enumerate() {
        let r = h
            .send(
                Request::post("/maps/1/edit?project=a")
                    .header("cookie", &analyst)
                    .header("content-type", "application/json")
                    .header("x-csrf-token", &csrf)
                    .body(Body::from(json!({"version": i + 1, "edit": edit}).to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let md = html(&h.send(page_get("/maps/1/export?project=a&format=md", &analyst)).await);
    for markup in ["<script", "<img", "<b>", "![t]("] {
        assert!(!md.contains(markup), "{markup} in {md}");
    }
    assert!(md.starts_with("# Shop &lt;b&gt;map&lt;/b&gt;\n"), "{md}");
    assert!(md.contains("| &lt;script&gt;alert(1)&lt;/script&gt; |"), "{md}");
    assert!(md.contains("| a<br>&lt;img src=x onerror=alert(2)&gt; &amp; !\\[t\\](http://t.example/p.png) |"), "{md}");
}

/// Regression (the password form): the current password asked for a new one could be guessed as fast as the
/// server answered, with a stolen session. It is now checked behind the sign-in throttle: after 5 wrong ones
/// from an address, 429 with `Retry-After` — even for the right one — and the account's sign-in counts too.
#[tokio::test]
async fn changing_the_password_is_throttled_like_signing_in() {
    let h = harness();
    h.user("maria@x.ru", tropa_meta::Role::Viewer);
    let (cookie, csrf) = h.sign_in("maria@x.ru", "correct horse battery").await;
    let change = |current: &str| {
        format!("csrf={csrf}&current={}&password=brand+new+pass+1&repeat=brand+new+pass+1", enc(current))
    };
    for _ in 0..5 {
        let r = h.send(page_post("/settings/password", &cookie, &change("a wrong guess"))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", html(&r));
    }
    let r = h.send(page_post("/settings/password", &cookie, &change("correct horse battery"))).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", html(&r));
    assert!(r.headers.get("retry-after").is_some());
    assert!(html(&r).contains("aria-invalid=\"true\""), "the wait is told at the field");
    // the password is unchanged: the old one still signs in once the wait is over (the clock is fixed here, so
    // only the account's own counter, not this address's, is asked: from another address)
    let r = h.sign_in_from("203.0.113.77:1", "maria@x.ru", "correct horse battery", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", html(&r));
}

/// A path nobody serves is a page for a person (404 in their language) and JSON for a program: regression, every
/// unknown page (`/dashboards` before it existed, a mistyped link) answered the API's raw JSON.
#[tokio::test]
async fn unknown_pages_are_pages_and_unknown_api_paths_json() {
    let h = harness();
    h.user("maria@x.ru", tropa_meta::Role::Viewer);
    let anonymous = Request::get("/reports-board").header("accept-language", "ru-RU").body(Body::empty()).unwrap();
    let r = h.send(anonymous).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let page = html(&r);
    assert!(page.contains("lang=\"ru\"") && page.contains("Такой страницы нет"), "{page}");
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    // a signed-in reader gets it in their language, with the security headers of every page
    let (cookie, _) = h.sign_in("maria@x.ru", "correct horse battery").await;
    let r = h.send(page_get("/settings/nope", &cookie)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(html(&r).contains("There is no such page") && r.headers.contains_key("content-security-policy"));
    for path in ["/api/v1/nope", "/v1/nope"] {
        let r = h.send(Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.body["error"]["code"], "not_found", "{path}: {}", r.body);
    }
}
