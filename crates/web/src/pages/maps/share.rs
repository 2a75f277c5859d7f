//! Exports of a map, its read-only share links and the public page they open, and deleting a map.

use super::*;
use crate::{Analyst, Member, Viewer};

// ---- export and sharing -------------------------------------------------------------------------------------

pub(super) async fn render_export(
    st: &WebState,
    project: &str,
    map: &JourneyMap,
    v: i64,
    persona: Option<&Persona>,
    format: Format,
) -> Response {
    let data = if matches!(format, Format::Json | Format::Yaml) {
        None
    } else {
        match map_data(st, project, map, persona).await {
            Ok(d) => d,
            Err(r) => return r,
        }
    };
    let sub = maps::subtitle(map, persona.map(persona_label).as_deref(), data.as_ref());
    let foot = maps::footer(map, v, data.as_ref());
    let (map2, fmt) = (map.clone(), format);
    let bytes = tokio::task::spawn_blocking(move || maps::export(&map2, data.as_ref(), &sub, &foot, fmt)).await;
    match bytes {
        Ok(Ok(b)) => {
            let name: String = map.title.chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).take(60).collect();
            (
                [
                    (header::CONTENT_TYPE, format.content_type().to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename=\"map-v{v}.{ext}\"; filename*=UTF-8''{}.{ext}",
                            enc(&name),
                            ext = format.extension()
                        ),
                    ),
                ],
                b,
            )
                .into_response()
        }
        Ok(Err(e)) => internal(&e),
        Err(e) => internal(&e),
    }
}

pub(crate) async fn export(
    State(st): State<Arc<WebState>>,
    _headers: HeaderMap,
    Path(id): Path<i64>,
    m: Member<Viewer>,
) -> Response {
    let Member { s, f: q, .. } = m;
    let Some(format) = Format::parse(&param(&q, "format")) else {
        return (StatusCode::BAD_REQUEST, "format: use pdf, png, svg, md, json or yaml\n").into_response();
    };
    let (map, v) = match load(&st, &s, id, param(&q, "version").parse().ok()) {
        Ok(m) => m,
        Err(r) => return r.into_response(),
    };
    let personas = persona_list(&st, &s.project);
    let persona = personas.iter().find(|p| p.key == param(&q, "persona"));
    render_export(&st, &s.project, &map, v, persona, format).await
}

pub(crate) async fn share(State(st): State<Arc<WebState>>, Path(id): Path<i64>, m: Member<Analyst>) -> Response {
    let now = (st.clock)();
    map_action(&st, m, |meta, s| {
        let t = meta.create_share(&s.project, id, now)?;
        crate::audit::record(&st, s, crate::audit::on_map(&st, Action::MapShare, &s.project, id));
        Ok(format!("/maps/{id}?project={}&share={}", enc(&s.project), t.token))
    })
}

pub(crate) async fn unshare(State(st): State<Arc<WebState>>, Path(id): Path<i64>, m: Member<Analyst>) -> Response {
    let now = (st.clock)();
    map_action(&st, m, |meta, s| {
        let n = meta.revoke_shares(&s.project, id, now)?;
        let done = crate::audit::on_map(&st, Action::MapUnshare, &s.project, id).with(json!({"revoked": n}));
        crate::audit::record(&st, s, done);
        Ok(format!("/maps/{id}?project={}", enc(&s.project)))
    })
}

pub(crate) async fn delete(State(st): State<Arc<WebState>>, Path(id): Path<i64>, m: Member<Analyst>) -> Response {
    map_action(&st, m, |meta, s| {
        let done = crate::audit::on_map(&st, Action::MapDelete, &s.project, id);
        meta.delete_map(&s.project, id)?;
        crate::audit::record(&st, s, done);
        Ok(format!("/maps?project={}", enc(&s.project)))
    })
}

/// The public read-only page of a share link: no sign-in, no navigation, the map and its PDF.
pub(crate) async fn shared(State(st): State<Arc<WebState>>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    let lang = Lang::pick("", &headers);
    let Ok(Some((project, id))) = st.meta.shared_map(&token) else {
        let body = format!("<main><h1>404</h1><p>{}</p></main>", lang.t("share_gone"));
        return (StatusCode::NOT_FOUND, Html(page(lang, "404", &body))).into_response();
    };
    let v = match st.meta.map_version(&project, id, None) {
        Ok(Some(v)) => v,
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let Ok(map) = JourneyMap::from_json(&v.document) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let data = match map_data(&st, &project, &map, None).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let l = lang_of(&map);
    let s = Session {
        user: tropa_meta::User {
            id: 0,
            email: String::new(),
            role: Role::Viewer,
            lang: l.code().into(),
            created_at: 0,
        },
        csrf: String::new(),
        lang: l,
        role: Role::Viewer,
        project,
    };
    let g = Grid { map: &map, data: data.as_ref(), editable: false, changed: vec![], id };
    let body = format!(
        "<main class=\"wide\"><h1>{}</h1><p class=\"muted\">{}</p><p class=\"muted\">{} · <a href=\"/share/{t}/export?format=pdf\">PDF</a> · \
         <a href=\"/share/{t}/export?format=png\">PNG</a></p>{}</main>",
        esc(&map.title),
        esc(&maps::subtitle(&map, None, data.as_ref())),
        l.t("shared_read_only"),
        grid(&s, &g, v.version),
        t = esc(&token),
    );
    let mut res = Html(page(l, &map.title, &body)).into_response();
    res.headers_mut().insert("x-robots-tag", "noindex".parse().expect("a header value"));
    res
}

pub(crate) async fn shared_export(
    State(st): State<Arc<WebState>>,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(Some((project, id))) = st.meta.shared_map(&token) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let Some(format) = Format::parse(&param(&q, "format")).filter(|f| !matches!(f, Format::Json | Format::Yaml)) else {
        return (StatusCode::BAD_REQUEST, "format: use pdf, png, svg or md\n").into_response();
    };
    let Ok(Some(v)) = st.meta.map_version(&project, id, None) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let Ok(map) = JourneyMap::from_json(&v.document) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    render_export(&st, &project, &map, v.version, None, format).await
}
